"""Self-assessment (自评): per leaf a self-score, a narrative and evidence; drafts until the one
submission before the year-end deadline; the office may reopen it."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation.models import Campaign, Evidence, Phase, SelfAssessment, SelfAssessmentSheet, Unit
from evaluation.roles import Role
from evaluation.selectors.year import deadline_passed, enrolment_of, unit_leaves
from evaluation.services.audit import audit_record, audit_snapshot
from evaluation.services.evidence import CheckedFile, evidence_attach, evidence_delete
from evaluation.services.notifications import liaisons_of, members_with_role, notification_send


class SelfAssessmentError(ValueError):
    """A self-assessment action refused; the message is for the person who tried it."""


def _url(campaign: Campaign, unit: Unit, name: str = "self_sheet") -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(f"year:{name}", kwargs={"tenant_slug": campaign.tenant.slug, "campaign_id": campaign.pk,
                                                  "unit_id": unit.pk})
    except NoReverseMatch:
        return ""


def self_sheet_get_or_create(*, campaign: Campaign, unit: Unit) -> SelfAssessmentSheet:
    enrolment = enrolment_of(campaign, unit)
    if enrolment is None or enrolment.category_id is None:
        raise SelfAssessmentError(_("本单位不在本年度考评范围内。"))
    sheet, _created = SelfAssessmentSheet.objects.get_or_create(
        campaign=campaign, unit=unit, defaults={"tenant_id": campaign.tenant_id}
    )
    return sheet


def _check_open(sheet: SelfAssessmentSheet) -> None:
    if sheet.status == SelfAssessmentSheet.Status.SUBMITTED:
        raise SelfAssessmentError(_("自评已提交,不能再修改。如需修改,请联系效能办退回。"))
    passed = deadline_passed(sheet.campaign, Phase.YEAR_END)
    # a sheet the office reopened may be corrected after the deadline: the office chose to
    if passed is not None and sheet.reopened_at is None:
        raise SelfAssessmentError(_("自评已于 %(date)s 截止。") % {"date": passed.isoformat()})


@transaction.atomic
def self_assessment_save(
    *, sheet: SelfAssessmentSheet, node, actor, score: Decimal | None, narrative: str, files: list[CheckedFile] = ()
) -> SelfAssessment:
    """Save a leaf's draft (self-score within 0..points, narrative, new evidence files)."""
    sheet = SelfAssessmentSheet.objects.select_for_update().select_related("campaign", "unit").get(pk=sheet.pk)
    _check_open(sheet)
    if not unit_leaves(sheet.campaign, sheet.unit).filter(pk=node.pk).exists():
        raise SelfAssessmentError(_("“%(node)s”不是本单位的考评指标。") % {"node": node.name})
    if score is not None and (score < 0 or (node.points is not None and score > node.points)):
        raise SelfAssessmentError(
            _("自评分应在 0 到 %(points)s 之间。") % {"points": node.points if node.points is not None else "—"}
        )
    entry, created = SelfAssessment.objects.get_or_create(
        campaign=sheet.campaign, unit=sheet.unit, node=node,
        defaults={"tenant_id": sheet.tenant_id, "sheet": sheet, "score": score, "narrative": narrative.strip(),
                  "updated_by": actor},
    )
    before = None if created else audit_snapshot(entry, fields=["score", "narrative"])
    if not created:
        entry.score = score
        entry.narrative = narrative.strip()
        entry.updated_by = actor
        entry.save(update_fields=["score", "narrative", "updated_by", "updated_at"])
    after = audit_snapshot(entry, fields=["score", "narrative"])
    if after != before:
        audit_record(tenant=sheet.tenant_id, actor=actor, action="self.save", obj=entry, before=before, after=after,
                     label=f"{sheet.unit.code} · {node.code} {node.name}")
    for checked in files:
        evidence_attach(checked=checked, campaign=sheet.campaign, unit=sheet.unit, uploaded_by=actor,
                        self_assessment=entry)
    return entry


