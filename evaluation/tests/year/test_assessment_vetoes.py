import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluation.models import AssessedScore, Notification, Phase, VetoDecision
from evaluation.services import assessment as svc
from evaluation.services.notifications import deadline_reminders_send
from evaluation.services.self_assessment import self_assessment_save, self_sheet_get_or_create
from evaluation.tests.year.conftest import PDF, set_deadline


def _self(year, node, score):
    sheet = self_sheet_get_or_create(campaign=year.campaign, unit=year.u1)
    return self_assessment_save(sheet=sheet, node=node, actor=year.liaison1.user, score=Decimal(score),
                                narrative="说明")


def test_scoring_sheet_shows_self_score_evidence_and_ledger_and_highlights_differences(year, login):
    _self(year, year.manual, "18")
    client = login(year.assessor)
    page = client.get(year.url("scoring_unit", unit_id=year.u1.pk)).content.decode()
    assert "重点工作" in page and "18.00" in page and "说明" in page
    assert "投诉办理" not in page  # ledger-scored leaves are not on the assessors' sheet
    key = f"{year.u1.pk}-{year.manual.pk}"
    tkey = f"{year.u1.pk}-{year.tiered.pk}"
    response = client.post(year.url("scoring_save"), {
        "row": [key, tkey], f"score-{key}": "16", f"verification-{key}": "on_site", f"comment-{key}": "少两项",
        f"tier-{tkey}": "B", f"adj-{tkey}": "+", "verification_default": "documents",
        "next": year.url("scoring_unit", unit_id=year.u1.pk),
    }, follow=True)
    assert "已保存 2 项评分" in response.content.decode()
    manual = AssessedScore.objects.get(node=year.manual)
    assert (manual.score, manual.verification, manual.comment, manual.is_final) == (16, "on_site", "少两项", True)
    tiered = AssessedScore.objects.get(node=year.tiered)
    assert (tiered.tier, tiered.tier_adjustment, tiered.verification) == ("B", "+", "documents")
    page = client.get(year.url("scoring_unit", unit_id=year.u1.pk)).content.decode()
    assert "score-row differs" in page
    # the same item seen per indicator across units
    page = client.get(year.url("scoring_leaf", leaf_id=year.manual.pk)).content.decode()
    assert "U1 财政局" in page and "U2 环保局" in page


def test_scores_out_of_range_are_refused_with_the_item_named(year):
    with pytest.raises(svc.AssessmentError, match="财政局 · 1.2 重点工作"):
        svc.assessed_score_save(campaign=year.campaign, unit=year.u1, node=year.manual, assessor=year.assessor.user,
                                score=Decimal(21), verification="documents")


def test_two_assessors_who_differ_are_reconciled_by_the_office(year, login):
    for member, score in ((year.assessor, 16), (year.assessor2, 18)):
        svc.assessed_score_save(campaign=year.campaign, unit=year.u1, node=year.manual, assessor=member.user,
                                score=Decimal(score), verification="documents")
    assert not AssessedScore.objects.filter(is_final=True).exists()
    page = login(year.office).get(year.url("assessment")).content.decode()
    assert "待协调" in page
    chosen = AssessedScore.objects.get(assessor=year.assessor2.user)
    login(year.office).post(year.url("reconcile"), {"score": chosen.pk})
    assert list(AssessedScore.objects.filter(is_final=True)) == [chosen]


def test_two_assessors_who_agree_are_both_final(year):
    for member in (year.assessor, year.assessor2):
        svc.assessed_score_save(campaign=year.campaign, unit=year.u1, node=year.manual, assessor=member.user,
                                score=Decimal(16), verification="documents")
    assert AssessedScore.objects.filter(is_final=True).count() == 2


def test_veto_authority_vetoes_with_reason_and_document(year, login):
    client = login(year.veto)
    response = client.post(year.url("veto_decide", unit_id=year.u1.pk), {"decision": "vetoed", "reason": ""})
    assert "否决必须写明理由" in response.content.decode()
    client.post(year.url("veto_decide", unit_id=year.u1.pk), {
        "decision": "vetoed", "reason": "发生较大安全生产事故",
        "document": SimpleUploadedFile("通报.pdf", PDF)})
    decision = VetoDecision.objects.get()
    assert (decision.decision, decision.department_id) == ("vetoed", year.veto.department_id)
    assert decision.document.name.endswith(".pdf")
    client.post(year.url("veto_decide", unit_id=year.u2.pk), {"decision": "signed_off", "reason": ""})
    page = login(year.office).get(year.url("vetoes")).content.decode()
    assert "发生较大安全生产事故" in page and "同意" in page
    download = login(year.office).get(year.url("veto_document", decision_id=decision.pk))
    assert download.status_code == 200
    assert Notification.objects.filter(user=year.liaison1.user, kind="veto").exists()
    assert login(year.liaison1).get(year.url("veto_document", decision_id=decision.pk)).status_code == 403


def test_missing_sign_offs_are_listed_for_the_top_grade_check(year):
    from evaluation.selectors.year import missing_sign_offs
    from evaluation.services.vetoes import veto_decide

    veto_decide(campaign=year.campaign, unit=year.u2, department=year.veto.department, actor=year.veto.user,
                decision="signed_off")
    assert missing_sign_offs(year.campaign) == {year.u1.pk: [year.veto.department.name]}


def test_deadline_reminders_reach_liaisons_once_a_day(year, django_capture_on_commit_callbacks):
    set_deadline(year.campaign, Phase.TARGETS, 2)
    from django.utils import timezone

    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        assert deadline_reminders_send(today=today) == 2  # both units, nothing submitted yet
    assert deadline_reminders_send(today=today) == 0  # rerunning the same day sends nothing
    assert deadline_reminders_send(today=today + dt.timedelta(days=1)) == 2
    assert deadline_reminders_send(today=today - dt.timedelta(days=5)) == 0  # too early
    notice = Notification.objects.filter(user=year.liaison1.user, kind="deadline").first()
    assert "指标细化将于" in notice.message
    assert any("liaison1@example.org" in m.to for m in mail.outbox)


def test_the_reminder_task_runs(year):
    from evaluation.tasks_year import deadline_reminders

    set_deadline(year.campaign, Phase.YEAR_END, 0)
    assert deadline_reminders.delay().get() == 2


def test_notifications_page_opens_and_marks_read(year, login):
    from evaluation.services.notifications import notification_send

    (note,) = notification_send(tenant_id=year.tenant.pk, users=[year.liaison1.user], kind="x", message="你好",
                                url=year.url("ledger"))
    client = login(year.liaison1)
    assert "你好" in client.get(year.url("notifications")).content.decode()
    response = client.post(year.url("notification_open", notification_id=note.pk))
    assert response.status_code == 302 and response["Location"] == year.url("ledger")
    note.refresh_from_db()
    assert note.read_at is not None
    # someone else's notification is not there at all
    assert login(year.liaison2).post(year.url("notification_open", notification_id=note.pk)).status_code == 404
