"""Limits on attempts at guessing a secret from one client: 办件查询 by query code and 证件核验 by
certificate number share one budget per client address (``QUERY_IP_LIMIT`` per
``QUERY_IP_WINDOW_SECONDS``), so switching from one form to the other buys no extra guesses."""

from __future__ import annotations

from chalicelib import config
from chalicelib.domain import errors
from chalicelib.store.repositories import codes


def take(limits: list) -> None:
    """Take one unit of every limit, all or nothing; 429 with the limit's name when one is spent."""
    try:
        codes.take(limits)
    except codes.LimitExceeded as exc:
        raise errors.TooManyRequests("查询过于频繁，请稍后再试", code=exc.name, retry_after=exc.retry_after) from None


def limit_client(client_ip: str | None) -> None:
    """One attempt of the client address's budget (no address, as in a direct invocation: no limit)."""
    if not client_ip:
        return
    take([
        codes.window("QUERY_IP_LIMIT", f"query-ip#{config.keyed_hash('ip', client_ip)}",
                     seconds=config.int_setting("QUERY_IP_WINDOW_SECONDS"),
                     limit=config.int_setting("QUERY_IP_LIMIT")),
    ])
