"""Staff identity: Cognito ID tokens verified by the API itself, roles and jurisdiction.

Staff sign in against the StaffPool user pool (``POST /v1/staff/login``) and send the ID token
as ``Authorization: Bearer <token>``. ``current_staff`` verifies it on every request with joserfc — RS256
signature against the pool's published keys (JWKS, cached per container), issuer, audience
(the pool's app client), ``token_use == "id"`` and expiry — so the same check runs in the local
stack (moto's Cognito) and on AWS, with no API Gateway authorizer in between.

The token's custom attributes carry the account's role and jurisdiction, set by administrators
(``services/staff/accounts.py``; 001 一(二)1 and 三(二)3: each level manages the next level's administrators
and its own operators):

====================  ============================  =====================================
role                  ``region_code``               may
====================  ============================  =====================================
township_operator     its township (9 digits)       review its office's tasks, on-site entry
county_monitor        its county (6)                statistics; escalated county tasks
city_monitor          its city (4; 2 for 重庆)      statistics; escalated city tasks
province_monitor      its province (2)              statistics
medical_institution   its county; ``office_code``   record births (certificates, issue 6)
                      = the institution
admin                 the level it administers      create/disable accounts below it
====================  ============================  =====================================

On top of the role, each account holds operation grants (``OPERATIONS``: review, onsite,
paper_certificates, statistics, birth_records, birth_reissue; 001 三(二)3 用户权限管理), checked by the routes
that use them (``require``). The account's profile (store/offices.py) carries the grants and a
revocation marker: a disabled account's tokens, and tokens issued before it was last disabled,
are refused on the next request (``with_access``; cached per container ``ACCESS_CACHE_SECONDS``).

``covers(principal, code)`` is the jurisdiction test every staff query applies;
``reaches(principal, case_office)`` the one for a case or certificate at a counter (on-site
entry, certificate lookup, birth and paper-certificate records): the same region, except that a
township operator serves couples of any office of its province.
"""

from __future__ import annotations

import functools
import json
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from chalicelib import config
from chalicelib.domain import errors

TOWNSHIP_OPERATOR = "township_operator"
COUNTY_MONITOR = "county_monitor"
CITY_MONITOR = "city_monitor"
PROVINCE_MONITOR = "province_monitor"
MEDICAL_INSTITUTION = "medical_institution"
ADMIN = "admin"
ROLES = (TOWNSHIP_OPERATOR, COUNTY_MONITOR, CITY_MONITOR, PROVINCE_MONITOR, MEDICAL_INSTITUTION, ADMIN)
# Roles that work on registration cases (view tasks, decide at their level, statistics).
CASE_ROLES = (TOWNSHIP_OPERATOR, COUNTY_MONITOR, CITY_MONITOR, PROVINCE_MONITOR)
MONITOR_ROLES = (COUNTY_MONITOR, CITY_MONITOR, PROVINCE_MONITOR)

# Operations granted on top of the role (001 三(二)3 "用户权限管理"): what each role may be granted,
# and what an account without its own list of grants holds (accounts created before grants).
REVIEW = "review"
ONSITE = "onsite"
PAPER_CERTIFICATES = "paper_certificates"
STATISTICS = "statistics"
BIRTH_RECORDS = "birth_records"
# 003 四(二)1 "to the original issuing agency county (district) level health administrative
# department to apply for reissue": the county department reissues birth medical certificates.
BIRTH_REISSUE = "birth_reissue"
OPERATIONS = (REVIEW, ONSITE, PAPER_CERTIFICATES, STATISTICS, BIRTH_RECORDS, BIRTH_REISSUE)
ROLE_OPERATIONS: dict[str, tuple[str, ...]] = {
    TOWNSHIP_OPERATOR: (REVIEW, ONSITE, PAPER_CERTIFICATES, STATISTICS),
    COUNTY_MONITOR: (REVIEW, PAPER_CERTIFICATES, STATISTICS, BIRTH_REISSUE),
    CITY_MONITOR: (REVIEW, STATISTICS),
    PROVINCE_MONITOR: (REVIEW, STATISTICS),  # review: sees the queues and tasks; deciding stays with the levels below
    MEDICAL_INSTITUTION: (BIRTH_RECORDS,),
    ADMIN: OPERATIONS,  # what an administrator may delegate to the accounts it creates
}
# How long one API container trusts what it read of an account's revocation marker and grants:
# a disabled account's tokens are refused by every container at most this long after the write
# (at once by the container that disabled it).
ACCESS_CACHE_SECONDS = 5

if TYPE_CHECKING:  # the task functions import this module too, and they do not ship chalice
    from chalice import Blueprint, Chalice

