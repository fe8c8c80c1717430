"""Campaign computation: jobs, revisions, explanations, and worked example A to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command

from evaluation.engine.examples import worked_example_a_inputs
from evaluation.models import ComputeJob, ResultRevision, UnitResult
from evaluation.roles import Role
from evaluation.services.compute import compute_job_create, compute_job_execute, compute_job_start
from evaluation.services.demo import demo_load

# domain section 12: unit -> (indicators, survey/democratic, inspections, total, rank, grade)
EXAMPLE_A = {
    "U1": ("90.00", "46.00", "-1.00", "90.00", 2, "优"),
    "U2": ("103.00", "42.50", "-5.00", "89.00", 3, "良"),
    "U3": ("27.00", "31.00", "0.00", "44.50", 4, "差"),
    "U6": ("102.00", "45.00", "0.00", "96.00", 1, "良"),
    "U4": ("73.50", "26.10", "0.00", "77.55", 2, "良"),
    "U5": ("100.00", "29.40", "-2.00", "97.40", 1, "优"),
}


def _other_inputs_from_example(monkeypatch):
    """Survey tallies and inspection findings as the example states them (their apps test their own
    entry paths); everything else comes from the database through the product's services."""
    by_code = {u.unit_code: u for u in worked_example_a_inputs()}
    monkeypatch.setattr(
        "surveys.selectors.tallies.survey_tallies", lambda campaign, **scope: {c: dict(u.surveys) for c, u in by_code.items()}
    )
    monkeypatch.setattr(
        "surveys.selectors.tallies.democratic_tallies",
        lambda campaign, **scope: {c: {"annual": u.democratic["annual"]} for c, u in by_code.items() if u.democratic},
    )
    monkeypatch.setattr(
        "inspections.selectors.deductions.inspection_deductions",
        lambda campaign, **scope: {c: list(u.inspections) for c, u in by_code.items()},
    )


@pytest.fixture
def example_campaign(db, monkeypatch):
    """The demo campaign with worked example A's ledger, measures and veto entered by services."""
    from evaluation import demo_data

    _other_inputs_from_example(monkeypatch)
    monkeypatch.setattr("evaluation.demo_hooks.run_demo_hooks", lambda tenant: None)
    tenant, _ = demo_load()
    from django.contrib.auth import get_user_model

    from evaluation.models import CampaignUnit, Unit
    from indicators.services.scheme import campaign_from_template

    campaign = campaign_from_template(
        tenant=tenant, template_key="nanping", year=demo_data.DEMO_YEAR, name="示例A",
        actor=get_user_model().objects.get(username="office"),
    )
    categories = {c.code: c for c in campaign.categories.all()}
    for unit in Unit.objects.filter(tenant=tenant):
        category = categories["C2" if unit.code in ("U4", "U5") else "C1"]
        CampaignUnit.objects.create(tenant=tenant, campaign=campaign, unit=unit, category=category)
    demo_data.load(tenant)
    return campaign


def _compute(campaign):
    job, created = compute_job_create(campaign=campaign)
    assert created
    return compute_job_execute(job_id=job.pk)


def test_worked_example_a_is_reproduced_to_the_cent(example_campaign):
    job = _compute(example_campaign)
    assert job.status == ComputeJob.Status.DONE, job.message
    rows = {r.unit.code: r for r in UnitResult.objects.filter(revision=job.revision).select_related("unit")}
    assert set(rows) == set(EXAMPLE_A)
    for code, (indicators, survey, inspections, total, rank, grade) in EXAMPLE_A.items():
        row = rows[code]
        assert row.components[0]["raw"] == indicators, code
        assert [c["value"] for c in row.components[1:]] == [survey, inspections], code
        assert row.total == Decimal(total), code
        assert (row.rank, row.grade) == (rank, grade), code
    assert rows["U3"].last_place and not rows["U1"].last_place
    assert rows["U6"].vetoed and not rows["U6"].eligible_top
    leaves = rows["U1"].nodes
    assert [leaves[c]["score"] for c in ("1.1.1", "1.2.1", "1.2.2", "2.1.1", "2.2.1", "3.1.1", "4")] == [
        "27.00", "15.00", "10.00", "10.00", "10.00", "13.00", "5.00"
    ]
    assert [rows["U4"].nodes[c]["score"] for c in ("1.1", "1.2", "2.1", "2.2")] == ["10.00", "25.00", "18.50", "20.00"]


