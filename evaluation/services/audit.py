"""Writing the audit trail (审计日志).

Every service that can move a score calls :func:`audit_record` inside its own transaction, so a
change that rolls back leaves no event and a change that commits always has one. The function
refuses to run outside a transaction rather than write an event that could outlive (or miss) its
change.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import connection
from django.db import models as dj_models
from django.db.models.fields.files import FieldFile
from django.utils.functional import Promise

from evaluation.models import AuditEvent, Campaign, Membership, Tenant, Unit

__all__ = ["audit_record", "audit_snapshot", "jsonable"]


def jsonable(value: Any) -> Any:
    """A JSON-safe copy of ``value``: decimals keep every digit as strings, dates and times are
    ISO strings, a model instance is its primary key."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):  # never a score here; kept readable rather than refused
        return repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Promise):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, dj_models.Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def audit_snapshot(instance: dj_models.Model, fields: Iterable[str] | None = None,
                   exclude: Iterable[str] = ()) -> dict[str, Any]:
    """The instance's field values as a JSON-safe dict, for ``before`` / ``after``.

    ``fields`` names the fields to take (default: every concrete field but the primary key, the
    tenant and automatic timestamps); a foreign key is keyed by its name and holds the related
    primary key. A decimal is written with its column's places, as the database stores it, so
    ``Decimal("18")`` and the ``18.00`` read back later compare equal.
    """
    skip = {"id", "tenant", *exclude}
    by_name = {f.name: f for f in instance._meta.concrete_fields}
    names = list(fields) if fields is not None else [
        f.name for f in instance._meta.concrete_fields
        if not f.primary_key and f.name not in skip and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False)
    ]
    out: dict[str, Any] = {}
    for name in names:
        field = by_name.get(name)
        if field is None:
            out[name] = jsonable(getattr(instance, name))
        elif field.is_relation:
            out[name] = getattr(instance, field.attname)
        else:
            out[name] = jsonable(_as_stored(field, getattr(instance, field.attname)))
    return out


def _as_stored(field, value):
    if isinstance(field, dj_models.DecimalField) and isinstance(value, Decimal) and value.is_finite():
        try:
            return value.quantize(Decimal(1).scaleb(-field.decimal_places), ROUND_HALF_UP)
        except InvalidOperation:  # more digits than the column holds: the save refuses it anyway
            return value
    return value


def _inside_a_transaction() -> bool:
    # The test runner's own wrapping transaction does not count: it is not the change's.
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _actor_parts(tenant_id: int, actor) -> tuple[Any, str, str]:
    """(user, name snapshot, role snapshot) for a user or a membership; the system has none."""
    if actor is None:
        return None, "", ""
    if isinstance(actor, Membership):
        membership, user = actor, actor.user
    else:
        user = actor
        membership = Membership.objects.filter(tenant_id=tenant_id, user_id=user.pk).only("role").first()
    name = (user.get_full_name() or user.get_username()) if user is not None else ""
    return user, name[:200], membership.role if membership is not None else ""


def _pk(value) -> int | None:
    if value is None:
        return None
    return value.pk if isinstance(value, dj_models.Model) else int(value)


def audit_record(
    *,
    tenant: Tenant | int,
    actor,
    action: str,
    obj: dj_models.Model | None = None,
    campaign: Campaign | int | None = None,
    unit: Unit | int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
    label: str | None = None,
) -> AuditEvent:
    """Append one event to the trail, in the caller's transaction.

    ``actor`` is a user or a membership (None: the system). ``campaign`` and ``unit`` default to
    the object's own when it has them, so the event is found under that unit. ``label`` names
    the object for people (default: ``str(obj)``).
    """
    if not _inside_a_transaction():
        raise RuntimeError(f"audit_record({action!r}) must run inside the transaction of the change it records")
    tenant_id = _pk(tenant)
    if obj is not None:
        if campaign is None:
            campaign = obj if isinstance(obj, Campaign) else getattr(obj, "campaign_id", None)
        if unit is None:
            unit = obj if isinstance(obj, Unit) else getattr(obj, "unit_id", None)
    user, name, role = _actor_parts(tenant_id, actor)
    return AuditEvent.objects.create(
        tenant_id=tenant_id,
        campaign_id=_pk(campaign),
        unit_id=_pk(unit),
        actor=user,
        actor_name=name,
        actor_role=role,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_label=(label if label is not None else str(obj) if obj is not None else "")[:300],
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        reason=(reason or "").strip(),
    )
