"""The Codes table: SMS verification codes, captcha answers and rate-limit counters.

Every item carries ``expires_at`` (epoch seconds, the table's TTL attribute). DynamoDB
deletes expired items only eventually (up to days later), so every read here compares
``expires_at`` with ``config.now()`` itself; the TTL only keeps the table small.

Items (``pk``):

- ``OTP#<purpose>#<phone key>`` — the current SMS code of one phone for one purpose:
  ``secret_hash`` (keyed hash of the code), ``attempts``, ``used``. A new code replaces it.
- ``CAPTCHA#<id>`` — a captcha answer's keyed hash; consumed by its first check.
- ``RATE#<limit>#<subject key>[#<window>]`` — rate-limit state (``count`` or an interval).
- ``SENDS#<subject key>`` — the codes sent to one phone for one purpose (``Sends``): the day
  counted (``day``), how many that day (``count``), whether the day's send without a captcha was
  taken (``free``) and when the next send may go (``next_at``). One item for the three limits of
  a send, so a code request writes two items (this and the client address's window), not four.
- ``SUBMIT#<couple key>#<child order>`` — a short lock: one submission at a time for the
  same couple and child, so two concurrent submits cannot both pass the duplicate check.

Secrets are never stored in clear, and every state change is one conditional or atomic
write (no read-modify-write): two concurrent requests cannot both pass a limit or both
use a code.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactWrite

from chalicelib import config
from chalicelib.store import table_meta
from chalicelib.store.conditions import applied, transacted
from chalicelib.store.connection import Model, shared

# The repository interface (store/repositories.py): what reads or writes the table; the fake in
# store/memory.py implements exactly these, with the same signatures.
OPERATIONS = ("take", "give_back", "count", "claim", "put_secret", "use_secret", "consume_secret", "release")


class CodeItem(Model):
    class Meta(table_meta(config.codes_table)):
        region = config.region()

    pk = UnicodeAttribute(hash_key=True)
    expires_at = NumberAttribute()
    secret_hash = UnicodeAttribute(null=True)
    attempts = NumberAttribute(null=True)
    used = BooleanAttribute(null=True)
    count = NumberAttribute(null=True)
    day = UnicodeAttribute(null=True)
    next_at = NumberAttribute(null=True)
    free = NumberAttribute(null=True)


def _now() -> int:
    return int(config.now().timestamp())


# ---------------------------------------------------------------------------
# Rate limits
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Limit:
    """One limit to take a unit from.

    ``interval`` limits allow one event per ``seconds`` (the window starts at the event);
    ``window`` limits allow ``limit`` events per fixed window ending at ``resets_at``
    (its index is part of ``pk``).
    """

    name: str
    pk: str
    kind: str  # "interval" | "window"
    seconds: int = 0
    limit: int = 1
    resets_at: int = 0


@dataclass(frozen=True)
class LimitExceeded(Exception):
    name: str
    retry_after: int


def window(name: str, key: str, *, seconds: int, limit: int) -> Limit:
    """A limit of ``limit`` events per fixed window of ``seconds`` for ``key`` (``RATE#<key>#<index>``)."""
    index = _now() // seconds
    return Limit(name, f"RATE#{key}#{index}", "window", limit=limit, resets_at=(index + 1) * seconds)


@dataclass(frozen=True)
class Sends:
    """The sends to one subject (a phone, for one purpose) as one item (``SENDS#<key>``): one per
    ``gap`` seconds (refused as ``gap_name``), at most ``per_day`` on the local date ``day`` (which
    ends at ``day_ends_at``; ``day_name``), and, for a ``free`` send (no captcha was solved), only
    the first such send of the day (``free_name``). The gap holds across midnight: the item is the
    subject's, the day one of its attributes.
    """

    key: str
    day: str
    day_ends_at: int
    per_day: int
    gap: int
    free: bool
    gap_name: str
    day_name: str
    free_name: str

    @property
    def pk(self) -> str:
        return f"SENDS#{self.key}"

    def refusal(self, item: CodeItem | None, now: int) -> LimitExceeded | None:
        """Why ``item`` refuses one more send now; None if it does not."""
        if item is None:
            return None
        if int(item.next_at or 0) > now:
            return LimitExceeded(self.gap_name, int(item.next_at) - now)
        if item.day == self.day and int(item.count or 0) >= self.per_day:
            return LimitExceeded(self.day_name, max(1, self.day_ends_at - now))
        if item.day == self.day and self.free and item.free:
            return LimitExceeded(self.free_name, max(1, self.day_ends_at - now))
        return None


def _add_send(tx: TransactWrite, sends: Sends, seen: CodeItem | None, now: int) -> None:
    """One send, written on the condition that the item is still as ``seen`` in what matters:
    the same day (one more on its count) or another day or none (the count starts again)."""
    M = CodeItem
    actions = [M.next_at.set(now + sends.gap), M.expires_at.set(max(sends.day_ends_at, now + sends.gap))]
    if seen is not None and seen.day == sends.day:
        condition = (M.day == sends.day) & (M.count < sends.per_day) & (M.next_at <= now)
        if sends.free:
            condition &= M.free.does_not_exist()
        actions.append(M.count.add(1))
    else:
        condition = M.pk.does_not_exist() | ((M.day != sends.day) & (M.next_at <= now))
        actions += [M.day.set(sends.day), M.count.set(1)]
        if not sends.free:
            actions.append(M.free.remove())
    if sends.free:
        actions.append(M.free.set(1))
    tx.update(M(sends.pk), actions=actions, condition=condition)


def _load(pk: str) -> CodeItem | None:
    try:
        return CodeItem.get(pk, consistent_read=True)
    except DoesNotExist:
        return None


def take(limits: list[Limit | Sends]) -> None:
    """Take one unit from every limit, all or nothing (one DynamoDB transaction).

    Raises ``LimitExceeded`` for the first limit that refused (nothing is counted then). A
    ``Sends`` item is read first (its write depends on the day it holds); if another send
    changed it in between, the transaction is tried again with the item as it is now.
    """
    for _ in range(3):
        now = _now()
        seen = {lim.pk: _load(lim.pk) for lim in limits if isinstance(lim, Sends)}

        def write(now: int = now, seen: dict[str, CodeItem | None] = seen) -> None:
            with TransactWrite(connection=shared()) as tx:
                for lim in limits:
                    if isinstance(lim, Sends):
                        _add_send(tx, lim, seen[lim.pk], now)
                        continue
                    item = CodeItem(lim.pk)
                    if lim.kind == "interval":
                        tx.update(
                            item,
                            actions=[CodeItem.expires_at.set(now + lim.seconds)],
                            condition=CodeItem.pk.does_not_exist() | (CodeItem.expires_at <= now),
                        )
                    else:
                        tx.update(
                            item,
                            actions=[CodeItem.count.add(1), CodeItem.expires_at.set(lim.resets_at)],
                            condition=CodeItem.pk.does_not_exist() | (CodeItem.count < lim.limit),
                        )

        failed = transacted(write)
        if failed is None:
            return
        lim = next(lim for lim, f in zip(limits, failed, strict=False) if f)
        if not isinstance(lim, Sends):
            raise LimitExceeded(lim.name, _retry_after(lim, now))
        refusal = lim.refusal(_load(lim.pk), _now())
        if refusal is not None:
            raise refusal
    # three sends raced for one subject and this one lost every time: it is too frequent
    raise LimitExceeded(next(lim for lim in limits if isinstance(lim, Sends)).gap_name, 1)


def _retry_after(lim: Limit, now: int) -> int:
    if lim.kind == "window":
        return max(1, lim.resets_at - now)
    try:
        item = CodeItem.get(lim.pk, consistent_read=True)
    except DoesNotExist:
        return 1
    return max(1, int(item.expires_at) - now)


def give_back(lim: Limit) -> None:
    """Return the unit a window limit gave for an attempt that did not count (one atomic ADD -1).

    Taking before evaluating and giving back afterwards is what makes a failure limit exact
    under concurrency: 20 simultaneous attempts against a limit of 5 take 5 units, so exactly 5
    are evaluated, however many fail.
    """
    applied(lambda: CodeItem(lim.pk).update(actions=[CodeItem.count.add(-1)], condition=CodeItem.count > 0))


def count(pk: str) -> int:
    """Current count of a window limit (0 if none); for diagnostics and tests."""
    try:
        return int(CodeItem.get(pk, consistent_read=True).count or 0)
    except DoesNotExist:
        return 0


# ---------------------------------------------------------------------------
# One-time secrets (SMS codes, captcha answers)
# ---------------------------------------------------------------------------
def claim(pk: str, *, seconds: int) -> bool:
    """Take a lock that expires by itself; False if someone else holds it."""
    now = _now()
    return applied(
        lambda: CodeItem(pk, expires_at=now + seconds).save(
            condition=CodeItem.pk.does_not_exist() | (CodeItem.expires_at < now)
        )
    )


class SecretRejected(Exception):
    """A code or answer cannot be used. ``reason``: missing | expired | used | locked | mismatch."""

    def __init__(self, reason: str, attempts_left: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts_left = attempts_left


def put_secret(pk: str, secret_hash: str, *, ttl_seconds: int) -> None:
    """Store a new secret, replacing (and so invalidating) the previous one under ``pk``."""
    CodeItem(pk, expires_at=_now() + ttl_seconds, secret_hash=secret_hash, attempts=0, used=False).save()


def use_secret(pk: str, secret_hash: str, *, max_attempts: int) -> None:
    """Use a stored secret once if ``secret_hash`` matches; count a wrong guess otherwise.

    The matching write sets ``used`` on the condition that the hash matches, the item is
    unused, unexpired and below ``max_attempts`` — so a replay or a concurrent second use
    fails. A wrong guess adds one attempt under the same conditions; the last allowed
    wrong guess locks the secret.
    """
    import hmac

    now = _now()
    try:
        item = CodeItem.get(pk, consistent_read=True)
    except DoesNotExist:
        raise SecretRejected("missing") from None
    usable = (CodeItem.used == False) & (CodeItem.expires_at > now) & (CodeItem.attempts < max_attempts)  # noqa: E712
    if hmac.compare_digest(item.secret_hash or "", secret_hash):
        if applied(lambda: item.update(actions=[CodeItem.used.set(True)], condition=usable & (CodeItem.secret_hash == secret_hash))):
            return
        raise _why_unusable(pk, max_attempts, now)
    if not applied(lambda: item.update(actions=[CodeItem.attempts.add(1)], condition=usable)):
        raise _why_unusable(pk, max_attempts, now)
    left = max_attempts - int(item.attempts)
    raise SecretRejected("locked" if left <= 0 else "mismatch", attempts_left=max(left, 0))


def consume_secret(pk: str, secret_hash: str) -> None:
    """Single-use check (captcha): the first check consumes the secret, right or wrong."""
    import hmac

    now = _now()
    item = CodeItem(pk)
    unused = CodeItem.pk.exists() & (CodeItem.used == False) & (CodeItem.expires_at > now)  # noqa: E712
    if not applied(lambda: item.update(actions=[CodeItem.used.set(True)], condition=unused)):
        raise _why_unusable(pk, None, now)
    if not hmac.compare_digest(item.secret_hash or "", secret_hash):
        raise SecretRejected("mismatch")


def _why_unusable(pk: str, max_attempts: int | None, now: int) -> SecretRejected:
    try:
        item = CodeItem.get(pk, consistent_read=True)
    except DoesNotExist:
        return SecretRejected("missing")
    if item.used:
        return SecretRejected("used")
    if max_attempts is not None and int(item.attempts or 0) >= max_attempts:
        return SecretRejected("locked")
    if int(item.expires_at) <= now:
        return SecretRejected("expired")
    return SecretRejected("mismatch")


def release(pk: str) -> None:
    """Give up a lock taken with ``claim`` (the work it guarded failed before writing anything)."""
    CodeItem(pk).delete()
