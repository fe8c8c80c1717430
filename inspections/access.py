"""Scoped accessors for spot checks and complaints: the same 404 for "missing" and "not yours".

A supervisor reaches the visits it recorded; a unit liaison only its own unit's reviewed
visits and complaints; the office everything of the tenant.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from evaluation.models import Campaign, Membership
from evaluation.roles import Role
from inspections.models import CatalogueItem, Complaint, Finding, Visit, VisitAssignment, VisitPhoto


def _get(queryset: QuerySet, **lookup):
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(f"No such {queryset.model._meta.verbose_name}") from exc


def visits_for(membership: Membership) -> QuerySet[Visit]:
    queryset = Visit.objects.filter(tenant_id=membership.tenant_id)
    if membership.role == Role.SUPERVISOR:
        return queryset.filter(supervisor=membership)
    if membership.is_liaison:
        return queryset.filter(unit_id=membership.unit_id, status=Visit.Status.REVIEWED)
    return queryset


def access_visit(membership: Membership, visit_id) -> Visit:
    return _get(visits_for(membership).select_related("unit", "campaign", "supervisor__user"), pk=visit_id)


def access_visit_by_key(membership: Membership, key) -> Visit:
    return _get(visits_for(membership), key=key)


def findings_for(membership: Membership) -> QuerySet[Finding]:
    queryset = Finding.objects.filter(tenant_id=membership.tenant_id)
    if membership.role == Role.SUPERVISOR:
        return queryset.filter(visit__supervisor=membership)
    if membership.is_liaison:
        # a unit sees the findings the office confirmed, never the pending or rejected ones
        return queryset.filter(visit__unit_id=membership.unit_id, status=Finding.Status.CONFIRMED)
    return queryset


def access_finding(membership: Membership, finding_id) -> Finding:
    return _get(findings_for(membership).select_related("visit", "item"), pk=finding_id)


def photos_for(membership: Membership) -> QuerySet[VisitPhoto]:
    queryset = VisitPhoto.objects.filter(tenant_id=membership.tenant_id)
    if membership.role == Role.SUPERVISOR:
        return queryset.filter(visit__supervisor=membership)
    if membership.is_liaison:
        return queryset.filter(
            visit__unit_id=membership.unit_id,
            visit__findings__status=Finding.Status.CONFIRMED,
        ).distinct()
    return queryset


def access_photo(membership: Membership, photo_id) -> VisitPhoto:
    return _get(photos_for(membership), pk=photo_id)


def catalogue_for(membership: Membership, campaign: Campaign) -> QuerySet[CatalogueItem]:
    return CatalogueItem.objects.filter(tenant_id=membership.tenant_id, campaign=campaign)


def access_catalogue_item(membership: Membership, campaign: Campaign, item_id) -> CatalogueItem:
    return _get(catalogue_for(membership, campaign), pk=item_id)


def assignments_for(membership: Membership, campaign: Campaign) -> QuerySet[VisitAssignment]:
    queryset = VisitAssignment.objects.filter(tenant_id=membership.tenant_id, campaign=campaign)
    if membership.role == Role.SUPERVISOR:
        queryset = queryset.filter(supervisor=membership)
    return queryset.select_related("unit", "supervisor__user")


def access_assignment(membership: Membership, campaign: Campaign, assignment_id) -> VisitAssignment:
    return _get(assignments_for(membership, campaign), pk=assignment_id)


def complaints_for(membership: Membership) -> QuerySet[Complaint]:
    queryset = Complaint.objects.filter(tenant_id=membership.tenant_id)
    if membership.is_liaison:
        queryset = queryset.filter(unit_id=membership.unit_id)
    elif not membership.can("complaint.manage"):
        queryset = queryset.none()
    return queryset


def access_complaint(membership: Membership, complaint_id) -> Complaint:
    return _get(complaints_for(membership).select_related("unit", "campaign"), pk=complaint_id)
