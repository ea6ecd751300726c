"""The one declaration of every runtime setting (environment variable) of the system.

Resource names (tables, buckets, topics, secrets, parameters ...) stay derived from each unit's
grants (``resources.environment_for``); everything else a unit reads from its environment is a
``Setting`` here. The CDK stack (``infra/stack.py``), the local stack (``local/deploy.py``,
``local/stack.py``) and the tests all build a unit's environment with ``environment_of``, and
``chalicelib/config.py`` reads nothing that is not declared (tests/unit/test_settings.py).

Values come from, in order: the deployment's context (``-c NAME=value`` for ``cdk synth``; the
process environment for the local stack), the stage-``local`` value, the default of every stage.
A secret is never a setting: it is a ``resources.Secret`` whose ARN a unit gets with its grant.

Pure Python, like ``resources.py``: no boto3, no aws_cdk.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from infra import resources as r

LOCAL_STAGE = "local"
API = "api"  # the HTTP API (Chalice app.py); the task functions are named by their Function.id


class InvalidSetting(ValueError):
    """A setting's value the units would refuse (the deploy stops at synth)."""

    def __init__(self, name: str, unit: str, stage: str, problem: str) -> None:
        super().__init__(f"setting {name} of stage {stage!r} (unit {unit}) is refused: {problem} (declared in infra/settings.py)")
        self.name = name


class MissingSetting(ValueError):
    """A required setting has no value for a non-local stage (the deploy stops at synth)."""

    def __init__(self, name: str, unit: str, stage: str, hint: str = "") -> None:
        super().__init__(
            f"setting {name} is required for stage {stage!r} (unit {unit}) and has no value: "
            f"pass it with `-c {name}=...`{' ' + hint if hint else ''} (declared in infra/settings.py)"
        )
        self.name = name


@dataclass(frozen=True)
class Setting:
    name: str
    units: tuple[str, ...]
    doc: str
    default: str | None = None  # every stage, unless the context gives a value
    local: str | None = None  # stage "local" only; never reaches a deployed template
    required: bool = False  # outside the local stage: no value -> the synth fails naming it
    # (setting, value): only delivered (and only required) when that setting has that value
    only_if: tuple[str, str] | None = None
    hint: str = ""  # how an operator gives it, for the error message
    # refuses a value the units would refuse at run time (raises ValueError): the synth stops
    check: Callable[[str], object] | None = None

    def value(self, stage: str, context: Mapping[str, str]) -> str | None:
        if self.name in context:
            return context[self.name]
        if stage == LOCAL_STAGE and self.local is not None:
            return self.local
        return self.default


_FUNCTIONS = {f.id for f in r.FUNCTIONS}
ALL_UNITS: tuple[str, ...] = (API, *(f.id for f in r.FUNCTIONS))
# who sends SMS (adapters/sms.py) and who computes workflow timers (config.workflow_seconds)
_SMS = (API, r.VERIFY_RECORDS.id, r.REQUEST_PROOFS.id, r.PROOFS_OVERDUE.id, r.NOTIFY.id, r.DISPATCH_OUTBOX.id, r.ISSUE_BIRTH_CERTIFICATE.id)
_TIMERS = (API, r.VERIFY_RECORDS.id, r.ESCALATE_REVIEW.id, r.CHECK_UPLOAD.id)
# who commits side effects to the outbox and delivers them (services/shared/outbox.py)
_OUTBOX = (API, r.VERIFY_RECORDS.id, r.NOTIFY.id, r.DISPATCH_OUTBOX.id, r.ISSUE_BIRTH_CERTIFICATE.id)
# who delivers registrations to 渝快办 / PIS (adapters/sharing.py): Notify at once, the sweeper on retry
_SHARING = (r.NOTIFY.id, r.DISPATCH_OUTBOX.id)
_REGISTRY_CALLERS = (API, r.VERIFY_RECORDS.id, r.UPDATE_REGISTRY.id)

