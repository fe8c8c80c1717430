"""Campaign computation (结果计算): the only path by which results change.

``compute_job_start`` records a job and enqueues it after commit; the Celery task calls
``compute_job_execute``, which loads the scheme and inputs set-based, calls the pure scoring
engine, and writes one new numbered revision whole, in one transaction. Rerunning a finished job
does nothing; a job left "running" by a killed worker is picked up again when redelivered.
"""

from __future__ import annotations

import hashlib
import json
import logging

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from evaluation.engine import compute_units, scheme_to_dict
from evaluation.engine.types import CampaignScheme, CategoryScheme
from evaluation.models import Campaign, ComputeJob, ResultRevision, UnitResult
from evaluation.selectors.inputs import _canonical, engine_inputs_for

logger = logging.getLogger(__name__)


class ComputeError(Exception):
    """A computation that cannot run (no scheme, bad scope)."""


def compute_job_start(
    *, campaign: Campaign, actor=None, scope: str = ComputeJob.Scope.CAMPAIGN, category=None, unit=None
) -> ComputeJob:
    """Record a job and enqueue it once the caller's transaction commits; returns at once."""
    from evaluation.tasks import compute_job_run

    job, created = compute_job_create(campaign=campaign, actor=actor, scope=scope, category=category, unit=unit)
    if created:
        transaction.on_commit(lambda: compute_job_run.delay(job.pk))
    return job


@transaction.atomic
def compute_job_create(
    *, campaign: Campaign, actor=None, scope: str = ComputeJob.Scope.CAMPAIGN, category=None, unit=None,
    reason: str = "",
) -> tuple[ComputeJob, bool]:
    """The job row, or the campaign's unfinished job asked to run again afterwards.

    One unfinished job per campaign (a partial unique constraint): when one is already queued or
    running, its inputs may predate this change, so it is flagged to compute once more when done.
    Either way the request goes to the audit trail (who, scope, why).
    """
    from evaluation.services.audit import audit_record

    if scope == ComputeJob.Scope.UNIT and unit is None:
        raise ComputeError("scope unit needs a unit")
    if scope == ComputeJob.Scope.CATEGORY and category is None:
        raise ComputeError("scope category needs a category")
    requested = {"scope": scope, "category": category.code if category is not None else None,
                 "unit": unit.code if unit is not None else None}
    try:
        with transaction.atomic():
            job = ComputeJob.objects.create(
                tenant_id=campaign.tenant_id,
                campaign=campaign,
                scope=scope,
                category=category,
                unit=unit,
                requested_by=actor,
            )
        audit_record(tenant=campaign.tenant_id, actor=actor, action="compute.request", obj=job, campaign=campaign,
                     after={**requested, "job": job.pk}, reason=reason, label=f"#{job.pk} {job.get_scope_display()}")
        return job, True
    except IntegrityError:
        job = (
            ComputeJob.objects.select_for_update()
            .filter(campaign=campaign, status__in=[ComputeJob.Status.CREATED, ComputeJob.Status.RUNNING])
            .first()
        )
        if job is None:  # it finished between our insert and this read
            return compute_job_create(campaign=campaign, actor=actor, scope=scope, category=category, unit=unit,
                                      reason=reason)
        if job.scope != ComputeJob.Scope.CAMPAIGN or job.status == ComputeJob.Status.RUNNING:
            job.rerun_requested = True
            job.save(update_fields=["rerun_requested"])
        # the request is served by the unfinished job: recorded all the same, with the job it joined
        # (not as its object: that job's own unit may not be the one this request names)
        audit_record(tenant=campaign.tenant_id, actor=actor, action="compute.request", campaign=campaign, unit=unit,
                     after={**requested, "job": job.pk, "joined": True}, reason=reason, label=f"#{job.pk}")
        return job, False


