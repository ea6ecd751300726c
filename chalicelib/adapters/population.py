"""Population registry (全员人口统筹管理信息系统 / 办证系统行政记录): the couple's recorded children,
for the two-way comparison of 002 五(三) and 003 (B) (automatic comparison with PCMIS).

Interface ``PopulationRegistry``:

- ``household(woman_id, man_id) -> list[RecordedChild] | None`` — the children recorded for the
  couple; ``None`` when the registry has no record of the couple (the form cannot be verified).
- ``add_children(woman_id, man_id, children, source=<case id>)`` — "《登记表》信息比系统行政记录记载
  信息多…应及时增加或更新办证系统信息" (002 五(三)): record what the form has in addition.
  Idempotent: a child already recorded (same ID number, or same name and birth date) is skipped.

Raises ``RegistryUnavailable`` (transient) or ``RegistryError``.

HTTP contract (``POPULATION_REGISTRY_URL``)::

    POST {base}/v1/households/query     {"woman_id": "...", "man_id": "..."}
    200 {"found": true, "children": [{"name", "id_number", "birth_date", "sex", "relation"}]}
      | {"found": false}
    POST {base}/v1/households/children  {"woman_id", "man_id", "children": [...], "source": "<case id>"}
    200 {"added": 1}
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol

from chalicelib import config
from chalicelib.adapters.registries import RegistryError, post_json
from chalicelib.store.repositories import registry as records

SYSTEM = "population"


@dataclass(frozen=True)
class RecordedChild:
    name: str
    birth_date: str  # ISO date
    sex: str  # "female" | "male"
    id_number: str | None = None
    relation: str | None = None  # "joint" | "woman" | "man"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RecordedChild:
        try:
            return cls(
                name=str(data["name"]),
                birth_date=str(data["birth_date"]),
                sex=str(data["sex"]),
                id_number=(str(data["id_number"]).upper() if data.get("id_number") else None),
                relation=data.get("relation"),
            )
        except (KeyError, TypeError) as exc:
            raise RegistryError(f"{SYSTEM}: malformed child record") from exc


class PopulationRegistry(Protocol):
    def household(self, woman_id: str, man_id: str) -> list[RecordedChild] | None: ...

    def add_children(self, woman_id: str, man_id: str, children: list[RecordedChild], *, source: str) -> int: ...


def _same(a: RecordedChild, b: RecordedChild) -> bool:
    if a.id_number and b.id_number:
        return a.id_number == b.id_number
    return (a.name, a.birth_date) == (b.name, b.birth_date)


class ReferencePopulationRegistry:
    """Over the Registry table's ``FAMILY#<woman id>#<man id>`` records."""

    def household(self, woman_id: str, man_id: str) -> list[RecordedChild] | None:
        record = records.get(records.family_key(woman_id, man_id))
        if record is None:
            return None
        return [RecordedChild.from_dict(c) for c in record.get("children", [])]

    def add_children(self, woman_id: str, man_id: str, children: list[RecordedChild], *, source: str) -> int:
        key = records.family_key(woman_id, man_id)
        record = records.get(key) or {"children": []}
        known = [RecordedChild.from_dict(c) for c in record["children"]]
        new = [c for c in children if not any(_same(c, k) for k in known)]
        if new:
            record["children"] = [c.to_dict() for c in known + new]
            record.setdefault("updates", []).append({"source": source, "added": len(new)})
            records.put(key, record)
        return len(new)


class HttpPopulationRegistry:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def household(self, woman_id: str, man_id: str) -> list[RecordedChild] | None:
        answer = post_json(self.base_url, "/v1/households/query", {"woman_id": woman_id, "man_id": man_id}, system=SYSTEM)
        if answer.get("found") is False:
            return None
        children = answer.get("children")
        if answer.get("found") is not True or not isinstance(children, list):
            raise RegistryError(f"{SYSTEM}: answer without found/children")
        return [RecordedChild.from_dict(c) for c in children]

    def add_children(self, woman_id: str, man_id: str, children: list[RecordedChild], *, source: str) -> int:
        answer = post_json(
            self.base_url,
            "/v1/households/children",
            {"woman_id": woman_id, "man_id": man_id, "children": [c.to_dict() for c in children], "source": source},
            system=SYSTEM,
        )
        added = answer.get("added")
        if not isinstance(added, int):
            raise RegistryError(f"{SYSTEM}: answer without added")
        return added


def default() -> PopulationRegistry:
    url = config.registry_endpoint("POPULATION_REGISTRY_URL")
    return HttpPopulationRegistry(url) if url else ReferencePopulationRegistry()
