"""The birth medical certificate (出生医学证明) e-licence of Guizhou: the rules of seed 003, pure.

Seed 003 (``003_*.txt``, parts 一 to 四) describes the first issuance inside and outside a medical
institution, what the issuer must do with incomplete materials, and the reissue. Each rule below
cites its sentence. No I/O: the services (``chalicelib/services/births/``) load, decide here, save.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain import idcard, profiles

# 003 一(一)1: "by the midwife ... within 24 hours after the birth ... into the hospital information
# system, after checking for accuracy, sign (electronic signature) confirmation and submit".
# Later entries are allowed (a birth must still be recorded) but flagged and counted (issue 16).
ENTRY_WINDOW = timedelta(hours=24)

SEXES = {"male": "男", "female": "女"}
# 003 一(一)2 "the witness" (申领人): a parent; 一(二)2 covers the one who is not the mother.
CLAIMANTS = {"mother": "母亲", "father": "父亲"}

# Where a birth record stands. A correction of the entry creates a new signed version and is
# possible only until the certificate is issued; a reissue keeps the status (a new number).
ENTERED = "entered"  # 已录入，待申领 (003 一(一)1)
CLAIMED = "claimed"  # 已申领，待签发审核 (一(一)2)
ISSUED = "issued"  # 已签发打印，待盖章核对 (一(一)3)
STAMPED = "stamped"  # 已核对盖章 (一(一)4)
STATUS_LABELS = {ENTERED: "待申领", CLAIMED: "待签发", ISSUED: "已签发，待盖章", STAMPED: "已盖章"}

# Materials (003 一(二), 二(二), 四(一)), by code, with the words of the notice.
MATERIALS = {
    "MOTHER_ID": "母亲有效身份证件",
    "FATHER_ID": "父亲有效身份证件",
    "MOTHER_AUTHORIZATION": "新生儿母亲签署的委托书",
    "MOTHER_STATEMENT": "新生儿母亲签署的未提供父亲信息的书面声明",
    "PATERNITY_DECLARATION": "父母或监护人出具的亲子关系声明",
    "PATERNITY_APPRAISAL": "具有法定鉴定资质机构出具的亲子鉴定证明",
}


# The reissue's documents (003 四(一)): scans of the written application, and -- when the system
# holds no original issuance record -- the original record or the issuer's certificate.
REISSUE_DOCUMENTS = {
    "REISSUE_APPLICATION": "补发出生医学证明的书面申请",
    "ORIGINAL_RECORD": "原始签发记录或签发机构出具的证明",
}
# 003 四(一)1 "apply for reissue of the written application materials": needed for every reissue.
REISSUE_REQUIRED = ("REISSUE_APPLICATION",)


def is_late(born_at: datetime, entered_at: datetime) -> bool:
    """003 一(一)1 "within 24 hours after the birth": an entry after that is late (flagged)."""
    return entered_at - born_at > ENTRY_WINDOW


def entry_problems(record: dict[str, Any], *, now: datetime) -> list[tuple[str, str, str]]:
    """What is wrong with an entry beyond its shape: (field path, code, message) each.

    The entry is "checked for accuracy" (003 一(一)1) before it is signed: the birth lies in the
    past, and the mother's ID number is a valid one of a woman (the father's, if given, a man's).
    """
    out: list[tuple[str, str, str]] = []
    born_at = datetime.fromisoformat(record["newborn"]["born_at"])
    if born_at > now:
        out.append(("newborn.born_at", "DATE_IN_FUTURE", "出生时间不能晚于当前时间"))
    for who, sex, label in (("mother", "female", "母亲"), ("father", "male", "父亲")):
        person = record.get(who)
        if not person:
            continue
        problems = idcard.validate_id(person["id_number"], today=now.date())
        if problems:
            message = idcard.ID_PROBLEM_MESSAGES.get(problems[0], "身份证号码无效")
            out.append((f"{who}.id_number", problems[0], message))
        elif idcard.sex(person["id_number"]) != sex:
            out.append((f"{who}.id_number", "ID_SEX_MISMATCH", f"{label}的身份证号码与性别不符"))
    return out


def canonical(document: dict[str, Any]) -> bytes:
    """The bytes an electronic signature covers: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def record_hash(document: dict[str, Any]) -> str:
    """003 一(一)1 "sign (electronic signature) confirmation": the signed record's SHA-256."""
    return hashlib.sha256(canonical(document)).hexdigest()


