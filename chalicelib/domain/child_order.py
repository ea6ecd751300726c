"""登记孩次 (registration order) and 生养孩次 (upbringing order) of the child being registered.

Rules (Chongqing notice 002 and its form 附件1; the same counting is used for every profile):

- 002 二(一) "夫妻共同生育一孩、二孩、三孩的分别登记一孩、二孩、三孩；再婚夫妻再婚前所生育子女不合并计算登记孩次。"
  → 登记孩次 = joint children (relation ``joint``) + 1. Children of either spouse from an earlier
  marriage (relation ``woman`` / ``man``) never count.
- 002 二(二) "依法再生育子女的，根据共同生育的存活子女数孩次进行再生育登记。" with 002 一(二) "已经生育三个
  子女的夫妻，子女死亡或者经鉴定为残疾的，可以依法再生育子女的": a re-birth (再生育) exists only for a couple
  that has ``rebirth_after`` (3) joint children. Then, with ``rebirth_reason`` set: 登记孩次 = surviving
  (health != ``deceased``) joint children + 1, ``rebirth = True``; a disabled child is alive and counts.
  With fewer joint children the child is an ordinary 一孩/二孩/三孩 (002 二(一)): the re-birth flag changes
  nothing and ``rebirth = False``. The number is the profile's ``rebirth_after_children``.
- 002 附件1 说明 "“登记孩次”为夫妻共同生育子女孩次，“生养孩次”为夫妻（含再婚夫妻与前配偶）所有生养子女合计孩次。"
  → 生养孩次 = all children of both (joint + woman's + man's, alive or not) + 1.
- Labels, 002 附件2 "登记孩次：一孩 二孩 三孩 四孩及以上".

The child being registered ("subject") — interpretation:
when ``pregnancy.status == "delivered"`` the baby already exists, and the Sichuan form asks for it to be
entered among the children too (000 §2.3.4 "如公众是登记生育一孩，且一孩已出生，在登记时填写一孩的出生日期，并在
【添加子女】处录入已出生一孩信息"). So every *joint* child whose ``birth_date`` equals
``pregnancy.birth_date`` is the subject and is not counted again; if no listed child matches, the subject
is unlisted and simply adds 1. (Twins listed with the same date are one birth event: both are the subject.)
For ``not_pregnant`` / ``pregnant`` no listed child is the subject.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .form import Child, RegistrationForm

LABELS = {1: "一孩", 2: "二孩", 3: "三孩"}

CITATION = "002 二(一)(二); 002 附件1 说明"


def order_label(n: int) -> str:
    """002 附件2: 一孩 / 二孩 / 三孩 / 四孩及以上."""
    if n < 1:
        raise ValueError("order starts at 1")
    return LABELS.get(n, "四孩及以上")


def subject_indices(form: RegistrationForm) -> tuple[int, ...]:
    """Indices of listed children that are the birth being registered (see module doc)."""
    preg = form.pregnancy
    if preg.status != "delivered" or preg.birth_date is None:
        return ()
    return tuple(i for i, c in enumerate(form.children) if c.relation == "joint" and c.birth_date == preg.birth_date)


def prior_children(form: RegistrationForm) -> list[Child]:
    """All listed children except the subject birth."""
    skip = set(subject_indices(form))
    return [c for i, c in enumerate(form.children) if i not in skip]


def prior_joint_children(form: RegistrationForm) -> list[Child]:
    return [c for c in prior_children(form) if c.relation == "joint"]


@dataclass(frozen=True)
class ChildOrder:
    registration_order: int  # 登记孩次
    registration_label: str
    upbringing_order: int  # 生养孩次
    upbringing_label: str
    rebirth: bool
    subject_listed: bool
    citation: str = CITATION

    def to_dict(self) -> dict:
        return {
            "registration_order": self.registration_order,
            "registration_label": self.registration_label,
            "upbringing_order": self.upbringing_order,
            "upbringing_label": self.upbringing_label,
            "rebirth": self.rebirth,
            "subject_listed": self.subject_listed,
            "citation": self.citation,
        }


def compute_child_order(form: RegistrationForm, *, rebirth_after: int = 3) -> ChildOrder:
    joint = prior_joint_children(form)
    # 002 一(二): only a couple that already has ``rebirth_after`` children registers a re-birth
    rebirth = form.application.rebirth_reason is not None and len(joint) >= rebirth_after
    if rebirth:
        # 002 二(二): 根据共同生育的存活子女数孩次进行再生育登记
        registration = sum(1 for c in joint if c.health != "deceased") + 1
    else:
        # 002 二(一): 再婚夫妻再婚前所生育子女不合并计算登记孩次
        registration = len(joint) + 1
    # 002 附件1 说明: 夫妻（含再婚夫妻与前配偶）所有生养子女合计孩次
    upbringing = len(prior_children(form)) + 1
    return ChildOrder(
        registration_order=registration,
        registration_label=order_label(registration),
        upbringing_order=upbringing,
        upbringing_label=order_label(upbringing),
        rebirth=rebirth,
        subject_listed=bool(subject_indices(form)),
    )


__all__ = [
    "ChildOrder",
    "compute_child_order",
    "order_label",
    "prior_children",
    "prior_joint_children",
    "subject_indices",
]
