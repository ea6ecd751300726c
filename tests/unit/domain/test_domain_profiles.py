"""Profiles: provincial differences as data and strategies."""

import json
import re
from pathlib import Path

import pytest

from chalicelib.domain import profiles
from chalicelib.domain.errors import NotFound
from chalicelib.domain.profiles import CHONGQING, GUIZHOU, PROFILES, SICHUAN, get_profile

DOMAIN = Path(profiles.__file__).parent

TABLE = [
    # (profile, province, title, stages, proxy online, modify once, supplement, unverifiable)
    # 000 §2.3.7 "打印生育登记证"; §2.4.2 注 "登记信息只允许被修改一次"
    (SICHUAN, "51", "四川省生育登记证", [("review", 5)], True, True, False, "as_failed_check"),
    # 001 一(一) "贵州省(电子)生育服务证"; 三(一)1(2) "1个工作日内…初审"; 三(一)1(3) "3个工作日内（含受理当日）";
    # 附件1 一 "在填写的登记信息初审前…可对其进行补充、完善"
    (
        GUIZHOU,
        "52",
        "贵州省(电子)生育服务证",
        [("initial_review", 1), ("registration", 3)],
        True,
        False,
        True,
        "as_failed_check",
    ),
    # 002 附件2 "重庆市生育服务证登记回执"; 004 (two) "Entrusted by others"; 002 五(三) "申请登记信息无法核实确认的以《登记表》承诺信息为准"
    (CHONGQING, "50", "重庆市生育服务证登记回执", [("review", 3)], False, False, False, "commitment_prevails"),
]


@pytest.mark.parametrize(
    ("p", "province", "title", "stages", "proxy", "modify_once", "supplement", "policy"),
    TABLE,
    ids=[t[0].code for t in TABLE],
)
def test_profile_data(p, province, title, stages, proxy, modify_once, supplement, policy):
    assert p.province_code == province
    assert p.certificate_title == title
    assert [(s.code, s.working_days) for s in p.review_stages] == stages
    assert (p.online_proxy_allowed, p.modify_once, p.supplement_before_review, p.unverifiable_policy) == (
        proxy,
        modify_once,
        supplement,
        policy,
    )
    assert get_profile(p.code) is p
    json.dumps(p.to_dict(), ensure_ascii=False)


def test_stage_citations():
    assert GUIZHOU.stage("initial_review").citation == "001 三(一)1(2)"
    assert GUIZHOU.stage("registration").citation == "001 三(一)1(3)"
    assert not GUIZHOU.stage("registration").configurable
    assert SICHUAN.stage("review").configurable and CHONGQING.stage("review").configurable
    assert GUIZHOU.total_review_days == 4


def test_with_review_days():
    p = CHONGQING.with_review_days(review=5)
    assert p.stage("review").working_days == 5 and p.stage("review").citation.startswith("operator setting")
    assert CHONGQING.stage("review").working_days == 3  # original untouched
    with pytest.raises(KeyError):
        CHONGQING.with_review_days(initial_review=1)
    with pytest.raises(ValueError):
        CHONGQING.with_review_days(review=0)


def test_unknown_profile():
    with pytest.raises(NotFound) as exc:
        get_profile("beijing")
    assert exc.value.code == "PROFILE_NOT_FOUND" and exc.value.status == 404
    assert set(PROFILES) == {"sichuan", "guizhou", "chongqing"}
    assert profiles.profile_for_province("51") is SICHUAN
    assert profiles.profile_for_province("11") is None


