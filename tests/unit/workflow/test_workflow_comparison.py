"""002 五(三) two-way comparison (chalicelib/domain/comparison.py)."""

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.comparison import ChildFacts, compare, decide

A = ChildFacts("王小雨", "2023-04-10", "female", "510104202304101025")
B = ChildFacts("王小山", "2020-02-02", "male", None)


def test_same_children_are_consistent_and_issue():
    c = compare([A, B], [B, A])
    assert c.outcome == "consistent"
    d = decide(c, "manual_review")
    assert d.issue and not d.update_registry


def test_form_has_more_updates_the_registry_and_counts_as_consistent():
    c = compare([A, B], [A])
    assert c.outcome == "form_has_more" and c.only_in_form == (1,)
    d = decide(c, "manual_review")
    assert d.issue and d.update_registry and d.citation == "002 五(三)"


def test_form_has_less_goes_to_manual_review():
    c = compare([A], [A, B])
    assert c.outcome == "form_has_less" and c.only_in_registry == (1,)
    assert not decide(c, "commitment_prevails").issue


def test_a_differing_birth_date_is_a_conflict_without_values_in_the_public_view():
    recorded = ChildFacts(A.name, "2023-05-10", A.sex, None)
    c = compare([A], [recorded])
    assert c.outcome == "conflict"
    assert c.differences[0].field == "birth_date"
    assert "2023-05-10" not in str(c.to_dict())  # the citizen view shows fields, not the registry's values
    assert not decide(c, "commitment_prevails").issue


def test_matching_by_id_number_wins_over_names():
    renamed = ChildFacts("王雨", A.birth_date, A.sex, A.id_number)
    c = compare([A], [renamed])
    assert c.outcome == "conflict" and c.differences[0].field == "name"


def test_less_and_more_together_is_not_consistent():
    c = compare([A], [B])
    assert c.outcome == "form_has_less"
    assert not decide(c, "manual_review").issue


def test_unverifiable_follows_the_profile():
    c = compare([A], None)
    assert c.outcome == "unverifiable"
    assert decide(c, "commitment_prevails").issue  # Chongqing: 以《登记表》承诺信息为准
    assert not decide(c, "manual_review").issue


children = st.lists(
    st.builds(
        ChildFacts,
        name=st.text(alphabet="王李张小雨山", min_size=2, max_size=3),
        birth_date=st.dates().map(lambda d: d.isoformat()),
        sex=st.sampled_from(["female", "male"]),
        id_number=st.none(),
    ),
    max_size=4,
    unique_by=lambda c: c.name,
)


@given(children)
def test_a_list_compared_with_itself_is_consistent(kids):
    assert compare(kids, list(reversed(kids))).outcome == "consistent"


@given(children, children)
def test_extra_children_in_the_form_never_make_it_less(kids, extra):
    extra = [c for c in extra if c.name not in {k.name for k in kids}]
    outcome = compare(kids + extra, kids).outcome
    assert outcome == ("form_has_more" if extra else "consistent")


def test_pairs_say_which_recorded_child_is_which_form_child():
    c = compare([A], [B, A])
    assert c.pairs == ((0, 1),) and c.only_in_registry == (0,)
    assert "pairs" not in c.to_dict()  # the stored, citizen-visible result is unchanged


@given(children, children)
def test_every_child_is_paired_or_left_over_exactly_once(form, recorded):
    c = compare(form, recorded)
    form_side = [fi for fi, _ in c.pairs] + list(c.only_in_form)
    registry_side = [ri for _, ri in c.pairs] + list(c.only_in_registry)
    assert sorted(form_side) == list(range(len(form)))
    assert sorted(registry_side) == list(range(len(recorded)))
