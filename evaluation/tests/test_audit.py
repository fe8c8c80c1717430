"""The audit trail (审计日志): every score-moving change writes who, when, before/after and why;
the trail is append-only; the office browses, filters and exports it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from evaluation.models import AuditEvent, AuditTrailImmutable, LedgerEntry, Phase
from evaluation.roles import Role
from evaluation.services import ledger as ledger_svc
from evaluation.services.audit import audit_record
from evaluation.tests.year.conftest import _media, login, year
from tests import factories

# the year's world (evaluation/tests/year/conftest.py) serves these tests too
SHARED_FIXTURES = (_media, login, year)


def events(action: str | None = None, **filters):
    queryset = AuditEvent.objects.filter(**filters).order_by("id")
    return list(queryset.filter(action=action) if action else queryset)


def only(action: str, **filters) -> AuditEvent:
    found = events(action, **filters)
    assert len(found) == 1, [(e.action, e.object_label) for e in events()]
    return found[0]


def file_entry(year, unit=None, note="迟报一次", membership=None) -> LedgerEntry:
    return ledger_svc.ledger_entry_file_as(
        membership=membership or year.provider, campaign=year.campaign, unit=unit or year.u1, node=year.complaints,
        rule_key="overdue", occurred_on=dt.date(2026, 3, 5), quantity=Decimal(2), source_document="纪委〔2026〕3号",
        note=note,
    )


# --------------------------------------------------------------------------------------------
# (a) every source writes its event
# --------------------------------------------------------------------------------------------


@pytest.mark.smoke
def test_filing_a_ledger_entry_records_who_what_and_why(year):
    entry = file_entry(year)

    event = only("ledger.file")
    assert (event.tenant_id, event.campaign_id, event.unit_id) == (year.tenant.pk, year.campaign.pk, year.u1.pk)
    assert event.actor == year.provider.user
    assert (event.actor_name, event.actor_role) == ("provider", Role.DATA_PROVIDER)
    assert event.before is None
    assert event.after["points"] == "4.00" and event.after["quantity"] == "2.00"  # decimals kept exact, as text
    assert event.after["node"] == "3.1.1" and event.after["occurred_on"] == "2026-03-05"
    assert event.reason == "迟报一次"
    assert (event.object_type, event.object_id) == ("evaluation.ledgerentry", str(entry.pk))
    assert "3.1.1" in event.object_label


def test_voiding_through_the_review_page_records_the_reason(year, login):
    entry = file_entry(year)

    login(year.office).post(year.url("ledger_review", entry_id=entry.pk), {"decision": "void", "reason": "重复登记"})

    event = only("ledger.void")
    assert event.actor == year.office.user and event.actor_role == Role.OFFICE_ADMIN
    assert event.before == {"status": "filed", "void_reason": ""}
    assert event.after == {"status": "voided", "void_reason": "重复登记"}
    assert event.reason == "重复登记" and event.unit_id == year.u1.pk


def test_an_appeal_and_its_rejection_are_recorded(year):
    entry = file_entry(year)
    ledger_svc.ledger_entry_appeal(entry=entry, actor=year.liaison1.user, reason="已按时报送")
    ledger_svc.ledger_entry_confirm(entry=entry, actor=year.office.user, reason="报送回执晚于期限")

    appeal = only("ledger.appeal")
    assert appeal.actor_role == Role.LIAISON and appeal.reason == "已按时报送"
    assert appeal.before == {"status": "filed"} and appeal.after["status"] == "appealed"
    confirm = only("ledger.confirm")
    assert confirm.before == {"status": "appealed"}
    assert confirm.after == {"status": "confirmed", "appeal": "rejected"}
    assert confirm.reason == "报送回执晚于期限"


def test_an_upheld_appeal_voids_and_says_so(year):
    entry = file_entry(year)
    ledger_svc.ledger_entry_appeal(entry=entry, actor=year.liaison1.user, reason="非本单位责任")
    ledger_svc.ledger_entry_void(entry=entry, actor=year.office.user, reason="申诉成立")
    assert only("ledger.void").after == {"status": "voided", "void_reason": "申诉成立", "appeal": "upheld"}


def test_a_ledger_import_records_every_entry(year):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(ledger_svc.IMPORT_COLUMNS)
    sheet.append(["U1", "3.1.1", "overdue", 1, "2026-04-01", "A号", "", "", "", "四月"])
    sheet.append(["U2", "3.1.1", "overdue", 3, "2026-04-02", "B号", "", "", "", "四月"])
    out = io.BytesIO()
    book.save(out)

    ledger_svc.ledger_import(membership=year.provider, campaign=year.campaign, content=out.getvalue())

    filed = events("ledger.file")
    assert [(e.unit_id, e.after["points"], e.after["imported"]) for e in filed] == [
        (year.u1.pk, "2.00", True), (year.u2.pk, "6.00", True)]
    assert {e.actor_id for e in filed} == {year.provider.user.pk}


def test_a_complaint_deduction_by_the_daily_sweep_names_no_person(year):
    from inspections.models import Outcome
    from inspections.services import complaints

    for outcome in Outcome.values:
        complaints.complaint_rule_set(campaign=year.campaign, outcome=outcome, node=year.complaints, rule_key="overdue")
    complaint = complaints.complaint_register(
        campaign=year.campaign, actor=year.office.user, number="TS-7", received_on=dt.date(2026, 5, 1),
        summary="窗口推诿", unit=year.u2, deadline=dt.date(2026, 5, 8))

    assert complaints.complaints_overdue_file(today=dt.date(2026, 5, 10)) == 1

    event = only("ledger.file")
    assert event.actor is None and event.actor_name == "" and event.unit_id == complaint.unit_id
    assert "TS-7" in event.reason and "超期办理" in event.reason
    assert event.after["points"] == "2.00"


def test_assessor_scores_and_the_reconciliation_are_recorded(year):
    from evaluation.services import assessment

    first = assessment.assessed_score_save(campaign=year.campaign, unit=year.u1, node=year.manual,
                                           assessor=year.assessor.user, score=Decimal("18"), verification="on_site",
                                           comment="资料齐全")
    assessment.assessed_score_save(campaign=year.campaign, unit=year.u1, node=year.manual,
                                   assessor=year.assessor.user, score=Decimal("17.5"), verification="on_site",
                                   comment="少一项佐证")
    assessment.assessed_score_save(campaign=year.campaign, unit=year.u1, node=year.manual,
                                   assessor=year.assessor2.user, score=Decimal("19"), verification="documents")

    created, revised, _second = events("assessment.score")
    assert created.before is None and created.after["score"] == "18.00" and created.reason == "资料齐全"
    assert created.actor_role == Role.ASSESSOR and created.unit_id == year.u1.pk
    assert revised.before["score"] == "18.00" and revised.after["score"] == "17.50"
    assert revised.reason == "少一项佐证"

    assessment.assessed_score_reconcile(campaign=year.campaign, chosen=first, actor=year.office.user)
    event = only("assessment.reconcile")
    assert event.before == {"assessor": {"score": "17.50", "tier": "", "is_final": False},
                            "assessor2": {"score": "19.00", "tier": "", "is_final": False}}
    assert event.after["assessor"]["is_final"] is True and event.after["assessor2"]["is_final"] is False


def test_self_assessment_save_submit_and_reopen_are_recorded(year):
    from evaluation.selectors.year import unit_leaves
    from evaluation.services import self_assessment as svc

    sheet = svc.self_sheet_get_or_create(campaign=year.campaign, unit=year.u1)
    for leaf in unit_leaves(year.campaign, year.u1):
        svc.self_assessment_save(sheet=sheet, node=leaf, actor=year.liaison1.user, score=Decimal(1), narrative="完成")
    svc.self_assessment_save(sheet=sheet, node=year.manual, actor=year.liaison1.user, score=Decimal(15),
                             narrative="完成")
    svc.self_sheet_submit(sheet=sheet, actor=year.liaison1.user)
    svc.self_sheet_reopen(sheet=sheet, actor=year.office.user, reason="自评分与佐证不符")

    revised = [e for e in events("self.save") if e.before is not None]
    assert [(e.before["score"], e.after["score"]) for e in revised] == [("1.00", "15.00")]
    submitted = only("self.submit")
    assert submitted.after["status"] == "submitted" and submitted.after["scores"]["1.2"] == "15.00"
    reopened = only("self.reopen")
    assert reopened.before == {"status": "submitted"} and reopened.after == {"status": "draft"}
    assert reopened.reason == "自评分与佐证不符" and reopened.actor == year.office.user


def test_target_return_and_approval_are_recorded(year):
    from evaluation.services import targets as svc

    sheet = svc.target_sheet_get_or_create(campaign=year.campaign, unit=year.u1)
    item = svc.target_item_save(sheet=sheet, parent=year.open_node, name="财政收入", points=Decimal(30))
    svc.target_sheet_submit(sheet=sheet, actor=year.liaison1.user)
    svc.target_sheet_review(sheet=sheet, actor=year.office.user, decisions={item.pk: ("returned", "目标偏低")})
    svc.target_item_save(sheet=sheet, parent=year.open_node, name="财政收入增长8%", points=Decimal(30), item=item)
    svc.target_sheet_submit(sheet=sheet, actor=year.liaison1.user)
    svc.target_sheet_review(sheet=sheet, actor=year.office.user, decisions={item.pk: ("approved", "")})

    returned = only("targets.return")
    assert returned.reason == "财政收入: 目标偏低"
    assert returned.before["items"]["1.1 财政收入"]["decision"] == ""
    assert returned.after["items"]["1.1 财政收入"] == {"points": "30.00", "decision": "returned",
                                                     "comment": "目标偏低"}
    approved = only("targets.approve")
    assert approved.actor == year.office.user and approved.after["status"] == "approved"
    assert approved.after["nodes"] == ["1.1.U1.1"] and approved.unit_id == year.u1.pk
    assert len(events("targets.submit")) == 2


def test_a_measure_records_the_previous_value(year):
    from evaluation.services.measures import leaf_measure_set
    from indicators.models import IndicatorNode

    leaf = IndicatorNode.objects.create(tenant=year.tenant, category=year.category, parent=year.manual.parent,
                                        code="1.4", name="稿件录用", points=Decimal(5), method="proportional",
                                        params={"target": "10"})
    leaf_measure_set(campaign=year.campaign, unit=year.u2, node=leaf, actor=year.office.user, value="6")
    leaf_measure_set(campaign=year.campaign, unit=year.u2, node=leaf, actor=year.office.user, value="8.5")

    first, second = events("measure.set")
    assert first.before is None and first.after["value"] == "6.0000"
    assert second.before["value"] == "6.0000" and second.after["value"] == "8.5000"
    assert second.unit_id == year.u2.pk


def test_a_veto_records_decision_and_reason(year):
    from evaluation.services.vetoes import veto_decide

    veto_decide(campaign=year.campaign, unit=year.u1, department=year.veto.department, actor=year.veto.user,
                decision="signed_off")
    veto_decide(campaign=year.campaign, unit=year.u1, department=year.veto.department, actor=year.veto.user,
                decision="vetoed", reason="发生较大安全事故")

    signed, vetoed = events("veto.decide")
    assert signed.before is None and signed.after["decision"] == "signed_off"
    assert vetoed.before["decision"] == "signed_off" and vetoed.after["decision"] == "vetoed"
    assert vetoed.reason == "发生较大安全事故" and vetoed.actor_role == Role.VETO_AUTHORITY


def test_spot_check_findings_their_review_and_appeal_are_recorded(year):
    from inspections.models import CatalogueItem, Finding
    from inspections.services.visits import (
        FindingInput,
        VisitInput,
        finding_appeal,
        finding_appeal_decide,
        finding_review,
        visit_submit,
    )

    item = CatalogueItem.objects.create(tenant=year.tenant, campaign=year.campaign, code="A2", finding="窗口无人值守",
                                        points=Decimal(2))
    visit, _ = visit_submit(supervisor=year.supervisor, campaign=year.campaign, data=VisitInput(
        key=uuid.uuid4(), unit_id=year.u1.pk, mode="covert", visited_at=timezone.now() - dt.timedelta(hours=1),
        findings=[FindingInput(item_id=item.pk, count=2, note="10:05 无人")], note="午间察访"))
    finding = Finding.objects.get(visit=visit)
    finding_review(finding=finding, reviewer=year.office.user, decision="confirmed")
    finding_appeal(finding=finding, liaison=year.liaison1, reason="当时在岗,有监控")
    finding_appeal_decide(finding=finding, reviewer=year.office.user, upheld=True, reason="监控证实在岗")

    logged = only("inspection.visit")
    assert logged.actor == year.supervisor.user and logged.actor_role == Role.SUPERVISOR
    assert logged.after["findings"] == [{"item": "A2", "count": 2, "points_each": "2.00", "note": "10:05 无人"}]
    assert logged.unit_id == year.u1.pk and logged.reason == "午间察访"
    confirmed = only("inspection.finding_confirmed")
    assert confirmed.before["status"] == "pending" and confirmed.after["status"] == "confirmed"
    appealed = only("inspection.appeal")
    assert appealed.actor_role == Role.LIAISON and appealed.after["appeal"] == "pending"
    decided = only("inspection.appeal_decide")
    assert decided.before["appeal"] == "pending" and decided.after["appeal"] == "upheld"
    assert decided.reason == "监控证实在岗" and decided.unit_id == year.u1.pk


def test_paper_survey_entry_is_recorded_per_sheet_and_batch(year):
    from surveys.services.paper import paper_batch_close, paper_batch_create, paper_sheet_enter
    from surveys.services.setup import questionnaire_create, survey_create

    survey = survey_create(campaign=year.campaign, key="public", name="公众评议")
    questionnaire = questionnaire_create(survey=survey, name="问卷", units=[year.u1, year.u2])
    question = questionnaire.questions.get(unit=year.u1)
    option = questionnaire.options.get(label="满意")
    batch = paper_batch_create(actor=year.office.user, survey=survey, questionnaire=questionnaire, label="B1",
                               double_entry=False)
    paper_sheet_enter(actor=year.office.user, batch=batch, answers={question.pk: option.pk})
    paper_batch_close(actor=year.office.user, batch=batch)

    sheet = only("survey.paper_sheet")
    assert sheet.after == {"sheet_no": 1, "outcome": "saved", "answers": {str(question.pk): option.pk}}
    assert sheet.campaign_id == year.campaign.pk and sheet.actor == year.office.user
    closed = only("survey.paper_batch_close")
    assert closed.before == {"status": "open"} and closed.after == {"status": "closed", "responses": 1}


def test_scheme_edits_are_recorded_node_by_node(year):
    from indicators.services import tree

    campaign = year.campaign
    data = tree.NodeData(code="2", name="作风", kind="group", points=Decimal(10))
    node = tree.node_create(category=year.category, data=data, actor=year.office.user)
    data.name, data.points = "作风建设", Decimal(12)
    node = tree.node_update(node=node, data=data, version=node.version, actor=year.office.user)
    tree.node_move(node=node, direction="up", actor=year.office.user)
    tree.node_delete(node=node, actor=year.office.user)
    category = tree.category_create(campaign=campaign, code="C2", name="第二类", actor=year.office.user)
    tree.enrolment_set(campaign=campaign, unit=year.u2, category=category, survey_only=False, actor=year.office.user)

    created = only("scheme.node_create")
    assert created.before is None and created.after["points"] == "10.00" and created.campaign_id == campaign.pk
    updated = only("scheme.node_update")
    assert (updated.before["name"], updated.after["name"]) == ("作风", "作风建设")
    assert (updated.before["points"], updated.after["points"]) == ("10.00", "12.00")
    moved = only("scheme.node_move")
    assert moved.before == {"order": ["1", "2"]} and moved.after == {"order": ["2", "1"]}
    deleted = only("scheme.node_delete")
    assert deleted.after is None and deleted.before["2"]["name"] == "作风建设"
    assert only("scheme.category_create").after == {"code": "C2", "name": "第二类", "order": 1}
    enrolment = only("scheme.enrolment_set")
    assert enrolment.before == {"category": "C1", "survey_only": False}
    assert enrolment.after == {"category": "C2", "survey_only": False} and enrolment.unit_id == year.u2.pk


def test_rules_edits_and_a_whole_scheme_import_are_recorded(year):
    from django.contrib.auth import get_user_model

    from indicators.services import tree
    from indicators.services.scheme import campaign_from_template

    campaign = campaign_from_template(tenant=year.tenant, template_key="nanping", year=2027, name="考评",
                                      actor=year.office.user)
    imported = only("scheme.import")
    assert imported.campaign_id == campaign.pk and imported.before is None
    assert imported.after["source"] == "template:nanping"
    assert set(imported.after["categories"]) == set(campaign.categories.values_list("code", flat=True))
    assert all(c["nodes"] > 0 for c in imported.after["categories"].values())

    category = campaign.categories.order_by("order").first()
    rules = category.rules
    grading = dict(rules.grading)
    tree.category_rules_update(category=category, actor=year.office.user, rules={
        "components": rules.components, "grading": grading, "veto": rules.veto, "tie_break": rules.tie_break,
        "name_last_place": False, "joint_split": rules.joint_split, "survey_options": rules.survey_options,
    })
    event = only("scheme.rules_update")
    assert event.before["name_last_place"] is True and event.after["name_last_place"] is False
    assert get_user_model().objects.filter(pk=event.actor_id, username="office").exists()


def test_a_computation_request_and_the_revision_it_writes_are_recorded(year):
    from evaluation.models import CampaignUnit, ComputeJob
    from evaluation.services.compute import compute_job_create, compute_job_execute
    from indicators.services.scheme import campaign_from_template

    campaign = campaign_from_template(tenant=year.tenant, template_key="nanping", year=2027, name="测算",
                                      actor=year.office.user)
    category = campaign.categories.order_by("order").first()
    for unit in (year.u1, year.u2):
        CampaignUnit.objects.create(tenant=year.tenant, campaign=campaign, unit=unit, category=category)

    job, created = compute_job_create(campaign=campaign, actor=year.office.user, reason="月度测算")
    assert created
    # a second request while the first is queued joins it, and is recorded as such
    joined, created = compute_job_create(campaign=campaign, actor=year.liaison1.user, scope="unit", unit=year.u1)
    assert not created and joined.pk == job.pk
    assert compute_job_execute(job_id=job.pk).status == ComputeJob.Status.DONE
    job, _ = compute_job_create(campaign=campaign, actor=year.office.user, scope="unit", unit=year.u1)
    compute_job_execute(job_id=job.pk)  # nothing changed: no new revision, so no revision event
    CampaignUnit.objects.create(tenant=year.tenant, campaign=campaign, unit=factories.make_unit(year.tenant),
                                category=category)
    job, _ = compute_job_create(campaign=campaign, actor=year.office.user)
    compute_job_execute(job_id=job.pk)

    first, second, third, _fourth = events("compute.request")
    assert first.actor == year.office.user and first.reason == "月度测算"
    assert {k: v for k, v in first.after.items() if k != "job"} == {"scope": "campaign", "category": None,
                                                                     "unit": None}
    assert first.unit_id is None and first.object_id == str(first.after["job"])
    assert second.actor_role == Role.LIAISON and second.after["joined"] is True and second.unit_id == year.u1.pk
    assert third.after["scope"] == "unit" and third.after["unit"] == "U1"
    revisions = events("compute.revision")
    assert [(e.before, e.after["revision"], e.after["units"]) for e in revisions] == [
        ({"revision": None}, 1, 2), ({"revision": 1}, 2, 3)]
    assert revisions[0].actor == year.office.user and revisions[0].campaign_id == campaign.pk
    assert revisions[0].after["recomputed"] == sorted(campaign.categories.values_list("code", flat=True))
    assert revisions[1].after["recomputed"] == [category.code]  # the other category's inputs did not change


def test_publication_steps_and_a_correction_are_recorded(db):
    from reporting.services import publication as pub
    from reporting.tests import builders

    tenant = factories.make_tenant("pub-a", "南平市效能办")
    office = factories.make_member(tenant, Role.OFFICE_ADMIN, user=factories.make_user("pub-office"))
    leader = factories.make_member(tenant, Role.LEADER, user=factories.make_user("pub-leader"))
    revision = builders.example_a(tenant)

    publication = pub.publication_submit(actor=office.user, revision=revision)
    pub.publication_approve(actor=leader.user, publication=publication)
    pub.publication_publish(actor=office.user, publication=publication, document_number="南效〔2026〕9号")
    newer = builders.example_a(tenant, campaign=revision.campaign, number=2)
    correction = pub.publication_submit(actor=office.user, revision=newer, reason="U3 补充佐证")
    pub.publication_withdraw(actor=office.user, publication=correction)

    assert only("publication.submit").after == {"status": "submitted", "revision": 1}
    approved = only("publication.approve")
    assert approved.actor_role == Role.LEADER and approved.after == {"status": "approved"}
    published = only("publication.publish")
    assert published.before == {"status": "approved", "document_number": "南效〔2026〕1号", "phase": Phase.CONFIGURE}
    assert published.after == {"status": "published", "document_number": "南效〔2026〕9号", "phase": "published"}
    corrected = only("publication.correct")
    assert corrected.reason == "U3 补充佐证"
    assert corrected.after["corrects"] == {"revision": 1, "document_number": "南效〔2026〕9号"}
    withdrawn = only("publication.withdraw")
    assert withdrawn.before == {"status": "submitted", "revision": 2} and withdrawn.after is None


# --------------------------------------------------------------------------------------------
# (b) the event shares the change's transaction
# --------------------------------------------------------------------------------------------


def test_a_rolled_back_change_leaves_no_event(year):
    entry = file_entry(year)
    before = AuditEvent.objects.count()

    with pytest.raises(RuntimeError, match="later failure"), transaction.atomic():
        ledger_svc.ledger_entry_void(entry=entry, actor=year.office.user, reason="误登")
        assert AuditEvent.objects.filter(action="ledger.void").count() == 1
        raise RuntimeError("a later failure in the same transaction")

    entry.refresh_from_db()
    assert entry.status == LedgerEntry.Status.FILED
    assert AuditEvent.objects.count() == before


def test_a_refused_change_leaves_no_event(year):
    entry = file_entry(year)
    before = AuditEvent.objects.count()
    with pytest.raises(ledger_svc.LedgerError):
        ledger_svc.ledger_entry_void(entry=entry, actor=year.office.user, reason="  ")
    assert AuditEvent.objects.count() == before


def test_recording_outside_a_transaction_is_refused(year):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(tenant=year.tenant, actor=year.office.user, action="ledger.void")
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_committed_changes_keep_their_events_and_the_flush_still_works():
    """With real commits: the event is there after commit, gone with a rollback, and the test
    database's flush afterwards (TRUNCATE on PostgreSQL) is not stopped by the trigger."""
    tenant = factories.make_tenant("audit-tx", "甲")
    office = factories.make_member(tenant, Role.OFFICE_ADMIN)
    campaign = factories.make_campaign(tenant)
    from indicators.services.tree import category_create

    category_create(campaign=campaign, code="C1", name="第一类", actor=office.user)
    assert only("scheme.category_create").actor == office.user
    with pytest.raises(RuntimeError), transaction.atomic():
        category_create(campaign=campaign, code="C2", name="第二类", actor=office.user)
        raise RuntimeError("rolled back")
    assert len(events("scheme.category_create")) == 1


