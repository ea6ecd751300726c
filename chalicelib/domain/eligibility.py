"""Who may register in a province (登记对象). One strategy object per rule; profiles.py picks them.

Every rule returns an ``Eligibility`` with the reasons that decided it (positive reasons too, so the
case file shows why a couple was accepted), each citing its seed sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

from . import regions
from .child_order import prior_joint_children
from .reasons import Reason

if TYPE_CHECKING:  # pragma: no cover
    from .form import Address, RegistrationForm

_ROLE = {"woman": "女方", "man": "男方"}


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[Reason, ...]

    def to_dict(self) -> dict:
        return {"eligible": self.eligible, "reasons": [r.to_dict() for r in self.reasons]}


class EligibilityRule(Protocol):
    def check(self, form: RegistrationForm, *, province_code: str, today: date) -> Eligibility: ...


def _province_name(province_code: str) -> str:
    r = regions.lookup(province_code)
    return r.name if r else province_code


def _inside(addr: Address, province_code: str) -> bool:
    return regions.within(addr.region_code, province_code)


def months_before(d: date, months: int) -> date:
    """Same day ``months`` earlier, clamped to the month's last day (31 Mar - 1 month = 28/29 Feb)."""
    y, m = divmod(d.year * 12 + (d.month - 1) - months, 12)
    m += 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(y, m, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


class HukouOrResidenceInProvince:
    """Sichuan, 000 注 (数据归属规则), read as the eligibility condition it presupposes:

    000 注 1 "夫妻双方户籍均为四川省内…"; 注 2 "夫妻一方户籍为四川省内…";
    000 注 3 "夫妻双方户籍地均为四川省外，则至少有一方现居住地为四川省内"。
    """

    def check(self, form: RegistrationForm, *, province_code: str, today: date) -> Eligibility:
        pname = _province_name(province_code)
        hukou_in = [role for role, p in form.spouses() if _inside(p.hukou, province_code)]
        if hukou_in:
            who = "、".join(_ROLE[r] for r in hukou_in)
            cite = "000 注 1" if len(hukou_in) == 2 else "000 注 2"
            return Eligibility(True, (Reason("HUKOU_IN_PROVINCE", f"{who}户籍在{pname}内", cite),))
        res_in = [role for role, p in form.spouses() if _inside(p.residence, province_code)]
        if res_in:
            who = "、".join(_ROLE[r] for r in res_in)
            return Eligibility(
                True,
                (Reason("RESIDENCE_IN_PROVINCE", f"夫妻双方户籍均在{pname}外，{who}现居住地在{pname}内", "000 注 3"),),
            )
        return Eligibility(
            False,
            (
                Reason(
                    "NO_TIE_TO_PROVINCE",
                    f"夫妻双方户籍均在{pname}外，且双方现居住地均不在{pname}内，不属于本省登记对象",
                    "000 注 3",
                ),
            ),
        )


class HukouOrResidenceOverOneMonth:
    """Chongqing, 002 一(一) "夫妻双方或一方户籍在本市，或夫妻双方户籍均不在本市但一方居住在本市满一个月以上的夫妻（含再婚夫妻）"。

    "满一个月以上" is read as: residence.since <= today minus one calendar month. A resident spouse
    without a ``since`` date cannot be judged → not eligible with a fixable reason
    (RESIDENCE_SINCE_REQUIRED), rather than guessing.
    """

    min_months = 1

    def check(self, form: RegistrationForm, *, province_code: str, today: date) -> Eligibility:
        pname = _province_name(province_code)
        hukou_in = [role for role, p in form.spouses() if _inside(p.hukou, province_code)]
        if hukou_in:
            who = "、".join(_ROLE[r] for r in hukou_in)
            return Eligibility(True, (Reason("HUKOU_IN_PROVINCE", f"{who}户籍在{pname}", "002 一(一)"),))
        cutoff = months_before(today, self.min_months)
        residents = [(role, p.residence) for role, p in form.spouses() if _inside(p.residence, province_code)]
        long_enough = [role for role, a in residents if a.since is not None and a.since <= cutoff]
        if long_enough:
            who = "、".join(_ROLE[r] for r in long_enough)
            return Eligibility(
                True,
                (
                    Reason(
                        "RESIDENCE_OVER_ONE_MONTH",
                        f"夫妻双方户籍均不在{pname}，{who}在{pname}居住满一个月以上",
                        "002 一(一)",
                    ),
                ),
            )
        if any(a.since is None for _, a in residents):
            return Eligibility(
                False,
                (
                    Reason(
                        "RESIDENCE_SINCE_REQUIRED",
                        f"夫妻双方户籍均不在{pname}，须填写在{pname}现居住地的居住起始日期以确认是否居住满一个月",
                        "002 一(一)",
                    ),
                ),
            )
        if residents:
            return Eligibility(
                False,
                (
                    Reason(
                        "RESIDENCE_TOO_SHORT",
                        f"夫妻双方户籍均不在{pname}，且在{pname}居住未满一个月",
                        "002 一(一)",
                    ),
                ),
            )
        return Eligibility(
            False,
            (
                Reason(
                    "NO_TIE_TO_PROVINCE",
                    f"夫妻双方户籍均不在{pname}，且均未在{pname}居住",
                    "002 一(一)",
                ),
            ),
        )


class RebirthAfterThreeChildren:
    """Chongqing, 002 一(二) "已经生育三个子女的夫妻，子女死亡或者经鉴定为残疾的，可以依法再生育子女的"。

    Couples with three or more joint children (the birth being registered excluded, see
    child_order) register only as a re-birth, i.e. with ``rebirth_reason`` set; form.py already
    checks that the reason matches a joint child who died or is certified disabled.
    """

    limit = 3

    def check(self, form: RegistrationForm, *, province_code: str, today: date) -> Eligibility:
        n = len(prior_joint_children(form))
        if n < self.limit:
            return Eligibility(True, ())
        if form.application.rebirth_reason is not None:
            kind = "死亡" if form.application.rebirth_reason == "child_deceased" else "经鉴定为残疾"
            return Eligibility(
                True,
                (Reason("REBIRTH_ALLOWED", f"已生育{n}个子女，因子女{kind}依法再生育", "002 一(二)"),),
            )
        return Eligibility(
            False,
            (
                Reason(
                    "CHILD_LIMIT_REACHED",
                    f"夫妻已共同生育{n}个子女，仅在子女死亡或经鉴定为残疾时可依法再生育登记",
                    "002 一(二)",
                ),
            ),
        )


class HukouOrResidenceAnyInProvince:
    """Guizhou, 001 附件1 四 "可直接到夫妇其中一方贵州省内户籍地或现居住地乡级计生行政主管部门…进行现场登记",
    with 001 附件1 一 (the form asks for 户籍地、现居住地): either spouse's hukou or residence in the province."""

    def check(self, form: RegistrationForm, *, province_code: str, today: date) -> Eligibility:
        pname = _province_name(province_code)
        ties = [
            f"{_ROLE[role]}{'户籍地' if kind == 'hukou' else '现居住地'}"
            for role, p in form.spouses()
            for kind in ("hukou", "residence")
            if _inside(getattr(p, kind), province_code)
        ]
        if ties:
            return Eligibility(True, (Reason("TIE_TO_PROVINCE", f"{'、'.join(ties)}在{pname}内", "001 附件1 一、四"),))
        return Eligibility(
            False,
            (
                Reason(
                    "NO_TIE_TO_PROVINCE",
                    f"夫妻双方户籍地和现居住地均不在{pname}内",
                    "001 附件1 四",
                ),
            ),
        )


@dataclass(frozen=True)
class AllOf:
    """Every rule must pass; reasons are concatenated in order."""

    rules: tuple[EligibilityRule, ...]

    def check(self, form: RegistrationForm, *, province_code: str, today: date) -> Eligibility:
        results = [r.check(form, province_code=province_code, today=today) for r in self.rules]
        return Eligibility(all(r.eligible for r in results), tuple(reason for r in results for reason in r.reasons))


__all__ = [
    "AllOf",
    "Eligibility",
    "EligibilityRule",
    "HukouOrResidenceAnyInProvince",
    "HukouOrResidenceInProvince",
    "HukouOrResidenceOverOneMonth",
    "RebirthAfterThreeChildren",
    "months_before",
]
