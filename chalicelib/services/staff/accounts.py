"""Staff accounts: sign-in and administration, on the StaffPool user pool.

Sign-in (``login``, ``complete_new_password``, ``mfa_setup``, ``mfa``) uses Cognito's public
USER_PASSWORD_AUTH flow and its challenges: a new password at the first sign-in, then the second
factor the pool requires (an authenticator app, TOTP): set up once (MFA_SETUP), asked at every
sign-in after (SOFTWARE_TOKEN_MFA). The API then verifies the ID token on each request
(``chalicelib.auth``).

Administration follows 001 一(二)1 "按照管辖层级，将本级业务操作员和下一级系统管理员用户信息…进行登记注册"
and 三(二)3 "管理下一级系统管理员、本级业务操作员的用户信息": an administrator of region R creates

- administrators of the next level inside R (province → city → county → township),
- operators of R's own level: the monitor of R (province, city or county), or at a township
  the township operators of that office,
- accounts of medical institutions inside R (their births feed the certificates, 001 三(三)),

and may edit, disable or re-enable exactly those accounts. Each account carries the 附件2 data
(real name, ID number -- answered masked --, phone, unit, position) and its operation grants
(``auth.OPERATIONS``, within its role's and never beyond the administrator's own) in its profile
(store/offices.py). Every action is appended to the audit log (subject ``STAFF#<username>``).
New accounts get a temporary password shown once; Cognito asks for a new one at the first
sign-in. Disabling signs the account out everywhere at once: Cognito's global sign-out (refresh
tokens) and the revocation marker the API checks on each staff request (``auth.with_access``).
"""

from __future__ import annotations

import math
import re
import secrets
import string
import time
from typing import Any
from urllib.parse import quote

from chalicelib import auth, config
from chalicelib.domain import errors, hierarchy, idcard, regions
from chalicelib.store import offices as office_store
from chalicelib.store.repositories import audit

USERNAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,63}")
OFFICE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{1,31}")
MFA_CODE_RE = re.compile(r"[0-9]{6}")
MFA_ISSUER = "生育登记"  # the account's name in the authenticator app
LEVEL_MONITOR = {"province": auth.PROVINCE_MONITOR, "city": auth.CITY_MONITOR, "county": auth.COUNTY_MONITOR}


def _idp():
    return config.client("cognito-idp")


def _code(exc: Exception) -> str:
    return getattr(exc, "response", {}).get("Error", {}).get("Code", "")


# The operations' labels (001 三(二)3 用户权限管理), answered with the grants so the console names
# them without a table of its own.
OPERATION_LABELS = {
    auth.REVIEW: "审核办理",
    auth.ONSITE: "现场登记",
    auth.PAPER_CERTIFICATES: "纸质证件",
    auth.STATISTICS: "统计监测",
    auth.BIRTH_RECORDS: "出生信息登记",
}


def staff_view(principal: auth.StaffPrincipal) -> dict[str, Any]:
    """Who is signed in, as the sign-in answer and ``/v1/staff/me`` give it: the role, the
    jurisdiction, the operations granted (with labels) and the real name of the account's 附件2
    data (the token's name until an administrator has recorded one), so the console shows only
    what the person may do without a second call."""
    item = office_store.profile(principal.staff_id)
    real_name = (item.loaded().get("name") if item is not None else None) or principal.name
    return {
        **principal.to_dict(),
        "name": real_name,
        "role_label": auth.role_label(principal.role),
        "grants": list(principal.grants),
        "operations": [{"code": g, "label": OPERATION_LABELS.get(g, g)} for g in principal.grants],
    }


def _tokens(result: dict[str, Any]) -> dict[str, Any]:
    claims = auth.verify_token(result["IdToken"])
    # the grants of the account's profile, as every later request sees them (auth.with_access)
    principal = auth.with_access(auth.principal_from_claims(claims), claims)
    return {
        "token_type": "Bearer",
        "id_token": result["IdToken"],  # send as "Authorization: Bearer <id_token>"
        "access_token": result.get("AccessToken"),
        "refresh_token": result.get("RefreshToken"),
        "expires_in": result.get("ExpiresIn"),
        "staff": staff_view(principal),
    }


