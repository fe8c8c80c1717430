"""The five measures of issue #10, each a function of the run's context returning plain data.

1. full recompute through the Celery job, beside one plain SQL aggregation of the same rows;
2. recompute after one ledger entry changes, until the unit's new result is readable;
3. e-poll intake over HTTP, beside a minimal view that only inserts a row;
4. the leader dashboard and the results API under concurrent clients, and their query counts;
5. the bulletin PDF and Excel.
"""

from __future__ import annotations

import cProfile
import functools
import io
import json
import pstats
import random
import shutil
import statistics
import subprocess
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from bench.load import (
    BusyMeter,
    CpuMeter,
    LoadResult,
    Reply,
    Request,
    json_request,
    process_tree_cpu,
    run_load,
    stat,
)

POLL = 0.02  # seconds between two looks at a job or a result: the resolution of the timings


@dataclass
class Context:
    """What every measure needs: the campaigns, their people, the servers and the options."""

    campaign: Any
    small: Any
    users: dict[str, Any]
    members: dict[str, Any]
    port: int
    worker_pid: int
    web_pid: int
    out: Path
    options: Any
    notes: list[str] = field(default_factory=list)

    @property
    def cpu_of(self) -> dict[str, int]:
        return {"gunicorn": self.web_pid, "worker": self.worker_pid, **_local_server_pids()}


@functools.cache
def _local_server_pids() -> dict[str, int]:
    """The PostgreSQL postmaster (its backends are its children) and the Redis server when they run
    on this machine, and this process (the load's clients; the servers' own parent processes are
    its children): with gunicorn and the worker, what accounts for the machine's CPU."""
    import os

    import redis
    from django.conf import settings

    pids = {"bench": os.getpid()}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    fields = stat(backend)
    if fields is not None:  # the server is local: the backend's parent is the postmaster
        pids["postgres"] = int(fields[1])
    try:
        pid = int(redis.Redis.from_url(settings.CACHES["default"]["LOCATION"]).info("server")["process_id"])
    except (KeyError, ValueError, redis.RedisError):
        return pids
    if stat(pid) is not None:
        pids["redis"] = pid
    return pids


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _wait_job(model, job_id: int, *, timeout: float, done: tuple[str, ...] = ("done", "failed")):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = model.objects.filter(pk=job_id).values_list("status", flat=True).first()
        if status in done:
            return model.objects.get(pk=job_id)
        time.sleep(POLL)
    raise TimeoutError(f"{model.__name__} {job_id} did not finish within {timeout:.0f} s")


def _wait_idle(campaign, timeout: float = 1800) -> None:
    """Until the campaign has no queued or running job (a follow-up included)."""
    from evaluation.models import ComputeJob

    deadline = time.monotonic() + timeout
    while ComputeJob.objects.filter(campaign=campaign, status__in=["created", "running"]).exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the campaign's compute jobs did not finish")
        time.sleep(POLL)


def settle_database(max_wait: float = 120.0) -> float:
    """Let the database finish what earlier measures left it (before each measure): the result
    rows they deleted vacuumed, dirty pages written by a checkpoint, no autovacuum worker
    running. Otherwise a measure pays for the one before it (three full recomputes write and
    delete about 400 MB of result rows). Returns the seconds it took."""
    from evaluation.models import ComputeJob, ResultRevision, UnitResult

    started = time.perf_counter()
    with connection.cursor() as cursor:
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (UnitResult, ResultRevision, ComputeJob))
        cursor.execute(f"VACUUM (ANALYZE) {tables}")
        cursor.execute("CHECKPOINT")
        while time.perf_counter() - started < max_wait:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")
            if not cursor.fetchone()[0]:
                break
            time.sleep(0.5)
    return round(time.perf_counter() - started, 1)


def reset_results(campaign) -> None:
    """Forget the campaign's results and jobs: the next job computes every category afresh
    (no previous revision, so no category can be carried over by its fingerprint)."""
    from evaluation.models import ComputeJob, ResultRevision

    with transaction.atomic():
        ComputeJob.objects.filter(campaign=campaign).delete()
        ResultRevision.objects.filter(campaign=campaign).delete()


def compute_through_worker(ctx: Context, campaign, *, scope: str = "campaign", unit=None):
    """Start a job as the results page does and wait for it; returns the finished job."""
    from evaluation.models import ComputeJob
    from evaluation.services.compute import compute_job_start

    with transaction.atomic():
        job = compute_job_start(campaign=campaign, actor=ctx.users["admin"], scope=scope, unit=unit)
    return _wait_job(ComputeJob, job.pk, timeout=ctx.options.timeout)


