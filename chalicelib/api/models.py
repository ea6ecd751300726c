"""The request bodies of the HTTP API, one pydantic model each (the registration form is the
domain's ``RegistrationForm``). The OpenAPI document (``api/openapi.py``) is generated from them.

Each model checks the structure: required fields, types (strict: a list where text is expected
is a 400 with the field path, never a 500), lengths and the character policy of
``domain/text.py``. What depends on stored state or on a rule (is this document requested, is
this ID number valid, may this admin create that account) stays in the services, which receive
the validated body.

``parse(Model, document)`` raises ``ValidationFailed`` (400 ``VALIDATION_FAILED``) with one
``FieldError`` per problem, in the same codes as the registration form (``domain/form.py``).
The module is imported by the routes when they first run (cold start, see api/citizen.py).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from chalicelib import auth
from chalicelib.auth import OPERATIONS
from chalicelib.domain import appointments, errors, idcard
from chalicelib.domain.births import CLAIMANTS
from chalicelib.domain.births import SEXES as BIRTH_SEXES
from chalicelib.domain.evaluation import Evaluation
from chalicelib.domain.form import IdNumber, IsoDate, IsoDateTime, Phone, RegistrationForm, field_errors
from chalicelib.domain.text import LongText, Name, Text
from chalicelib.services.certificates.issuance import PAPER_NUMBER_RE, SEXES
from chalicelib.services.certificates.paper_stock import KINDS, MAX_RANGE, STOCK_NUMBER_RE
from chalicelib.services.certificates.paper_stock import MAX_REASON as MAX_WRITE_OFF_REASON
from chalicelib.services.citizen.ratings import MAX_COMMENT
from chalicelib.services.citizen.uploads import CONTENT_TYPES, DOCUMENT_RE
from chalicelib.services.shared.captcha import KINDS as CAPTCHA_KINDS
from chalicelib.services.shared.otp import CODE_RE, PURPOSE_LABELS
from chalicelib.services.staff.accounts import MFA_CODE_RE, OFFICE_RE, USERNAME_RE
from chalicelib.services.staff.registration_forms import CONTENT_TYPES as SCAN_TYPES
from chalicelib.services.workflow.review import DECISIONS, DOCUMENTS, MAX_REASON

M = TypeVar("M", bound=BaseModel)


def _literal(values) -> Any:
    return Literal.__getitem__(tuple(values))


def _pattern(regex) -> str:
    return f"^{regex.pattern}$"


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, str_strip_whitespace=True)


Purpose = _literal(PURPOSE_LABELS)
ShortText = Annotated[str, Field(min_length=1, max_length=64), Text]


# -- citizens -------------------------------------------------------------------------------------
def _captcha_kind(value: Any, handler: Any) -> str:
    try:
        return handler(value)
    except ValidationError:  # the enum's own words rather than the generic list of values
        raise PydanticCustomError("INVALID_ENUM", "验证方式只能是 image（图形）或 text（文字题）") from None


class CaptchaRequest(Body):
    """POST /v1/captchas (body optional): ``image`` (the default) or ``text``, the accessible
    question with the same one-try protection (services/shared/captcha.py)."""

    kind: Annotated[_literal(CAPTCHA_KINDS), WrapValidator(_captcha_kind)] = "image"


class SmsCodeRequest(Body):
    """POST /v1/sms-codes: send a code to a phone for one purpose (query: with a solved captcha)."""

    phone: Phone
    purpose: Purpose
    captcha_id: ShortText | None = None
    captcha_answer: Annotated[str, Field(min_length=1, max_length=16), Text] | None = None


class SmsCodeVerify(Body):
    """POST /v1/sms-codes/verify: the code received; answers a citizen token."""

    phone: Phone
    purpose: Purpose
    code: Annotated[str, Field(pattern=_pattern(CODE_RE))]


class CaseSmsCodeRequest(Body):
    """POST /v1/registrations/{case_id}/sms-codes: a code to the phone the case was registered with
    (查询码 + 姓名 found the case, 001 附件1 一), with a solved captcha as every query code."""

    captcha_id: ShortText
    captcha_answer: Annotated[str, Field(min_length=1, max_length=16), Text]


class CaseSmsCodeVerify(Body):
    """POST /v1/registrations/{case_id}/sms-codes/verify: the code received; answers a query token."""

    code: Annotated[str, Field(pattern=_pattern(CODE_RE))]


class Rating(Body):
    """POST /v1/registrations/{case_id}/rating (好差评)."""

    score: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str, Field(max_length=MAX_COMMENT), LongText] | None = None


# An uploaded file's name as the browser gives it (no directories).
FileName = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^/\\]+$"), Text]


class UploadRequest(Body):
    """POST /v1/registrations/{case_id}/uploads: which proof, its type and file name."""

    document: Annotated[str, Field(pattern=_pattern(DOCUMENT_RE))]
    content_type: _literal(CONTENT_TYPES)
    filename: FileName


class CoupleIds(Body):
    """Both spouses' ID numbers (POST /v1/verify/{token}/full: compared with the certificate's)."""

    woman_id_number: IdNumber
    man_id_number: IdNumber


class CertificateByNumber(CoupleIds):
    """POST /v1/certificates/verification: 证件核验 by registration number and both ID numbers."""

    registration_number: Annotated[str, Field(min_length=1, max_length=40), Text]


def _id_shape(value: str) -> str:
    if idcard.validate_id(value, today=date.max) == ["ID_FORMAT"]:
        raise PydanticCustomError("ID_FORMAT", idcard.ID_PROBLEM_MESSAGES["ID_FORMAT"])
    return value


class CoupleIdsQuery(Body):
    """POST /v1/case-queries/by-ids: both spouses' ID numbers, each of the 18-character shape
    (the service checks the rest, as the form does)."""

    woman_id_number: Annotated[IdNumber, AfterValidator(_id_shape)]
    man_id_number: Annotated[IdNumber, AfterValidator(_id_shape)]


class QueryCodeQuery(Body):
    """POST /v1/case-queries/by-query-code: the case's query code and one spouse's name."""

    query_code: Annotated[str, Field(min_length=1, max_length=50), Text]
    name: Annotated[str, Field(min_length=1, max_length=50), Text]


class NoBody(Body):
    """An empty JSON object (or no body at all)."""


# -- staff ----------------------------------------------------------------------------------------
def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("MISSING", "必填项未填写")
    return value


# Passwords are taken as typed (spaces included); user names and sessions without surrounding spaces.
Password = Annotated[str, Field(min_length=1, max_length=256), AfterValidator(_not_blank)]
Username = Annotated[str, StringConstraints(strip_whitespace=True), Field(min_length=1, max_length=64), Text]
Session = Annotated[str, StringConstraints(strip_whitespace=True), Field(min_length=20, max_length=2048), Text]  # Cognito: 20-2048


class StaffLogin(Body):
    """POST /v1/staff/login."""

    model_config = ConfigDict(str_strip_whitespace=False)
    username: Username
    password: Password


class StaffNewPassword(Body):
    """POST /v1/staff/login/new-password: the first sign-in's challenge answered."""

    model_config = ConfigDict(str_strip_whitespace=False)
    username: Username
    session: Session
    new_password: Password


