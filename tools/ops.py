"""Operator commands: change operations data without a redeploy (infra/README.md, "Operations data").

    python -m tools.ops show --stage prod
    python -m tools.ops set-holidays 2027 holidays-2027.json --stage prod
    python -m tools.ops set-window 09:00-17:30 --stage prod

``holidays-2027.json``: {"holidays": ["2027-01-01", ...], "workdays": ["2027-02-07", ...]} from the
State Council's notice (国务院办公厅关于2027年部分节假日安排的通知). The year is merged into the
``Holidays`` parameter (other years stay); a value the functions would refuse is refused here,
before anything is written. The functions see the change within 300 s (their cache).
Uses the caller's AWS credentials (``ssm:GetParameter``/``PutParameter`` on /birthreg/<stage>/*).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from chalicelib.services.shared.working_calendar import BadOperationsData, parse_holidays, parse_window
from infra import resources as R


def _ssm():
    import boto3

    return boto3.client("ssm")


def _put(name: str, value: str) -> None:
    _ssm().put_parameter(Name=name, Value=value, Type="String", Overwrite=True)
    print(f"{name} = {value}")


def merge_year(current: str, year: int, entry: dict) -> str:
    """The Holidays parameter's new value: ``current`` with ``year`` replaced by ``entry``."""
    table = json.loads(current or "{}")
    table[str(year)] = {"holidays": sorted(entry.get("holidays", [])), "workdays": sorted(entry.get("workdays", []))}
    text = json.dumps(dict(sorted(table.items())), ensure_ascii=False, separators=(",", ":"))
    parse_holidays(text)  # refuse what the functions would refuse
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.ops", description=__doc__.split("\n\n")[0])
    stage = argparse.ArgumentParser(add_help=False)
    stage.add_argument("--stage", default="dev", help="deployment stage (default dev)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("show", parents=[stage])
    holidays = sub.add_parser("set-holidays", parents=[stage])
    holidays.add_argument("year", type=int)
    holidays.add_argument("file", type=Path)
    window = sub.add_parser("set-window", parents=[stage])
    window.add_argument("window", help="HH:MM-HH:MM or always")
    args = parser.parse_args(argv)

    try:
        if args.command == "show":
            for p in R.PARAMETERS:
                print(f"{p.name(args.stage)} = {_ssm().get_parameter(Name=p.name(args.stage))['Parameter']['Value']}")
        elif args.command == "set-holidays":
            entry = json.loads(args.file.read_text(encoding="utf-8"))
            if not isinstance(entry, dict):
                raise BadOperationsData(f"{args.file}: expected {{holidays, workdays}}")
            name = R.HOLIDAYS.name(args.stage)
            _put(name, merge_year(_ssm().get_parameter(Name=name)["Parameter"]["Value"], args.year, entry))
        else:
            parse_window(args.window)
            _put(R.VERIFICATION_WINDOW.name(args.stage), args.window.strip())
    except (BadOperationsData, ValueError) as exc:
        print(f"refused, nothing written: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
