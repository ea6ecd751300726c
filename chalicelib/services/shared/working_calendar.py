"""The working-day calendar and the verification window, from the operator's data.

Both are SSM parameters (``Holidays``, ``VerificationWindow`` in infra/resources.py) an operator
changes without a redeploy (infra/README.md, "Operations data"); they are read at run time with a
short cache (``config.parameter``) and passed into the pure domain (``domain/working_days.py``).
The parsers are shared with the operator's command (``tools/ops.py``), which refuses what the
functions would refuse.
"""

from __future__ import annotations

import functools
import json
from datetime import date, time

from chalicelib import config
from chalicelib.domain.working_days import OperatorTable, WorkingCalendar

HOLIDAYS_PARAMETER = "HOLIDAYS_PARAMETER"
WINDOW_PARAMETER = "VERIFICATION_WINDOW_PARAMETER"


class BadOperationsData(ValueError):
    """A parameter's value does not parse; the message names what is wrong."""


def parse_holidays(text: str) -> OperatorTable:
    """``{"2027": {"holidays": [ISO dates], "workdays": [ISO dates]}}``: every date in its year,
    none both a holiday and a workday."""
    try:
        raw = json.loads(text or "{}")
    except ValueError as exc:
        raise BadOperationsData(f"holiday table is not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise BadOperationsData("holiday table must be an object {year: {holidays, workdays}}")
    table: OperatorTable = {}
    for year_text, entry in raw.items():
        if not str(year_text).isdigit() or not isinstance(entry, dict):
            raise BadOperationsData(f"{year_text}: expected a year with {{holidays, workdays}}")
        year = int(year_text)
        unknown = set(entry) - {"holidays", "workdays"}
        if unknown:
            raise BadOperationsData(f"{year}: unknown keys {sorted(unknown)}")
        days: dict[str, list[str]] = {}
        for kind in ("holidays", "workdays"):
            values = entry.get(kind, [])
            if not isinstance(values, list):
                raise BadOperationsData(f"{year}.{kind}: expected a list of ISO dates")
            for value in values:
                try:
                    parsed = date.fromisoformat(str(value))
                except ValueError:
                    raise BadOperationsData(f"{year}.{kind}: {value!r} is not an ISO date") from None
                if parsed.year != year:
                    raise BadOperationsData(f"{year}.{kind}: {value} is not in {year}")
            days[kind] = [str(v) for v in values]
        both = set(days["holidays"]) & set(days["workdays"])
        if both:
            raise BadOperationsData(f"{year}: both holiday and workday: {sorted(both)}")
        table[year] = days
    return table


def parse_window(text: str) -> tuple[time, time] | None:
    """``"HH:MM-HH:MM"`` (``24:00`` is the end of the day) or ``"always"`` (no window: None)."""
    value = (text or "").strip()
    if value == "always":
        return None
    opens, sep, closes = value.partition("-")

    def parse(part: str) -> time:
        return time.max if part.strip() == "24:00" else time.fromisoformat(part.strip())

    try:
        window = parse(opens), parse(closes)
    except ValueError:
        window = None
    if not sep or window is None or not window[0] < window[1]:
        raise BadOperationsData(f"verification window {value!r}: expected HH:MM-HH:MM (opens before it closes) or always")
    return window


@functools.lru_cache(maxsize=4)
def _calendar_of(text: str) -> WorkingCalendar:
    return WorkingCalendar(operator_table=parse_holidays(text))


def calendar() -> WorkingCalendar:
    """The working-day calendar with the operator's current holiday table."""
    return _calendar_of(config.parameter(HOLIDAYS_PARAMETER))


def verification_window() -> tuple[time, time] | None:
    """When the public-security check is open on working days (000 §2.3.5 注
    "公安校验只在正常工作时间范围内开放"); None: always open."""
    return parse_window(config.parameter(WINDOW_PARAMETER))
