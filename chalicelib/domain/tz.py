"""The one time zone the rules speak in: Asia/Shanghai (UTC+8, no DST since 1991).

Defined once, here, as the fixed +08:00 offset: it gives the tz database's results for every
moment this system handles (cases, deadlines, tokens: all after 1991), needs no tz database on
the host (some slim Lambda images have none) and costs nothing at import. ``config.now()``,
the services and the certificate renderer all use this one.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo

SHANGHAI: tzinfo = timezone(timedelta(hours=8), "Asia/Shanghai")


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
