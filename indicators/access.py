"""Scoped accessors for the scheme editor: same 404 for "missing" and "not yours"."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from evaluation.models import Category, Membership
from indicators.models import IndicatorNode


def nodes_for(membership: Membership, category: Category) -> QuerySet[IndicatorNode]:
    """A category's nodes; a liaison sees shared nodes and its own unit's leaves only."""
    queryset = IndicatorNode.objects.filter(tenant_id=membership.tenant_id, category=category)
    if membership.is_liaison:
        queryset = queryset.filter(Q(unit__isnull=True) | Q(unit_id=membership.unit_id))
    return queryset


def access_node(membership: Membership, category: Category, node_id) -> IndicatorNode:
    try:
        return nodes_for(membership, category).select_related("category__campaign", "parent", "unit").get(pk=node_id)
    except (IndicatorNode.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such indicator") from exc
