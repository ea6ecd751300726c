"""Paper-certificate stock for e2e tests: blanks put into a township's stock the way the offices
do it (the county takes a printed range in and distributes it, the township acknowledges).

Numbers are 12 random digits per range, so ranges of different tests never overlap in the
session's stack (the stock refuses overlapping ranges)."""

from __future__ import annotations

import secrets

from tests.e2e.workflow_support import bearer, staff_token

COUNTY_STAFF = {"510104": "sc-county-510104", "520102": "gz-county-520102", "500103": "cq-county-500103"}
TOWNSHIP_STAFF = {
    "510104022": "sc-op-510104022",
    "510104023": "sc-op-510104023",
    "520102016": "gz-op-520102016",
    "500103003": "cq-op-500103003",
}


def fresh_range(count: int) -> tuple[str, str]:
    first = 100_000_000_000 + secrets.randbelow(800_000_000_000)
    return str(first), str(first + count - 1)


def intake(api, county: str, count: int, kind: str = "first") -> tuple[str, str]:
    first, last = fresh_range(count)
    r = api.post(
        f"/v1/staff/paper-stock/{county}/intake",
        {"kind": kind, "first": first, "last": last},
        headers=bearer(staff_token(api, COUNTY_STAFF[county])),
    )
    assert r.status == 201, r.body
    return first, last


def ship(api, township: str, count: int, kind: str = "first") -> tuple[str, str, str]:
    """``(shipment id, first, last)`` of a pending shipment of ``count`` new blanks to ``township``."""
    county = township[:6]
    first, last = intake(api, county, count, kind)
    r = api.post(
        f"/v1/staff/paper-stock/{county}/distributions",
        {"to_office": township, "first": first, "last": last},
        headers=bearer(staff_token(api, COUNTY_STAFF[county])),
    )
    assert r.status == 201, r.body
    return r.body["shipment_id"], first, last


def stock_blanks(api, township: str, count: int = 1, kind: str = "first") -> list[str]:
    """The numbers of ``count`` new blanks now in ``township``'s stock."""
    shipment_id, first, last = ship(api, township, count, kind)
    r = api.post(
        f"/v1/staff/paper-stock/{township}/shipments/{shipment_id}/receipt",
        headers=bearer(staff_token(api, TOWNSHIP_STAFF[township])),
    )
    assert r.status == 200, r.body
    return [str(n).zfill(len(first)) for n in range(int(first), int(last) + 1)]


def blanks_for_case(api, township: str, case_id: str, count: int = 1) -> list[str]:
    """New blanks in ``township``'s stock of the kind the case's couple receives (一孩/二孩)."""
    from chalicelib.services.certificates.paper_stock import kind_for_child_order
    from chalicelib.store import cases

    return stock_blanks(api, township, count, kind_for_child_order(int(cases.get(case_id).child_order)))