def _login_failed() -> errors.Unauthorized:
    return errors.Unauthorized("用户名或密码错误", code="LOGIN_FAILED")


def _session_expired() -> errors.Unauthorized:
    return errors.Unauthorized("登录会话已失效，请重新登录", code="LOGIN_SESSION_EXPIRED")


def _code_mismatch() -> errors.Unauthorized:
    return errors.Unauthorized("动态验证码不正确或已使用，请输入身份验证器中的最新验证码", code="MFA_CODE_MISMATCH")


def otpauth_uri(username: str, secret: str) -> str:
    """The key URI an authenticator app reads (Google's "Key Uri Format": label issuer:account)."""
    issuer = quote(MFA_ISSUER, safe="")
    return f"otpauth://totp/{issuer}:{quote(username, safe='')}?secret={secret}&issuer={issuer}"


def _challenge(idp, result: dict[str, Any], username: str) -> dict[str, Any] | None:
    """What the sign-in page must ask next, or None when Cognito answered tokens.

    The pool requires TOTP MFA (infra/stack.py ``_user_pool``): a first sign-in ends with
    MFA_SETUP (the secret is associated here, the user types it into an authenticator app and
    answers ``mfa_setup``); later sign-ins with SOFTWARE_TOKEN_MFA (answered by ``mfa``).
    """
    name = result.get("ChallengeName")
    if name is None:
        return None
    if name == "MFA_SETUP":
        try:
            associated = idp.associate_software_token(Session=result["Session"])
        except (idp.exceptions.NotAuthorizedException, idp.exceptions.ResourceNotFoundException):
            raise _session_expired() from None
        secret = associated["SecretCode"]
        return {
            "challenge": name,
            "session": associated.get("Session") or result["Session"],
            "username": username,
            "secret_code": secret,
            "otpauth_uri": otpauth_uri(username, secret),
        }
    if name in ("NEW_PASSWORD_REQUIRED", "SOFTWARE_TOKEN_MFA"):
        return {"challenge": name, "session": result["Session"], "username": username}
    raise errors.Unauthorized("暂不支持该登录方式", code="UNSUPPORTED_CHALLENGE")


def _next(idp, result: dict[str, Any], username: str, action: str) -> dict[str, Any]:
    """The next challenge, or the tokens (signed in: the audit entry ``action``)."""
    challenge = _challenge(idp, result, username)
    if challenge is not None:
        return challenge
    out = _tokens(result["AuthenticationResult"])
    audit.append(f"STAFF#{out['staff']['staff_id']}", actor=out["staff"]["staff_id"], action=action)
    return out


def _respond(idp, challenge: str, session: str, responses: dict[str, str]) -> dict[str, Any]:
    return idp.respond_to_auth_challenge(
        ClientId=config.staff_user_pool_client_id(), ChallengeName=challenge, Session=session, ChallengeResponses=responses
    )


def login(f: dict[str, str]) -> dict[str, Any]:
    """``f``: validated by ``api/models.StaffLogin``."""
    idp = _idp()
    try:
        result = idp.initiate_auth(
            ClientId=config.staff_user_pool_client_id(),
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": f["username"], "PASSWORD": f["password"]},
        )
    except idp.exceptions.PasswordResetRequiredException:
        raise errors.Unauthorized("密码已被重置，请联系管理员", code="PASSWORD_RESET_REQUIRED") from None
    except (idp.exceptions.NotAuthorizedException, idp.exceptions.UserNotFoundException):
        raise _login_failed() from None
    return _next(idp, result, f["username"], "staff.login")


