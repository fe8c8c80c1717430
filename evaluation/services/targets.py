"""Target refinement (指标细化): draft, submit, review item by item, resubmit, approve and freeze.

Every submission is a numbered round (TargetRound) whose snapshot keeps what was submitted and
the office's decision and comment on each item ("几上几下"). Approval turns each item into the
unit's own leaf under the shared node (IndicatorNode.unit), scored by the assessors.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation.models import Campaign, Phase, TargetItem, TargetRound, TargetSheet, Unit
from evaluation.roles import Role
from evaluation.selectors.year import deadline_passed, enrolment_of, open_nodes
from evaluation.services.audit import audit_record
from evaluation.services.notifications import liaisons_of, members_with_role, notification_send


class TargetError(ValueError):
    """A target action refused; the message is for the person who tried it."""


def _url(campaign: Campaign, unit: Unit) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("year:target_sheet", kwargs={"tenant_slug": campaign.tenant.slug, "campaign_id": campaign.pk,
                                                    "unit_id": unit.pk})
    except NoReverseMatch:
        return ""


def _check_deadline(campaign: Campaign) -> None:
    passed = deadline_passed(campaign, Phase.TARGETS)
    if passed is not None:
        raise TargetError(
            _("指标细化已于 %(date)s 截止,不能再修改或提交。如需延期,请联系效能办。") % {"date": passed.isoformat()}
        )


def target_sheet_get_or_create(*, campaign: Campaign, unit: Unit) -> TargetSheet:
    enrolment = enrolment_of(campaign, unit)
    if enrolment is None or enrolment.category_id is None:
        raise TargetError(_("本单位不在本年度考评范围内。"))
    sheet, _created = TargetSheet.objects.get_or_create(
        campaign=campaign, unit=unit, defaults={"tenant_id": campaign.tenant_id}
    )
    return sheet


def _editable(sheet: TargetSheet) -> None:
    if not sheet.editable:
        raise TargetError(
            _("指标已批准并冻结,不能修改。") if sheet.status == TargetSheet.Status.APPROVED
            else _("指标已提交,等待效能办审核,暂不能修改。")
        )
    _check_deadline(sheet.campaign)


@transaction.atomic
def target_item_save(
    *, sheet: TargetSheet, parent, name: str, points: Decimal, description: str = "", item: TargetItem | None = None
) -> TargetItem:
    """Add or revise one draft target; a revised returned item goes back to pending review."""
    sheet = TargetSheet.objects.select_for_update().select_related("campaign").get(pk=sheet.pk)
    _editable(sheet)
    enrolment = enrolment_of(sheet.campaign, sheet.unit)
    if not parent.open_for_targets or parent.category_id != enrolment.category_id:
        raise TargetError(_("“%(node)s”不是开放给本单位细化的指标。") % {"node": parent.name})
    if not name.strip():
        raise TargetError(_("请填写目标名称。"))
    if points <= 0:
        raise TargetError(_("分值必须大于 0。"))
    if item is not None and item.decision == TargetItem.Decision.APPROVED and sheet.status == TargetSheet.Status.RETURNED:
        raise TargetError(_("已同意的目标不能再修改;只修改被退回的目标。"))
    if item is None:
        order = (sheet.items.aggregate(m=Max("order"))["m"] or 0) + 1
        item = TargetItem(tenant_id=sheet.tenant_id, sheet=sheet, order=order)
    item.parent = parent
    item.name = name.strip()
    item.description = description.strip()
    item.points = points
    item.decision = TargetItem.Decision.PENDING
    if item.pk is None:
        item.save()
    else:
        item.save(update_fields=["parent", "name", "description", "points", "decision"])
    return item


@transaction.atomic
def target_item_delete(*, item: TargetItem) -> None:
    sheet = TargetSheet.objects.select_for_update().select_related("campaign").get(pk=item.sheet_id)
    _editable(sheet)
    if item.decision == TargetItem.Decision.APPROVED and sheet.status == TargetSheet.Status.RETURNED:
        raise TargetError(_("已同意的目标不能删除。"))
    item.delete()


def _snapshot(sheet: TargetSheet) -> list[dict]:
    return [
        {"item": item.pk, "parent": item.parent.code, "parent_name": item.parent.name, "name": item.name,
         "description": item.description, "points": format(item.points, "f"), "decision": item.decision,
         "comment": item.comment}
        for item in sheet.items.select_related("parent").order_by("parent__code", "order", "id")
    ]


@transaction.atomic
def target_sheet_submit(*, sheet: TargetSheet, actor) -> TargetRound:
    """Submit (上报) for review: each open node's own targets must make up its remaining points."""
    sheet = TargetSheet.objects.select_for_update().select_related("campaign", "unit").get(pk=sheet.pk)
    _editable(sheet)
    enrolment = enrolment_of(sheet.campaign, sheet.unit)
    problems = []
    for group in open_nodes(enrolment.category_id, sheet):
        if group.drafted != group.room:
            problems.append(
                _("“%(code)s %(name)s”下本单位目标合计 %(sum)s 分,应为 %(room)s 分")
                % {"code": group.node.code, "name": group.node.name, "sum": group.drafted, "room": group.room}
            )
    if problems:
        raise TargetError(_("不能提交:") + ";".join(problems) + "。")
    number = (sheet.rounds.aggregate(m=Max("number"))["m"] or 0) + 1
    round_ = TargetRound.objects.create(
        tenant_id=sheet.tenant_id, sheet=sheet, number=number, submitted_at=timezone.now(), submitted_by=actor,
        items=_snapshot(sheet),
    )
    before = {"status": sheet.status}
    sheet.status = TargetSheet.Status.SUBMITTED
    sheet.save(update_fields=["status"])
    audit_record(tenant=sheet.tenant_id, actor=actor, action="targets.submit", obj=sheet, before=before,
                 after={"status": sheet.status, "round": number, "items": _audit_items(round_.items)},
                 label=_audit_label(sheet))
    notification_send(
        tenant_id=sheet.tenant_id,
        users=members_with_role(sheet.tenant_id, Role.OFFICE_ADMIN),
        kind="targets_submitted",
        message=_("%(unit)s 提交了指标细化(第 %(n)s 轮),请审核。") % {"unit": sheet.unit.name, "n": number},
        url=_url(sheet.campaign, sheet.unit),
    )
    return round_


