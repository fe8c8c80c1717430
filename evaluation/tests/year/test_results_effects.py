"""Every change of the year's work lands in the unit's results by a recompute (hooks on commit)."""

import datetime as dt
from decimal import Decimal

from evaluation.models import ComputeJob, UnitResult
from evaluation.services import assessment, ledger, targets, vetoes
from indicators.models import CategoryRules


def add_rules(category):
    CategoryRules.objects.create(
        tenant=category.tenant, category=category,
        components=[{"key": "indicators", "label": "指标考核", "source": "indicators", "mode": "weight", "weight": "1"}],
        grading={"kind": "bands", "bands": [{"grade": "优", "min": "90"}, {"grade": "良", "min": "76"},
                                            {"grade": "一般", "min": "60"}, {"grade": "差", "min": None}]},
        veto={"mode": "ineligible"},
    )


def latest(unit):
    job = ComputeJob.objects.order_by("-pk").first()
    assert job.status == ComputeJob.Status.DONE, job.message
    return UnitResult.objects.filter(unit=unit).order_by("-revision__number").first()


def test_ledger_void_scores_and_veto_reach_the_results(year, django_capture_on_commit_callbacks):
    add_rules(year.category)
    run = django_capture_on_commit_callbacks
    sheet = targets.target_sheet_get_or_create(campaign=year.campaign, unit=year.u1)
    item = targets.target_item_save(sheet=sheet, parent=year.open_node, name="收入", points=Decimal(30))
    targets.target_sheet_submit(sheet=sheet, actor=year.liaison1.user)
    targets.target_sheet_review(sheet=sheet, actor=year.office.user, decisions={item.pk: ("approved", "")})
    item.refresh_from_db()
    with run(execute=True):
        for node, score in ((item.node, 28), (year.manual, 20)):
            assessment.assessed_score_save(campaign=year.campaign, unit=year.u1, node=node,
                                           assessor=year.assessor.user, score=Decimal(score), verification="documents")
        assessment.assessed_score_save(campaign=year.campaign, unit=year.u1, node=year.tiered,
                                       assessor=year.assessor.user, tier="A", tier_adjustment="+",
                                       verification="on_site")
    result = latest(year.u1)
    assert result.complete, result.missing
    assert (result.total, result.grade) == (Decimal("73.00"), "一般")  # 28 + 20 + 10 + 15

    with run(execute=True):
        entry = ledger.ledger_entry_file_as(membership=year.provider, campaign=year.campaign, unit=year.u1,
                                            node=year.complaints, rule_key="overdue", quantity=Decimal(2),
                                            occurred_on=dt.date(2026, 3, 1))
    assert latest(year.u1).total == Decimal("69.00")
    with run(execute=True):
        ledger.ledger_entry_void(entry=entry, actor=year.office.user, reason="已按期办结")
    assert latest(year.u1).total == Decimal("73.00")
    with run(execute=True):
        vetoes.veto_decide(campaign=year.campaign, unit=year.u1, department=year.veto.department,
                           actor=year.veto.user, decision="vetoed", reason="事故")
    assert latest(year.u1).vetoed is True
