"""Demo data for the local stack: reference-registry records for every workflow branch, and staff accounts.

Registries (Registry table, read by the reference adapters of public security, civil affairs and
the population registry): each province's demo couple (``chalicelib.domain.demo``) is known to all
three, so submitting ``demo_registration(profile)`` issues at once; and for each profile one couple
per *scenario* below, whose records are made to reach one branch of the state machine.
``python -m local.seed body <profile> <scenario>`` prints the registration body of a scenario;
local/README.md lists what each one shows.

Staff (the StaffPool user pool): ``STAFF`` — local-only accounts with one shared password.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from chalicelib.domain import idcard
from chalicelib.domain.demo import demo_registration
from chalicelib.domain.profiles import PROFILES
from chalicelib.store import registry

DEMO_PROFILES = tuple(PROFILES)


@dataclass(frozen=True)
class Scenario:
    name: str
    shows: str  # the branch, per profile where it differs


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("instant", "all three registries agree → certificate at once (003 (B))"),
        Scenario(
            "newborn_unrecorded",
            "the population registry knows the couple but not their child → the registry is updated and "
            "the certificate issued at once (002 五(三) 登记表信息多 → 视同比对一致)",
        ),
        Scenario("registry_has_more", "the registry records a child the form omits → manual review (登记表信息少)"),
        Scenario("child_conflict", "the child's birth date differs from the registry → manual review (有差错)"),
        Scenario(
            "no_household",
            "the population registry has no record of the couple → chongqing: issued on the commitment "
            "(002 五(三) 以承诺信息为准); sichuan: registered directly (000 §1); guizhou: manual acceptance (003 V(B))",
        ),
        Scenario(
            "identity_mismatch",
            "public security knows the woman's ID number under another name → sichuan: proof documents (ID_CARD); "
            "chongqing: 比对未通过 notice (002 五(一)5); guizhou: manual acceptance + SMS with the query code (003 V(B))",
        ),
        Scenario(
            "marriage_other_province",
            "the marriage was registered in another province (certificate J330102-…) → civil affairs cannot "
            "verify it → sichuan: proof documents (MARRIAGE_PROOF); chongqing: the commitment prevails; guizhou: manual acceptance",
        ),
        Scenario(
            "hukou_outside",
            "both hukou in Zhejiang, both living in the province, all registries agree → sichuan: the resident "
            "spouse's ID card and 现居住证明 before issue (000 §2.3.5); guizhou, chongqing: issued at once",
        ),
    )
}

WOMAN_BORN = date(1990, 1, 1)
HUKOU_OUTSIDE = "330102001"  # 浙江省杭州市上城区清波街道: outside all three provinces
MAN_BORN = date(1988, 1, 1)


def registry_records(body: dict, *, children: list[dict] | None = None, woman_name: str | None = None,
                     family: bool = True, marriage: bool = True) -> list[tuple[tuple[str, str], dict]]:
    """Records that make the registries agree with ``body`` (the instant path), unless told otherwise:
    ``children`` replaces the population registry's children, ``family=False`` leaves the couple out
    of it, ``woman_name`` records the woman under another name, ``marriage=False`` leaves the
    marriage out of civil affairs."""
    woman, man, m = body["woman"], body["man"], body["marriage"]
    out = [
        (registry.person_key(woman["id_number"]), {"name": woman_name or woman["name"], "sex": "female"}),
        (registry.person_key(man["id_number"]), {"name": man["name"], "sex": "male"}),
    ]
    if marriage:
        out.append(
            (
                registry.marriage_key(m["certificate_number"]),
                {"woman_id": woman["id_number"].upper(), "man_id": man["id_number"].upper(), "date": m["date"]},
            )
        )
    if family:
        recorded = body.get("children", []) if children is None else children
        out.append(
            (
                registry.family_key(woman["id_number"], man["id_number"]),
                {
                    "children": [
                        {k: c.get(k) for k in ("name", "id_number", "birth_date", "sex", "relation")} for c in recorded
                    ]
                },
            )
        )
    return out


def scenario(profile: str, name: str, *, serial: int | None = None) -> tuple[dict[str, Any], list[tuple[tuple[str, str], dict]]]:
    """The registration body of a scenario and the registry records that make it reach its branch.

    ``serial`` gives a fresh couple (tests); without it, the fixed couple the local stack seeds.
    """
    if name not in SCENARIOS:
        raise KeyError(f"unknown scenario {name!r}; one of {sorted(SCENARIOS)}")
    k = list(SCENARIOS).index(name) if serial is None else 10 + serial
    body = demo_registration(profile)
    county = body["woman"]["id_number"][:6]
    body["woman"]["id_number"] = idcard.make_id(county, WOMAN_BORN + timedelta(days=k), 900)
    body["man"]["id_number"] = idcard.make_id(county, MAN_BORN + timedelta(days=k), 901)
    body["marriage"]["certificate_number"] = f"J{county}-2021-{k:06d}"
    child = body["children"][0]
    if name == "instant":
        records = registry_records(body)
    elif name == "newborn_unrecorded":
        records = registry_records(body, children=[])
    elif name == "registry_has_more":
        older = {"name": child["name"] + "一", "id_number": None, "birth_date": "2022-01-15", "sex": "male", "relation": "joint"}
        records = registry_records(body, children=[older, child])
    elif name == "child_conflict":
        records = registry_records(body, children=[{**child, "id_number": None, "birth_date": "2023-05-10"}])
    elif name == "no_household":
        records = registry_records(body, family=False)
    elif name == "identity_mismatch":
        records = registry_records(body, woman_name=body["woman"]["name"][0] + "丽")
    elif name == "hukou_outside":
        for spouse in ("woman", "man"):
            body[spouse]["hukou"]["region_code"] = HUKOU_OUTSIDE
        records = registry_records(body)
    else:  # marriage_other_province
        body["marriage"]["certificate_number"] = f"J330102-2021-{k:06d}"
        records = registry_records(body, marriage=False)
    return body, records


# -------------------------------------------------------------------------------- staff accounts
STAFF_PASSWORD = "Local-Demo-2026!"  # noqa: S105 - local stack only (in-memory Cognito); printed in local/README.md


@dataclass(frozen=True)
class StaffAccount:
    """A demo account: its Cognito attributes, and the 附件2 data of its profile (store/offices.py)."""

    username: str
    name: str  # the real name staff are shown by
    role: str
    region_code: str
    office_code: str | None = None
    unit: str = ""
    position: str = ""
    grants: tuple[str, ...] | None = None  # None: every operation its role allows


STAFF: tuple[StaffAccount, ...] = (
    # Sichuan: the demo office is 成都市锦江区春熙路街道 (510104022)
    StaffAccount("sc-admin", "李建国", "admin", "51", unit="四川省卫生健康委员会", position="系统管理员"),
    StaffAccount("sc-province", "王秀英", "province_monitor", "51", unit="四川省卫生健康委员会", position="人口家庭处科员"),
    StaffAccount("sc-city-5101", "张伟", "city_monitor", "5101", unit="成都市卫生健康委员会", position="科员"),
    StaffAccount("sc-county-510104", "刘芳", "county_monitor", "510104", unit="锦江区卫生健康局", position="科员"),
    StaffAccount("sc-op-510104022", "陈静", "township_operator", "510104022", "510104022", unit="春熙路街道社区卫生服务中心", position="计生专干"),
    StaffAccount("sc-op-510104023", "杨洋", "township_operator", "510104023", "510104023", unit="书院街街道社区卫生服务中心", position="计生专干"),
    StaffAccount("sc-hospital-510104", "赵敏", "medical_institution", "510104", "H510104001", unit="锦江区妇幼保健院", position="产科护士长"),
    # Guizhou: 贵阳市南明区新华路街道 (520102016)
    StaffAccount("gz-admin", "黄志强", "admin", "52", unit="贵州省卫生健康委员会", position="系统管理员"),
    StaffAccount("gz-city-5201", "周丽", "city_monitor", "5201", unit="贵阳市卫生健康局", position="科员"),
    StaffAccount("gz-county-520102", "吴刚", "county_monitor", "520102", unit="南明区卫生健康局", position="科员"),
    StaffAccount("gz-op-520102016", "徐红", "township_operator", "520102016", "520102016", unit="新华路街道办事处", position="计生专干"),
    # the midwifery and issuing institution of the birth medical certificate demo (issue 16)
    StaffAccount("gz-hospital-520102", "郑华", "medical_institution", "520102", "H520102001", unit="南明区妇幼保健院", position="产科护士长"),
    # Chongqing: 渝中区解放碑街道 (500103003); the municipality is the "city" level (50)
    StaffAccount("cq-admin", "孙磊", "admin", "50", unit="重庆市卫生健康委员会", position="系统管理员"),
    StaffAccount("cq-city-50", "马丽", "city_monitor", "50", unit="重庆市卫生健康委员会", position="科员"),
    StaffAccount("cq-county-500103", "朱军", "county_monitor", "500103", unit="渝中区卫生健康委员会", position="科员"),
    StaffAccount("cq-op-500103003", "胡静", "township_operator", "500103003", "500103003", unit="解放碑街道办事处", position="计生专干"),
)


def staff_profile(a: StaffAccount, serial: int) -> dict[str, Any]:
    """The 附件2 data of a demo account (a valid, made-up ID number of its province's capital)."""
    area = {"51": "510104", "52": "520102", "50": "500103"}[a.region_code[:2]]
    return {
        "name": a.name,
        "role": a.role,
        "region_code": a.region_code,
        "office_code": a.office_code,
        "id_number": idcard.make_id(area, "1985-03-01", 100 + serial),
        "phone": f"139{serial:08d}",
        "unit": a.unit,
        "position": a.position,
    }


def seed_staff(accounts: tuple[StaffAccount, ...] = STAFF, password: str = STAFF_PASSWORD) -> int:
    import boto3

    from chalicelib import auth
    from chalicelib.services.staff.accounts import manager_of
    from chalicelib.store import offices

    idp = boto3.client("cognito-idp")
    pool = os.environ["STAFF_USER_POOL_ID"]
    for serial, a in enumerate(accounts, start=1):
        attributes = [
            {"Name": "name", "Value": a.name},
            {"Name": "custom:role", "Value": a.role},
            {"Name": "custom:region_code", "Value": a.region_code},
        ]
        if a.office_code:
            attributes.append({"Name": "custom:office_code", "Value": a.office_code})
        idp.admin_create_user(UserPoolId=pool, Username=a.username, UserAttributes=attributes, MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pool, Username=a.username, Password=password, Permanent=True)
        grants = list(a.grants if a.grants is not None else auth.ROLE_OPERATIONS[a.role])
        offices.save_profile(a.username, staff_profile(a, serial), grants=grants, manager=manager_of(a.role, a.region_code), new=False)
    return len(accounts)


def seed_demo_records() -> int:
    """Registry records of the demo couples and of every scenario, then the staff accounts."""
    count = 0
    for profile in DEMO_PROFILES:
        records = registry_records(demo_registration(profile))
        for name in SCENARIOS:
            records += scenario(profile, name)[1]
        for key, data in records:
            registry.put(key, data)
            count += 1
    if os.environ.get("STAFF_USER_POOL_ID"):
        count += seed_staff()
        count += seed_demo_birth()
    return count


def seed_demo_birth() -> int:
    """A birth recorded by 南明区妇幼保健院 three hours ago, the Guizhou demo couple's child: the
    mother claims it with her ID number and an SMS code (local/README.md "Birth medical certificate")."""
    from datetime import timedelta

    from chalicelib import auth, config
    from chalicelib.services.births import entry

    couple = demo_registration("guizhou")
    account = next(a for a in STAFF if a.username == "gz-hospital-520102")
    staff = auth.StaffPrincipal(account.username, account.name, account.role, account.region_code, account.office_code)
    body = {
        "institution_code": account.office_code,
        "outside_institution": False,
        "newborn": {
            "sex": "female",
            "born_at": (config.now() - timedelta(hours=3)).isoformat(timespec="seconds"),
            "weight_grams": 3250,
        },
        "mother": {"name": couple["woman"]["name"], "id_number": couple["woman"]["id_number"]},
        "father": {"name": couple["man"]["name"], "id_number": couple["man"]["id_number"]},
    }
    birth = entry.enter(body, staff)
    print(f"demo birth (出生医学证明): {birth['birth_id']}, mother's ID number {couple['woman']['id_number']}")
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Demo registration bodies of the local stack's scenarios.")
    sub = parser.add_subparsers(dest="command", required=True)
    body = sub.add_parser("body", help="print the JSON body of a scenario")
    body.add_argument("profile", choices=DEMO_PROFILES)
    body.add_argument("scenario", choices=sorted(SCENARIOS))
    sub.add_parser("list", help="list the scenarios")
    args = parser.parse_args(argv)
    if args.command == "list":
        for s in SCENARIOS.values():
            print(f"{s.name:26} {s.shows}")
        return 0
    print(json.dumps(scenario(args.profile, args.scenario)[0], ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
