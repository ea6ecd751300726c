"""Each province's own handling of a failed or unverifiable check, through the local stack (real ASL,
real handlers with their deployed permissions): the profile's ``failed_check``,
``direct_registration_checks``, ``unverifiable_policy`` and ``proofs`` (docs/profiles.md). Each test
cites the seed sentence it checks."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import upload_proofs
from tests.e2e.workflow_support import execution, handed_over, submit_scenario, wait_sms, wait_status

pytestmark = pytest.mark.e2e


def _no_sms_with(phone: str, fragment: str) -> bool:
    from tests.e2e.workflow_support import sms_to

    return not [t for t in sms_to(phone) if fragment in t]


# ------------------------------------------------------------------------------------------ Sichuan
def test_sichuan_registers_directly_when_the_population_registry_does_not_know_the_couple(api, stack):
    """000 §1 "登记后直接办理生育登记并可以在线打印生育登记证"; §2.3.5: the checks are 公安 and 民政."""
    case = submit_scenario(api, "sichuan", "no_household")
    view = wait_status(api, case, "registered")
    assert "awaiting_review" not in [h["status"] for h in view["history"]]
    assert view["check"]["route"] == "issue" and view["check"]["population"]["outcome"] == "unverifiable"
    assert any("直接办理生育登记" in (h["note"] or "") for h in view["history"])
    wait_sms(case.body["woman"]["phone"], view["certificate"]["registration_number"])


def test_sichuan_resident_spouse_documents_before_issue_then_staff_accept(api, stack):
    """000 §2.3.5 "如果男女双方户籍地均未在四川省内，其中一方现居住地在四川省内，则需上传其中一方的身份证及在四川省内的
    现居住证明文件": every check passes, the case waits for the two documents, a person reads them, then issue."""
    from chalicelib.services.workflow import review
    from chalicelib.store import tasks

    case = submit_scenario(api, "sichuan", "hukou_outside")
    view = wait_status(api, case, "awaiting_proofs")
    assert view["check"]["matched"] is True and view["check"]["route"] == "proofs"
    assert sorted(view["actions"]["upload"]) == ["ID_CARD", "RESIDENCE_PROOF"]
    assert "certificate" not in view or view["certificate"] is None
    wait_sms(case.body["woman"]["phone"], "登记前须补充证明材料", "凭查询码上传")
    upload_proofs(api, case.case_id, case.code)
    wait_status(api, case, "awaiting_review")
    open_tasks = [t for t in tasks.Task.scan() if t.case_id == case.case_id and t.kind == "review" and t.status == "open"]
    assert len(open_tasks) == 1
    review.decide(open_tasks[0].task_id, "accept", staff_id="staff-510104")
    view = wait_status(api, case, "registered")
    assert view["certificate"]["registration_number"]


def test_hukou_outside_is_issued_at_once_where_no_document_is_required(api):
    """002 六 "网上登记…登记机构不需要提交证件材料": the same couple in Chongqing is issued on the checks."""
    case = submit_scenario(api, "chongqing", "hukou_outside")
    view = wait_status(api, case, "registered")
    assert view["proofs"]["requested"] == []


# ---------------------------------------------------------------------------------------- Chongqing
def test_chongqing_failed_comparison_closes_with_the_not_matched_notice(api, stack):
    """002 五(一)5 "情况不属实告知审核比对未通过不能办理或到登记机构现场核实办理"; 004 (1) "notified by SMS or verified
    on site"; 002 六: no documents online, so never an upload request."""
    case = submit_scenario(api, "chongqing", "identity_mismatch")
    view = wait_status(api, case, "not_matched")
    assert view["status_label"] == "审核比对未通过，不能办理"
    notice = view["notice"]
    assert notice["reasons"] == ["女方姓名与身份证号码不一致"]
    assert "现场核实办理" in notice["onsite"]["text"] and notice["onsite"]["office_name"]
    assert notice["onsite"]["office_code"] == case.body["application"]["office_code"]
    assert view["proofs"]["requested"] == [] and view["actions"]["upload"] == []
    wait_sms(case.body["woman"]["phone"], "审核比对未通过不能办理", "现场核实办理")
    assert _no_sms_with(case.body["woman"]["phone"], "上传证明材料")
    assert not handed_over(stack, case.case_id), "closed by the automated workflow: nothing waits"


def test_chongqing_an_unverifiable_marriage_follows_the_commitment(api):
    """002 五(三) "申请登记信息无法核实确认的以《登记表》承诺信息为准"."""
    case = submit_scenario(api, "chongqing", "marriage_other_province")
    view = wait_status(api, case, "registered")
    assert view["check"]["marriage"]["detail"] == "unverifiable"


# ------------------------------------------------------------------------------------------ Guizhou
@pytest.mark.parametrize("scenario", ["identity_mismatch", "no_household", "marriage_other_province"])
def test_guizhou_failed_comparison_goes_to_manual_acceptance_with_the_query_code(api, stack, scenario):
    """003 V(B) "If the automatic comparison is unsuccessful … the platform will transfer … to the manual
    acceptance process and send the birth registration business “query code” to the declarant"; no uploads
    (001 附件1 一–三)."""
    case = submit_scenario(api, "guizhou", scenario)
    view = wait_status(api, case, "awaiting_review")
    assert view["history"][-1]["note"].startswith("信息初审")  # the township's first stage (001 三(一)1(2))
    assert view["proofs"]["requested"] == []
    text = wait_sms(case.body["woman"]["phone"], "人工受理", case.code)
    assert len(text) <= 70
    assert execution(stack, case.case_id)["status"] == "RUNNING"
