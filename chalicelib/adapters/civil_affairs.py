"""Civil affairs (民政) marriage check: is there a marriage with this certificate number between
these two people, on this date?

000 §2.3.5: the system checks "结婚证号" against "四川民政信息" — the *provincial* civil-affairs data.
A marriage registered in another province cannot be verified there: ``unverifiable`` (a
check that cannot be made), which the workflow treats like a failed check (it asks for the
marriage certificate).

Interface: ``CivilAffairs.verify(query) -> MarriageAnswer``. Statuses: ``match``, ``not_found``,
``parties_mismatch`` (the certificate names other people), ``date_mismatch``, ``unverifiable``.
Raises ``RegistryUnavailable`` (transient) or ``RegistryError``.

HTTP contract (``CIVIL_AFFAIRS_URL``)::

    POST {base}/v1/marriages/verify
         {"certificate_number": "J510104-2021-001234", "woman_id": "...", "man_id": "...",
          "date": "2021-05-20", "province_code": "51"}
    200 {"status": "match" | "not_found" | "parties_mismatch" | "date_mismatch" | "unverifiable"}
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from chalicelib import config
from chalicelib.adapters.registries import expect, post_json
from chalicelib.store.repositories import registry as records

SYSTEM = "civil_affairs"
STATUSES = ("match", "not_found", "parties_mismatch", "date_mismatch", "unverifiable")
# Marriage certificate numbers start with J (结婚证) or L (离婚证) and the issuing county's code:
# "J510104-2021-001234" was issued in 510104 (锦江区).
_ISSUER = re.compile(r"[JL]([0-9]{6})")


@dataclass(frozen=True)
class MarriageQuery:
    certificate_number: str
    woman_id: str
    man_id: str
    date: str  # ISO date
    province_code: str  # whose civil-affairs data is asked


@dataclass(frozen=True)
class MarriageAnswer:
    status: str


class CivilAffairs(Protocol):
    def verify(self, query: MarriageQuery) -> MarriageAnswer: ...


def issuing_province(certificate_number: str) -> str | None:
    m = _ISSUER.match(certificate_number.strip().upper())
    return m.group(1)[:2] if m else None


class ReferenceCivilAffairs:
    """Over the Registry table's ``MARRIAGE#<certificate no>`` records. A certificate issued in
    another province (by its number) that is not in the table is ``unverifiable``."""

    def verify(self, query: MarriageQuery) -> MarriageAnswer:
        record = records.get(records.marriage_key(query.certificate_number))
        if record is None:
            issuer = issuing_province(query.certificate_number)
            return MarriageAnswer("unverifiable" if issuer and issuer != query.province_code else "not_found")
        if (record.get("woman_id"), record.get("man_id")) != (query.woman_id.upper(), query.man_id.upper()):
            return MarriageAnswer("parties_mismatch")
        if record.get("date") != query.date:
            return MarriageAnswer("date_mismatch")
        return MarriageAnswer("match")


class HttpCivilAffairs:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def verify(self, query: MarriageQuery) -> MarriageAnswer:
        answer = post_json(
            self.base_url,
            "/v1/marriages/verify",
            {
                "certificate_number": query.certificate_number,
                "woman_id": query.woman_id,
                "man_id": query.man_id,
                "date": query.date,
                "province_code": query.province_code,
            },
            system=SYSTEM,
        )
        return MarriageAnswer(expect(answer, "status", STATUSES, system=SYSTEM))


def default() -> CivilAffairs:
    url = config.registry_endpoint("CIVIL_AFFAIRS_URL")
    return HttpCivilAffairs(url) if url else ReferenceCivilAffairs()
