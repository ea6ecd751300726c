"""What a citizen sees of a case (办件查询): status and history, every personal field masked, and
what the citizen may do next (modify, upload, rate) — each answered by the use case that owns it.

This module sits above modification, uploads and ratings, so none of them needs to know about
the view; the query routes and ``query.py`` call ``citizen_view``.
"""

from __future__ import annotations

from typing import Any

from chalicelib import config
from chalicelib.adapters import storage
from chalicelib.domain.case_status import status_label
from chalicelib.domain.documents import document_label
from chalicelib.domain.form import RegistrationForm
from chalicelib.domain.idcard import mask_id, mask_name, mask_phone
from chalicelib.services.citizen import modification, ratings, uploads
from chalicelib.services.workflow import notifications
from chalicelib.store.repositories import cases as case_store


def _person(person) -> dict[str, str]:
    return {"name": mask_name(person.name), "id_number": mask_id(person.id_number), "phone": mask_phone(person.phone)}


def citizen_view(case: case_store.Case) -> dict[str, Any]:
    """What a citizen sees: status and history, with every personal field masked."""
    form = RegistrationForm.model_validate_json(case.form_json)
    view: dict[str, Any] = {
        "case_id": case.case_id,
        "profile": case.profile,
        "status": case.status,
        "status_label": status_label(case.status),
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "history": [
            {"status": h.status, "status_label": status_label(h.status), "at": h.at, "note": h.note}
            for h in case.history
        ],
        "woman": _person(form.woman),
        "man": _person(form.man),
        "evaluation": case.evaluation,
        "certificate": None,
        "modifications": int(case.modifications or 0),
        "proofs": {
            "requested": [{"document": d, "label": document_label(d)} for d in uploads.requested_documents(case)],
            "uploads": uploads.citizen_uploads(case),
        },
        "rating": ratings.view(case),
        "actions": {
            "modify": modification.can_modify(case),
            "upload": uploads.outstanding_documents(case),
            "rate": ratings.can_rate(case),
        },
    }
    if case.check is not None:
        view["check"] = case.check
    notice = notifications.not_matched_notice(case)
    if notice is not None:  # 002 五(一)5: the reason and the on-site option
        view["notice"] = notice
    if case.status == case_store.REGISTERED and case.certificate is not None:
        number = case.certificate.registration_number
        view["certificate"] = {
            "registration_number": number,
            "version": int(case.certificate.version),
            "issued_at": case.certificate.issued_at,
            "download_url": storage.presigned_url(case.certificate.pdf_key, f"{number}.pdf"),
            "expires_in": config.presign_seconds(),
        }
    return view
