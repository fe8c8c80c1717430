"""Reads of publications, bulletin jobs and rectification reports."""

from __future__ import annotations

from django.db.models import QuerySet

from evaluation.models import Campaign, ResultRevision
from reporting.models import BulletinJob, Publication, RectificationReport


def latest_published(campaign: Campaign) -> Publication | None:
    """The publication in force: the most recently published one."""
    return (
        Publication.objects.filter(campaign=campaign, tenant_id=campaign.tenant_id, status=Publication.Status.PUBLISHED)
        .select_related("revision")
        .order_by("-published_at")
        .first()
    )


def publications_of(campaign: Campaign) -> QuerySet[Publication]:
    return (
        Publication.objects.filter(campaign=campaign, tenant_id=campaign.tenant_id)
        .select_related("revision", "submitted_by", "approved_by", "published_by", "correction_of__revision")
        .order_by("-submitted_at")
    )


def open_publication(campaign: Campaign) -> Publication | None:
    return publications_of(campaign).filter(
        status__in=[Publication.Status.SUBMITTED, Publication.Status.APPROVED]
    ).first()


def is_published(revision: ResultRevision) -> bool:
    return Publication.objects.filter(revision=revision, status=Publication.Status.PUBLISHED).exists()


def latest_jobs(revision: ResultRevision) -> dict[str, BulletinJob]:
    """The newest job of each kind for a revision."""
    jobs: dict[str, BulletinJob] = {}
    for job in BulletinJob.objects.filter(revision=revision, tenant_id=revision.tenant_id).order_by("-created_at"):
        jobs.setdefault(job.kind, job)
    return jobs


def rectifications_of(publication: Publication) -> QuerySet[RectificationReport]:
    return RectificationReport.objects.filter(
        publication=publication, tenant_id=publication.tenant_id
    ).select_related("unit", "submitted_by")
