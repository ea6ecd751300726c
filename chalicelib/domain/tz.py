"""The one time zone the rules speak in: Asia/Shanghai (UTC+8, no DST since 1991).

Falls back to a fixed +08:00 offset when the host has no tz database (some slim
Lambda images), which gives identical results for every date this system handles.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo

try:
    from zoneinfo import ZoneInfo

    SHANGHAI: tzinfo = ZoneInfo("Asia/Shanghai")
except Exception:  # pragma: no cover - depends on the host's tz database
    SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


def now() -> datetime:
    return datetime.now(SHANGHAI)


def today() -> date:
    """Today's date in China (use this, not ``date.today()``, which is the host's zone)."""
    return now().date()


def to_china(dt: datetime) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")
    return dt.astimezone(SHANGHAI)


__all__ = ["SHANGHAI", "now", "to_china", "today"]
