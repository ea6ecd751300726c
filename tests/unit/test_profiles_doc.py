"""docs/profiles.md is generated from the profiles (tools/profiles_doc.py) and current: every
process setting of every province with its value and its source (issue 14: "The docs list each
profile's settings with their sources")."""

from __future__ import annotations

from chalicelib.domain.profiles import PROCESS_SETTINGS, PROFILES
from tools import profiles_doc


def test_the_document_is_current():
    assert profiles_doc.DOC.read_text(encoding="utf-8") == profiles_doc.render(), "run: python -m tools.profiles_doc"
    assert profiles_doc.main(["--check"]) == 0


def test_every_setting_of_every_province_is_listed_with_its_source():
    text = profiles_doc.render()
    for p in PROFILES.values():
        section = text.split(f"(`{p.code}`)", 1)[1].split("\n## ", 1)[0]
        for name in PROCESS_SETTINGS:
            row = next(line for line in section.splitlines() if line.startswith(f"| `{name}` |"))
            assert p.citations[name].split(":")[0] in row, (p.code, name)


def test_the_readme_links_the_document():
    readme = (profiles_doc.DOC.parents[1] / "README.md").read_text(encoding="utf-8")
    assert "docs/profiles.md" in readme
