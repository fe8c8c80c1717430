"""A published result revision never changes (结果冻结).

Two layers, because either alone can be bypassed: these receivers refuse ``save()`` and
``delete()`` (queryset deletes go through them too) of a published revision's rows in Python,
and the triggers of migration 0002 refuse any UPDATE, DELETE or INSERT at the database, which
also covers ``QuerySet.update()``, ``bulk_create()`` and raw SQL.
"""

from __future__ import annotations

from django.db.models.signals import pre_delete, pre_save

from evaluation.models import ResultRevision, UnitResult
from reporting.models import FrozenRevisionError, Publication


def _published(revision_id) -> bool:
    return (
        revision_id is not None
        and Publication.objects.filter(revision_id=revision_id, status=Publication.Status.PUBLISHED).exists()
    )


def refuse_unit_result_change(sender, instance: UnitResult, **kwargs) -> None:
    if kwargs.get("raw"):  # fixtures loading
        return
    if _published(instance.revision_id):
        raise FrozenRevisionError(f"result revision {instance.revision_id} is published and cannot change")
    if instance.pk is not None:  # moved away from a published revision
        old = UnitResult.objects.filter(pk=instance.pk).values_list("revision_id", flat=True).first()
        if old is not None and old != instance.revision_id and _published(old):
            raise FrozenRevisionError(f"result revision {old} is published and cannot change")


def refuse_revision_change(sender, instance: ResultRevision, **kwargs) -> None:
    if kwargs.get("raw") or instance.pk is None:
        return
    if _published(instance.pk):
        raise FrozenRevisionError(f"result revision {instance.pk} is published and cannot change")


def refuse_publication_change(sender, instance: Publication, **kwargs) -> None:
    """A published publication is final: its correction is a new publication."""
    if kwargs.get("raw") or instance.pk is None:
        return
    if Publication.objects.filter(pk=instance.pk, status=Publication.Status.PUBLISHED).exists():
        raise FrozenRevisionError(f"publication {instance.pk} is published and cannot change")


def connect() -> None:
    for name, signal in (("save", pre_save), ("delete", pre_delete)):
        signal.connect(refuse_unit_result_change, sender=UnitResult, dispatch_uid=f"frozen-unitresult-{name}")
        signal.connect(refuse_revision_change, sender=ResultRevision, dispatch_uid=f"frozen-revision-{name}")
        signal.connect(refuse_publication_change, sender=Publication, dispatch_uid=f"frozen-publication-{name}")
