"""The registration form (JSON contract) and its validation.

``parse_registration(body, today=...)`` turns a decoded JSON body into a ``RegistrationForm``
or raises ``ValidationFailed`` with one ``FieldError`` per problem (dotted paths, stable
UPPER_SNAKE codes, Chinese messages). Two passes:

1. structure (pydantic, strict: ``"12"`` is not an int, ``12`` is not a str, unknown keys are
   rejected). If the structure is wrong the cross-field pass does not run.
2. cross-field rules (ID numbers, sexes, duplicates, dates, regions, conditional fields).

Which province's rules apply (eligibility, jurisdiction, ...) is *not* decided here; see
``evaluation.evaluate``. The fields mirror the Chongqing form 002 附件1 (重庆市生育（再生育）登记表)
and the Guizhou/Sichuan online forms (001 附件1 一, 000 §2.3.2–2.3.4).

Field error codes
-----------------
Structure: ``MISSING``, ``WRONG_TYPE``, ``NAME_CHARACTERS``, ``TEXT_CHARACTERS`` (``domain/text.py``), ``INVALID_ENUM``, ``INVALID_FORMAT``, ``INVALID_DATE``,
``TOO_LONG``, ``TOO_SHORT``, ``OUT_OF_RANGE``, ``EXTRA_FIELD``, ``INVALID_PHONE``,
``INVALID_VALUE`` (fallback), ``INVALID_BODY`` (path ``""``: body is not a JSON object).
Cross-field: ``ID_FORMAT``, ``ID_AREA_UNKNOWN``, ``ID_BIRTH_DATE_INVALID``, ``ID_BIRTH_DATE_FUTURE``,
``ID_CHECKSUM``, ``ID_SEX_MISMATCH``, ``ID_BIRTH_DATE_MISMATCH``, ``DUPLICATE_NAME``,
``DUPLICATE_ID_NUMBER``, ``FUTURE_DATE``, ``NOT_BEFORE_TODAY``, ``UNDER_MARRIAGE_AGE``,
``BEFORE_PARENT_BIRTH``, ``UNKNOWN_REGION``, ``REGION_TOO_COARSE``, ``NOT_TOWNSHIP``,
``COMMITMENT_REQUIRED``, ``NOT_ALLOWED``, ``LATE_REQUIRES_DELIVERY``, ``REBIRTH_REASON_MISMATCH``.
"""

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from . import idcard, regions
from .errors import FieldError, ValidationFailed
from .text import Name, Text
from .tz import SHANGHAI

# --------------------------------------------------------------------------- field types

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PHONE_RE = re.compile(r"1[3-9][0-9]{9}")
_REGION_RE = re.compile(r"[0-9]{6}(?:[0-9]{3})?")
_TOWNSHIP_RE = re.compile(r"[0-9]{9}")


def _parse_date(v: Any) -> Any:
    if isinstance(v, date) and not isinstance(v, datetime):
        return v
    if not isinstance(v, str):
        raise PydanticCustomError("WRONG_TYPE", "类型不正确，应为日期字符串 YYYY-MM-DD")
    if not _DATE_RE.fullmatch(v):
        raise PydanticCustomError("INVALID_FORMAT", "日期格式应为 YYYY-MM-DD")
    try:
        return date.fromisoformat(v)
    except ValueError:
        raise PydanticCustomError("INVALID_DATE", "日期不存在") from None


def _parse_datetime(v: Any) -> Any:
    if isinstance(v, datetime):
        dt = v
    elif isinstance(v, str):
        try:
            dt = datetime.fromisoformat(v)
        except ValueError:
            raise PydanticCustomError(
                "INVALID_FORMAT", "时间格式应为带时区的 ISO 8601，如 2024-06-01T09:30:00+08:00"
            ) from None
    else:
        raise PydanticCustomError("WRONG_TYPE", "类型不正确，应为 ISO 8601 时间字符串")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise PydanticCustomError("INVALID_FORMAT", "时间须包含时区偏移，如 +08:00")
    return dt


def _check_phone(v: str) -> str:
    if not _PHONE_RE.fullmatch(v):
        raise PydanticCustomError("INVALID_PHONE", "联系电话应为11位大陆手机号码")
    return v


def _check_region_code(v: str) -> str:
    if not _REGION_RE.fullmatch(v):
        raise PydanticCustomError("INVALID_FORMAT", "行政区划代码应为6位（区县）或9位（乡镇、街道）数字")
    return v


