"""Put the rules together for one parsed form: ``evaluate(form, today=...) -> Evaluation``.

Meaning of the result:

- ``eligible`` — the couple may register in this province *and* some office in it can own the
  application as submitted. False when eligibility fails (eligibility.py) or when jurisdiction
  definitively fails (e.g. Chongqing: the chosen office is not one of the couple's townships);
  ``reasons`` says which. An *undecidable* jurisdiction (county-level address) does not make the
  application ineligible; it makes it ``onsite_required``.
- ``onsite_required`` / ``onsite_reasons`` — onsite.py (004 (two) and the profile's data).
- ``proofs_required`` — documents to upload up front (proofs.py; 000 §2.3.5 for Sichuan).
- ``registrable_online`` — eligible, an office decided, and nothing sends the couple onsite.

``couple_key(form)`` is the duplicate-detection key the service layer stores and queries.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

from pydantic import computed_field

from .child_order import ChildOrder, compute_child_order
from .form import RegistrationForm
from .jurisdiction import Jurisdiction
from .onsite import onsite_reasons
from .profiles import Profile, get_profile
from .proofs import Proof
from .reasons import Reason


@dataclass(frozen=True)
class Evaluation:
    profile: str
    eligible: bool
    reasons: tuple[Reason, ...]
    jurisdiction: Jurisdiction
    child_order: ChildOrder
    onsite_required: bool
    onsite_reasons: tuple[Reason, ...]
    proofs_required: tuple[Proof, ...]

    @computed_field(description="eligible, office decided, nothing onsite")  # in to_dict() and the published schema
    @property
    def registrable_online(self) -> bool:
        return self.eligible and self.jurisdiction.decided and not self.onsite_required

    def to_dict(self) -> dict:
        return {
            "profile": self.profile,
            "eligible": self.eligible,
            "registrable_online": self.registrable_online,
            "reasons": [r.to_dict() for r in self.reasons],
            "jurisdiction": self.jurisdiction.to_dict(),
            "child_order": self.child_order.to_dict(),
            "onsite_required": self.onsite_required,
            "onsite_reasons": [r.to_dict() for r in self.onsite_reasons],
            "proofs_required": [p.to_dict() for p in self.proofs_required],
        }


def evaluate(form: RegistrationForm, *, today: date, profile: Profile | None = None) -> Evaluation:
    """``profile`` defaults to ``get_profile(form.profile)``; pass one to use operator settings."""
    profile = profile or get_profile(form.profile)
    pc = profile.province_code

    eligibility = profile.eligibility.check(form, province_code=pc, today=today)
    jurisdiction = profile.jurisdiction.decide(form, province_code=pc)
    order = compute_child_order(form, rebirth_after=profile.rebirth_after_children)

    reasons = list(eligibility.reasons)
    eligible = eligibility.eligible
    if not jurisdiction.decided and not jurisdiction.undecidable and jurisdiction.reason is not None:
        eligible = False
        if jurisdiction.reason not in reasons:
            reasons.append(jurisdiction.reason)

    onsite = onsite_reasons(form, profile=profile, jurisdiction=jurisdiction, child_order=order, today=today)
    proofs = profile.proofs.required(form, province_code=pc, jurisdiction=jurisdiction) if eligible else ()

    return Evaluation(
        profile=profile.code,
        eligible=eligible,
        reasons=tuple(reasons),
        jurisdiction=jurisdiction,
        child_order=order,
        onsite_required=bool(onsite),
        onsite_reasons=tuple(onsite),
        proofs_required=tuple(proofs),
    )


_KEY_PREFIX = b"birth-registration/couple/v1\x00"


def couple_key(form: RegistrationForm, *, secret: bytes | None = None) -> str:
    """Stable hex key for "this couple" (both ID numbers, order-fixed woman|man, upper-case).

    Plain SHA-256 by default; pass ``secret`` (from config) for an HMAC so the stored key cannot be
    recomputed from a guessed pair of ID numbers without the secret.
    """
    return couple_key_from_ids(form.woman.id_number, form.man.id_number, secret=secret)


def couple_key_from_ids(woman_id: str, man_id: str, *, secret: bytes | None = None) -> str:
    msg = _KEY_PREFIX + f"{woman_id.strip().upper()}|{man_id.strip().upper()}".encode()
    if secret:
        return hmac.new(secret, msg, hashlib.sha256).hexdigest()
    return hashlib.sha256(msg).hexdigest()


__all__ = ["Evaluation", "couple_key", "couple_key_from_ids", "evaluate"]
