"""One table of document codes and labels (domain/documents.py): every code the workflow, the
review and the up-front proofs use has its label there, and the web keeps no copy of it (nor of
the case status labels, domain/case_status.py)."""

from __future__ import annotations

from pathlib import Path

from chalicelib.domain import case_status, documents, review_decisions

ROOT = Path(__file__).resolve().parents[3]


def test_every_code_in_use_has_a_label():
    used = set(documents.REVIEW_REQUESTABLE) | set(documents.PROOF_FOR_CHECK.values()) | {"ID_CARD", "RESIDENCE_PROOF"}
    assert used <= set(documents.DOCUMENT_LABELS)
    assert review_decisions.REQUESTABLE_DOCUMENTS == {c: documents.DOCUMENT_LABELS[c] for c in documents.REVIEW_REQUESTABLE}


def test_an_unknown_code_is_shown_as_itself():
    assert documents.document_label("MARRIAGE_PROOF") == "结婚证明"
    assert documents.document_label("PASSPORT") == "PASSPORT"


def test_the_web_takes_document_and_status_labels_from_the_api():
    scripts = [p for p in (ROOT / "web").rglob("*.js") if "node_modules" not in p.parts]
    assert scripts
    tables = {**documents.DOCUMENT_LABELS, **case_status.STATUS_LABELS}
    copies = [
        f"{p.relative_to(ROOT)}: {code}"
        for p in scripts
        for code, label in tables.items()
        if f'{code}: "{label}"' in p.read_text(encoding="utf-8")
    ]
    assert not copies, copies


def test_route_after_each_decision():
    stages = ["initial", "final"]
    assert review_decisions.route_after("reject", stage="initial", stages=stages) == ("rejected", None)
    assert review_decisions.route_after("request_documents", stage="final", stages=stages) == ("proofs", "final")
    assert review_decisions.route_after("accept", stage="initial", stages=stages) == ("review", "final")
    assert review_decisions.route_after("accept", stage="final", stages=stages) == ("update_registry", None)
    # a stage the profile no longer lists counts as the last one
    assert review_decisions.route_after("accept", stage="gone", stages=stages) == ("update_registry", None)