# --------------------------------------------------------------------------------------------
# (c) append-only
# --------------------------------------------------------------------------------------------


@pytest.fixture
def one_event(year):
    file_entry(year)
    return only("ledger.file")


@pytest.mark.smoke
def test_the_app_refuses_to_change_or_delete_an_event(one_event):
    one_event.reason = "改写历史"
    attempts = [
        one_event.save,
        one_event.delete,
        lambda: AuditEvent.objects.filter(pk=one_event.pk).update(reason="x"),
        lambda: AuditEvent.objects.update(reason="x"),
        lambda: AuditEvent.objects.filter(pk=one_event.pk).delete(),
        lambda: AuditEvent.objects.bulk_update([one_event], ["reason"]),
        lambda: AuditEvent.objects.update_or_create(pk=one_event.pk, defaults={"reason": "x"}),
    ]
    for attempt in attempts:
        with pytest.raises(AuditTrailImmutable), transaction.atomic():
            attempt()
    assert AuditEvent.objects.get(pk=one_event.pk).reason == "迟报一次"


def test_a_campaign_unit_or_person_in_the_trail_cannot_be_deleted(year):
    """PROTECT, because SET_NULL would rewrite an event and CASCADE would delete it."""
    from django.db.models import ProtectedError

    campaign = factories.make_campaign(year.tenant, 2030)
    unit = factories.make_unit(year.tenant)
    person = factories.make_user()
    with transaction.atomic():
        audit_record(tenant=year.tenant, actor=person, action="scheme.enrolment_set", campaign=campaign, unit=unit)
    for doomed in (campaign, unit, person):
        with pytest.raises(ProtectedError), transaction.atomic():
            doomed.delete()
    assert only("scheme.enrolment_set").actor_name == person.username


