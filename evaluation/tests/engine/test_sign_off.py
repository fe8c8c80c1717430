"""Excellence needs every veto authority's sign-off (domain section 9: "Excellence needs the
sign-off of every veto authority")."""

from dataclasses import replace
from decimal import Decimal

from evaluation.engine import compute_campaign, scheme_from_dict
from evaluation.engine.examples import worked_example_a_inputs, worked_example_a_scheme


def _results(**changes_by_unit):
    inputs = [replace(u, **changes_by_unit.get(u.unit_code, {})) for u in worked_example_a_inputs()]
    return compute_campaign(scheme_from_dict(worked_example_a_scheme()), inputs)


def test_a_unit_not_yet_signed_off_cannot_take_the_top_grade_but_keeps_score_and_rank():
    before = _results().unit("U1")
    after = _results(U1={"pending_sign_offs": ["安全生产监督管理局"]}).unit("U1")
    assert (before.grade, after.grade) == ("优", "良")
    assert (after.total, after.rank) == (Decimal("90.00"), before.rank)
    assert not after.eligible_top and not after.vetoed
    assert "安全生产监督管理局" in after.grade_explanation.text("zh")
    assert "signed off" in after.grade_explanation.text("en")


def test_signed_off_units_are_unaffected():
    assert _results(U1={"pending_sign_offs": []}).unit("U1").grade == "优"
