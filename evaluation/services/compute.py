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

import orjson
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from evaluation.engine import compile_category, compute_units, rank_units, scheme_to_dict, score_unit
from evaluation.engine.decimals import gc_paused
from evaluation.engine.explain import CATALOGUE
from evaluation.engine.types import (
    CampaignScheme,
    CategoryScheme,
    ComponentResult,
    PreviousYear,
    UnitInputs,
    Veto,
)
from evaluation.engine.types import UnitResult as EngineUnitResult
from evaluation.models import Campaign, CampaignUnit, Category, ComputeJob, ResultRevision, Unit, UnitResult
from evaluation.selectors.inputs import engine_inputs_for

logger = logging.getLogger(__name__)


class ComputeError(Exception):
    """A computation that cannot run (no scheme, bad scope)."""


def compute_job_start(
    *, campaign: Campaign, actor=None, scope: str = ComputeJob.Scope.CAMPAIGN, category=None, unit=None,
    reason: str = "",
) -> ComputeJob:
    """Record a job and enqueue it once the caller's transaction commits; returns at once.

    The enqueue is ``robust``: a broker outage after the commit is logged, not raised (the request
    that changed the inputs did commit); the recovery sweep (``compute_recovery``) enqueues the
    job later.
    """
    from evaluation.tasks import compute_job_run

    job, created = compute_job_create(campaign=campaign, actor=actor, scope=scope, category=category, unit=unit,
                                      reason=reason)
    if created:
        transaction.on_commit(lambda: compute_job_run.delay(job.pk), robust=True)
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


# Bump when the stored form of a unit's result changes without the catalogue changing, so that
# rows computed by older code are not carried into new revisions as if they were current.
_ROW_FORMAT = "unit-result/3"
_CODE_SALT = hashlib.blake2b(
    (_ROW_FORMAT + repr(sorted((k, sorted(v.items())) for k, v in CATALOGUE.items()))).encode(), digest_size=16
).digest()
_INPUT_FIELDS = (
    "unit_code", "unit_name", "category_code", "measures", "assessed", "ledger", "surveys", "democratic", "direct",
    "inspections", "vetoes", "special_last_count", "previous", "pending_sign_offs",
)
# _unit_key lists every input field by hand (fast); a new field must be added there too.
assert set(_INPUT_FIELDS) == set(UnitInputs.__dataclass_fields__), "UnitInputs changed: update _unit_key"


def _unit_key(u: UnitInputs) -> str:
    """An exact text of one unit's inputs: equal inputs give equal text and vice versa.

    Decimals keep their written scale (``repr``), since explanations print them as written;
    mappings are sorted, so the order rows came from the database does not matter.
    """
    return repr((
        u.unit_code, u.unit_name, u.category_code,
        sorted(u.measures.items()),
        sorted(u.assessed.items()),
        u.ledger,
        sorted((k, sorted(t.counts.items()), t.dont_know, t.score, t.n) for k, t in u.surveys.items()),
        sorted((k, [(g.group, sorted(g.counts.items())) for g in t.groups]) for k, t in u.democratic.items()),
        sorted(u.direct.items()),
        u.inspections, u.vetoes, u.special_last_count, u.previous, u.pending_sign_offs,
    ))


def _category_key(category: CategoryScheme) -> bytes:
    """The scheme's part of every fingerprint of the category (and the code's catalogue)."""
    scheme = json.dumps(scheme_to_dict(CampaignScheme(categories=[category])), sort_keys=True, default=str)
    return hashlib.blake2b(scheme.encode(), digest_size=16, key=_CODE_SALT).digest()


def _fingerprints(category: CategoryScheme, inputs: list[UnitInputs]) -> tuple[str, dict[str, str]]:
    """The category's fingerprint and each unit's (unit code → hex).

    A unit's fingerprint covers its category's scheme and its own inputs: everything its nodes,
    components, total and their explanations are made of (the engine scores each unit on its
    own; only ranks and grades look across units). The category's covers the scheme and every
    unit's inputs.
    """
    key = _category_key(category)
    per_unit = {u.unit_code: _unit_print(key, u) for u in inputs}
    return _category_print(key, per_unit), per_unit


def _unit_print(key: bytes, unit: UnitInputs) -> str:
    return hashlib.blake2b(_unit_key(unit).encode(), digest_size=16, key=key).hexdigest()


