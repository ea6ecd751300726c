"""docs/profiles.md from the province profiles (chalicelib/domain/profiles.py): each profile's
process settings, their values and the seed sentence each one rests on (or that no seed states it).

    python -m tools.profiles_doc           # write docs/profiles.md
    python -m tools.profiles_doc --check   # exit 1 when docs/profiles.md is not current

tests/unit/test_profiles_doc.py fails when the file and the profiles disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

from chalicelib.domain.profiles import DEFAULT_PROFILES, PROCESS_SETTINGS, Profile

DOC = Path(__file__).resolve().parents[1] / "docs" / "profiles.md"

# What each setting decides (the values' meaning is in chalicelib/domain/profiles.py and routing.py).
MEANING = {
    "verification_window": "the public-security check waits for working hours (the VerificationWindow parameter)",
    "direct_registration_checks": "the checks whose confirmation registers the couple at once; a check not listed stops the case only when its record contradicts the form",
    "failed_check": "a failed identity or marriage check leads to: `proofs` (uploads), `not_matched_notice` (closed with the reason and the on-site option), `manual_acceptance` (township staff)",
    "unverifiable_policy": "a record no registry can check: `commitment_prevails` (registered on the commitment) or `as_failed_check`",
    "proofs": "documents required before issue: `resident_spouse_before_issue` (the resident spouse's ID card and residence proof when both hukou are outside the province) or `none`",
    "proof_deadline_days": "working days the couple has to upload requested documents; then the case closes as incomplete",
    "escalation_levels": "levels above the township an overdue review task climbs (1 county, 2 county then city)",
    "review_decisions": "the decisions a reviewer may take: `accept` 通过, `reject` 不予登记, `request_documents` 补充材料, `onsite_verification` 需现场核实 (then the `onsite_verification` stage: the couple's visit)",
    "onsite_uploads": "the couple of an on-site registration is asked to upload documents when a check fails (where not, the failed check goes to the reviewer: originals are seen at the counter)",
    "supplement_before_review": "the couple may supplement the form before the first review",
    "modify_once": "a registration may be modified once only",
    "online_proxy_allowed": "a proxy may register online",
    "online_max_order": "the highest child order registered online (empty: no limit)",
    "rebirth_after_children": "joint children a couple must have before a registration counts as a re-birth",
    "shares_with": "the government systems each registration is delivered to",
    "birth_certificates": "the birth medical certificate e-licence process (出生医学证明电子证照: entry, claim, issue, stamp check, reissue) runs for the province's medical institutions",
    "appointments": "the township offices take 特殊情形再生育预约（三孩预约） online (appointment slots from the offices' published capacity)",
}
MESSAGES = (
    ("receipt_sms", "submission received"),
    ("registered_sms", "registered"),
    ("not_registered_sms", "not registered"),
    ("not_matched_sms", "比对未通过 (failed check, closed)"),
    ("manual_acceptance_sms", "sent to manual acceptance"),
    ("initial_review_passed_sms", "初审 passed (two review stages)"),
    ("proofs_requested_sms", "documents asked for (failed check, reviewer)"),
    ("proofs_before_issue_sms", "documents required before issue"),
    ("proofs_overdue_sms", "closed: no documents by the deadline"),
)


def _cell(value: object) -> str:
    if value is None or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(f"`{v}`" for v in value)
    return f"`{value}`"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _profile_section(p: Profile) -> list[str]:
    lines = [f"## {p.province_name} (`{p.code}`)", "", "| setting | value | source |", "| --- | --- | --- |"]
    values = p.process()
    for name in PROCESS_SETTINGS:
        lines.append(f"| `{name}` | {_cell(values[name])} | {_escape(p.citations[name])} |")
    lines += ["", "Review stages:", "", "| stage | title | working days | counts the arrival day | source |", "| --- | --- | --- | --- | --- |"]
    for s in p.review_stages:
        source = s.citation + (" (operator default)" if s.configurable else "")
        lines.append(f"| `{s.code}` | {s.title} | {s.working_days} | {_cell(s.counts_arrival_day)} | {_escape(source)} |")
    lines += ["", "Messages (SMS, one segment each):", "", "| step | text |", "| --- | --- |"]
    for attr, step in MESSAGES:
        text = getattr(p.wording, attr, None) if p.wording else None
        if text:
            lines.append(f"| {step} | {_escape(text)} |")
    return [*lines, ""]


def render() -> str:
    lines = [
        "# Province profiles",
        "",
        "Generated by `python -m tools.profiles_doc` from `chalicelib/domain/profiles.py`; do not edit by hand",
        "(tests/unit/test_profiles_doc.py fails when it is not current). Seeds: 000 Sichuan manual, 001 Guizhou",
        "notice, 002 Chongqing notice, 003 Guizhou (English), 004 Chongqing online steps (English). A source",
        "reading \"(silent)\" or \"not in …\" marks a setting no seed states: its value is a default with the reason.",
        "Operators change `proof_deadline_days`, `escalation_levels`, `verification_window` and review-stage days",
        "with the deployment setting `PROFILE_OVERRIDES` (JSON, e.g. `{\"sichuan\": {\"proof_deadline_days\": 7,",
        "\"review_days\": {\"review\": 7}}}`; README \"Configuration\"), applied by `with_overrides`; a province,",
        "setting, stage or value a profile does not have is refused at synth. The values below are the defaults.",
        "",
        "| setting | what it decides |",
        "| --- | --- |",
        *(f"| `{name}` | {_escape(MEANING[name])} |" for name in PROCESS_SETTINGS),
        "",
    ]
    for p in DEFAULT_PROFILES.values():
        lines += _profile_section(p)
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            print(f"{DOC} is not current: run python -m tools.profiles_doc", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