def test_every_number_explains_itself_with_the_ledger_behind_it(example_campaign):
    job = _compute(example_campaign)
    u1 = UnitResult.objects.get(revision=job.revision, unit__code="U1")
    complaint = u1.nodes["3.1.1"]
    assert "13.00" in complaint["explanation"]["zh"] and "13.00" in complaint["explanation"]["en"]
    exempt = [line for line in complaint["lines"] if line["status"] == "exempt"]
    assert len(exempt) == 1 and str(exempt[0]["entry_id"]) in complaint["explanation"]["en"]
    assert "90.00" in u1.explanation["total"]["zh"]
    u6 = UnitResult.objects.get(revision=job.revision, unit__code="U6")
    assert "优" in u6.explanation["grade"]["zh"]


def test_a_finished_job_rerun_does_nothing_and_unchanged_inputs_make_no_new_revision(example_campaign):
    job = _compute(example_campaign)
    again = compute_job_execute(job_id=job.pk)
    assert again.revision_id == job.revision_id and ResultRevision.objects.count() == 1
    second = _compute(example_campaign)
    assert second.revision_id == job.revision_id and second.message == "inputs unchanged"


def test_a_voided_entry_lands_in_a_new_revision_and_the_old_one_stays(example_campaign):
    from evaluation.models import LedgerEntry

    first = _compute(example_campaign)
    entry = LedgerEntry.objects.get(campaign=example_campaign, unit__code="U3", rule_key="missed_quarter")
    LedgerEntry.objects.filter(pk=entry.pk).update(status=LedgerEntry.Status.VOIDED, void_reason="核实有误")
    job, _ = compute_job_create(campaign=example_campaign, scope="unit", unit=entry.unit)
    second = compute_job_execute(job_id=job.pk)
    assert second.revision.number == first.revision.number + 1
    old = UnitResult.objects.get(revision=first.revision, unit__code="U3")
    new = UnitResult.objects.get(revision=second.revision, unit__code="U3")
    assert (old.nodes["2.1.1"]["score"], new.nodes["2.1.1"]["score"]) == ("0.00", "10.00")
    # category 2 was carried over unchanged
    assert UnitResult.objects.filter(revision=second.revision).count() == 6


_ROW_FIELDS = ("unit_id", "category_id", "complete", "missing", "total", "rank", "grade", "eligible_top", "vetoed",
               "last_place", "overflow", "components", "nodes", "explanation", "inputs_fingerprint", "standing")


def _rows(revision):
    return {r["unit_id"]: r for r in UnitResult.objects.filter(revision=revision).values(*_ROW_FIELDS)}


@pytest.mark.parametrize("writer", ["postgresql", "orm"])
def test_a_unit_scope_revision_equals_a_full_recompute_and_keeps_unchanged_units_rows(
    example_campaign, monkeypatch, writer
):
    """Units whose inputs did not change keep their rows' nodes (copied, not rendered again), but
    ranks, grades and their explanations are new: the revision is what a first computation gives."""
    from django.db import connection

    from evaluation.models import LedgerEntry
    from evaluation.services import compute

    if writer == "orm":
        monkeypatch.setattr(compute, "_insert_postgresql", compute._insert_orm)
    elif connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's COPY path")
    else:
        monkeypatch.setattr(compute, "COPY_MIN_ROWS", 1)
    rendered = []
    real_nodes = compute._nodes
    monkeypatch.setattr(compute, "_nodes", lambda result: rendered.append(result.unit_code) or real_nodes(result))
    first = _compute(example_campaign)
    entry = LedgerEntry.objects.get(campaign=example_campaign, unit__code="U3", rule_key="missed_quarter")
    LedgerEntry.objects.filter(pk=entry.pk).update(status=LedgerEntry.Status.VOIDED, void_reason="核实有误")
    rendered.clear()
    categories_computed = _count_category_computations(monkeypatch)
    job, _ = compute_job_create(campaign=example_campaign, scope="unit", unit=entry.unit)
    second = compute_job_execute(job_id=job.pk)
    assert rendered == ["U3"]  # U1, U2, U6 (same category) kept their nodes; category 2 carried whole
    assert categories_computed == []  # U3 alone was scored, ranked among the others' stored rows
    incremental = _rows(second.revision)
    before = _rows(first.revision)
    u3 = entry.unit_id
    assert incremental[u3]["inputs_fingerprint"] != before[u3]["inputs_fingerprint"]
    assert incremental[u3]["total"] > before[u3]["total"]
    # a first computation from scratch gives the very same rows
    ResultRevision.objects.all().delete()
    ComputeJob.objects.all().delete()
    fresh = _rows(_compute(example_campaign).revision)
    assert set(fresh) == set(incremental)
    for unit_id, row in fresh.items():
        assert row == incremental[unit_id], unit_id