def _check_township_code(v: str) -> str:
    if not _TOWNSHIP_RE.fullmatch(v):
        raise PydanticCustomError("INVALID_FORMAT", "登记机构代码应为9位乡镇（街道）代码")
    return v


def _upper(v: str) -> str:
    return v.upper()


IsoDate = Annotated[date, BeforeValidator(_parse_date), WithJsonSchema({"type": "string", "format": "date"})]
IsoDateTime = Annotated[
    datetime, BeforeValidator(_parse_datetime), WithJsonSchema({"type": "string", "format": "date-time"})
]
IdNumber = Annotated[str, Field(min_length=1, max_length=32), AfterValidator(_upper)]
Phone = Annotated[str, AfterValidator(_check_phone)]
RegionCode = Annotated[str, AfterValidator(_check_region_code)]
TownshipCode = Annotated[str, AfterValidator(_check_township_code)]

Profile = Literal["sichuan", "guizhou", "chongqing"]
ApplicationType = Literal["self", "proxy", "late"]
RebirthReason = Literal["child_deceased", "child_disabled"]
MaritalStatus = Literal["first_marriage", "remarriage", "remarried_each_other"]
Sex = Literal["female", "male"]
Relation = Literal["joint", "woman", "man"]
Health = Literal["healthy", "disabled", "deceased"]
PregnancyStatus = Literal["not_pregnant", "pregnant", "delivered"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, str_strip_whitespace=True)


class Address(_Model):
    region_code: RegionCode
    # 001 附件1 一: "需补充填写户籍地和现居住地所属村(居)、小组或街道(路、巷)、小区、楼栋号、门牌号信息"
    detail: Annotated[str, Field(min_length=1, max_length=200), Text]
    # Residence start date; 002 一(一) "一方居住在本市满一个月以上" needs it.
    since: IsoDate | None = None


class Person(_Model):
    name: Name
    id_number: IdNumber
    phone: Phone
    employer: Annotated[str, Field(max_length=100), Text] | None = None
    marital_status: MaritalStatus
    hukou: Address
    residence: Address


class Application(_Model):
    type: ApplicationType
    rebirth_reason: RebirthReason | None = None
    office_code: TownshipCode
    commitment_accepted: bool
    commitment_at: IsoDateTime


class Marriage(_Model):
    date: IsoDate
    certificate_number: Annotated[str, Field(min_length=4, max_length=32), Text]


class Child(_Model):
    name: Name
    id_number: IdNumber | None = None
    birth_date: IsoDate
    sex: Sex
    birthplace_code: RegionCode
    relation: Relation
    health: Health
    disability_certificate: Annotated[str, Field(min_length=1, max_length=32), Text] | None = None


class Pregnancy(_Model):
    status: PregnancyStatus
    weeks: int | None = None
    birth_date: IsoDate | None = None


class Proxy(_Model):
    name: Name
    id_number: IdNumber
    relation: Annotated[str, Field(min_length=1, max_length=20), Text]


class RegistrationForm(_Model):
    profile: Profile
    application: Application
    woman: Person
    man: Person
    marriage: Marriage
    children: Annotated[list[Child], Field(max_length=20)] = Field(default_factory=list)
    pregnancy: Pregnancy
    proxy: Proxy | None = None

    def spouses(self) -> tuple[tuple[str, Person], tuple[str, Person]]:
        return (("woman", self.woman), ("man", self.man))

    def to_contract(self) -> dict:
        """The JSON contract again (normalised: trimmed strings, upper-case X in ID numbers)."""
        return self.model_dump(mode="json")


# --------------------------------------------------------------------------- error mapping

_TYPE_NAMES = {
    "string_type": "文本",
    "int_type": "整数",
    "bool_type": "布尔值 true/false",
    "dict_type": "对象",
    "model_type": "对象",
    "model_attributes_type": "对象",
    "list_type": "数组",
    "date_type": "日期",
    "datetime_type": "时间",
}

_LENGTH_ERRORS = {
    "string_too_long": "TOO_LONG",
    "too_long": "TOO_LONG",
    "string_too_short": "TOO_SHORT",
    "too_short": "TOO_SHORT",
}


def _path(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)