def ensure_revision(ctx: Context, campaign) -> Any:
    from evaluation.selectors.results import latest_revision

    revision = latest_revision(campaign)
    if revision is None:
        job = compute_through_worker(ctx, campaign)
        if job.status != "done":
            raise RuntimeError(f"compute job failed: {job.message}")
        revision = job.revision
    return revision


# ------------------------------------------------------------------------------------------------
# 1. full recompute and the SQL floor
# ------------------------------------------------------------------------------------------------


def floor_sql() -> str:
    """One statement reading every input row the engine reads, aggregated per unit."""
    from evaluation.models import (
        AssessedScore,
        CampaignUnit,
        DirectScore,
        LeafMeasure,
        LedgerEntry,
        VetoDecision,
    )
    from inspections.models import Finding, Visit
    from surveys.models import (
        Answer,
        AnswerOption,
        Ballot,
        BallotVote,
        DemocraticEvaluation,
        Question,
        Response,
        Survey,
    )

    t = {model.__name__: model._meta.db_table for model in (
        AssessedScore, CampaignUnit, DirectScore, LeafMeasure, LedgerEntry, VetoDecision, Finding, Visit, Answer,
        AnswerOption, Ballot, BallotVote, DemocraticEvaluation, Question, Response, Survey)}
    return f"""
WITH cu AS (
    SELECT unit_id FROM {t['CampaignUnit']} WHERE campaign_id = %(c)s AND NOT survey_only
), ledger_leaf AS (
    SELECT unit_id, node_id, SUM(CASE kind WHEN 'bonus' THEN points ELSE -points END) AS points, COUNT(*) AS n
    FROM {t['LedgerEntry']} WHERE campaign_id = %(c)s AND status <> 'voided' GROUP BY unit_id, node_id
), ledger AS (
    SELECT unit_id, SUM(points) AS points, SUM(n) AS n FROM ledger_leaf GROUP BY unit_id
), measures AS (
    SELECT unit_id, SUM(value) AS total, COUNT(*) AS n FROM {t['LeafMeasure']} WHERE campaign_id = %(c)s GROUP BY unit_id
), assessed AS (
    SELECT unit_id, SUM(score) AS total, COUNT(*) AS n
    FROM {t['AssessedScore']} WHERE campaign_id = %(c)s AND is_final GROUP BY unit_id
), survey AS (
    SELECT q.unit_id, AVG(o.points) AS mean, COUNT(o.points) AS answered, COUNT(*) - COUNT(o.points) AS dont_know
    FROM {t['Answer']} a
    JOIN {t['Response']} r ON r.id = a.response_id
    JOIN {t['Survey']} s ON s.id = r.survey_id
    JOIN {t['Question']} q ON q.id = a.question_id
    JOIN {t['AnswerOption']} o ON o.id = a.option_id
    WHERE s.campaign_id = %(c)s GROUP BY q.unit_id
), votes AS (
    SELECT v.unit_id, b.group_id,
           AVG(CASE v.choice WHEN 'satisfied' THEN 5 WHEN 'average' THEN 3 WHEN 'dissatisfied' THEN 0 END) AS mean
    FROM {t['BallotVote']} v
    JOIN {t['Ballot']} b ON b.id = v.ballot_id
    JOIN {t['DemocraticEvaluation']} e ON e.id = b.evaluation_id
    WHERE e.campaign_id = %(c)s GROUP BY v.unit_id, b.group_id
), democratic AS (
    SELECT unit_id, AVG(mean) * 20 AS score FROM votes GROUP BY unit_id
), findings AS (
    SELECT v.unit_id, SUM(f.points_each * f.count) AS points
    FROM {t['Finding']} f JOIN {t['Visit']} v ON v.id = f.visit_id
    WHERE v.campaign_id = %(c)s AND f.status = 'confirmed' AND f.appeal <> 'upheld' GROUP BY v.unit_id
), vetoes AS (
    SELECT unit_id, COUNT(*) FILTER (WHERE decision = 'vetoed') AS vetoed, COUNT(*) AS decided
    FROM {t['VetoDecision']} WHERE campaign_id = %(c)s GROUP BY unit_id
), direct AS (
    SELECT unit_id, SUM(value) AS total FROM {t['DirectScore']} WHERE campaign_id = %(c)s GROUP BY unit_id
)
SELECT cu.unit_id, ledger.points, ledger.n, measures.total, measures.n, assessed.total, assessed.n,
       survey.mean, survey.answered, survey.dont_know, democratic.score, findings.points,
       vetoes.vetoed, vetoes.decided, direct.total
FROM cu
LEFT JOIN ledger USING (unit_id) LEFT JOIN measures USING (unit_id) LEFT JOIN assessed USING (unit_id)
LEFT JOIN survey USING (unit_id) LEFT JOIN democratic USING (unit_id) LEFT JOIN findings USING (unit_id)
LEFT JOIN vetoes USING (unit_id) LEFT JOIN direct USING (unit_id)
"""  # noqa: S608 - table names from the models, the campaign id is a parameter


