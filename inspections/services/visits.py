"""Spot-check visits (明察暗访): submission from the phone, photos, review and appeal.

Submission and photo upload are idempotent: the phone generates a UUID per visit and per photo
and the server upserts by (tenant, key). A send retried after a lost answer, or duplicated by
the network, returns the object recorded the first time and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation.models import Campaign, CampaignUnit, Membership, Unit
from evaluation.roles import Role
from evaluation.services.audit import audit_record
from inspections.models import CatalogueItem, Finding, Visit, VisitAssignment, VisitPhoto

PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic"}


class VisitError(ValueError):
    """A visit, photo or review that cannot be recorded as given; the message says why."""


@dataclass(frozen=True)
class FindingInput:
    """One finding as the phone recorded it, with what the phone knew of the catalogue item."""

    item_id: int
    count: int = 1
    note: str = ""
    item_version: int | None = None
    points_seen: Decimal | None = None


@dataclass(frozen=True)
class VisitInput:
    key: uuid.UUID
    unit_id: int
    mode: str
    visited_at: dt.datetime
    findings: list[FindingInput] = field(default_factory=list)
    place: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    location_accuracy_m: int | None = None
    note: str = ""
    unit_name_seen: str = ""
    assignment_id: int | None = None


def _conflicts(*, campaign: Campaign, unit: Unit, data: VisitInput, items: dict[int, CatalogueItem]) -> list[dict]:
    """What changed on the server since the phone loaded its data: shown, never dropped."""
    found: list[dict] = []
    if not CampaignUnit.objects.filter(campaign=campaign, unit=unit).exists():
        found.append({"kind": "unit_not_in_campaign", "message": _("单位“%s”已不在本年度考评名单中") % unit.name})
    if data.unit_name_seen and data.unit_name_seen != unit.name:
        found.append({
            "kind": "unit_renamed",
            "message": _("单位名称已由“%(old)s”改为“%(new)s”") % {"old": data.unit_name_seen, "new": unit.name},
        })
    for finding in data.findings:
        item = items[finding.item_id]
        if not item.is_active:
            found.append({"kind": "item_inactive", "item": item.code, "message": _("扣分标准 %s 已停用") % item.code})
        elif finding.points_seen is not None and Decimal(finding.points_seen) != item.points:
            found.append({
                "kind": "item_changed",
                "item": item.code,
                "message": _("扣分标准 %(code)s 每次扣分已由 %(old)s 改为 %(new)s")
                % {"code": item.code, "old": finding.points_seen, "new": item.points},
            })
        elif finding.item_version is not None and finding.item_version != item.version:
            found.append({
                "kind": "item_changed",
                "item": item.code,
                "message": _("扣分标准 %s 在记录后已修改") % item.code,
            })
    return found


def visit_submit(*, supervisor: Membership, campaign: Campaign, data: VisitInput) -> tuple[Visit, bool]:
    """Record a visit once: (visit, created). A repeated key returns the first recording."""
    existing = Visit.objects.filter(tenant_id=supervisor.tenant_id, key=data.key).first()
    if existing is not None:
        return _same_sender(existing, supervisor), False
    try:
        return _visit_create(supervisor=supervisor, campaign=campaign, data=data), True
    except IntegrityError:
        # Two copies of the same send raced; the other one won and recorded it.
        existing = Visit.objects.filter(tenant_id=supervisor.tenant_id, key=data.key).first()
        if existing is None:
            raise
        return _same_sender(existing, supervisor), False


def _same_sender(visit: Visit, supervisor: Membership) -> Visit:
    if visit.supervisor_id != supervisor.pk:
        raise VisitError(_("key: 该编号已被其他记录使用"))
    return visit


@transaction.atomic
def _visit_create(*, supervisor: Membership, campaign: Campaign, data: VisitInput) -> Visit:
    tenant_id = supervisor.tenant_id
    if supervisor.role != Role.SUPERVISOR or campaign.tenant_id != tenant_id:
        raise VisitError(_("只有本单位的效能监督员可以登记察访"))
    if data.mode not in Visit.Mode.values:
        raise VisitError(_("mode: 请选择明察或暗访"))
    unit = Unit.objects.filter(tenant_id=tenant_id, pk=data.unit_id).first()
    if unit is None:
        raise VisitError(_("unit: 单位不存在"))
    if timezone.is_naive(data.visited_at):
        raise VisitError(_("visited_at: 需要带时区的时间"))
    if data.visited_at > timezone.now() + dt.timedelta(hours=1):
        raise VisitError(_("visited_at: 察访时间不能晚于现在"))
    if not data.findings:
        raise VisitError(_("findings: 请至少选择一项发现的问题"))
    item_ids = {f.item_id for f in data.findings}
    items = CatalogueItem.objects.in_bulk(
        CatalogueItem.objects.filter(tenant_id=tenant_id, campaign=campaign, pk__in=item_ids).values_list("pk", flat=True)
    )
    if set(items) != item_ids:
        raise VisitError(_("findings: 扣分标准不属于本年度目录"))
    for finding in data.findings:
        if finding.count < 1 or finding.count > 999:
            raise VisitError(_("findings: 次数应在 1 到 999 之间"))
    assignment = None
    if data.assignment_id is not None:
        assignment = VisitAssignment.objects.filter(
            tenant_id=tenant_id, campaign=campaign, supervisor=supervisor, pk=data.assignment_id
        ).first()
    conflicts = _conflicts(campaign=campaign, unit=unit, data=data, items=items)
    if data.assignment_id is not None and (assignment is None or assignment.unit_id != unit.pk):
        conflicts.append({"kind": "assignment_changed", "message": _("察访任务已取消或调整")})
        assignment = None
    with transaction.atomic():  # savepoint: a duplicate key raises here and is answered above
        visit = Visit.objects.create(
            tenant_id=tenant_id,
            key=data.key,
            campaign=campaign,
            unit=unit,
            supervisor=supervisor,
            assignment=assignment,
            mode=data.mode,
            visited_at=data.visited_at,
            place=data.place[:300],
            latitude=data.latitude,
            longitude=data.longitude,
            location_accuracy_m=data.location_accuracy_m,
            note=data.note,
            conflicts=conflicts,
        )
    Finding.objects.bulk_create(
        Finding(
            tenant_id=tenant_id,
            visit=visit,
            item=items[f.item_id],
            count=f.count,
            note=f.note,
            points_each=items[f.item_id].points,
        )
        for f in data.findings
    )
    audit_record(
        tenant=tenant_id, actor=supervisor, action="inspection.visit", obj=visit, label=_visit_label(visit),
        after={"mode": visit.mode, "visited_at": visit.visited_at, "place": visit.place,
               "findings": [{"item": items[f.item_id].code, "count": f.count, "points_each": items[f.item_id].points,
                             "note": f.note} for f in data.findings],
               **({"conflicts": [c["kind"] for c in conflicts]} if conflicts else {})},
        reason=visit.note,
    )
    return visit


def _visit_label(visit: Visit) -> str:
    return f"{visit.unit.code} {visit.unit.name} · {visit.visited_at:%Y-%m-%d}"


_FINDING_AUDIT_FIELDS = ("status", "review_reason", "appeal", "appeal_reason", "appeal_decision")


def _finding_audit(*, finding: Finding, actor, action: str, before: dict, reason: str) -> None:
    visit = finding.visit
    audit_record(
        tenant=finding.tenant_id, actor=actor, action=action, obj=finding, campaign=visit.campaign_id,
        unit=visit.unit_id, before=before, after={name: getattr(finding, name) for name in _FINDING_AUDIT_FIELDS},
        reason=reason, label=f"{_visit_label(visit)} · {finding.item.code} ×{finding.count}",
    )


def visit_photo_add(*, visit: Visit, supervisor: Membership, key: uuid.UUID, upload) -> tuple[VisitPhoto, bool]:
    """Store a photo once: (photo, created). The type is read from the content, not the name."""
    existing = VisitPhoto.objects.filter(tenant_id=visit.tenant_id, key=key).first()
    if existing is not None:
        if existing.visit_id != visit.pk:
            raise VisitError(_("key: 该编号已被其他照片使用"))
        return existing, False
    if visit.supervisor_id != supervisor.pk:
        raise VisitError(_("只能为自己的察访上传照片"))
    limit = settings.FILE_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise VisitError(_("photo: 照片不能超过 %d MB") % (limit // (1024 * 1024)))
    head = upload.read(262)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in PHOTO_TYPES:
        raise VisitError(_("photo: 只接受 JPEG、PNG、WebP 或 HEIC 照片"))
    digest = hashlib.sha256()
    content = b"".join(upload.chunks())
    digest.update(content)
    try:
        with transaction.atomic():
            photo = VisitPhoto(
                tenant_id=visit.tenant_id,
                key=key,
                visit=visit,
                content_type=kind.mime,
                extension=PHOTO_TYPES[kind.mime],
                size=len(content),
                sha256=digest.hexdigest(),
            )
            photo.file.save(f"{key}.{photo.extension}", ContentFile(content), save=False)
            photo.save()
    except IntegrityError:
        photo.file.delete(save=False)
        existing = VisitPhoto.objects.filter(tenant_id=visit.tenant_id, key=key, visit=visit).first()
        if existing is None:
            raise
        return existing, False
    return photo, True


@transaction.atomic
def finding_review(*, finding: Finding, reviewer, decision: str, reason: str = "") -> Finding:
    """Confirm or reject a finding (审核认定); a rejection needs a reason."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if decision not in (Finding.Status.CONFIRMED, Finding.Status.REJECTED):
        raise VisitError(_("decision: 请选择确认或不予认定"))
    if finding.appeal:
        raise VisitError(_("该问题已有申诉,请在申诉处理中决定"))
    reason = reason.strip()
    if decision == Finding.Status.REJECTED and not reason:
        raise VisitError(_("reason: 不予认定须说明理由"))
    before = {name: getattr(finding, name) for name in _FINDING_AUDIT_FIELDS}
    finding.status = decision
    finding.review_reason = reason
    finding.reviewed_by = reviewer
    finding.reviewed_at = timezone.now()
    finding.save(update_fields=["status", "review_reason", "reviewed_by", "reviewed_at"])
    _finding_audit(finding=finding, actor=reviewer, action=f"inspection.finding_{decision}", before=before,
                   reason=reason)
    visit = finding.visit
    if not visit.findings.filter(status=Finding.Status.PENDING).exists():
        Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.REVIEWED)
    return finding