def complete_new_password(f: dict[str, str]) -> dict[str, Any]:
    """``f``: validated by ``api/models.StaffNewPassword``."""
    idp = _idp()
    try:
        result = _respond(idp, "NEW_PASSWORD_REQUIRED", f["session"], {"USERNAME": f["username"], "NEW_PASSWORD": f["new_password"]})
    except idp.exceptions.InvalidPasswordException:
        raise errors.ValidationFailed(
            details=[errors.FieldError("new_password", "WEAK_PASSWORD", "新密码不符合要求（至少12位，含大小写字母、数字和符号）")]
        ) from None
    # An unknown session: NotAuthorizedException from Cognito, ResourceNotFoundException from moto.
    except (idp.exceptions.NotAuthorizedException, idp.exceptions.CodeMismatchException, idp.exceptions.ResourceNotFoundException):
        raise _session_expired() from None
    if "ChallengeName" in result:
        # The password is set; the second factor follows (MFA_SETUP on the required-MFA pool).
        audit.append(f"STAFF#{f['username']}", actor=f["username"], action="staff.password_set")
    return _next(idp, result, f["username"], "staff.password_set")


def mfa_setup(f: dict[str, str]) -> dict[str, Any]:
    """MFA_SETUP answered: the first code of the newly added authenticator app, then tokens.
    ``f``: validated by ``api/models.StaffMfaCode``."""
    idp = _idp()
    try:
        verified = idp.verify_software_token(Session=f["session"], UserCode=f["code"], FriendlyDeviceName="staff-console")
        if verified.get("Status") != "SUCCESS":
            raise _code_mismatch()
        result = _respond(idp, "MFA_SETUP", verified.get("Session") or f["session"], {"USERNAME": f["username"]})
    # A wrong code: EnableSoftwareTokenMFAException from Cognito, CodeMismatchException from moto.
    except (idp.exceptions.CodeMismatchException, idp.exceptions.EnableSoftwareTokenMFAException, idp.exceptions.ExpiredCodeException):
        raise _code_mismatch() from None
    except (idp.exceptions.NotAuthorizedException, idp.exceptions.ResourceNotFoundException):
        raise _session_expired() from None
    return _next(idp, result, f["username"], "staff.mfa_enabled")


def mfa(f: dict[str, str]) -> dict[str, Any]:
    """SOFTWARE_TOKEN_MFA answered: the authenticator app's current code, then tokens.
    ``f``: validated by ``api/models.StaffMfaCode``."""
    idp = _idp()
    try:
        result = _respond(idp, "SOFTWARE_TOKEN_MFA", f["session"], {"USERNAME": f["username"], "SOFTWARE_TOKEN_MFA_CODE": f["code"]})
    # Cognito answers ExpiredCodeException for a code already used once.
    except (idp.exceptions.CodeMismatchException, idp.exceptions.ExpiredCodeException):
        raise _code_mismatch() from None
    except (idp.exceptions.NotAuthorizedException, idp.exceptions.ResourceNotFoundException):
        raise _session_expired() from None
    return _next(idp, result, f["username"], "staff.login")


# ------------------------------------------------------------------------ administration
# 附件2 (系统管理员和操作人员名单): besides the real name, each account's ID number, mobile phone,
# work unit and position; kept in the account's profile (store/offices.py), the ID number shown
# masked in every answer.
PROFILE_FIELDS = ("id_number", "phone", "unit", "position")
ROOT_MANAGER = "ROOT"  # the province administrators' manager: deployment operators, no account


def _parent(code: str) -> str | None:
    levels = hierarchy.chain(code)
    return levels[1] if len(levels) > 1 else None


