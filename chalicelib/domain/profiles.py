"""One ``Profile`` per province: every provincial difference is data or a strategy object here,
so no other module asks ``if province == ...``.

Seeds: 000 Sichuan manual (四川省计生网上便民服务系统), 001 Guizhou notice 黔卫计办明传[2016]31号 + 附件1,
002 Chongqing notice 渝卫办发〔2021〕59号 + 附件1/附件2, 003 Guizhou (birth certificate + platform, English),
004 Chongqing online steps (English).

Review deadlines marked ``configurable=True`` are not stated by the seeds for that province; they are
defaults the operator is expected to set (``Profile.with_review_days``, ``Profile.with_settings``).

The process settings (issue 14): what a failed check leads to (``failed_check``), which checks must
confirm the couple for direct registration (``direct_registration_checks``), what a record nobody
can verify leads to (``unverifiable_policy``), the proof deadline, how far an overdue review climbs
(``escalation_levels``) and the messages of each step (``Wording``). Every setting has its seed
sentence in ``citations``; one no seed states says "(silent)" or "not in …" with the reason.
``check_settings`` refuses at import a profile that lacks a citation or names an unknown value, and
``with_settings`` refuses a setting a profile does not have. ``python -m chalicelib.domain.profiles
--doc`` writes docs/profiles.md from these profiles.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal

from . import regions
from .eligibility import (
    AllOf,
    EligibilityRule,
    HukouOrResidenceAnyInProvince,
    HukouOrResidenceInProvince,
    HukouOrResidenceOverOneMonth,
    RebirthAfterThreeChildren,
)
from .errors import NotFound
from .jurisdiction import (
    ChosenSpouseTownship,
    DeclaredOfficeInProvince,
    HukouThenResidenceWomanFirst,
    JurisdictionRule,
)
from .proofs import NoUploads, ProofsRule, ResidentSpouseProofs
from .review_decisions import ACCEPT, COMMON_DECISIONS, DECISIONS, ONSITE_VERIFICATION, REJECT

# A record no registry can confirm (marriage registered elsewhere, no household in the population
# registry): the commitment on the form prevails (002 五(三)), or it counts as a failed check.
UnverifiablePolicy = Literal["commitment_prevails", "as_failed_check"]
# What a failed identity or marriage check leads to: proof uploads (000 §2.3.5), a 比对未通过 notice
# with the on-site option (002 五(一)5), or manual acceptance by the township (003 V(B)).
FailedCheck = Literal["proofs", "not_matched_notice", "manual_acceptance"]
FAILED_CHECKS: tuple[str, ...] = ("proofs", "not_matched_notice", "manual_acceptance")
UNVERIFIABLE_POLICIES: tuple[str, ...] = ("commitment_prevails", "as_failed_check")
# The automated checks (statemachines/registration.asl.json VerifyRecords).
CHECKS: tuple[str, ...] = ("public_security", "civil_affairs", "population")


@dataclass(frozen=True)
class ReviewStage:
    code: str  # "initial_review" | "registration" | "review"
    title: str
    working_days: int
    citation: str
    configurable: bool = False  # True: not fixed by the seeds, an operator default
    # Is the day the case arrives the first of the working days? Only where the seed says
    # "含受理当日"; otherwise counting starts the next day (民法典 第二百零一条, working_days.py).
    counts_arrival_day: bool = False

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "title": self.title,
            "working_days": self.working_days,
            "citation": self.citation,
            "configurable": self.configurable,
            "counts_arrival_day": self.counts_arrival_day,
        }


@dataclass(frozen=True)
class Wording:
    """What the portal, the SMS and the PDF call things in this province (issue 17): one source,
    served to the web by ``GET /v1/profiles``. SMS texts must fit one message (70 characters)."""

    site: str  # the portal's name
    certificate: str  # the certificate as the province names it, without the province
    area: str  # 本省 / 本市
    validity: str  # one line on the certificate's legal effect (the seeds' words)
    marriage_certificate_example: str  # 结婚证字号 as issued in the province
    # SMS: {case_id} {query_code} {number}
    receipt_sms: str
    registered_sms: str
    not_registered_sms: str
    # {case_id}: a failed comparison closed the case (failed_check "not_matched_notice")
    not_matched_sms: str | None = None
    # {case_id} {query_code}: the case went to manual acceptance (failed_check "manual_acceptance")
    manual_acceptance_sms: str | None = None
    # {case_id} {due} (e.g. 12月8日前): documents asked for after a failed check or by a reviewer, documents
    # the profile requires before issue (``proofs``), and the case closed when none came by the deadline
    proofs_requested_sms: str = "【生育登记】办件{case_id}核验未通过，请于{due}凭查询码上传证明材料。"
    proofs_before_issue_sms: str = "【生育登记】办件{case_id}登记前须补充证明材料，请于{due}凭查询码上传。"
    proofs_overdue_sms: str = "【生育登记】办件{case_id}未按期补充材料，已终止办理，可重新登记或到现场办理。"
    # SMS when the first of two review stages passes ({case_id} {days}: the next stage's working
    # days); None where the province has a single review stage and nothing to say in between.
    initial_review_passed_sms: str | None = None

    def to_dict(self) -> dict:
        return {
            "site": self.site,
            "certificate": self.certificate,
            "area": self.area,
            "validity": self.validity,
            "marriage_certificate_example": self.marriage_certificate_example,
        }


# The query page's 查询码 tab asks for the query code and a spouse's name (001 附件1 一 "查询码+姓名"):
# the SMS says so, rather than "办件号和查询码".
_RECEIPT = "【生育登记】已收到您的登记，办件号{case_id}，查询码{query_code}，凭查询码和姓名可查询办件。"
_NOT_REGISTERED = "【生育登记】您的办件{case_id}未予登记，原因请凭查询码和姓名在办件查询中查看。"


def issuing_authority(office_name: str) -> str:
    """The full name of the body that issues the certificate, from its township's name: a street
    (街道) acts through its 街道办事处, a town or township through its 人民政府 (002 四 "乡镇人民政府、
    街道办事处"; 001 三 "乡级计生行政主管部门")."""
    if office_name.endswith(("办事处", "人民政府")):
        return office_name
    if office_name.endswith("街道"):
        return f"{office_name}办事处"
    if office_name.endswith(("镇", "乡")):
        return f"{office_name}人民政府"
    return office_name


@dataclass(frozen=True, eq=False)  # identity equality: holds strategy objects and a mapping
class Profile:
    code: str
    province_code: str
    certificate_title: str
    review_stages: tuple[ReviewStage, ...]
    online_proxy_allowed: bool
    modify_once: bool
    supplement_before_review: bool
    unverifiable_policy: UnverifiablePolicy
    onsite_post_divorce_pregnancy: bool
    online_max_order: int | None  # highest 登记孩次 handled online; None = no limit
    beyond_online_scope_channel: str
    eligibility: EligibilityRule
    jurisdiction: JurisdictionRule
    proofs: ProofsRule
    citations: Mapping[str, str] = field(default_factory=dict)
    wording: Wording | None = None
    # The government systems every registration of the province is delivered to (domain/sharing.py).
    shares_with: tuple[str, ...] = ()
    # Joint children a couple must have before a registration counts as a re-birth (child_order.py).
    rebirth_after_children: int = 3
    # Does the public-security check wait for working hours (the VerificationWindow parameter)?
    verification_window: bool = False
    # What a failed identity or marriage check leads to (``FailedCheck``; domain/routing.py).
    failed_check: FailedCheck = "proofs"
    # The checks whose confirmation registers the couple directly. A check not listed stops the case
    # only when its record contradicts the form (a person reconciles them), never for lack of a record.
    direct_registration_checks: tuple[str, ...] = CHECKS
    # Working days the couple has to upload documents (after a failed check or a staff request).
    proof_deadline_days: int = 5
    # How many levels above the township an overdue review task climbs (1: county, 2: county then city).
    escalation_levels: int = 2
    # Does the province take 特殊情形再生育预约（三孩预约） at its township offices (domain/appointments.py)?
    appointments: bool = False
    # Does the province run the birth medical certificate e-licence process (出生医学证明电子证照)?
    birth_certificates: bool = False
    # The decisions this province's reviewers may take (domain/review_decisions.py), and the stage a
    # case waits in for the couple's visit when one of them is 需现场核实 (``onsite_verification``).
    review_decisions: tuple[str, ...] = COMMON_DECISIONS
    onsite_verification: ReviewStage | None = None
    # Are the couple of an on-site registration asked to upload documents when a check fails? Where
    # not, staff see the originals at the counter and a failed check goes to the reviewer instead.
    onsite_uploads: bool = True

    @property
    def province_name(self) -> str:
        r = regions.lookup(self.province_code)
        return r.name if r else self.province_code

    def stage(self, code: str) -> ReviewStage:
        for s in (*self.review_stages, *((self.onsite_verification,) if self.onsite_verification else ())):
            if s.code == code:
                return s
        raise KeyError(code)

    def uploads_for(self, channel: str) -> bool:
        """Whether a case of ``channel`` (online / onsite) may ask the couple for uploads."""
        return channel != "onsite" or self.onsite_uploads

    @property
    def total_review_days(self) -> int:
        return sum(s.working_days for s in self.review_stages)

    def with_review_days(self, **days: int) -> Profile:
        """Copy with operator-set deadlines, e.g. ``SICHUAN.with_review_days(review=7)``; a stage the
        province does not have is refused (``UnknownSetting``)."""
        unknown = set(days) - {s.code for s in self.review_stages}
        if unknown:
            raise UnknownSetting(f"profile {self.code}: unknown review stages {sorted(unknown)}")
        if any(not isinstance(n, int) or n < 1 for n in days.values()):
            raise ValueError("working days must be positive integers")
        stages = tuple(
            replace(s, working_days=days[s.code], citation=f"operator setting (was: {s.citation})")
            if s.code in days
            else s
            for s in self.review_stages
        )
        return replace(self, review_stages=stages)

    def with_settings(self, **values: object) -> Profile:
        """Copy with operator-set process settings, e.g. ``SICHUAN.with_settings(proof_deadline_days=7)``.
        A setting the profile does not have is refused (``UnknownSetting``), a value outside the
        setting's range too (``ValueError``); the copy cites the operator."""
        unknown = set(values) - set(OPERATOR_SETTINGS)
        if unknown:
            raise UnknownSetting(f"profile {self.code}: unknown settings {sorted(unknown)}; one of {sorted(OPERATOR_SETTINGS)}")
        citations = {**self.citations, **{k: f"operator setting (was: {self.citations.get(k)})" for k in values}}
        changed = replace(self, **values, citations=MappingProxyType(citations))  # type: ignore[arg-type]
        check_settings({changed.code: changed})
        return changed

    def process(self) -> dict:
        """The process settings with their values, for the API, the docs and the staff console."""
        return {name: _plain(getattr(self, name)) for name in PROCESS_SETTINGS}

    def to_dict(self) -> dict:
        """Public description (no strategy internals) for the API / front end."""
        return {
            "code": self.code,
            "province_code": self.province_code,
            "province_name": self.province_name,
            "certificate_title": self.certificate_title,
            "review_stages": [s.to_dict() for s in self.review_stages],
            "online_proxy_allowed": self.online_proxy_allowed,
            "modify_once": self.modify_once,
            "supplement_before_review": self.supplement_before_review,
            "unverifiable_policy": self.unverifiable_policy,
            "online_max_order": self.online_max_order,
            "appointments": self.appointments,
            "shares_with": [RECEIVING_SYSTEMS[code] for code in self.shares_with],
            "process": self.process(),
            "review_decisions": [{"decision": d, "label": DECISIONS[d]} for d in self.review_decisions],
            "onsite_verification": self.onsite_verification.to_dict() if self.onsite_verification else None,
            "onsite_uploads": self.onsite_uploads,
            "citations": dict(self.citations),
            "wording": self.wording.to_dict() if self.wording else None,
        }


class UnknownSetting(KeyError):
    """An operator override names a setting (or review stage) the province's profile does not have."""


def _plain(value: object) -> object:
    if isinstance(value, tuple):
        return list(value)
    return getattr(value, "code", value)  # a strategy object by its name


# The settings that decide the workflow; each profile cites a seed sentence (or its silence) for each.
PROCESS_SETTINGS: tuple[str, ...] = (
    "verification_window",
    "direct_registration_checks",
    "failed_check",
    "unverifiable_policy",
    "proofs",
    "proof_deadline_days",
    "escalation_levels",
    "review_decisions",
    "onsite_uploads",
    "supplement_before_review",
    "modify_once",
    "online_proxy_allowed",
    "online_max_order",
    "rebirth_after_children",
    "shares_with",
    "appointments",
    "birth_certificates",
)
# What an operator may change without a code change (``Profile.with_settings``).
OPERATOR_SETTINGS: tuple[str, ...] = ("proof_deadline_days", "escalation_levels", "verification_window")

# The receiving systems a profile may name in ``shares_with`` (adapters/sharing.py delivers to them).
RECEIVING_SYSTEMS: Mapping[str, str] = MappingProxyType({"yukuaiban": "渝快办", "pis": "PIS（人口信息系统）"})


SICHUAN = Profile(
    code="sichuan",
    province_code="51",
    # 000 §2.3.7 "可直接打印生育登记证"; 000 §1 "登记后直接办理生育登记并可以在线打印生育登记证"
    certificate_title="四川省生育登记证",
    wording=Wording(
        site="四川省生育登记网上便民服务",
        certificate="生育登记证",
        area="本省",
        # 000 §1 "登记后直接办理生育登记并可以在线打印生育登记证"
        validity="生育登记证可在线打印，扫描证上二维码或按登记编号核验真伪",
        marriage_certificate_example="J510104-2021-001234",
        receipt_sms=_RECEIPT,
        registered_sms="【生育登记】您已完成生育登记，登记编号{number}，可凭查询码和姓名查询并打印生育登记证。",
        not_registered_sms=_NOT_REGISTERED,
    ),
    review_stages=(
        # 000 states no review deadline (registration is immediate when the 公安/民政 checks pass,
        # 000 §1 and §2.3.5). 5 working days is borrowed from 003 Fifth (C) — "within five working
        # days to complete the birth registration" — which is Guizhou's manual acceptance. Operator default.
        ReviewStage("review", "人工审核", 5, "not in 000; default from 003 五(三) (Guizhou)", configurable=True),
    ),
    # 000 is silent on proxies; the online flow is filled in by the couple themselves.
    online_proxy_allowed=True,
    # 000 §2.4.2 注 "登记信息只允许被修改一次"
    modify_once=True,
    supplement_before_review=False,
    # 000 §2.3.5: a record the 公安/民政 check cannot confirm is a check "没有校验通过的" → uploads
    unverifiable_policy="as_failed_check",
    onsite_post_divorce_pregnancy=False,
    # 000 §2.1 "网上登记（一孩、二孩登记）、特殊情形再生育预约（三孩预约）"
    online_max_order=2,
    beyond_online_scope_channel="“特殊情形再生育预约（三孩预约）”",
    eligibility=HukouOrResidenceInProvince(),
    jurisdiction=HukouThenResidenceWomanFirst(),
    proofs=ResidentSpouseProofs(),
    shares_with=(),  # 000 names no system a registration is delivered to
    # 000 §2.3.5 注 "公安校验只在正常工作时间范围内开放，其余时间均不能通过校验"
    verification_window=True,
    failed_check="proofs",
    # 000 §1 "登记后直接办理生育登记"; 000 §2.3.5 checks "姓名、身份证号及结婚证号" against 公安 and 民政
    # only: a couple the population registry does not know is registered all the same.
    direct_registration_checks=("public_security", "civil_affairs"),
    proof_deadline_days=5,
    escalation_levels=2,
    # 000 §2.1 "特殊情形再生育预约（三孩预约）": the couple books a time at the township office
    appointments=True,
    citations=MappingProxyType(
        {
            "birth_certificates": "000 (silent): the e-licence process is Guizhou's (003)",
            "appointments": "000 §2.1: 网上登记（一孩、二孩登记）、特殊情形再生育预约（三孩预约）及办件查询",
            "failed_check": "000 §2.3.5: 录入的对象信息没有校验通过的，系统会给出未通过的原因，此时需上传相关证明材料",
            "direct_registration_checks": "000 §1: 登记后直接办理生育登记; 000 §2.3.5: 通过…男女双方的姓名、身份证号及结婚证号去查验国家公安信息和四川民政信息 (no population comparison named)",
            "proof_deadline_days": "not in 000 (§2.3.5 names no deadline): a request must end for the case to close; operator default",
            "escalation_levels": "not in 000: an overdue review reaches the county, then the city, so someone who can act sees it; operator default",
            "supplement_before_review": "000 (silent): only 001 附件1 一 (Guizhou) states it",
            "review_stages": "not in 000 (registration is immediate when the checks pass); default from 003 V(C) (Guizhou)",
            "shares_with": "000 (silent)",
            "rebirth_after_children": "000 (silent): 002 一(二)'s three children, as national practice; a re-birth is a 4th child, which 000 §2.1 sends to 三孩预约/on site",
            "eligibility": "000 注 1–3",
            "jurisdiction": "000 注 1–3",
            "modify_once": "000 §2.4.2 注: 登记信息只允许被修改一次",
            "proofs": "000 §2.3.5: 如果男女双方户籍地均未在四川省内，其中一方现居住地在四川省内，则需上传其中一方的身份证及在四川省内的现居住证明文件",
            "verification_window": "000 §2.3.5 注: 公安校验只在正常工作时间范围内开放，其余时间均不能通过校验",
            "unverifiable_policy": "000 §2.3.5: 录入的对象信息没有校验通过的…此时需上传相关证明材料 (a record that cannot be checked has not passed)",
            "online_proxy_allowed": "000 (silent)",
            "onsite_post_divorce_pregnancy": "000 (silent)",
            "undecidable": "000 注 1–3 (address not at township level)",
            "online_max_order": "000 §2.1: 网上登记（一孩、二孩登记）、特殊情形再生育预约（三孩预约）",
            "review_decisions": "000 (silent): 通过、不予登记、补充材料 (000 §2.3.5 此时需上传相关证明材料)",
            "onsite_uploads": "000 (silent): an on-site case follows 000 §2.3.5 like an online one",
        }
    ),
)

GUIZHOU = Profile(
    code="guizhou",
    province_code="52",
    # 001 一(一) "“贵州省生育服务网上登记平台”生成的“贵州省(电子)生育服务证”"
    certificate_title="贵州省(电子)生育服务证",
    wording=Wording(
        site="贵州省生育服务网上登记平台",
        certificate="(电子)生育服务证",
        area="本省",
        # 001 一(一) "电子生育服务证"和"普通生育服务证"同等有效
        validity="(电子)生育服务证与普通生育服务证同等有效",
        marriage_certificate_example="J520102-2021-001234",
        receipt_sms=_RECEIPT,
        registered_sms="【生育登记】您已完成生育登记，登记编号{number}，可凭查询码和姓名查询并打印(电子)生育服务证。",
        not_registered_sms=_NOT_REGISTERED,
        # 003 V(B) "send the birth registration business “query code” to the declarant (the declarant can
        # use this “query code” … query manually accepted business status)"
        manual_acceptance_sms="【生育登记】办件{case_id}自动比对未通过，已转人工受理，查询码{query_code}，凭查询码和姓名可查询办理状态。",
        # 001 附件1 二 "填写的生育登记信息在初审通过后，填写人将在3个工作日内查询或收到是否成功进行生育登记的结果
        # 状态通知"; 附件1 一 "申报人将在2个工作日内查询或收到…初审结果状态通知"
        initial_review_passed_sms="【生育登记】您的办件{case_id}已通过信息初审，将在{days}个工作日内（含受理当日）办理生育登记，结果将短信通知。",
    ),
    review_stages=(
        # 001 三(一)1(2) "乡级计生行政主管部门需在1个工作日内，对网上填写的生育登记信息进行初审": unlike 1(3)
        # it does not say 含受理当日, so the day starts after arrival (a case at Wed 23:50 is due Thu).
        ReviewStage("initial_review", "信息初审", 1, "001 三(一)1(2)"),
        # 001 三(一)1(3) "网上填写的生育登记信息经初审通过后，乡级计生行政主管部门须在3个工作日内（含受理当日）…核实"
        ReviewStage("registration", "生育登记", 3, "001 三(一)1(3)", counts_arrival_day=True),
    ),
    # 001 is silent on online proxies (003 Fifth (E) mentions entrustment for on-site registration).
    online_proxy_allowed=True,
    modify_once=False,
    # 001 附件1 一 "在填写的登记信息初审前，申报人能通过“查询码+姓名”调取所填写的生育登记信息，并可对其进行补充、完善"
    supplement_before_review=True,
    # 003 V(B): whatever is not "consistent with that recorded in the PCMIS" goes to manual acceptance
    unverifiable_policy="as_failed_check",
    onsite_post_divorce_pregnancy=False,
    # 001 二(一) "准备生育一孩或二孩的夫妇，可登录…填写生育登记信息"
    online_max_order=2,
    beyond_online_scope_channel="到夫妇一方省内户籍地或现居住地乡级计生行政主管部门或村（居）委会现场登记",
    eligibility=HukouOrResidenceAnyInProvince(),
    jurisdiction=DeclaredOfficeInProvince(),
    proofs=NoUploads("001 附件1 一–三 (no uploads)"),
    # 001 四(三) "乡级计生行政主管部门须及时将网上登记平台和现场登记的生育登记信息同步准确录入PIS"
    shares_with=("pis",),
    verification_window=False,  # 001 and 003 state no working-hours limit on the checks
    failed_check="manual_acceptance",
    direct_registration_checks=("public_security", "civil_affairs", "population"),
    proof_deadline_days=5,
    escalation_levels=2,
    # 003 四 "Guizhou Province, the birth of a medical certificate of electronic license": Guizhou's process.
    birth_certificates=True,
    citations=MappingProxyType(
        {
            "birth_certificates": "003 一–四: 贵州省出生医学证明电子证照首次签发、补发",
            "appointments": "001/003 (silent): third children are registered on site (001 二(一) 一孩或二孩 online)",
            "failed_check": "003 V(B): If the automatic comparison is unsuccessful … transfer the birth registration business … to the manual acceptance process and send the … “query code” to the declarant",
            "direct_registration_checks": "003 V(B): the main information … is consistent with that recorded in the PCMIS, the platform will instantly issue an electronic birth service certificate",
            "proof_deadline_days": "not in 001/003 (no uploads online, 001 附件1 一–三): bounds only documents a reviewer asks for; operator default",
            "escalation_levels": "not in 001/003 (001 三(二) 县级 only monitors): an overdue task reaches the county, then the city; operator default",
            "proofs": "001 附件1 一–三 (no uploads)",
            "modify_once": "001 (silent): supplements before 初审 instead (001 附件1 一)",
            "shares_with": "001 四(三): 及时将网上登记平台和现场登记的生育登记信息同步准确录入PIS",
            "verification_window": "001, 003 (silent): checks at any time",
            "rebirth_after_children": "001 (silent): 002 一(二)'s three children, as national practice; a re-birth is a 4th child, on site by 001 二(一)",
            "eligibility": "001 附件1 一、四",
            "jurisdiction": "001 附件1 一: 申报登记地",
            "review_stages": "001 三(一)1(2)(3)",
            "supplement_before_review": "001 附件1 一: 在填写的登记信息初审前…可对其进行补充、完善",
            "unverifiable_policy": "003 V(B): inconsistent with … PCMIS → manual acceptance; 001 三(一)1(3): 无法通过信息系统进行核实的，不进行生育登记 (decided by a person)",
            "online_proxy_allowed": "001 (silent)",
            "onsite_post_divorce_pregnancy": "001 (silent)",
            "undecidable": "001 附件1 四: 未能正常通过网上生育登记平台成功进行生育登记的，可直接到…现场登记",
            "online_max_order": "001 二(一): 准备生育一孩或二孩的夫妇",
            "review_decisions": "001 三(一)1(3): 符合生育政策的…进行网上生育服务登记；不符合…或无法…核实的，不进行生育登记",
            "onsite_uploads": "001 (silent)",
        }
    ),
)

CHONGQING = Profile(
    code="chongqing",
    province_code="50",
    # 002 附件2 "重庆市生育服务证登记回执"; 002 五(一)6 "生育服务证登记回执作为生育登记电子证件办理结果"
    certificate_title="重庆市生育服务证登记回执",
    wording=Wording(
        site="重庆市生育服务登记",
        certificate="生育服务证登记回执",
        area="本市",
        # 002 五(一)6 "生育服务证登记回执作为生育登记电子证件办理结果，与纸质生育服务证具有同等效力"
        validity="生育服务证登记回执与纸质生育服务证具有同等效力",
        marriage_certificate_example="J500103-2021-001234",
        receipt_sms=_RECEIPT,
        registered_sms="【生育登记】您已完成生育登记，登记编号{number}，可凭查询码和姓名查询并打印生育服务证登记回执。",
        not_registered_sms=_NOT_REGISTERED,
        # 002 五(一)5 "情况不属实告知审核比对未通过不能办理或到登记机构现场核实办理"; 004 (1) "notified by SMS or verified on site"
        not_matched_sms="【生育登记】办件{case_id}审核比对未通过不能办理，可到登记机构现场核实办理，原因凭查询码和姓名查询。",
    ),
    review_stages=(
        # 002 五(一)5 only says "情况属实，直接办结并短信通知"; no deadline in 002/004. Operator default.
        ReviewStage("review", "审核比对", 3, "not in 002/004; operator default", configurable=True),
    ),
    # 004 (two) "Entrusted by others" must be handled on the spot; 002 五(二)1 代办 is 线下现场登记.
    online_proxy_allowed=False,
    modify_once=False,
    supplement_before_review=False,
    # 002 五(三) "申请登记信息无法核实确认的以《登记表》承诺信息为准"
    unverifiable_policy="commitment_prevails",
    # 004 (two) "after divorce or widowhood, pregnancy and childbirth are found"
    onsite_post_divorce_pregnancy=True,
    online_max_order=None,  # 002 二(一) registers 一孩、二孩、三孩 (and re-births) alike
    beyond_online_scope_channel="登记机构现场登记",
    eligibility=AllOf((HukouOrResidenceOverOneMonth(), RebirthAfterThreeChildren())),
    jurisdiction=ChosenSpouseTownship(),
    proofs=NoUploads("002 六"),
    # 002 五(一)8 / 五(二)6 "生育服务证登记信息实时推送“渝快办”及共享给相关部门查询使用"
    shares_with=("yukuaiban",),
    verification_window=False,  # 002 and 004 state no working-hours limit on the comparison
    failed_check="not_matched_notice",
    direct_registration_checks=("public_security", "civil_affairs", "population"),
    proof_deadline_days=5,
    escalation_levels=2,
    # 002 五(一)5 "情况不属实告知审核比对未通过不能办理或到登记机构现场核实办理"; 004 (2) "Online
    # registration review requires on-site verification". No 补充材料: 002 六 "网上登记…登记机构不需要
    # 提交证件材料" -- what cannot be verified online is verified at the office.
    review_decisions=(ACCEPT, REJECT, ONSITE_VERIFICATION),
    # 002 and 004 give the couple no deadline for the visit: an operator default.
    onsite_verification=ReviewStage(
        "onsite_verification", "现场核实", 10, "not in 002/004; operator default (time for the couple's visit)", configurable=True
    ),
    # 002 六 "现场登记带上夫妻双方身份证、结婚证原件（含电子证件）": the originals are seen at the counter.
    onsite_uploads=False,
    citations=MappingProxyType(
        {
            "birth_certificates": "002/004 (silent): the e-licence process is Guizhou's (003)",
            "appointments": "002/004 (silent): 三孩 are registered online like other children (002 二(一))",
            "failed_check": "002 五(一)5: 情况不属实告知审核比对未通过不能办理或到登记机构现场核实办理; 002 六: 登记机构不需要提交证件材料",
            "direct_registration_checks": "002 五(三): 双向信息审核比对一致不需要核查验证相关证件资料即通过; 002 五(一)5: 情况属实，直接办结并短信通知",
            "proof_deadline_days": "not in 002/004 (002 六: no documents online): bounds only documents a reviewer asks for; operator default",
            "escalation_levels": "not in 002/004: an overdue task reaches the county, then the city; operator default",
            "review_stages": "not in 002/004 (五(一)5 only 情况属实，直接办结); operator default",
            "supplement_before_review": "002 (silent)",
            "modify_once": "002 (silent)",
            "shares_with": "002 五(一)8, 五(二)6: 生育服务证登记信息实时推送“渝快办”及共享给相关部门查询使用",
            "verification_window": "002, 004 (silent): checks at any time",
            "rebirth_after_children": "002 一(二): 已经生育三个子女的夫妻，子女死亡或者经鉴定为残疾的，可以依法再生育子女",
            "eligibility": "002 一(一)(二)",
            "jurisdiction": "002 四; 002 七(一)",
            "child_order": "002 二; 002 附件1 说明",
            "proofs": "002 六: 网上登记…登记机构不需要提交证件材料",
            "unverifiable_policy": "002 五(三): 申请登记信息无法核实确认的以《登记表》承诺信息为准",
            "online_proxy_allowed": "004 (two): Entrusted by others; 002 五(二)1: 登记对象或其委托代办人到登记机构现场填写",
            "onsite_post_divorce_pregnancy": "004 (two): after divorce or widowhood, pregnancy and childbirth are found",
            "undecidable": "004 (two): Other special circumstances can not be successfully handled online",
            "online_max_order": "002 二(一)",
            "review_decisions": "002 五(一)5: 情况不属实告知审核比对未通过不能办理或到登记机构现场核实办理; 004 (2): Online registration review requires on-site verification; no 补充材料, 002 六: 登记机构不需要提交证件材料",
            "onsite_verification": "not in 002/004: the days the couple has for the visit, an operator default",
            "onsite_uploads": "002 六: 网上登记…登记机构不需要提交证件材料。现场登记带上夫妻双方身份证、结婚证原件（含电子证件）",
        }
    ),
)

# The profiles as this code states them; a deployment may change the operator settings
# (``OPERATOR_SETTINGS`` and review days) with its PROFILE_OVERRIDES setting (``use_overrides``).
DEFAULT_PROFILES: Mapping[str, Profile] = MappingProxyType({p.code: p for p in (SICHUAN, GUIZHOU, CHONGQING)})
_ACTIVE: ContextVar[Mapping[str, Profile]] = ContextVar("active_profiles", default=DEFAULT_PROFILES)


class _ActiveProfiles(Mapping[str, Profile]):
    """The profiles in force for this request or invocation: the defaults, or the deployment's
    overrides once ``use_overrides`` installed them (per context: the local stack runs many
    units, each with its own environment, in one process)."""

    def __getitem__(self, code: str) -> Profile:
        return _ACTIVE.get()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(_ACTIVE.get())

    def __len__(self) -> int:
        return len(_ACTIVE.get())


PROFILES: Mapping[str, Profile] = _ActiveProfiles()


def check_receiving_systems(profiles: Mapping[str, Profile]) -> None:
    """A profile naming a system nobody delivers to is refused at load, not at the first registration."""
    for profile in profiles.values():
        unknown = [s for s in profile.shares_with if s not in RECEIVING_SYSTEMS]
        if unknown:
            raise ValueError(f"profile {profile.code}: unknown receiving system(s) {unknown}")


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_settings(profiles: Mapping[str, Profile]) -> None:
    """A profile whose process settings name an unknown value, or that does not cite a source (or
    its silence) for each of them, is refused at load."""
    problems: list[str] = []
    for p in profiles.values():
        if p.failed_check not in FAILED_CHECKS:
            problems.append(f"failed_check {p.failed_check!r} not in {FAILED_CHECKS}")
        if p.unverifiable_policy not in UNVERIFIABLE_POLICIES:
            problems.append(f"unverifiable_policy {p.unverifiable_policy!r} not in {UNVERIFIABLE_POLICIES}")
        unknown = [c for c in p.direct_registration_checks if c not in CHECKS]
        if unknown or not p.direct_registration_checks:
            problems.append(f"direct_registration_checks {list(p.direct_registration_checks)}: each one of {CHECKS}")
        if not _count(p.proof_deadline_days) or p.proof_deadline_days < 1:
            problems.append("proof_deadline_days must be a positive number of working days")
        if not _count(p.escalation_levels) or not 0 <= p.escalation_levels <= 2:
            problems.append("escalation_levels must be 0, 1 (county) or 2 (county, city)")
        if not isinstance(p.verification_window, bool):
            problems.append("verification_window must be true or false")
        if p.failed_check == "not_matched_notice" and (p.wording is None or not p.wording.not_matched_sms):
            problems.append("failed_check not_matched_notice needs wording.not_matched_sms")
        if p.failed_check == "manual_acceptance" and (p.wording is None or not p.wording.manual_acceptance_sms):
            problems.append("failed_check manual_acceptance needs wording.manual_acceptance_sms")
        uncited = [name for name in PROCESS_SETTINGS if not p.citations.get(name)]
        if uncited:
            problems.append(f"no source cited for {uncited}")
        if problems:
            raise ValueError(f"profile {p.code}: " + "; ".join(problems))


check_receiving_systems(PROFILES)
check_settings(PROFILES)


def with_overrides(overrides: Mapping[str, Mapping[str, object]], profiles: Mapping[str, Profile] = DEFAULT_PROFILES) -> dict[str, Profile]:
    """The profiles with an operator's settings mapping applied, e.g.
    ``{"sichuan": {"proof_deadline_days": 7, "review_days": {"review": 7}}}``. Everything is checked
    before anything is used: an unknown province, setting or review stage is refused
    (``UnknownSetting``), a value out of range too (``ValueError``)."""
    unknown = set(overrides) - set(profiles)
    if unknown:
        raise UnknownSetting(f"unknown profiles {sorted(unknown)}; one of {sorted(profiles)}")
    out = dict(profiles)
    for code, settings in overrides.items():
        values = dict(settings)
        days = values.pop("review_days", None) or {}
        out[code] = out[code].with_settings(**values).with_review_days(**dict(days))  # type: ignore[call-overload]
    return out


@functools.lru_cache(maxsize=8)
def parse_overrides(text: str) -> Mapping[str, Profile]:
    """The profiles a deployment's PROFILE_OVERRIDES setting gives: JSON such as
    ``{"sichuan": {"proof_deadline_days": 7, "review_days": {"review": 7}}}`` applied to the
    defaults (``with_overrides``); empty: the defaults. Refused whole (``ValueError`` or
    ``UnknownSetting``) if it is not JSON, not an object of objects, or names an unknown province,
    setting, stage or value -- the synth checks it (infra/settings.py), so a deployment never starts
    with a setting it would refuse."""
    if not text.strip():
        return DEFAULT_PROFILES
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"PROFILE_OVERRIDES is not JSON: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ValueError('PROFILE_OVERRIDES must be an object of objects: {"<province>": {"<setting>": <value>}}')
    return MappingProxyType(with_overrides(data, DEFAULT_PROFILES))


def use_overrides(text: str) -> None:
    """Put a deployment's PROFILE_OVERRIDES (``parse_overrides``) in force for this context;
    parsed once per distinct text."""
    _ACTIVE.set(parse_overrides(text))


def check_review_decisions(profiles: Mapping[str, Profile]) -> None:
    """A decision nobody implements, or 需现场核实 without the stage the case waits in, is refused at load."""
    for profile in profiles.values():
        unknown = [d for d in profile.review_decisions if d not in DECISIONS]
        if unknown:
            raise ValueError(f"profile {profile.code}: unknown review decision(s) {unknown}")
        if (ONSITE_VERIFICATION in profile.review_decisions) != (profile.onsite_verification is not None):
            raise ValueError(f"profile {profile.code}: {ONSITE_VERIFICATION} needs its stage, and the stage the decision")


check_review_decisions(PROFILES)


def get_profile(code: str) -> Profile:
    try:
        return PROFILES[code]
    except KeyError:
        raise NotFound(f"不支持的省份配置：{code}", code="PROFILE_NOT_FOUND") from None


def profile_for_province(province_code: str) -> Profile | None:
    return next((p for p in PROFILES.values() if p.province_code == province_code), None)


__all__ = [
    "CHECKS",
    "CHONGQING",
    "DEFAULT_PROFILES",
    "GUIZHOU",
    "OPERATOR_SETTINGS",
    "PROCESS_SETTINGS",
    "PROFILES",
    "SICHUAN",
    "FailedCheck",
    "Profile",
    "ReviewStage",
    "UnknownSetting",
    "UnverifiablePolicy",
    "check_settings",
    "get_profile",
    "parse_overrides",
    "profile_for_province",
    "use_overrides",
    "with_overrides",
]