def required_materials(*, claimant: str, father_given: bool, outside_institution: bool) -> list[tuple[str, ...]]:
    """The materials a claim needs: a list of groups, each satisfied by any one of its codes."""
    # 003 一(二)1 / 二(二)1: "the parents of the newborn's original valid identity documents".
    groups: list[tuple[str, ...]] = [("MOTHER_ID",)]
    if father_given:
        groups.append(("FATHER_ID",))
    # 003 一(二)2 / 二(二)4: "the witness is not the mother of the newborn, you need to provide the
    # mother of the newborn signed power of attorney and the original valid ID card of the witness"
    # (the father's ID is required above).
    if claimant != "mother":
        groups.append(("MOTHER_AUTHORIZATION",))
    # 003 一(二)3 / 二(二)5: "If the father's information is not provided, a written statement signed
    # by the mother of the newborn is required."
    if not father_given:
        groups.append(("MOTHER_STATEMENT",))
    # 003 二(二)2, 3: born outside a medical institution, "a declaration of paternity" or a
    # "certificate of paternity issued by an organization with legal appraisal qualification"
    # (issue 16 item 5: either of them).
    if outside_institution:
        groups.append(("PATERNITY_DECLARATION", "PATERNITY_APPRAISAL"))
    return groups


def missing_materials(required: list[tuple[str, ...]], accepted: set[str]) -> list[tuple[str, ...]]:
    """The groups no accepted document satisfies, in the order they are required."""
    return [group for group in required if not accepted & set(group)]


def notice_text(missing: list[tuple[str, ...]]) -> str:
    """003 三(三): "the issuing agency to inform the one-time need to make up for the material":
    every missing material in one notice."""
    items = ["或".join(MATERIALS[c] for c in group) for group in missing]
    return "请一次性补齐以下材料：" + "；".join(f"{i}. {text}" for i, text in enumerate(items, 1))


def uploadable(required: list[tuple[str, ...]]) -> list[str]:
    """Every code the claim may upload (each alternative of each group)."""
    return [code for group in required for code in group]


def claimant_id_matches(record: dict[str, Any], claimant: str, id_number: str) -> bool:
    """The claimant's ID number is the one recorded for that parent (003 一(一)2 "read a valid ID
    card access to my first issuance registration form"): the mother's is recorded at entry."""
    person = record.get(claimant) or {}
    return bool(person.get("id_number")) and person["id_number"].upper() == id_number.upper()


def certificate_number(county: str, year: int, seq: int) -> str:
    """The e-licence's own number series: ``Q`` + county + year + 6-digit sequence (the 生育服务证's
    numbers are digits only, so the two series never meet)."""
    return f"Q{county}{year}{seq:06d}"


def offered_in(province_code: str) -> bool:
    """Seed 003 is Guizhou's process (003 四 "Guizhou Province, the birth of a medical certificate
    of electronic license"): only a province whose profile says ``birth_certificates`` runs it."""
    profile = profiles.profile_for_province(province_code)
    return bool(profile and profile.birth_certificates)


# SMS to the claimant (at most 70 characters, adapters/sms.py). 003 三(三) "the issuing agency to
# inform the one-time need to make up for the material": the notice itself is on the status page.
NOTICE_SMS = "【出生医学证明】签发机构已一次性告知您需补齐的材料，请登录生育服务网上登记平台出生医学证明页面查看并上传。"
# 003 一(一)3 "can be printed": the e-licence number and where to download it.
ISSUED_SMS = "【出生医学证明】电子证照已签发，编号{number}，请登录生育服务网上登记平台出生医学证明页面，凭申领手机号下载。"


def issued_sms(number: str) -> str:
    return ISSUED_SMS.format(number=number)