def _profile_overrides(value: str) -> object:
    from chalicelib.domain.profiles import parse_overrides  # pure Python, like this module

    return parse_overrides(value)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "BIRTHREG_STAGE",
        ALL_UNITS,
        "deployment stage, set by the stack; the local stack's resource names apply only to `local`",
    ),
    Setting(
        "PUBLIC_BASE_URL",
        # every unit that renders a link: QR codes (IssueCertificate, the API's regenerated PDFs),
        # staff task links (AwaitReview, the API's work queue). The SMS texts carry none: one
        # segment is 70 characters (adapters/sms.py) and the site's address would not fit.
        (API, r.ISSUE_CERTIFICATE.id, r.AWAIT_REVIEW.id, r.ISSUE_BIRTH_CERTIFICATE.id),
        "the web front end's address, https://<domain> (QR codes, staff task links)",
        required=True,
        hint="or `-c domain=<site domain>`",
    ),
    Setting(
        "SMS_SENDER",
        _SMS,
        "`gateway` (a domestic SMS gateway, the default) or `sns` (SNS cannot deliver to +86)",
        default="gateway",
        local="sns",  # the local stack's outbox catches SNS publishes
    ),
    Setting(
        "SMS_GATEWAY_URL",
        _SMS,
        "the gateway's https endpoint (chalicelib/adapters/sms.py)",
        required=True,
        only_if=("SMS_SENDER", "gateway"),
    ),
    Setting(
        "SMS_GATEWAY_APP_KEY",
        _SMS,
        "the app key the gateway gave us; its secret is the SmsGatewayCredentials secret",
        required=True,
        only_if=("SMS_SENDER", "gateway"),
    ),
    Setting("SMS_GATEWAY_TIMEOUT_SECONDS", _SMS, "seconds per gateway attempt", default="5", only_if=("SMS_SENDER", "gateway")),
    Setting("SMS_GATEWAY_RETRIES", _SMS, "gateway retries after the first attempt", default="2", only_if=("SMS_SENDER", "gateway")),
    Setting(
        "PROFILE_OVERRIDES",
        ALL_UNITS,
        "the operator's process settings per province, JSON, e.g. "
        '`{"sichuan": {"proof_deadline_days": 7, "review_days": {"review": 7}}}` '
        "(what may change and the defaults: docs/profiles.md); empty: the profiles as the code states them. "
        "Checked at synth: an unknown province, setting, stage or value stops the deploy",
        check=_profile_overrides,
    ),
    Setting(
        "WORKFLOW_TIME_SCALE",
        _TIMERS,
        "factor on every workflow timer (tests shrink it); 1 in a deployment",
        default="1",
    ),
    Setting("PUBLIC_SECURITY_URL", (r.VERIFY_RECORDS.id,), "public-security registry API; empty: the Registry table"),
    Setting("CIVIL_AFFAIRS_URL", (r.VERIFY_RECORDS.id,), "civil-affairs registry API; empty: the Registry table"),
    Setting(
        "POPULATION_REGISTRY_URL",
        (API, r.VERIFY_RECORDS.id, r.UPDATE_REGISTRY.id),
        "population registry API; empty: the Registry table",
    ),
    Setting("REGISTRY_HTTP_TIMEOUT_SECONDS", _REGISTRY_CALLERS, "seconds per registry request", default="5"),
    Setting("REGISTRY_HTTP_ATTEMPTS", _REGISTRY_CALLERS, "attempts per registry request", default="3"),
    Setting(
        "SIGNING_KEY_IDS",
        (API,),
        "retired signing keys still accepted for verification, comma-separated (on rotation)",
    ),
    Setting("STAFF_JWKS_URL", (API,), "staff token keys; empty: the user pool's well-known JWKS"),
    Setting("PRESIGN_SECONDS", (API,), "lifetime of certificate download links (at most 300)", default="300"),
    Setting("CITIZEN_TOKEN_SECONDS", (API,), "lifetime of a citizen token after an SMS code", default="1800"),
    Setting("SMS_CODE_TTL_SECONDS", (API,), "lifetime of an SMS code", default="300"),
    Setting("SMS_CODE_MAX_ATTEMPTS", (API,), "wrong guesses before an SMS code is locked", default="5"),
    Setting("SMS_SEND_INTERVAL_SECONDS", (API,), "seconds between two codes to one phone", default="60"),
    Setting("SMS_DAILY_LIMIT", (API,), "codes per phone and day", default="10"),
    Setting("SMS_IP_LIMIT", (API,), "codes per client IP and window", default="100"),
    Setting("SMS_IP_WINDOW_SECONDS", (API,), "window of SMS_IP_LIMIT", default="3600"),
    Setting("SMS_CAPTCHA_PURPOSES", (API,), "code purposes that need a captcha first, comma-separated", default="query"),
    Setting("CAPTCHA_TTL_SECONDS", (API,), "lifetime of a captcha", default="120"),
    Setting("QUERY_IP_LIMIT", (API,), "case queries per client IP and window", default="60"),
    Setting("QUERY_IP_WINDOW_SECONDS", (API,), "window of QUERY_IP_LIMIT", default="3600"),
    Setting("BY_IDS_WINDOW_SECONDS", (API,), "window of the ID-pair case query limits", default="86400"),
    Setting("BY_IDS_PERSON_LIMIT", (API,), "ID-pair case queries naming one ID number per window", default="10"),
    Setting("BY_IDS_PHONE_LIMIT", (API,), "ID-pair case queries from one proven phone per window", default="10"),
    Setting("OUTBOX_MAX_ATTEMPTS", _OUTBOX, "delivery attempts of an outbox message before it is dead-lettered", default="8"),
    Setting(
        "OUTBOX_BACKOFF_SECONDS",
        _OUTBOX,
        "first outbox retry after this many seconds, doubling each time",
        default="30",
        local="1",  # seconds apart locally, so a demo or test sees the retry
    ),
    Setting("OUTBOX_LEASE_SECONDS", _OUTBOX, "how long one delivery attempt holds a message", default="60"),
    Setting(
        "OUTBOX_SWEEP_AFTER_SECONDS",
        _OUTBOX,
        "a new message is the sweeper's only after this long (the committing request delivers it first, without a lease: keep it above one attempt's longest time)",
        default="60",
        local="3",
    ),
    Setting("OUTBOX_KEEP_SECONDS", _OUTBOX, "how long a delivered message is kept", default=str(7 * 24 * 3600)),
    # 002 五(一)8 / 五(二)6 (Chongqing → 渝快办), 001 四(三) (Guizhou → PIS): chalicelib/adapters/sharing.py.
    # The local stack points them at its reference receivers (local/receivers.py).
    Setting("SHARING_YUKUAIBAN_URL", _SHARING, "渝快办's endpoint for registrations (https)", required=True),
    Setting(
        "SHARING_YUKUAIBAN_APP_KEY",
        _SHARING,
        "the app key 渝快办 gave us; its secret is field `yukuaiban` of SharingCredentials",
        required=True,
    ),
    Setting("SHARING_PIS_URL", _SHARING, "PIS's endpoint for registrations (https)", required=True),
    Setting(
        "SHARING_PIS_APP_KEY",
        _SHARING,
        "the app key PIS gave us; its secret is field `pis` of SharingCredentials",
        required=True,
    ),
    Setting("SHARING_TIMEOUT_SECONDS", _SHARING, "seconds per delivery attempt to 渝快办 / PIS", default="5"),
    Setting("IDEMPOTENCY_TTL_SECONDS", (API,), "how long a retried submit returns the first result", default="86400"),
    Setting("IDEMPOTENCY_LOCK_SECONDS", (API,), "how long a submit in progress holds its key", default="60"),
)