def _category_print(key: bytes, per_unit: dict[str, str]) -> str:
    whole = hashlib.blake2b(key, digest_size=32)
    for code in sorted(per_unit):
        whole.update(f"{code}\0{per_unit[code]}\0".encode())
    return whole.hexdigest()


def _explanation(explanation) -> dict | None:
    if explanation is None:
        return None
    zh, en = explanation.texts()
    return {"zh": zh, "en": en}


def _dec(value) -> str | None:
    return None if value is None else format(value, "f")


def _nodes(result) -> dict:
    nodes = {}
    for code, node in result.nodes.items():
        explanation = node.explanation
        if explanation is not None:
            zh, en = explanation.texts()
            explanation = {"zh": zh, "en": en}
        nodes[code] = {
            "name": node.name,
            "parent": node.parent,
            "points": _dec(node.points),
            "score": _dec(node.score),
            "is_leaf": node.is_leaf,
            "unit_code": node.unit_code,
            "explanation": explanation,
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
    return nodes


def _components(result) -> list:
    return [
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


def _standing(result) -> dict:
    """What ranking and grading read of a unit besides total, completeness and eligibility
    (see ``_stored_result``, which reads it back)."""
    return {
        "components": [[c.key, _dec(c.value)] for c in result.components],
        "vetoes": [v.authority for v in result.vetoes],
        "pending": list(result.pending_sign_offs),
        "previous": [[p.year, p.grade, p.rank, _dec(p.total), p.last_place] for p in result.previous],
    }


def _row_values(result, fingerprint: str, *, full: bool) -> dict:
    """A UnitResult's column values; ``full=False`` leaves out what a carried row keeps
    (nodes, components, missing: functions of the unit's own inputs, equal by fingerprint)."""
    values = {
        "complete": result.complete,
        "total": result.total,
        "rank": result.rank,
        "grade": result.grade or "",
        "eligible_top": result.eligible_top,
        "vetoed": result.vetoed,
        "last_place": result.last_place,
        "overflow": result.overflow,
        "explanation": {
            "total": _explanation(result.explanation),
            "rank": _explanation(result.rank_explanation),
            "grade": _explanation(result.grade_explanation),
        },
        "inputs_fingerprint": fingerprint,
        "standing": _standing(result),
    }
    if full:
        values["missing"] = [_explanation(e) for e in result.missing_explanations]
        values["components"] = _components(result)
        values["nodes"] = _nodes(result)
    return values


def _unit_result_row(revision: ResultRevision, result, unit_ids: dict, category_ids: dict,
                     fingerprint: str = "") -> UnitResult:
    return UnitResult(
        tenant_id=revision.tenant_id,
        revision=revision,
        unit_id=unit_ids[result.unit_code],
        category_id=category_ids[result.category_code],
        **_row_values(result, fingerprint, full=True),
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
    from evaluation.services.compute_recovery import held_by_live_worker

    with transaction.atomic():
        job = (
            ComputeJob.objects.select_for_update(of=("self",))
            .select_related("campaign", "category", "unit")
            .get(pk=job_id)
        )
        if job.status in (ComputeJob.Status.DONE, ComputeJob.Status.FAILED):
            return job
        if held_by_live_worker(job, redelivered=redelivered):
            return job
        job.status = ComputeJob.Status.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    campaign = job.campaign
    try:
        # the collector would rescan the hundreds of thousands of objects a large computation
        # keeps alive (inputs, results, rendered rows) over and over: paused, as in the engine
        with gc_paused():
            return _compute_and_write(job, campaign)
    except Exception as exc:  # recorded on the job for the office to read; rerunning would fail alike
        logger.exception("compute job %s failed", job_id)
        ComputeJob.objects.filter(pk=job.pk).update(
            status=ComputeJob.Status.FAILED, message=str(exc)[:2000], finished_at=timezone.now()
        )
        _follow_up(job.pk)
        job.refresh_from_db()
        return job


def _compute_and_write(job: ComputeJob, campaign: Campaign) -> ComputeJob:
    from indicators.selectors.scheme import engine_scheme_for

    scheme = engine_scheme_for(campaign)
    latest = ResultRevision.objects.filter(campaign=campaign).order_by("-number").first()
    if job.scope == ComputeJob.Scope.UNIT and latest is not None:
        one = _one_unit(job, campaign, scheme, latest)
        if one is not None:
            return _write_revision(job, scheme, latest, *one)
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

    codes = [c.code for c in wanted]
    expected = CampaignUnit.objects.filter(campaign=campaign, survey_only=False, category__code__in=codes).count()
    rows = _NewRows(campaign, latest, codes, expected=expected)
    try:
        computed: dict[str, list] = {}
        unit_prints: dict[str, dict[str, str]] = {}
        prints = dict(previous_prints)
        # Category by category: a category's new rows are rendered by helper processes while the
        # next one's inputs are read and scored (the inputs of one category are read as those of
        # all, set-based: a handful of queries each).
        for step, category in enumerate(wanted, start=1):
            inputs = engine_inputs_for(campaign, category_codes=[category.code])
            fingerprint, unit_prints[category.code] = _fingerprints(category, inputs)
            if latest is None or previous_prints.get(category.code) != fingerprint:
                computed[category.code] = compute_units(category, inputs).units
                rows.add(category.code, computed[category.code], unit_prints[category.code])
            prints[category.code] = fingerprint
            _set_progress(job, step)
        # categories dropped from the scheme leave the revision
        prints = {code: value for code, value in prints.items() if code in {c.code for c in scheme.categories}}
        return _write_revision(job, scheme, latest, computed, prints, unit_prints, rows=rows)
    finally:
        rows.close()


class _Rendered:
    """A stored row's explanation, written again as it was (its texts, not its parameters)."""

    __slots__ = ("_pair",)

    def __init__(self, stored: dict | None) -> None:
        self._pair = (stored["zh"], stored["en"])

    def texts(self) -> tuple[str, str]:
        return self._pair


def _stored_result(row: dict, category_code: str) -> EngineUnitResult:
    """A unit's result rebuilt from its stored row, as far as ranking and grading read it."""
    from decimal import Decimal

    standing = row["standing"]
    total_text = (row["explanation"] or {}).get("total")
    return EngineUnitResult(
        unit_code=row["unit__code"],
        unit_name=row["unit__name"],
        category_code=category_code,
        complete=row["complete"],
        missing=[],
        missing_explanations=[],
        nodes={},
        components=[
            ComponentResult(key=key, label="", source="", mode="", raw=None,
                            value=None if value is None else Decimal(value), explanation=None)
            for key, value in standing["components"]
        ],
        total=row["total"],
        overflow=row["overflow"],
        explanation=_Rendered(total_text) if total_text else None,
        vetoed=row["vetoed"],
        vetoes=tuple(Veto(authority=authority) for authority in standing["vetoes"]),
        eligible_top=row["eligible_top"],
        previous=tuple(
            PreviousYear(year=year, grade=grade, rank=rank, total=None if total is None else Decimal(total),
                         last_place=last_place)
            for year, grade, rank, total, last_place in standing["previous"]
        ),
        pending_sign_offs=tuple(standing["pending"]),
    )


def _one_unit(job: ComputeJob, campaign: Campaign, scheme: CampaignScheme, latest: ResultRevision):
    """A unit-scope job scores that unit alone and ranks it among the other units' rows in the
    latest revision; ``None`` when it cannot (then the unit's whole category is computed).

    Exact because the engine scores each unit from its own inputs only: an other unit's row is
    what the engine gives for the inputs its fingerprint names, and ranking and grading read of
    it only what the row keeps (total, flags, ``standing``). It needs the latest revision to have
    been made with the same scheme and code (equal scheme documents, fingerprints of this row
    format) and the same units in the category. A change to another unit's inputs is computed by
    its own job (every input change requests one; a request made while this job runs makes it
    start a campaign-wide follow-up).
    """
    enrolment = (
        CampaignUnit.objects.filter(campaign=campaign, unit_id=job.unit_id, survey_only=False)
        .select_related("category").first()
    )
    if enrolment is None or enrolment.category is None:
        return None
    code = enrolment.category.code
    if code not in latest.category_fingerprints or latest.scheme != _json_round_trip(scheme_to_dict(scheme)):
        return None
    rows = list(
        UnitResult.objects.filter(revision=latest, category_id=enrolment.category_id).values(
            "unit_id", "unit__code", "unit__name", "complete", "total", "overflow", "eligible_top", "vetoed",
            "explanation", "inputs_fingerprint", "standing",
        )
    )
    enrolled = set(
        CampaignUnit.objects.filter(campaign=campaign, category_id=enrolment.category_id, survey_only=False)
        .values_list("unit_id", flat=True)
    )
    if enrolled != {row["unit_id"] for row in rows} or not all(r["inputs_fingerprint"] and r["standing"] for r in rows):
        return None
    category = scheme.category(code)
    inputs = engine_inputs_for(campaign, category_codes=[code], unit_ids=[job.unit_id])
    if len(inputs) != 1:
        return None
    unit = inputs[0]
    key = _category_key(category)
    per_unit = {row["unit__code"]: row["inputs_fingerprint"] for row in rows}
    per_unit[unit.unit_code] = _unit_print(key, unit)
    fingerprint = _category_print(key, per_unit)
    prints = {c.code: latest.category_fingerprints.get(c.code) for c in scheme.categories}
    if prints[code] == fingerprint:  # the unit's inputs are those of its row: nothing to compute
        return {}, prints, {}
    scored = score_unit(compile_category(category), unit)
    others = [_stored_result(row, code) for row in rows if row["unit_id"] != job.unit_id]
    prints[code] = fingerprint
    return {code: rank_units(category, [scored, *others])}, prints, {code: per_unit}


def _json_round_trip(value):
    return json.loads(json.dumps(value, default=str))


def _category_code_of(campaign: Campaign, unit_id: int) -> str:
    enrolment = CampaignUnit.objects.filter(campaign=campaign, unit_id=unit_id).select_related("category").first()
    if enrolment is None or enrolment.category is None:
        raise ComputeError("the unit is not evaluated in this campaign")
    return enrolment.category.code


def _write_revision(job, scheme, latest, computed, prints, unit_prints=None, *, rows=None) -> ComputeJob:
    """Write the revision; ``rows`` are the computed categories' rows as the job sorted them while
    scoring (else sorted here)."""
    if rows is not None:
        return _write_revision_rows(job, scheme, latest, computed, prints, rows)
    rows = _NewRows(job.campaign, latest, list(computed), expected=sum(len(results) for results in computed.values()))
    try:
        for code, results in computed.items():
            rows.add(code, results, (unit_prints or {}).get(code, {}))
        return _write_revision_rows(job, scheme, latest, computed, prints, rows)
    finally:
        rows.close()


@transaction.atomic
def _write_revision_rows(job, scheme, latest, computed, prints, rows: _NewRows) -> ComputeJob:
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
        kept_categories = [rows.category_ids[code] for code in prints if code not in computed] if latest else []
        if connection.vendor == "postgresql":
            count = _insert_postgresql(revision, latest, rows, kept_categories)
        else:
            count = _insert_orm(revision, latest, rows, kept_categories)
        job.status, job.revision = ComputeJob.Status.DONE, revision
        from evaluation.services.audit import audit_record

        audit_record(
            tenant=campaign.tenant_id, actor=job.requested_by, action="compute.revision", obj=revision,
            campaign=campaign, before={"revision": latest.number if latest is not None else None},
            after={"revision": revision.number, "units": count,
                   "recomputed": sorted(computed), "job": job.pk, "scope": job.scope},
            label=f"r{revision.number}",
        )
    job.progress = job.total = max(job.total, 1)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "revision", "message", "progress", "total", "finished_at"])
    transaction.on_commit(lambda: _follow_up(job.pk))
    return job


class _NewRows:
    """A revision's rows of the computed categories, sorted as each category is scored.

    A unit whose inputs are those of its row in the latest revision keeps that row's nodes,
    components and missing list (``kept``: copied in the database); rank, grade and total are
    new. Every other unit's row is new (``fresh``): rendered whole, by helper processes as soon
    as its category is scored when there are many (:class:`_Rendering`).
    """

    def __init__(self, campaign: Campaign, latest, codes: list[str], *, expected: int) -> None:
        self.unit_ids = dict(Unit.objects.filter(tenant_id=campaign.tenant_id).values_list("code", "pk"))
        self.category_ids = dict(Category.objects.filter(campaign=campaign).values_list("code", "pk"))
        self.previous: dict[int, str] = {}
        if latest is not None and codes:
            self.previous = dict(
                UnitResult.objects.filter(revision=latest, category_id__in=[self.category_ids[c] for c in codes])
                .exclude(inputs_fingerprint="")
                .values_list("unit_id", "inputs_fingerprint")
            )
        self.fresh: list[tuple] = []
        self.kept: list[dict] = []
        self.rendering = _Rendering(expected)

    def add(self, code: str, results, fingerprints: dict[str, str]) -> None:
        category_id = self.category_ids[code]
        fresh = []
        for result in results:
            unit_id = self.unit_ids[result.unit_code]
            fingerprint = fingerprints.get(result.unit_code, "")
            if not fingerprint or self.previous.get(unit_id) != fingerprint:
                fresh.append((result, unit_id, category_id, fingerprint))
            else:
                row = _row_values(result, fingerprint, full=False)
                row["unit_id"], row["category_id"] = unit_id, category_id
                self.kept.append(row)
        self.fresh.extend(fresh)
        self.rendering.add(fresh)

    def close(self) -> None:
        self.rendering.close()


_FULL_COLUMNS = (
    "tenant_id", "revision_id", "unit_id", "category_id", "complete", "missing", "total", "rank", "grade",
    "eligible_top", "vetoed", "last_place", "overflow", "components", "nodes", "explanation", "inputs_fingerprint",
    "standing",
)
_JSON_COLUMNS = {"missing", "components", "nodes", "explanation", "standing"}
# What a kept unit's row takes from its previous row; the rest is new.
_CARRIED_COLUMNS = ("missing", "components", "nodes")


def _json(value) -> str:
    """Compact JSON, non-ASCII kept as written: the text ``json.dumps(value, ensure_ascii=False,
    separators=(",", ":"))`` gives, made about 2.5 × faster (a province's rows are 140 MB of it)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def copy_text(value) -> str:
    """One field of PostgreSQL's COPY text format (also the benchmark generator's)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = value if isinstance(value, str) else str(value)
    if "\\" in text or "\n" in text or "\t" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    return text


