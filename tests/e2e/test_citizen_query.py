"""Case query (办件查询, 000 §2.4; 001 附件1 一): by phone, from a new phone, by query code + name.

Every answer is masked and holds only the asking couple's cases.
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import citizen_token, register, unique_phone, wait_for_status

pytestmark = pytest.mark.e2e


@pytest.fixture
def two_couples(api, couple):
    """Two registered couples: ``[(body, submit result), ...]``."""
    out = []
    for profile in ("sichuan", "guizhou"):
        body = couple(profile)
        r = register(api, body)
        assert r.status == 201, r.body
        out.append((body, r.body))
    return out


def _assert_masked(view: dict, body: dict) -> None:
    text = json.dumps(view, ensure_ascii=False)
    for role in ("woman", "man"):
        person = body[role]
        assert person["id_number"] not in text
        assert person["phone"] not in text
        assert view[role]["id_number"] == person["id_number"][:6] + "*" * 8 + person["id_number"][-4:]
        assert view[role]["phone"] == person["phone"][:3] + "****" + person["phone"][7:]
        assert view[role]["name"].startswith(person["name"][0]) and "*" in view[role]["name"]
    assert body["marriage"]["certificate_number"] not in text


def test_by_registered_phone(api, two_couples, clock):
    (mine, mine_r), (_, other_r) = two_couples
    token = citizen_token(api, mine["woman"]["phone"], "query", clock=clock)
    r = api.post("/v1/case-queries/by-phone", headers={"X-Citizen-Token": token})
    assert r.status == 200, r.body
    assert [c["case_id"] for c in r.body["cases"]] == [mine_r["case_id"]]
    _assert_masked(r.body["cases"][0], mine)
    assert other_r["case_id"] not in r.raw.decode()
    # the token reads its own phone's case by id, and only that
    own = api.get(f"/v1/registrations/{mine_r['case_id']}", headers={"X-Citizen-Token": token})
    assert own.status == 200
    foreign = api.get(f"/v1/registrations/{other_r['case_id']}", headers={"X-Citizen-Token": token})
    assert foreign.status == 404 and foreign.body["error"]["code"] == "NOT_FOUND"


def test_by_phone_needs_a_query_token(api):
    r = api.post("/v1/case-queries/by-phone")
    assert r.status == 401 and r.body["error"]["code"] == "TOKEN_REQUIRED"
    submit_token = citizen_token(api, unique_phone(), "submit")
    r = api.post("/v1/case-queries/by-phone", headers={"X-Citizen-Token": submit_token})
    assert r.status == 401 and r.body["error"]["code"] == "TOKEN_WRONG_PURPOSE"


def test_a_phone_without_cases_sees_nothing(api):
    token = citizen_token(api, unique_phone(), "query")
    r = api.post("/v1/case-queries/by-phone", {}, headers={"X-Citizen-Token": token})
    assert r.status == 200 and r.body == {"cases": []}


def test_from_a_new_phone_with_both_id_numbers(api, two_couples):
    (mine, mine_r), (other, _) = two_couples
    token = citizen_token(api, unique_phone(), "query")
    ids = {"woman_id_number": mine["woman"]["id_number"], "man_id_number": mine["man"]["id_number"]}
    r = api.post("/v1/case-queries/by-ids", ids, headers={"X-Citizen-Token": token})
    assert r.status == 200, r.body
    assert [c["case_id"] for c in r.body["cases"]] == [mine_r["case_id"]]
    _assert_masked(r.body["cases"][0], mine)
    mixed = {"woman_id_number": mine["woman"]["id_number"], "man_id_number": other["man"]["id_number"]}
    r = api.post("/v1/case-queries/by-ids", mixed, headers={"X-Citizen-Token": token})
    assert r.status == 200 and r.body == {"cases": []}, "one spouse's number is not enough"
    bad = api.post("/v1/case-queries/by-ids", {"woman_id_number": "123"}, headers={"X-Citizen-Token": token})
    assert bad.status == 400
    assert {d["path"] for d in bad.body["error"]["details"]} == {"woman_id_number", "man_id_number"}
    r = api.post("/v1/case-queries/by-ids", ids)
    assert r.status == 401, "the new phone must be verified by SMS"


def _guesses(real_id: str, n: int) -> list[str]:
    """``n`` valid ID numbers of people born the same day in the same county (what a guesser tries)."""
    from chalicelib.domain import idcard

    born = idcard.birth_date(real_id)
    return [idcard.make_id(real_id[:6], born, seq) for seq in range(900, 900 + n)]


def test_guessing_a_spouses_id_number_is_limited_per_person(api, couple, monkeypatch):
    """Issue 12: 300 guesses of a spouse's ID in 15 s found the pair. The woman's number stays
    fixed while the man's is guessed: her budget runs out, whichever phones ask."""
    monkeypatch.setenv("BY_IDS_WINDOW_SECONDS", "86400")
    monkeypatch.setenv("BY_IDS_PERSON_LIMIT", "3")
    body = couple("sichuan")
    r = register(api, body)
    assert r.status == 201, r.body
    woman = body["woman"]["id_number"]
    statuses = []
    for man in [*_guesses(body["man"]["id_number"], 3), body["man"]["id_number"]]:
        token = citizen_token(api, unique_phone(), "query")  # a fresh phone for every guess
        statuses.append(api.post("/v1/case-queries/by-ids", {"woman_id_number": woman, "man_id_number": man},
                                 headers={"X-Citizen-Token": token}))
    assert [x.status for x in statuses] == [200, 200, 200, 429]
    assert all(x.body == {"cases": []} for x in statuses[:3])
    assert statuses[3].body["error"]["code"] == "BY_IDS_PERSON_LIMIT" and int(statuses[3].headers["Retry-After"]) > 0
    # the refused attempt counted against none of its limits: the man's own budget is untouched
    from chalicelib import config
    from chalicelib.store import codes

    man_key = f"by-ids-id#{config.keyed_hash('id', body['man']['id_number'])}"
    assert codes.count(codes.window("BY_IDS_PERSON_LIMIT", man_key, seconds=86400, limit=3).pk) == 0


