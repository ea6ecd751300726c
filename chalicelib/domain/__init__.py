"""Registration domain: pure rules for birth-service registration (生育登记), no I/O, no AWS.

Modules (named after what they decide): errors, idcard, regions, form, profiles, eligibility,
jurisdiction, child_order, onsite, proofs, working_days, evaluation, demo (demo data), tz, reasons.
Provincial differences live in ``profiles`` as data and strategy objects.

Heavy-ish imports are deferred: pydantic is imported by ``form`` (needed for parsing anyway);
``chinese_calendar`` only on the first working-day question; the region table on first lookup.
"""

from .child_order import ChildOrder, compute_child_order, order_label
from .demo import demo_registration
from .eligibility import Eligibility
from .errors import (
    Conflict,
    DomainError,
    DuplicateRegistration,
    FieldError,
    Forbidden,
    ModificationExhausted,
    NotFound,
    TooManyRequests,
    Unauthorized,
    ValidationFailed,
)
from .evaluation import Evaluation, couple_key, couple_key_from_ids, evaluate
from .form import RegistrationForm, parse_registration
from .idcard import birth_date, make_id, mask_id, mask_phone, sex, validate_id
from .jurisdiction import Jurisdiction
from .profiles import CHONGQING, GUIZHOU, PROFILES, SICHUAN, Profile, ReviewStage, get_profile
from .proofs import Proof
from .reasons import Reason
from .regions import Region, county_of, full_name, is_known, lookup, province_of
from .working_days import WorkingCalendar, add_working_days, is_working_day, next_window_start

__all__ = [
    "CHONGQING",
    "GUIZHOU",
    "PROFILES",
    "SICHUAN",
    "ChildOrder",
    "Conflict",
    "DomainError",
    "DuplicateRegistration",
    "Eligibility",
    "Evaluation",
    "FieldError",
    "Forbidden",
    "Jurisdiction",
    "ModificationExhausted",
    "NotFound",
    "Profile",
    "Proof",
    "Reason",
    "Region",
    "RegistrationForm",
    "ReviewStage",
    "TooManyRequests",
    "Unauthorized",
    "ValidationFailed",
    "WorkingCalendar",
    "add_working_days",
    "birth_date",
    "compute_child_order",
    "county_of",
    "couple_key",
    "couple_key_from_ids",
    "demo_registration",
    "evaluate",
    "full_name",
    "get_profile",
    "is_known",
    "is_working_day",
    "lookup",
    "make_id",
    "mask_id",
    "mask_phone",
    "next_window_start",
    "order_label",
    "parse_registration",
    "province_of",
    "sex",
    "validate_id",
]