def _copy_rows(cursor, table: str, columns, rows) -> None:
    import io

    text = "".join(["\t".join([copy_text(v) for v in row]) + "\n" for row in rows])
    _copy_in(cursor, table, columns, io.BytesIO(text.encode()))


def _copy_in(cursor, table: str, columns, source) -> None:
    """COPY rows in PostgreSQL's text format, read from ``source`` (``read(size)`` → bytes)."""
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    raw = cursor.cursor  # the driver's cursor: Django's wrapper has no COPY
    if hasattr(raw, "copy_expert"):  # psycopg2
        raw.copy_expert(sql, source, size=1 << 20)
    else:  # psycopg 3
        with raw.copy(sql) as copy:
            for chunk in iter(lambda: source.read(1 << 20), b""):
                copy.write(chunk)


def _values(base: tuple, row: dict, columns) -> tuple:
    return base + tuple(_json(row[c]) if c in _JSON_COLUMNS else row[c] for c in columns[2:])


def _fresh_line(item) -> str:
    """One new row's COPY line after its tenant and revision fields (:func:`_prefixed` adds
    those): every node's explanation rendered, the JSON serialised."""
    result, unit_id, category_id, fingerprint = item
    row = _row_values(result, fingerprint, full=True)
    row["unit_id"], row["category_id"] = unit_id, category_id
    return "\t".join([copy_text(value) for value in _values((), row, _FULL_COLUMNS)]) + "\n"


