"""Two-way comparison of the registration form with the population registry (双向审核比对).

002 五(三) 登记信息审核比对规则: "生育登记审核实行自主承诺信息（登记表信息）与办证系统行政记录信息进行双向审核
比对，双向信息审核比对一致不需要核查验证相关证件资料即通过。审核比对不一致视情况分别处理：《登记表》信息比系统
行政记录记载信息多…应及时增加或更新办证系统信息并视同审核比对一致；《登记表》信息比办证系统行政记录信息少或有
差错又不能提供相关证据的，应及时与相关信息采集提供地核实…；申请登记信息无法核实确认的以《登记表》承诺信息为准。"
003 (B): automatic comparison success → instant issue; otherwise manual acceptance.

``compare(form_children, recorded)`` pairs the children of both sides — by ID number when both
have one, else by name and birth date, else by name alone (a pair found only by name whose
facts differ is a conflict) — and returns the outcome:

==================  ================================================  ==========================
outcome             meaning                                           ``decide`` →
==================  ================================================  ==========================
``consistent``      both sides list the same children                 issue
``form_has_more``   the form lists children the registry lacks        record the update, issue
                    (e.g. a newborn not yet recorded)
``form_has_less``   the registry records a child the form omits       manual review
``conflict``        a child's facts differ (birth date, sex, name)    manual review
``unverifiable``    the registry has no record of the couple          the profile's policy
==================  ================================================  ==========================

When both "more" and "less"/"conflict" occur, the comparison is not consistent: manual review.
The profile's ``unverifiable_policy`` decides the last row: ``commitment_prevails`` (Chongqing,
002 五(三) "以《登记表》承诺信息为准") issues on the commitment; ``manual_review`` sends it to staff.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Outcome = Literal["consistent", "form_has_more", "form_has_less", "conflict", "unverifiable"]


@dataclass(frozen=True)
class ChildFacts:
    name: str
    birth_date: str  # ISO date
    sex: str
    id_number: str | None = None


@dataclass(frozen=True)
class Difference:
    form_index: int
    field: str  # "birth_date" | "sex" | "name"
    form_value: str
    recorded_value: str


@dataclass(frozen=True)
class Comparison:
    outcome: Outcome
    only_in_form: tuple[int, ...] = ()  # indexes into the form's children
    only_in_registry: tuple[int, ...] = ()  # indexes into the recorded children
    differences: tuple[Difference, ...] = field(default_factory=tuple)
    # (form index, recorded index) of the children found on both sides, for the staff's
    # side-by-side view; not in ``to_dict`` (the stored check result stays as it was)
    pairs: tuple[tuple[int, int], ...] = ()

    def to_dict(self) -> dict:
        return {
            "outcome": self.outcome,
            "only_in_form": list(self.only_in_form),
            "only_in_registry": list(self.only_in_registry),
            "differences": [
                {"form_index": d.form_index, "field": d.field} for d in self.differences
            ],  # values stay out: the result is shown to the citizen
        }


@dataclass(frozen=True)
class Decision:
    issue: bool  # True: treat as consistent and issue; False: manual review
    update_registry: bool  # record the form's additional children first
    reason: str  # stable code
    message: str
    citation: str


def form_facts(children) -> list[ChildFacts]:
    """The form's children as the comparison reads them (ID numbers upper case, dates ISO)."""
    return [ChildFacts(c.name, c.birth_date.isoformat(), c.sex, c.id_number.upper() if c.id_number else None) for c in children]


def _facts_differ(a: ChildFacts, b: ChildFacts) -> list[str]:
    return [f for f in ("name", "birth_date", "sex") if getattr(a, f) != getattr(b, f)]


def compare(form_children: list[ChildFacts], recorded: list[ChildFacts] | None) -> Comparison:
    if recorded is None:
        return Comparison("unverifiable")
    form_left = dict(enumerate(form_children))
    rec_left = dict(enumerate(recorded))
    differences: list[Difference] = []
    pairs: list[tuple[int, int]] = []

    def pair(matches) -> None:
        for fi, f in list(form_left.items()):
            for ri, r in list(rec_left.items()):
                if matches(f, r):
                    for name in _facts_differ(f, r):
                        differences.append(Difference(fi, name, getattr(f, name), getattr(r, name)))
                    pairs.append((fi, ri))
                    del form_left[fi], rec_left[ri]
                    break

    pair(lambda f, r: bool(f.id_number and r.id_number and f.id_number.upper() == r.id_number.upper()))
    pair(lambda f, r: (f.name, f.birth_date) == (r.name, r.birth_date))
    pair(lambda f, r: f.name == r.name)

    only_form, only_rec = tuple(sorted(form_left)), tuple(sorted(rec_left))
    if differences:
        outcome: Outcome = "conflict"
    elif only_rec:
        outcome = "form_has_less"
    elif only_form:
        outcome = "form_has_more"
    else:
        outcome = "consistent"
    return Comparison(outcome, only_form, only_rec, tuple(differences), tuple(sorted(pairs)))


_CITATION = "002 五(三)"


def decide(comparison: Comparison, unverifiable_policy: str) -> Decision:
    outcome = comparison.outcome
    if outcome == "consistent":
        return Decision(True, False, "CONSISTENT", "与人口信息系统记录比对一致", _CITATION)
    if outcome == "form_has_more":
        return Decision(
            True, True, "FORM_HAS_MORE", "登记表信息比系统记录多，已增加系统信息并视同比对一致", _CITATION
        )
    if outcome == "form_has_less":
        return Decision(False, False, "FORM_HAS_LESS", "登记表信息比系统记录少，转人工核实", _CITATION)
    if outcome == "conflict":
        return Decision(False, False, "CONFLICT", "登记表信息与系统记录不一致，转人工核实", _CITATION)
    if unverifiable_policy == "commitment_prevails":
        return Decision(True, False, "COMMITMENT_PREVAILS", "系统无记录，无法核实，以登记表承诺信息为准", _CITATION)
    return Decision(False, False, "UNVERIFIABLE", "系统无记录，无法核实，转人工审核", _CITATION)


__all__ = ["ChildFacts", "Comparison", "Decision", "Difference", "compare", "decide"]
