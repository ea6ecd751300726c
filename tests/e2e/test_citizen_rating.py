"""Evaluation of the service (好差评, 000 §2.3.7; 002 五(一)7): once per completed case."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import register, wait_for_status

pytestmark = pytest.mark.e2e


def _registered(api, body: dict) -> dict:
    r = register(api, body)
    assert r.status == 201, r.body
    case = {"case_id": r.body["case_id"], "code": r.body["query_code"]}
    case["view"] = wait_for_status(api, case["case_id"], case["code"], {"registered"})
    return case


def _rate(api, case: dict, body: dict, code: str | None = None):
    return api.post(
        f"/v1/registrations/{case['case_id']}/rating", body, headers={"X-Query-Code": code or case["code"]}
    )


def test_one_rating_per_completed_case_counted_for_its_office(api, couple):
    from chalicelib.services.citizen import ratings

    case = _registered(api, couple("chongqing"))
    assert case["view"]["actions"]["rate"] is True
    office = case["view"]["evaluation"]["jurisdiction"]["office_code"]
    before = ratings.summary(office)
    r = _rate(api, case, {"score": 5, "comment": "办理很快，谢谢！"})
    assert r.status == 201, r.body
    assert r.body["score"] == 5 and r.body["comment"] == "办理很快，谢谢！"
    again = _rate(api, case, {"score": 1})
    assert again.status == 409 and again.body["error"]["code"] == "RATING_EXISTS"
    view = api.get(f"/v1/registrations/{case['case_id']}", headers={"X-Query-Code": case["code"]}).body
    assert view["rating"]["score"] == 5 and view["actions"]["rate"] is False
    after = ratings.summary(office)
    assert after["count"] == before["count"] + 1
    assert after["distribution"]["5"] == before["distribution"]["5"] + 1
    assert after["good"] == before["good"] + 1
    assert any(c["case_id"] == case["case_id"] for c in after["recent_comments"])


BAD = [
    ({"score": 0}, "score"),
    ({"score": 6}, "score"),
    ({"score": "5"}, "score"),
    ({"score": True}, "score"),
    ({}, "score"),
    ({"score": 4, "comment": "好" * 201}, "comment"),
    ({"score": 4, "comment": 42}, "comment"),
    ({"score": 4, "comment": "bad\x00byte"}, "comment"),
]


def test_bad_ratings_are_refused(api, couple):
    case = _registered(api, couple("sichuan"))
    for body, path in BAD:
        r = _rate(api, case, body)
        assert r.status == 400 and r.body["error"]["details"][0]["path"] == path, (body, r.body)
    view = api.get(f"/v1/registrations/{case['case_id']}", headers={"X-Query-Code": case["code"]}).body
    assert view["rating"] is None and view["actions"]["rate"] is True


def test_an_open_case_cannot_be_rated(api, couple):
    r = register(api, couple("sichuan", matched=False))
    case = {"case_id": r.body["case_id"], "code": r.body["query_code"]}
    wait_for_status(api, case["case_id"], case["code"], {"awaiting_proofs", "awaiting_review"})
    rated = _rate(api, case, {"score": 3})
    assert rated.status == 409 and rated.body["error"]["code"] == "CASE_NOT_COMPLETED"


def test_another_couples_case_cannot_be_rated(api, couple):
    mine = _registered(api, couple("guizhou"))
    theirs = _registered(api, couple("guizhou"))
    r = _rate(api, theirs, {"score": 1}, code=mine["code"])
    assert r.status == 404
    view = api.get(f"/v1/registrations/{theirs['case_id']}", headers={"X-Query-Code": theirs["code"]}).body
    assert view["rating"] is None