def _copy_prefix(revision: ResultRevision) -> bytes:
    """The fields that lead every new row's COPY line: its tenant and revision."""
    return "".join(copy_text(value) + "\t" for value in (revision.tenant_id, revision.pk)).encode()


def _prefixed(prefix: bytes, lines: bytes) -> bytes:
    """Whole COPY lines, each led by ``prefix`` (a value has no raw newline: ``copy_text``)."""
    if not lines:
        return b""
    return prefix + lines[:-1].replace(b"\n", b"\n" + prefix) + b"\n"


# Rendering and serialising the new rows is most of a large computation's time, and pure Python
# on data already in memory: from this many rows on, forked helper processes render a share each
# (POSIX only), starting as soon as a category is scored, while this process reads and scores
# the next one and then hands what they wrote to PostgreSQL's COPY. The helpers only make text;
# this process alone talks to the database, in its one transaction.
PARALLEL_MIN_ROWS = 500
# From this many new rows on they go in by COPY (pre-serialised JSON), below through the ORM.
COPY_MIN_ROWS = 500
PARALLEL_MAX_PROCESSES = 4  # helpers alive at once; shares beyond wait for one to end
# A category with fewer new rows than this renders them here (a recompute where most units kept
# their rows is not worth a process).
HELPER_MIN_ROWS = 50
_HELPER_BATCH = 64  # rows a helper renders before writing them to its file