def sql_floor(campaign, repeat: int) -> dict[str, Any]:
    sql = floor_sql()
    times = []
    rows: list = []
    for _ in range(repeat):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, {"c": campaign.pk})
            rows = cursor.fetchall()
        times.append(time.perf_counter() - started)
    return {"seconds": [round(s, 3) for s in times], "median_s": round(_median(times), 3), "rows": len(rows)}


class _Phases:
    """Times named stretches of this process: wall and CPU seconds each."""

    def __init__(self) -> None:
        self.seconds: dict[str, dict[str, float]] = {}

    def run(self, name: str, work):
        wall, cpu = time.perf_counter(), time.process_time()
        value = work()
        self.seconds[name] = {"wall_s": round(time.perf_counter() - wall, 3),
                              "cpu_s": round(time.process_time() - cpu, 3)}
        return value


def recompute_phases(campaign, floor_s: float) -> dict[str, Any]:
    """The full recompute's stages one after the other, in this process on one CPU, each beside
    the floor: what any implementation that keeps the engine and explains every node pays.

    The same functions as the job (``evaluation/services/compute.py``), without the job's
    overlap (its forked helpers render a category's rows while it reads and scores the next one,
    and while the database takes the COPY): the
    inputs read, the fingerprints, the engine's scores, ranks and grades, then each unit's node
    results built again in explain mode with their ledger lines, their explanations rendered in
    both languages, the rows serialised, and the COPY of those rows into the results table (in a
    transaction rolled back). ``engine_bound`` sums the first four: reading the inputs and making
    every node's result (score, ledger lines, explanation's parameters), before any text is made
    or anything stored.
    """
    from evaluation.engine import compute_units
    from evaluation.engine.decimals import gc_paused
    from evaluation.models import Category, ResultRevision, Unit, UnitResult
    from evaluation.selectors.inputs import engine_inputs_for
    from evaluation.services import compute
    from indicators.selectors.scheme import engine_scheme_for

    phases = _Phases()
    with gc_paused():
        scheme = engine_scheme_for(campaign)
        inputs = phases.run("inputs", lambda: engine_inputs_for(campaign))
        by_category: dict[str, list] = {}
        for unit in inputs:
            by_category.setdefault(unit.category_code, []).append(unit)
        prints = phases.run("fingerprints", lambda: {
            c.code: compute._fingerprints(c, by_category.get(c.code, []))[1] for c in scheme.categories})
        results = phases.run("engine", lambda: [
            r for c in scheme.categories for r in compute_units(c, by_category.get(c.code, [])).units])
        built = phases.run("nodes", lambda: [r.nodes.items() for r in results])
        phases.run("explanations", lambda: [
            node.explanation.texts() for nodes in built for _code, node in nodes if node.explanation is not None])
        built.clear()  # 300,000 node results: not kept while the rows are made
        unit_ids = dict(Unit.objects.filter(tenant_id=campaign.tenant_id).values_list("code", "pk"))
        category_ids = dict(Category.objects.filter(campaign=campaign).values_list("code", "pk"))
        fresh = [(r, unit_ids[r.unit_code], category_ids[r.category_code], prints[r.category_code][r.unit_code])
                 for r in results]
        with transaction.atomic():
            number = (ResultRevision.objects.filter(campaign=campaign).order_by("-number")
                      .values_list("number", flat=True).first() or 0) + 1
            revision = ResultRevision.objects.create(
                tenant_id=campaign.tenant_id, campaign=campaign, number=number, fingerprint="bench-phases",
                reason="bench", scheme={}, category_fingerprints={})
            # the whole line again (nodes, explanations, serialising): the serialising is what
            # it takes beyond the two stages above
            lines = phases.run("rows", lambda: compute._prefixed(
                compute._copy_prefix(revision), "".join([compute._fresh_line(item) for item in fresh]).encode()))
            with connection.cursor() as cursor:
                phases.run("copy", lambda: compute._copy_in(
                    cursor, UnitResult._meta.db_table, compute._FULL_COLUMNS, io.BytesIO(lines)))
            transaction.set_rollback(True)
    seconds = phases.seconds
    rows = seconds["rows"]
    seconds["serialise"] = {key: round(max(rows[key] - seconds["nodes"][key] - seconds["explanations"][key], 0), 3)
                            for key in ("wall_s", "cpu_s")}
    del seconds["rows"]
    bound = round(sum(seconds[name]["wall_s"] for name in ("inputs", "fingerprints", "engine", "nodes")), 3)
    return {
        "method": " ".join(recompute_phases.__doc__.split("\n\n")[0].split()),
        "phases": seconds,
        "of_floor": {name: round(value["wall_s"] / floor_s, 1) for name, value in seconds.items()} if floor_s else {},
        "engine_bound_s": bound,
        "engine_bound_of_floor": round(bound / floor_s, 1) if floor_s else None,
        "rows_bytes": len(lines),
    }


