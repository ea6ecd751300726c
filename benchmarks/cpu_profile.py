"""Where the local stack's CPU goes while registrations travel (issue 18 item 5).

Starts the embedded local stack in this process, runs one instant registration to warm up, then
samples every thread of this process with py-spy (100 Hz, busy threads only) while
``BENCH_PROFILE_REGISTRATIONS`` instant registrations run one after another, and prints:

- the busy samples by where the innermost frame is: our code (chalicelib, functions, local, app),
  moto, botocore/boto3, PynamoDB, the HTTP layers (werkzeug, urllib3, http, socket), other;
- the functions of our code with the most samples *inclusive* (itself and what it calls),
  per registration: what to cut first when it is ours and not moto's.

``python -m benchmarks.cpu_profile`` (py-spy from requirements-dev.txt). Not part of ``make
bench``: a sampling profile is for reading, not a figure to compare.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REGISTRATIONS = int(os.environ.get("BENCH_PROFILE_REGISTRATIONS", "20"))
RAW = Path(os.environ.get("BENCH_PROFILE_OUT", ROOT / "build" / "bench" / "cpu_profile.txt"))
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")
OURS = tuple(str(ROOT / p) for p in ("chalicelib", "functions", "local", "app.py"))


def _kind(path: str) -> str:
    if path.startswith(OURS):
        return "ours"
    for name in ("moto", "botocore", "boto3", "pynamodb", "werkzeug", "urllib3", "jsonpath", "antlr4", "cryptography", "pydantic", "reportlab", "qrcode"):
        if f"/{name}/" in path:
            return name
    if re.search(r"/python3\.\d+/(http|socket|ssl|json|threading|email|logging|copy|re)", path):
        return "stdlib:" + re.search(r"/python3\.\d+/(\w+)", path).group(1)
    return "other"


def _frames(stack: str) -> list[tuple[str, str]]:
    out = []
    for part in stack.split(";"):
        m = FRAME.match(part)
        if m:
            out.append((m["function"], m["file"] or ""))
    return out


def summarise(raw: Path, registrations: int, top: int = 15) -> list[str]:
    leaves: Counter = Counter()
    inclusive: Counter = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        frames = _frames(stack)
        if not frames:
            continue
        total += n
        leaves[_kind(frames[-1][1])] += n
        for function, path in dict.fromkeys((f, p) for f, p in frames if p.startswith(OURS)):
            inclusive[f"{function} ({os.path.relpath(path, ROOT)})"] += n
    lines = [f"busy samples: {total} ({total / registrations:.1f} per registration, 10 ms each)"]
    lines.append("innermost frame in: " + ", ".join(f"{k} {v / total:.0%}" for k, v in leaves.most_common(10)))
    lines.append(f"our functions, inclusive samples per registration (top {top}):")
    lines += [f"  {n / registrations:7.1f}  {name}" for name, n in inclusive.most_common(top)]
    return lines


def main() -> int:
    import logging

    from benchmarks import aws_requests as bench

    logging.disable(logging.WARNING)
    os.environ.setdefault("SMS_IP_LIMIT", "100000")
    os.environ.setdefault("QUERY_IP_LIMIT", "100000")
    from local.stack import LocalStack, free_port

    stack = LocalStack(api_port=free_port()).start()
    RAW.parent.mkdir(parents=True, exist_ok=True)
    spy = ROOT / ".venv" / "bin" / "py-spy"
    try:
        client = bench.Client(stack.api_url)
        bench.run_instant(stack, client, None)  # warm-up: imports, first connections
        sampler = subprocess.Popen(  # the venv's py-spy, on this process
            [str(spy), "record", "--pid", str(os.getpid()), "--format", "raw", "--full-filenames",
             "--rate", "100", "--nonblocking", "-o", str(RAW)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        time.sleep(1.0)  # py-spy attaches
        cpu = time.process_time()
        for _ in range(REGISTRATIONS):
            body = bench._prepare("instant")
            case_id, _code = bench.citizen_submits(client, body)
            bench._wait(case_id, {"registered"}, poll=0.005)
            bench._execution_done(stack, case_id)
        cpu_ms = (time.process_time() - cpu) * 1000 / REGISTRATIONS
        sampler.send_signal(signal.SIGINT)
        sampler.wait(timeout=60)
    finally:
        stack.stop()
    print(f"profiled_cpu_ms_per_registration: {cpu_ms:.0f}")
    print("\n".join(summarise(RAW, REGISTRATIONS)))
    print(f"raw stacks: {RAW}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
