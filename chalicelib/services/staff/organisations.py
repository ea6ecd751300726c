"""Organisation information of each office (001 一(二)2 "完善机构信息 … 单位或部门名称、单位负责人、
联系人、联系电话等"): maintained by the office's own administrator, audited, and read by citizens
wherever an office is named (case view, certificate pages) through the public read route.
"""

from __future__ import annotations

from typing import Any

from chalicelib import auth, config
from chalicelib.domain import errors, regions
from chalicelib.store import audit
from chalicelib.store import offices as office_store

FIELDS = ("name", "head", "contact", "phone", "address", "opening_hours", "appointment_capacity")


def _known(code: str) -> str:
    canonical = regions.canonical(code) if isinstance(code, str) else None
    if canonical is None or not regions.is_known(canonical):
        raise errors.NotFound("未找到该机构", code="OFFICE_NOT_FOUND")
    return canonical


def view(code: str) -> dict[str, Any]:
    """The office as citizens and staff see it: its region's name, then what its administrator
    entered (each field ``None`` until entered)."""
    code = _known(code)
    info = office_store.organisation(code) or {}
    return {
        "office_code": code,
        "region_name": regions.full_name(code),
        **{k: info.get(k) for k in FIELDS},
        "updated_at": info.get("updated_at"),
    }


def update(admin: auth.StaffPrincipal, code: str, body: dict[str, Any]) -> dict[str, Any]:
    """Replace the office's information; only its own administrator (the admin whose unit is
    the office) may, 403 ``NOT_OWN_OFFICE`` for every other one."""
    code = _known(code)
    if admin.role != auth.ADMIN or admin.unit_code != code:
        raise errors.Forbidden("只能维护本级机构的信息", code="NOT_OWN_OFFICE")
    if body.get("appointment_capacity") is not None:
        _may_publish_capacity(code)
    before = view(code)
    at = config.now().isoformat(timespec="seconds")
    info = {k: body.get(k) for k in FIELDS if body.get(k) is not None}
    office_store.save_organisation(code, {**info, "updated_at": at, "updated_by": admin.staff_id}, at=at, by=admin.staff_id)
    after = view(code)
    changed = [k for k in FIELDS if before.get(k) != after.get(k)]
    audit.append(
        f"OFFICE#{code}",
        actor=admin.staff_id,
        action="office.update",
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
        at=at,
    )
    return after


def _may_publish_capacity(code: str) -> None:
    """三孩预约 capacity (000 §2.1) is published by a township office of a province that offers it."""
    from chalicelib.domain import appointments
    from chalicelib.domain.profiles import profile_for_province

    profile = profile_for_province(code[:2])
    if profile is None or not profile.appointments:
        raise appointments.AppointmentsNotOffered(
            details=[errors.FieldError("appointment_capacity", "APPOINTMENTS_NOT_OFFERED", appointments.AppointmentsNotOffered.default_message)]
        )
    if regions.level_of(code) != "township":
        raise errors.ValidationFailed(
            details=[errors.FieldError("appointment_capacity", "NOT_A_TOWNSHIP_OFFICE", "只有乡（镇、街道）登记机构公布预约时段")]
        )