def _fingerprint(category: CategoryScheme, inputs) -> str:
    payload = json.dumps(
        {"scheme": scheme_to_dict(CampaignScheme(categories=[category])), "inputs": _canonical(inputs)},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _explanation(explanation) -> dict | None:
    if explanation is None:
        return None
    return {"zh": explanation.text("zh"), "en": explanation.text("en")}


def _dec(value) -> str | None:
    return None if value is None else format(value, "f")


def _unit_result_row(revision: ResultRevision, result, unit_ids: dict, category_ids: dict) -> UnitResult:
    nodes = {}
    for code, node in result.nodes.items():
        nodes[code] = {
            "name": node.name,
            "parent": node.parent,
            "points": _dec(node.points),
            "score": _dec(node.score),
            "is_leaf": node.is_leaf,
            "unit_code": node.unit_code,
            "explanation": _explanation(node.explanation),
            "lines": [
                {
                    "entry_id": line.entry_id,
                    "rule_key": line.rule_key,
                    "label": line.label,
                    "quantity": _dec(line.quantity),
                    "unit_value": _dec(line.unit_value),
                    "amount": _dec(line.amount),
                    "status": line.status,
                    "share": _dec(line.share),
                    "event_key": line.event_key,
                    "exempt": line.exempt,
                    "joint_role": line.joint_role,
                }
                for line in node.lines
            ],
        }
    components = [
        {
            "key": c.key,
            "label": c.label,
            "source": c.source,
            "mode": c.mode,
            "raw": _dec(c.raw),
            "value": _dec(c.value),
            "explanation": _explanation(c.explanation),
        }
        for c in result.components
    ]
    return UnitResult(
        tenant_id=revision.tenant_id,
        revision=revision,
        unit_id=unit_ids[result.unit_code],
        category_id=category_ids[result.category_code],
        complete=result.complete,
        missing=[_explanation(e) for e in result.missing_explanations],
        total=result.total,
        rank=result.rank,
        grade=result.grade or "",
        eligible_top=result.eligible_top,
        vetoed=result.vetoed,
        last_place=result.last_place,
        overflow=result.overflow,
        components=components,
        nodes=nodes,
        explanation={
            "total": _explanation(result.explanation),
            "rank": _explanation(result.rank_explanation),
            "grade": _explanation(result.grade_explanation),
        },
    )


def _set_progress(job: ComputeJob, progress: int, total: int | None = None, message: str = "") -> None:
    fields = {"progress": progress}
    if total is not None:
        fields["total"] = total
    if message:
        fields["message"] = message
    ComputeJob.objects.filter(pk=job.pk).update(**fields)


def compute_job_execute(*, job_id: int, redelivered: bool = False) -> ComputeJob:
    """Run one job. Safe to call twice: a finished job is returned untouched.

    A job already running is taken over only when its worker is gone: the broker delivers the
    task again (``redelivered``) only once that worker died, and a job running for longer than
    the hard time limit (``KAOPING_JOB_STALE_SECONDS``) has no worker left. Any other second
    delivery leaves it to the worker that holds it.
    """
    from datetime import timedelta

    from django.conf import settings

    from indicators.selectors.scheme import engine_scheme_for

    with transaction.atomic():
        job = (
            ComputeJob.objects.select_for_update(of=("self",))
            .select_related("campaign", "category", "unit")
            .get(pk=job_id)
        )
        if job.status in (ComputeJob.Status.DONE, ComputeJob.Status.FAILED):
            return job
        stale_before = timezone.now() - timedelta(seconds=settings.KAOPING_JOB_STALE_SECONDS)
        held = job.status == ComputeJob.Status.RUNNING and job.started_at is not None
        if held and not redelivered and job.started_at > stale_before:
            return job  # a live worker is on it
        job.status = ComputeJob.Status.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    campaign = job.campaign
    try:
        scheme = engine_scheme_for(campaign)
        latest = ResultRevision.objects.filter(campaign=campaign).order_by("-number").first()
        # a revision always holds every category, so the first one computes them all
        if job.scope == ComputeJob.Scope.CAMPAIGN or latest is None:
            wanted = list(scheme.categories)
        else:
            code = job.category.code if job.category_id else _category_code_of(campaign, job.unit_id)
            wanted = [scheme.category(code)]
        if not scheme.categories:
            raise ComputeError("the campaign has no categories to compute")
        _set_progress(job, 0, total=len(wanted) + 1, message="")
        previous_prints = latest.category_fingerprints if latest else {}

        computed: dict[str, list] = {}
        prints = dict(previous_prints)
        inputs_by_category: dict[str, list] = {}
        for unit_inputs in engine_inputs_for(campaign, category_codes=[c.code for c in wanted]):
            inputs_by_category.setdefault(unit_inputs.category_code, []).append(unit_inputs)
        for step, category in enumerate(wanted, start=1):
            inputs = inputs_by_category.get(category.code, [])
            fingerprint = _fingerprint(category, inputs)
            if latest is None or previous_prints.get(category.code) != fingerprint:
                computed[category.code] = compute_units(category, inputs).units
            prints[category.code] = fingerprint
            _set_progress(job, step)
        # categories dropped from the scheme leave the revision
        prints = {code: value for code, value in prints.items() if code in {c.code for c in scheme.categories}}
        return _write_revision(job, scheme, latest, computed, prints)
    except Exception as exc:  # recorded on the job for the office to read; rerunning would fail alike
        logger.exception("compute job %s failed", job_id)
        ComputeJob.objects.filter(pk=job.pk).update(
            status=ComputeJob.Status.FAILED, message=str(exc)[:2000], finished_at=timezone.now()
        )
        _follow_up(job.pk)
        job.refresh_from_db()
        return job


def _category_code_of(campaign: Campaign, unit_id: int) -> str:
    from evaluation.models import CampaignUnit

    enrolment = CampaignUnit.objects.filter(campaign=campaign, unit_id=unit_id).select_related("category").first()
    if enrolment is None or enrolment.category is None:
        raise ComputeError("the unit is not evaluated in this campaign")
    return enrolment.category.code


@transaction.atomic
def _write_revision(job, scheme, latest, computed, prints) -> ComputeJob:
    from evaluation.models import Category, Unit

    campaign = Campaign.objects.select_for_update().get(pk=job.campaign_id)
    combined = hashlib.sha256(json.dumps(prints, sort_keys=True).encode()).hexdigest()
    if latest is not None and not computed and latest.fingerprint == combined:
        job.status, job.revision, job.message = ComputeJob.Status.DONE, latest, "inputs unchanged"
    else:
        number = (ResultRevision.objects.filter(campaign=campaign).aggregate(n=Max("number"))["n"] or 0) + 1
        revision = ResultRevision.objects.create(
            tenant_id=campaign.tenant_id,
            campaign=campaign,
            number=number,
            fingerprint=combined,
            reason=job.get_scope_display(),
            scheme=scheme_to_dict(scheme),
            category_fingerprints=prints,
        )
        unit_ids = dict(Unit.objects.filter(tenant_id=campaign.tenant_id).values_list("code", "pk"))
        category_ids = dict(Category.objects.filter(campaign=campaign).values_list("code", "pk"))
        rows = [
            _unit_result_row(revision, result, unit_ids, category_ids)
            for results in computed.values()
            for result in results
        ]
        if latest is not None:  # carry unchanged categories over as they were
            kept = [code for code in prints if code not in computed]
            for row in UnitResult.objects.filter(revision=latest, category__code__in=kept):
                row.pk = None
                row.revision = revision
                rows.append(row)
        UnitResult.objects.bulk_create(rows, batch_size=500)
        job.status, job.revision = ComputeJob.Status.DONE, revision
        from evaluation.services.audit import audit_record

        audit_record(
            tenant=campaign.tenant_id, actor=job.requested_by, action="compute.revision", obj=revision,
            campaign=campaign, before={"revision": latest.number if latest is not None else None},
            after={"revision": revision.number, "units": len(rows),
                   "recomputed": sorted(computed), "job": job.pk, "scope": job.scope},
            label=f"r{revision.number}",
        )
    job.progress = job.total = max(job.total, 1)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "revision", "message", "progress", "total", "finished_at"])
    transaction.on_commit(lambda: _follow_up(job.pk))
    return job


def _follow_up(job_id: int) -> None:
    """A change arrived while the job ran: compute again with the new inputs."""
    job = ComputeJob.objects.filter(pk=job_id, rerun_requested=True).select_related("campaign").first()
    if job is not None:
        ComputeJob.objects.filter(pk=job_id).update(rerun_requested=False)
        compute_job_start(campaign=job.campaign, actor=job.requested_by, scope=ComputeJob.Scope.CAMPAIGN)

