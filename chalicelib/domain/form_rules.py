"""The form rules a browser can apply on the step itself (issue 17): the ID number's check digit
(GB 11643), sex and birth date from it, the legal marriage ages -- served to the portal by
``GET /v1/form-rules`` so the page shows the server's own messages, never a copy of them."""

from __future__ import annotations

from typing import Any

from . import form, idcard


def client_rules() -> dict[str, Any]:
    return {
        "id_number": {
            "pattern": "^[0-9]{17}[0-9X]$",
            "weights": list(idcard._WEIGHTS),
            "check_chars": idcard._CHECK_CHARS,
            "messages": dict(idcard.ID_PROBLEM_MESSAGES),
        },
        "roles": {"woman": "女方", "man": "男方"},
        "sexes": {"woman": "女", "man": "男"},
        "marriage_age": dict(form.MARRIAGE_AGE),
        "messages": {
            "ID_SEX_MISMATCH": form.ID_SEX_MESSAGE,
            "UNDER_MARRIAGE_AGE": form.UNDER_AGE_MESSAGE,
            "MARRIED_UNDER_AGE": form.MARRIED_UNDER_AGE_MESSAGE,
            "FUTURE_DATE": form.MARRIAGE_FUTURE_MESSAGE,
        },
    }
