"""import_ratio_api: cold ``import app`` time ÷ cold ``import boto3`` time.

Both are measured in fresh interpreter processes in this one run, each minus the bare
interpreter start (``python -c pass``), and the medians of N runs are compared. The API
module must not pull in task-only code (reportlab, qrcode) or boto3 itself.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_IMPORT_RUNS", "9"))
TARGET = 1.3
# What a cold container has loaded after its first registration request.
FULL = "import app, chalicelib.services.citizen.registration"


def _time(code: str) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, env=env)
    return time.perf_counter() - start


def main() -> None:
    # Warm the bytecode cache once so "cold" means a cold process, not a cold compile.
    for code in ("import app", "import boto3"):
        _time(code)
    bare, app, boto, full = [], [], [], []
    for _ in range(RUNS):  # interleaved so machine noise hits all alike
        bare.append(_time("pass"))
        app.append(_time("import app"))
        boto.append(_time("import boto3"))
        full.append(_time(FULL))
    b = statistics.median(bare)
    a = statistics.median(app) - b
    o = statistics.median(boto) - b
    f = statistics.median(full) - b
    ratio = a / o
    leaked = subprocess.run(
        [sys.executable, "-c", "import sys, app; print(','.join(m for m in ('boto3','reportlab','qrcode','PIL') if m in sys.modules))"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.strip()
    print(f"import_ratio_api: {ratio:.2f}")
    print(f"  import app:   {a * 1000:.0f} ms (median of {RUNS}, minus bare start {b * 1000:.0f} ms)")
    print(f"  import boto3: {o * 1000:.0f} ms")
    print(f"  import app + every service a citizen route loads on first use: {f * 1000:.0f} ms ({f / o:.2f} x boto3)")
    print(f"  target <= {TARGET}: {'met' if ratio <= TARGET else 'NOT met'}")
    print(f"  heavy modules imported by app: {leaked or 'none'}")


if __name__ == "__main__":
    main()
