"""The inspections column the scoring engine reads: confirmed findings only, one per finding."""

from decimal import Decimal

import pytest

from inspections.selectors.deductions import inspection_deductions
from inspections.services.visits import finding_appeal, finding_appeal_decide, finding_review


@pytest.mark.smoke
def test_confirmed_findings_become_deductions_priced_count_times_points(world, log_visit, django_assert_num_queries):
    log_visit("U1", ("A1", 1), confirm=True)
    log_visit("U2", ("A2", 1), ("A3", 1), confirm=True)
    log_visit("U2", ("A1", 1), confirm=True)
    log_visit("U3", ("A3", 2))  # submitted, not yet reviewed

    with django_assert_num_queries(1):
        result = inspection_deductions(world["campaign"])

    assert set(result) == {"U1", "U2"}
    assert [d.points for d in result["U1"]] == [Decimal(1)]
    assert sorted(d.points for d in result["U2"]) == [Decimal(1), Decimal(2), Decimal(3)]
    label = result["U1"][0].label
    assert "A1 工作人员迟到早退" in label and "察访 #" in label


def test_count_multiplies_points_and_label_says_so(world, log_visit):
    visit = log_visit("U3", ("A3", 2), confirm=True)
    [deduction] = inspection_deductions(world["campaign"])["U3"]
    assert deduction.points == Decimal(6)
    assert "×2" in deduction.label and f"#{visit.pk}" in deduction.label


def test_rejected_and_upheld_appeal_findings_do_not_count(world, log_visit):
    visit = log_visit("U2", ("A1", 1), ("A2", 1), ("A3", 1))
    first, second, third = visit.findings.order_by("id")
    office = world["office"].user
    finding_review(finding=first, reviewer=office, decision="rejected", reason="照片不能证明")
    finding_review(finding=second, reviewer=office, decision="confirmed")
    finding_review(finding=third, reviewer=office, decision="confirmed")
    finding_appeal(finding=third, liaison=world["liaison"], reason="当时在处理急件")
    assert sorted(d.points for d in inspection_deductions(world["campaign"])["U2"]) == [Decimal(2), Decimal(3)]

    finding_appeal_decide(finding=third, reviewer=office, upheld=True, reason="情况属实")
    assert [d.points for d in inspection_deductions(world["campaign"])["U2"]] == [Decimal(2)]


def test_another_campaigns_findings_are_not_included(world, log_visit):
    from tests import factories

    log_visit("U1", ("A1", 1), confirm=True)
    other_campaign = factories.make_campaign(world["tenant"], year=2027)
    assert inspection_deductions(other_campaign) == {}
