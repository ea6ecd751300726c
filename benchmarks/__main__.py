"""``make bench``: run every benchmark module, print all ``metric: value`` lines, then the details."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bundles before aws_requests: it writes the cold-start INIT times aws_requests prices
MODULES = ["benchmarks.imports", "benchmarks.certificate", "benchmarks.bundles", "benchmarks.aws_requests", "benchmarks.fault_run"]
METRIC = re.compile(r"^[a-z][a-z0-9_]*: \S+$")


def main() -> int:
    metrics: list[str] = []
    details: list[str] = []
    failed = 0
    for module in MODULES:
        if not (ROOT / (module.replace(".", "/") + ".py")).exists():
            continue
        proc = subprocess.run([sys.executable, "-m", module], cwd=ROOT, capture_output=True, text=True)
        details.append(f"== {module} (exit {proc.returncode})")
        for line in proc.stdout.splitlines():
            (metrics if METRIC.match(line) else details).append(line)
        if proc.returncode:
            failed += 1
            details.append(proc.stderr[-2000:])
    print("\n".join(metrics))
    print()
    print("\n".join(details))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
