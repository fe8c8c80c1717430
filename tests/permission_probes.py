"""The permission matrix's probes: for every action of the role table, a real request that does it.

A probe is one HTTP request (method, route, URL kwargs, payload) built from the fixture world
below. ``tests/test_permission_matrix.py`` sends every probe as every role: a role the table
refuses must get 403 with the database unchanged, a role it allows must get through, and a write
probe's ``watch`` must show the change happened. ``manage.py render_roles`` prints which route
tests each action into docs/roles.md.

Probes prefer the REST API route when an action has one and use the HTML view (real form posts,
CSRF enforced) otherwise; an action may have several probes. The objects of the liaison's and the
data provider's actions are the liaison's own unit's (U1) and an indicator the provider's
department provides, so a permitted role is never stopped by scope. Scope has its own, smaller
set of probes (``SCOPE_PROBES``) aimed at another unit's (or person's) objects.

403 or 404: a role the table refuses gets 403 on every route, checked before any object is
fetched, so no route hides behind 404 from a refused role. 404 is scope's answer: the accessors
answer "missing" and "not yours" alike (docs/tenancy.md). One scope probe is answered 400 and says
why (a data provider filing on another department's indicator: the indicator is readable, the
filing is invalid input).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from evaluation.roles import Role

API = "API"
VIEW = "view"

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


# ---------------------------------------------------------------------------------------------
# the fixture world
# ---------------------------------------------------------------------------------------------


@dataclass
class World:
    """One tenant with a member per role and a campaign in which every route has a real object.

    ``campaign`` carries the year's work and worked example A's results: revision 1 published
    (with rectification reports and a finished bulletin), revision 2 submitted to the leaders.
    ``campaign_b`` has a computed revision nobody submitted yet; ``draft`` is an empty campaign
    still being configured (scheme edits and enrolments need that phase).
    """

    tenant: Any
    campaign: Any
    campaign_b: Any
    draft: Any
    members: dict[str, Any]
    units: dict[str, Any]
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str):
        # objects["ledger_u1"] reads as world.ledger_u1 in the probes below
        objects = self.__dict__.get("objects") or {}
        if name in objects:
            return objects[name]
        raise AttributeError(name)

    @property
    def slug(self) -> str:
        return self.tenant.slug


def build_world() -> World:
    """Build the world through the services (the same paths the product takes), once per module."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from evaluation.models import (
        AssessedScore,
        Campaign,
        Category,
        Department,
        Evidence,
        Notification,
        SelfAssessmentSheet,
        Unit,
        UnitResult,
        VetoDecision,
    )
    from evaluation.services import assessment as assessment_services
    from evaluation.services import ledger as ledger_services
    from evaluation.services import targets as target_services
    from indicators.models import IndicatorNode
    from inspections.models import CatalogueItem, Complaint, Finding, VisitPhoto
    from inspections.services.visits import FindingInput, VisitInput, finding_review, visit_submit
    from reporting.models import BulletinJob, RectificationReport
    from reporting.services import publication as publication_services
    from reporting.services import rectification as rectification_services
    from reporting.tests import builders
    from surveys.services.paper import paper_batch_create
    from surveys.services.setup import questionnaire_create, survey_create
    from tests import factories

    tenant = factories.make_tenant("matrix", "矩阵市效能办")
    campaign = Campaign.objects.create(tenant=tenant, year=2026, name="机关绩效考评", document_number="矩效〔2026〕1号")
    # worked example A: units U1..U6, categories C1 (U1 U2 U3 U6) and C2 (U4 U5), real results
    revision_1 = builders.example_a(tenant, campaign=campaign, number=1)
    units = {u.code: u for u in Unit.objects.filter(tenant=tenant)}
    c1 = Category.objects.get(campaign=campaign, code="C1")

    provider_dept = factories.make_department(tenant, Department.Kind.PROVIDER)
    other_dept = factories.make_department(tenant, Department.Kind.PROVIDER)
    veto_dept = factories.make_department(tenant, Department.Kind.VETO)

    def member(role, name, **kwargs):
        return factories.make_member(tenant, role, user=factories.make_user(f"matrix-{name}"), **kwargs)

    members = {
        Role.OFFICE_ADMIN: member(Role.OFFICE_ADMIN, "office"),
        Role.ASSESSOR: member(Role.ASSESSOR, "assessor"),
        Role.LIAISON: member(Role.LIAISON, "liaison", unit=units["U1"]),
        Role.DATA_PROVIDER: member(Role.DATA_PROVIDER, "provider", department=provider_dept),
        Role.SUPERVISOR: member(Role.SUPERVISOR, "supervisor"),
        Role.VETO_AUTHORITY: member(Role.VETO_AUTHORITY, "veto", department=veto_dept),
        Role.LEADER: member(Role.LEADER, "leader"),
    }
    office = members[Role.OFFICE_ADMIN]
    assessor2 = member(Role.ASSESSOR, "assessor2")
    other_supervisor = member(Role.SUPERVISOR, "supervisor2")
    objects: dict[str, Any] = {"c1": c1}

    # --- the indicator tree of C1 used by the year's work (example A's tree lives in the revisions)
    root = IndicatorNode.objects.create(tenant=tenant, category=c1, code="Y", name="年度工作", points=Decimal(60))
    objects["open_node"] = IndicatorNode.objects.create(
        tenant=tenant, category=c1, parent=root, code="Y.1", name="职能目标", points=Decimal(30),
        open_for_targets=True, order=1)
    objects["manual"] = IndicatorNode.objects.create(
        tenant=tenant, category=c1, parent=root, code="Y.2", name="重点工作", points=Decimal(10), method="manual",
        order=2)
    deduct_params = {"kinds": [{"key": "overdue", "label": "逾期", "deduction": "2"}], "floor": True}
    objects["deduct"] = IndicatorNode.objects.create(
        tenant=tenant, category=c1, parent=root, code="Y.3", name="投诉办理", points=Decimal(10),
        method="deduct_per_occurrence", provider=provider_dept, params=deduct_params, order=3)
    objects["deduct_other"] = IndicatorNode.objects.create(
        tenant=tenant, category=c1, parent=root, code="Y.4", name="信访办理", points=Decimal(10),
        method="deduct_per_occurrence", provider=other_dept, params=deduct_params, order=4)

    # --- targets: U3 has submitted its refined targets for review
    sheet = target_services.target_sheet_get_or_create(campaign=campaign, unit=units["U3"])
    objects["target_item_u3"] = target_services.target_item_save(
        sheet=sheet, parent=objects["open_node"], name="财政收入目标", points=Decimal(30))
    target_services.target_sheet_submit(sheet=sheet, actor=office.user)
    objects["target_sheet_u3"] = sheet

    # --- ledger: an entry against U1 filed by the provider, one against U2, one the office filed
    def file(unit_code, node, filer):
        return ledger_services.ledger_entry_file_as(
            membership=filer, campaign=campaign, unit=units[unit_code], node=node, rule_key="overdue",
            occurred_on=timezone.localdate() - dt.timedelta(days=1), recompute=False, notify=False)

    objects["ledger_u1"] = file("U1", objects["deduct"], members[Role.DATA_PROVIDER])
    objects["ledger_u2"] = file("U2", objects["deduct"], members[Role.DATA_PROVIDER])
    objects["ledger_office"] = file("U1", objects["deduct_other"], office)

    # --- evidence of U1 and of U2
    def evidence(unit_code, entry):
        item = Evidence(tenant=tenant, campaign=campaign, unit=units[unit_code], ledger_entry=entry,
                        original_name=f"{unit_code}.pdf", content_type="application/pdf", size=len(PDF),
                        sha256="0" * 64, uploaded_by=office.user)
        item.file.save(f"evidence/{tenant.pk}/matrix-{unit_code}.pdf", ContentFile(PDF), save=False)
        item.save()
        return item

    objects["evidence_u1"] = evidence("U1", objects["ledger_u1"])
    objects["evidence_u2"] = evidence("U2", objects["ledger_u2"])

    # --- self-assessment: U3 has submitted (the office may reopen it)
    objects["self_sheet_u3"] = SelfAssessmentSheet.objects.create(
        tenant=tenant, campaign=campaign, unit=units["U3"], status=SelfAssessmentSheet.Status.SUBMITTED,
        submitted_at=timezone.now(), submitted_by=office.user)

    # --- assessment: two assessors differ on U3's manual leaf (the office reconciles)
    for who, score in ((members[Role.ASSESSOR], 6), (assessor2, 8)):
        assessment_services.assessed_score_save(
            campaign=campaign, unit=units["U3"], node=objects["manual"], assessor=who.user, score=Decimal(score),
            verification="documents")
    objects["score_to_adopt"] = AssessedScore.objects.get(assessor=assessor2.user, unit=units["U3"])

    # --- notifications: one for the office (someone else's, as far as the liaison is concerned)
    objects["office_notification"] = Notification.objects.create(
        tenant=tenant, user=office.user, kind="matrix", message="矩阵测试")

    # --- surveys: a public survey with a questionnaire and an open paper batch
    survey = survey_create(campaign=campaign, key="public", name="公众评议")
    questionnaire = questionnaire_create(survey=survey, name="问卷", units=[units["U1"], units["U2"]])
    objects["paper_batch"] = paper_batch_create(actor=office.user, survey=survey, questionnaire=questionnaire,
                                                label="M-1")
    objects.update(survey=survey, questionnaire=questionnaire)

    # --- a veto decision on U2 with its document (U1 is left undecided for the veto.decide probe)
    decision = VetoDecision(tenant=tenant, campaign=campaign, unit=units["U2"], department=veto_dept,
                            decision="vetoed", reason="安全生产事故", decided_by=members[Role.VETO_AUTHORITY].user)
    decision.document.save(f"vetoes/{tenant.pk}/matrix.pdf", ContentFile(PDF), save=False)
    decision.save()
    objects["veto_decision"] = decision

    # --- inspections: a catalogue item; confirmed findings at U1 and U2 (with photos); one pending
    item = CatalogueItem.objects.create(tenant=tenant, campaign=campaign, code="M1", finding="迟到早退",
                                        points=Decimal(1))
    objects["catalogue_item"] = item

    def visit(unit_code, supervisor, confirm):
        data = VisitInput(key=uuid.uuid4(), unit_id=units[unit_code].pk, mode="covert",
                          visited_at=timezone.now() - dt.timedelta(hours=2), findings=[FindingInput(item_id=item.pk)])
        recorded, _created = visit_submit(supervisor=supervisor, campaign=campaign, data=data)
        finding = recorded.findings.get()
        if confirm:
            finding_review(finding=finding, reviewer=office.user, decision="confirmed")
        photo = VisitPhoto(tenant=tenant, key=uuid.uuid4(), visit=recorded, content_type="image/png",
                           extension="png", size=len(PNG), sha256="0" * 64)
        photo.file.save(f"matrix-{unit_code}.png", ContentFile(PNG), save=False)
        photo.save()
        return recorded, Finding.objects.get(pk=finding.pk), photo

    _v, objects["finding_u1"], objects["photo_u1"] = visit("U1", members[Role.SUPERVISOR], confirm=True)
    _v, objects["finding_u2"], objects["photo_u2"] = visit("U2", members[Role.SUPERVISOR], confirm=True)
    _v, objects["finding_pending"], _p = visit("U3", members[Role.SUPERVISOR], confirm=False)
    objects["other_supervisors_visit"], _f, _p = visit("U3", other_supervisor, confirm=False)

    def complaint(unit_code, number):
        return Complaint.objects.create(
            tenant=tenant, campaign=campaign, number=number, received_on=timezone.localdate(), summary="办事难",
            unit=units[unit_code], deadline=timezone.localdate() + dt.timedelta(days=15), registered_by=office.user)

    objects["complaint_u1"] = complaint("U1", "TS-1")
    objects["complaint_u2"] = complaint("U2", "TS-2")

    # --- results: revision 1 published (freezes it, opens rectification), revision 2 submitted
    publication_1 = publication_services.publication_submit(actor=office.user, revision=revision_1)
    publication_services.publication_approve(actor=members[Role.LEADER].user, publication=publication_1)
    publication_services.publication_publish(actor=office.user, publication=publication_1,
                                             document_number="矩效〔2026〕2号")
    revision_2 = builders.example_a(tenant, campaign=campaign, number=2)
    objects["publication_2"] = publication_services.publication_submit(
        actor=office.user, revision=revision_2, reason="更正U3台帐")
    objects.update(revision_1=revision_1, revision_2=revision_2)
    objects["result_u1"] = UnitResult.objects.get(revision=revision_2, unit=units["U1"])
    objects["result_u2"] = UnitResult.objects.get(revision=revision_2, unit=units["U2"])
    reports = {r.unit.code: r for r in RectificationReport.objects.filter(publication=publication_1)}
    objects.update(rectification_u1=reports["U1"], rectification_u2=reports["U2"])
    objects["rectification_u3"] = rectification_services.rectification_file(
        actor=office.user, report=reports["U3"], text="已整改")
    job = BulletinJob(tenant=tenant, revision=revision_1, kind=BulletinJob.Kind.XLSX, status=BulletinJob.Status.DONE)
    job.file.save("matrix.xlsx", ContentFile(b"matrix"), save=False)
    job.save()
    objects["bulletin"] = job

    # --- campaign B: a computed revision nobody has submitted yet
    campaign_b = Campaign.objects.create(tenant=tenant, year=2025, name="上年度考评")
    objects["revision_b"] = builders.example_a(tenant, campaign=campaign_b, number=1)

    # --- a campaign still being configured
    draft = Campaign.objects.create(tenant=tenant, year=2027, name="下年度方案")
    return World(tenant=tenant, campaign=campaign, campaign_b=campaign_b, draft=draft, members=members,
                 units=units, objects=objects)