@transaction.atomic
def target_sheet_review(*, sheet: TargetSheet, actor, decisions: dict[int, tuple[str, str]]) -> TargetSheet:
    """The office approves or returns (退回) each pending item, a returned one with a comment.

    All approved: the targets are frozen and become the unit's leaves. Otherwise the sheet goes
    back to the liaison for the next round.
    """
    sheet = TargetSheet.objects.select_for_update().select_related("campaign", "unit").get(pk=sheet.pk)
    if sheet.status != TargetSheet.Status.SUBMITTED:
        raise TargetError(_("只有已提交待审核的指标才能审核。"))
    items = list(sheet.items.select_related("parent"))
    before = {"status": sheet.status, "items": _audit_items(_snapshot(sheet))}
    problems = []
    for item in items:
        if item.decision == TargetItem.Decision.APPROVED:
            continue  # approved in an earlier round
        decision, comment = decisions.get(item.pk, ("", ""))
        if decision not in (TargetItem.Decision.APPROVED, TargetItem.Decision.RETURNED):
            problems.append(_("“%(name)s”未给出审核意见") % {"name": item.name})
            continue
        if decision == TargetItem.Decision.RETURNED and not comment.strip():
            problems.append(_("退回“%(name)s”须写明意见") % {"name": item.name})
            continue
        item.decision = decision
        item.comment = comment.strip() if decision == TargetItem.Decision.RETURNED else ""
    if problems:
        raise TargetError(";".join(problems) + "。")
    for item in items:
        item.save(update_fields=["decision", "comment"])
    round_ = sheet.rounds.order_by("-number").first()
    round_.reviewed_at = timezone.now()
    round_.reviewed_by = actor
    round_.items = _snapshot(sheet)
    round_.save(update_fields=["reviewed_at", "reviewed_by", "items"])
    returned = [item for item in items if item.decision == TargetItem.Decision.RETURNED]
    if returned:
        sheet.status = TargetSheet.Status.RETURNED
        sheet.save(update_fields=["status"])
        audit_record(tenant=sheet.tenant_id, actor=actor, action="targets.return", obj=sheet, before=before,
                     after={"status": sheet.status, "round": round_.number, "items": _audit_items(round_.items)},
                     reason="; ".join(f"{item.name}: {item.comment}" for item in returned), label=_audit_label(sheet))
        notification_send(
            tenant_id=sheet.tenant_id, users=liaisons_of(sheet.unit), kind="targets_returned",
            message=_("效能办退回了 %(n)s 项细化指标(第 %(r)s 轮),请修改后重新提交。")
            % {"n": len(returned), "r": round_.number},
            url=_url(sheet.campaign, sheet.unit),
        )
    else:
        _freeze(sheet, items, actor)
        audit_record(tenant=sheet.tenant_id, actor=actor, action="targets.approve", obj=sheet, before=before,
                     after={"status": sheet.status, "round": round_.number, "items": _audit_items(_snapshot(sheet)),
                            "nodes": sorted(item.node.code for item in items)},
                     label=_audit_label(sheet))
        notification_send(
            tenant_id=sheet.tenant_id, users=liaisons_of(sheet.unit), kind="targets_approved",
            message=_("本单位细化指标已批准并冻结(第 %(r)s 轮)。") % {"r": round_.number},
            url=_url(sheet.campaign, sheet.unit),
        )
    return sheet


def _audit_label(sheet: TargetSheet) -> str:
    return f"{sheet.unit.code} {sheet.unit.name}"


def _audit_items(snapshot: list[dict]) -> dict:
    """The round's items keyed for a readable diff: name → points and decision."""
    return {
        f"{row['parent']} {row['name']}": {"points": row["points"], "decision": row["decision"],
                                           **({"comment": row["comment"]} if row["comment"] else {})}
        for row in snapshot
    }


def _freeze(sheet: TargetSheet, items: list[TargetItem], actor) -> None:
    from indicators.models import IndicatorNode, Method

    for index, item in enumerate(sorted(items, key=lambda i: (i.parent.code, i.order, i.pk)), start=1):
        node = IndicatorNode.objects.create(
            tenant_id=sheet.tenant_id,
            category_id=item.parent.category_id,
            parent=item.parent,
            code=f"{item.parent.code}.{sheet.unit.code}.{index}",
            name=item.name,
            points=item.points,
            order=1000 + index,
            description=item.description,
            method=Method.MANUAL,
            params={},
            unit=sheet.unit,
        )
        item.node = node
        item.save(update_fields=["node"])
    sheet.status = TargetSheet.Status.APPROVED
    sheet.approved_at = timezone.now()
    sheet.approved_by = actor
    sheet.save(update_fields=["status", "approved_at", "approved_by"])
