"""Scoped accessors: the only way views and tasks fetch tenant-owned objects.

Each returns the object or raises Http404, the same for "missing" and "not yours".
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from evaluation.models import Campaign, CampaignUnit, Category, Membership, Unit


def id_or_404(value) -> int:
    """An object id from a URL or query string, for a statement written in SQL (the ORM's lookups
    turn a bad id into DoesNotExist themselves): anything but a positive bigint is Http404."""
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise Http404("No such object") from exc
    if not 0 < number < 2**63:
        raise Http404("No such object")
    return number


def _get(queryset: QuerySet, **lookup):
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(f"No such {queryset.model._meta.verbose_name}") from exc


def campaigns_for(membership: Membership) -> QuerySet[Campaign]:
    return Campaign.objects.filter(tenant_id=membership.tenant_id)


def access_campaign(membership: Membership, campaign_id) -> Campaign:
    return _get(campaigns_for(membership), pk=campaign_id)


def units_for(membership: Membership) -> QuerySet[Unit]:
    """A liaison sees its own unit only; everyone else the tenant's units."""
    queryset = Unit.objects.filter(tenant_id=membership.tenant_id)
    if membership.is_liaison:
        queryset = queryset.filter(pk=membership.unit_id)
    return queryset


def access_unit(membership: Membership, unit_id) -> Unit:
    return _get(units_for(membership), pk=unit_id)


def campaign_units_for(membership: Membership, campaign: Campaign) -> QuerySet[CampaignUnit]:
    queryset = CampaignUnit.objects.filter(tenant_id=membership.tenant_id, campaign=campaign)
    if membership.is_liaison:
        queryset = queryset.filter(unit_id=membership.unit_id)
    return queryset.select_related("unit", "category")


def categories_for(membership: Membership, campaign: Campaign) -> QuerySet[Category]:
    return Category.objects.filter(tenant_id=membership.tenant_id, campaign=campaign)


def access_category(membership: Membership, campaign: Campaign, category_id) -> Category:
    return _get(categories_for(membership, campaign), pk=category_id)


def access_compute_job(membership: Membership, campaign: Campaign, job_id):
    from evaluation.models import ComputeJob

    return _get(ComputeJob.objects.filter(tenant_id=membership.tenant_id, campaign=campaign), pk=job_id)


# --- the year's work: targets, ledger, self-assessment, evidence, vetoes, notifications ---


def access_leaf(membership: Membership, campaign: Campaign, leaf_id):
    """A leaf indicator of the campaign; a unit's own leaf only for that unit (and the office)."""
    from django.db.models import Q

    from indicators.models import IndicatorNode

    queryset = IndicatorNode.objects.filter(
        tenant_id=membership.tenant_id, category__campaign=campaign
    ).exclude(method="")
    if membership.is_liaison:
        queryset = queryset.filter(Q(unit__isnull=True) | Q(unit_id=membership.unit_id))
    return _get(queryset.select_related("category", "provider", "unit"), pk=leaf_id)


def ledger_entries_for(membership: Membership, campaign: Campaign | None):
    """A liaison sees its own unit's entries; a data provider those of its department.
    ``campaign=None``: every campaign of the tenant."""
    from evaluation.models import LedgerEntry
    from evaluation.roles import Role

    queryset = LedgerEntry.objects.filter(tenant_id=membership.tenant_id)
    if campaign is not None:
        queryset = queryset.filter(campaign=campaign)
    if membership.is_liaison:
        queryset = queryset.filter(unit_id=membership.unit_id)
    elif membership.role == Role.DATA_PROVIDER:
        queryset = queryset.filter(department_id=membership.department_id)
    return queryset


def access_ledger_entry(membership: Membership, campaign: Campaign, entry_id):
    return _get(ledger_entries_for(membership, campaign).select_related("unit", "node"), pk=entry_id)


def access_target_item(membership: Membership, campaign: Campaign, item_id):
    from evaluation.models import TargetItem

    queryset = TargetItem.objects.filter(tenant_id=membership.tenant_id, sheet__campaign=campaign)
    if membership.is_liaison:
        queryset = queryset.filter(sheet__unit_id=membership.unit_id)
    return _get(queryset.select_related("sheet", "parent"), pk=item_id)


def evidence_for(membership: Membership):
    from evaluation.models import Evidence

    queryset = Evidence.objects.filter(tenant_id=membership.tenant_id)
    if membership.is_liaison:
        queryset = queryset.filter(unit_id=membership.unit_id)
    return queryset


def access_evidence(membership: Membership, evidence_id):
    return _get(evidence_for(membership), pk=evidence_id)


def access_veto_decision(membership: Membership, campaign: Campaign, decision_id):
    from evaluation.models import VetoDecision

    return _get(
        VetoDecision.objects.filter(tenant_id=membership.tenant_id, campaign=campaign).select_related(
            "unit", "department"
        ),
        pk=decision_id,
    )


def access_notification(membership: Membership, notification_id):
    """One's own notifications only."""
    from evaluation.models import Notification

    return _get(
        Notification.objects.filter(tenant_id=membership.tenant_id, user_id=membership.user_id), pk=notification_id
    )
