"""``python -m local``: run the whole system on this machine (see README, "Run locally")."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from local.stack import LocalStack


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the birth-registration platform on an embedded local AWS stack.")
    parser.add_argument("--port", type=int, default=8000, help="API port (default 8000)")
    parser.add_argument("--moto-port", type=int, default=0, help="moto server port (default: a free port)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for noisy in ("werkzeug", "botocore", "pynamodb"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    stack = LocalStack(moto_port=args.moto_port, api_port=args.port).start()
    print(
        "\nBirth-registration platform running (data is in memory and is lost when you stop it)\n"
        f"  API:          {stack.api_url}/v1/health\n"
        f"  Web:          {stack.api_url}/\n"
        f"  SMS outbox:   {stack.api_url}/_dev/outbox   (SMS are also logged as 'SMS to ...')\n"
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