# ---------------------------------------------------------------------------------------------
# probes
# ---------------------------------------------------------------------------------------------

Builder = Callable[[World], Any]


@dataclass(frozen=True)
class Probe:
    """One request that exercises ``action``.

    ``watch`` reads the state a write touches: a refused role must leave it as it was, a
    permitted role must change it (a redirect alone does not prove the write happened: several
    views answer 302 with an error message).
    """

    action: str
    via: str  # API or VIEW
    method: str  # get, post, put
    route: str  # URL name for reverse()
    kwargs: Builder = lambda w: {}
    query: Builder | None = None
    data: Builder | None = None
    encoding: str = "form"  # form (urlencoded or multipart, as a browser posts) or json
    watch: Builder | None = None
    note: str = ""

    @property
    def id(self) -> str:
        return f"{self.action}[{self.method.upper()} {self.route}]"

    @property
    def label(self) -> str:
        return f"{self.via} `{self.method.upper()} {self.route}`"


@dataclass(frozen=True)
class ScopeProbe(Probe):
    """A probe aimed at another unit's (or another person's) object, sent as ``role``.

    Expected: 404 (the accessors answer "missing" and "not yours" alike) and no change; or, for
    a list, 200 without the object (``hidden`` says whether the response leaves it out).
    """

    role: str = Role.LIAISON
    hidden: Callable[[World, Any], bool] | None = None
    refused: frozenset[int] = frozenset({403, 404})


