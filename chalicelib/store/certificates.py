"""The Certificates table: certificates by registration number, and what hangs off them.

Items (one table, told apart by the key):

- ``<registration number>``: one issued certificate. Registration numbers are
  ``<6-digit county code of the office><year><6-digit sequence>``: human-readable, carrying the
  place and year, never reused (the counter only grows and the item is written with a
  does-not-exist condition). It holds the signed QR token, the facts the public verification
  shows (title, office, registration date, child order -- nothing identifying the couple), the
  revocation status and, once a medical institution recorded it, the child's birth date and sex.
- ``SEQ#<county>#<year>``: the sequence counter of a county and year.
- ``ISSUE#<case id>#<version>``: which number was issued for a case version; written in the
  same transaction as the certificate, so a retried IssueCertificate finds the certificate
  (same number, same token, same PDF bytes) instead of issuing a second one.
- ``PAPER#<case id>``: the paper certificate handed out for a case (001 三(一)3(3)), and
  ``PAPERNO#<paper number>``: its serial number, so one serial is recorded only once.

Revoked certificates also carry ``revocation_list``/``revoked_key``: the sparse
``RevocationIndex`` is the published revocation list.
"""

from __future__ import annotations

from collections.abc import Iterator

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.transactions import TransactWrite

from chalicelib import config
from chalicelib.store import offices, table_meta
from chalicelib.store.conditions import applied
from chalicelib.store.connection import Model, shared

VALID = "valid"
REVOKED = "revoked"
REVOCATION_LIST = "ALL"


class RevocationIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "RevocationIndex"
        projection = AllProjection()

    revocation_list = UnicodeAttribute(hash_key=True)
    revoked_key = UnicodeAttribute(range_key=True)  # "<revoked_at>#<registration number>"


class CertificateRecord(Model):
    class Meta(table_meta(config.certificates_table)):
        region = config.region()

    registration_number = UnicodeAttribute(hash_key=True)
    # certificates
    case_id = UnicodeAttribute(null=True)
    version = NumberAttribute(null=True)
    status = UnicodeAttribute(null=True)
    office_code = UnicodeAttribute(null=True)
    issued_at = UnicodeAttribute(null=True)
    token = UnicodeAttribute(null=True)
    pdf_key = UnicodeAttribute(null=True)
    profile = UnicodeAttribute(null=True)
    title = UnicodeAttribute(null=True)
    office_name = UnicodeAttribute(null=True)
    child_order_label = UnicodeAttribute(null=True)
    revoked_at = UnicodeAttribute(null=True)
    revoked_by = UnicodeAttribute(null=True)
    revoked_reason = UnicodeAttribute(null=True)
    revocation_list = UnicodeAttribute(null=True)
    revoked_key = UnicodeAttribute(null=True)
    birth_date = UnicodeAttribute(null=True)
    child_sex = UnicodeAttribute(null=True)
    birth_recorded_at = UnicodeAttribute(null=True)
    birth_recorded_by = UnicodeAttribute(null=True)
    birth_recorded_office = UnicodeAttribute(null=True)
    # counters
    seq = NumberAttribute(null=True)
    # issuance pointers and paper certificates
    target = UnicodeAttribute(null=True)
    paper_number = UnicodeAttribute(null=True)
    paper_issued_on = UnicodeAttribute(null=True)
    paper_office_code = UnicodeAttribute(null=True)
    recorded_at = UnicodeAttribute(null=True)
    recorded_by = UnicodeAttribute(null=True)

    revocation_index = RevocationIndex()

    @property
    def is_certificate(self) -> bool:
        return self.registration_number.isdigit() and self.case_id is not None


class AlreadyRecorded(Exception):
    """The item exists already (a paper certificate for the case, or its serial number)."""


def _issue_key(case_id: str, version: int) -> str:
    return f"ISSUE#{case_id}#{version}"


def next_registration_number(office_code: str, year: int) -> str:
    county = office_code[:6]
    counter = CertificateRecord(f"SEQ#{county}#{year}")
    counter.update(actions=[CertificateRecord.seq.add(1)])
    return f"{county}{year}{int(counter.seq):06d}"


def get(number: str) -> CertificateRecord | None:
    """The certificate with this registration number (never a counter or pointer item)."""
    if not number.isdigit():
        return None
    try:
        record = CertificateRecord.get(number, consistent_read=True)
    except DoesNotExist:
        return None
    return record if record.is_certificate else None


def issuance(case_id: str, version: int) -> CertificateRecord | None:
    """The certificate issued for this case version, if any."""
    try:
        pointer = CertificateRecord.get(_issue_key(case_id, version), consistent_read=True)
    except DoesNotExist:
        return None
    return get(pointer.target) if pointer.target else None


