"""Staged e-poll ballots (issue #10, docs/surveys.md "What a ballot writes"): a ballot received
counts everywhere answers are read, and filing writes the rows the e-poll wrote at once."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from rest_framework.test import APIClient

from surveys.models import Answer, Response, StagedBallot, answer_key
from surveys.selectors.progress import quota_progress
from surveys.selectors.tallies import survey_tallies
from surveys.services import filing
from surveys.services.filing import ballots_file
from surveys.services.setup import questionnaire_create, stratum_create, survey_create
from surveys.tasks import staged_ballots_file
from tests import factories


@pytest.fixture
def world(db):
    tenant = factories.make_tenant("filing", "丁市效能办")
    units = [factories.make_unit(tenant, f"U{i}", f"单位{i}") for i in range(1, 4)]
    campaign = factories.make_campaign(tenant)
    survey = survey_create(campaign=campaign, key="public", name="公众评议", epoll_enabled=True)
    other = survey_create(campaign=campaign, key="other", name="另一评议", epoll_enabled=True)
    return {
        "campaign": campaign, "units": units, "survey": survey, "other": other,
        "questionnaire": questionnaire_create(survey=survey, name="问卷", units=units),
        "other_questionnaire": questionnaire_create(survey=other, name="问卷", units=units[:1]),
        "stratum": stratum_create(survey=survey, kind="respondent", code="R1", name="企业"),
    }


def _stage(questionnaire, *, stratum=None, label="满意") -> StagedBallot:
    option = questionnaire.options.get(label=label)
    return StagedBallot.objects.create(
        tenant_id=questionnaire.tenant_id, survey_id=questionnaire.survey_id, questionnaire=questionnaire,
        stratum=stratum, ratings={str(q): option.pk for q in questionnaire.questions.values_list("id", flat=True)},
    )


def _post_ballot(survey, questionnaire) -> None:
    api = APIClient()  # a device of its own
    kwargs = {"public_id": survey.public_id}
    nonce = api.get(reverse("surveys_public:api_epoll_form", kwargs=kwargs)).json()["nonce"]
    option = questionnaire.options.get(label="满意").pk
    body = {"questionnaire": questionnaire.pk, "nonce": nonce,
            "answers": {str(q.pk): option for q in questionnaire.questions.all()}}
    assert api.post(reverse("surveys_public:api_epoll_submit", kwargs=kwargs), body, format="json").status_code == 201


def test_a_received_ballot_counts_in_the_tallies_and_the_progress_before_the_beat_files_it(world):
    survey, questionnaire = world["survey"], world["questionnaire"]
    _post_ballot(survey, questionnaire)
    _post_ballot(survey, questionnaire)
    if connection.vendor == "postgresql":  # the intake path stages them
        assert (StagedBallot.objects.count(), Response.objects.count()) == (2, 0)

    assert quota_progress(survey).total_responses == 2
    tallies = survey_tallies(world["campaign"])

    assert {code: sum(keys["public"].counts.values()) for code, keys in tallies.items()} == {"U1": 2, "U2": 2, "U3": 2}
    assert not StagedBallot.objects.exists() and Answer.objects.count() == 6


def test_filing_in_sql_and_through_the_orm_writes_the_rows_the_epoll_writes(world):
    questionnaire, stratum = world["questionnaire"], world["stratum"]
    written = []
    ways = [filing._file_batch] + ([filing._file_batch_in_sql] if connection.vendor == "postgresql" else [])
    for way in ways:
        staged = _stage(questionnaire, stratum=stratum)
        with transaction.atomic():
            assert way(None, 10) == 1
        response = Response.objects.get(pk=staged.pk)  # filed under the key it was staged with
        answers = Answer.objects.filter(response=response)
        assert all(a.pk == answer_key(response.pk, a.question_id) for a in answers)
        written.append((
            (response.tenant_id, response.survey_id, response.questionnaire_id, response.stratum_id,
             response.channel, response.batch_id, response.sheet_no),
            sorted((a.tenant_id, a.question_id, a.option_id) for a in answers),
        ))
    assert written[0][0] == (questionnaire.tenant_id, questionnaire.survey_id, questionnaire.pk, stratum.pk,
                             Response.Channel.ONLINE, None, None)
    assert len(written[0][1]) == 3 and all(way == written[0] for way in written)
    assert not StagedBallot.objects.exists()


def test_filing_takes_the_surveys_asked_for_in_batches_and_the_beat_takes_every_one(world):
    for _ in range(3):
        _stage(world["questionnaire"])
    _stage(world["other_questionnaire"])

    assert ballots_file(survey_ids=[world["survey"].pk], batch=2) == 3  # two batches: 2 and 1
    assert list(StagedBallot.objects.values_list("survey_id", flat=True)) == [world["other"].pk]
    assert ballots_file(survey_ids=[]) == 0

    beat = settings.CELERY_BEAT_SCHEDULE["surveys-file-staged-ballots"]
    assert beat["task"] == staged_ballots_file.name and beat["schedule"] == settings.KAOPING_BALLOT_FILING_SECONDS
    assert staged_ballots_file.apply().get() == 1
    assert (Response.objects.count(), Answer.objects.count(), StagedBallot.objects.count()) == (4, 10, 0)


def test_a_staged_ballot_protects_its_questionnaire_and_survey_as_a_response_does(world):
    staged = _stage(world["questionnaire"], stratum=world["stratum"])
    for doomed in (world["stratum"], world["questionnaire"], world["survey"]):
        with pytest.raises(ProtectedError), transaction.atomic():
            doomed.delete()
    assert StagedBallot.objects.filter(pk=staged.pk).exists()


@pytest.mark.parametrize("way", ["sql", "orm"])
def test_a_ballot_already_filed_is_not_filed_twice_nor_stops_the_others(world, way):
    """A staged ballot whose response exists (only itself, filed before: the key is random) is
    taken off; the other ballots of the batch are filed."""
    if way == "sql" and connection.vendor != "postgresql":
        pytest.skip("the SQL filing is PostgreSQL's")
    filed_before = _stage(world["questionnaire"])
    with transaction.atomic():
        filing._file_batch(None, 10)
    StagedBallot.objects.create(tenant_id=filed_before.tenant_id, survey_id=filed_before.survey_id,
                                questionnaire_id=filed_before.questionnaire_id, id=filed_before.pk,
                                ratings=filed_before.ratings)
    _stage(world["questionnaire"], label="不满意")

    with transaction.atomic():
        (filing._file_batch_in_sql if way == "sql" else filing._file_batch)(None, 10)

    assert (Response.objects.count(), Answer.objects.count(), StagedBallot.objects.count()) == (2, 6, 0)


@pytest.mark.postgres
def test_a_reader_waits_for_the_ballots_another_filing_is_writing_and_the_beat_skips_them(transactional_db, world):
    """Otherwise a computation started while the beat files would miss that batch."""
    import threading

    from django.db import connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's here")
    for _ in range(3):
        _stage(world["questionnaire"])
    holding, release = threading.Event(), threading.Event()
    outcome: dict[str, int] = {}

    def beat_batch_in_flight():
        try:
            with transaction.atomic():
                outcome["beat"] = filing._file_batch_in_sql(None, 10, skip_locked=True)
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    def reader():
        try:
            outcome["reader"] = ballots_file(survey_ids=[world["survey"].pk])
            outcome["answers seen"] = quota_progress(world["survey"]).total_responses
        finally:
            connections.close_all()

    beat = threading.Thread(target=beat_batch_in_flight)
    beat.start()
    assert holding.wait(10)
    assert staged_ballots_file.apply().get() == 0  # another beat run leaves the batch to it
    waiting = threading.Thread(target=reader)
    waiting.start()
    waiting.join(0.5)
    assert waiting.is_alive()  # the reader waits for the batch …
    release.set()
    beat.join(10)
    waiting.join(10)

    assert outcome == {"beat": 3, "reader": 0, "answers seen": 3}  # … and then reads it filed


@pytest.mark.postgres
@pytest.mark.celery_worker
def test_the_beat_task_files_on_a_real_worker(transactional_db, celery_worker_process, world):
    """Through the Redis broker and a worker process, as the beat sends it every few seconds."""
    import time

    if connection.vendor != "postgresql":
        pytest.skip("a worker process reaches the test database on PostgreSQL (SQLite's is in memory)")
    for _ in range(2):
        _stage(world["questionnaire"])

    staged_ballots_file.apply_async(**settings.CELERY_BEAT_SCHEDULE["surveys-file-staged-ballots"]["options"])

    deadline = time.monotonic() + 60
    while StagedBallot.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert (Response.objects.count(), Answer.objects.count(), StagedBallot.objects.count()) == (2, 6, 0)


@pytest.mark.postgres
@pytest.mark.celery_worker
def test_celery_beat_files_received_ballots_through_the_worker(transactional_db, celery_worker_process, world,
                                                               tmp_path):
    """The production path end to end: a ``celery beat`` process (every second here) sends the
    filing to the broker, the worker files what the e-poll received."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.fixtures import ARTIFACTS, ROOT

    if connection.vendor != "postgresql":
        pytest.skip("a worker process reaches the test database on PostgreSQL (SQLite's is in memory)")

    for _ in range(3):
        _stage(world["questionnaire"])
    env = {**os.environ, "KAOPING_BALLOT_FILING_SECONDS": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}
    log = open(ARTIFACTS / "celery-beat.log" if ARTIFACTS.exists() else os.devnull, "w")  # noqa: SIM115
    beat = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO",
         "--schedule", str(tmp_path / "beat-schedule")],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while StagedBallot.objects.exists() and time.monotonic() < deadline and beat.poll() is None:
            time.sleep(0.2)
    finally:
        beat.send_signal(signal.SIGTERM)
        beat.wait(timeout=20)
        log.close()

    assert (Response.objects.count(), Answer.objects.count(), StagedBallot.objects.count()) == (3, 9, 0)
