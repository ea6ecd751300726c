"""Backfill the spouses' ID-number keys (store/cases.py ``WomanIdIndex`` / ``ManIdIndex``) on cases
created before those indexes existed, so staff find them by either spouse's ID number.

    python -m tools.person_keys --stage prod                 # deployed: the operator's AWS credentials
    python -m tools.person_keys --endpoint http://…:PORT     # the local stack (the endpoint make run prints)

Idempotent: a case that carries its keys is not written again (run it after deploying the
indexes, and again at will; the second run reports ``written: 0``). Needs ``dynamodb:Scan`` and
``dynamodb:UpdateItem`` on the Cases table and ``secretsmanager:GetSecretValue`` on the TokenKey
secret (the keys are keyed hashes). Writes without moving a case's version: running workflows
are not disturbed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from tools.stage import add_arguments, connect


def _configure(args: argparse.Namespace) -> None:
    from infra import resources as r

    connect(args)
    os.environ.setdefault(r.CASES.env, r.physical_name(r.CASES.suffix, args.stage))
    # Secrets Manager takes the secret's name where an ARN is expected
    os.environ.setdefault(r.TOKEN_KEY.env, r.physical_name(r.TOKEN_KEY.suffix, args.stage))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.person_keys", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    _configure(args)

    from chalicelib.services.staff import search

    print(json.dumps(search.backfill_person_keys()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