def issued_for_case(case_id: str, up_to_version: int) -> list[CertificateRecord]:
    """Every certificate a case had, oldest first (versions 1..up_to_version)."""
    keys = [_issue_key(case_id, v) for v in range(1, up_to_version + 1)]
    numbers = sorted((int(p.version or 0), p.target) for p in CertificateRecord.batch_get(keys) if p.target)
    records = {r.registration_number: r for r in CertificateRecord.batch_get([n for _, n in numbers])}
    return [records[n] for _, n in numbers if n in records]


def create_issued(record: CertificateRecord) -> CertificateRecord:
    """Store a newly issued certificate and its case-version pointer, both or neither.

    If this case version already has a certificate (a concurrent or earlier run), that one is
    returned and ``record`` is dropped (its number stays unused: numbers are never reused).
    """
    pointer = CertificateRecord(
        _issue_key(record.case_id, int(record.version)), target=record.registration_number, version=record.version
    )
    try:
        with TransactWrite(connection=shared()) as tx:
            tx.save(record, condition=CertificateRecord.registration_number.does_not_exist())
            tx.save(pointer, condition=CertificateRecord.registration_number.does_not_exist())
    except TransactWriteError:
        existing = issuance(record.case_id, int(record.version))
        if existing is None:
            raise
        return existing
    return record


def revoke(record: CertificateRecord, *, at: str, by: str, reason: str) -> bool:
    """Mark a valid certificate revoked; False if it was revoked already (nothing changed)."""
    return applied(
        lambda: record.update(
            actions=[
                CertificateRecord.status.set(REVOKED),
                CertificateRecord.revoked_at.set(at),
                CertificateRecord.revoked_by.set(by),
                CertificateRecord.revoked_reason.set(reason),
                CertificateRecord.revocation_list.set(REVOCATION_LIST),
                CertificateRecord.revoked_key.set(f"{at}#{record.registration_number}"),
            ],
            condition=CertificateRecord.status == VALID,
        )
    )


def revocations(since: str | None = None) -> Iterator[CertificateRecord]:
    """Revoked certificates, oldest revocation first; only those revoked at or after ``since`` if given."""
    condition = CertificateRecord.revoked_key >= since if since else None
    return CertificateRecord.revocation_index.query(REVOCATION_LIST, range_key_condition=condition)


def record_birth(record: CertificateRecord, *, birth_date: str, sex: str, at: str, by: str, office: str) -> bool:
    """Write the child's birth date and sex on a valid certificate once; False if it is not valid
    any more or a birth is recorded already."""
    return applied(
        lambda: record.update(
            actions=[
                CertificateRecord.birth_date.set(birth_date),
                CertificateRecord.child_sex.set(sex),
                CertificateRecord.birth_recorded_at.set(at),
                CertificateRecord.birth_recorded_by.set(by),
                CertificateRecord.birth_recorded_office.set(office),
            ],
            condition=(CertificateRecord.status == VALID) & CertificateRecord.birth_date.does_not_exist(),
        )
    )


def paper_certificate(case_id: str) -> CertificateRecord | None:
    try:
        return CertificateRecord.get(f"PAPER#{case_id}", consistent_read=True)
    except DoesNotExist:
        return None


def record_paper(
    case_id: str, *, paper_number: str, issued_on: str, office_code: str, at: str, by: str, blank=None
) -> CertificateRecord:
    """Record the paper certificate of a case; ``AlreadyRecorded`` if the case has one or the
    serial number was recorded for another case, or (with ``blank``, the office's holding of the
    number: ``store.offices.Holding``) the blank is no longer in the office's stock -- consumed
    in the same transaction (store/offices.py ``consume_actions``)."""

    item = CertificateRecord(
        f"PAPER#{case_id}",
        case_id=None,
        target=case_id,
        paper_number=paper_number,
        paper_issued_on=issued_on,
        paper_office_code=office_code,
        recorded_at=at,
        recorded_by=by,
    )
    serial = CertificateRecord(f"PAPERNO#{paper_number}", target=case_id, recorded_at=at, recorded_by=by)
    try:
        with TransactWrite(connection=shared()) as tx:
            tx.save(item, condition=CertificateRecord.registration_number.does_not_exist())
            tx.save(serial, condition=CertificateRecord.registration_number.does_not_exist())
            if blank is not None:
                offices.consume_actions(tx, blank, paper_number, use="issued", case_id=case_id, reason=None, at=at, by=by)
    except TransactWriteError as exc:
        if exc.cause_response_code == "TransactionCanceledException":
            raise AlreadyRecorded(case_id) from exc
        raise
    return item
