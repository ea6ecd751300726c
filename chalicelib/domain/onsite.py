"""Circumstances that cannot be handled online and send the couple to the office (现场办理).

Chongqing, 004 (two): "the following special circumstances need to be handled on the spot: after
divorce or widowhood, pregnancy and childbirth are found; Entrusted by others; Online registration review
requires on-site verification and no SMS notification; Other special circumstances can not be
successfully handled online."

What each profile applies is data on the profile (profiles.py): ``online_proxy_allowed``,
``onsite_post_divorce_pregnancy``, ``online_max_order`` and the citations for them.

Interpretation of "after divorce or widowhood, pregnancy and childbirth are found" (离婚或丧偶后发现怀孕、
生育): the woman is not in her first marriage (``remarriage`` or ``remarried_each_other``) and the
current pregnancy was conceived before the current marriage's registration date, i.e. while she was
divorced or widowed, so the child's filiation needs a person to look at it. Estimated conception:

- pregnant: today - weeks*7 days + 14 days (gestational weeks count from the last menstrual period,
  conception about two weeks later);
- delivered: birth_date - 266 days (38 weeks from conception to a term birth).

The estimate only routes the case to a person; it decides nothing about the couple.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from .reasons import Reason

if TYPE_CHECKING:  # pragma: no cover
    from .child_order import ChildOrder
    from .form import RegistrationForm
    from .jurisdiction import Jurisdiction
    from .profiles import Profile

CONCEPTION_AFTER_LMP = timedelta(days=14)
CONCEPTION_TO_BIRTH = timedelta(days=266)


def estimated_conception(form: RegistrationForm, *, today: date) -> date | None:
    preg = form.pregnancy
    if preg.status == "pregnant" and preg.weeks is not None:
        return today - timedelta(weeks=preg.weeks) + CONCEPTION_AFTER_LMP
    if preg.status == "delivered" and preg.birth_date is not None:
        return preg.birth_date - CONCEPTION_TO_BIRTH
    return None


def pregnancy_after_divorce_or_widowhood(form: RegistrationForm, *, today: date) -> bool:
    if form.woman.marital_status == "first_marriage":
        return False
    conceived = estimated_conception(form, today=today)
    return conceived is not None and conceived < form.marriage.date


def onsite_reasons(
    form: RegistrationForm,
    *,
    profile: Profile,
    jurisdiction: Jurisdiction,
    child_order: ChildOrder,
    today: date,
) -> list[Reason]:
    reasons: list[Reason] = []
    cite = profile.citations

    if form.application.type == "proxy" and not profile.online_proxy_allowed:
        reasons.append(
            Reason(
                "PROXY_ONSITE_ONLY",
                "委托他人代办的，须由代办人到登记机构现场办理",
                cite.get("online_proxy_allowed", profile.code),
            )
        )

    if profile.onsite_post_divorce_pregnancy and pregnancy_after_divorce_or_widowhood(form, today=today):
        reasons.append(
            Reason(
                "PREGNANCY_AFTER_DIVORCE_OR_WIDOWHOOD",
                "女方为再婚或复婚，本次怀孕（生育）推算发生在本次结婚登记之前（离婚或丧偶后），须到登记机构现场办理",
                cite.get("onsite_post_divorce_pregnancy", profile.code),
            )
        )

    if jurisdiction.undecidable:
        reasons.append(
            Reason(
                "JURISDICTION_UNDECIDED",
                jurisdiction.reason.message if jurisdiction.reason else "无法在线确定登记机构",
                cite.get("undecidable", profile.code),
            )
        )

    if profile.online_max_order is not None and child_order.registration_order > profile.online_max_order:
        reasons.append(
            Reason(
                "ORDER_BEYOND_ONLINE_SCOPE",
                f"网上登记仅办理{'、'.join(['一孩', '二孩', '三孩'][: profile.online_max_order])}登记，"
                f"本次为{child_order.registration_label}，请通过{profile.beyond_online_scope_channel}办理",
                cite.get("online_max_order", profile.code),
            )
        )
    return reasons


__all__ = [
    "estimated_conception",
    "onsite_reasons",
    "pregnancy_after_divorce_or_widowhood",
]