class StaffMfaCode(Body):
    """POST /v1/staff/login/mfa-setup (the first code of a newly added authenticator app) and
    POST /v1/staff/login/mfa (the app's current code at a later sign-in)."""

    username: Username
    session: Session
    code: Annotated[str, Field(pattern=_pattern(MFA_CODE_RE))]  # 6 digits (TOTP, 30 s)


Grants = Annotated[list[_literal(OPERATIONS)], Field(max_length=len(OPERATIONS))]


class StaffAccount(Body):
    """POST /v1/staff/accounts: a new staff account (an administrator creates it) with the 附件2
    data: real name, ID number (answered masked), mobile phone, work unit, position; ``grants``:
    the operations it may perform (default: every one its role allows that the administrator
    holds)."""

    username: Annotated[str, Field(pattern=_pattern(USERNAME_RE))]
    name: Name
    role: _literal(auth.ROLES)
    region_code: Annotated[str, Field(min_length=1, max_length=12), Text]
    office_code: Annotated[str, Field(pattern=_pattern(OFFICE_RE))] | None = None
    id_number: IdNumber
    phone: Phone
    unit: ShortText | None = None
    position: ShortText | None = None
    grants: Grants | None = None


class StaffAccountUpdate(Body):
    """PATCH /v1/staff/accounts/{username}: the 附件2 data and grants to change (role and
    jurisdiction are fixed: another role is another account)."""

    name: Name | None = None
    id_number: IdNumber | None = None
    phone: Phone | None = None
    unit: ShortText | None = None
    position: ShortText | None = None
    grants: Grants | None = None


OfficeText = Annotated[str, Field(min_length=1, max_length=100), Text]
ClockTime = Annotated[str, Field(pattern=_pattern(appointments.TIME_RE))]


class AppointmentSlot(Body):
    """One time slot of an office's appointment day (三孩预约, 000 §2.1)."""

    start: ClockTime
    end: ClockTime
    places: Annotated[int, Field(ge=1, le=appointments.MAX_PLACES)]


