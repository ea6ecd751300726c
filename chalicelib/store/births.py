"""The Births table: birth medical certificate (出生医学证明) records, their signed versions and
the e-licences issued for them (issue 16; seed 003).

Items (one table, told apart by the key):

- ``<birth id>`` (``B`` + 19 characters): the birth record as it stands -- status, institution,
  the current signed version, the claim, the materials, the one notice of missing materials, the
  current e-licence number. Personal data (names, ID numbers) is kept only sealed
  (``chalicelib/sealing.py``); the mother's ID number also as a keyed hash (claims compare it).
- ``<birth id>#V<n>``: signed version ``n`` of the entry, written once (does-not-exist) and never
  updated: the record, its SHA-256, who signed and when (003 一(一)1 electronic signature).
- ``SEQ#<county>#<year>``: the e-licence number counter of a county and year.
- ``Q<county><year><seq>``: one issued e-licence: the birth it belongs to, its signed QR token, the
  PDF key, valid or revoked. Revoked ones carry ``revocation_list``/``revoked_key``: the sparse
  ``RevocationIndex`` is their published list (003 四(二)2 "invalidated in the system").

``InstitutionIndex`` (keys only) lists an institution's births, newest entry first.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from pynamodb.attributes import BooleanAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.transactions import TransactWrite

from chalicelib import config, sealing
from chalicelib.store import cursors, table_meta
from chalicelib.store.conditions import applied
from chalicelib.store.connection import Model, shared

VALID = "valid"
REVOKED = "revoked"
REVOCATION_LIST = "ALL"
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class InstitutionIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "InstitutionIndex"
        projection = KeysOnlyProjection()

    institution_code = UnicodeAttribute(hash_key=True)
    entered_at = UnicodeAttribute(range_key=True)


class RevocationIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "RevocationIndex"
        projection = AllProjection()

    revocation_list = UnicodeAttribute(hash_key=True)
    revoked_key = UnicodeAttribute(range_key=True)  # "<revoked_at>#<number>"


class BirthItem(Model):
    class Meta(table_meta(config.births_table)):
        region = config.region()

    pk = UnicodeAttribute(hash_key=True)
    birth_id = UnicodeAttribute(null=True)
    # who started the record: "institution" (003 一(一)1, 二 entered by staff) or "parent" (二(一)1)
    started_by = UnicodeAttribute(null=True)
    # the record as it stands
    status = UnicodeAttribute(null=True)
    version = NumberAttribute(null=True)
    institution_code = UnicodeAttribute(null=True)
    institution_name = UnicodeAttribute(null=True)
    county = UnicodeAttribute(null=True)
    outside_institution = BooleanAttribute(null=True)
    born_at = UnicodeAttribute(null=True)
    entered_at = UnicodeAttribute(null=True)
    late = BooleanAttribute(null=True)
    mother_key = UnicodeAttribute(null=True)
    record = UnicodeAttribute(null=True)  # sealed JSON of the current version
    record_hash = UnicodeAttribute(null=True)
    signed_by = UnicodeAttribute(null=True)
    signed_at = UnicodeAttribute(null=True)
    signature = UnicodeAttribute(null=True)
    # the claim (003 一(一)2)
    claimant = UnicodeAttribute(null=True)
    claimant_phone_key = UnicodeAttribute(null=True)
    claim = UnicodeAttribute(null=True)  # sealed JSON: newborn name, father's details
    claim_hash = UnicodeAttribute(null=True)
    claimed_at = UnicodeAttribute(null=True)
    materials = MapAttribute(null=True)  # upload id -> {document, status, content_type, ...}
    notice = UnicodeAttribute(null=True)  # JSON: the one notice of missing materials (003 三(三))
    # the e-licence
    certificate_number = UnicodeAttribute(null=True)
    issued_at = UnicodeAttribute(null=True)
    stamped_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    # version items
    signed_version = NumberAttribute(null=True)
    # counters
    seq = NumberAttribute(null=True)
    # e-licence items
    token = UnicodeAttribute(null=True)
    pdf_key = UnicodeAttribute(null=True)
    licence_status = UnicodeAttribute(null=True)
    revoked_at = UnicodeAttribute(null=True)
    revoked_by = UnicodeAttribute(null=True)
    revoked_reason = UnicodeAttribute(null=True)
    replaced_by = UnicodeAttribute(null=True)
    revocation_list = UnicodeAttribute(null=True)
    revoked_key = UnicodeAttribute(null=True)

    institution_index = InstitutionIndex()
    revocation_index = RevocationIndex()

    # -- sealed documents ----------------------------------------------------------------------
    def record_document(self) -> dict[str, Any]:
        return _open(self.record, self.birth_id, f"v{int(self.version)}")

    def material_entries(self) -> dict[str, dict[str, Any]]:
        """upload id -> entry, as plain dicts (a raw MapAttribute is not a dict)."""
        value = self.materials
        return dict(value.as_dict() if hasattr(value, "as_dict") else (value or {}))

    def claim_document(self) -> dict[str, Any]:
        return _open(self.claim, self.birth_id, "claim") if self.claim else {}


class NotFound(Exception):
    pass


class Conflict(Exception):
    """A conditional write did not hold (another request changed the record first)."""


def _seal(document: dict[str, Any], birth_id: str, use: str) -> str:
    return sealing.seal({"d": json.dumps(document, ensure_ascii=False)}, f"birth:{birth_id}", use, ("d",))["d"]


def _open(value: str | None, birth_id: str, use: str) -> dict[str, Any]:
    return json.loads(sealing.unseal({"d": value}, f"birth:{birth_id}", use, ("d",))["d"])


def new_birth_id() -> str:
    return "B" + "".join(secrets.choice(_ALPHABET) for _ in range(19))


def mother_key(id_number: str) -> str:
    return config.keyed_hash("birth-mother", id_number.upper())


def get(birth_id: str) -> BirthItem:
    if not (birth_id.startswith("B") and len(birth_id) == 20 and birth_id.isalnum()):
        raise NotFound(birth_id)
    try:
        item = BirthItem.get(birth_id, consistent_read=True)
    except DoesNotExist:
        raise NotFound(birth_id) from None
    return item


def _version_item(item: BirthItem) -> BirthItem:
    return BirthItem(
        f"{item.birth_id}#V{int(item.version)}",
        birth_id=item.birth_id,
        signed_version=item.version,
        record=item.record,
        record_hash=item.record_hash,
        signed_by=item.signed_by,
        signed_at=item.signed_at,
        signature=item.signature,
    )


def create(birth_id: str, document: dict[str, Any], *, fields: dict[str, Any], claim: dict[str, Any] | None = None) -> BirthItem:
    """A new birth record and its signed version 1, both or neither; ``claim``: the claim of a
    record a parent starts (003 二(一)1), sealed like the claim of an entered one."""
    item = BirthItem(birth_id, birth_id=birth_id, version=1, record=_seal(document, birth_id, "v1"), **fields)
    if claim is not None:
        item.claim = _seal(claim, birth_id, "claim")
    with TransactWrite(connection=shared()) as tx:
        tx.save(item, condition=BirthItem.pk.does_not_exist())
        tx.save(_version_item(item), condition=BirthItem.pk.does_not_exist())
    return item


def correct(item: BirthItem, document: dict[str, Any], *, fields: dict[str, Any], open_statuses: tuple[str, ...]) -> BirthItem:
    """Signed version n+1 of an entry: the new version item (never overwriting one) and the record
    pointing at it, on the condition that nobody corrected or issued it meanwhile."""
    version = int(item.version) + 1
    updated = BirthItem(item.birth_id, **{**item.attribute_values, "version": version, **fields})
    updated.record = _seal(document, item.birth_id, f"v{version}")
    try:
        with TransactWrite(connection=shared()) as tx:
            tx.save(
                updated,
                condition=(BirthItem.version == int(item.version)) & BirthItem.status.is_in(*open_statuses),
            )
            tx.save(_version_item(updated), condition=BirthItem.pk.does_not_exist())
    except TransactWriteError as exc:
        if exc.cause_response_code == "TransactionCanceledException":
            raise Conflict(item.birth_id) from exc
        raise
    return updated


def versions(birth_id: str, up_to: int) -> list[BirthItem]:
    keys = [f"{birth_id}#V{v}" for v in range(1, up_to + 1)]
    found = {int(i.signed_version): i for i in BirthItem.batch_get(keys)}
    return [found[v] for v in sorted(found)]


def claim(item: BirthItem, document: dict[str, Any], *, claimant: str, phone_key: str, claim_hash: str, at: str, status: str, expected: str) -> bool:
    """Record the claim on an unclaimed record; False if another claim came first."""
    return applied(
        lambda: item.update(
            actions=[
                BirthItem.status.set(status),
                BirthItem.claimant.set(claimant),
                BirthItem.claimant_phone_key.set(phone_key),
                BirthItem.claim.set(_seal(document, item.birth_id, "claim")),
                BirthItem.claim_hash.set(claim_hash),
                BirthItem.claimed_at.set(at),
                BirthItem.updated_at.set(at),
            ],
            condition=(BirthItem.status == expected) & BirthItem.claimant.does_not_exist(),
        )
    )


def add_material(item: BirthItem, upload_id: str, entry: dict[str, Any], *, statuses: tuple[str, ...]) -> bool:
    return applied(
        lambda: item.update(
            actions=[BirthItem.materials[upload_id].set(entry)],
            condition=BirthItem.status.is_in(*statuses),
        )
    )


def decide_material(birth_id: str, upload_id: str, entry: dict[str, Any], *, pending: str) -> bool:
    """Replace a pending material entry by its decision, once (False: decided already)."""
    item = BirthItem(birth_id)
    return applied(
        lambda: item.update(
            actions=[BirthItem.materials[upload_id].set(entry)],
            condition=BirthItem.materials[upload_id]["status"] == pending,
        )
    )


def set_notice(item: BirthItem, notice: dict[str, Any]) -> bool:
    """The one notice of missing materials; False if one was given already."""
    return applied(
        lambda: item.update(
            actions=[BirthItem.notice.set(json.dumps(notice, ensure_ascii=False)), BirthItem.updated_at.set(notice["at"])],
            condition=BirthItem.notice.does_not_exist(),
        )
    )


def next_number(county: str, year: int) -> int:
    counter = BirthItem(f"SEQ#{county}#{year}")
    counter.update(actions=[BirthItem.seq.add(1)])
    return int(counter.seq)


def issue(item: BirthItem, licence: BirthItem, *, expected: tuple[str, ...], status: str, at: str, previous: BirthItem | None = None, revoked: dict[str, str] | None = None) -> None:
    """Store a new e-licence and point the birth at it, all or nothing; a reissue revokes the
    previous one in the same transaction. ``Conflict`` if the record moved on meanwhile."""
    try:
        with TransactWrite(connection=shared()) as tx:
            tx.save(licence, condition=BirthItem.pk.does_not_exist())
            tx.update(
                item,
                actions=[
                    BirthItem.status.set(status),
                    BirthItem.certificate_number.set(licence.pk),
                    BirthItem.issued_at.set(at),
                    BirthItem.stamped_at.remove(),
                    BirthItem.updated_at.set(at),
                ],
                condition=BirthItem.status.is_in(*expected)
                & (
                    BirthItem.certificate_number == previous.pk
                    if previous is not None
                    else BirthItem.certificate_number.does_not_exist()
                ),
            )
            if previous is not None and revoked is not None:
                tx.update(
                    previous,
                    actions=[
                        BirthItem.licence_status.set(REVOKED),
                        BirthItem.revoked_at.set(revoked["at"]),
                        BirthItem.revoked_by.set(revoked["by"]),
                        BirthItem.revoked_reason.set(revoked["reason"]),
                        BirthItem.replaced_by.set(licence.pk),
                        BirthItem.revocation_list.set(REVOCATION_LIST),
                        BirthItem.revoked_key.set(f"{revoked['at']}#{previous.pk}"),
                    ],
                    condition=BirthItem.licence_status == VALID,
                )
    except TransactWriteError as exc:
        if exc.cause_response_code == "TransactionCanceledException":
            raise Conflict(item.birth_id) from exc
        raise


def licence(number: str) -> BirthItem | None:
    if not (number.startswith("Q") and number[1:].isdigit()):
        return None
    try:
        found = BirthItem.get(number, consistent_read=True)
    except DoesNotExist:
        return None
    return found if found.licence_status else None


def mark_stamped(item: BirthItem, *, number: str, at: str, expected: str, status: str) -> bool:
    return applied(
        lambda: item.update(
            actions=[BirthItem.status.set(status), BirthItem.stamped_at.set(at), BirthItem.updated_at.set(at)],
            condition=(BirthItem.status == expected) & (BirthItem.certificate_number == number),
        )
    )


def by_institution(institution_code: str, *, limit: int = 50) -> list[BirthItem]:
    keys = [
        i.pk
        for i in BirthItem.institution_index.query(institution_code, scan_index_forward=False, limit=limit)
    ]
    found = {i.pk: i for i in BirthItem.batch_get(keys)} if keys else {}
    return [found[k] for k in keys if k in found]


BadCursor = cursors.BadCursor
_REVOCATION_CURSOR_KEYS = {"pk", "revocation_list", "revoked_key"}


def revocations(*, limit: int, cursor: str | None = None) -> tuple[list[BirthItem], str | None]:
    """One page of the invalidated e-licences, oldest revocation first: one query of ``limit``
    items (O(page) reads), and the next page's cursor (None on the last page)."""
    # Only a key of the published list continues it (no other item of the table can be read so).
    start = cursors.decode(cursor, _REVOCATION_CURSOR_KEYS, revocation_list=REVOCATION_LIST)
    result = BirthItem.revocation_index.query(REVOCATION_LIST, limit=limit, last_evaluated_key=start)
    items = list(result)
    return items, cursors.encode(result.last_evaluated_key)