class _Share:
    """Some new rows of one category, rendered by a helper process into a file of its own, or by
    this process when read (no helper wanted, none to be had, or the helper failed: then the rows
    it had not delivered; only whole lines are taken)."""

    __slots__ = ("items", "pid", "file", "status")

    def __init__(self, items: list) -> None:
        self.items = items
        self.pid: int | None = None
        self.file = None
        self.status: int | None = None  # the helper's exit status, once reaped

    @property
    def running(self) -> bool:
        return self.pid is not None and self.status is None

    def fork(self) -> bool:
        import os
        import tempfile

        out = tempfile.TemporaryFile()
        try:
            pid = os.fork()
        except OSError as exc:  # no process to be had (limits, memory): rendered here when read
            out.close()
            logger.warning("compute helper process not started (%s); rendering its rows here", exc)
            return False
        if pid == 0:  # the helper: lines to its file, then leave without any clean-up of the parent's
            status = 1
            try:
                for start in range(0, len(self.items), _HELPER_BATCH):
                    out.write("".join([_fresh_line(item) for item in self.items[start:start + _HELPER_BATCH]]).encode())
                    out.flush()
                status = 0
            finally:
                os._exit(status)
        self.pid, self.file = pid, out
        return True

    def poll(self, *, block: bool) -> None:
        import os

        if self.running:
            pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
            if pid:
                self.status = status

    def text(self, prefix: bytes) -> bytes:
        """The share's COPY lines; waits for its helper."""
        self.poll(block=True)
        delivered, done = b"", 0
        if self.file is not None:
            self.file.seek(0)
            data = self.file.read()
            self.file.close()
            self.file = None
            delivered = data[:data.rfind(b"\n") + 1]
            done = delivered.count(b"\n")
            if self.status != 0 or done != len(self.items):
                logger.warning("compute helper process %s ended with status %s; rendering its %s rows left here",
                               self.pid, self.status, len(self.items) - done)
        left = self.items[done:]
        if left:
            delivered += "".join([_fresh_line(item) for item in left]).encode()
        return _prefixed(prefix, delivered)

    def kill(self) -> None:
        import os
        import signal

        if self.running:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.poll(block=True)
        if self.file is not None:
            self.file.close()
            self.file = None


