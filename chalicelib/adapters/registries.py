"""Checking a registration against the government registries.

Interface ``RecordsRegistry.check(form) -> CheckResult``. The reference implementation
(``DynamoDbRegistry``) looks the records up in the Registry table (see
``chalicelib/store/registry.py``) — real lookups over seeded synthetic data — and is what
the local stack and the tests use. 000 §2.3.5: the check uses "男女双方的姓名、身份证号及
结婚证号" against public security and civil affairs; a mismatch is not a failure of the
application, it sends the case to a person (and later asks for proof documents).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from chalicelib.store import registry as records


@dataclass(frozen=True)
class Mismatch:
    code: str
    path: str
    message: str


@dataclass
class CheckResult:
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return not self.mismatches

    def to_dict(self) -> dict[str, Any]:
        return {"matched": self.matched, "mismatches": [asdict(m) for m in self.mismatches]}


class RecordsRegistry(Protocol):
    def check(self, form: dict[str, Any]) -> CheckResult: ...


class DynamoDbRegistry:
    """Reference implementation over the Registry table."""

    def check(self, form: dict[str, Any]) -> CheckResult:
        result = CheckResult()
        for role, label in (("woman", "女方"), ("man", "男方")):
            person = form[role]
            record = records.get(records.person_key(person["id_number"]))
            if record is None:
                result.mismatches.append(
                    Mismatch("IDENTITY_NOT_FOUND", f"{role}.id_number", f"{label}身份证号码未能在公安信息中查到")
                )
            elif record.get("name") != person["name"]:
                result.mismatches.append(
                    Mismatch("IDENTITY_NAME_MISMATCH", f"{role}.name", f"{label}姓名与身份证号码不一致")
                )
        marriage = form["marriage"]
        record = records.get(records.marriage_key(marriage["certificate_number"]))
        if record is None:
            result.mismatches.append(
                Mismatch("MARRIAGE_NOT_FOUND", "marriage.certificate_number", "结婚证号未能在民政婚姻登记信息中查到")
            )
        elif (record.get("woman_id"), record.get("man_id")) != (form["woman"]["id_number"], form["man"]["id_number"]):
            result.mismatches.append(
                Mismatch("MARRIAGE_PARTIES_MISMATCH", "marriage.certificate_number", "结婚证登记的当事人与填写的男女双方不一致")
            )
        elif record.get("date") != marriage["date"]:
            result.mismatches.append(Mismatch("MARRIAGE_DATE_MISMATCH", "marriage.date", "结婚登记日期与民政记录不一致"))
        return result


def default_registry() -> RecordsRegistry:
    return DynamoDbRegistry()