@transaction.atomic
def finding_appeal(*, finding: Finding, liaison: Membership, reason: str) -> Finding:
    """A unit appeals a confirmed finding against itself (申诉)."""
    finding = Finding.objects.select_for_update().select_related("visit").get(pk=finding.pk)
    if not liaison.is_liaison or finding.visit.unit_id != liaison.unit_id:
        raise VisitError(_("只能对本单位的问题申诉"))
    if finding.status != Finding.Status.CONFIRMED or finding.appeal:
        raise VisitError(_("该问题不能申诉(未确认或已申诉)"))
    reason = reason.strip()
    if not reason:
        raise VisitError(_("reason: 请填写申诉理由"))
    before = {name: getattr(finding, name) for name in _FINDING_AUDIT_FIELDS}
    finding.appeal = Finding.Appeal.PENDING
    finding.appeal_reason = reason
    finding.appealed_at = timezone.now()
    finding.save(update_fields=["appeal", "appeal_reason", "appealed_at"])
    _finding_audit(finding=finding, actor=liaison, action="inspection.appeal", before=before, reason=reason)
    return finding


@transaction.atomic
def finding_appeal_decide(*, finding: Finding, reviewer, upheld: bool, reason: str) -> Finding:
    """The office decides an appeal: upheld takes the deduction off, dismissed keeps it."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.appeal != Finding.Appeal.PENDING:
        raise VisitError(_("该问题没有待处理的申诉"))
    reason = reason.strip()
    if not reason:
        raise VisitError(_("reason: 请填写申诉处理意见"))
    before = {name: getattr(finding, name) for name in _FINDING_AUDIT_FIELDS}
    finding.appeal = Finding.Appeal.UPHELD if upheld else Finding.Appeal.DISMISSED
    finding.appeal_decision = reason
    finding.appeal_decided_at = timezone.now()
    finding.save(update_fields=["appeal", "appeal_decision", "appeal_decided_at"])
    _finding_audit(finding=finding, actor=reviewer, action="inspection.appeal_decide", before=before, reason=reason)
    return finding