class _Rendering:
    """The COPY text of a job's new rows, in shares handed over as categories are scored.

    With ``expected`` rows or more to come (``PARALLEL_MIN_ROWS``, and enough for the COPY, on
    PostgreSQL with at least two CPUs), the new rows of each category that has at least
    ``HELPER_MIN_ROWS`` are cut into shares of ``expected`` ÷ CPUs rows, each started at once in
    a helper process (at most ``PARALLEL_MAX_PROCESSES`` alive, the others when one ends); any
    other share is rendered by this process when the COPY reads it. ``source(prefix)``
    is the file-like object the COPY reads, the shares in the order they were added.
    """

    def __init__(self, expected: int) -> None:
        import os

        processes = min(os.cpu_count() or 1, PARALLEL_MAX_PROCESSES)
        parallel = (connection.vendor == "postgresql" and expected >= max(PARALLEL_MIN_ROWS, COPY_MIN_ROWS)
                    and processes >= 2 and hasattr(os, "fork"))
        self.share_rows = -(-expected // processes) if parallel else 0
        self.shares: list[_Share] = []
        self.waiting: list[_Share] = []  # shares for a helper, not started yet
        self.prefix, self.unread = b"", []  # what the COPY reads (source())

    def add(self, items: list) -> None:
        helpers = self.share_rows and len(items) >= HELPER_MIN_ROWS
        size = self.share_rows if helpers else len(items)
        for start in range(0, len(items), size or 1):
            share = _Share(items[start:start + size])
            self.shares.append(share)
            if helpers:
                self.waiting.append(share)
        self._start()

    def _start(self) -> None:
        for share in self.shares:
            share.poll(block=False)
        running = sum(1 for share in self.shares if share.running)
        while self.waiting and running < PARALLEL_MAX_PROCESSES:
            share = self.waiting.pop(0)
            running += share.fork()

    def source(self, prefix: bytes) -> _Rendering:
        """This rendering as the file the COPY reads: its shares in order, each line led by
        ``prefix``."""
        self.prefix, self.unread = prefix, list(self.shares)
        return self

    def read(self, size: int = -1) -> bytes:
        while self.unread:
            share = self.unread.pop(0)
            if share in self.waiting:  # no slot for a helper yet: this process renders it
                self.waiting.remove(share)
            text = share.text(self.prefix)
            self._start()  # its slot to the next share waiting
            if text:
                return text
        return b""

    def close(self) -> None:
        """Stop and reap helpers still running (the job failed), close their files."""
        self.waiting.clear()
        for share in self.shares:
            share.kill()


def _insert_postgresql(revision, latest, rows: _NewRows, kept_categories) -> int:
    """COPY the new rows, and copy kept rows and kept categories inside the database."""
    table = UnitResult._meta.db_table
    base = (revision.tenant_id, revision.pk)
    fresh, kept_units = rows.fresh, rows.kept

    def values(row, columns):
        return _values(base, row, columns)

    if 0 < len(fresh) < COPY_MIN_ROWS:  # a few rows: the ORM's insert is as quick
        _orm_rows(revision, latest, fresh, [], [])
    with connection.cursor() as cursor:
        if len(fresh) >= COPY_MIN_ROWS:
            _copy_in(cursor, table, _FULL_COLUMNS, rows.rendering.source(_copy_prefix(revision)))
        if kept_units:
            own = tuple(c for c in _FULL_COLUMNS if c not in _CARRIED_COLUMNS)
            cursor.execute(
                f"CREATE TEMPORARY TABLE kp_kept_result ON COMMIT DROP AS SELECT {', '.join(own)} FROM {table} "  # noqa: S608 - names from the model
                "WITH NO DATA"
            )
            _copy_rows(cursor, "kp_kept_result", own, (values(row, own) for row in kept_units))
            new_columns = ", ".join(("k." + c) for c in own)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(own + _CARRIED_COLUMNS)}) "  # noqa: S608 - names from the model
                f"SELECT {new_columns}, {', '.join('p.' + c for c in _CARRIED_COLUMNS)} "
                f"FROM kp_kept_result k JOIN {table} p ON p.revision_id = %s AND p.unit_id = k.unit_id",
                [latest.pk],
            )
            if cursor.rowcount != len(kept_units):
                raise ComputeError("a kept unit's previous result is missing")
            cursor.execute("DROP TABLE kp_kept_result")
        carried = 0
        if kept_categories:
            columns = ", ".join(c for c in _FULL_COLUMNS if c != "revision_id")
            cursor.execute(
                f"INSERT INTO {table} (revision_id, {columns}) SELECT %s, {columns} FROM {table} "  # noqa: S608 - names from the model
                "WHERE revision_id = %s AND category_id = ANY(%s)",
                [revision.pk, latest.pk, kept_categories],
            )
            carried = cursor.rowcount
    return len(fresh) + len(kept_units) + carried


