"""The Certificates table: one item per registration number, plus per-office yearly counters.

Registration numbers are ``<6-digit county code of the office><year><6-digit sequence>``:
human-readable, carrying the place and year, and never reused (the counter only grows and
the item is written with a does-not-exist condition).
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.models import Model

from chalicelib import config

VALID = "valid"
REVOKED = "revoked"


class CertificateRecord(Model):
    class Meta:
        table_name = config.certificates_table()
        region = config.region()

    registration_number = UnicodeAttribute(hash_key=True)
    case_id = UnicodeAttribute(null=True)
    version = NumberAttribute(null=True)
    status = UnicodeAttribute(null=True)
    office_code = UnicodeAttribute(null=True)
    issued_at = UnicodeAttribute(null=True)
    seq = NumberAttribute(null=True)  # counters only


def next_registration_number(office_code: str, year: int) -> str:
    county = office_code[:6]
    counter = CertificateRecord(f"SEQ#{county}#{year}")
    counter.update(actions=[CertificateRecord.seq.add(1)])
    return f"{county}{year}{int(counter.seq):06d}"


def record(number: str, *, case_id: str, version: int, office_code: str, issued_at: str) -> None:
    CertificateRecord(
        number, case_id=case_id, version=version, status=VALID, office_code=office_code, issued_at=issued_at
    ).save(condition=CertificateRecord.registration_number.does_not_exist())


def get(number: str) -> CertificateRecord | None:
    try:
        return CertificateRecord.get(number, consistent_read=True)
    except DoesNotExist:
        return None