class AppointmentCapacity(Body):
    """What an office publishes for 三孩预约: the ISO weekdays (1 = Monday) it receives on -- a
    holiday among them has no slot (services/shared/working_calendar.py) -- and each day's slots."""

    weekdays: Annotated[list[Annotated[int, Field(ge=1, le=7)]], Field(min_length=1, max_length=7)]
    slots: Annotated[list[AppointmentSlot], Field(min_length=1, max_length=appointments.MAX_SLOTS)]

    @model_validator(mode="after")
    def _consistent(self) -> AppointmentCapacity:
        problems = appointments.capacity_problems(self.model_dump())
        if problems:
            path, code, message = problems[0]
            raise PydanticCustomError(code, f"{message}（{path}）")
        return self


class OfficeInfo(Body):
    """PUT /v1/staff/offices/{office_code}: the organisation information (001 一(二)2)."""

    name: OfficeText
    head: Name | None = None
    contact: Name | None = None
    phone: Annotated[str, Field(pattern=r"^[0-9][0-9-]{6,19}$")] | None = None  # mobile or 区号-号码
    address: OfficeText | None = None
    opening_hours: OfficeText | None = None
    appointment_capacity: AppointmentCapacity | None = None


Kind = _literal(KINDS)
StockNumber = Annotated[str, Field(pattern=_pattern(STOCK_NUMBER_RE))]


class PaperStockRange(Body):
    """POST /v1/staff/paper-stock/{office_code}/intake: a printed range enters the county's stock."""

    kind: Kind
    first: StockNumber
    last: StockNumber


class PaperDistribution(Body):
    """POST /v1/staff/paper-stock/{office_code}/distributions: county → township (派发/调配)."""

    to_office: Annotated[str, Field(pattern=r"^[0-9]{9}$")]
    first: StockNumber
    last: StockNumber


class PaperWriteOff(Body):
    """POST /v1/staff/paper-stock/{office_code}/write-offs: a spoiled blank, with the reason."""

    number: StockNumber
    reason: Annotated[str, Field(min_length=1, max_length=MAX_WRITE_OFF_REASON), LongText]


class PaperThreshold(Body):
    """PUT /v1/staff/paper-stock/{office_code}/threshold: below it the township may request."""

    kind: Kind
    threshold: Annotated[int, Field(ge=0, le=MAX_RANGE)]


class PaperRequest(Body):
    """POST /v1/staff/paper-stock/{office_code}/requests: 申请调配 to the county."""

    kind: Kind
    count: Annotated[int, Field(ge=1, le=MAX_RANGE)]
    note: Annotated[str, Field(max_length=MAX_WRITE_OFF_REASON), LongText] | None = None


class ReviewDecision(Body):
    """POST /v1/staff/tasks/{task_id}: the reviewer's decision (reason required unless accept)."""

    decision: _literal(DECISIONS)
    reason: Annotated[str, Field(max_length=MAX_REASON), LongText] | None = None
    documents: Annotated[list[_literal(DOCUMENTS)], Field(max_length=len(DOCUMENTS))] | None = None


class RegistrationFormScan(Body):
    """POST /v1/staff/cases/{case_id}/registration-form: the signed 《登记表》's scan (002 五(二)5), PDF or JPEG."""

    content_type: _literal(SCAN_TYPES)
    filename: FileName


class BirthRecord(Body):
    """POST /v1/staff/certificates/{registration_number}/birth (001 三(三)2)."""

    birth_date: IsoDate
    sex: _literal(SEXES)


class PaperCertificate(Body):
    """POST /v1/staff/cases/{case_id}/paper-certificate (001 三(一)3(3))."""

    number: Annotated[str, Field(pattern=_pattern(PAPER_NUMBER_RE))]
    issued_on: IsoDate


# -- answers documented by schema (the rest: JSON objects) -----------------------------------------
class ErrorInfo(BaseModel):
    code: str
    message: str
    request_id: str | None = None
    details: list[errors.FieldError] = Field(description="one per field: its dotted path (e.g. woman.id_number), code and message")


class Error(BaseModel):
    """Every error answer: ``DomainError.to_dict`` (domain/errors.py), with the request's id."""

    error: ErrorInfo


class CaseForm(BaseModel):
    """GET /v1/registrations/{case_id}/form."""

    case_id: str
    profile: str
    status: str
    modifications: int
    form: RegistrationForm


class RegistrationCreated(BaseModel):
    """POST /v1/registrations (201)."""

    case_id: str
    query_code: str = Field(description="查询码 (001 附件1 一), also sent by SMS")
    status: str
    evaluation: Evaluation


ANSWERS = (Error, CaseForm, RegistrationCreated)
# -- birth medical certificate (出生医学证明, issue 16; seed 003) ------------------------------------
IdShape = Annotated[IdNumber, AfterValidator(_id_shape)]


class CaseSearch(Body):
    """POST /v1/staff/cases/search: a case by its id, or by either spouse's ID number (003 V(D));
    exactly one of the two (the service says which is missing). A POST, so the ID number never
    appears in a URL or an access log."""

    case_id: Annotated[str, Field(pattern=r"^[0-9]{8}[0-9A-Fa-f]{10}$")] | None = None
    id_number: IdShape | None = None


