"""The PynamoDB index models declare the projection infra/resources.py gives each index.

A query on a KEYS_ONLY / INCLUDE index returns only the projected attributes; a model that
claims ALL while the table projects less would read empty attributes without an error.
"""

from __future__ import annotations

import pytest
from pynamodb.indexes import GlobalSecondaryIndex

from chalicelib.store import audit, births, cases, certificates, offices, outbox, tasks
from infra import resources as R

MODELS = {
    R.CASES.id: cases.Case,
    R.TASKS.id: tasks.Task,
    R.CERTIFICATE_RECORDS.id: certificates.CertificateRecord,
    R.AUDIT.id: audit.AuditEntry,
    R.OUTBOX.id: outbox.OutboxMessage,
    R.OFFICES.id: offices.OfficeItem,
    R.BIRTHS.id: births.BirthItem,
}


@pytest.mark.parametrize("table", [t for t in R.TABLES if t.indexes], ids=lambda t: t.id)
def test_model_indexes_match_the_declared_projection(table):
    model = MODELS[table.id]
    declared = {ix.name: ix.projection_spec() for ix in table.indexes}
    found = {}
    for value in vars(model).values():
        if isinstance(value, GlobalSecondaryIndex):
            p = value.Meta.projection
            spec = {"ProjectionType": p.projection_type}
            if p.non_key_attributes:
                spec["NonKeyAttributes"] = list(p.non_key_attributes)
            found[value.Meta.index_name] = spec
    assert found == declared


def test_case_indexes_do_not_project_everything():
    assert {ix.name: ix.projection for ix in R.CASES.indexes} == {
        "PhoneIndex": "KEYS_ONLY",
        "CoupleIndex": "INCLUDE",
        "QueryCodeIndex": "INCLUDE",
        "WomanIdIndex": "KEYS_ONLY",  # the staff search by a spouse's ID number
        "ManIdIndex": "KEYS_ONLY",
    }