def _insert_orm(revision, latest, rows: _NewRows, kept_categories) -> int:
    return _orm_rows(revision, latest, rows.fresh, rows.kept, kept_categories)


def _orm_rows(revision, latest, fresh, kept_units, kept_categories) -> int:
    rows = []
    for result, unit_id, category_id, fingerprint in fresh:
        rows.append(UnitResult(tenant_id=revision.tenant_id, revision=revision, unit_id=unit_id,
                               category_id=category_id, **_row_values(result, fingerprint, full=True)))
    if kept_units:
        carried = {
            r["unit_id"]: r
            for r in UnitResult.objects.filter(revision=latest, unit_id__in=[row["unit_id"] for row in kept_units])
            .values("unit_id", *_CARRIED_COLUMNS)
        }
        for row in kept_units:
            old = carried[row["unit_id"]]
            rows.append(UnitResult(tenant_id=revision.tenant_id, revision=revision, **row,
                                   **{c: old[c] for c in _CARRIED_COLUMNS}))
    if kept_categories:
        for row in UnitResult.objects.filter(revision=latest, category_id__in=kept_categories):
            row.pk = None
            row.revision = revision
            rows.append(row)
    UnitResult.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _follow_up(job_id: int) -> None:
    """A change arrived while the job ran: compute again with the new inputs."""
    job = ComputeJob.objects.filter(pk=job_id, rerun_requested=True).select_related("campaign").first()
    if job is not None:
        ComputeJob.objects.filter(pk=job_id).update(rerun_requested=False)
        compute_job_start(campaign=job.campaign, actor=job.requested_by, scope=ComputeJob.Scope.CAMPAIGN)

