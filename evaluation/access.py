"""Scoped accessors: the only way views and tasks fetch tenant-owned objects.

Each returns the object or raises Http404, the same for "missing" and "not yours".
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from evaluation.models import Campaign, CampaignUnit, Category, Membership, Unit


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