def _count_category_computations(monkeypatch) -> list:
    from evaluation.services import compute

    calls = []
    real = compute.compute_units
    monkeypatch.setattr(compute, "compute_units", lambda category, inputs: calls.append(category.code) or real(
        category, inputs))
    return calls


def test_a_unit_falling_behind_another_moves_that_units_rank_as_a_full_recompute_does(
    example_campaign, monkeypatch
):
    """U1 (90.00, 2nd) takes more deductions and falls behind U2 (89.00, 3rd): the one-unit job
    re-ranks U2 from its stored row, exactly as computing everything would."""
    from evaluation.models import LedgerEntry

    first = _compute(example_campaign)
    before = _rows(first.revision)
    deduction = LedgerEntry.objects.get(campaign=example_campaign, unit__code="U1", rule_key="unfinished")
    categories_computed = _count_category_computations(monkeypatch)
    for _ in range(20):  # the same deduction filed again until U1 falls behind U2
        deduction.pk = None
        deduction.save()
        job, _ = compute_job_create(campaign=example_campaign, scope="unit", unit=deduction.unit)
        job = compute_job_execute(job_id=job.pk)
        assert job.status == ComputeJob.Status.DONE, job.message
        u1 = UnitResult.objects.get(revision=job.revision, unit__code="U1")
        if u1.total < Decimal("89.00"):
            break
    else:
        pytest.fail("U1 never fell behind U2")
    assert categories_computed == []
    incremental = _rows(job.revision)
    u2 = UnitResult.objects.get(revision=job.revision, unit__code="U2")
    assert (before[u2.unit_id]["rank"], u2.rank, u1.rank) == (3, 2, 3)
    assert before[u2.unit_id]["explanation"] != incremental[u2.unit_id]["explanation"]
    ResultRevision.objects.all().delete()
    ComputeJob.objects.all().delete()
    fresh = _rows(_compute(example_campaign).revision)
    assert fresh == incremental


def test_a_unit_scope_job_computes_the_whole_category_when_the_scheme_or_the_row_format_changed(
    example_campaign, monkeypatch
):
    from evaluation.models import LedgerEntry

    first = _compute(example_campaign)
    entry = LedgerEntry.objects.get(campaign=example_campaign, unit__code="U3", rule_key="missed_quarter")
    categories_computed = _count_category_computations(monkeypatch)
    # rows written before rows kept their standing
    UnitResult.objects.filter(revision=first.revision, unit__code="U1").update(standing={})
    LedgerEntry.objects.filter(pk=entry.pk).update(status=LedgerEntry.Status.VOIDED, void_reason="核实有误")
    job, _ = compute_job_create(campaign=example_campaign, scope="unit", unit=entry.unit)
    second = compute_job_execute(job_id=job.pk)
    assert second.status == ComputeJob.Status.DONE and categories_computed == ["C1"]
    # the scheme the latest revision was made with is not today's
    categories_computed.clear()
    ResultRevision.objects.filter(pk=second.revision_id).update(scheme={"edited": True})
    LedgerEntry.objects.filter(pk=entry.pk).update(status=LedgerEntry.Status.CONFIRMED, void_reason="")
    job, _ = compute_job_create(campaign=example_campaign, scope="unit", unit=entry.unit)
    third = compute_job_execute(job_id=job.pk)
    assert third.status == ComputeJob.Status.DONE and categories_computed == ["C1"]
    assert _rows(third.revision)[entry.unit_id]["total"] == _rows(first.revision)[entry.unit_id]["total"]


@pytest.fixture
def helpers(monkeypatch):
    """The parallel COPY path at the example's size (PostgreSQL on POSIX): 3 CPUs, helpers from 2
    expected rows on and for any category; the pids of the helper processes forked, in order."""
    import os

    from django.db import connection

    from evaluation.services import compute

    if connection.vendor != "postgresql" or not hasattr(os, "fork"):
        pytest.skip("the parallel COPY path: PostgreSQL on POSIX")
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    monkeypatch.setattr(compute, "PARALLEL_MIN_ROWS", 2)
    monkeypatch.setattr(compute, "HELPER_MIN_ROWS", 1)
    monkeypatch.setattr(compute, "COPY_MIN_ROWS", 1)
    pids = []
    real_fork = os.fork

    def fork():
        pid = real_fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    return pids


