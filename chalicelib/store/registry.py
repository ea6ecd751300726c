"""The Registry table: synthetic reference records standing in for the government
registries in the local stack, the tests and any environment without access to the real
systems (``chalicelib/adapters/public_security.py``, ``civil_affairs.py``, ``population.py``).

Items, each with a JSON ``data`` document:

- ``pk="PERSON#<id number>", sk="IDENTITY"`` — public security: ``{"name", "sex"}``;
- ``pk="MARRIAGE#<certificate no>", sk="RECORD"`` — civil affairs: ``{"woman_id", "man_id", "date"}``;
- ``pk="FAMILY#<woman id>#<man id>", sk="RECORD"`` — population registry (全员人口 / 办证系统行政记录):
  ``{"children": [{"name", "id_number", "birth_date", "sex", "relation"}]}``.

Every read is a GetItem by key.
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DoesNotExist

from chalicelib import config
from chalicelib.store import table_meta
from chalicelib.store.connection import Model

# The repository interface (store/repositories.py): what reads or writes the table; the fake in
# store/memory.py implements exactly these, with the same signatures.
OPERATIONS = ("get", "put")


class RegistryRecord(Model):
    class Meta(table_meta(config.registry_table)):
        region = config.region()

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    data = UnicodeAttribute()


def person_key(id_number: str) -> tuple[str, str]:
    return f"PERSON#{id_number.upper()}", "IDENTITY"


def marriage_key(certificate_number: str) -> tuple[str, str]:
    return f"MARRIAGE#{certificate_number}", "RECORD"


def family_key(woman_id: str, man_id: str) -> tuple[str, str]:
    return f"FAMILY#{woman_id.upper()}#{man_id.upper()}", "RECORD"


def get(key: tuple[str, str]) -> dict[str, Any] | None:
    try:
        return json.loads(RegistryRecord.get(*key, consistent_read=True).data)
    except DoesNotExist:
        return None


def put(key: tuple[str, str], data: dict[str, Any]) -> None:
    RegistryRecord(key[0], key[1], data=json.dumps(data, ensure_ascii=False)).save()
