"""The supporting documents (证明材料) a case can ask for: one code, one label, everywhere.

Codes travel through the workflow (``proofs_requested``), the uploads (``uploads/<case>/<code>/...``)
and the staff decisions; the labels are what citizens and staff read. The web pages take the labels
from the API answers that carry the codes (the case view's ``proofs.requested``, the staff task's
``document_labels``), never from a copy of their own.
"""

from __future__ import annotations

# 000 §2.3.5 (身份证, 现居住证明); a failed registry check asks for the document it could not
# confirm (身份证 for public security, 结婚证明 for civil affairs). 户籍证明 and 子女出生证明 are
# labelled for cases that carry them, though no rule asks for them online today.
DOCUMENT_LABELS: dict[str, str] = {
    "ID_CARD": "身份证",
    "RESIDENCE_PROOF": "现居住证明",
    "MARRIAGE_PROOF": "结婚证明",
    "HUKOU_PROOF": "户籍证明",
    "CHILD_PROOF": "子女出生证明",
    # 002 五(二)5 "工作人员扫描上传《登记表》图片进行电子档案存档": scanned by staff, never asked of the couple.
    "REGISTRATION_FORM": "《登记表》签字扫描件",
}

# The scan staff attach to an on-site case (002 五(二)1 "现场填写…《登记表》…并承诺签字", 五(二)5).
REGISTRATION_FORM = "REGISTRATION_FORM"

# What a reviewer may ask the applicant to upload (the review decision ``request_documents``).
REVIEW_REQUESTABLE: tuple[str, ...] = ("ID_CARD", "RESIDENCE_PROOF", "MARRIAGE_PROOF")

# The document that answers a registry check that did not confirm the couple's data.
PROOF_FOR_CHECK: dict[str, str] = {"public_security": "ID_CARD", "civil_affairs": "MARRIAGE_PROOF"}


def document_label(code: str) -> str:
    """The label of a document code; an unknown code is shown as itself."""
    return DOCUMENT_LABELS.get(code, code)


__all__ = ["DOCUMENT_LABELS", "PROOF_FOR_CHECK", "REGISTRATION_FORM", "REVIEW_REQUESTABLE", "document_label"]