def _field_error(err: dict) -> FieldError:
    etype: str = err["type"]
    ctx = err.get("ctx") or {}
    path = _path(err["loc"])
    if etype.isupper():  # our own PydanticCustomError codes carry a Chinese message already
        if etype == "WRONG_TYPE" and err.get("input") is None:
            return FieldError(path, "MISSING", "必填项不能为空")
        return FieldError(path, etype, err["msg"])
    if etype == "missing":
        return FieldError(path, "MISSING", "必填项未填写")
    if etype == "extra_forbidden":
        return FieldError(path, "EXTRA_FIELD", "不支持的字段，请删除")
    if etype in _TYPE_NAMES:
        if err.get("input") is None:
            return FieldError(path, "MISSING", "必填项不能为空")
        return FieldError(path, "WRONG_TYPE", f"类型不正确，应为{_TYPE_NAMES[etype]}")
    if etype in ("literal_error", "enum"):
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return FieldError(path, "INVALID_ENUM", f"取值无效，可选值：{'、'.join(options)}")
    if etype in _LENGTH_ERRORS:
        code = _LENGTH_ERRORS[etype]
        if etype.startswith("string"):
            n = ctx.get("max_length", ctx.get("min_length"))
            msg = f"长度不能超过{n}个字符" if code == "TOO_LONG" else f"长度不能少于{n}个字符"
            if code == "TOO_SHORT" and n == 1:
                return FieldError(path, "MISSING", "必填项不能为空")
        else:
            n = ctx.get("max_length", ctx.get("min_length"))
            msg = f"最多填写{n}项" if code == "TOO_LONG" else f"至少填写{n}项"
        return FieldError(path, code, msg)
    if etype.startswith(("greater_than", "less_than")):
        return FieldError(path, "OUT_OF_RANGE", "数值超出允许范围")
    if etype == "string_pattern_mismatch":
        return FieldError(path, "INVALID_FORMAT", "格式不正确")
    return FieldError(path, "INVALID_VALUE", "取值无效")


def field_errors(exc: ValidationError) -> list[FieldError]:
    """One ``FieldError`` per pydantic error (any model built from these field types)."""
    return [_field_error(e) for e in exc.errors()]


# --------------------------------------------------------------------------- cross-field rules

# 《民法典》第一千零四十七条: 结婚年龄，男不得早于二十二周岁，女不得早于二十周岁。
MARRIAGE_AGE = {"woman": 20, "man": 22}
PREGNANCY_WEEKS = (1, 45)

_ROLE_LABEL = {"woman": "女方", "man": "男方", "proxy": "代办人"}
# Messages the portal also shows on the step itself, before submitting (domain/form_rules.py serves
# them to the page, so browser and server say the same words).
ID_SEX_MESSAGE = "{role}身份证号码的性别应为{sex}"
UNDER_AGE_MESSAGE = "{role}未达到法定婚龄（男22周岁、女20周岁），请核对身份证号码"
MARRIAGE_FUTURE_MESSAGE = "结婚登记日期不能晚于今天"
MARRIED_UNDER_AGE_MESSAGE = "结婚登记日期早于{roles}达到法定婚龄（男22周岁、女20周岁）的日期"