class BirthNewborn(Body):
    sex: _literal(BIRTH_SEXES)
    born_at: IsoDateTime
    weight_grams: Annotated[int, Field(ge=300, le=8000)]


class BirthParent(Body):
    name: Name
    id_number: IdShape


class BirthEntry(Body):
    """POST /v1/staff/births: the midwifery institution's signed entry (003 一(一)1);
    ``outside_institution``: a birth outside a medical institution (003 二)."""

    institution_code: Annotated[str, Field(pattern=_pattern(OFFICE_RE))]
    outside_institution: bool = False
    newborn: BirthNewborn
    mother: BirthParent
    father: BirthParent | None = None


class BirthCorrection(BirthEntry):
    """PUT /v1/staff/births/{birth_id}: a corrected entry, signed as a new version, and why."""

    reason: Annotated[str, Field(min_length=1, max_length=MAX_REASON), LongText]


class BirthClaim(Body):
    """POST /v1/births/{birth_id}/claim: a parent claims the record (003 一(一)2)."""

    claimant: _literal(CLAIMANTS)
    mother_id_number: IdShape
    claimant_id_number: IdShape | None = None  # the father's, when he claims
    newborn_name: Name
    father: BirthParent | None = None
    confirm: Literal[True]  # 003 一(一)2 "confirm the correct signature and submit"


class BirthDeclaredNewborn(BirthNewborn):
    name: Name


class BirthDeclaration(Body):
    """POST /v1/births: a parent declares a birth outside a medical institution (003 二(一)1) and
    claims it at once: the issuing institution, where the birth was, the child and the parents."""

    institution_code: Annotated[str, Field(pattern=_pattern(OFFICE_RE))]
    place: Annotated[str, Field(min_length=2, max_length=100), Text]
    claimant: _literal(CLAIMANTS)
    claimant_id_number: IdShape | None = None  # the father's, when he declares
    newborn: BirthDeclaredNewborn
    mother: BirthParent
    father: BirthParent | None = None
    confirm: Literal[True]  # 003 二(一)1 "confirm that there is no error after signing and submitting"


class StampCheck(Body):
    """POST /v1/staff/births/{birth_id}/stamp-check: the printed e-licence's scanned QR code."""

    scanned: Annotated[str, Field(min_length=10, max_length=2048), Text]


class BirthReissue(Body):
    """POST /v1/staff/birth-certificates/{number}/reissue: the written application (003 四(一)1)."""

    application: Annotated[str, Field(min_length=1, max_length=MAX_REASON), LongText]
    channel: Literal["online", "onsite"]


# -- 三孩预约 (000 §2.1) -------------------------------------------------------------------------------
class AppointmentPerson(Body):
    name: Name
    id_number: IdNumber


class AppointmentBooking(Body):
    """POST /v1/appointments: the office, the day and slot, and both spouses (the phone is the
    SMS-verified token's)."""

    office_code: Annotated[str, Field(pattern=r"^[0-9]{9}$")]
    date: IsoDate
    start: ClockTime
    woman: AppointmentPerson
    man: AppointmentPerson


def parse(model: type[M], document: Any) -> M:
    if not isinstance(document, dict):
        raise errors.ValidationFailed(
            "请求内容须为 JSON 对象", details=[errors.FieldError("", "INVALID_BODY", "请求内容须为 JSON 对象")]
        )
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise errors.ValidationFailed(details=field_errors(exc)) from None


def plain(body: BaseModel) -> dict[str, Any]:
    """The validated body as the JSON document the services read (dates as ISO strings)."""
    return body.model_dump(mode="json", exclude_none=True)


__all__ = [
    "AppointmentBooking",
    "AppointmentCapacity",
    "AppointmentPerson",
    "AppointmentSlot",
    "BirthClaim",
    "BirthCorrection",
    "BirthDeclaration",
    "BirthEntry",
    "BirthRecord",
    "BirthReissue",
    "CaptchaRequest",
    "CaseSearch",
    "CaseSmsCodeRequest",
    "CaseSmsCodeVerify",
    "CertificateByNumber",
    "CoupleIds",
    "CoupleIdsQuery",
    "NoBody",
    "OfficeInfo",
    "PaperCertificate",
    "PaperDistribution",
    "PaperRequest",
    "PaperStockRange",
    "PaperThreshold",
    "PaperWriteOff",
    "QueryCodeQuery",
    "Rating",
    "RegistrationFormScan",
    "ReviewDecision",
    "SmsCodeRequest",
    "SmsCodeVerify",
    "StaffAccount",
    "StaffAccountUpdate",
    "StaffLogin",
    "StaffMfaCode",
    "StaffNewPassword",
    "StampCheck",
    "UploadRequest",
    "parse",
    "plain",
]
