"""Sample objects of tenant A for the route walk (tests/test_tenant_walk.py).

Every app may have such a module; the walk fills URL kwargs by name from all of them:
``"campaign_id"`` fills ``<int:campaign_id>``; ``"api:unit"`` fills ``pk`` of the API basename
``unit``. A new route with a new kwarg fails the walk until a sample is named here.
"""

from tests import factories


def samples(ctx) -> dict:
    campaign = ctx.setdefault("campaign", factories.make_campaign(ctx["tenant"]))
    category = ctx.setdefault("category", factories.make_category(campaign))
    ctx.setdefault("enrolment", factories.enrol(campaign, ctx["unit"], category))
    from evaluation.models import ComputeJob, ResultRevision, UnitResult

    job = ctx.setdefault(
        "compute_job",
        ComputeJob.objects.create(tenant=ctx["tenant"], campaign=campaign, status=ComputeJob.Status.DONE),
    )
    revision = ctx.setdefault(
        "revision", ResultRevision.objects.create(tenant=ctx["tenant"], campaign=campaign, number=1, fingerprint="x")
    )
    result = ctx.setdefault(
        "unit_result",
        UnitResult.objects.create(tenant=ctx["tenant"], revision=revision, unit=ctx["unit"], category=category),
    )
    from evaluation.models import AuditEvent

    audit_event = ctx.setdefault(
        "audit_event",
        AuditEvent.objects.create(tenant=ctx["tenant"], campaign=campaign, unit=ctx["unit"], action="ledger.void",
                                  before={"status": "filed"}, after={"status": "voided"}, reason="walk"),
    )
    from evaluation.tests.walk_samples_year import samples as year_samples

    return {
        **year_samples(ctx),
        "job_id": job.pk,
        "api:compute-job": job.pk,
        "api:unit-result": result.pk,
        "api:audit-event": audit_event.pk,
        "campaign_id": campaign.pk,
        "category_id": category.pk,
        "unit_id": ctx["unit"].pk,
        "api:campaign": campaign.pk,
        "api:unit": ctx["unit"].pk,
    }