def _c(w: World) -> dict:
    return {"campaign_id": w.campaign.pk}


def _count(model_path: str, **filters) -> Builder:
    def count(w: World) -> int:
        from django.apps import apps

        app, name = model_path.split(".")
        model = apps.get_model(app, name)
        values = {key: (value(w) if callable(value) else value) for key, value in filters.items()}
        return model.objects.filter(tenant=w.tenant, **values).count()

    return count


def _field(obj_name: str, *fields: str) -> Builder:
    def read(w: World):
        obj = w.objects[obj_name]
        row = type(obj).objects.filter(pk=obj.pk).values(*fields).first()
        return row  # None once deleted

    return read


def _field_of(obj: Builder, *fields: str) -> Builder:
    def read(w: World):
        instance = obj(w)
        return type(instance).objects.filter(pk=instance.pk).values(*fields).first()

    return read


def _sheet(w: World) -> dict:
    """One paper sheet keyed in: the first option for every question, as the entry form posts it."""
    option = w.questionnaire.options.order_by("order").first()
    return {"sheet_no": "", **{f"q{q.pk}": option.pk for q in w.questionnaire.questions.all()}}


def _today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _scheme_document(w: World) -> dict:
    """A whole scheme document (the smallest of the template library) to replace the draft's,
    made from the draft's current version."""
    from indicators.selectors.scheme import scheme_document
    from indicators.templates_library import load_template

    return {**load_template("shenzhen2010").document,
            "version": scheme_document(w.draft, versioned=True)["version"]}


