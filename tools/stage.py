"""What every operator command needs to reach a stage: its options and the AWS environment.

    --stage <stage>        names are derived from ``infra/resources.py``, as the stack derives them
    --region <region>      default: AWS_REGION / AWS_DEFAULT_REGION / us-east-1
    --endpoint <url>       the local stack's moto server (the "AWS endpoint" ``make run`` prints)
"""

from __future__ import annotations

import argparse
import os


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stage", default=os.environ.get("BIRTHREG_STAGE", "local"))
    parser.add_argument("--region", default=None)
    parser.add_argument("--endpoint", default=None, help="AWS endpoint of the local stack (printed by make run)")


def connect(args: argparse.Namespace) -> tuple[str, str]:
    """Point this process at the stage (region, endpoint, ``BIRTHREG_STAGE``); ``(region, account)``."""
    region = args.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = region
    if args.endpoint:  # the local stack's moto server
        os.environ["AWS_ENDPOINT_URL"] = args.endpoint
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            os.environ.setdefault(name, "local")
        account = "123456789012"
    else:
        import boto3

        account = boto3.client("sts").get_caller_identity()["Account"]
    os.environ["BIRTHREG_STAGE"] = args.stage
    return region, account
