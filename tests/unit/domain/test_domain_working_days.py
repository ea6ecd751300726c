"""Working days (State Council arrangement via chinese-calendar + operator tables) and the verification window."""

import warnings
from datetime import UTC, date, datetime, time, timedelta

import pytest

from chalicelib.domain import working_days
from chalicelib.domain.tz import SHANGHAI
from chalicelib.domain.working_days import BeyondCalendarDataWarning, WorkingCalendar


@pytest.fixture(autouse=True)
def _fresh_warnings():
    working_days._reset_warnings_for_tests()
    yield
    working_days._reset_warnings_for_tests()


def cst(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def eod(y, m, d):
    return datetime(y, m, d, 23, 59, 59, tzinfo=SHANGHAI)


# 2026 arrangement: 国庆节 10月1日至7日放假，9月20日（周日）、10月10日（周六）上班; 中秋节 9月25日–27日.
@pytest.mark.parametrize(
    ("d", "working"),
    [
        (date(2026, 9, 30), True),
        *[(date(2026, 10, day), False) for day in range(1, 8)],  # golden week
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # adjusted Saturday workday
        (date(2026, 9, 20), True),  # adjusted Sunday workday
        (date(2026, 9, 25), False),  # 中秋节 (Friday)
        (date(2026, 10, 11), False),  # ordinary Sunday
        (date(2026, 5, 9), True),  # adjusted Saturday workday after Labour Day
    ],
)
def test_is_working_day_2026(d, working):
    assert working_days.is_working_day(d) is working


# 001 三(一)1(3) "乡级计生行政主管部门须在3个工作日内（含受理当日）…核实准备生育登记的夫妇婚育情况"
DEADLINES = [
    # (accepted at, n, deadline)
    (cst(2026, 9, 30, 16), 3, eod(2026, 10, 9)),  # Wed counts as day 1, golden week skipped: 30, 8, 9
    (cst(2026, 9, 30, 23, 30), 1, eod(2026, 9, 30)),  # late in the day still counts as day 1
    (cst(2026, 10, 1, 9), 1, eod(2026, 10, 8)),  # accepted on a holiday: day 1 is the next working day
    (cst(2026, 10, 9), 2, eod(2026, 10, 10)),  # adjusted Saturday workday counts
    (cst(2026, 5, 8), 1, eod(2026, 5, 8)),  # "1个工作日（含受理当日）" on a Friday: that Friday
    (datetime(2026, 9, 30, 17, 0, tzinfo=UTC), 1, eod(2026, 10, 8)),  # = Oct 1 01:00 in China
]


@pytest.mark.parametrize(("start", "n", "deadline"), DEADLINES)
def test_add_working_days(start, n, deadline):
    got = working_days.add_working_days(start, n)
    assert got == deadline
    assert got.utcoffset() == timedelta(hours=8)


# Without 含受理当日 the count starts the next day (民法典 第二百零一条): 001 三(一)1(2) 初审 "1个工作日内".
DEADLINES_FROM_NEXT_DAY = [
    (cst(2026, 11, 25, 23, 50), 1, eod(2026, 11, 26)),  # Wed 23:50 → due Thu, not Wed 23:59
    (cst(2026, 11, 25, 9), 1, eod(2026, 11, 26)),  # also early on Wednesday
    (cst(2026, 11, 27, 16), 1, eod(2026, 11, 30)),  # Friday → Monday
    (cst(2026, 11, 28, 22), 1, eod(2026, 11, 30)),  # Saturday 22:00 → Monday (as with the day included)
    (cst(2026, 9, 30, 16), 3, eod(2026, 10, 10)),  # Wed before golden week: 8, 9, adjusted Sat 10
    (cst(2026, 11, 25, 10), 5, eod(2026, 12, 2)),  # Sichuan's operator default of 5: Thu–Wed
]


@pytest.mark.parametrize(("start", "n", "deadline"), DEADLINES_FROM_NEXT_DAY)
def test_add_working_days_from_the_next_day(start, n, deadline):
    assert working_days.add_working_days(start, n, include_start=False) == deadline


def test_only_stages_whose_seed_says_so_count_the_arrival_day():
    from chalicelib.domain.profiles import PROFILES

    counting = {(p.code, s.code) for p in PROFILES.values() for s in p.review_stages if s.counts_arrival_day}
    assert counting == {("guizhou", "registration")}  # 001 三(一)1(3) "3个工作日内（含受理当日）"


def test_add_working_days_rejects_bad_input():
    with pytest.raises(ValueError):
        working_days.add_working_days(cst(2026, 5, 6), 0)
    with pytest.raises(ValueError):
        working_days.add_working_days(datetime(2026, 5, 6, 10), 1)  # naive


def test_december_2026_deadline_reaching_into_2027_warns_and_does_not_raise():
    cal = WorkingCalendar(operator_table={})  # 2027 unknown to chinese-calendar 1.11.0 and to the operator
    with pytest.warns(BeyondCalendarDataWarning, match="2027"):
        got = cal.add_working_days(cst(2026, 12, 30), 5)
    # Dec 30 (Wed), Dec 31 (Thu), then 2027 on weekends only: Jan 1 (Fri), Jan 4, Jan 5
    assert got == eod(2027, 1, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # warned once per year per process: no second warning
        assert cal.is_working_day(date(2027, 1, 6))


def test_operator_table_fills_2027():
    table = {2027: {"holidays": ["2027-01-01"], "workdays": ["2027-01-09"]}}
    cal = WorkingCalendar(operator_table=table)
    with pytest.warns(BeyondCalendarDataWarning):
        assert cal.add_working_days(cst(2026, 12, 30), 5) == eod(2027, 1, 6)
    assert cal.is_working_day(date(2027, 1, 9))  # a Saturday made a workday by the table


def test_operator_extra_holidays_and_workdays_override():
    cal = WorkingCalendar(holidays=[date(2026, 5, 6)], workdays=[date(2026, 5, 10)])
    assert not cal.is_working_day(date(2026, 5, 6))
    assert cal.is_working_day(date(2026, 5, 10))  # a Sunday
    with pytest.raises(ValueError):
        WorkingCalendar(holidays=[date(2026, 5, 6)], workdays=[date(2026, 5, 6)])


# 000 §2.3.5 注 "公安校验只在正常工作时间范围内开放，其余时间均不能通过校验。"
WINDOW = [
    (cst(2026, 5, 6, 10), cst(2026, 5, 6, 10)),  # inside: now
    (cst(2026, 5, 6, 8, 59), cst(2026, 5, 6, 9)),  # before opening: today 09:00
    (cst(2026, 5, 6, 17, 30), cst(2026, 5, 7, 9)),  # closing time is outside
    (cst(2026, 9, 30, 18), cst(2026, 10, 8, 9)),  # evening before golden week
    (cst(2026, 10, 10, 7), cst(2026, 10, 10, 9)),  # adjusted Saturday workday opens
    (cst(2026, 10, 11, 12), cst(2026, 10, 12, 9)),  # Sunday
    (datetime(2026, 5, 6, 2, 0, tzinfo=UTC), cst(2026, 5, 6, 10)),  # UTC input, 10:00 in China
]


@pytest.mark.parametrize(("now", "expected"), WINDOW)
def test_next_window_start(now, expected):
    got = working_days.next_window_start(now)
    assert got == expected
    assert got.utcoffset() == timedelta(hours=8)


def test_custom_window_and_in_window():
    cal = working_days.default_calendar()
    assert cal.next_window_start(cst(2026, 5, 6, 8, 30), (time(8, 0), time(12, 0))) == cst(2026, 5, 6, 8, 30)
    assert cal.in_window(cst(2026, 5, 6, 10))
    assert not cal.in_window(cst(2026, 10, 3, 10))
    with pytest.raises(ValueError):
        cal.next_window_start(cst(2026, 5, 6), (time(17, 0), time(9, 0)))
    with pytest.raises(ValueError):
        cal.next_window_start(datetime(2026, 5, 6, 10), working_days.DEFAULT_WINDOW)
