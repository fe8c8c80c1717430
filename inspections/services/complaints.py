"""The complaints register (投诉件): registration, handling, review and automatic deductions.

Overdue, returned-twice and contrary-to-fact outcomes are filed in the ledger (台帐) under the
campaign's complaint rules, once per complaint and outcome (Zhangzhou: 2 / 5 / 10 points, the
prices being the leaf's deduction kinds). The ledger, not this app, decides the score.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation.models import Campaign, Membership, Unit
from evaluation.roles import Role
from evaluation.services.ledger import LedgerError, ledger_entry_file
from indicators.models import IndicatorNode
from inspections.models import Complaint, ComplaintDeduction, ComplaintRule, Outcome

logger = logging.getLogger(__name__)

#: days before the deadline when the unit's liaisons are reminded (COMPLAINT_REMINDER_DAYS)
DEFAULT_REMINDER_DAYS = 2


class ComplaintError(ValueError):
    """A complaint action that cannot be done as asked; the message says why."""


def _today() -> dt.date:
    return timezone.localdate()


@transaction.atomic
def complaint_rule_set(*, campaign: Campaign, outcome: str, node: IndicatorNode, rule_key: str) -> ComplaintRule:
    """Say which leaf and deduction kind an outcome is filed under."""
    if outcome not in Outcome.values:
        raise ComplaintError(_("outcome: 未知情形"))
    if node.tenant_id != campaign.tenant_id or node.category.campaign_id != campaign.pk or not node.is_leaf:
        raise ComplaintError(_("node: 请选择本年度方案的末级指标"))
    keys = [kind.get("key") for kind in (node.params or {}).get("kinds", []) if "deduction" in kind]
    if rule_key not in keys:
        raise ComplaintError(_("rule_key: %(key)s 不是指标 %(node)s 的扣分事项") % {"key": rule_key, "node": node.code})
    rule, _created = ComplaintRule.objects.update_or_create(
        campaign=campaign, outcome=outcome,
        defaults={"tenant_id": campaign.tenant_id, "node": node, "rule_key": rule_key},
    )
    return rule


def complaint_rules_missing(campaign: Campaign) -> list[str]:
    configured = set(ComplaintRule.objects.filter(campaign=campaign).values_list("outcome", flat=True))
    return [str(label) for value, label in Outcome.choices if value not in configured]


@transaction.atomic
def complaint_register(
    *, campaign: Campaign, actor, number: str, received_on: dt.date, summary: str, unit: Unit,
    deadline: dt.date, complainant: str = "",
) -> Complaint:
    """Register a complaint and assign it to a unit with a deadline (登记交办)."""
    if unit.tenant_id != campaign.tenant_id:
        raise ComplaintError(_("unit: 单位不属于本机关"))
    missing = complaint_rules_missing(campaign)
    if missing:
        # Without rules an overdue case could not be deducted; refuse rather than lose it.
        raise ComplaintError(_("请先设置投诉件扣分规则:%s") % "、".join(missing))
    if deadline < received_on:
        raise ComplaintError(_("deadline: 办理期限不能早于收件日期"))
    if Complaint.objects.filter(campaign=campaign, number=number.strip()).exists():
        raise ComplaintError(_("number: 编号 %s 已登记") % number)
    return Complaint.objects.create(
        tenant_id=campaign.tenant_id, campaign=campaign, number=number.strip(), received_on=received_on,
        summary=summary.strip(), complainant=complainant.strip(), unit=unit, deadline=deadline,
        registered_by=actor,
    )


def _deduct(*, complaint: Complaint, outcome: str, actor, occurred_on: dt.date, note: str,
            by_system: bool = False) -> ComplaintDeduction | None:
    """File the outcome's deduction once; a second call for the same outcome does nothing.

    ``by_system``: the daily sweep files it (in the registering officer's name, as a ledger entry
    needs someone); the audit trail then names no person.
    """
    if ComplaintDeduction.objects.filter(complaint=complaint, outcome=outcome).exists():
        return None
    rule = ComplaintRule.objects.select_related("node__category").filter(
        campaign_id=complaint.campaign_id, outcome=outcome
    ).first()
    if rule is None:
        raise ComplaintError(_("未设置“%s”的扣分规则") % Outcome(outcome).label)
    source_document = _("投诉件 %s") % complaint.number
    why = f"{Outcome(outcome).label}:{note}".rstrip(":")
    try:
        entry = ledger_entry_file(
            campaign=complaint.campaign,
            unit=complaint.unit,
            node=rule.node,
            kind="deduction",
            rule_key=rule.rule_key,
            filed_by=actor,
            occurred_on=occurred_on,
            source_document=source_document,
            note=why,
            reason=f"{source_document} {why}",
            by_system=by_system,
        )
        with transaction.atomic():
            return ComplaintDeduction.objects.create(
                tenant_id=complaint.tenant_id, complaint=complaint, outcome=outcome, ledger_entry=entry, note=note
            )
    except LedgerError as exc:
        raise ComplaintError(str(exc)) from exc
    except IntegrityError:
        # a concurrent call filed it first; the outer transaction rolls our ledger entry back
        raise ComplaintError(_("该情形已扣分")) from None


def _locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().select_related("campaign", "unit").get(pk=complaint.pk)


@transaction.atomic
def complaint_reply(*, complaint: Complaint, liaison: Membership, reply: str, today: dt.date | None = None) -> Complaint:
    """The unit answers (办理答复); an answer after the deadline is deducted as overdue."""
    complaint = _locked(complaint)
    if not liaison.is_liaison or liaison.unit_id != complaint.unit_id:
        raise ComplaintError(_("只能办理本单位的投诉件"))
    if complaint.status != Complaint.Status.ASSIGNED:
        raise ComplaintError(_("该投诉件当前不需要答复"))
    if not reply.strip():
        raise ComplaintError(_("reply: 请填写办理结果"))
    today = today or _today()
    complaint.reply, complaint.replied_on, complaint.status = reply.strip(), today, Complaint.Status.REPLIED
    complaint.save(update_fields=["reply", "replied_on", "status"])
    if today > complaint.deadline:
        _deduct(complaint=complaint, outcome=Outcome.OVERDUE, actor=liaison.user, occurred_on=today,
                note=_("期限 %(d)s,答复 %(r)s") % {"d": complaint.deadline, "r": today})
    return complaint


@transaction.atomic
def complaint_accept(*, complaint: Complaint, actor) -> Complaint:
    """The office accepts the answer and closes the case (办结)."""
    complaint = _locked(complaint)
    if complaint.status != Complaint.Status.REPLIED:
        raise ComplaintError(_("只有已答复的投诉件可以办结"))
    complaint.status = Complaint.Status.CLOSED
    complaint.save(update_fields=["status"])
    return complaint


@transaction.atomic
def complaint_return(
    *, complaint: Complaint, actor, reason: str, new_deadline: dt.date, today: dt.date | None = None
) -> Complaint:
    """The office returns the answer for rework (退回重办); the second return deducts."""
    complaint = _locked(complaint)
    if complaint.status != Complaint.Status.REPLIED:
        raise ComplaintError(_("只有已答复的投诉件可以退回"))
    if not reason.strip():
        raise ComplaintError(_("reason: 请填写退回理由"))
    today = today or _today()
    if new_deadline < today:
        raise ComplaintError(_("deadline: 新的办理期限不能早于今天"))
    complaint.return_count += 1
    complaint.last_return_reason = reason.strip()
    complaint.status = Complaint.Status.ASSIGNED
    complaint.deadline = new_deadline
    complaint.reminded_on = None
    complaint.save(update_fields=["return_count", "last_return_reason", "status", "deadline", "reminded_on"])
    if complaint.return_count >= 2:
        _deduct(complaint=complaint, outcome=Outcome.RETURNED_TWICE, actor=actor, occurred_on=today, note=reason.strip())
    return complaint


@transaction.atomic
def complaint_mark_contrary(*, complaint: Complaint, actor, reason: str, today: dt.date | None = None) -> Complaint:
    """The office finds the answer contrary to fact (办理结果与事实不符): deducted once."""
    complaint = _locked(complaint)
    if complaint.status == Complaint.Status.ASSIGNED and not complaint.reply:
        raise ComplaintError(_("该投诉件尚未答复"))
    if not reason.strip():
        raise ComplaintError(_("reason: 请说明与事实不符的情况"))
    _deduct(complaint=complaint, outcome=Outcome.CONTRARY_TO_FACT, actor=actor, occurred_on=today or _today(),
            note=reason.strip())
    return complaint


def complaints_overdue_file(*, today: dt.date | None = None) -> int:
    """Deduct every open case past its deadline without an answer (超期未办). Safe to rerun."""
    today = today or _today()
    filed = 0
    overdue = (
        Complaint.objects.filter(status=Complaint.Status.ASSIGNED, deadline__lt=today)
        .exclude(deductions__outcome=Outcome.OVERDUE)
        .select_related("campaign", "unit", "registered_by")
        .order_by("pk")
    )
    for complaint in overdue.iterator(chunk_size=200):
        try:
            with transaction.atomic():
                created = _deduct(complaint=complaint, outcome=Outcome.OVERDUE, actor=complaint.registered_by,
                                  occurred_on=today, note=_("期限 %s 已过,未答复") % complaint.deadline,
                                  by_system=True)
        except ComplaintError:
            logger.exception("overdue complaint %s could not be deducted", complaint.pk)
            continue
        filed += created is not None
    return filed


def complaint_reminders_send(*, today: dt.date | None = None) -> int:
    """E-mail the unit's liaisons about cases due within the reminder window, once per deadline."""
    today = today or _today()
    days = getattr(settings, "COMPLAINT_REMINDER_DAYS", DEFAULT_REMINDER_DAYS)
    due = (
        Complaint.objects.filter(
            status=Complaint.Status.ASSIGNED, reminded_on__isnull=True,
            deadline__gte=today, deadline__lte=today + dt.timedelta(days=days),
        )
        .select_related("unit", "campaign")
        .order_by("pk")
    )
    sent = 0
    for complaint in due.iterator(chunk_size=200):
        with transaction.atomic():
            # the conditional update claims the reminder: a rerun or a second worker skips it
            claimed = Complaint.objects.filter(pk=complaint.pk, reminded_on__isnull=True).update(reminded_on=today)
            if not claimed:
                continue
            recipients = list(
                Membership.objects.filter(
                    tenant_id=complaint.tenant_id, role=Role.LIAISON, unit_id=complaint.unit_id, is_active=True
                ).exclude(user__email="").values_list("user__email", flat=True)
            )
            if recipients:
                subject = _("投诉件 %(n)s 将于 %(d)s 到期") % {"n": complaint.number, "d": complaint.deadline}
                body = _("%(unit)s:投诉件 %(n)s(%(s)s)办理期限为 %(d)s,请按时办理答复。") % {
                    "unit": complaint.unit.name, "n": complaint.number, "s": complaint.summary[:80], "d": complaint.deadline,
                }
                transaction.on_commit(
                    lambda s=subject, b=body, r=recipients: send_mail(s, b, None, r, fail_silently=False)
                )
            sent += 1
    return sent


def complaint_deadlines_run(*, today: dt.date | None = None) -> dict:
    """The daily deadline sweep: overdue deductions first, then reminders."""
    today = today or _today()
    return {"overdue": complaints_overdue_file(today=today), "reminded": complaint_reminders_send(today=today)}
