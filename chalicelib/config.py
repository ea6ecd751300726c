"""Settings and lazily created AWS clients: the one place the runtime reads its environment.

Every variable read here is declared once in ``infra/settings.py`` (settings) or
``infra/resources.py`` (resource names, secret ARNs, parameter names), and the stack gives each
unit exactly the ones it declares. Nothing has a default in code: the declared defaults reach
the code through the environment (the CDK stack, the local stack, the tests' conftest), so a
missing variable is an error naming it, never a silent fallback. Only in the stage ``local``
do resource names default to the local stack's.

Secrets arrive by ARN and are fetched once per container; operations data (holiday table,
verification window) lives in SSM parameters read with a short cache. Clients are created once
per process (Lambda container), on first use, with botocore only: the HTTP API never pays for
importing boto3.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import math
import os
import threading
import time as _time
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from datetime import date, datetime, timedelta

from chalicelib.domain.tz import SHANGHAI as CHINA_TZ  # the one definition (domain/tz.py)

LOCAL_STAGE = "local"
# Operations parameters are re-read at most this often: an operator's change applies within 5 minutes.
PARAMETER_CACHE_SECONDS = 300


class MissingSetting(RuntimeError):
    def __init__(self, name: str) -> None:
        super().__init__(f"environment variable {name} is not set (declared in infra/settings.py or infra/resources.py)")
        self.name = name


# The local stack runs every compute unit (each task function, the API) in one process, in
# threads at once; each sees its own deployed environment through this overlay, not os.environ.
_unit_environment: ContextVar[tuple[Mapping[str, str], frozenset[str]] | None] = ContextVar(
    "unit_environment", default=None
)


@contextlib.contextmanager
def unit_environment(env: Mapping[str, str], replaces: frozenset[str]) -> Iterator[None]:
    """Read settings from ``env`` for the duration (this thread/context only).

    Every name in ``replaces`` (the deployment's variables: resource names, ARNs) is read from
    ``env`` alone: absent there, it is unset, whatever ``os.environ`` or a default says -- as a
    Lambda function that the template does not give the variable. Other names (process-level:
    AWS_REGION, the endpoint, credentials) still come from ``os.environ``.
    """
    token = _unit_environment.set((dict(env), frozenset(replaces) | frozenset(env)))
    try:
        yield
    finally:
        _unit_environment.reset(token)


def _environ(name: str, default: str | None = None) -> str | None:
    overlay = _unit_environment.get()
    if overlay is not None and name in overlay[1]:
        # no default: a unit missing a deployed variable must fail here, as deployed
        return overlay[0].get(name)
    return os.environ.get(name, default)


def setting(name: str) -> str:
    value = _environ(name)
    if value is None:
        raise MissingSetting(name)
    return value


def optional_setting(name: str) -> str:
    """A declared setting without a default (registry URLs, retired key ids): empty when unset."""
    return (_environ(name) or "").strip()


def apply_profile_overrides() -> None:
    """Put the deployment's process settings per province (PROFILE_OVERRIDES: JSON, checked at synth;
    empty: the profiles as the code states them) in force for this request or invocation."""
    from chalicelib.domain import profiles

    profiles.use_overrides(optional_setting("PROFILE_OVERRIDES"))


def int_setting(name: str) -> int:
    """An integer setting (limits, lifetimes): read on every call, so tests and operators can change it."""
    return int(setting(name))


def stage() -> str:
    return setting("BIRTHREG_STAGE")


def is_local() -> bool:
    return stage() == LOCAL_STAGE


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def aws_endpoint_url() -> str:
    """``AWS_ENDPOINT_URL`` (botocore's own variable): the local stack's moto server, unset in AWS."""
    return os.environ.get("AWS_ENDPOINT_URL", "").strip().rstrip("/")


def _resource(env: str, suffix: str) -> str:
    """A resource name from the environment; in the local stage the local stack's name."""
    value = _environ(env)
    if value:
        return value
    if is_local() and _unit_environment.get() is None:  # a unit run as deployed has no fallback
        return f"birthreg-{LOCAL_STAGE}-{suffix}"
    raise MissingSetting(env)


def cases_table() -> str:
    return _resource("CASES_TABLE", "cases")


def tasks_table() -> str:
    return _resource("TASKS_TABLE", "tasks")


def registry_table() -> str:
    return _resource("REGISTRY_TABLE", "registry")


def certificates_table() -> str:
    return _resource("CERTIFICATES_TABLE", "certificates")


def births_table() -> str:
    return _resource("BIRTHS_TABLE", "births")


def documents_bucket() -> str:
    return _resource("DOCUMENTS_BUCKET", "documents")


def codes_table() -> str:
    return _resource("CODES_TABLE", "codes")


def idempotency_table() -> str:
    return _resource("IDEMPOTENCY_TABLE", "idempotency")


def outbox_table() -> str:
    return _resource("OUTBOX_TABLE", "outbox")


def audit_table() -> str:
    return _resource("AUDIT_TABLE", "audit")


def offices_table() -> str:
    return _resource("OFFICES_TABLE", "offices")


def uploads_bucket() -> str:
    return _resource("UPLOADS_BUCKET", "uploads")


def statistics_table() -> str:
    return _resource("STATISTICS_TABLE", "statistics")


def signing_key_id() -> str:
    return setting("SIGNING_KEY_ID")


def signing_key_ids() -> list[str]:
    """Every key whose certificate tokens are still accepted: the signing key first, then the older
    keys listed in SIGNING_KEY_IDS (comma-separated; set on rotation, issue 6)."""
    ids = [signing_key_id()]
    for item in optional_setting("SIGNING_KEY_IDS").split(","):
        if item.strip() and item.strip() not in ids:
            ids.append(item.strip())
    return ids


def staff_user_pool_id() -> str:
    return setting("STAFF_USER_POOL_ID")


def staff_user_pool_client_id() -> str:
    return setting("STAFF_USER_POOL_CLIENT_ID")


def registration_state_machine_arn() -> str:
    return setting("REGISTRATION_STATE_MACHINE_ARN")


def birth_certificate_state_machine_arn() -> str:
    return setting("BIRTH_CERTIFICATE_STATE_MACHINE_ARN")
def waiting_state_machine_arn() -> str:
    return setting("WAITING_STATE_MACHINE_ARN")


def staff_topic_arn() -> str:
    return setting("STAFF_TOPIC_ARN")


def events_topic_arn() -> str:
    return setting("EVENTS_TOPIC_ARN")


def alerts_topic_arn() -> str:
    """Operator alerts: a case needs attention (a workflow task failed after its retries)."""
    return setting("ALERTS_TOPIC_ARN")


def registry_endpoint(env_name: str) -> str | None:
    """Base URL of an external registry's HTTP API (``PUBLIC_SECURITY_URL``, ``CIVIL_AFFAIRS_URL``,
    ``POPULATION_REGISTRY_URL``); unset or empty: the reference implementation over the Registry table."""
    return optional_setting(env_name).rstrip("/") or None


def workflow_seconds(seconds: float) -> int:
    """Real seconds a workflow timer (Wait, task timeout) lasts for ``seconds`` of modelled time.

    ``WORKFLOW_TIME_SCALE`` (1 when deployed) shrinks every timer of the registration workflow at
    once: the working-hours wait, the proof-documents deadline and the review SLAs. Step Functions
    timers run in real time (also in moto), so tests and demos set e.g. 0.001. Read on every call.
    """
    scaled = max(seconds, 0) * float(setting("WORKFLOW_TIME_SCALE"))
    return max(1, math.ceil(scaled))


def public_base_url() -> str:
    """Where citizens, staff and verifiers reach the web front end (QR codes, task links, SMS texts)."""
    return setting("PUBLIC_BASE_URL").rstrip("/")


def presign_seconds() -> int:
    # Issue 2/6: certificate links live at most 5 minutes.
    return min(int_setting("PRESIGN_SECONDS"), 300)


# ---------------------------------------------------------------------------
# Secrets (Secrets Manager, by ARN) and operations parameters (SSM)
# ---------------------------------------------------------------------------
@functools.cache
def _secret_string(arn: str) -> str:
    # Once per container: a rotated value reaches the functions as their containers are replaced
    # (infra/README.md "Secrets").
    return client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]


