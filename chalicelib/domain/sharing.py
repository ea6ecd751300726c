"""What a registration tells the other government systems of its province (pure, no I/O).

- Chongqing: 002 五(一)8 and 五(二)6 "生育服务证登记信息实时推送“渝快办”及共享给相关部门查询使用" — every
  registration, online or on site, is pushed to 渝快办 as it is registered.
- Guizhou: 001 四(三) "乡级计生行政主管部门须及时将网上登记平台和现场登记的生育登记信息同步准确录入PIS"
  — every registration, online or on site, goes to PIS.
- Sichuan: 000 names no such system (profile ``shares_with`` is empty).

``registration_record`` is the one shape both receive (adapters/sharing.py documents the request).
It carries what the receiving system records about a registration — the couple's names and ID
numbers, the registration number, office, date and child order — and nothing it does not need
(no phone numbers, no addresses, no children's details).
"""

from __future__ import annotations

from typing import Any

from .form import RegistrationForm

SCHEMA_VERSION = 1


def event_id(system: str, case_id: str, step: int) -> str:
    """The id a receiver deduplicates on: the same for every retry of the delivery of one
    registration event of one case (``step``: the case's history length when it was registered)."""
    return f"share:{system}:{case_id}:{step}"


def registration_record(
    form: RegistrationForm,
    *,
    case_id: str,
    registration_number: str,
    registered_at: str,
    office_code: str,
    office_name: str,
    child_order: int,
    channel: str,
) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "type": "registration.registered",
        "case_id": case_id,
        "registration_number": registration_number,
        "registered_at": registered_at,
        "channel": channel,  # online | onsite: both are delivered (001 四(三) 网上登记平台和现场登记)
        "office": {"code": office_code, "name": office_name},
        "child_order": int(child_order),
        "application_type": form.application.type,
        "woman": {"name": form.woman.name, "id_number": form.woman.id_number},
        "man": {"name": form.man.name, "id_number": form.man.id_number},
        "marriage": {"date": form.marriage.date.isoformat(), "certificate_number": form.marriage.certificate_number},
    }