def test_rows_rendered_by_helper_processes_equal_those_rendered_in_one(example_campaign, monkeypatch, helpers):
    from evaluation.services import compute

    parallel = _rows(_compute(example_campaign).revision)
    assert len(helpers) == 3  # 6 new rows in 3 shares, one helper each; this process feeds the COPY
    ResultRevision.objects.all().delete()
    ComputeJob.objects.all().delete()
    monkeypatch.setattr(compute, "PARALLEL_MIN_ROWS", 10_000)
    single = _rows(_compute(example_campaign).revision)
    assert parallel == single and len(single) == 6


def test_a_recompute_where_most_units_kept_their_rows_renders_the_few_new_ones_itself(
    example_campaign, monkeypatch, helpers
):
    from evaluation.models import LedgerEntry
    from evaluation.services import compute

    monkeypatch.setattr(compute, "HELPER_MIN_ROWS", 2)
    first = _compute(example_campaign)
    assert len(helpers) == 3  # C1's 4 rows in 2 shares, C2's 2 rows in 1
    entry = LedgerEntry.objects.get(campaign=example_campaign, unit__code="U3", rule_key="missed_quarter")
    LedgerEntry.objects.filter(pk=entry.pk).update(status=LedgerEntry.Status.VOIDED, void_reason="核实有误")
    helpers.clear()

    job, _ = compute_job_create(campaign=example_campaign, scope="campaign")
    second = compute_job_execute(job_id=job.pk)

    assert second.status == ComputeJob.Status.DONE and helpers == []  # one new row (U3): no helper
    assert _rows(second.revision)[entry.unit_id]["total"] > _rows(first.revision)[entry.unit_id]["total"]