def add_years(d: date, years: int) -> date:
    """Same month/day ``years`` later; 29 Feb becomes 1 Mar in non-leap years (the day a person
    born on 29 Feb has completed the full years)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return date(d.year + years, 3, 1)


def _label(path: str) -> str:
    if path.startswith("children."):
        return f"第{int(path.split('.')[1]) + 1}个子女"
    return _ROLE_LABEL.get(path.split(".")[0], path)


def _check_region(path: str, code: str, allowed: tuple[str, ...]) -> list[FieldError]:
    r = regions.lookup(code)
    if r is None:
        return [FieldError(path, "UNKNOWN_REGION", "行政区划代码不存在")]
    if r.level not in allowed:
        if allowed == ("township",):
            return [FieldError(path, "NOT_TOWNSHIP", "登记机构须为乡镇（街道）")]
        return [FieldError(path, "REGION_TOO_COARSE", "地址须填写到区县级或乡镇（街道）级")]
    return []


def _cross_checks(form: RegistrationForm, today: date) -> list[FieldError]:
    errs: list[FieldError] = []
    add = errs.append

    # ---- ID numbers (GB 11643) and sexes
    births: dict[str, date] = {}
    for role, person in form.spouses():
        path = f"{role}.id_number"
        problems = idcard.validate_id(person.id_number, today=today)
        errs.extend(FieldError(path, p, idcard.ID_PROBLEM_MESSAGES[p]) for p in problems)
        if not problems:
            births[role] = idcard.birth_date(person.id_number)
            expected = "female" if role == "woman" else "male"
            if idcard.sex(person.id_number) != expected:
                sex = "女" if expected == "female" else "男"
                add(FieldError(path, "ID_SEX_MISMATCH", ID_SEX_MESSAGE.format(role=_ROLE_LABEL[role], sex=sex)))
            elif today < add_years(births[role], MARRIAGE_AGE[role]):
                # Too young today means too young on any marriage date: the ID number is what to check.
                add(FieldError(path, "UNDER_MARRIAGE_AGE", UNDER_AGE_MESSAGE.format(role=_ROLE_LABEL[role])))
    if form.proxy is not None:
        problems = idcard.validate_id(form.proxy.id_number, today=today)
        errs.extend(FieldError("proxy.id_number", p, idcard.ID_PROBLEM_MESSAGES[p]) for p in problems)
    for i, child in enumerate(form.children):
        if child.id_number is None:
            continue
        path = f"children.{i}.id_number"
        problems = idcard.validate_id(child.id_number, today=today)
        errs.extend(FieldError(path, p, idcard.ID_PROBLEM_MESSAGES[p]) for p in problems)
        if not problems:
            if idcard.sex(child.id_number) != child.sex:
                add(FieldError(path, "ID_SEX_MISMATCH", "子女身份证号码的性别与所填性别不一致"))
            if idcard.birth_date(child.id_number) != child.birth_date:
                add(FieldError(path, "ID_BIRTH_DATE_MISMATCH", "子女身份证号码的出生日期与所填出生日期不一致"))

    # ---- names and ID numbers may not repeat across roles (woman, man, children, proxy)
    people: list[tuple[str, str, str | None]] = [
        ("woman", form.woman.name, form.woman.id_number),
        ("man", form.man.name, form.man.id_number),
    ]
    people += [(f"children.{i}", c.name, c.id_number) for i, c in enumerate(form.children)]
    if form.proxy is not None:
        people.append(("proxy", form.proxy.name, form.proxy.id_number))
    seen_names: dict[str, str] = {}
    seen_ids: dict[str, str] = {}
    for prefix, name, id_number in people:
        key = re.sub(r"\s+", "", name)
        if key in seen_names:
            add(FieldError(f"{prefix}.name", "DUPLICATE_NAME", f"姓名与{_label(seen_names[key])}重复"))
        else:
            seen_names[key] = prefix
        if id_number:
            if id_number in seen_ids:
                add(
                    FieldError(
                        f"{prefix}.id_number", "DUPLICATE_ID_NUMBER", f"身份证号码与{_label(seen_ids[id_number])}重复"
                    )
                )
            else:
                seen_ids[id_number] = prefix

    # ---- marriage: not in the future, both of legal age on the marriage date
    if form.marriage.date > today:
        add(FieldError("marriage.date", "FUTURE_DATE", MARRIAGE_FUTURE_MESSAGE))
    elif births:
        too_young = [
            role
            for role, born in births.items()
            if form.marriage.date < add_years(born, MARRIAGE_AGE[role]) <= today  # under age today: on the ID
        ]
        if too_young:
            who = "、".join(_ROLE_LABEL[r] for r in too_young)
            add(FieldError("marriage.date", "UNDER_MARRIAGE_AGE", MARRIED_UNDER_AGE_MESSAGE.format(roles=who)))

    # ---- addresses: known codes at county level or finer; residence start date not in the future
    for role, person in form.spouses():
        for kind in ("hukou", "residence"):
            addr = getattr(person, kind)
            errs.extend(_check_region(f"{role}.{kind}.region_code", addr.region_code, ("county", "township")))
            if addr.since is not None and addr.since > today:
                add(FieldError(f"{role}.{kind}.since", "FUTURE_DATE", "起始日期不能晚于今天"))

    # ---- office: a known township (乡镇、街道), 002 四 "乡镇人民政府、街道办事处"
    errs.extend(_check_region("application.office_code", form.application.office_code, ("township",)))

    # ---- commitment: 002 五(一)4 "按要求如实填写生育登记表内容并承诺提交";
    #      000 §2.3.5 "勾选承诺，点击“已确认信息无误”"
    if form.application.commitment_accepted is not True:
        add(FieldError("application.commitment_accepted", "COMMITMENT_REQUIRED", "须阅读并勾选登记承诺"))
    if form.application.commitment_at.astimezone(SHANGHAI).date() > today:
        add(FieldError("application.commitment_at", "FUTURE_DATE", "承诺时间不能晚于今天"))

    # ---- proxy iff type == proxy (002 五(二)1 "委托代办的，出具委托人和代办人双方身份证件，填写委托代办项目并签字")
    if form.application.type == "proxy" and form.proxy is None:
        add(FieldError("proxy", "MISSING", "委托代办须填写代办人信息"))
    if form.application.type != "proxy" and form.proxy is not None:
        add(FieldError("proxy", "NOT_ALLOWED", "非代办申请不应填写代办人信息"))

    # ---- late registration is for a child already born: 002 附件1 "补办（已分娩）"
    if form.application.type == "late" and form.pregnancy.status != "delivered":
        add(FieldError("application.type", "LATE_REQUIRES_DELIVERY", "补办登记仅适用于已分娩的情形"))

    # ---- rebirth reason must match a joint child's health:
    #      002 一(二) "已经生育三个子女的夫妻，子女死亡或者经鉴定为残疾的，可以依法再生育子女"
    reason = form.application.rebirth_reason
    if reason is not None:
        needed = "deceased" if reason == "child_deceased" else "disabled"
        if not any(c.relation == "joint" and c.health == needed for c in form.children):
            add(
                FieldError(
                    "application.rebirth_reason",
                    "REBIRTH_REASON_MISMATCH",
                    "再生育原因与子女健康状况不一致：须有共同生育的子女"
                    + ("死亡" if needed == "deceased" else "经鉴定为残疾"),
                )
            )

    # ---- children
    for i, child in enumerate(form.children):
        p = f"children.{i}"
        if child.birth_date >= today:
            add(FieldError(f"{p}.birth_date", "NOT_BEFORE_TODAY", "子女出生日期须早于今天"))
        parents = {"joint": ("woman", "man"), "woman": ("woman",), "man": ("man",)}[child.relation]
        if any(role in births and child.birth_date <= births[role] for role in parents):
            add(FieldError(f"{p}.birth_date", "BEFORE_PARENT_BIRTH", "子女出生日期早于父母的出生日期"))
        # 000 §2.3.4 "出生地需要填写到区县级"
        errs.extend(_check_region(f"{p}.birthplace_code", child.birthplace_code, ("county", "township")))
        # 002 附件1 columns 健康状况 / 残疾证号: a certificate number goes with 残疾 only
        if child.health == "disabled" and child.disability_certificate is None:
            add(FieldError(f"{p}.disability_certificate", "MISSING", "子女残疾的须填写残疾证号"))
        if child.health != "disabled" and child.disability_certificate is not None:
            add(FieldError(f"{p}.disability_certificate", "NOT_ALLOWED", "子女非残疾的不应填写残疾证号"))

    # ---- pregnancy: 002 附件1 "目前孕育情况 □未怀孕 □已怀孕（__周） □已分娩（补办）"
    preg = form.pregnancy
    if preg.status == "pregnant":
        if preg.weeks is None:
            add(FieldError("pregnancy.weeks", "MISSING", "已怀孕的须填写孕周"))
        elif not PREGNANCY_WEEKS[0] <= preg.weeks <= PREGNANCY_WEEKS[1]:
            add(
                FieldError(
                    "pregnancy.weeks", "OUT_OF_RANGE", f"孕周应在{PREGNANCY_WEEKS[0]}至{PREGNANCY_WEEKS[1]}周之间"
                )
            )
    elif preg.weeks is not None:
        add(FieldError("pregnancy.weeks", "NOT_ALLOWED", "仅已怀孕时填写孕周"))
    if preg.status == "delivered":
        if preg.birth_date is None:
            add(FieldError("pregnancy.birth_date", "MISSING", "已分娩的须填写出生日期"))
        elif preg.birth_date > today:
            add(FieldError("pregnancy.birth_date", "FUTURE_DATE", "出生日期不能晚于今天"))
    elif preg.birth_date is not None:
        add(FieldError("pregnancy.birth_date", "NOT_ALLOWED", "仅已分娩时填写出生日期"))

    return errs


# --------------------------------------------------------------------------- entry point


def parse_registration(body: Any, *, today: date) -> RegistrationForm:
    """Validate a decoded JSON body. ``today`` is the date in China (``tz.today()``)."""
    if not isinstance(body, dict):
        raise ValidationFailed(
            "请求内容须为 JSON 对象", details=[FieldError("", "INVALID_BODY", "请求内容须为 JSON 对象")]
        )
    try:
        form = RegistrationForm.model_validate(body)
    except ValidationError as exc:
        raise ValidationFailed(details=field_errors(exc)) from None
    problems = _cross_checks(form, today)
    if problems:
        raise ValidationFailed(details=problems)
    return form


__all__ = [
    "MARRIAGE_AGE",
    "PREGNANCY_WEEKS",
    "Address",
    "Application",
    "Child",
    "Marriage",
    "Person",
    "Pregnancy",
    "Proxy",
    "RegistrationForm",
    "add_years",
    "field_errors",
    "parse_registration",
]