def by_name() -> dict[str, Setting]:
    return {s.name: s for s in SETTINGS}


def declared_for(unit: str) -> tuple[Setting, ...]:
    return tuple(s for s in SETTINGS if unit in s.units)


def grants_of(unit: str) -> tuple[r.Grant, ...]:
    if unit == API:
        return r.API_GRANTS
    for f in r.FUNCTIONS:
        if f.id == unit:
            return f.grants
    raise ValueError(f"unknown unit {unit!r}: {API!r} or a function id of infra/resources.py")


def settings_of(unit: str, stage: str, context: Mapping[str, str] | None = None) -> dict[str, str]:
    """The declared settings ``unit`` gets in ``stage``: name -> value.

    Outside the local stage a required setting without a value raises ``MissingSetting``.
    """
    context = dict(context or {})
    context.setdefault("BIRTHREG_STAGE", stage)
    if "PUBLIC_BASE_URL" not in context and context.get("domain"):
        context["PUBLIC_BASE_URL"] = f"https://{context['domain']}"
    declared = by_name()
    env: dict[str, str] = {}
    for s in declared_for(unit):
        if s.only_if:
            other, wanted = s.only_if
            if declared[other].value(stage, context) != wanted:
                continue
        value = s.value(stage, context)
        if value is None or value == "":
            if s.required and stage != LOCAL_STAGE:
                raise MissingSetting(s.name, unit, stage, s.hint)
            continue
        if s.check is not None:
            try:
                s.check(value)
            except (ValueError, KeyError) as exc:
                raise InvalidSetting(s.name, unit, stage, str(exc)) from None
        env[s.name] = value
    return env


def environment_of(
    unit: str, names: Mapping[str, str], stage: str, context: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The complete environment ``unit`` (``"api"`` or a function id) is deployed with: the
    resource names of its grants (``names``: resource id -> deployed name/ARN) and its settings."""
    return {**r.environment_for(grants_of(unit), dict(names)), **settings_of(unit, stage, context)}


def check_units() -> None:
    """Every setting names known units (the synth and the tests call it)."""
    for s in SETTINGS:
        unknown = set(s.units) - _FUNCTIONS - {API}
        if unknown:
            raise ValueError(f"setting {s.name} names unknown units {sorted(unknown)}")
        if s.only_if and s.only_if[0] not in by_name():
            raise ValueError(f"setting {s.name} depends on undeclared {s.only_if[0]}")


def settings_table() -> str:
    """Markdown table of every declared setting (README.md "Configuration"; ``python -m infra.app --settings``)."""
    rows = ["| setting | units | default (local) | required outside local | what |", "| --- | --- | --- | --- | --- |"]
    for s in SETTINGS:
        units = "all" if set(s.units) == set(ALL_UNITS) else ", ".join(s.units)
        default = f"`{s.default}`" if s.default is not None else "—"
        if s.local is not None:
            default += f" (`{s.local}`)"
        required = ("yes" + (f" if {s.only_if[0]}={s.only_if[1]}" if s.only_if else "")) if s.required else ""
        rows.append(f"| `{s.name}` | {units} | {default} | {required} | {s.doc} |")
    return "\n".join(rows)