def test_id_pair_queries_are_limited_per_phone(api, couple, monkeypatch):
    monkeypatch.setenv("BY_IDS_WINDOW_SECONDS", "86400")
    monkeypatch.setenv("BY_IDS_PHONE_LIMIT", "2")
    body = couple("sichuan")
    token = citizen_token(api, unique_phone(), "query")
    pairs = list(zip(_guesses(body["woman"]["id_number"], 3), _guesses(body["man"]["id_number"], 3), strict=True))
    results = [api.post("/v1/case-queries/by-ids", {"woman_id_number": w, "man_id_number": m},
                        headers={"X-Citizen-Token": token}) for w, m in pairs]
    assert [x.status for x in results] == [200, 200, 429]
    assert results[2].body["error"]["code"] == "BY_IDS_PHONE_LIMIT"


def test_by_query_code_and_name(api, two_couples):
    _, (gz, gz_r) = two_couples
    code = gz_r["query_code"]
    for name in (gz["woman"]["name"], gz["man"]["name"]):
        r = api.post("/v1/case-queries/by-query-code", {"query_code": code.lower(), "name": name})
        assert r.status == 200, r.body
        assert [c["case_id"] for c in r.body["cases"]] == [gz_r["case_id"]]
        _assert_masked(r.body["cases"][0], gz)
    wrong_name = api.post("/v1/case-queries/by-query-code", {"query_code": code, "name": "张三"})
    assert wrong_name.status == 404
    wrong_code = api.post("/v1/case-queries/by-query-code", {"query_code": "AAAAAAAA", "name": gz["woman"]["name"]})
    assert wrong_code.status == 404
    # the same answer whichever part was wrong
    assert wrong_name.body["error"]["code"] == wrong_code.body["error"]["code"] == "NOT_FOUND"
    assert wrong_name.body["error"]["message"] == wrong_code.body["error"]["message"]
    missing = api.post("/v1/case-queries/by-query-code", {"query_code": code})
    assert missing.status == 400 and missing.body["error"]["details"][0]["path"] == "name"


def test_query_by_code_attempts_are_limited_per_client(api, monkeypatch):
    monkeypatch.setenv("QUERY_IP_WINDOW_SECONDS", "7907")
    monkeypatch.setenv("QUERY_IP_LIMIT", "2")
    body = {"query_code": "AAAAAAAA", "name": "张三"}
    assert api.post("/v1/case-queries/by-query-code", body).status == 404
    assert api.post("/v1/case-queries/by-query-code", body).status == 404
    r = api.post("/v1/case-queries/by-query-code", body)
    assert r.status == 429 and r.body["error"]["code"] == "QUERY_IP_LIMIT" and int(r.headers["Retry-After"]) > 0


def test_status_history_is_in_the_answer(api, couple):
    body = couple("sichuan")
    r = register(api, body)
    view = wait_for_status(api, r.body["case_id"], r.body["query_code"], {"registered"})
    assert [h["status"] for h in view["history"]][-1] == "registered"
    assert view["actions"] == {"modify": True, "upload": [], "rate": True}