def may_manage(admin: auth.StaffPrincipal, role: str, region_code: str, office_code: str | None) -> bool:
    """Whether ``admin`` administers an account with this role and jurisdiction (001 一(二)1, 三(二)3)."""
    if admin.role != auth.ADMIN:
        return False
    own = admin.unit_code
    level = hierarchy.level_of(own)
    if role == auth.ADMIN:
        return _parent(region_code) == own  # the next level's administrators
    if role == auth.MEDICAL_INSTITUTION:
        return region_code.startswith(own) and bool(office_code)
    if level == "township":
        return role == auth.TOWNSHIP_OPERATOR and region_code == own and office_code == own
    return role == LEVEL_MONITOR.get(level) and region_code == own  # this level's operators


def manager_of(role: str, region_code: str) -> str:
    """The unit code whose administrators list the account (``ManagerIndex``): the parent region
    for an administrator, the account's own region for the others."""
    if role == auth.ADMIN:
        return _parent(region_code) or ROOT_MANAGER
    return region_code


def _temporary_password() -> str:
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{core}-{secrets.choice(string.ascii_uppercase)}{secrets.choice(string.ascii_lowercase)}{secrets.randbelow(10)}"


def _grants(admin: auth.StaffPrincipal, role: str, value: Any) -> list[str]:
    """The operations granted to a new or edited account (``value``: a list of operation codes,
    checked by ``api/models.Grants``): each one the role may hold (400) and the administrator holds itself (403 ``GRANT_NOT_HELD``: nobody hands on what they lack)."""
    allowed = auth.ROLE_OPERATIONS.get(role, ())
    if value is None:
        return [g for g in allowed if g in admin.grants]
    problems = [
        errors.FieldError(f"grants.{i}", "GRANT_NOT_FOR_ROLE", f"该角色不能授予此项权限，可选：{'、'.join(allowed) or '无'}")
        for i, g in enumerate(value)
        if g not in allowed
    ]
    if problems:
        raise errors.ValidationFailed(details=problems)
    lacking = [g for g in value if g not in admin.grants]
    if lacking:
        raise errors.Forbidden(f"不能授予本账号未持有的业务权限：{'、'.join(lacking)}", code="GRANT_NOT_HELD")
    return [g for g in allowed if g in value]


def create_account(admin: auth.StaffPrincipal, f: dict[str, Any]) -> dict[str, Any]:
    """``f``: validated by ``api/models.StaffAccount`` (username, name, role, the codes' shapes, the
    附件2 data: ID number and phone); here: does the region exist, may this administrator create the
    account and grant these operations."""
    f = dict(f)
    grants_value = f.pop("grants", None)
    # the model checks the ID number's shape; its check digit and date need today (GB 11643)
    f["id_number"] = idcard.require_valid_id(f["id_number"], path="id_number", today=config.today())
    region = regions.canonical(f["region_code"])
    if region is None or not regions.is_known(region):
        raise errors.ValidationFailed(details=[errors.FieldError("region_code", "UNKNOWN_REGION", "行政区划代码不存在")])
    office = f.get("office_code")
    if f["role"] == auth.TOWNSHIP_OPERATOR and office is None:
        office = region  # a township operator's office is its township
    if not may_manage(admin, f["role"], region, office):
        raise errors.Forbidden("只能创建下一级管理员、本级业务操作员或本辖区医疗机构账号", code="OUTSIDE_ADMINISTRATION")
    grants = _grants(admin, f["role"], grants_value)
    attributes = [
        {"Name": "name", "Value": f["name"]},
        {"Name": "custom:role", "Value": f["role"]},
        {"Name": "custom:region_code", "Value": region},
    ]
    if office:
        attributes.append({"Name": "custom:office_code", "Value": office})
    password = _temporary_password()
    idp = _idp()
    try:
        idp.admin_create_user(
            UserPoolId=config.staff_user_pool_id(),
            Username=f["username"],
            UserAttributes=attributes,
            TemporaryPassword=password,
            MessageAction="SUPPRESS",
        )
    except idp.exceptions.UsernameExistsException:
        raise errors.Conflict("用户名已存在", code="STAFF_EXISTS") from None
    profile = {k: f[k] for k in PROFILE_FIELDS if k in f}
    account = {"username": f["username"], "name": f["name"], "role": f["role"], "region_code": region, "office_code": office}
    data = {**{k: v for k, v in account.items() if k != "username"}, **profile}
    office_store.save_profile(f["username"], data, grants=grants, manager=manager_of(f["role"], region), new=False)
    audit.append(
        f"STAFF#{f['username']}", actor=admin.staff_id, action="staff.create", after={**account, **_masked(profile), "grants": grants}
    )
    return {
        **_view(account, profile, grants),
        "enabled": True,
        "temporary_password": password,
        "must_change_password": True,
    }


