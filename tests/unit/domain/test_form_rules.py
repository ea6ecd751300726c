"""The rules served to the portal (GET /v1/form-rules) are the server's own: the same check digit,
the same ages, the same messages the API returns for the same input."""

from __future__ import annotations

from datetime import date

from chalicelib.domain import form, idcard
from chalicelib.domain.form_rules import client_rules


def _check_digit(rules: dict, first17: str) -> str:
    # what web/static/js/rules.js computes from the served weights and characters
    total = sum(int(d) * w for d, w in zip(first17, rules["id_number"]["weights"], strict=True))
    return rules["id_number"]["check_chars"][total % 11]


def test_the_served_check_digit_is_gb11643s():
    rules = client_rules()
    for born, seq in ((date(1990, 1, 1), 135), (date(1995, 3, 8), 244), (date(2001, 12, 31), 9)):
        number = idcard.make_id("510104", born, seq)
        assert _check_digit(rules, number[:17]) == number[17] == idcard.check_digit(number[:17])


def test_the_served_messages_are_the_ones_the_api_returns():
    rules = client_rules()
    assert rules["id_number"]["messages"] == idcard.ID_PROBLEM_MESSAGES
    assert rules["marriage_age"] == {"woman": 20, "man": 22}
    assert rules["messages"]["UNDER_MARRIAGE_AGE"].format(role="男方") == form.UNDER_AGE_MESSAGE.format(role="男方")
    assert "{role}" in rules["messages"]["ID_SEX_MISMATCH"] and "{sex}" in rules["messages"]["ID_SEX_MISMATCH"]
