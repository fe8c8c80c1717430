"""Worked example A end to end: every input entered through the product's own services by
``manage.py demo`` (ledger, measures, sign-offs and veto; paper survey forms; token ballots;
supervisors' findings confirmed by the office), then computed by a job."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command

from evaluation.models import Campaign, ComputeJob, Membership, UnitResult
from evaluation.roles import Role
from evaluation.services.compute import compute_job_create, compute_job_execute
from evaluation.tests.test_compute import EXAMPLE_A


def _compute(campaign):
    job, _ = compute_job_create(campaign=campaign)
    job = compute_job_execute(job_id=job.pk)
    assert job.status == ComputeJob.Status.DONE, job.message
    return {r.unit.code: r for r in UnitResult.objects.filter(revision=job.revision).select_related("unit")}


@pytest.fixture
def demo_campaign(db):
    call_command("demo", stdout=open("/dev/null", "w"))
    return Campaign.objects.get(tenant__slug="demo", year=2026)


@pytest.mark.smoke
def test_worked_example_a_from_the_demo_inputs(demo_campaign):
    rows = _compute(demo_campaign)
    for code, (indicators, survey, inspections, total, rank, grade) in EXAMPLE_A.items():
        row = rows[code]
        assert row.components[0]["raw"] == indicators, code
        assert [c["value"] for c in row.components[1:]] == [survey, inspections], code
        assert (row.total, row.rank, row.grade) == (Decimal(total), rank, grade), code
    assert rows["U4"].components[1]["raw"] == "87.00"  # 不了解 votes at the unit's own average
    assert rows["U1"].components[1]["raw"] == "92.00"  # "don't know" left out
    assert rows["U3"].last_place and rows["U6"].vetoed and not rows["U6"].eligible_top


def test_a_confirmed_finding_changes_the_result_after_the_recompute_with_the_cap(demo_campaign):
    """察访核验扣分(最高扣5分): U1 loses a point more; U2, already at the cap, loses nothing more."""
    from inspections.models import CatalogueItem, Finding
    from inspections.services.visits import FindingInput, VisitInput, finding_review, visit_submit

    before = _compute(demo_campaign)
    supervisor = Membership.objects.get(tenant=demo_campaign.tenant, role=Role.SUPERVISOR)
    office = Membership.objects.get(tenant=demo_campaign.tenant, role=Role.OFFICE_ADMIN)
    item = CatalogueItem.objects.get(campaign=demo_campaign, code="CF-01")  # 1 point
    for unit_code in ("U1", "U2"):
        unit_id = demo_campaign.campaign_units.get(unit__code=unit_code).unit_id
        visit, _ = visit_submit(
            supervisor=supervisor,
            campaign=demo_campaign,
            data=VisitInput(
                key=uuid.uuid4(), unit_id=unit_id, mode="covert", place="政务服务中心",
                visited_at=dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC),
                findings=[FindingInput(item_id=item.pk, count=1)],
            ),
        )
        for finding in visit.findings.all():
            finding_review(finding=finding, reviewer=office.user, decision=Finding.Status.CONFIRMED)
    after = _compute(demo_campaign)
    assert (before["U1"].total, after["U1"].total) == (Decimal("90.00"), Decimal("89.00"))
    assert (before["U1"].grade, after["U1"].grade) == ("优", "良")
    assert (before["U2"].total, after["U2"].total) == (Decimal("89.00"), Decimal("89.00"))
    inspections = after["U2"].components[2]
    assert (inspections["raw"], inspections["value"]) == ("7.00", "-5.00")
    assert "5" in inspections["explanation"]["zh"] and "CF-01" in inspections["explanation"]["zh"]
