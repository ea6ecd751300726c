"""Working days (工作日) in mainland China, and the public-security verification window.

Sources of truth, in order:
1. the operator's tables passed to ``WorkingCalendar(holidays=..., workdays=...)``
   (they override everything, e.g. a local government's extra closure);
2. the ``chinese-calendar`` package, which carries the State Council's holiday arrangements
   for 2004..its last year (2026 in 1.11.0);
3. beyond the package's data (it raises ``NotImplementedError``): Monday–Friday, corrected by the
   operator table passed as ``operator_table`` (the service layer reads it from the ``Holidays``
   SSM parameter, ``services/shared/working_calendar.py``; infra/README.md shows the command), with a loud warning (``warnings.warn`` + ``logging.warning``) once
   per year per process, because deadlines computed that way may be wrong until the operator
   fills in that year's announced arrangement or upgrades ``chinese-calendar``.

Deadline convention (``add_working_days``): 001 三(一)1(3) "乡级计生行政主管部门须在3个工作日内（含受理当日）…
核实准备生育登记的夫妇婚育情况" — the day of acceptance counts as day 1 when it is a working day,
whatever the hour; if acceptance falls on a rest day, day 1 is the next working day. The deadline is
the end (23:59:59, Asia/Shanghai) of day N.

Verification window (``next_window_start``): 000 §2.3.5 注 "公安校验只在正常工作时间范围内开放，
其余时间均不能通过校验" — registry checks run only on working days inside office hours; the default
window 09:00–17:30 is an operator setting, not stated by the seed.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from .tz import SHANGHAI, to_china

logger = logging.getLogger(__name__)

# The operator's table (data, not code: an SSM parameter the service layer passes in) holds the
# arrangement of years the installed chinese-calendar does not know yet, from the official notice
# (国务院办公厅关于XXXX年部分节假日安排的通知).
# Format: {year: {"holidays": [ISO dates], "workdays": [ISO dates (adjusted weekend workdays)]}}.
OperatorTable = dict[int, dict[str, list[str]]]

DEFAULT_WINDOW: tuple[time, time] = (time(9, 0), time(17, 30))
END_OF_DAY = time(23, 59, 59)

_warned_years: set[int] = set()
_warn_lock = threading.Lock()


class BeyondCalendarDataWarning(UserWarning):
    """Working-day answer for a year the holiday data does not cover (weekends only)."""


def _warn_once(year: int, in_table: bool) -> None:
    with _warn_lock:
        if year in _warned_years:
            return
        _warned_years.add(year)
    msg = (
        f"chinese-calendar has no holiday data for {year}; working days in {year} are computed as "
        f"Monday-Friday plus the operator table ({'present' if in_table else 'EMPTY'}). "
        "Deadlines may be wrong: put the official arrangement into the Holidays parameter "
        "(infra/README.md, operations) or upgrade chinese-calendar."
    )
    logger.warning(msg)
    warnings.warn(msg, BeyondCalendarDataWarning, stacklevel=3)


def _reset_warnings_for_tests() -> None:
    with _warn_lock:
        _warned_years.clear()


def _package_is_workday(d: date) -> bool | None:
    """chinese-calendar's answer, or None when the package has no data for that year."""
    import chinese_calendar  # lazy: keeps import of the domain cheap

    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        return None


class WorkingCalendar:
    def __init__(
        self,
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        *,
        operator_table: OperatorTable | None = None,
    ) -> None:
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        overlap = self.holidays & self.workdays
        if overlap:
            raise ValueError(f"dates both holiday and workday: {sorted(overlap)}")
        table = operator_table or {}
        self._table_years = frozenset(int(y) for y in table)
        self._table_holidays = frozenset(date.fromisoformat(s) for y in table.values() for s in y.get("holidays", []))
        self._table_workdays = frozenset(date.fromisoformat(s) for y in table.values() for s in y.get("workdays", []))

    def is_working_day(self, d: date) -> bool:
        if isinstance(d, datetime):
            d = to_china(d).date()
        if d in self.holidays:
            return False
        if d in self.workdays:
            return True
        known = _package_is_workday(d)
        if known is not None:
            return known
        _warn_once(d.year, d.year in self._table_years)
        if d in self._table_holidays:
            return False
        if d in self._table_workdays:
            return True
        return d.weekday() < 5

    def knows(self, d: date) -> bool:
        """Whether ``d``'s answer comes from data -- the operator's tables, the package, or the
        operator table of its year -- rather than the Monday–Friday fallback."""
        if d in self.holidays or d in self.workdays or d.year in self._table_years:
            return True
        return _package_is_workday(d) is not None

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        d += timedelta(days=1)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def add_working_days(self, start: datetime, n: int, *, include_start: bool = True) -> datetime:
        """Deadline (end of day) for "within ``n`` working days" from ``start``.

        ``include_start``: the day of acceptance is the first of the ``n`` days when it is a working
        day (001 三(一)1(3) "3个工作日内（含受理当日）"). Otherwise counting starts the next working day,
        the general rule for periods (民法典 第二百零一条 "开始的当日不计入，自下一日开始计算"): a case
        accepted Wednesday 23:50 with one working day is due Thursday 23:59:59, not Wednesday.
        """
        if n < 1:
            raise ValueError("n must be >= 1")
        day = to_china(start).date()
        if not include_start or not self.is_working_day(day):
            day = self.next_working_day(day)
        for _ in range(n - 1):
            day = self.next_working_day(day)
        return datetime.combine(day, END_OF_DAY, tzinfo=SHANGHAI)

    def next_window_start(self, now: datetime, window: tuple[time, time] = DEFAULT_WINDOW) -> datetime:
        """``now`` if inside the window on a working day, else the next opening time."""
        opens, closes = window
        if not opens < closes:
            raise ValueError("window must open before it closes")
        local = to_china(now)
        day = local.date()
        if self.is_working_day(day):
            if opens <= local.time() < closes:
                return local
            if local.time() < opens:
                return datetime.combine(day, opens, tzinfo=SHANGHAI)
        return datetime.combine(self.next_working_day(day), opens, tzinfo=SHANGHAI)

    def in_window(self, now: datetime, window: tuple[time, time] = DEFAULT_WINDOW) -> bool:
        return self.next_window_start(now, window) == to_china(now)


_default = WorkingCalendar()


def default_calendar() -> WorkingCalendar:
    return _default


def is_working_day(d: date) -> bool:
    return _default.is_working_day(d)


def add_working_days(start: datetime, n: int, *, include_start: bool = True) -> datetime:
    return _default.add_working_days(start, n, include_start=include_start)


def next_window_start(now: datetime, window: tuple[time, time] = DEFAULT_WINDOW) -> datetime:
    return _default.next_window_start(now, window)


__all__ = [
    "DEFAULT_WINDOW",
    "BeyondCalendarDataWarning",
    "OperatorTable",
    "WorkingCalendar",
    "add_working_days",
    "default_calendar",
    "is_working_day",
    "next_window_start",
]
