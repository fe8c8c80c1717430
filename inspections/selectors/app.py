"""Reads for the supervisor app and the office pages."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q

from evaluation.models import Campaign, Membership, Phase, Unit
from inspections.access import assignments_for, catalogue_for, visits_for
from inspections.models import Finding, VisitPhoto


def current_campaign(membership: Membership) -> Campaign | None:
    """The campaign a supervisor records against: the latest one still running."""
    campaigns = Campaign.objects.filter(tenant_id=membership.tenant_id).order_by("-year", "-id")
    return campaigns.exclude(phase__in=[Phase.PUBLISHED, Phase.ARCHIVED]).first() or campaigns.first()


def supervisor_app_data(membership: Membership, campaign: Campaign) -> dict:
    """Everything the phone needs to record visits offline (kept in the page, cached)."""
    units = Unit.objects.filter(tenant_id=membership.tenant_id, campaign_entries__campaign=campaign).order_by("code")
    return {
        "campaign": {"id": campaign.pk, "name": str(campaign)},
        "units": [{"id": u.pk, "code": u.code, "name": u.name} for u in units],
        "catalogue": [
            {"id": i.pk, "code": i.code, "finding": i.finding, "points": str(i.points), "version": i.version,
             "notes": i.notes}
            for i in catalogue_for(membership, campaign).filter(is_active=True)
        ],
        "assignments": [
            {"id": a.pk, "unit": a.unit_id, "unit_name": a.unit.name, "quarter": a.quarter,
             "due_on": a.due_on.isoformat(), "note": a.note}
            for a in assignments_for(membership, campaign)
        ],
    }


def recent_visits(membership: Membership, limit: int = 20):
    return (
        visits_for(membership)
        .select_related("unit")
        .annotate(finding_count=Count("findings", distinct=True), photo_count=Count("photos", distinct=True))
        .order_by("-received_at")[:limit]
    )


def review_queue(membership: Membership, campaign: Campaign, status: str | None = None):
    visits = visits_for(membership).filter(campaign=campaign).select_related("unit", "supervisor__user")
    if status:
        visits = visits.filter(status=status)
    return visits.annotate(
        finding_count=Count("findings", distinct=True),
        pending=Count("findings", filter=Q(findings__status=Finding.Status.PENDING), distinct=True),
        appeals=Count("findings", filter=Q(findings__appeal=Finding.Appeal.PENDING), distinct=True),
        photo_count=Count("photos", distinct=True),
    ).order_by("-visited_at")


def unit_findings(findings_queryset):
    """Confirmed findings with their visit and photos, newest first (the unit's view)."""
    return (
        findings_queryset.filter(status=Finding.Status.CONFIRMED)
        .select_related("visit__unit", "visit__campaign", "item")
        .prefetch_related(Prefetch("visit__photos", queryset=VisitPhoto.objects.order_by("uploaded_at")))
        .order_by("-visit__visited_at", "id")
    )