def measure_recompute(ctx: Context) -> dict[str, Any]:
    from bench.generate import revision_summary

    campaign = ctx.campaign
    runs = []
    for _ in range(ctx.options.repeat):
        reset_results(campaign)
        busy = BusyMeter()
        cpu0 = process_tree_cpu(ctx.worker_pid)
        started = time.perf_counter()
        job = compute_through_worker(ctx, campaign)
        wall = time.perf_counter() - started
        if job.status != "done":
            raise RuntimeError(f"full recompute failed: {job.message}")
        runs.append({
            "wall_s": round(wall, 3),
            "queue_s": round((job.started_at - job.created_at).total_seconds(), 3),
            "execute_s": round((job.finished_at - job.started_at).total_seconds(), 3),
            "worker_cpu_s": round(process_tree_cpu(ctx.worker_pid) - cpu0, 2),
            "machine_busy_cpus": busy.cpus(),
        })
    floor = sql_floor(campaign, ctx.options.repeat)
    phases = recompute_phases(campaign, floor["median_s"])
    revision = job.revision
    summary = revision_summary(revision)
    results = sum(entry["units"] for entry in summary.values())
    complete = sum(entry["complete"] for entry in summary.values())
    if results != ctx.options.scale.units:
        raise RuntimeError(f"the recompute wrote {results} unit results, not {ctx.options.scale.units}")
    median = _median([r["wall_s"] for r in runs])
    return {
        "method": "each run deletes the campaign's revisions and jobs first, so the job computes every category",
        "runs": runs,
        "median_s": round(median, 3),
        "sql_floor": floor,
        "ratio": round(median / floor["median_s"], 1) if floor["median_s"] else None,
        "phases": phases,
        "revision": revision.number,
        "unit_results": results,
        "complete": complete,
        "summary": summary,
    }


