"""Settings and lazily created AWS clients: the one place the runtime reads its environment.

Resource names arrive as environment variables named in ``infra/resources.py``; the
defaults are the local stack's names (stage ``local``) so a developer machine needs no
configuration. Clients are created once per process (Lambda container), on first use,
with botocore only: the HTTP API never pays for importing boto3.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
import os
from datetime import date, datetime, time, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), name="Asia/Shanghai")
LOCAL_STAGE = "local"


def _default_name(suffix: str) -> str:
    return f"birthreg-{LOCAL_STAGE}-{suffix}"


def setting(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise RuntimeError(f"environment variable {name} is not set")
    return value


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def cases_table() -> str:
    return setting("CASES_TABLE", _default_name("cases"))


def tasks_table() -> str:
    return setting("TASKS_TABLE", _default_name("tasks"))


def registry_table() -> str:
    return setting("REGISTRY_TABLE", _default_name("registry"))


def certificates_table() -> str:
    return setting("CERTIFICATES_TABLE", _default_name("certificates"))


def documents_bucket() -> str:
    return setting("DOCUMENTS_BUCKET", _default_name("documents"))


def codes_table() -> str:
    return setting("CODES_TABLE", _default_name("codes"))


def idempotency_table() -> str:
    return setting("IDEMPOTENCY_TABLE", _default_name("idempotency"))


def outbox_table() -> str:
    return setting("OUTBOX_TABLE", _default_name("outbox"))


def audit_table() -> str:
    return setting("AUDIT_TABLE", _default_name("audit"))


def uploads_bucket() -> str:
    return setting("UPLOADS_BUCKET", _default_name("uploads"))


def signing_key_id() -> str:
    return setting("SIGNING_KEY_ID")


def signing_key_ids() -> list[str]:
    """Every key whose certificate tokens are still accepted: the signing key first, then the older
    keys listed in SIGNING_KEY_IDS (comma-separated; set on rotation, issue 6)."""
    ids = [signing_key_id()]
    for item in setting("SIGNING_KEY_IDS", "").split(","):
        if item.strip() and item.strip() not in ids:
            ids.append(item.strip())
    return ids


def staff_user_pool_id() -> str:
    return setting("STAFF_USER_POOL_ID")


def staff_user_pool_client_id() -> str:
    return setting("STAFF_USER_POOL_CLIENT_ID")


def registration_state_machine_arn() -> str:
    return setting("REGISTRATION_STATE_MACHINE_ARN")


def staff_topic_arn() -> str:
    return setting("STAFF_TOPIC_ARN")


def events_topic_arn() -> str:
    return setting("EVENTS_TOPIC_ARN")


def alerts_topic_arn() -> str:
    """Operator alerts: a case needs attention (a workflow task failed after its retries)."""
    return setting("ALERTS_TOPIC_ARN")


def statistics_table() -> str:
    return setting("STATISTICS_TABLE", _default_name("statistics"))


def registry_endpoint(env_name: str) -> str | None:
    """Base URL of an external registry's HTTP API (``PUBLIC_SECURITY_URL``, ``CIVIL_AFFAIRS_URL``,
    ``POPULATION_REGISTRY_URL``); unset or empty: the reference implementation over the Registry table."""
    value = os.environ.get(env_name, "").strip()
    return value.rstrip("/") or None


def workflow_seconds(seconds: float) -> int:
    """Real seconds a workflow timer (Wait, task timeout) lasts for ``seconds`` of modelled time.

    ``WORKFLOW_TIME_SCALE`` (default 1) shrinks every timer of the registration workflow at once:
    the working-hours wait, the proof-documents deadline and the review SLAs. Step Functions
    timers run in real time (also in moto), so tests and demos set e.g. 0.001. Read on every call.
    """
    scaled = max(seconds, 0) * float(setting("WORKFLOW_TIME_SCALE", "1"))
    return max(1, math.ceil(scaled))


def verification_window() -> tuple[time, time] | None:
    """``VERIFICATION_WINDOW`` "HH:MM-HH:MM" (default 09:00-17:30, on working days): when the
    public-security check is open (000 §2.3.5 注 "公安校验只在正常工作时间范围内开放"); "24:00" is the
    end of the day; "always": no window (the local stack's default, so a demo never waits).
    """
    value = setting("VERIFICATION_WINDOW", "09:00-17:30").strip()
    if value == "always":
        return None
    opens, _, closes = value.partition("-")

    def parse(text: str) -> time:
        return time.max if text.strip() == "24:00" else time.fromisoformat(text.strip())

    return parse(opens), parse(closes)


def public_base_url() -> str:
    """Where citizens, staff and verifiers reach the web front end (QR codes, task links)."""
    return setting("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


def int_setting(name: str, default: int) -> int:
    """An integer setting (limits, lifetimes): read on every call, so tests and operators can change it."""
    return int(setting(name, str(default)))


def presign_seconds() -> int:
    # Issue 2/6: certificate links live at most 5 minutes.
    return min(int(setting("PRESIGN_SECONDS", "300")), 300)


@functools.cache
def secret_key() -> bytes:
    """Key for the keyed hashes of query codes and phone numbers.

    In AWS it is injected from the stack's secret; the local stack generates one per run.
    Refuses to run without one outside the local stage, so a forgotten secret cannot
    silently weaken every stored hash.
    """
    value = os.environ.get("BIRTHREG_SECRET")
    if not value:
        if os.environ.get("BIRTHREG_STAGE", LOCAL_STAGE) != LOCAL_STAGE:
            raise RuntimeError("BIRTHREG_SECRET must be set outside the local stage")
        value = "local-development-secret"
    return value.encode()


def keyed_hash(purpose: str, value: str) -> str:
    return hmac.new(secret_key(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


# ---------------------------------------------------------------------------
# Clock: every "now" goes through here so tests and the local stack can move time.
# ---------------------------------------------------------------------------
class Clock:
    # Tests and the local stack move time forward (expiry, rate-limit windows) instead of sleeping.
    offset: timedelta = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(CHINA_TZ) + self.offset

    def today(self) -> date:
        return self.now().date()


clock = Clock()


def now() -> datetime:
    return clock.now()


def today() -> date:
    return clock.today()


# ---------------------------------------------------------------------------
# AWS clients (botocore, created once per process; AWS_ENDPOINT_URL points them at the
# local stack when it is set).
# ---------------------------------------------------------------------------
@functools.cache
def _session():
    import botocore.session

    return botocore.session.get_session()


@functools.cache
def client(service: str):
    from botocore.config import Config

    return _session().create_client(
        service,
        region_name=region(),
        config=Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10),
    )


def reset_clients() -> None:
    """Forget cached clients (the local stack calls this after it moves the endpoint)."""
    client.cache_clear()
    _session.cache_clear()