def test_no_province_switches_outside_profiles():
    # STYLE.md: "Province differences are data and small strategy objects in domain/profiles.py,
    # not `if province == ...` scattered through the code."
    pattern = re.compile(r"""(==|!=|\bin\b)\s*[\(\[{]?\s*["'](sichuan|guizhou|chongqing|50|51|52)["']""")
    offenders = [
        f.name
        for f in DOMAIN.glob("*.py")
        if f.name not in ("profiles.py", "demo.py") and pattern.search(f.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# ------------------------------------------------------------------ process settings (issue 14)
def test_every_process_setting_cites_its_source_or_its_silence():
    for p in PROFILES.values():
        for name in profiles.PROCESS_SETTINGS:
            assert p.citations.get(name), (p.code, name)
    # settings no seed states say so (issue 14: "a setting no seed states says so")
    for p in PROFILES.values():
        assert p.citations["proof_deadline_days"].startswith("not in")
        assert p.citations["escalation_levels"].startswith("not in")


def test_the_process_settings_per_province():
    """000 §2.3.5 uploads; 002 五(一)5 比对未通过 notice; 003 V(B) manual acceptance."""
    assert {code: p.failed_check for code, p in PROFILES.items()} == {
        "sichuan": "proofs",
        "chongqing": "not_matched_notice",
        "guizhou": "manual_acceptance",
    }
    assert SICHUAN.direct_registration_checks == ("public_security", "civil_affairs")  # 000 §1, §2.3.5
    assert "population" in GUIZHOU.direct_registration_checks and "population" in CHONGQING.direct_registration_checks
    assert SICHUAN.process()["proofs"] == "resident_spouse_before_issue" and CHONGQING.process()["proofs"] == "none"
    assert SICHUAN.to_dict()["process"]["failed_check"] == "proofs"


def test_an_operator_setting_the_province_does_not_have_is_refused():
    with pytest.raises(profiles.UnknownSetting):
        SICHUAN.with_settings(proofs_deadline=7)  # misspelt
    with pytest.raises(profiles.UnknownSetting):
        SICHUAN.with_settings(failed_check="manual_acceptance")  # the seeds' rule, not an operator's
    with pytest.raises(profiles.UnknownSetting):
        CHONGQING.with_review_days(initial_review=1)  # Guizhou's stage
    with pytest.raises(ValueError):
        SICHUAN.with_settings(proof_deadline_days=0)
    changed = SICHUAN.with_settings(proof_deadline_days=7, escalation_levels=1)
    assert (changed.proof_deadline_days, changed.escalation_levels) == (7, 1)
    assert changed.citations["proof_deadline_days"].startswith("operator setting")
    assert SICHUAN.proof_deadline_days == 5  # the original untouched


def test_a_settings_mapping_is_checked_whole_before_use():
    out = profiles.with_overrides({"sichuan": {"proof_deadline_days": 8, "review_days": {"review": 7}}})
    assert out["sichuan"].proof_deadline_days == 8 and out["sichuan"].stage("review").working_days == 7
    assert out["guizhou"] is GUIZHOU
    for bad in (
        {"beijing": {"proof_deadline_days": 8}},
        {"sichuan": {"review_days": {"initial_review": 1}}},
        {"guizhou": {"unverifiable": "commitment_prevails"}},
    ):
        with pytest.raises(profiles.UnknownSetting):
            profiles.with_overrides(bad)


def test_the_deployment_setting_puts_the_operators_values_in_force_for_its_context():
    """PROFILE_OVERRIDES (infra/settings.py): JSON applied to the defaults, per context; empty: the defaults."""
    import contextvars

    def in_force(text: str) -> tuple[int, int, int]:
        profiles.use_overrides(text)
        sichuan = profiles.get_profile("sichuan")
        return sichuan.proof_deadline_days, sichuan.stage("review").working_days, len(profiles.PROFILES)

    default_days = SICHUAN.proof_deadline_days
    text = '{"sichuan": {"proof_deadline_days": 9, "review_days": {"review": 6}}}'
    assert contextvars.copy_context().run(in_force, text) == (9, 6, 3)
    # another context (another request or unit) keeps the defaults; an empty setting restores them
    assert profiles.get_profile("sichuan").proof_deadline_days == default_days
    assert contextvars.copy_context().run(in_force, "")[0] == default_days
    assert profiles.parse_overrides(text) is profiles.parse_overrides(text)  # parsed once per text


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("{sichuan: 7}", ValueError),  # not JSON
        ('["sichuan"]', ValueError),  # not an object
        ('{"sichuan": 7}', ValueError),  # not an object of objects
        ('{"beijing": {"proof_deadline_days": 7}}', profiles.UnknownSetting),
        ('{"sichuan": {"failed_check": "manual_acceptance"}}', profiles.UnknownSetting),  # the seeds', not an operator's
        ('{"sichuan": {"proof_deadline_days": true}}', ValueError),
        ('{"sichuan": {"verification_window": "yes"}}', ValueError),
        ('{"sichuan": {"review_days": {"review": 0}}}', ValueError),
    ],
)
def test_a_deployment_setting_the_units_would_refuse_is_refused_whole(text, error):
    import contextvars

    def attempt():
        with pytest.raises(error):
            profiles.use_overrides(text)
        return profiles.get_profile("sichuan")

    assert contextvars.copy_context().run(attempt) is SICHUAN  # nothing changed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"failed_check": "upload"}, "failed_check"),
        ({"unverifiable_policy": "manual_review"}, "unverifiable_policy"),
        ({"direct_registration_checks": ("public_security", "dna")}, "direct_registration_checks"),
        ({"escalation_levels": 3}, "escalation_levels"),
        ({"failed_check": "not_matched_notice"}, "not_matched_sms"),  # Sichuan has no such message
    ],
)
def test_a_profile_with_an_unknown_value_is_refused_at_load(change, message):
    from dataclasses import replace

    with pytest.raises(ValueError, match=message):
        profiles.check_settings({"sichuan": replace(SICHUAN, **change)})


def test_a_profile_without_a_source_for_a_setting_is_refused_at_load():
    from dataclasses import replace
    from types import MappingProxyType

    uncited = replace(SICHUAN, citations=MappingProxyType({k: v for k, v in SICHUAN.citations.items() if k != "failed_check"}))
    with pytest.raises(ValueError, match="no source cited"):
        profiles.check_settings({"sichuan": uncited})


def test_the_profiles_check_themselves_at_import():
    source = Path(profiles.__file__).read_text(encoding="utf-8")
    assert "\ncheck_settings(PROFILES)\n" in source and "\ncheck_receiving_systems(PROFILES)\n" in source
