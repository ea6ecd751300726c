"""The statuses a case moves through, which of them count as active or completed, and their
labels as citizens and staff read them. The store keeps the status; these decide what it means."""

from __future__ import annotations

SUBMITTED = "submitted"
CHECKING = "checking"
AWAITING_REVIEW = "awaiting_review"
REGISTERED = "registered"
REJECTED = "rejected"
NEEDS_ATTENTION = "needs_attention"
# Waiting for proof documents after a failed check (000 §2.3.5), and closed because they did not
# arrive by the deadline (not active: the couple may register again).
AWAITING_PROOFS = "awaiting_proofs"
INCOMPLETE = "incomplete"
# Closed because a check did not confirm the couple, with a notice of the reason and the on-site
# option (002 五(一)5 "情况不属实告知审核比对未通过不能办理或到登记机构现场核实办理"; the profile's
# ``failed_check``). Not active: the couple may register on site or again.
NOT_MATCHED = "not_matched"
# The reviewer asked the couple to come to the office (004 (2) "Online registration review requires
# on-site verification"; 002 五(一)5 "或到登记机构现场核实办理"); staff complete it after the visit.
ONSITE_VERIFICATION = "onsite_verification"

# "Active" statuses block a second registration of the same child by the same couple.
ACTIVE_STATUSES = frozenset({SUBMITTED, CHECKING, AWAITING_PROOFS, AWAITING_REVIEW, ONSITE_VERIFICATION, REGISTERED, NEEDS_ATTENTION})
# 办结: registered, not registered, or closed for missing documents (002 五(一)7 "好差评" follows it).
COMPLETED_STATUSES = frozenset({REGISTERED, REJECTED, INCOMPLETE, NOT_MATCHED})

STATUS_LABELS = {
    SUBMITTED: "已提交",
    CHECKING: "信息核验中",
    AWAITING_REVIEW: "待工作人员审核",
    REGISTERED: "已登记",
    REJECTED: "未予登记",
    NEEDS_ATTENTION: "处理异常，工作人员跟进中",
    AWAITING_PROOFS: "待补充证明材料",
    INCOMPLETE: "材料未按期补充，已终止办理",
    NOT_MATCHED: "审核比对未通过，不能办理",
    ONSITE_VERIFICATION: "需现场核实",
}


def status_label(status: str) -> str:
    """The label of a status; a status this code does not know is shown as itself."""
    return STATUS_LABELS.get(status, status)


__all__ = [
    "ACTIVE_STATUSES",
    "AWAITING_PROOFS",
    "AWAITING_REVIEW",
    "CHECKING",
    "COMPLETED_STATUSES",
    "INCOMPLETE",
    "NEEDS_ATTENTION",
    "NOT_MATCHED",
    "ONSITE_VERIFICATION",
    "REGISTERED",
    "REJECTED",
    "STATUS_LABELS",
    "SUBMITTED",
    "status_label",
]