def _visit_payload(w: World, unit_code: str = "U1") -> dict:
    from django.utils import timezone

    return {
        "key": str(uuid.uuid4()), "campaign": w.campaign.pk, "unit": w.units[unit_code].pk, "mode": "covert",
        "visited_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(),
        "findings": [{"item": w.catalogue_item.pk, "count": 1}],
    }


def _photo(w: World) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"key": str(uuid.uuid4()), "photo": SimpleUploadedFile("p.png", PNG, content_type="image/png")}


PROBES: list[Probe] = [
    # --- tenant, campaigns, units, people
    Probe("tenant.view", VIEW, "get", "evaluation:tenant_home"),
    Probe("campaign.view", API, "get", "campaign-detail", lambda w: {"pk": w.campaign.pk}),
    Probe("campaign.view", VIEW, "get", "year:campaign", _c),
    Probe("campaign.manage", API, "post", "scheme-template", lambda w: {"template_key": "shenzhen2010"},
          data=lambda w: {"year": 2031, "name": "按模板新建"}, encoding="json",
          watch=_count("evaluation.Campaign")),
    Probe("campaign.manage", VIEW, "post", "indicators:campaign_update", lambda w: {"campaign_id": w.draft.pk},
          data=lambda w: {"name": "下年度方案(修订)", "document_number": "矩效〔2027〕1号", "phase": "configure"},
          watch=_field_of(lambda w: w.draft, "name")),
    Probe("unit.view", API, "get", "unit-detail", lambda w: {"pk": w.units["U1"].pk}),
    Probe("unit.manage", VIEW, "post", "indicators:unit_add", lambda w: {"campaign_id": w.draft.pk},
          data=lambda w: {"unit-code": "U99", "unit-name": "新单位", "unit-kind": "", "place": ""},
          watch=_count("evaluation.Unit")),
    Probe("unit.manage", VIEW, "post", "indicators:enrolment_update", lambda w: {"campaign_id": w.draft.pk},
          data=lambda w: {"unit": w.units["U4"].pk, "place": "survey"},
          watch=_count("evaluation.CampaignUnit", campaign=lambda w: w.draft)),
    Probe("membership.view", VIEW, "get", "evaluation:members"),
    # --- the scheme
    Probe("scheme.view", API, "get", "scheme-templates"),
    Probe("scheme.view", VIEW, "get", "indicators:tree", lambda w: {**_c(w), "category_id": w.c1.pk}),
    Probe("scheme.edit", API, "put", "scheme-document", lambda w: {"campaign_id": w.draft.pk},
          data=_scheme_document, encoding="json",
          watch=_count("indicators.IndicatorNode", category__campaign=lambda w: w.draft)),
    Probe("scheme.edit", VIEW, "post", "indicators:category_add", lambda w: {"campaign_id": w.draft.pk},
          data=lambda w: {"category-code": "K1", "category-name": "第一类"},
          watch=_count("evaluation.Category", campaign=lambda w: w.draft)),
    Probe("scheme.export", API, "get", "scheme-document", _c),
    # --- results
    Probe("results.compute", API, "post", "compute-job-list", data=lambda w: {"campaign": w.campaign.pk},
          encoding="json", watch=_count("evaluation.ComputeJob")),
    Probe("results.view_all", API, "get", "compute-job-list"),
    Probe("results.view_all", VIEW, "get", "evaluation:campaign_results", _c),
    Probe("results.view_own", API, "get", "unit-result-detail", lambda w: {"pk": w.result_u1.pk}),
    # --- targets
    Probe("targets.edit", VIEW, "post", "year:target_item_add",
          lambda w: {**_c(w), "unit_id": w.units["U1"].pk},
          data=lambda w: {"parent": w.open_node.pk, "name": "预算公开", "points": "10", "description": "全年"},
          watch=_count("evaluation.TargetItem")),
    Probe("targets.review", VIEW, "post", "year:target_review", lambda w: {**_c(w), "unit_id": w.units["U3"].pk},
          data=lambda w: {f"decision-{w.target_item_u3.pk}": "approved"},
          watch=_field("target_sheet_u3", "status")),
    # --- ledger
    Probe("ledger.view", API, "get", "ledger-entry-list", query=lambda w: {"campaign": w.campaign.pk}),
    Probe("ledger.file", API, "post", "ledger-entry-list",
          data=lambda w: {"campaign": w.campaign.pk, "unit": w.units["U1"].pk, "node": w.deduct.pk,
                          "rule_key": "overdue", "occurred_on": _today(), "source_document": "信访〔2026〕9号"},
          encoding="json", watch=_count("evaluation.LedgerEntry")),
    Probe("ledger.file", VIEW, "post", "year:ledger_new", _c,
          data=lambda w: {"unit": w.units["U1"].pk, "rule": f"{w.deduct.pk}:overdue", "quantity": "1",
                          "occurred_on": _today(), "source_document": "", "event_key": "", "exempt": "",
                          "joint_role": "", "note": ""},
          watch=_count("evaluation.LedgerEntry")),
    Probe("ledger.review", VIEW, "post", "year:ledger_review", lambda w: {**_c(w), "entry_id": w.ledger_u1.pk},
          data=lambda w: {"decision": "confirm", "reason": "证据确凿"}, watch=_field("ledger_u1", "status")),
    Probe("ledger.appeal", VIEW, "post", "year:ledger_appeal", lambda w: {**_c(w), "entry_id": w.ledger_u1.pk},
          data=lambda w: {"reason": "已按期办结"}, watch=_field("ledger_u1", "status")),
    # --- self-assessment and evidence
    Probe("selfassessment.edit", VIEW, "post", "year:self_save",
          lambda w: {**_c(w), "unit_id": w.units["U1"].pk, "leaf_id": w.manual.pk},
          data=lambda w: {"score": "9", "narrative": "完成 9 项中的 8 项"},
          watch=_count("evaluation.SelfAssessment")),
    Probe("selfassessment.reopen", VIEW, "post", "year:self_reopen",
          lambda w: {**_c(w), "unit_id": w.units["U3"].pk},
          data=lambda w: {"reason": "请补充佐证"}, watch=_field("self_sheet_u3", "status")),
    Probe("evidence.download", VIEW, "get", "year:evidence_download",
          lambda w: {"evidence_id": w.evidence_u1.pk}),
    # --- assessors' scoring
    Probe("assessment.view", VIEW, "get", "year:assessment", _c),
    Probe("assessment.view", VIEW, "get", "year:scoring_unit", lambda w: {**_c(w), "unit_id": w.units["U1"].pk}),
    Probe("assessment.score", VIEW, "post", "year:scoring_save", _c,
          data=lambda w: {"row": f"{w.units['U1'].pk}-{w.manual.pk}",
                          f"score-{w.units['U1'].pk}-{w.manual.pk}": "8",
                          f"verification-{w.units['U1'].pk}-{w.manual.pk}": "documents"},
          watch=_count("evaluation.AssessedScore")),
    Probe("assessment.reconcile", VIEW, "post", "year:reconcile", _c,
          data=lambda w: {"score": w.score_to_adopt.pk}, watch=_field("score_to_adopt", "is_final")),
    # --- vetoes
    Probe("veto.decide", VIEW, "post", "year:veto_decide", lambda w: {**_c(w), "unit_id": w.units["U1"].pk},
          data=lambda w: {"decision": "signed_off", "reason": ""}, watch=_count("evaluation.VetoDecision")),
    Probe("veto.view", VIEW, "get", "year:vetoes", _c),
    Probe("veto.view", VIEW, "get", "year:veto_document", lambda w: {**_c(w), "decision_id": w.veto_decision.pk}),
    # --- notifications
    Probe("notifications.view", API, "get", "notification-list"),
    # --- surveys
    Probe("survey.manage", VIEW, "post", "surveys:survey_new",
          data=lambda w: {"campaign": w.campaign.pk, "key": "matrix", "name": "第二次公众评议"},
          watch=_count("surveys.Survey")),
    Probe("survey.manage", VIEW, "post", "surveys:questionnaire_new", lambda w: {"survey_id": w.survey.pk},
          data=lambda w: {"name": "第二份问卷", "units": [w.units["U3"].pk], "options": "满意=100\n不满意=0"},
          watch=_count("surveys.Questionnaire")),
    Probe("survey.enter", API, "post", "survey-batch-create", lambda w: {"survey_id": w.survey.pk},
          data=lambda w: {"questionnaire": w.questionnaire.pk, "label": "M-2"}, encoding="json",
          watch=_count("surveys.PaperBatch")),
    Probe("survey.enter", VIEW, "post", "surveys:batch",
          lambda w: {"survey_id": w.survey.pk, "batch_id": w.paper_batch.pk}, data=_sheet,
          watch=lambda w: (_count("surveys.Response")(w), _count("surveys.PaperKeying")(w))),
    Probe("survey.results", VIEW, "get", "surveys:survey_results", lambda w: {"survey_id": w.survey.pk}),
    # --- inspections and complaints
    Probe("inspection.manage", VIEW, "post", "inspections:catalogue", _c,
          data=lambda w: {"item-code": "M2", "item-finding": "窗口无人", "item-points": "2", "item-notes": "",
                          "item-is_active": "on"},
          watch=_count("inspections.CatalogueItem")),
    Probe("inspection.manage", VIEW, "post", "inspections:plan", _c,
          data=lambda w: {"supervisor": w.members[Role.SUPERVISOR].pk, "unit": w.units["U1"].pk, "quarter": "2",
                          "due_on": "2026-06-30", "note": ""},
          watch=_count("inspections.VisitAssignment")),
    Probe("inspection.visit", API, "post", "inspection-visits", data=_visit_payload, encoding="json",
          watch=_count("inspections.Visit")),
    Probe("inspection.review", VIEW, "post", "inspections:finding_review",
          lambda w: {"finding_id": w.finding_pending.pk},
          data=lambda w: {"decision": "confirmed", "reason": ""}, watch=_field("finding_pending", "status")),
    Probe("inspection.view_own", VIEW, "get", "inspections:unit_findings"),
    Probe("inspection.appeal", VIEW, "post", "inspections:finding_appeal", lambda w: {"finding_id": w.finding_u1.pk},
          data=lambda w: {"reason": "当日在岗,有考勤记录"}, watch=_field("finding_u1", "appeal")),
    Probe("complaint.manage", VIEW, "post", "inspections:complaint_rules", _c,
          data=lambda w: {"outcome": "overdue", "node": w.deduct.pk, "rule_key": "overdue"},
          watch=_count("inspections.ComplaintRule")),
    Probe("complaint.handle", VIEW, "post", "inspections:complaint_reply",
          lambda w: {"complaint_id": w.complaint_u1.pk},
          data=lambda w: {"reply": "已办结并回复投诉人"}, watch=_field("complaint_u1", "status")),
    # --- publication and reporting
    Probe("publication.submit", VIEW, "post", "reporting:publication_submit",
          lambda w: {"campaign_id": w.campaign_b.pk, "revision_id": w.revision_b.pk},
          data=lambda w: {"reason": ""}, watch=_count("reporting.Publication")),
    Probe("publication.approve", VIEW, "post", "reporting:publication_approve",
          lambda w: {**_c(w), "publication_id": w.publication_2.pk}, watch=_field("publication_2", "status")),
    Probe("publication.submit", VIEW, "post", "reporting:publication_withdraw",
          lambda w: {**_c(w), "publication_id": w.publication_2.pk}, watch=_field("publication_2", "status")),
    Probe("bulletin.generate", VIEW, "post", "reporting:bulletin_start",
          lambda w: {**_c(w), "revision_id": w.revision_1.pk},
          data=lambda w: {"kind": "pdf"}, watch=_count("reporting.BulletinJob")),
    Probe("bulletin.download", VIEW, "get", "reporting:bulletin_download",
          lambda w: {**_c(w), "revision_id": w.revision_1.pk, "bulletin_id": w.bulletin.pk}),
    Probe("scorecard.download", VIEW, "get", "reporting:scorecard",
          lambda w: {**_c(w), "revision_id": w.revision_1.pk, "unit_id": w.units["U1"].pk}),
    Probe("dashboard.view", VIEW, "get", "reporting:dashboard", _c),
    Probe("standings.view_own", VIEW, "get", "reporting:standings", _c),
    Probe("rectification.file", VIEW, "post", "reporting:rectification_file",
          lambda w: {**_c(w), "rectification_id": w.rectification_u1.pk},
          data=lambda w: {"report": "已逐项整改,附整改清单"}, watch=_field("rectification_u1", "status")),
    Probe("rectification.review", VIEW, "post", "reporting:rectification_review",
          lambda w: {**_c(w), "rectification_id": w.rectification_u3.pk},
          data=lambda w: {"decision": "accept", "comment": ""}, watch=_field("rectification_u3", "status")),
    Probe("rectification.track", VIEW, "get", "reporting:rectifications", _c),
    # --- the audit trail
    Probe("audit.view", API, "get", "audit-event-list"),
]


