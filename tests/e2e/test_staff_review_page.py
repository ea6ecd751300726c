"""What the review page needs from the task view (issue 15 item 5): the population registry's children
next to the form's, paired and with the differing facts named; the accepted proofs behind short-lived
links; masked for staff who only oversee the case."""

from __future__ import annotations

import urllib.request

import pytest

from tests.e2e.conftest import PDF_BYTES, upload_proofs
from tests.e2e.workflow_support import bearer, find_task, staff_token, submit_scenario, wait_status

pytestmark = pytest.mark.e2e

OP = "sc-op-510104022"
COUNTY = "sc-county-510104"


def _view(api, username: str, case) -> dict:
    token = staff_token(api, username)
    task = find_task(api, staff_token(api, OP), case.case_id)
    r = api.get(f"/v1/staff/tasks/{task['task_id']}", headers=bearer(token))
    assert r.status == 200, r.body
    return r.body


def test_the_reviewer_sees_which_child_the_registry_has_that_the_form_lacks(api):
    case = submit_scenario(api, "sichuan", "registry_has_more")
    wait_status(api, case, "awaiting_review")
    population = _view(api, OP, case)["registry"]["population"]
    assert population["status"] == "found" and population["outcome"] == "form_has_less"
    child = case.body["children"][0]
    names = [c["name"] for c in population["children"]]
    assert names == [child["name"] + "一", child["name"]]  # the seed's older child first, unmasked
    kinds = {(r["form"], r["registry"]): r["kind"] for r in population["rows"]}
    assert kinds == {(0, 1): "same", (None, 0): "only_in_registry"}

    # The county looks over the township's shoulder: the registry's names and ID numbers masked.
    county = _view(api, COUNTY, case)["registry"]["population"]
    assert [c["name"] for c in county["children"]] == [n[0] + "*" * (len(n) - 1) for n in names]
    assert county["masked"] is True and county["rows"] == population["rows"]


def test_a_differing_birth_date_is_named_with_both_values(api):
    case = submit_scenario(api, "sichuan", "child_conflict")
    wait_status(api, case, "awaiting_review")
    population = _view(api, OP, case)["registry"]["population"]
    assert population["outcome"] == "conflict"
    assert population["rows"] == [{"form": 0, "registry": 0, "kind": "differs", "differences": ["birth_date"]}]
    assert population["children"][0]["birth_date"] == "2023-05-10"
    assert case.body["children"][0]["birth_date"] != "2023-05-10"


def test_no_household_record_lists_the_form_children_alone(api):
    # Guizhou: no population record goes to manual acceptance (003 V(B)); Sichuan registers it directly (000 §1)
    token = staff_token(api, "gz-op-520102016")
    case = submit_scenario(api, "guizhou", "no_household")
    wait_status(api, case, "awaiting_review")
    task = find_task(api, token, case.case_id)
    r = api.get(f"/v1/staff/tasks/{task['task_id']}", headers=bearer(token))
    assert r.status == 200, r.body
    population = r.body["registry"]["population"]
    assert population["status"] == "no_record" and population["children"] == []
    assert [r["kind"] for r in population["rows"]] == ["only_in_form"] * len(case.body["children"])


def test_accepted_proofs_open_through_a_short_lived_link(api):
    case = submit_scenario(api, "sichuan", "identity_mismatch")
    wait_status(api, case, "awaiting_proofs")
    upload_proofs(api, case.case_id, case.code)
    wait_status(api, case, "awaiting_review")
    uploads = _view(api, OP, case)["case"]["uploads"]
    accepted = [u for u in uploads if u["status"] == "accepted"]
    assert [u["document"] for u in accepted] == ["ID_CARD"]
    assert 0 < accepted[0]["view_expires_in"] <= 300
    with urllib.request.urlopen(accepted[0]["view_url"], timeout=10) as response:
        assert response.read() == PDF_BYTES
        assert response.headers["Content-Type"] == "application/pdf"
