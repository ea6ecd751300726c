"""Demo reference records for the local stack.

The registries hold the identities and the marriage of each province's demo couple
(``chalicelib.domain.demo.demo_registration``), so submitting a demo registration as it is
issues a certificate at once; changing a name, an ID number or the marriage certificate
number sends it to manual review.
"""

from __future__ import annotations

from chalicelib.domain.demo import demo_registration
from chalicelib.domain.profiles import PROFILES
from chalicelib.store import registry

DEMO_PROFILES = tuple(PROFILES)


def registry_records(body: dict) -> list[tuple[tuple[str, str], dict]]:
    woman, man, marriage = body["woman"], body["man"], body["marriage"]
    return [
        (registry.person_key(woman["id_number"]), {"name": woman["name"], "sex": "female"}),
        (registry.person_key(man["id_number"]), {"name": man["name"], "sex": "male"}),
        (
            registry.marriage_key(marriage["certificate_number"]),
            {"woman_id": woman["id_number"], "man_id": man["id_number"], "date": marriage["date"]},
        ),
    ]


def seed_demo_records() -> int:
    count = 0
    for profile in DEMO_PROFILES:
        for key, data in registry_records(demo_registration(profile)):
            registry.put(key, data)
            count += 1
    return count
