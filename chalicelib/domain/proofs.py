"""Which supporting documents an online application must upload before its certificate is issued.

They are asked for at submission (``Evaluation.proofs_required``) and enforced by the workflow: a
case whose checks pass still waits for them (``domain/routing.py`` ``proofs_outstanding``), and once
they are accepted a person reviews them before issue (a file's type and size are checked by
machine, what it says only by staff).

(Documents asked for *because* a registry check failed — 000 §2.3.5 "录入的对象信息没有校验通过的…
此时需上传相关证明材料" — depend on the check results and are the service layer's business.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from . import regions

if TYPE_CHECKING:  # pragma: no cover
    from .form import RegistrationForm
    from .jurisdiction import Jurisdiction

_ROLE = {"woman": "女方", "man": "男方"}


@dataclass(frozen=True)
class Proof:
    code: str  # ID_CARD | RESIDENCE_PROOF
    subject: str  # "woman" | "man"
    message: str
    citation: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "subject": self.subject, "message": self.message, "citation": self.citation}


class ProofsRule(Protocol):
    code: str  # the rule's name in the profile's settings (docs/profiles.md)

    def required(
        self, form: RegistrationForm, *, province_code: str, jurisdiction: Jurisdiction
    ) -> tuple[Proof, ...]: ...


class ResidentSpouseProofs:
    """Sichuan, 000 §2.3.5 "如果男女双方户籍地均未在四川省内，其中一方现居住地在四川省内，则需上传其中一方的身份证及
    在四川省内的现居住证明文件。"

    "其中一方" is the resident spouse the case is attributed to — woman first, then man, the same
    order as 000 注 3 — so the documents come from the spouse whose residence decided jurisdiction.
    """

    citation = "000 §2.3.5"
    code = "resident_spouse_before_issue"

    def required(self, form: RegistrationForm, *, province_code: str, jurisdiction: Jurisdiction) -> tuple[Proof, ...]:
        if any(regions.within(p.hukou.region_code, province_code) for _, p in form.spouses()):
            return ()
        role = next((r for r, p in form.spouses() if regions.within(p.residence.region_code, province_code)), None)
        if role is None:
            return ()
        pname = regions.lookup(province_code).name  # type: ignore[union-attr]
        who = _ROLE[role]
        return (
            Proof("ID_CARD", role, f"{who}身份证", self.citation),
            Proof("RESIDENCE_PROOF", role, f"{who}在{pname}内的现居住证明文件", self.citation),
        )


class NoUploads:
    """No documents are uploaded online.

    Chongqing, 002 六 "网上登记凭登记人相关证件材料如实在线填写登记表内容，登记机构不需要提交证件材料。"
    Guizhou: the online flow (001 附件1 一–三) asks for no uploads.
    """

    code = "none"

    def __init__(self, citation: str) -> None:
        self.citation = citation

    def required(self, form: RegistrationForm, *, province_code: str, jurisdiction: Jurisdiction) -> tuple[Proof, ...]:
        return ()


__all__ = ["NoUploads", "Proof", "ProofsRule", "ResidentSpouseProofs"]
