"""Which township office (乡镇人民政府 / 街道办事处) owns a registration. One strategy per province.

A ``Jurisdiction`` either names an office (9-digit township code + full Chinese name, the address
it came from, and the rule) or carries a ``reason`` why none:

- ``undecidable=True`` — the rule points at an address that was only given at county level
  (6 digits), so the township is unknown. Nothing is wrong with the application; a person has to
  decide (onsite.py turns this into an onsite reason).
- ``undecidable=False`` with a reason — the application cannot be owned by any office in this
  province as submitted (e.g. the chosen office is not the couple's township); evaluation.py
  reports it as a reason the application is not registrable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from . import regions
from .reasons import Reason

if TYPE_CHECKING:  # pragma: no cover
    from .form import RegistrationForm

_LABEL = {
    "woman.hukou": "女方户籍地",
    "woman.residence": "女方现居住地",
    "man.hukou": "男方户籍地",
    "man.residence": "男方现居住地",
}


@dataclass(frozen=True)
class Jurisdiction:
    office_code: str | None
    office_name: str | None
    rule: str  # citation of the rule that decided
    basis: str | None = None  # which address decided, e.g. "woman.hukou"; None when declared/none
    reason: Reason | None = None
    undecidable: bool = False

    @property
    def decided(self) -> bool:
        return self.office_code is not None

    def to_dict(self) -> dict:
        return {
            "office_code": self.office_code,
            "office_name": self.office_name,
            "rule": self.rule,
            "basis": self.basis,
            "reason": self.reason.to_dict() if self.reason else None,
            "undecidable": self.undecidable,
        }


class JurisdictionRule(Protocol):
    def decide(self, form: RegistrationForm, *, province_code: str) -> Jurisdiction: ...


def _office(code: str, rule: str, basis: str | None) -> Jurisdiction:
    return Jurisdiction(code, regions.full_name(code), rule, basis)


def _address(form: RegistrationForm, basis: str):
    role, kind = basis.split(".")
    return getattr(getattr(form, role), kind)


def _from_address(form: RegistrationForm, basis: str, rule: str) -> Jurisdiction:
    """The township of the address at ``basis``, or undecidable if it is county-level only."""
    code = _address(form, basis).region_code
    if regions.level_of(code) == "township":
        return _office(code, rule, basis)
    return Jurisdiction(
        None,
        None,
        rule,
        basis,
        Reason(
            "ADDRESS_NOT_TOWNSHIP",
            f"{_LABEL[basis]}只填写到区县（{regions.full_name(code) if regions.is_known(code) else code}），"
            "无法确定归属的乡镇（街道），需人工确定登记机构",
            rule,
        ),
        undecidable=True,
    )


class HukouThenResidenceWomanFirst:
    """Sichuan, 000 注 (因取消申请区域方式和申请地，数据归属规则) — the applicant's chosen office is ignored:

    1 "夫妻双方户籍均为四川省内，数据归属到女方户籍地；"
    2 "夫妻一方户籍为四川省内，则按户籍地为四川省内的一方归属；"
    3 "夫妻双方户籍地均为四川省外，则至少有一方现居住地为四川省内，规则按现居住地先女后男的方式判断归属：
       若女方现居住地为省内，则归属女方现居住地，若女方现居住地非省内，则以男方现省内居住地归属。"
    """

    def decide(self, form: RegistrationForm, *, province_code: str) -> Jurisdiction:
        def inside(basis: str) -> bool:
            return regions.within(_address(form, basis).region_code, province_code)

        w, m = inside("woman.hukou"), inside("man.hukou")
        if w and m:
            return _from_address(form, "woman.hukou", "000 注 1")
        if w:
            return _from_address(form, "woman.hukou", "000 注 2")
        if m:
            return _from_address(form, "man.hukou", "000 注 2")
        if inside("woman.residence"):
            return _from_address(form, "woman.residence", "000 注 3")
        if inside("man.residence"):
            return _from_address(form, "man.residence", "000 注 3")
        return Jurisdiction(
            None,
            None,
            "000 注 3",
            None,
            Reason("NO_OFFICE_IN_PROVINCE", "夫妻双方户籍地和现居住地均不在省内，无法确定归属", "000 注 3"),
        )


class ChosenSpouseTownship:
    """Chongqing: the office the couple chose must be a township of either spouse's hukou or residence.

    002 四 "夫妻一方户籍地或者现居住地的乡镇人民政府、街道办事处或者村民委员会、居民委员会。"
    002 七(一) "实行首接责任制，夫妻一方户籍或现居住地所在的村、社区或乡镇、街道，在办理生育登记服务时，
    具有同等职责，谁先接谁负责办理" — any of the four addresses is equally competent (first come).
    """

    rule = "002 四; 002 七(一)"

    def decide(self, form: RegistrationForm, *, province_code: str) -> Jurisdiction:
        office = form.application.office_code
        if not regions.within(office, province_code):
            return _outside(office, province_code, self.rule)
        bases = ("woman.hukou", "woman.residence", "man.hukou", "man.residence")
        for basis in bases:
            if _address(form, basis).region_code == office:
                return _office(office, self.rule, basis)
        county = office[:6]
        coarse = [b for b in bases if _address(form, b).region_code == county]
        if coarse:
            return Jurisdiction(
                None,
                None,
                self.rule,
                coarse[0],
                Reason(
                    "ADDRESS_NOT_TOWNSHIP",
                    f"{_LABEL[coarse[0]]}只填写到区县，无法确认所选登记机构是否为夫妻一方户籍地或现居住地的乡镇（街道）",
                    self.rule,
                ),
                undecidable=True,
            )
        return Jurisdiction(
            None,
            None,
            self.rule,
            None,
            Reason(
                "OFFICE_NOT_COMPETENT",
                f"所选登记机构（{regions.full_name(office)}）不是夫妻一方户籍地或现居住地的乡镇（街道），请重新选择",
                self.rule,
            ),
        )


class DeclaredOfficeInProvince:
    """Guizhou, 001 附件1 一 "填写夫妇姓名、身份证号码、户籍地、现居住地、婚姻登记信息、现有子女信息和申报登记地等信息" —
    the declared office (申报登记地) owns the case; it must be a township of this province
    (001 三(一)1(1) "平台会自动将生育登记工作任务派发到相应的乡级计生行政主管部门")."""

    rule = "001 附件1 一"

    def decide(self, form: RegistrationForm, *, province_code: str) -> Jurisdiction:
        office = form.application.office_code
        if not regions.within(office, province_code):
            return _outside(office, province_code, self.rule)
        return _office(office, self.rule, None)


def _outside(office: str, province_code: str, rule: str) -> Jurisdiction:
    pname = regions.lookup(province_code).name if regions.lookup(province_code) else province_code
    return Jurisdiction(
        None,
        None,
        rule,
        None,
        Reason("OFFICE_OUTSIDE_PROVINCE", f"所选登记机构不在{pname}内", rule),
    )


__all__ = [
    "ChosenSpouseTownship",
    "DeclaredOfficeInProvince",
    "HukouThenResidenceWomanFirst",
    "Jurisdiction",
    "JurisdictionRule",
]