def secret(env: str) -> str:
    """The value of the secret whose ARN is in ``env`` (a ``resources.Secret``'s variable)."""
    return _secret_string(setting(env))


def secret_field(env: str, field: str) -> str:
    """One field of a JSON secret; an empty field (the stack's placeholder) is an error naming it."""
    value = str(json.loads(secret(env)).get(field) or "")
    if not value:
        raise RuntimeError(f"secret {setting(env)} has no {field!r}: fill it in (infra/README.md, Secrets)")
    return value


def secret_key() -> bytes:
    """Key of the citizen tokens, the keyed hashes and the idempotency seal: the TokenKey secret.

    Always read from Secrets Manager by its ARN (the local stack creates it in moto with a random
    value): there is no key in the code or the environment, so a forgotten secret cannot
    silently weaken every token and stored hash.
    """
    value = secret("BIRTHREG_SECRET_ARN")  # fetched once per container and ARN (_secret_string)
    if len(value) < 32:
        raise RuntimeError("the TokenKey secret is shorter than 32 characters")
    return value.encode()


def keyed_hash(purpose: str, value: str) -> str:
    return hmac.new(secret_key(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def derived_key(purpose: str) -> bytes:
    """A 256-bit key for one use of ``secret_key`` (the citizen tokens, the seal), derived with
    HKDF-SHA256: a key of one use never signs or opens what another use made."""
    return _derive(secret_key(), purpose)


@functools.lru_cache(maxsize=16)
def _derive(secret: bytes, purpose: str) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"birthreg:{purpose}".encode()).derive(secret)


_parameters: dict[str, tuple[float, str]] = {}
_parameters_lock = threading.Lock()


def parameter(env: str) -> str:
    """The value of the SSM parameter named in ``env`` (a ``resources.Parameter``'s variable),
    re-read at most every ``PARAMETER_CACHE_SECONDS``."""
    name = setting(env)
    with _parameters_lock:
        cached = _parameters.get(name)
    if cached and _time.monotonic() - cached[0] < PARAMETER_CACHE_SECONDS:
        return cached[1]
    value = client("ssm").get_parameter(Name=name)["Parameter"]["Value"]
    with _parameters_lock:
        _parameters[name] = (_time.monotonic(), value)
    return value


def forget_parameters() -> None:
    """Read every parameter again on next use (tests, the local stack after changing one)."""
    with _parameters_lock:
        _parameters.clear()


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
def botocore_session():
    """The process's one botocore session (clients here and PynamoDB's connection share it)."""
    import botocore.session

    return botocore.session.get_session()


@functools.cache
def client(service: str):
    from botocore.config import Config

    return botocore_session().create_client(
        service,
        region_name=region(),
        config=Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10),
    )


def reset_clients() -> None:
    """Forget cached clients, secrets and parameters (the local stack calls this after it moves
    the endpoint)."""
    client.cache_clear()
    botocore_session.cache_clear()
    _secret_string.cache_clear()
    forget_parameters()
