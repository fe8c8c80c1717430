"""The audit trail (审计日志): who changed what that can move a score, when, from what to what, and why.

Rows are written by :func:`evaluation.services.audit.audit_record` inside the transaction of the
change they describe, and never change afterwards. Two layers keep them append-only:

* in Python, ``save()`` refuses an existing row, ``delete()`` refuses always, and the manager's
  ``update()`` / ``delete()`` (and so ``bulk_update()``) raise :class:`AuditTrailImmutable`;
* at the database, a trigger of migration 0006 refuses every UPDATE and DELETE on PostgreSQL
  (and UPDATE on the embedded SQLite, where DELETE is left to the Python layer so that the test
  database's flush keeps working), which also covers raw SQL and cascades.

Foreign keys are ``PROTECT``: ``SET_NULL`` would be an UPDATE and ``CASCADE`` a DELETE of a row
that must not change, so a campaign, unit or person that appears in the trail cannot be deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluation.models.campaigns import Campaign
from evaluation.models.tenancy import TenantOwned, Unit


class AuditTrailImmutable(Exception):
    """An attempt to change or remove an audit event: the trail is append-only."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditTrailImmutable("audit events cannot be updated")

    def delete(self):
        raise AuditTrailImmutable("audit events cannot be deleted")


class AuditEvent(TenantOwned):
    """An audit event (审计日志): one change that can move a score.

    ``before`` and ``after`` hold the changed object's relevant fields as JSON (decimals, dates
    and times as strings); ``before`` is null for something created, ``after`` for something
    removed. ``actor_name`` and ``actor_role`` are snapshots taken when the event was written,
    so a later rename or role change does not rewrite history. No actor means the system (a
    scheduled sweep).
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=200, blank=True)
    actor_role = models.CharField(_("角色"), max_length=30, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    action = models.CharField(_("操作"), max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(_("对象"), max_length=300, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    reason = models.TextField(_("理由"), blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "campaign", "at"], name="audit_tenant_campaign_at"),
            models.Index(fields=["tenant", "unit", "at"], name="audit_tenant_unit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditTrailImmutable(f"audit event {self.pk} cannot be changed")
        kwargs["force_insert"] = True
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailImmutable(f"audit event {self.pk} cannot be deleted")

    @property
    def family(self) -> str:
        return self.action.split(".", 1)[0]
