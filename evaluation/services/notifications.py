"""Notifications (消息提醒): one row per person in the app, and an e-mail after commit."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation.models import Campaign, CampaignPhase, Membership, Notification, Phase, Unit
from evaluation.roles import Role

logger = logging.getLogger(__name__)


def _send_email(notification_ids: list[int]) -> None:
    rows = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related("user")
    sent = []
    for row in rows:
        if not row.user.email:
            continue
        try:
            send_mail(
                subject=_("【考评】%(text)s") % {"text": row.message[:60]},
                message=row.message + ("\n\n" + row.url if row.url else ""),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[row.user.email],
            )
        except OSError:  # the in-app row stands; a failed mail is logged, not fatal
            logger.exception("notification %s: e-mail failed", row.pk)
            continue
        sent.append(row.pk)
    if sent:
        Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())


@transaction.atomic
def notification_send(
    *, tenant_id: int, users: Iterable, kind: str, message: str, url: str = "", key: str = ""
) -> list[Notification]:
    """Notify each person once; with a ``key``, a person who already has it is skipped."""
    created = []
    for user in {u.pk: u for u in users}.values():
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        tenant_id=tenant_id, user=user, kind=kind, message=message, url=url, key=key
                    )
                )
        except IntegrityError:
            continue  # this reminder was already sent
    ids = [n.pk for n in created]
    if ids:
        transaction.on_commit(lambda: _send_email(ids))
    return created


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, tenant_id: int, user) -> int:
    return Notification.objects.filter(tenant_id=tenant_id, user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def liaisons_of(unit: Unit):
    users = get_user_model().objects.filter(
        memberships__tenant_id=unit.tenant_id,
        memberships__role=Role.LIAISON,
        memberships__unit=unit,
        memberships__is_active=True,
    )
    return list(users)


def members_with_role(tenant_id: int, role: str):
    return list(
        get_user_model().objects.filter(
            memberships__tenant_id=tenant_id, memberships__role=role, memberships__is_active=True
        )
    )


def providers_of(department):
    return list(
        get_user_model().objects.filter(
            memberships__tenant_id=department.tenant_id,
            memberships__department=department,
            memberships__is_active=True,
        )
    )


def deadline_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind liaisons whose targets or self-assessment are not yet submitted, ``reminder_days``
    before the phase deadline (and on the day). Safe to run many times a day: each reminder has
    a key, so a person gets it once."""
    from evaluation.models import CampaignSettings, SelfAssessmentSheet, TargetSheet

    today = today or timezone.localdate()
    count = 0
    phases = CampaignPhase.objects.filter(
        phase__in=[Phase.TARGETS, Phase.YEAR_END], deadline__gte=today
    ).select_related("campaign")
    for phase in phases:
        campaign: Campaign = phase.campaign
        conf = CampaignSettings.objects.filter(campaign=campaign).first()
        days = conf.reminder_days if conf else 3
        left = (phase.deadline - today).days
        if left > days:
            continue
        if phase.phase == Phase.TARGETS:
            done = TargetSheet.objects.filter(
                campaign=campaign, status__in=[TargetSheet.Status.SUBMITTED, TargetSheet.Status.APPROVED]
            ).values_list("unit_id", flat=True)
            what = _("指标细化")
        else:
            done = SelfAssessmentSheet.objects.filter(
                campaign=campaign, status=SelfAssessmentSheet.Status.SUBMITTED
            ).values_list("unit_id", flat=True)
            what = _("自评")
        liaisons = (
            Membership.objects.filter(
                tenant_id=campaign.tenant_id,
                role=Role.LIAISON,
                is_active=True,
                unit__campaign_entries__campaign=campaign,
                unit__campaign_entries__survey_only=False,
            )
            .exclude(unit_id__in=list(done))
            .select_related("user")
        )
        message = _("%(campaign)s:%(what)s将于 %(date)s 截止(还有 %(left)s 天),请及时提交。") % {
            "campaign": campaign, "what": what, "date": phase.deadline.isoformat(), "left": left,
        }
        for membership in liaisons:
            count += len(
                notification_send(
                    tenant_id=campaign.tenant_id,
                    users=[membership.user],
                    kind="deadline",
                    message=message,
                    key=f"deadline:{phase.pk}:{phase.deadline.isoformat()}:{left}",
                )
            )
    return count
