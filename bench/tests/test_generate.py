"""The benchmark's generator: a small campaign the real engine computes, the same every time.

Run with the bench settings (they add the bench-only app):
    .venv/bin/python -m pytest bench/tests -q --ds bench.settings
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from bench.generate import Scale, compute_in_process, generate, revision_summary

if "bench.minimal" not in settings.INSTALLED_APPS:
    pytest.skip("run with --ds bench.settings (the bench-only app)", allow_module_level=True)

SCALE = Scale(units=12, categories=4, leaves=40, ledger=600, ballots=2400, votes=240, findings=60, seed=3)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _quiet(*_args) -> None:
    return None


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the generator loads with PostgreSQL COPY")


def test_generated_campaign_computes_complete_varied_results():
    campaign, _seconds, counts = generate(SCALE, "gen-a", log=_quiet)

    revision = compute_in_process(campaign)

    summary = revision_summary(revision)
    assert sum(entry["units"] for entry in summary.values()) == SCALE.units
    assert all(entry["complete"] == entry["units"] for entry in summary.values())
    assert len({entry["mean"] for entry in summary.values()}) > 1
    assert all(entry["min"] != entry["max"] for entry in summary.values())
    assert counts["ledger_entries"] == SCALE.ledger
    assert counts["answers"] == SCALE.ballots
    assert counts["votes"] == SCALE.votes
    assert counts["findings"] == SCALE.findings


def test_same_scale_and_seed_give_the_same_results():
    first, _s, first_counts = generate(SCALE, "gen-b", log=_quiet)
    second, _s, second_counts = generate(SCALE, "gen-c", log=_quiet)

    assert first_counts == second_counts
    assert revision_summary(compute_in_process(first)) == revision_summary(compute_in_process(second))


def test_sql_floor_reads_one_row_per_unit():
    from bench.measures import sql_floor

    campaign, _seconds, _counts = generate(SCALE, "gen-d", log=_quiet)

    assert sql_floor(campaign, 1)["rows"] == SCALE.units


def test_recompute_phases_time_every_stage_and_leave_no_revision_behind():
    from bench.measures import recompute_phases
    from bench.run import PHASE_LABELS
    from evaluation.models import ResultRevision, UnitResult

    campaign, _seconds, _counts = generate(SCALE, "gen-e", log=_quiet)
    revision = compute_in_process(campaign)
    rows_before = UnitResult.objects.filter(revision__campaign=campaign).count()

    phases = recompute_phases(campaign, 0.5)

    assert set(phases["phases"]) == set(PHASE_LABELS)
    assert all(value["wall_s"] >= 0 and value["cpu_s"] >= 0 for value in phases["phases"].values())
    first_four = sum(phases["phases"][name]["wall_s"] for name in ("inputs", "fingerprints", "engine", "nodes"))
    assert phases["engine_bound_s"] == round(first_four, 3)
    assert phases["engine_bound_of_floor"] == round(first_four / 0.5, 1)
    assert phases["rows_bytes"] > SCALE.units * 1000  # every unit's nodes with their explanations
    assert list(ResultRevision.objects.filter(campaign=campaign)) == [revision]
    assert UnitResult.objects.filter(revision__campaign=campaign).count() == rows_before