def test_raw_sql_update_is_refused_by_the_database(one_event):
    """A trigger on both backends (SQLite leaves DELETE to the app, for the test flush)."""
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE evaluation_auditevent SET reason = 'x' WHERE id = %s", [one_event.pk])
    assert AuditEvent.objects.get(pk=one_event.pk).reason == "迟报一次"


@pytest.mark.postgres
def test_raw_sql_update_and_delete_are_refused_on_postgresql(one_event):
    if connection.vendor != "postgresql":
        pytest.skip("the refusal of raw DELETE is a PostgreSQL trigger; this run is on "
                    f"{connection.vendor} (run with DATABASE_URL=postgres://…)")
    for sql in ("UPDATE evaluation_auditevent SET reason = 'x' WHERE id = %s",
                "UPDATE evaluation_auditevent SET tenant_id = tenant_id WHERE id = %s",
                "DELETE FROM evaluation_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [one_event.pk])
    assert AuditEvent.objects.filter(pk=one_event.pk, reason="迟报一次").exists()


# --------------------------------------------------------------------------------------------
# (d) browsing and filtering, (e) exports
# --------------------------------------------------------------------------------------------


def audit_url(year, name="audit", **query):
    from urllib.parse import urlencode

    url = reverse(f"evaluation:{name}", kwargs={"tenant_slug": year.tenant.slug})
    return f"{url}?{urlencode(query)}" if query else url


@pytest.fixture
def trail(year):
    """A filing against each unit, one voided, and a scheme edit with no unit."""
    from indicators.services import tree

    e1 = file_entry(year, year.u1, note="U1 迟报")
    file_entry(year, year.u2, note="U2 迟报")
    ledger_svc.ledger_entry_void(entry=e1, actor=year.office.user, reason="=HYPERLINK(\"x\") 重复")
    tree.category_create(campaign=year.campaign, code="C9", name="第九类", actor=year.office.user)
    return year


def test_office_browses_the_trail_newest_first_with_readable_diffs(trail, login):
    page = login(trail.office).get(audit_url(trail))
    assert page.status_code == 200
    actions = [row["event"].action for row in page.context["rows"]]
    assert actions == ["scheme.category_create", "ledger.void", "ledger.file", "ledger.file"]
    html = page.content.decode()
    assert "撤销台帐" in html and "status" in html and "filed" in html and "voided" in html
    void_row = next(row for row in page.context["rows"] if row["event"].action == "ledger.void")
    assert [(c.key, c.before, c.after) for c in void_row["changes"]] == [
        ("status", "filed", "voided"), ("void_reason", "—", "=HYPERLINK(\"x\") 重复")]
    assert "审计日志" in html and reverse("evaluation:audit", kwargs={"tenant_slug": trail.tenant.slug}) in html


def test_office_filters_per_unit_family_actor_and_dates(trail, login):
    client = login(trail.office)

    def actions(**query):
        return [row["event"].action for row in client.get(audit_url(trail, **query)).context["rows"]]

    assert actions(unit=trail.u2.pk) == ["ledger.file"]
    assert actions(unit=trail.u1.pk) == ["ledger.void", "ledger.file"]
    assert actions(family="scheme") == ["scheme.category_create"]
    assert actions(actor=trail.provider.user.pk) == ["ledger.file", "ledger.file"]
    assert actions(campaign=trail.campaign.pk, family="ledger", actor=trail.office.user.pk) == ["ledger.void"]
    today = timezone.localdate()
    assert len(actions(**{"from": today.isoformat(), "to": today.isoformat()})) == 4
    assert actions(**{"to": (today - dt.timedelta(days=1)).isoformat()}) == []
    # nonsense in the query is ignored, not an error page
    assert len(actions(unit="abc", family="nope", **{"from": "yesterday"})) == 4


def test_the_list_pages_by_fifty(year, login):
    with transaction.atomic():
        for n in range(55):
            audit_record(tenant=year.tenant, actor=year.office.user, action="measure.set", reason=f"第{n}条")
    client = login(year.office)
    first = client.get(audit_url(year))
    assert len(first.context["rows"]) == 50 and first.context["page"].has_next()
    second = client.get(audit_url(year, page=2))
    assert [row["event"].reason for row in second.context["rows"]] == [f"第{n}条" for n in range(4, -1, -1)]


def test_liaison_is_refused_and_another_tenant_gets_404(trail, login):
    for name in ("audit", "audit_export_xlsx", "audit_export_csv"):
        assert login(trail.liaison1).get(audit_url(trail, name)).status_code == 403
        assert login(trail.other_tenant_office).get(audit_url(trail, name)).status_code == 404


def test_the_excel_export_holds_the_filtered_rows(trail, login):
    from openpyxl import load_workbook

    response = login(trail.office).get(audit_url(trail, "audit_export_xlsx", unit=trail.u1.pk))
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("时间", "操作人", "角色", "操作", "代码")
    assert [r[4] for r in rows[1:]] == ["ledger.void", "ledger.file"]
    void = rows[1]
    assert void[1] == "office" and void[2] == "效能办管理员" and void[6] == "U1 财政局"
    assert "status: filed → voided" in void[8]
    assert void[9].startswith("'=HYPERLINK")  # a formula-looking reason stays text


def test_the_csv_export_parses(trail, login):
    response = login(trail.office).get(audit_url(trail, "audit_export_csv", family="ledger"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][4] == "代码"
    assert sorted(r[4] for r in rows[1:]) == ["ledger.file", "ledger.file", "ledger.void"]
    filed_u2 = next(r for r in rows[1:] if r[4] == "ledger.file" and r[6].startswith("U2"))
    assert filed_u2[1] == "provider" and filed_u2[9] == "U2 迟报"
    assert '"points": "4.00"' in filed_u2[11]


def test_the_api_lists_filters_and_guards(trail, api_for):
    url = f"/api/t/{trail.tenant.slug}/audit-events/"
    api = api_for(trail.office)
    body = api.get(url, {"unit": trail.u1.pk}).json()
    assert [e["action"] for e in body["results"]] == ["ledger.void", "ledger.file"]
    assert body["results"][0]["before"] == {"status": "filed", "void_reason": ""}
    assert [e["action"] for e in api.get(url, {"action": "scheme"}).json()["results"]] == ["scheme.category_create"]
    assert len(api.get(url, {"action": "ledger.file"}).json()["results"]) == 2
    assert api.get(url, {"action": "nonsense"}).status_code == 400
    one = body["results"][0]["id"]
    assert api.get(f"{url}{one}/").json()["reason"].endswith("重复")
    assert api_for(trail.liaison1).get(url).status_code == 403
    assert api_for(trail.other_tenant_office).get(url).status_code == 404
    assert api_for(trail.office).post(url, {}).status_code == 405