@transaction.atomic
def self_evidence_remove(*, evidence: Evidence) -> None:
    if evidence.self_assessment_id is None:
        raise SelfAssessmentError(_("只能删除自评附件。"))
    sheet = SelfAssessmentSheet.objects.select_for_update().select_related("campaign").get(
        pk=evidence.self_assessment.sheet_id
    )
    _check_open(sheet)
    evidence_delete(evidence=evidence)


@transaction.atomic
def self_sheet_submit(*, sheet: SelfAssessmentSheet, actor) -> SelfAssessmentSheet:
    """Submit once (提交): every leaf needs a self-score."""
    sheet = SelfAssessmentSheet.objects.select_for_update().select_related("campaign", "unit").get(pk=sheet.pk)
    _check_open(sheet)
    scored = set(
        SelfAssessment.objects.filter(sheet=sheet, score__isnull=False).values_list("node_id", flat=True)
    )
    missing = [leaf for leaf in unit_leaves(sheet.campaign, sheet.unit) if leaf.pk not in scored]
    if missing:
        raise SelfAssessmentError(
            _("还有 %(n)s 项指标未填写自评分:%(names)s。")
            % {"n": len(missing), "names": "、".join(f"{leaf.code} {leaf.name}" for leaf in missing[:5])}
        )
    before = {"status": sheet.status}
    sheet.status = SelfAssessmentSheet.Status.SUBMITTED
    sheet.submitted_at = timezone.now()
    sheet.submitted_by = actor
    sheet.save(update_fields=["status", "submitted_at", "submitted_by"])
    scores = SelfAssessment.objects.filter(sheet=sheet).select_related("node").order_by("node__code")
    audit_record(tenant=sheet.tenant_id, actor=actor, action="self.submit", obj=sheet, before=before,
                 after={"status": sheet.status, "scores": {row.node.code: row.score for row in scores}},
                 label=f"{sheet.unit.code} {sheet.unit.name}")
    notification_send(
        tenant_id=sheet.tenant_id,
        users=members_with_role(sheet.tenant_id, Role.OFFICE_ADMIN) + members_with_role(sheet.tenant_id, Role.ASSESSOR),
        kind="self_submitted",
        message=_("%(unit)s 已提交自评。") % {"unit": sheet.unit.name},
        url=_url(sheet.campaign, sheet.unit, "scoring_unit"),  # the office and assessors read it there
    )
    return sheet


@transaction.atomic
def self_sheet_reopen(*, sheet: SelfAssessmentSheet, actor, reason: str) -> SelfAssessmentSheet:
    """The office reopens (退回重填) a submitted self-assessment."""
    sheet = SelfAssessmentSheet.objects.select_for_update().select_related("campaign", "unit").get(pk=sheet.pk)
    if sheet.status != SelfAssessmentSheet.Status.SUBMITTED:
        raise SelfAssessmentError(_("自评尚未提交,无需退回。"))
    if not reason.strip():
        raise SelfAssessmentError(_("请写明退回理由。"))
    before = {"status": sheet.status}
    sheet.status = SelfAssessmentSheet.Status.DRAFT
    sheet.reopened_at = timezone.now()
    sheet.reopen_reason = reason.strip()
    sheet.save(update_fields=["status", "reopened_at", "reopen_reason"])
    audit_record(tenant=sheet.tenant_id, actor=actor, action="self.reopen", obj=sheet, before=before,
                 after={"status": sheet.status}, reason=sheet.reopen_reason, label=f"{sheet.unit.code} {sheet.unit.name}")
    notification_send(
        tenant_id=sheet.tenant_id, users=liaisons_of(sheet.unit), kind="self_reopened",
        message=_("效能办退回了本单位自评,请修改后重新提交:%(reason)s") % {"reason": sheet.reopen_reason},
        url=_url(sheet.campaign, sheet.unit),
    )
    return sheet