def test_rows_a_failed_helper_did_not_deliver_are_rendered_by_the_job_itself(example_campaign, monkeypatch, helpers):
    import os

    from evaluation.services import compute

    monkeypatch.setattr(compute, "PARALLEL_MIN_ROWS", 10_000)
    single = _rows(_compute(example_campaign).revision)
    ResultRevision.objects.all().delete()
    ComputeJob.objects.all().delete()
    monkeypatch.setattr(compute, "PARALLEL_MIN_ROWS", 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(compute, "_HELPER_BATCH", 1)
    parent = os.getpid()
    real_line = compute._fresh_line
    delivered = []

    def line(item):
        if os.getpid() != parent:
            delivered.append(item)
            if len(delivered) == 2:  # a helper dies after writing its first row
                os._exit(3)
        return real_line(item)

    monkeypatch.setattr(compute, "_fresh_line", line)
    assert _rows(_compute(example_campaign).revision) == single
    # no helper process to be had at all: every share rendered by the job itself
    ResultRevision.objects.all().delete()
    ComputeJob.objects.all().delete()
    monkeypatch.setattr(compute, "_fresh_line", real_line)

    def no_fork():
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert _rows(_compute(example_campaign).revision) == single


def test_a_job_failing_after_its_first_category_stops_and_reaps_the_helpers_rendering_it(
    example_campaign, monkeypatch, helpers
):
    """The first category's rows are being rendered by helpers when the second one fails: the job
    is marked failed, writes nothing, and leaves no helper process behind (not even a zombie)."""
    import os

    from evaluation.services import compute

    real_compute_units = compute.compute_units
    scored = []

    def compute_units(category, inputs):
        scored.append(category.code)
        if len(scored) == 2:
            raise RuntimeError("the second category cannot be scored")
        return real_compute_units(category, inputs)

    monkeypatch.setattr(compute, "compute_units", compute_units)

    job = _compute(example_campaign)

    assert job.status == ComputeJob.Status.FAILED and "second category" in job.message
    assert scored == ["C1", "C2"] and len(helpers) == 2  # C1's 4 rows in shares of 2
    assert not ResultRevision.objects.filter(campaign=example_campaign).exists()
    for pid in helpers:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_new_fingerprint_whenever_a_unit_input_changes():
    from dataclasses import replace

    from evaluation.engine import scheme_from_dict
    from evaluation.engine.examples import worked_example_a_scheme
    from evaluation.services.compute import _fingerprints

    category = scheme_from_dict(worked_example_a_scheme()).categories[0]
    units = [u for u in worked_example_a_inputs() if u.category_code == category.code]
    whole, per_unit = _fingerprints(category, units)
    assert _fingerprints(category, list(units)) == (whole, per_unit)
    first = units[0]
    # 1.0 and 1.00 are equal numbers but print differently in explanations: different inputs
    changed = [replace(first, direct={**first.direct, "x": Decimal("1.0")})]
    other = [replace(first, direct={**first.direct, "x": Decimal("1.00")})]
    a = _fingerprints(category, changed + units[1:])
    b = _fingerprints(category, other + units[1:])
    assert a[0] != whole and a[0] != b[0]
    assert a[1][first.unit_code] != per_unit[first.unit_code]
    assert {k: v for k, v in a[1].items() if k != first.unit_code} == {
        k: v for k, v in per_unit.items() if k != first.unit_code
    }
    # the order rows came in does not matter
    reordered = replace(first, measures=dict(reversed(list(first.measures.items()))))
    assert _fingerprints(category, [reordered] + units[1:]) == (whole, per_unit)


def test_one_unfinished_job_per_campaign_and_a_change_during_it_asks_for_a_rerun(example_campaign):
    job, created = compute_job_create(campaign=example_campaign)
    ComputeJob.objects.filter(pk=job.pk).update(status=ComputeJob.Status.RUNNING)
    same, created_again = compute_job_create(campaign=example_campaign, scope="unit", unit=job.campaign.campaign_units.first().unit)
    assert created and not created_again and same.pk == job.pk
    same.refresh_from_db()
    assert same.rerun_requested


def test_a_unit_with_a_missing_measure_is_incomplete_not_guessed(example_campaign):
    from evaluation.models import LeafMeasure

    LeafMeasure.objects.filter(campaign=example_campaign, unit__code="U2", node__code="1.1.1").delete()
    job = _compute(example_campaign)
    u2 = UnitResult.objects.get(revision=job.revision, unit__code="U2")
    assert not u2.complete and u2.total is None and u2.rank is None
    assert any("1.1.1" in m["zh"] for m in u2.missing)
    u1 = UnitResult.objects.get(revision=job.revision, unit__code="U1")
    assert (u1.rank, UnitResult.objects.get(revision=job.revision, unit__code="U3").rank) == (2, 3)


def test_pages_show_ranks_and_the_unit_score_page_explains(example_campaign, client):
    from django.contrib.auth import get_user_model

    job = _compute(example_campaign)
    users = get_user_model().objects
    client.force_login(users.get(username="office"))
    page = client.get(f"/t/demo/campaigns/{example_campaign.pk}/results/").content.decode()
    assert "财政局" in page and "96.00" in page and "末位" in page
    u1 = UnitResult.objects.get(revision=job.revision, unit__code="U1")
    detail = client.get(f"/t/demo/campaigns/{example_campaign.pk}/units/{u1.unit_id}/result/").content.decode()
    assert "13.00" in detail and "免扣" in detail


def test_a_liaison_sees_only_its_own_unit_result(example_campaign, client, api_for):
    from evaluation.models import Membership

    job = _compute(example_campaign)
    liaison = Membership.objects.get(tenant=example_campaign.tenant, role=Role.LIAISON)  # bound to U1
    client.force_login(liaison.user)
    own = UnitResult.objects.get(revision=job.revision, unit=liaison.unit)
    other = UnitResult.objects.get(revision=job.revision, unit__code="U2")
    base = f"/t/demo/campaigns/{example_campaign.pk}/units"
    assert client.get(f"{base}/{own.unit_id}/result/").status_code == 200
    assert client.get(f"{base}/{other.unit_id}/result/").status_code == 404
    assert client.get(f"/t/demo/campaigns/{example_campaign.pk}/results/").status_code == 403
    listing = api_for(liaison).get(f"/api/t/demo/unit-results/?campaign={example_campaign.pk}").json()
    assert [r["unit_code"] for r in listing["results"]] == ["U1"]
    assert api_for(liaison).get(f"/api/t/demo/unit-results/{other.pk}/").status_code == 404


def test_the_api_starts_a_job_and_returns_at_once(example_campaign, api_for, django_capture_on_commit_callbacks):
    from evaluation.models import Membership

    office = Membership.objects.get(tenant=example_campaign.tenant, role=Role.OFFICE_ADMIN)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_for(office).post("/api/t/demo/compute-jobs/", {"campaign": example_campaign.pk}, format="json")
    assert response.status_code == 202 and response.json()["status"] == "created"
    assert len(callbacks) == 1  # enqueued after commit, not run inside the request
    callbacks[0]()
    job = ComputeJob.objects.get(pk=response.json()["id"])
    assert job.status == ComputeJob.Status.DONE
    listing = api_for(office).get(f"/api/t/demo/unit-results/?campaign={example_campaign.pk}").json()
    u1 = next(r for r in listing["results"] if r["unit_code"] == "U1")
    assert u1["total"] == "90.00" and "nodes" not in u1  # the list is the summary
    with_nodes = api_for(office).get(f"/api/t/demo/unit-results/?campaign={example_campaign.pk}&include=nodes").json()
    assert next(r for r in with_nodes["results"] if r["unit_code"] == "U1")["nodes"]["3.1.1"]["explanation"]["zh"]
    detail = api_for(office).get(f"/api/t/demo/unit-results/{u1['id']}/").json()
    assert detail["revision_number"] == u1["revision_number"] and detail["nodes"]["3.1.1"]["explanation"]["zh"]


def test_export_results_json_for_scripts(example_campaign, capsys):
    import json

    _compute(example_campaign)
    call_command("export_results", tenant="demo", campaign=example_campaign.pk, format="json")
    document = json.loads(capsys.readouterr().out)
    u6 = next(u for u in document["units"] if u["code"] == "U6")
    assert (u6["total"], u6["rank"], u6["grade"], u6["eligible_top"]) == ("96.00", 1, "良", False)
    assert u6["category"] == "C1" and u6["explanation"]["grade"]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_computes_the_campaign(celery_worker_process, monkeypatch):
    """Through Redis and a worker process: the request returns, the worker writes the revision."""
    import time

    from evaluation.models import Campaign, CampaignUnit, Unit
    from indicators.services.scheme import campaign_from_template

    monkeypatch.setattr("evaluation.demo_hooks.run_demo_hooks", lambda tenant: None)
    tenant, _ = demo_load()
    from django.contrib.auth import get_user_model

    campaign = campaign_from_template(
        tenant=tenant, template_key="nanping", year=2030, name="worker", actor=get_user_model().objects.get(username="office")
    )
    category = campaign.categories.get(code="C2")
    for unit in Unit.objects.filter(tenant=tenant, code__in=["U4", "U5"]):
        CampaignUnit.objects.create(tenant=tenant, campaign=campaign, unit=unit, category=category)
    job = compute_job_start(campaign=Campaign.objects.get(pk=campaign.pk))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (ComputeJob.Status.DONE, ComputeJob.Status.FAILED):
            break
        time.sleep(0.2)
    assert job.status == ComputeJob.Status.DONE, job.message
    # no ballots were cast: both units are incomplete, reported rather than guessed
    rows = UnitResult.objects.filter(revision=job.revision)
    assert rows.count() == 2 and not any(r.complete for r in rows)


def test_a_unit_waiting_for_a_sign_off_loses_the_top_grade_only(example_campaign):
    """Excellence needs every veto authority's sign-off (domain section 9)."""
    from evaluation.models import VetoDecision

    VetoDecision.objects.filter(campaign=example_campaign, unit__code="U1").delete()
    job = _compute(example_campaign)
    u1 = UnitResult.objects.get(revision=job.revision, unit__code="U1")
    assert (u1.total, u1.rank, u1.grade, u1.eligible_top, u1.vetoed) == (Decimal("90.00"), 2, "良", False, False)
    assert "签署" in u1.explanation["grade"]["zh"]


def test_the_first_revision_holds_every_category_even_from_a_unit_job(example_campaign):
    unit = example_campaign.campaign_units.get(unit__code="U4").unit
    job, _ = compute_job_create(campaign=example_campaign, scope="unit", unit=unit)
    job = compute_job_execute(job_id=job.pk)
    assert UnitResult.objects.filter(revision=job.revision).count() == 6


def test_stored_json_is_the_text_the_standard_library_writes():
    import json

    from evaluation.services.compute import _json

    tricky = "考评 “达标” \"quoted\" back\\slash tab\t newline\n nul\x00 \x1f \x7f \u2028 😀 é"
    value = {"3.1.1": {"name": tricky, "score": "13.00", "lines": [{"entry_id": 412, "exempt": None, "ok": True}]},
             "list": [tricky, 1, -2, False, None, [], {}], 7: "an int key"}

    assert _json(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
