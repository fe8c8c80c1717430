"""Complaints register: outcomes deduct through the ledger once; reminders before deadlines."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from evaluation.models import LedgerEntry
from indicators.models import IndicatorNode
from inspections.models import Complaint, ComplaintDeduction, Outcome
from inspections.services import complaints as svc

D = dt.date
DEADLINE = D(2026, 3, 20)
RECEIVED = D(2026, 3, 10)


@pytest.fixture
def rules(world):
    leaf = IndicatorNode.objects.create(
        tenant=world["tenant"], category=world["category"], code="3.1.1", name="投诉件办理", points=Decimal(15),
        method="deduct_per_occurrence",
        params={"kinds": [
            {"key": "overdue", "label": "超期办理", "deduction": 2},
            {"key": "returned_twice", "label": "两次退回", "deduction": 5},
            {"key": "contrary", "label": "与事实不符", "deduction": 10},
        ]},
    )
    for outcome, key in [(Outcome.OVERDUE, "overdue"), (Outcome.RETURNED_TWICE, "returned_twice"),
                         (Outcome.CONTRARY_TO_FACT, "contrary")]:
        svc.complaint_rule_set(campaign=world["campaign"], outcome=outcome, node=leaf, rule_key=key)
    return leaf


def _register(world, number="TS-001", deadline=DEADLINE, received_on=RECEIVED):
    return svc.complaint_register(
        campaign=world["campaign"], actor=world["office"].user, number=number, received_on=received_on,
        summary="办理营业执照多次往返", unit=world["units"]["U2"], deadline=deadline,
    )


def _points(world):
    return sorted(LedgerEntry.objects.filter(unit=world["units"]["U2"]).values_list("points", flat=True))


def test_register_refuses_without_rules(world):
    with pytest.raises(svc.ComplaintError, match="扣分规则"):
        _register(world)


@pytest.mark.smoke
def test_zhangzhou_outcomes_deduct_2_5_10_through_the_ledger(world, rules):
    liaison, office = world["liaison"], world["office"].user
    late = _register(world, "TS-1")
    svc.complaint_reply(complaint=late, liaison=liaison, reply="已办结", today=D(2026, 3, 22))

    returned = _register(world, "TS-2")
    for _ in range(2):
        svc.complaint_reply(complaint=returned, liaison=liaison, reply="已处理", today=D(2026, 3, 12))
        svc.complaint_return(complaint=returned, actor=office, reason="答复不完整", new_deadline=D(2026, 3, 30),
                             today=D(2026, 3, 13))

    wrong = _register(world, "TS-3")
    svc.complaint_reply(complaint=wrong, liaison=liaison, reply="已整改", today=D(2026, 3, 15))
    svc.complaint_mark_contrary(complaint=wrong, actor=office, reason="回访发现未整改", today=D(2026, 3, 18))
    svc.complaint_mark_contrary(complaint=wrong, actor=office, reason="再次确认", today=D(2026, 3, 19))  # once only

    assert _points(world) == [Decimal(2), Decimal(5), Decimal(10)]
    entry = LedgerEntry.objects.get(rule_key="overdue")
    assert entry.node == rules and entry.kind == "deduction" and "TS-1" in entry.source_document


def test_open_case_past_deadline_is_deducted_once_by_the_sweep(world, rules):
    _register(world, "TS-9", deadline=D(2026, 3, 20))
    assert svc.complaint_deadlines_run(today=D(2026, 3, 20))["overdue"] == 0
    assert svc.complaint_deadlines_run(today=D(2026, 3, 21))["overdue"] == 1
    assert svc.complaint_deadlines_run(today=D(2026, 3, 22))["overdue"] == 0
    complaint = Complaint.objects.get(number="TS-9")
    svc.complaint_reply(complaint=complaint, liaison=world["liaison"], reply="补办", today=D(2026, 3, 23))
    assert ComplaintDeduction.objects.filter(complaint=complaint).count() == 1
    assert _points(world) == [Decimal(2)]


def test_reminder_goes_to_the_units_liaisons_once(world, rules, django_capture_on_commit_callbacks):
    world["liaison"].user.email = "u2@example.cn"
    world["liaison"].user.save(update_fields=["email"])
    _register(world, "TS-5", deadline=D(2026, 3, 20))
    with django_capture_on_commit_callbacks(execute=True):
        assert svc.complaint_reminders_send(today=D(2026, 3, 17)) == 0  # three days ahead: not yet
        assert svc.complaint_reminders_send(today=D(2026, 3, 18)) == 1
        assert svc.complaint_reminders_send(today=D(2026, 3, 19)) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["u2@example.cn"] and "TS-5" in mail.outbox[0].subject


def test_task_runs_the_sweep(world, rules):
    from inspections.tasks import complaint_deadlines

    _register(world, "TS-7", deadline=D(2020, 1, 2), received_on=D(2020, 1, 1))
    assert complaint_deadlines.delay().get()["overdue"] == 1


def test_liaison_replies_only_to_its_own_units_complaints(world, rules, client_for):
    from django.urls import reverse

    from evaluation.roles import Role
    from tests import factories

    complaint = _register(world)
    other = factories.make_member(world["tenant"], Role.LIAISON, unit=world["units"]["U1"])
    url = reverse("inspections:complaint_reply", kwargs={"tenant_slug": world["tenant"].slug, "complaint_id": complaint.pk})
    assert client_for(other).post(url, {"reply": "x"}).status_code == 404
    assert client_for(world["liaison"]).post(url, {"reply": "已办理"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.REPLIED
