"""Scoped accessors for reporting objects: the same 404 for "missing" and "not yours"."""

from __future__ import annotations

from django.http import Http404

from evaluation.access import _get
from evaluation.models import Campaign, Membership, ResultRevision
from reporting.models import BulletinJob, Publication, RectificationReport


def revisions_for(membership: Membership, campaign: Campaign | None = None):
    queryset = ResultRevision.objects.filter(tenant_id=membership.tenant_id).select_related("campaign")
    if campaign is not None:
        queryset = queryset.filter(campaign=campaign)
    return queryset


def access_revision(membership: Membership, campaign: Campaign, revision_id) -> ResultRevision:
    return _get(revisions_for(membership, campaign), pk=revision_id)


def access_published_revision(membership: Membership, campaign: Campaign, revision_id) -> ResultRevision:
    """A revision a liaison may read in full: only once it is published."""
    revision = access_revision(membership, campaign, revision_id)
    if membership.is_liaison and not Publication.objects.filter(
        revision=revision, status=Publication.Status.PUBLISHED
    ).exists():
        raise Http404("No such revision")
    return revision


def access_publication(membership: Membership, campaign: Campaign, publication_id) -> Publication:
    return _get(
        Publication.objects.filter(tenant_id=membership.tenant_id, campaign=campaign).select_related("revision"),
        pk=publication_id,
    )


def access_bulletin_job(membership: Membership, revision: ResultRevision, job_id) -> BulletinJob:
    return _get(BulletinJob.objects.filter(tenant_id=membership.tenant_id, revision=revision), pk=job_id)


def rectifications_for(membership: Membership):
    queryset = RectificationReport.objects.filter(tenant_id=membership.tenant_id).select_related(
        "unit", "publication__revision", "publication__campaign"
    )
    if membership.is_liaison:
        queryset = queryset.filter(unit_id=membership.unit_id)
    return queryset


def access_rectification(membership: Membership, campaign: Campaign, report_id) -> RectificationReport:
    return _get(rectifications_for(membership).filter(publication__campaign=campaign), pk=report_id)
