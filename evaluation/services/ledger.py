"""Ledger (台帐) services: filing, appeal, confirmation and voiding of entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from evaluation.models import Campaign, Department, LedgerEntry, Unit


class LedgerError(ValueError):
    """A ledger entry that cannot be filed as given; the message names the field and why."""


def _price(node, kind: str, rule_key: str, quantity: Decimal) -> Decimal:
    """Points the leaf's rule attaches to one entry (shown beside it; the engine decides the score)."""
    params = node.params or {}
    for list_name, value_name in (("kinds", "deduction"), ("grades", "deduction"), ("items", "deduction"),
                                  ("kinds", "bonus"), ("levels", "points")):
        for option in params.get(list_name, []) or []:
            if option.get("key") == rule_key and value_name in option:
                return Decimal(str(option[value_name])) * quantity
    raise LedgerError(f"rule_key: {rule_key!r} is not one of the items of {node.code} {node.name}")


@transaction.atomic
def ledger_entry_file(
    *,
    campaign: Campaign,
    unit: Unit,
    node,
    kind: str,
    rule_key: str,
    filed_by,
    occurred_on: dt.date,
    quantity: Decimal = Decimal(1),
    source_document: str = "",
    event_key: str = "",
    exempt: str = "",
    joint_role: str = "",
    note: str = "",
    department: Department | None = None,
) -> LedgerEntry:
    """File one entry against a unit's leaf; the tenant of every object must agree."""
    if not (campaign.tenant_id == unit.tenant_id == node.tenant_id):
        raise LedgerError("unit: not in this campaign's tenant")
    if node.category.campaign_id != campaign.pk:
        raise LedgerError(f"node: {node.code} is not an indicator of this campaign")
    if not node.is_leaf:
        raise LedgerError(f"node: {node.code} is not a leaf indicator")
    if kind not in LedgerEntry.Kind.values:
        raise LedgerError(f"kind: must be deduction or bonus, not {kind!r}")
    if quantity <= 0:
        raise LedgerError("quantity: must be more than 0")
    points = _price(node, kind, rule_key, quantity)
    return LedgerEntry.objects.create(
        tenant_id=campaign.tenant_id,
        campaign=campaign,
        unit=unit,
        node=node,
        kind=kind,
        rule_key=rule_key,
        quantity=quantity,
        points=points,
        occurred_on=occurred_on,
        source_document=source_document,
        event_key=event_key,
        exempt=exempt,
        joint_role=joint_role,
        note=note,
        department=department,
        filed_by=filed_by,
    )
