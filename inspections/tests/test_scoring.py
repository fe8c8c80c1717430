"""Confirmed findings change a unit's result, with the formula's cap (最高扣5分) applied and explained.

The campaign computation (evaluation.services.compute) reads inspections through
``evaluation.selectors.inputs.engine_inputs_for``, which calls our selector; the numbers are
checked through the engine with worked example A (domain section 12), whose other inputs come
from the engine's own example, and the inspections column from findings recorded and confirmed
here.
"""

import dataclasses
from decimal import Decimal

from evaluation.engine import compute_campaign, scheme_from_dict
from evaluation.engine.examples import worked_example_a_inputs, worked_example_a_scheme
from evaluation.selectors.inputs import engine_inputs_for
from inspections.models import CatalogueItem
from inspections.selectors.deductions import inspection_deductions
from inspections.services.visits import finding_review


def _with_our_inspections(campaign):
    ours = inspection_deductions(campaign)
    return [dataclasses.replace(unit, inspections=ours.get(unit.unit_code, ())) for unit in worked_example_a_inputs()]


def test_confirmed_findings_change_the_result_with_the_cap_explained(world, log_visit):
    tenant, campaign = world["tenant"], world["campaign"]
    for code, points in [("P2", "2"), ("P3", "3")]:
        CatalogueItem.objects.create(tenant=tenant, campaign=campaign, code=code, finding=f"扣{points}分问题", points=Decimal(points))
    world["items"].update({i.code: i for i in CatalogueItem.objects.filter(code__in=["P2", "P3"])})
    scheme = scheme_from_dict(worked_example_a_scheme())
    visit = log_visit("U2", ("P2", 1), ("P3", 1), ("A1", 1))  # submitted, not yet confirmed

    before = compute_campaign(scheme, _with_our_inspections(campaign)).unit("U2")
    assert before.total == Decimal("94.00") and before.grade == "优"

    for finding in visit.findings.all():
        finding_review(finding=finding, reviewer=world["office"].user, decision="confirmed")
    after = compute_campaign(scheme, _with_our_inspections(campaign)).unit("U2")

    inspections = after.component("inspections")
    assert inspections.raw == Decimal(6)
    assert inspections.value == Decimal("-5.00")
    assert after.total == Decimal("89.00") and after.grade == "良"  # worked example A's row for U2
    text = inspections.explanation.text("zh")
    assert "最高扣 5 分" in text, text
    assert all(label in text for label in ("P2 扣2分问题", "P3 扣3分问题", "A1 工作人员迟到早退")), text


def test_the_campaign_loader_reads_our_selector(world, log_visit):
    log_visit("U1", ("A1", 1), confirm=True)
    log_visit("U2", ("A3", 2), confirm=True)
    inputs = {u.unit_code: u for u in engine_inputs_for(world["campaign"])}
    assert [d.points for d in inputs["U1"].inspections] == [Decimal(1)]
    assert [d.points for d in inputs["U2"].inspections] == [Decimal(6)]
    assert inputs["U3"].inspections == ()
