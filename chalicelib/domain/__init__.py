"""Registration domain: pure rules for birth-service registration (生育登记), no I/O, no AWS.

Modules (named after what they decide): errors, idcard, regions, form, profiles, eligibility,
jurisdiction, child_order, onsite, proofs, working_days, evaluation, demo (demo data), tz, reasons.
Provincial differences live in ``profiles`` as data and strategy objects.

Names are resolved lazily (PEP 562), so importing one module (say ``errors``) does not
load pydantic or the region table. Heavy-ish imports are deferred: pydantic is imported by ``form`` (needed for parsing anyway);
``chinese_calendar`` only on the first working-day question; the region table on first lookup.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "CHONGQING": "profiles",
    "ChildOrder": "child_order",
    "Conflict": "errors",
    "DomainError": "errors",
    "DuplicateRegistration": "errors",
    "Eligibility": "eligibility",
    "Evaluation": "evaluation",
    "FieldError": "errors",
    "Forbidden": "errors",
    "GUIZHOU": "profiles",
    "Jurisdiction": "jurisdiction",
    "ModificationExhausted": "errors",
    "NotFound": "errors",
    "OutsideJurisdiction": "errors",
    "PROFILES": "profiles",
    "Profile": "profiles",
    "Proof": "proofs",
    "Reason": "reasons",
    "Region": "regions",
    "RegistrationForm": "form",
    "ReviewStage": "profiles",
    "RoleNotAllowed": "errors",
    "SICHUAN": "profiles",
    "TokenRequired": "errors",
    "TooManyRequests": "errors",
    "Unauthorized": "errors",
    "ValidationFailed": "errors",
    "WorkingCalendar": "working_days",
    "add_working_days": "working_days",
    "birth_date": "idcard",
    "compute_child_order": "child_order",
    "county_of": "regions",
    "couple_key": "evaluation",
    "couple_key_from_ids": "evaluation",
    "demo_registration": "demo",
    "evaluate": "evaluation",
    "full_name": "regions",
    "get_profile": "profiles",
    "is_known": "regions",
    "is_working_day": "working_days",
    "lookup": "regions",
    "make_id": "idcard",
    "mask_id": "idcard",
    "mask_name": "idcard",
    "mask_phone": "idcard",
    "next_window_start": "working_days",
    "order_label": "child_order",
    "parse_registration": "form",
    "province_of": "regions",
    "sex": "idcard",
    "validate_id": "idcard",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