def _absent(key: str, value: Builder) -> Callable[[World, Any], bool]:
    """A JSON list (plain or paginated) in which no row has ``key`` equal to ``value(world)``."""

    def check(w: World, response) -> bool:
        body = response.json()
        rows = body["results"] if isinstance(body, dict) else body
        return rows is not None and all(row.get(key) != value(w) for row in rows)

    return check


def _absent_text(text: Builder) -> Callable[[World, Any], bool]:
    def check(w: World, response) -> bool:
        return text(w) not in response.content.decode()

    return check


SCOPE_PROBES: list[ScopeProbe] = [
    ScopeProbe("unit.view", API, "get", "unit-detail", lambda w: {"pk": w.units["U2"].pk}),
    ScopeProbe("unit.view", API, "get", "unit-list", hidden=_absent("id", lambda w: w.units["U2"].pk)),
    ScopeProbe("results.view_own", API, "get", "unit-result-detail", lambda w: {"pk": w.result_u2.pk}),
    ScopeProbe("results.view_own", API, "get", "result-revision-results", lambda w: {"pk": w.revision_2.pk},
               hidden=_absent("unit_code", lambda w: "U2")),
    ScopeProbe("results.view_own", VIEW, "get", "evaluation:unit_result",
               lambda w: {**_c(w), "unit_id": w.units["U2"].pk}),
    ScopeProbe("targets.edit", VIEW, "post", "year:target_item_add", lambda w: {**_c(w), "unit_id": w.units["U2"].pk},
               data=lambda w: {"parent": w.open_node.pk, "name": "越权目标", "points": "10"},
               watch=_count("evaluation.TargetItem")),
    ScopeProbe("ledger.view", API, "get", "ledger-entry-list", query=lambda w: {"campaign": w.campaign.pk},
               hidden=_absent("id", lambda w: w.ledger_u2.pk)),
    ScopeProbe("ledger.view", API, "get", "ledger-entry-list", query=lambda w: {"campaign": w.campaign.pk},
               role=Role.DATA_PROVIDER, hidden=_absent("id", lambda w: w.ledger_office.pk),
               note="a data provider sees its own department's filings only"),
    ScopeProbe("ledger.file", API, "post", "ledger-entry-list",
               data=lambda w: {"campaign": w.campaign.pk, "unit": w.units["U1"].pk, "node": w.deduct_other.pk,
                               "rule_key": "overdue", "occurred_on": _today()},
               encoding="json", role=Role.DATA_PROVIDER, watch=_count("evaluation.LedgerEntry"),
               refused=frozenset({400}),
               note="an indicator another department provides: the filing service refuses it as invalid input "
                    "(400 naming the node), the leaf itself is readable to every scheme reader"),
    ScopeProbe("ledger.appeal", VIEW, "post", "year:ledger_appeal", lambda w: {**_c(w), "entry_id": w.ledger_u2.pk},
               data=lambda w: {"reason": "越权申诉"}, watch=_field("ledger_u2", "status")),
    ScopeProbe("selfassessment.edit", VIEW, "post", "year:self_save",
               lambda w: {**_c(w), "unit_id": w.units["U2"].pk, "leaf_id": w.manual.pk},
               data=lambda w: {"score": "9", "narrative": ""}, watch=_count("evaluation.SelfAssessment")),
    ScopeProbe("evidence.download", VIEW, "get", "year:evidence_download", lambda w: {"evidence_id": w.evidence_u2.pk}),
    ScopeProbe("inspection.view_own", VIEW, "get", "inspections:photo", lambda w: {"photo_id": w.photo_u2.pk}),
    ScopeProbe("inspection.appeal", VIEW, "post", "inspections:finding_appeal",
               lambda w: {"finding_id": w.finding_u2.pk}, data=lambda w: {"reason": "越权申诉"},
               watch=_field("finding_u2", "appeal")),
    ScopeProbe("complaint.handle", VIEW, "post", "inspections:complaint_reply",
               lambda w: {"complaint_id": w.complaint_u2.pk}, data=lambda w: {"reply": "越权答复"},
               watch=_field("complaint_u2", "status")),
    ScopeProbe("scorecard.download", VIEW, "get", "reporting:scorecard",
               lambda w: {**_c(w), "revision_id": w.revision_1.pk, "unit_id": w.units["U2"].pk}),
    ScopeProbe("rectification.file", VIEW, "post", "reporting:rectification_file",
               lambda w: {**_c(w), "rectification_id": w.rectification_u2.pk},
               data=lambda w: {"report": "越权提交"}, watch=_field("rectification_u2", "status")),
    ScopeProbe("standings.view_own", VIEW, "get", "reporting:standings", _c,
               hidden=_absent_text(lambda w: w.units["U2"].name)),
    ScopeProbe("inspection.visit", API, "post", "inspection-visit-photos",
               lambda w: {"key": w.other_supervisors_visit.key}, data=_photo, role=Role.SUPERVISOR,
               watch=_count("inspections.VisitPhoto"), note="another supervisor's visit"),
    ScopeProbe("notifications.view", VIEW, "post", "year:notification_open",
               lambda w: {"notification_id": w.office_notification.pk},
               watch=_field("office_notification", "read_at"), note="someone else's notification"),
]


def probes_by_action() -> dict[str, list[Probe]]:
    found: dict[str, list[Probe]] = {}
    for probe in PROBES:
        found.setdefault(probe.action, []).append(probe)
    return found


def tested_through(action: str) -> str:
    """What docs/roles.md prints in its "tested through" column."""
    return ", ".join(probe.label for probe in probes_by_action().get(action, [])) or "—"
