"""The Registry table: synthetic reference records standing in for the government
registries (public security identities, civil-affairs marriages) in the local stack,
the tests and any environment without access to the real systems.

Items: ``pk="PERSON#<id number>", sk="IDENTITY"`` and ``pk="MARRIAGE#<certificate no>",
sk="RECORD"``, each with a JSON ``data`` document.
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.models import Model

from chalicelib import config


class RegistryRecord(Model):
    class Meta:
        table_name = config.registry_table()
        region = config.region()

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    data = UnicodeAttribute()


def person_key(id_number: str) -> tuple[str, str]:
    return f"PERSON#{id_number}", "IDENTITY"


def marriage_key(certificate_number: str) -> tuple[str, str]:
    return f"MARRIAGE#{certificate_number}", "RECORD"


def get(key: tuple[str, str]) -> dict[str, Any] | None:
    try:
        return json.loads(RegistryRecord.get(*key).data)
    except DoesNotExist:
        return None


def put(key: tuple[str, str], data: dict[str, Any]) -> None:
    RegistryRecord(key[0], key[1], data=json.dumps(data, ensure_ascii=False)).save()
