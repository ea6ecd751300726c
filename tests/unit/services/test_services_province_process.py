"""Each province's handling of a failed or unverifiable check, on the in-memory store and fake
adapters: VerifyRecords (``services/workflow/checks.py``) takes the route the province's profile names
(domain/profiles.py ``failed_check``, ``direct_registration_checks``, ``unverifiable_policy``,
``proofs``), and Notify / the case view say what the seeds say. Each test cites its seed sentence."""

from __future__ import annotations

import pytest

from chalicelib.domain import routing
from chalicelib.domain.case_status import NOT_MATCHED
from chalicelib.services.citizen import view
from chalicelib.services.workflow import notifications, review
from chalicelib.store import cases as case_store
from tests.unit.services.scenarios import known_couple, run_checks, submit

pytestmark = pytest.mark.usefixtures("memory", "adapters")


def texts(adapters) -> list[str]:
    return [text for _, text, _ in adapters.sms.sent]


# ------------------------------------------------------------------------------------------ Sichuan
def test_sichuan_consistent_checks_issue_at_once(memory):
    """000 §1 "登记后直接办理生育登记并可以在线打印生育登记证"."""
    state = run_checks(submit(known_couple("sichuan"))["case_id"])
    assert state["route"] == "issue"


def test_sichuan_registers_directly_although_the_population_registry_does_not_know_the_couple(memory):
    """000 §1 "登记后直接办理生育登记"; §2.3.5 the checks are 公安 and 民政 (姓名、身份证号及结婚证号)."""
    case_id = submit(known_couple("sichuan", family=False))["case_id"]
    state = run_checks(case_id)
    case = memory.cases.get(case_id)
    assert state["route"] == "issue" and case.check["matched"] is True
    assert case.history[-1].note == routing.DIRECT_REGISTRATION_NOTE
    assert "REGISTRY_UNVERIFIABLE" not in {m["code"] for m in case.check["mismatches"]}  # not told "转人工审核"


@pytest.mark.parametrize(
    ("records", "document"),
    [({"woman_name": "李丽"}, "ID_CARD"), ({"marriage": False}, "MARRIAGE_PROOF")],
    ids=["identity", "marriage"],
)
def test_sichuan_a_failed_check_asks_for_proof_documents(memory, records, document):
    """000 §2.3.5 "录入的对象信息没有校验通过的，系统会给出未通过的原因，此时需上传相关证明材料"."""
    case_id = submit(known_couple("sichuan", **records))["case_id"]
    state = run_checks(case_id)
    assert state["route"] == "proofs" and state["proofs"]["codes"] == [document]
    assert "before_issue" not in state["proofs"]


def _outside_hukou(body: dict) -> dict:
    """Both hukou in Zhejiang, both living in Chengdu (000 注 3: 归属女方现居住地)."""
    for spouse in ("woman", "man"):
        body[spouse]["hukou"]["region_code"] = "330102001"
    return body


def test_sichuan_resident_spouse_documents_are_required_before_issue(memory, adapters):
    """000 §2.3.5 "如果男女双方户籍地均未在四川省内，其中一方现居住地在四川省内，则需上传其中一方的身份证及
    在四川省内的现居住证明文件": the checks pass, the case still waits for the two documents, then a person
    reads them (not issued on the machine's check of a file's type)."""
    case_id = submit(_outside_hukou(known_couple("sichuan")))["case_id"]
    state = run_checks(case_id)
    assert state["route"] == "proofs"
    assert state["proofs"]["codes"] == ["ID_CARD", "RESIDENCE_PROOF"] and state["proofs"]["before_issue"] is True
    review.request_proofs(case_id, "token-proofs", state["proofs"])
    case = memory.cases.get(case_id)
    assert case.status == case_store.AWAITING_PROOFS and case.proofs_requested == ["ID_CARD", "RESIDENCE_PROOF"]
    assert any("登记前须补充证明材料" in t and "核验未通过" not in t for t in texts(adapters))
    # once both are accepted, the workflow goes on to a person, never straight to issue
    for n, code in enumerate(("ID_CARD", "RESIDENCE_PROOF")):
        entry = {"upload_id": f"{n:032x}", "document": code, "status": "pending"}
        assert memory.cases.append_upload(case_id, entry, open_statuses={case_store.AWAITING_PROOFS}, max_uploads=30)
        assert memory.cases.decide_upload(case_id, n, {**entry, "status": "accepted"}, pending="pending")
    assert review.proofs_received(case_id) is True
    assert adapters.answered[-1][1]["route"] == "review"


def test_sichuan_resident_spouse_documents_uploaded_up_front_go_to_a_person(memory):
    """000 §2.3.5 "上传完相关证明后…进入登记提交界面": documents accepted before the checks ran."""
    case_id = submit(_outside_hukou(known_couple("sichuan")))["case_id"]
    for n, code in enumerate(("ID_CARD", "RESIDENCE_PROOF")):
        entry = {"upload_id": f"{n:032x}", "document": code, "status": "pending"}
        memory.cases.append_upload(case_id, entry, open_statuses={case_store.SUBMITTED}, max_uploads=30)
        memory.cases.decide_upload(case_id, n, {**entry, "status": "accepted"}, pending="pending")
    assert run_checks(case_id)["route"] == "review"


# ---------------------------------------------------------------------------------------- Chongqing
def test_chongqing_consistent_records_issue_at_once(memory):
    """002 五(一)5 "情况属实，直接办结并短信通知"."""
    assert run_checks(submit(known_couple("chongqing"))["case_id"])["route"] == "issue"


