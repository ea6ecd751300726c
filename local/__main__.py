"""``python -m local``: run the whole system on this machine (see README, "Run locally")."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading

from local.stack import LocalStack


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the birth-registration platform on an embedded local AWS stack.")
    parser.add_argument("--port", type=int, default=8000, help="API port (default 8000)")
    parser.add_argument("--moto-port", type=int, default=0, help="moto server port (default: a free port)")
    parser.add_argument(
        "--clock",
        default=os.environ.get("BIRTHREG_CLOCK"),
        help="start the stack's clock at this moment, e.g. 2026-10-03T22:00+08:00 (local/clock.py; env BIRTHREG_CLOCK)",
    )
    args = parser.parse_args()
    if args.clock:
        from local import clock

        try:
            clock.set_at(clock.parse_moment(args.clock))
        except clock.ClockRequestInvalid as exc:
            parser.error(f"--clock: {exc.message}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for noisy in ("werkzeug", "botocore", "pynamodb"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    stack = LocalStack(moto_port=args.moto_port, api_port=args.port).start()
    print(
        "\nBirth-registration platform running (data is in memory and is lost when you stop it)\n"
        f"  API:          {stack.api_url}/v1/health\n"
        f"  Web:          {stack.api_url}/\n"
        f"  SMS outbox:   {stack.api_url}/_dev/outbox   (SMS are also logged as 'SMS to ...')\n"
        f"  Clock:        {stack.api_url}/_dev/clock    (the stack's now; POST {{\"at\": ...}} moves it)\n"
        f"  AWS endpoint: {stack.endpoint}   (moto; Step Functions, DynamoDB, S3, SNS, Lambda)\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )
    stopped = threading.Event()
    # Ctrl-C and SIGTERM both stop cleanly (set explicitly: a shell may start us with SIGINT ignored).
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
        print("stopped")


if __name__ == "__main__":
    main()
