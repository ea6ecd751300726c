"""Operator command for the outbox's dead letters (``chalicelib/services/shared/outbox.py``).

    python -m tools.outbox list-dead                 # dead messages: event id, kind, case, attempts, error
    python -m tools.outbox replay EVENT_ID           # deliver one again now (same event id)
    python -m tools.outbox replay --all              # every dead message

Deployed: run with the operator's AWS credentials and ``--stage <stage>`` (names are derived from
``infra/resources.py``, as the stack derives them). Local stack: add ``--endpoint`` with the
"AWS endpoint" that ``make run`` prints. Exit status 1 when a replay failed again.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from tools.stage import add_arguments, connect


def _environment(stage: str, region: str, account: str) -> dict[str, str]:
    """The environment variables the outbox's delivery reads, for ``stage``."""
    from infra import resources as r

    env = {t.env: r.physical_name(t.suffix, stage) for t in r.TABLES}
    env.update({t.env: f"arn:aws:sns:{region}:{account}:{r.physical_name(t.suffix, stage)}" for t in r.TOPICS})
    env.update(
        {m.env: f"arn:aws:states:{region}:{account}:stateMachine:{r.physical_name(m.suffix, stage)}" for m in r.STATE_MACHINES}
    )
    return env


def _configure(args: argparse.Namespace) -> None:
    region, account = connect(args)
    for name, value in _environment(args.stage, region, account).items():
        os.environ.setdefault(name, value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.outbox", description="List and replay dead outbox messages.")
    add_arguments(parser)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list-dead", help="list dead messages (JSON lines)")
    replay = commands.add_parser("replay", help="deliver dead messages again")
    replay.add_argument("event_id", nargs="?")
    replay.add_argument("--all", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "replay" and not (args.event_id or args.all):
        parser.error("replay needs an EVENT_ID or --all")
    _configure(args)

    from chalicelib.services.shared import outbox

    if args.command == "list-dead":
        dead = outbox.dead_letters()
        for entry in dead:
            print(json.dumps(entry, ensure_ascii=False))
        print(f"{len(dead)} dead message(s)", file=sys.stderr)
        return 0
    ids = [m["event_id"] for m in outbox.dead_letters()] if args.all else [args.event_id]
    failed = 0
    for event_id in ids:
        try:
            result = outbox.replay(event_id)
        except outbox.NotDead:
            print(f"{event_id}: not a dead message (delivered, pending or unknown)", file=sys.stderr)
            failed += 1
            continue
        print(f"{event_id}: {result}")
        failed += result not in ("delivered", "skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