JWKS_TTL_SECONDS = 3600
# The least time between two fetches of the key set when a token names a key it lacks.
JWKS_REFETCH_FLOOR_SECONDS = 30
CLOCK_SKEW_SECONDS = 60


@dataclass(frozen=True)
class StaffPrincipal:
    staff_id: str
    name: str
    role: str
    region_code: str
    office_code: str | None
    grants: tuple[str, ...] = ()

    @property
    def unit_code(self) -> str:
        """The office or region this account acts for: a task assigned to this code is its own."""
        if self.role == TOWNSHIP_OPERATOR and self.office_code:
            return self.office_code
        from chalicelib.domain import regions

        return regions.canonical(self.region_code) or self.region_code

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "unit_code": self.unit_code}


def covers(principal: StaffPrincipal, region_or_office_code: str | None) -> bool:
    """Whether ``region_or_office_code`` lies within the principal's jurisdiction.

    A township operator covers its own office only; every other role covers its region and
    everything below it (codes are hierarchical prefixes: 51 ⊃ 5101 ⊃ 510104 ⊃ 510104022).
    """
    if not region_or_office_code:
        return False
    from chalicelib.domain import regions

    code = regions.canonical(region_or_office_code) or region_or_office_code
    return code.startswith(principal.unit_code)


def reaches(principal: StaffPrincipal, case_office: str | None) -> bool:
    """Whether the principal may act at its counter on a case or certificate owned by ``case_office``.

    A township operator: any office of its own province -- 001 三(一)3(2) "本省异地登记对象的发证"
    and 002 七(一) "谁先接谁负责办理" let a couple be served at another counter of the province,
    never of another one. Every other role: its own jurisdiction (``covers``); a medical
    institution's is the county its account was created for.
    """
    if not case_office:
        return False
    if principal.role == TOWNSHIP_OPERATOR:
        own = principal.office_code or ""
        return len(own) >= 2 and own[:2] == case_office[:2]
    return covers(principal, case_office)


# ---------------------------------------------------------------------------------- tokens
def issuer() -> str:
    return f"https://cognito-idp.{config.region()}.amazonaws.com/{config.staff_user_pool_id()}"


def jwks_url() -> str:
    """``STAFF_JWKS_URL`` if set; the local stack's moto endpoint; else Cognito's published URL."""
    explicit = config.optional_setting("STAFF_JWKS_URL")
    if explicit:
        return explicit
    endpoint = config.aws_endpoint_url()
    if endpoint:
        return f"{endpoint}/{config.staff_user_pool_id()}/.well-known/jwks.json"
    return f"{issuer()}/.well-known/jwks.json"


