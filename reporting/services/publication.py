"""Publication (结果发布): submit for review, leader approval, publish (freeze), correct.

A published revision never changes (reporting/guards.py and the triggers of migration 0002
enforce it); a correction publishes a newer revision with its reason, and the corrected
publication stays readable beside it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation.models import Campaign, Phase, ResultRevision, UnitResult
from evaluation.services.audit import audit_record
from reporting.models import Publication, RectificationReport
from reporting.selectors.publication import latest_published
from reporting.selectors.results import revision_rows


class PublicationError(Exception):
    """A publication step that the current state does not allow."""


@transaction.atomic
def publication_submit(*, actor, revision: ResultRevision, reason: str = "") -> Publication:
    """The office submits a computed revision to the leaders (送领导小组审议)."""
    campaign = Campaign.objects.select_for_update().get(pk=revision.campaign_id)
    latest = ResultRevision.objects.filter(campaign=campaign).order_by("-number").first()
    if latest is None or latest.pk != revision.pk:
        raise PublicationError(_("只能报送最新的结果版本。"))
    if Publication.objects.filter(revision=revision).exists():
        raise PublicationError(_("该结果版本已报送。"))
    if Publication.objects.filter(
        campaign=campaign, status__in=[Publication.Status.SUBMITTED, Publication.Status.APPROVED]
    ).exists():
        raise PublicationError(_("已有待审定或待公布的结果,请先处理。"))
    incomplete = UnitResult.objects.filter(revision=revision, complete=False).count()
    if incomplete:
        raise PublicationError(_("有 %(n)s 个单位数据不全,不能报送。") % {"n": incomplete})
    if not UnitResult.objects.filter(revision=revision).exists():
        raise PublicationError(_("该结果版本没有单位结果。"))
    previous = latest_published(campaign)
    reason = reason.strip()
    if previous is not None and not reason:
        raise PublicationError(_("已公布过结果:更正须写明理由。"))
    publication = Publication.objects.create(
        tenant_id=campaign.tenant_id,
        campaign=campaign,
        revision=revision,
        status=Publication.Status.SUBMITTED,
        reason=reason,
        correction_of=previous,
        document_number=campaign.document_number if previous is None else "",
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    after = {"status": publication.status, "revision": revision.number}
    if previous is not None:
        after["corrects"] = {"revision": previous.revision.number, "document_number": previous.document_number}
    _audit(publication, actor, "publication.correct" if previous is not None else "publication.submit",
           before=None, after=after, reason=reason)
    return publication


def _audit(publication: Publication, actor, action: str, *, before, after, reason: str = "") -> None:
    audit_record(tenant=publication.tenant_id, actor=actor, action=action, obj=publication,
                 campaign=publication.campaign_id, before=before, after=after, reason=reason,
                 label=f"{publication.campaign.title} r{publication.revision.number}")


def _locked(publication: Publication) -> Publication:
    return Publication.objects.select_for_update(of=("self",)).select_related("campaign", "revision").get(pk=publication.pk)


@transaction.atomic
def publication_approve(*, actor, publication: Publication) -> Publication:
    """A leader approves the submitted results (领导小组审定)."""
    publication = _locked(publication)
    if publication.status != Publication.Status.SUBMITTED:
        raise PublicationError(_("只有待审定的结果可以审定。"))
    before = {"status": publication.status}
    publication.status = Publication.Status.APPROVED
    publication.approved_by = actor
    publication.approved_at = timezone.now()
    publication.save(update_fields=["status", "approved_by", "approved_at"])
    _audit(publication, actor, "publication.approve", before=before, after={"status": publication.status})
    return publication


@transaction.atomic
def publication_withdraw(*, actor, publication: Publication) -> None:
    """The office withdraws a publication not yet published (e.g. to recompute first)."""
    publication = _locked(publication)
    if publication.is_published:
        raise PublicationError(_("已公布的结果不能撤回;请发布更正。"))
    _audit(publication, actor, "publication.withdraw",
           before={"status": publication.status, "revision": publication.revision.number}, after=None)
    publication.delete()


def _feedback(row) -> str:
    """The unit's feedback (反馈意见): its standing, then the leaves where it lost most."""
    lines = [
        _("%(category)s 第%(rank)s名,总分 %(total)s,等次:%(grade)s。")
        % {"category": row.category_name, "rank": row.rank or "—", "total": row.total, "grade": row.grade or "—"}
    ]
    if row.last_place:
        lines.append(_("列本类别末位,请认真分析原因、限期整改。"))
    if row.vetoed:
        lines.append(_("被一票否决,不得评为最高等次。"))
    losses = sorted((leaf for leaf in row.leaves if leaf.lost > 0), key=lambda leaf: -leaf.lost)[:5]
    for leaf in losses:
        lines.append(
            _("%(code)s %(name)s:失分 %(lost)s(%(explanation)s)")
            % {"code": leaf.code, "name": leaf.name, "lost": leaf.lost, "explanation": leaf.explanation}
        )
    for component in row.components:
        if component.kind == "other" and component.value:
            lines.append(f"{component.label}:{component.value}({component.explanation})")
    return "\n".join(lines)


@transaction.atomic
def publication_publish(*, actor, publication: Publication, document_number: str) -> Publication:
    """Publish (公布): the revision is frozen from here on; each unit gets its feedback and a
    rectification report to file."""
    publication = _locked(publication)
    if publication.status != Publication.Status.APPROVED:
        raise PublicationError(_("只有已审定的结果可以公布。"))
    document_number = document_number.strip()
    if not document_number:
        raise PublicationError(_("请填写通报文号。"))
    latest = ResultRevision.objects.filter(campaign=publication.campaign).order_by("-number").first()
    if latest is None or latest.pk != publication.revision_id:
        raise PublicationError(_("审定后又有新的计算结果,请撤回后重新报送。"))
    now = timezone.now()
    before = {"status": publication.status, "document_number": publication.document_number}
    publication.status = Publication.Status.PUBLISHED
    publication.document_number = document_number
    publication.published_by = actor
    publication.published_at = now
    publication.save(update_fields=["status", "document_number", "published_by", "published_at"])
    RectificationReport.objects.bulk_create(
        [
            RectificationReport(
                tenant_id=publication.tenant_id, publication=publication, unit_id=row.unit_id, feedback=_feedback(row)
            )
            for row in revision_rows(publication.revision, with_nodes=True)
        ],
        batch_size=500,
    )
    campaign = publication.campaign
    before["phase"] = campaign.phase
    if campaign.phase != Phase.PUBLISHED:
        campaign.phase = Phase.PUBLISHED
        campaign.save(update_fields=["phase"])
    _audit(publication, actor, "publication.publish", before=before,
           after={"status": publication.status, "document_number": document_number, "phase": campaign.phase},
           reason=publication.reason)
    return publication
