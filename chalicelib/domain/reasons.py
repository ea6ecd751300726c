"""``Reason``: one explained rule outcome (eligibility, jurisdiction, onsite, proofs).

``citation`` names the seed document and section the rule comes from, e.g. ``"000 注 3"``
(Sichuan manual), ``"002 一(一)"`` (Chongqing notice), ``"001 附件1 四"`` (Guizhou notice),
``"004 (two)"`` (Chongqing online steps).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    citation: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "citation": self.citation}


__all__ = ["Reason"]