def test_chongqing_a_failed_comparison_closes_with_the_not_matched_notice(memory, adapters, monkeypatch):
    """002 五(一)5 "情况不属实告知审核比对未通过不能办理或到登记机构现场核实办理"; 002 六 no documents online."""
    from chalicelib.store import offices  # the office's information as its administrator entered it (no in-memory twin)

    body = known_couple("chongqing", woman_name="张丽")
    case_id = submit(body)["case_id"]
    entered = {"name": "七星岗街道办事处", "address": "渝中区中山一路1号", "phone": "023-63000000", "opening_hours": "工作日9:00-17:00"}
    monkeypatch.setattr(offices, "organisation", lambda code: entered if code == body["application"]["office_code"] else None)
    state = run_checks(case_id)
    assert state["route"] == "not_matched" and "proofs" not in state
    case = memory.cases.get(case_id)
    assert case.status == NOT_MATCHED and not case.proofs_requested
    assert case.check["notice"]["reasons"] == ["女方姓名与身份证号码不一致"]
    notifications.notify(case_id)  # the Notify state the ASL goes to
    assert any("审核比对未通过不能办理" in t and "现场核实办理" in t for t in texts(adapters))
    notice = view.citizen_view(case)["notice"]
    assert notice["title"] == "审核比对未通过，不能办理" and notice["reasons"] == ["女方姓名与身份证号码不一致"]
    assert notice["onsite"]["address"] == "渝中区中山一路1号" and notice["onsite"]["office_name"] == "七星岗街道办事处"
    assert notice["citation"].startswith("002 五(一)5")


def test_chongqing_an_unverifiable_marriage_follows_the_commitment(memory):
    """002 五(三) "申请登记信息无法核实确认的以《登记表》承诺信息为准"."""
    body = known_couple("chongqing", marriage=False)
    body["marriage"]["certificate_number"] = "J330102-2021-000777"  # registered in Zhejiang: civil affairs cannot check it
    case_id = submit(body)["case_id"]
    assert run_checks(case_id)["route"] == "issue"


def test_chongqing_no_household_record_the_commitment_prevails(memory):
    """002 五(三) "申请登记信息无法核实确认的以《登记表》承诺信息为准"."""
    assert run_checks(submit(known_couple("chongqing", family=False))["case_id"])["route"] == "issue"


# ------------------------------------------------------------------------------------------ Guizhou
def test_guizhou_a_failed_comparison_goes_to_manual_acceptance_with_the_query_code(memory, adapters):
    """003 V(B) "If the automatic comparison is unsuccessful … the platform will transfer … to the manual
    acceptance process and send the birth registration business “query code” to the declarant"."""
    result = submit(known_couple("guizhou", woman_name="张丽"))
    state = run_checks(result["case_id"])
    assert state["route"] == "review" and "proofs" not in state
    manual = [t for t in texts(adapters) if "人工受理" in t]
    assert len(manual) == 1 and result["query_code"] in manual[0]
    # the Express workflow runs at least once: a second VerifyRecords sends nothing more
    run_checks(result["case_id"])
    assert len([t for t in texts(adapters) if "人工受理" in t]) == 1


def test_guizhou_no_household_record_goes_to_manual_acceptance(memory, adapters):
    """003 V(B): not "consistent with that recorded in the PCMIS" → manual acceptance, SMS with the query code."""
    result = submit(known_couple("guizhou", family=False))
    assert run_checks(result["case_id"])["route"] == "review"
    assert any(result["query_code"] in t and "人工受理" in t for t in texts(adapters))


def test_guizhou_consistent_records_issue_at_once_without_the_manual_acceptance_sms(memory, adapters):
    """003 V(B) "If the automatic comparison is successful … the platform will instantly issue"."""
    assert run_checks(submit(known_couple("guizhou"))["case_id"])["route"] == "issue"
    assert not [t for t in texts(adapters) if "人工受理" in t]


def test_only_the_province_whose_sms_carries_it_keeps_the_query_code_sealed(memory):
    """The query code is otherwise kept only as a keyed hash."""
    sichuan = memory.cases.get(submit(known_couple("sichuan"))["case_id"])
    guizhou = memory.cases.get(submit(known_couple("guizhou"))["case_id"])
    assert sichuan.query_code_sealed is None
    assert guizhou.query_code_sealed and guizhou.query_code_sealed.startswith("v2.")


def test_chongqing_reviewers_do_not_ask_for_documents_online(memory, adapters):
    """002 六 "网上登记凭登记人相关证件材料如实在线填写登记表内容，登记机构不需要提交证件材料"."""
    from chalicelib.domain import errors
    from chalicelib.store import tasks as task_store

    body = known_couple("chongqing", children=[{"name": "别人", "id_number": None, "birth_date": "2015-01-01", "sex": "male", "relation": "joint"}])
    case_id = submit(body)["case_id"]
    state = run_checks(case_id)
    assert state["route"] == "review"  # 002 五(三) 登记表信息少 → a person verifies
    review.await_review(case_id, "token-cq", state["review"])
    case = memory.cases.get(case_id)
    assert "request_documents" not in review.decisions_for(case, "review")
    with pytest.raises(errors.DomainError) as refused:
        review.decide(state["review"]["task_id"], "request_documents", staff_id="staff-500103", reason="请上传结婚证", documents=["MARRIAGE_PROOF"])
    assert refused.value.status == 422 and refused.value.details[0].code == "DECISION_NOT_AVAILABLE"
    assert memory.tasks.get(state["review"]["task_id"]).status == task_store.OPEN  # nothing written
    assert not adapters.answered
    assert review.decide(state["review"]["task_id"], "accept", staff_id="staff-500103")["decision"] == "accept"
