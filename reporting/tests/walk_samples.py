"""Sample objects for the route walk (tests/test_tenant_walk.py): a revision with the unit's
result, its submitted publication, a finished bulletin job and a rectification report."""

from django.core.files.base import ContentFile
from django.utils import timezone

from tests import factories


def samples(ctx) -> dict:
    from evaluation.models import ResultRevision, UnitResult
    from reporting.models import BulletinJob, Publication, RectificationReport

    tenant = ctx["tenant"]
    # evaluation's samples (run first) normally made these; build them only when missing
    if "campaign" not in ctx:
        ctx["campaign"] = factories.make_campaign(tenant)
    campaign = ctx["campaign"]
    if "category" not in ctx:
        ctx["category"] = factories.make_category(campaign)
    category = ctx["category"]
    if "revision" not in ctx:
        ctx["revision"] = ResultRevision.objects.create(tenant=tenant, campaign=campaign, number=1, fingerprint="x")
    revision = ctx["revision"]
    if not UnitResult.objects.filter(revision=revision, unit=ctx["unit"]).exists():
        ctx["unit_result"] = UnitResult.objects.create(tenant=tenant, revision=revision, unit=ctx["unit"], category=category)
    user = factories.make_user()
    publication = Publication.objects.create(
        tenant=tenant, campaign=campaign, revision=revision, submitted_by=user, submitted_at=timezone.now()
    )
    job = BulletinJob(tenant=tenant, revision=revision, kind=BulletinJob.Kind.XLSX, status=BulletinJob.Status.DONE)
    job.file.save("walk.xlsx", ContentFile(b"walk"), save=False)
    job.save()
    report = RectificationReport.objects.create(tenant=tenant, publication=publication, unit=ctx["unit"])
    return {
        "revision_id": revision.pk,
        "publication_id": publication.pk,
        "bulletin_id": job.pk,
        "rectification_id": report.pk,
        "api:result-revision": revision.pk,
    }
