"""Public security (公安) identity check: does this name belong to this ID number?

000 §2.3.5: the system checks "男女双方的姓名、身份证号" against public security; 注 "公安校验只在
正常工作时间范围内开放" (the workflow waits for the window; see ``services/workflow/checks.identity_check``).

Interface: ``PublicSecurity.verify(people) -> list[IdentityAnswer]``, one answer per person, in order.
Statuses: ``match``; ``name_mismatch`` (the ID number exists, under another name); ``not_found``.
Raises ``RegistryUnavailable`` (transient) or ``RegistryError``.

HTTP contract (``PUBLIC_SECURITY_URL``)::

    POST {base}/v1/identity/verify   {"people": [{"name": "李娟", "id_number": "5101..."}]}
    200 {"results": [{"id_number": "5101...", "status": "match" | "name_mismatch" | "not_found"}]}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from chalicelib import config
from chalicelib.adapters.registries import RegistryError, expect, post_json
from chalicelib.store.repositories import registry as records

SYSTEM = "public_security"
STATUSES = ("match", "name_mismatch", "not_found")


@dataclass(frozen=True)
class IdentityQuery:
    role: str  # "woman" | "man"
    name: str
    id_number: str


@dataclass(frozen=True)
class IdentityAnswer:
    role: str
    status: str


class PublicSecurity(Protocol):
    def verify(self, people: list[IdentityQuery]) -> list[IdentityAnswer]: ...


class ReferencePublicSecurity:
    """Over the Registry table's ``PERSON#<id number>`` records (seeded synthetic identities)."""

    def verify(self, people: list[IdentityQuery]) -> list[IdentityAnswer]:
        answers = []
        for person in people:
            record = records.get(records.person_key(person.id_number))
            if record is None:
                status = "not_found"
            elif record.get("name") != person.name:
                status = "name_mismatch"
            else:
                status = "match"
            answers.append(IdentityAnswer(person.role, status))
        return answers


class HttpPublicSecurity:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def verify(self, people: list[IdentityQuery]) -> list[IdentityAnswer]:
        answer = post_json(
            self.base_url,
            "/v1/identity/verify",
            {"people": [{"name": p.name, "id_number": p.id_number} for p in people]},
            system=SYSTEM,
        )
        results = answer.get("results")
        if not isinstance(results, list) or len(results) != len(people):
            raise RegistryError(f"{SYSTEM} answered {len(results) if isinstance(results, list) else 'no'} results for {len(people)} people")
        by_id = {str(r.get("id_number", "")).upper(): r for r in results if isinstance(r, dict)}
        out = []
        for person in people:
            result = by_id.get(person.id_number.upper())
            if result is None:
                raise RegistryError(f"{SYSTEM} did not answer for one of the people asked")
            out.append(IdentityAnswer(person.role, expect(result, "status", STATUSES, system=SYSTEM)))
        return out


def default() -> PublicSecurity:
    url = config.registry_endpoint("PUBLIC_SECURITY_URL")
    return HttpPublicSecurity(url) if url else ReferencePublicSecurity()
