"""The case documents stored compressed (chalicelib/store/compact_text.py)."""

from __future__ import annotations

import hashlib
import json

import pytest

from chalicelib.store import cases as case_store
from chalicelib.store import compact_text
from tests.unit.store.test_store_repository_contract import _empty_tables, _moto, new_case  # noqa: F401

# Every stored case needs this dictionary to be read: it never changes (a new one is a new format).
DICTIONARY_V1_SHA256 = "35a43951bff7e48190575774d9e4c7892409ba47a6230067908a46f7ca9558e1"


def _documents() -> dict[str, str]:
    """A registration's three documents as the services write them (form: pydantic's compact JSON;
    evaluation and checks: ``json.dumps`` with its default separators)."""
    from chalicelib import config
    from chalicelib.domain.demo import demo_registration
    from chalicelib.domain.evaluation import evaluate
    from chalicelib.domain.form import parse_registration

    form = parse_registration(demo_registration("guizhou"), today=config.today())
    evaluation = evaluate(form, today=config.today()).to_dict()
    check = {
        "matched": False, "route": "review", "checked_at": "2026-12-02T10:00:00+08:00",
        "mismatches": [{"code": "REGISTRY_FORM_HAS_MORE", "path": "children", "message": "登记表信息比系统记录多，转人工核实"}],
    }
    return {
        "form": form.model_dump_json(),
        "evaluation": json.dumps(evaluation, ensure_ascii=False),
        "check": json.dumps(check, ensure_ascii=False),
    }


def test_the_dictionary_is_the_one_stored_cases_were_written_with():
    assert hashlib.sha256(compact_text.DICTIONARY_V1).hexdigest() == DICTIONARY_V1_SHA256


def test_every_document_reads_back_byte_for_byte_and_takes_a_fraction_of_its_size():
    total_text = total_stored = 0
    for name, text in _documents().items():
        stored = compact_text.compress(text)
        assert stored[0] == compact_text.DEFLATE_V1
        assert compact_text.decompress(stored) == text, name
        total_text, total_stored = total_text + len(text.encode()), total_stored + len(stored)
    # the documents are most of a case item; under a third of their size keeps the item below 2 KB
    assert total_stored * 3 < total_text, (total_stored, total_text)
    for text in ("", "{}", "李" * 5000, json.dumps({"x": list(range(1000))})):
        assert compact_text.decompress(compact_text.compress(text)) == text


def test_a_value_it_cannot_read_is_an_error_not_another_text():
    stored = compact_text.compress('{"status": "registered"}')
    with pytest.raises(compact_text.UnknownFormat):
        compact_text.decompress(b"\x02" + stored[1:])  # a format of a later version
    with pytest.raises(compact_text.UnknownFormat):
        compact_text.decompress(b"")
    with pytest.raises(ValueError):
        compact_text.decompress(stored[:-3])  # truncated


def test_cases_written_before_as_strings_still_read_and_a_document_written_again_is_compressed(_moto):  # noqa: F811
    client = _moto
    _empty_tables(client)
    docs = _documents()
    case_store.create(new_case("OLD1", form_json=docs["form"], evaluation_json=docs["evaluation"]))
    table = case_store.Case.Meta.table_name
    stored = client.get_item(TableName=table, Key={"case_id": {"S": "OLD1"}})["Item"]
    assert set(stored["form_json"]) == {"B"} and set(stored["evaluation_json"]) == {"B"}
    assert len(stored["form_json"]["B"]) * 2 < len(docs["form"].encode())

    # an item as an earlier version wrote it: the documents as strings
    stored["form_json"] = {"S": docs["form"]}
    stored["evaluation_json"] = {"S": docs["evaluation"]}
    stored["check_json"] = {"S": docs["check"]}
    client.put_item(TableName=table, Item=stored)
    old = case_store.get("OLD1")
    assert (old.form_json, old.evaluation_json, old.check_json) == (docs["form"], docs["evaluation"], docs["check"])
    assert old.form["woman"]["name"] and old.check["route"] == "review"

    case_store.transition(old, case_store.REGISTERED, at="2026-12-02T10:00:00+08:00", by="system", check_json=docs["check"])
    rewritten = client.get_item(TableName=table, Key={"case_id": {"S": "OLD1"}})["Item"]
    assert set(rewritten["check_json"]) == {"B"}  # written by the transition
    assert set(rewritten["form_json"]) == {"S"}  # an update writes only what it changes
    again = case_store.get("OLD1")
    assert (again.form_json, again.check_json) == (docs["form"], docs["check"])
