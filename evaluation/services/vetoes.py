"""Veto sign-off (一票否决): each veto authority signs off or vetoes each unit of a campaign.

A unit can take the top grade only with every authority's sign-off (domain section 9).
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from evaluation.models import Campaign, Department, Unit, VetoDecision
from evaluation.roles import Role
from evaluation.selectors.year import enrolment_of
from evaluation.services.audit import audit_record
from evaluation.services.evidence import CheckedFile, storage_name
from evaluation.services.ledger import unit_recompute_schedule
from evaluation.services.notifications import liaisons_of, members_with_role, notification_send


class VetoError(ValueError):
    """A decision refused; the message says why."""


@transaction.atomic
def veto_decide(
    *, campaign: Campaign, unit: Unit, department: Department, actor, decision: str, reason: str = "",
    document: CheckedFile | None = None,
) -> VetoDecision:
    """Record (or change) one authority's decision on one unit, then recompute the unit."""
    if department.kind != Department.Kind.VETO or department.tenant_id != campaign.tenant_id:
        raise VetoError(_("只有一票否决部门可以签署。"))
    enrolment = enrolment_of(campaign, unit)
    if enrolment is None or enrolment.category_id is None:
        raise VetoError(_("该单位不在本年度考评范围内。"))
    if decision not in VetoDecision.Decision.values:
        raise VetoError(_("请选择“同意”或“否决”。"))
    if decision == VetoDecision.Decision.VETOED and not reason.strip():
        raise VetoError(_("否决必须写明理由。"))
    row = VetoDecision.objects.select_for_update().filter(campaign=campaign, unit=unit, department=department).first()
    before = None if row is None else {"decision": row.decision, "reason": row.reason, "document": row.document.name or ""}
    if row is None:
        row = VetoDecision(tenant_id=campaign.tenant_id, campaign=campaign, unit=unit, department=department)
    row.decision = decision
    row.reason = reason.strip()
    row.decided_by = actor
    if document is not None:
        old = row.document.name if row.document else ""
        row.document.save(storage_name(f"vetoes/{campaign.tenant_id}", document.name),
                          ContentFile(document.content), save=False)
        if old:
            storage = row.document.storage
            transaction.on_commit(lambda: storage.delete(old))
    if row.pk is None:
        row.save()
    else:
        row.save(update_fields=["decision", "reason", "decided_by", "document", "decided_at"])
    audit_record(tenant=campaign.tenant_id, actor=actor, action="veto.decide", obj=row, campaign=campaign, unit=unit,
                 before=before, after={"decision": row.decision, "reason": row.reason, "document": row.document.name or ""},
                 reason=row.reason, label=f"{unit.code} {unit.name} · {department.name}")
    unit_recompute_schedule(campaign=campaign, unit=unit, actor=actor)
    if decision == VetoDecision.Decision.VETOED:
        text = _("%(dept)s 对 %(unit)s 作出一票否决:%(reason)s") % {
            "dept": department.name, "unit": unit.name, "reason": row.reason}
        notification_send(
            tenant_id=campaign.tenant_id,
            users=members_with_role(campaign.tenant_id, Role.OFFICE_ADMIN) + liaisons_of(unit),
            kind="veto", message=text,
        )
    return row