def _fetch_jwks(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own configuration
        return json.loads(response.read())


class _Keys:
    """The pool's public keys (joserfc ``RSAKey``) by ``kid``: fetched once per container, again
    hourly, or when a token names an unknown key (Cognito rotates keys by adding one) -- but at most
    once per ``JWKS_REFETCH_FLOOR_SECONDS``, so tokens with made-up ``kid`` values cannot make every
    request fetch the set."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, Any] = {}
        self._fetched: float | None = None
        self._url = ""

    def get(self, kid: str) -> Any:
        with self._lock:
            url = jwks_url()
            age = None if self._fetched is None or url != self._url else self._clock() - self._fetched
            if age is None or age > JWKS_TTL_SECONDS or (kid not in self._keys and age > JWKS_REFETCH_FLOOR_SECONDS):
                self._load(url)
            return self._keys.get(kid)

    def _load(self, url: str) -> None:
        from joserfc.jwk import KeySet

        document = _fetch_jwks(url)
        keys = {}
        for key in KeySet.import_key_set({"keys": [k for k in document.get("keys", []) if k.get("kty") == "RSA"]}).keys:
            if key.kid:
                keys[key.kid] = key
        self._keys, self._fetched, self._url = keys, self._clock(), url


_keys = _Keys()


def _invalid(message: str = "登录已失效，请重新登录") -> errors.Unauthorized:
    return errors.Unauthorized(message, code="INVALID_STAFF_TOKEN")


def _key_of(token: Any) -> Any:
    """joserfc's key lookup: the pool's key named by the token's ``kid``."""
    key = _keys.get(str(token.headers().get("kid")))
    if key is None:
        raise _invalid()
    return key


def verify_token(token: str) -> dict[str, Any]:
    """The claims of a valid StaffPool ID token, or ``Unauthorized``.

    joserfc checks the RS256 signature against the pool's key and, through its claims registry, the
    issuer, the audience (the pool's app client), ``token_use == "id"`` and the expiry with
    ``CLOCK_SKEW_SECONDS`` of leeway, against the real time: Cognito stamps tokens with it
    (``config.clock`` may be moved in tests).
    """
    from joserfc import jwt
    from joserfc.errors import ExpiredTokenError, JoseError

    try:
        claims = jwt.decode(token, _key_of, algorithms=["RS256"]).claims
    except (JoseError, ValueError, TypeError):  # malformed, unknown algorithm, bad signature
        raise _invalid() from None
    registry = jwt.JWTClaimsRegistry(
        leeway=CLOCK_SKEW_SECONDS,
        iss={"essential": True, "value": issuer()},
        aud={"essential": True, "value": config.staff_user_pool_client_id()},
        token_use={"essential": True, "value": "id"},
        exp={"essential": True},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        raise errors.Unauthorized("登录已过期，请重新登录", code="STAFF_TOKEN_EXPIRED") from None
    except JoseError:
        raise _invalid() from None
    return claims


def principal_from_claims(claims: dict[str, Any]) -> StaffPrincipal:
    role = claims.get("custom:role")
    region = claims.get("custom:region_code")
    if role not in ROLES or not isinstance(region, str) or not region:
        raise errors.Forbidden("账号未授权，请联系管理员", code="STAFF_NOT_AUTHORISED")
    office = claims.get("custom:office_code") or None
    username = str(claims.get("cognito:username") or claims.get("sub"))
    return StaffPrincipal(
        staff_id=username, name=str(claims.get("name") or username), role=role, region_code=region, office_code=office
    )


class _Access:
    """Each account's revocation marker and grants (store/offices.py ``PROFILE``), read once per
    ``ACCESS_CACHE_SECONDS`` per container: one GetItem per account and period, not per request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Any]] = {}

    def get(self, username: str):
        with self._lock:
            entry = self._entries.get(username)
        if entry is not None and time.monotonic() - entry[0] < ACCESS_CACHE_SECONDS:
            return entry[1]
        from chalicelib.store import offices

        item = offices.profile(username)
        with self._lock:
            self._entries[username] = (time.monotonic(), item)
        return item

    def forget(self, username: str) -> None:
        with self._lock:
            self._entries.pop(username, None)


_access = _Access()


def forget(username: str) -> None:
    """Drop this container's cached marker of ``username`` (after the account changed)."""
    _access.forget(username)


def with_access(principal: StaffPrincipal, claims: dict[str, Any]) -> StaffPrincipal:
    """The principal with its grants, or ``Unauthorized`` for a disabled account or a token issued
    before the account was last disabled (Cognito's global sign-out revokes refresh tokens only;
    an ID token would otherwise stay valid up to an hour)."""
    item = _access.get(principal.staff_id)
    allowed = ROLE_OPERATIONS.get(principal.role, ())
    grants = allowed
    if item is not None:
        if item.disabled:
            raise errors.Unauthorized("账号已停用，请联系管理员", code="STAFF_ACCOUNT_DISABLED")
        issued = claims.get("iat")
        if item.valid_after is not None and (not isinstance(issued, int) or issued < int(item.valid_after)):
            raise errors.Unauthorized("登录已失效，请重新登录", code="STAFF_TOKEN_REVOKED")
        if item.grants is not None:
            grants = tuple(g for g in allowed if g in item.grants)
    return replace(principal, grants=grants)


def require(principal: StaffPrincipal, operation: str) -> None:
    """``Forbidden`` unless the account was granted ``operation`` (on top of its role)."""
    if operation not in principal.grants:
        raise errors.Forbidden("您的账号未被授予此项业务权限，请联系管理员", code="OPERATION_NOT_GRANTED")


def current_staff(app_or_blueprint: Chalice | Blueprint, *allowed_roles: str) -> StaffPrincipal:
    """The signed-in staff member of the current request, if one of ``allowed_roles`` (any role
    when none are given). ``Unauthorized`` (401) without a valid token, ``Forbidden`` (403) for
    another role."""
    headers = app_or_blueprint.current_request.headers
    value = (headers.get("authorization") or "").strip()
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.Unauthorized(
            "请先登录",
            code="STAFF_TOKEN_REQUIRED",
            details=[errors.FieldError("headers.authorization", "MISSING", "请提供登录后获得的凭证（Authorization: Bearer …）")],
        )
    claims = verify_token(token.strip())
    principal = with_access(principal_from_claims(claims), claims)
    if allowed_roles and principal.role not in allowed_roles:
        raise errors.RoleNotAllowed()
    return principal


@functools.cache
def _role_labels() -> dict[str, str]:
    return {
        TOWNSHIP_OPERATOR: "乡级业务操作员",
        COUNTY_MONITOR: "县级统计监测",
        CITY_MONITOR: "市级统计监测",
        PROVINCE_MONITOR: "省级统计监测",
        MEDICAL_INSTITUTION: "医疗卫生技术服务机构",
        ADMIN: "系统管理员",
    }


def role_label(role: str) -> str:
    return _role_labels().get(role, role)
