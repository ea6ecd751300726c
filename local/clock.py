"""The local stack's settable clock (local only: nothing like it exists in a deployment).

Every "now" of the system goes through ``chalicelib.config.clock``; in a deployment nothing ever moves
it, so it is the real time. The local stack lets a person move it, to show every time rule through the
API and the pages: submit on a Saturday 22:00, on a public holiday (2026-10-03), at Wed 23:50, then watch
the working-hours window, deadlines and escalations.

- ``python -m local --clock 2026-10-03T22:00+08:00`` (or ``BIRTHREG_CLOCK=…``) starts the stack at that
  moment; time then runs on from there at its normal pace.
- ``GET /_dev/clock`` answers the stack's "now"; ``POST /_dev/clock`` with ``{"at": "<ISO time>"}`` sets it,
  ``{"advance_seconds": 3600}`` moves it on, ``{"reset": true}`` returns to the real time.

Workflow timers (Step Functions ``Wait`` states and task timeouts) run on moto's real clock, as they do
on AWS: the time a timer is *computed from* is the settable one, the waiting itself is not skipped. Move
the clock past a deadline and the next step that reads the time sees it; ``WORKFLOW_TIME_SCALE`` shortens
the waits themselves.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from chalicelib import config
from chalicelib.domain.tz import SHANGHAI


class ClockRequestInvalid(ValueError):
    """A ``/_dev/clock`` request the clock cannot follow; ``code`` and ``path`` name what is wrong."""

    def __init__(self, code: str, path: str, message: str) -> None:
        super().__init__(message)
        self.code, self.path, self.message = code, path, message


def parse_moment(text: str, *, path: str = "at") -> datetime:
    """An ISO 8601 time; without an offset it is China time (UTC+8), as people here read clocks."""
    if not isinstance(text, str) or not text.strip():
        raise ClockRequestInvalid("CLOCK_TIME_INVALID", path, "请提供 ISO 8601 时间，例如 2026-10-03T22:00:00+08:00")
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ClockRequestInvalid(
            "CLOCK_TIME_INVALID", path, "请提供 ISO 8601 时间，例如 2026-10-03T22:00:00+08:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment


def set_at(moment: datetime) -> None:
    config.clock.offset = timedelta(0)
    config.clock.offset = moment - config.clock.now()


def advance(seconds: float) -> None:
    config.clock.offset += timedelta(seconds=seconds)


def reset() -> None:
    config.clock.offset = timedelta(0)


def view() -> dict[str, Any]:
    now = config.now()
    return {"now": now.isoformat(timespec="seconds"), "offset_seconds": round(config.clock.offset.total_seconds())}


def handle(method: str, body: Any) -> dict[str, Any]:
    """The ``/_dev/clock`` route: GET answers the time; POST sets, advances or resets it."""
    if method == "GET":
        return view()
    if not isinstance(body, dict) or len(body) != 1:
        raise ClockRequestInvalid(
            "CLOCK_REQUEST_INVALID", "", '请求体须为 {"at": …}、{"advance_seconds": …} 或 {"reset": true} 之一'
        )
    (name, value), = body.items()
    if name == "at":
        set_at(parse_moment(value))
    elif name == "advance_seconds":
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or abs(value) > 10 * 366 * 86400:
            raise ClockRequestInvalid("CLOCK_ADVANCE_INVALID", "advance_seconds", "advance_seconds 须为不超过十年的秒数")
        advance(value)
    elif name == "reset" and value is True:
        reset()
    else:
        raise ClockRequestInvalid(
            "CLOCK_REQUEST_INVALID", name, '请求体须为 {"at": …}、{"advance_seconds": …} 或 {"reset": true} 之一'
        )
    return view()