def _masked(profile: dict[str, Any]) -> dict[str, Any]:
    out = {k: profile.get(k) for k in PROFILE_FIELDS}
    out["id_number"] = idcard.mask_id(profile["id_number"]) if profile.get("id_number") else None
    return out


def _view(account: dict[str, Any], profile: dict[str, Any], grants: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """An account as administrators see it: the 附件2 data, the ID number masked."""
    return {
        **account,
        "role_label": auth.role_label(account.get("role") or ""),
        **_masked(profile),
        "grants": list(grants),
    }


def _account(username: str) -> dict[str, Any]:
    if not isinstance(username, str) or not USERNAME_RE.fullmatch(username):
        raise errors.NotFound("未找到该账号", code="STAFF_NOT_FOUND")
    idp = _idp()
    try:
        user = idp.admin_get_user(UserPoolId=config.staff_user_pool_id(), Username=username)
    except idp.exceptions.UserNotFoundException:
        raise errors.NotFound("未找到该账号", code="STAFF_NOT_FOUND") from None
    attrs = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
    return {
        "username": username,
        "name": attrs.get("name", username),
        "role": attrs.get("custom:role"),
        "region_code": attrs.get("custom:region_code"),
        "office_code": attrs.get("custom:office_code"),
        "enabled": bool(user.get("Enabled", True)),
        "status": user.get("UserStatus"),
    }


def _with_profile(account: dict[str, Any]) -> dict[str, Any]:
    item = office_store.profile(account["username"])
    data = item.loaded() if item else {}
    role = account.get("role") or ""
    grants = item.grants if item is not None and item.grants is not None else auth.ROLE_OPERATIONS.get(role, ())
    return _view(account, data, [g for g in auth.ROLE_OPERATIONS.get(role, ()) if g in grants])


def _managed(admin: auth.StaffPrincipal, username: str) -> dict[str, Any]:
    account = _account(username)
    if not may_manage(admin, account["role"] or "", account["region_code"] or "", account["office_code"]):
        # outside this administrator's remit: as if it did not exist
        raise errors.NotFound("未找到该账号", code="STAFF_NOT_FOUND")
    return account


def get_account(admin: auth.StaffPrincipal, username: str) -> dict[str, Any]:
    return _with_profile(_managed(admin, username))


def list_accounts(admin: auth.StaffPrincipal, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """The accounts this administrator manages, one page (``ManagerIndex``: one Query)."""
    limit = max(1, min(limit, 100))
    try:
        items, last = office_store.managed_by(admin.unit_code, limit=limit, cursor=cursor)
    except office_store.BadCursor:
        raise errors.ValidationFailed(details=[errors.FieldError("cursor", "INVALID_CURSOR", "翻页参数无效")]) from None
    accounts = []
    for item in items:
        data = item.loaded()
        accounts.append(
            {
                "username": item.pk.split("#", 1)[1],
                "name": data.get("name"),
                "role": data.get("role"),
                "role_label": auth.role_label(data.get("role") or ""),
                "region_code": data.get("region_code"),
                "office_code": data.get("office_code"),
                **_masked(data),
                "grants": list(item.grants or []),
                "enabled": not item.disabled,
            }
        )
    return {"accounts": accounts, "next_cursor": last}


def update_account(admin: auth.StaffPrincipal, username: str, f: dict[str, Any]) -> dict[str, Any]:
    """Edit an account's 附件2 data and grants (not its role or jurisdiction: a new account).
    ``f``: validated by ``api/models.StaffAccountUpdate`` (the fields given)."""
    account = _managed(admin, username)
    f = dict(f)
    grants_value = f.pop("grants", None)
    if "id_number" in f:  # the shape is the model's; the check digit and date need today (GB 11643)
        f["id_number"] = idcard.require_valid_id(f["id_number"], path="id_number", today=config.today())
    before = _with_profile(account)
    item = office_store.profile(username)
    data = item.loaded() if item else {}
    data.update({"name": account["name"], "role": account["role"], "region_code": account["region_code"], "office_code": account["office_code"]})
    data.update(f)
    grants = _grants(admin, account["role"] or "", grants_value) if grants_value is not None else before["grants"]
    if "name" in f and f["name"] != account["name"]:
        _idp().admin_update_user_attributes(
            UserPoolId=config.staff_user_pool_id(), Username=username, UserAttributes=[{"Name": "name", "Value": f["name"]}]
        )
        account = {**account, "name": f["name"]}
    office_store.save_profile(username, data, grants=grants, manager=manager_of(account["role"] or "", account["region_code"] or ""), new=False)
    auth.forget(username)
    after = _view(account, data, grants)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    audit.append(
        f"STAFF#{username}", actor=admin.staff_id, action="staff.update",
        before={k: before.get(k) for k in changed}, after=changed,
    )
    return after


def set_enabled(admin: auth.StaffPrincipal, username: str, enabled: bool) -> dict[str, Any]:
    """Disable (or re-enable) an account. Disabling signs it out everywhere at once: Cognito's
    global sign-out (refresh tokens) and the revocation marker the API checks on every staff
    request (``auth.with_access``: ID tokens issued before now are refused, by every container
    within ``auth.ACCESS_CACHE_SECONDS``)."""
    account = _managed(admin, username)
    idp = _idp()
    pool = config.staff_user_pool_id()
    manager = manager_of(account["role"] or "", account["region_code"] or "")
    if enabled:
        idp.admin_enable_user(UserPoolId=pool, Username=username)
        office_store.set_disabled(username, False, valid_after=None, manager=manager)
    else:
        # the marker first: from this write on no token of the account is accepted
        office_store.set_disabled(username, True, valid_after=math.ceil(time.time()), manager=manager)
        idp.admin_disable_user(UserPoolId=pool, Username=username)
        idp.admin_user_global_sign_out(UserPoolId=pool, Username=username)
    auth.forget(username)
    audit.append(
        f"STAFF#{username}",
        actor=admin.staff_id,
        action="staff.enable" if enabled else "staff.disable",
        before={"enabled": account["enabled"]},
        after={"enabled": enabled},
    )
    return {**_with_profile(account), "enabled": enabled, "status": account["status"]}


# ------------------------------------------------------------------------ on-site entry
def register_onsite(body: Any, operator: auth.StaffPrincipal) -> dict[str, Any]:
    """001 三(一)2 现场生育登记信息录入, at the operator's counter, for a case its province owns.

    The office that owns the case is decided by the province's rules from the form (or is the
    counter itself where they cannot decide); an operator of another province is refused before
    anything is stored (``auth.reaches``).
    """
    # On-site entry only: the sign-in and account routes do not load the form (pydantic) and the rules.
    from chalicelib.domain.evaluation import evaluate
    from chalicelib.domain.form import parse_registration
    from chalicelib.services.citizen import registration

    today = config.today()
    owner = evaluate(parse_registration(body, today=today), today=today).jurisdiction.office_code
    if not auth.reaches(operator, owner or operator.office_code):
        raise errors.OutsideJurisdiction("该登记归属其他省份的登记机构，不能在本机构录入")
    return registration.submit(body, channel="onsite", actor=operator.staff_id, counter_office=operator.office_code)