def profile_recompute(ctx: Context) -> dict[str, Any]:
    """The full recompute once more, in this process under cProfile: where the time goes."""
    from evaluation.models import ComputeJob
    from evaluation.services.compute import compute_job_create, compute_job_execute

    reset_results(ctx.campaign)
    job, _created = compute_job_create(campaign=ctx.campaign, scope=ComputeJob.Scope.CAMPAIGN)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    job = compute_job_execute(job_id=job.pk)
    profiler.disable()
    wall = time.perf_counter() - started
    if job.status != "done":
        raise RuntimeError(f"profiled recompute failed: {job.message}")
    stats_path = ctx.out / "recompute.prof"
    profiler.dump_stats(stats_path)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)
    (ctx.out / "recompute-profile.txt").write_text(text.getvalue())
    wanted = {
        "engine_scheme_for": "indicators/selectors/scheme.py",
        "engine_inputs_for": "evaluation/selectors/inputs.py",
        "survey_tallies": "surveys/selectors/tallies.py",
        "democratic_tallies": "surveys/selectors/tallies.py",
        "inspection_deductions": "inspections/selectors/deductions.py",
        "missing_sign_offs": "evaluation/selectors/year.py",
        "_fingerprint": "evaluation/services/compute.py",
        "compute_units": "evaluation/engine/",
        "_write_revision": "evaluation/services/compute.py",
        "_unit_result_row": "evaluation/services/compute.py",
        "bulk_create": "django/db/models/query.py",
        "text": "evaluation/engine/explain.py",
    }
    phases: dict[str, float] = {}
    for (filename, _line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if name in wanted and wanted[name] in filename:
            phases[name] = round(phases.get(name, 0.0) + cumulative, 2)
    return {"wall_s": round(wall, 2), "phases_cumulative_s": phases,
            "profile": str(ctx.out / "recompute-profile.txt"), "stats": str(stats_path)}


# ------------------------------------------------------------------------------------------------
# 2. one ledger entry changes
# ------------------------------------------------------------------------------------------------

BENCH_NOTE = "基准测试:单条台帐变更"


def _entry_that_counts(campaign, revision):
    """The first plain confirmed deduction whose leaf is neither full nor emptied, outside the
    deduction pool: voiding it must move the unit's total, so a stale result cannot pass."""
    from decimal import Decimal

    from evaluation.models import LedgerEntry, UnitResult

    nodes_of: dict[int, dict] = {}
    candidates = (
        LedgerEntry.objects.filter(campaign=campaign, status="confirmed", kind="deduction", exempt="", event_key="")
        .select_related("unit", "node", "campaign")
        .order_by("id")
    )
    for entry in candidates[:2000]:
        if entry.unit_id not in nodes_of:
            nodes_of[entry.unit_id] = (
                UnitResult.objects.filter(revision=revision, unit_id=entry.unit_id).values_list("nodes", flat=True).first()
                or {}
            )
        node = nodes_of[entry.unit_id].get(entry.node.code) or {}
        if node.get("score") is None or node.get("parent") == "Z" or entry.node.code.startswith("Z"):
            continue
        if Decimal(0) < Decimal(node["score"]) < Decimal(node["points"]):
            return entry
    raise RuntimeError("no ledger entry whose change would show in the unit's total")


def measure_one_entry(ctx: Context) -> dict[str, Any]:
    """Void an entry, file it again, void that: each through the ledger services the year's
    pages call (they schedule a unit-scope job on commit), timed until the unit's result in a
    newer revision can be read. The entries are put back as they were afterwards."""
    from evaluation.models import ComputeJob, LedgerEntry, UnitResult
    from evaluation.selectors.results import latest_revision
    from evaluation.services.ledger import ledger_entry_file_as, ledger_entry_void

    campaign = ctx.campaign
    revision = ensure_revision(ctx, campaign)
    _wait_idle(campaign)
    original = _entry_that_counts(campaign, revision)
    # An earlier run put its entries back without a computation: the unit's result is brought in
    # line first (a unit-scope job; "inputs unchanged" when it is), else voiding the entry would
    # give the inputs of the latest revision and no new result to wait for.
    compute_through_worker(ctx, campaign, scope="unit", unit=original.unit)
    _wait_idle(campaign)
    original = _entry_that_counts(campaign, latest_revision(campaign))
    unit = original.unit
    entry = original
    runs = []
    filed: list[int] = []
    try:
        for step in range(ctx.options.repeat):
            before = latest_revision(campaign)
            old_total = UnitResult.objects.filter(revision=before, unit=unit).values_list("total", flat=True).first()
            cpu0 = process_tree_cpu(ctx.worker_pid)
            started = time.perf_counter()
            if step % 2 == 0:
                action = "void"
                ledger_entry_void(entry=entry, actor=ctx.users["admin"], reason=BENCH_NOTE)
            else:
                action = "file"
                entry = ledger_entry_file_as(
                    membership=ctx.members["admin"], campaign=campaign, unit=unit, node=original.node,
                    rule_key=original.rule_key, occurred_on=original.occurred_on, quantity=original.quantity,
                    source_document=original.source_document, note=BENCH_NOTE,
                )
                filed.append(entry.pk)
            deadline = time.monotonic() + ctx.options.timeout
            while True:
                row = (
                    UnitResult.objects.filter(revision__campaign=campaign, revision__number__gt=before.number, unit=unit)
                    .values_list("total", "revision__number")
                    .first()
                )
                if row is not None:
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError("the unit's new result never appeared")
                time.sleep(POLL)
            readable = time.perf_counter() - started
            _wait_idle(campaign)
            job = ComputeJob.objects.filter(campaign=campaign, revision__number=row[1]).first()
            runs.append({
                "action": action, "readable_s": round(readable, 3), "job_done_s": round(time.perf_counter() - started, 3),
                "worker_cpu_s": round(process_tree_cpu(ctx.worker_pid) - cpu0, 2),
                "total_before": str(old_total), "total_after": str(row[0]), "changed": old_total != row[0],
                "revision": row[1],
                **({"job_scope": job.scope, "queue_s": round((job.started_at - job.created_at).total_seconds(), 3),
                    "execute_s": round((job.finished_at - job.started_at).total_seconds(), 3)} if job else {}),
            })
    finally:
        # back to the generated data: the re-filed entries go, the original counts again
        LedgerEntry.objects.filter(pk__in=filed).delete()
        LedgerEntry.objects.filter(pk=original.pk).update(status=original.status, void_reason=original.void_reason)
    return {
        "unit": unit.code,
        "entry": original.pk,
        "leaf": original.node.code,
        "method": "ledger_entry_void / ledger_entry_file_as (the year pages' services) → unit-scope job on commit "
                  "→ wait until UnitResult(unit, newer revision) exists",
        "runs": runs,
        "median_s": round(_median([r["readable_s"] for r in runs]), 3),
        "max_s": round(max(r["readable_s"] for r in runs), 3),
    }


# ------------------------------------------------------------------------------------------------
# 3. e-poll intake beside a minimal insert
# ------------------------------------------------------------------------------------------------

INTAKE_SLUG = "bench-intake"
INTAKE_UNITS = 20
INTAKE_TURNS = 3  # the minimal view and the ballots take turns, a third of the requests each time


def intake_survey():
    """The e-poll of a small tenant of its own (20 units, one questionnaire, no per-IP limit):
    what it receives never touches the measured campaign. Earlier runs' responses (and ballots
    an interrupted run left staged) are removed."""
    from evaluation.models import Campaign, CampaignUnit, Category, Tenant, Unit
    from surveys.models import Answer, EpollParticipation, Response, StagedBallot, Survey
    from surveys.services.setup import questionnaire_create, survey_create

    tenant, created = Tenant.objects.get_or_create(slug=INTAKE_SLUG, defaults={"name": "网上评议压力测试"})
    if created:
        campaign = Campaign.objects.create(tenant=tenant, year=2026, name="网上评议压力测试")
        category = Category.objects.create(tenant=tenant, campaign=campaign, code="E1", name="评议单位")
        units = Unit.objects.bulk_create(
            [Unit(tenant=tenant, code=f"E{i:02d}", name=f"评议单位{i:02d}") for i in range(INTAKE_UNITS)]
        )
        CampaignUnit.objects.bulk_create(
            [CampaignUnit(tenant=tenant, campaign=campaign, unit=u, category=category) for u in units]
        )
        survey = survey_create(campaign=campaign, key="epoll", name="网上评议", epoll_enabled=True,
                               purpose="仅用于统计满意度,不收集个人信息。")
        Survey.objects.filter(pk=survey.pk).update(ip_hourly_limit=0)
        questionnaire_create(survey=survey, name="网上问卷", units=units)
    survey = Survey.objects.get(tenant=tenant, key="epoll")
    with connection.cursor() as cursor:  # plain deletes: the ORM would load every row first
        cursor.execute(f"DELETE FROM {Answer._meta.db_table} WHERE tenant_id = %s", [tenant.pk])  # noqa: S608
        cursor.execute(f"DELETE FROM {Response._meta.db_table} WHERE tenant_id = %s", [tenant.pk])  # noqa: S608
        cursor.execute(f"DELETE FROM {EpollParticipation._meta.db_table} WHERE tenant_id = %s", [tenant.pk])  # noqa: S608
        cursor.execute(f"DELETE FROM {StagedBallot._meta.db_table} WHERE tenant_id = %s", [tenant.pk])  # noqa: S608
    return survey


def measure_intake(ctx: Context) -> dict[str, Any]:
    from bench.minimal.models import Ping
    from surveys.models import Response
    from surveys.services.filing import ballots_file

    survey = intake_survey()
    questionnaire = survey.questionnaires.get()
    questions = list(questionnaire.questions.values_list("id", flat=True))
    options = list(questionnaire.options.values_list("id", flat=True))
    Ping.objects.all().delete()
    n, clients = ctx.options.intake_ballots, ctx.options.intake_clients
    base = f"/p/api/s/{survey.public_id}/"

    # a citizen's page load: the form, a nonce and a new device cookie (timed apart)
    nonces: list[str] = [""] * n
    devices: list[str] = [""] * n

    def keep(index: int, reply: Reply) -> None:
        nonces[index] = json.loads(reply.body)["nonce"]
        devices[index] = (reply.headers.get("Set-Cookie") or "").split(";", 1)[0]

    forms = run_load(ctx.port, lambda i: Request("GET", base), total=n, clients=clients, on_reply=keep,
                     cpu_of=ctx.cpu_of)
    rng = random.Random(ctx.options.scale.seed)
    answers = [{str(q): rng.choice(options) for q in questions} for _ in range(n)]

    def minimal_request(index: int) -> Request:
        return json_request("POST", "/bench/insert/", {"survey": survey.pk, "question": questions[index % len(questions)],
                                                       "option": options[index % len(options)]}, expect=201)

    def ballot_request(index: int) -> Request:
        return json_request("POST", base + "responses/",
                            {"questionnaire": questionnaire.pk, "answers": answers[index], "nonce": nonces[index]},
                            headers={"Cookie": devices[index]}, expect=201)

    # in turns, a share of each at a time, so that both meet the same machine (its speed drifts)
    runs: dict[str, list] = {"minimal": [], "ballots": []}
    busy_cpu_seconds = {"minimal": 0.0, "ballots": 0.0}
    shares = [(n * k // INTAKE_TURNS, n * (k + 1) // INTAKE_TURNS) for k in range(INTAKE_TURNS)]
    for start, stop in shares:
        for name, request in (("minimal", minimal_request), ("ballots", ballot_request)):
            busy = BusyMeter()
            run = run_load(ctx.port, lambda i, start=start, request=request: request(start + i), total=stop - start,
                           clients=clients, cpu_of=ctx.cpu_of)
            runs[name].append(run)
            busy_cpu_seconds[name] += (busy.cpus() or 0.0) * run.seconds
    minimal, ballots = LoadResult.joined(runs["minimal"]), LoadResult.joined(runs["ballots"])
    minimal_busy = round(busy_cpu_seconds["minimal"] / minimal.seconds, 2) if minimal.seconds else None
    ballots_busy = round(busy_cpu_seconds["ballots"] / ballots.seconds, 2) if ballots.seconds else None
    # what the beat does every few seconds in production: the received ballots into responses and
    # answers (surveys/services/filing.py), timed apart with its CPU — the rest of a ballot's cost
    meter, started = CpuMeter(ctx.cpu_of), time.perf_counter()
    filed = ballots_file(survey_ids=[survey.pk])
    filing = {"ballots": filed, "seconds": round(time.perf_counter() - started, 3), "cpu_seconds": meter.seconds()}
    stored = Response.objects.filter(survey=survey).count()
    pings = Ping.objects.count()
    if stored != ballots.ok or pings != minimal.ok:
        ctx.notes.append(f"intake: stored {stored} responses for {ballots.ok} accepted, {pings} pings for {minimal.ok}")
    return {
        "clients": clients,
        "turns": INTAKE_TURNS,
        "gunicorn_workers": ctx.options.gunicorn_workers,
        "questions_per_ballot": len(questions),
        "form_get": forms.summary(),
        "epoll_submit": {**ballots.summary(), "machine_busy_cpus": ballots_busy, "stored": stored},
        "filing": filing,
        "minimal_insert": {**minimal.summary(), "machine_busy_cpus": minimal_busy, "stored": pings},
        "ratio": round(ballots.rate / minimal.rate, 3) if minimal.rate else None,
        "ratio_with_filing_cpu": _ratio_with_filing(minimal, ballots, filing),
    }


def _ratio_with_filing(minimal: LoadResult, ballots: LoadResult, filing: dict) -> float | None:
    """The intake's ratio had the filing run during it (the beat's work competing for the same
    CPUs): the machine's CPU per minimal row over its CPU per ballot plus per ballot filed, every
    process counted. An estimate from CPU time, beside the measured ratio; no target."""
    def per_request(run: LoadResult) -> float:
        return sum(run.cpu.values()) / run.requests if run.requests else 0.0

    ballot = per_request(ballots)
    if filing["ballots"]:
        ballot += sum(filing["cpu_seconds"].values()) / filing["ballots"]
    return round(per_request(minimal) / ballot, 3) if ballot else None


# ------------------------------------------------------------------------------------------------
# 4. dashboard and results API
# ------------------------------------------------------------------------------------------------


def _endpoints(campaign, revision) -> dict[str, str]:
    slug = campaign.tenant.slug
    return {
        "dashboard_page": f"/t/{slug}/reports/campaigns/{campaign.pk}/dashboard/",
        "dashboard_data": f"/t/{slug}/reports/campaigns/{campaign.pk}/dashboard/data/",
        "results_api": f"/api/t/{slug}/unit-results/?campaign={campaign.pk}",
        "revision_results_api": f"/api/t/{slug}/result-revisions/{revision.pk}/results/",
    }


def _session_cookie(user) -> str:
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def query_counts(campaign, user) -> dict[str, int]:
    """Queries each endpoint makes, counted in-process with the test client."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from evaluation.selectors.results import latest_revision

    client = Client()
    client.force_login(user)
    counts = {}
    for name, path in _endpoints(campaign, latest_revision(campaign)).items():
        client.get(path)  # warm: the first request also loads templates and the session
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code}")
        counts[name] = len(captured)
    return counts


def measure_dashboard(ctx: Context) -> dict[str, Any]:
    revision = ensure_revision(ctx, ctx.campaign)
    ensure_revision(ctx, ctx.small)
    cookie = _session_cookie(ctx.users["leader"])
    out: dict[str, Any] = {"clients": ctx.options.http_clients, "gunicorn_workers": ctx.options.gunicorn_workers,
                           "units": ctx.options.scale.units, "revision": revision.number}
    for name, path in _endpoints(ctx.campaign, revision).items():
        request = Request("GET", path, headers={"Cookie": cookie})
        workers = ctx.options.gunicorn_workers  # one request per worker: code and templates loaded
        run_load(ctx.port, lambda i, r=request: r, total=workers, clients=workers)
        busy = BusyMeter()
        result = run_load(ctx.port, lambda i, r=request: r, total=ctx.options.http_requests,
                          clients=ctx.options.http_clients, max_seconds=ctx.options.http_seconds, cpu_of=ctx.cpu_of)
        out[name] = {"path": path, **result.summary(), "machine_busy_cpus": busy.cpus()}
    small_units = ctx.small.campaign_units.count()
    out["queries"] = {
        "units": {"large": ctx.options.scale.units, "small": small_units},
        "large": query_counts(ctx.campaign, ctx.users["leader"]),
        "small": query_counts(ctx.small, ctx.users["small_leader"]),
    }
    return out


# ------------------------------------------------------------------------------------------------
# 5. bulletins
# ------------------------------------------------------------------------------------------------


def _pdf_pages(path: Path) -> int | None:
    if shutil.which("pdfinfo") is None:
        return None
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=False).stdout  # noqa: S603, S607
    return next((int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")), None)


def _xlsx_rows(path: Path) -> int:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        return sum(sheet.max_row or 0 for sheet in book.worksheets)
    finally:
        book.close()


def measure_bulletins(ctx: Context) -> dict[str, Any]:
    from reporting.models import BulletinJob
    from reporting.services.bulletins import bulletin_job_start

    revision = ensure_revision(ctx, ctx.campaign)
    out: dict[str, Any] = {"revision": revision.number, "units": revision.unit_results.count()}
    for kind, extension in ((BulletinJob.Kind.PDF, "pdf"), (BulletinJob.Kind.XLSX, "xlsx")):
        cpu0 = process_tree_cpu(ctx.worker_pid)
        busy = BusyMeter()
        started = time.perf_counter()
        with transaction.atomic():
            job = bulletin_job_start(revision=revision, kind=kind, actor=ctx.users["admin"])
        job = _wait_job(BulletinJob, job.pk, timeout=ctx.options.timeout)
        wall = time.perf_counter() - started
        if job.status != "done":
            raise RuntimeError(f"bulletin {kind} failed: {job.message}")
        copy = ctx.out / f"bulletin.{extension}"
        shutil.copyfile(job.file.path, copy)
        job.file.delete(save=False)  # the copy is kept for a look; the job's file would pile up
        entry = {
            "wall_s": round(wall, 2),
            "execute_s": round((job.finished_at - job.started_at).total_seconds(), 2),
            "worker_cpu_s": round(process_tree_cpu(ctx.worker_pid) - cpu0, 2),
            "machine_busy_cpus": busy.cpus(),
            "bytes": copy.stat().st_size,
            "file": str(copy),
        }
        if extension == "pdf":
            entry["pages"] = _pdf_pages(copy)
        else:
            with zipfile.ZipFile(copy) as archive:
                entry["sheets"] = sum(1 for name in archive.namelist() if name.startswith("xl/worksheets/sheet"))
            entry["rows"] = _xlsx_rows(copy)
        out[str(kind)] = entry
    return out
