"""Faults survived (issue #9): a worker killed mid-job, a database lost mid-submission, two people
editing one leaf.

The worker tests start their own Celery worker processes (not the session's shared one: each test
must own the PID it kills), on a queue of their own, against the test database and Redis. The
worker that is killed runs ``tests.fault_worker``: the product's app with a pause installed at the
point of interest (inside the revision's transaction; half-way through writing the bulletin file),
so the kill lands there every time and not by luck of timing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from evaluation.models import CampaignUnit, ComputeJob, ResultRevision, Unit, UnitResult
from evaluation.roles import Role
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
UNITS = 400  # a real campaign's size; the revision is checked to hold every one of them


# --- helpers: workers this test owns -----------------------------------------------------------


def _needs_worker_services():
    if connection.vendor != "postgresql":
        pytest.skip("the killed worker's open transaction is rolled back by the PostgreSQL server; "
                    f"this run is on {connection.vendor}")
    if not django_settings.REDIS_URL:
        pytest.skip("needs REDIS_URL (a real broker)")


def _worker_env(**extra: str) -> dict:
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        # The broker hands a vanished worker's task back after the visibility timeout, which must
        # outlast the time limit; the test shortens both so that the retry comes within seconds
        # (the solo pool enforces no time limit, so the short limit cuts nothing short).
        CELERY_TASK_TIME_LIMIT="1",
        CELERY_BROKER_VISIBILITY_TIMEOUT="2",
    )
    env.update(extra)
    return env


class Worker:
    """One Celery worker process (solo pool) consuming ``queue``; started, owned and ended here."""

    def __init__(self, name: str, queue: str, log_dir: Path, *, app: str = "config", **env: str):
        self.hostname = f"kpfault-{name}-{os.getpid()}@{socket.gethostname()}"
        self.log_path = log_dir / f"worker-{name}.log"
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", app, "worker", "--pool=solo", "--concurrency=1",
             "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-Q", queue, "--hostname", self.hostname],
            cwd=ROOT, env=_worker_env(**env), stdout=self._log, stderr=subprocess.STDOUT,
        )
        from config.celery import app as celery_app

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker {name} exited at start-up:\n{self.log()}")
            if celery_app.control.ping(destination=[self.hostname], timeout=0.5):
                return
        self.stop()
        raise RuntimeError(f"worker {name} did not answer a ping within 30 s:\n{self.log()}")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text()[-4000:]

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


def wait_for(predicate, *, timeout: float, what: str, worker: Worker | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}" + (f"; worker log:\n{worker.log()}" if worker else ""))


def _backend_state(pid: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT state FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row[0] if row else None


def _queue(kind: str) -> str:
    return f"kpfault-{os.getpid()}-{kind}"


# --- 1. a worker killed in the middle of a computation ----------------------------------------


def _campaign_with_units(n: int):
    from indicators.services.scheme import campaign_from_template

    tenant = factories.make_tenant()
    campaign = campaign_from_template(tenant=tenant, template_key="nanping", year=2031, name="故障演练", actor=None)
    categories = list(campaign.categories.order_by("code"))
    units = Unit.objects.bulk_create([Unit(tenant=tenant, code=f"F{i:04d}", name=f"单位{i:04d}") for i in range(n)])
    CampaignUnit.objects.bulk_create(
        CampaignUnit(tenant=tenant, campaign=campaign, unit=unit, category=categories[i % len(categories)])
        for i, unit in enumerate(units)
    )
    return campaign


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_writing_a_revision_leaves_nothing_and_the_job_completes_when_redelivered(tmp_path):
    from evaluation.services.compute import compute_job_create
    from evaluation.tasks import compute_job_run

    _needs_worker_services()
    campaign = _campaign_with_units(UNITS)
    job, created = compute_job_create(campaign=campaign)
    assert created
    queue, marker = _queue("compute"), tmp_path / "paused.json"

    # given a worker that stops inside the revision's transaction, half of the unit results inserted
    doomed = Worker("compute-a", queue, tmp_path, app="tests.fault_worker",
                    KAOPING_FAULT_PAUSE="compute-write", KAOPING_FAULT_MARKER=str(marker))
    try:
        compute_job_run.apply_async((job.pk,), queue=queue)  # what compute_job_start sends after commit
        facts = wait_for(lambda: marker.exists() and json.loads(marker.read_text()), timeout=25,
                         what="the worker to reach the revision write", worker=doomed)
        job.refresh_from_db()
        assert job.status == ComputeJob.Status.RUNNING and (job.progress, job.total) == (2, 3)  # both categories done
        assert (facts["inserted"], facts["rows"]) == (UNITS // 2, UNITS)
        assert _backend_state(facts["backend_pid"]) == "idle in transaction"
        assert not ResultRevision.objects.filter(campaign=campaign).exists()  # uncommitted, so unseen

        # when it is killed by its PID
        doomed.kill()
    finally:
        doomed.stop()

    # then the server rolls its transaction back: no revision, no unit result, the job still "running"
    wait_for(lambda: _backend_state(facts["backend_pid"]) is None, timeout=10, what="PostgreSQL to drop the connection")
    assert not ResultRevision.objects.filter(campaign=campaign).exists()
    assert not UnitResult.objects.filter(revision__campaign=campaign).exists()
    job.refresh_from_db()
    assert job.status == ComputeJob.Status.RUNNING and job.revision is None
    time.sleep(2)  # the broker's (shortened) visibility timeout, counted from the delivery

    # and a new worker is handed the task again by the broker and completes the job, whole
    rescuer = Worker("compute-b", queue, tmp_path)
    try:
        wait_for(lambda: ComputeJob.objects.filter(pk=job.pk, status=ComputeJob.Status.DONE).exists(),
                 timeout=25, what="the redelivered job to finish", worker=rescuer)
    finally:
        rescuer.stop()
    job.refresh_from_db()
    revision = ResultRevision.objects.get(campaign=campaign)
    assert job.revision == revision and revision.number == 1
    assert UnitResult.objects.filter(revision=revision).count() == UNITS
    assert set(UnitResult.objects.filter(revision=revision).values_list("unit_id", flat=True)) == set(
        CampaignUnit.objects.filter(campaign=campaign).values_list("unit_id", flat=True)
    )


# --- 2. a worker killed in the middle of a bulletin --------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils not installed")
def test_a_worker_killed_while_writing_a_bulletin_leaves_no_done_job_and_the_retry_writes_it_whole(
    tmp_path, settings
):
    from reporting.models import BulletinJob
    from reporting.services.bulletins import bulletin_job_create
    from reporting.tasks import bulletin_job_run
    from reporting.tests import builders

    _needs_worker_services()
    settings.MEDIA_ROOT = media = tmp_path / "media"
    revision = builders.example_a(factories.make_tenant())
    job, created = bulletin_job_create(revision=revision, kind=BulletinJob.Kind.PDF)
    assert created
    queue, marker = _queue("bulletin"), tmp_path / "paused.json"

    # given a worker that stops with half of the bulletin's file on disk
    doomed = Worker("bulletin-a", queue, tmp_path, app="tests.fault_worker", MEDIA_ROOT=str(media),
                    KAOPING_FAULT_PAUSE="bulletin-file", KAOPING_FAULT_MARKER=str(marker))
    try:
        bulletin_job_run.apply_async((job.pk,), queue=queue)
        facts = wait_for(lambda: marker.exists() and json.loads(marker.read_text()), timeout=25,
                         what="the worker to start writing the file", worker=doomed)
        torn = Path(facts["path"])
        assert torn.stat().st_size == facts["written"] < facts["size"]
        job.refresh_from_db()
        assert job.status == BulletinJob.Status.RUNNING and not job.file

        # when it is killed by its PID
        doomed.kill()
    finally:
        doomed.stop()

    # then nothing says the bulletin is done, and the torn file is referenced by nothing
    job.refresh_from_db()
    assert job.status == BulletinJob.Status.RUNNING and not job.file and job.finished_at is None
    assert subprocess.run(["pdfinfo", str(torn)], capture_output=True).returncode != 0  # not a readable PDF
    time.sleep(2)  # the broker's (shortened) visibility timeout

    # and the redelivered task renders it again and replaces the torn file with the whole one
    rescuer = Worker("bulletin-b", queue, tmp_path, MEDIA_ROOT=str(media))
    try:
        wait_for(lambda: BulletinJob.objects.filter(pk=job.pk, status=BulletinJob.Status.DONE).exists(),
                 timeout=25, what="the redelivered bulletin job to finish", worker=rescuer)
    finally:
        rescuer.stop()
    job.refresh_from_db()
    assert Path(job.file.path) == torn  # the same name: no stray copy beside it
    assert [p.name for p in torn.parent.iterdir()] == [torn.name]
    info = subprocess.run(["pdfinfo", str(torn)], capture_output=True, check=True).stdout.decode()
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages > 0


# --- jobs whose message is gone: the beat sweep, and duplicate deliveries -----------------------


@pytest.fixture
def small_campaign(db):
    return _campaign_with_units(12)


def _stalled(job, *, status, **fields):
    type(job).objects.filter(pk=job.pk).update(status=status, **fields)


def test_a_second_delivery_leaves_a_running_job_to_its_worker_and_a_redelivery_takes_it_over(small_campaign):
    from evaluation.services.compute import compute_job_create, compute_job_execute

    job, _ = compute_job_create(campaign=small_campaign)
    _stalled(job, status=ComputeJob.Status.RUNNING, started_at=timezone.now())

    untouched = compute_job_execute(job_id=job.pk)  # e.g. the sweep's copy of a job just picked up
    assert untouched.status == ComputeJob.Status.RUNNING and not ResultRevision.objects.exists()

    done = compute_job_execute(job_id=job.pk, redelivered=True)  # the broker: its worker is gone
    assert done.status == ComputeJob.Status.DONE
    assert UnitResult.objects.filter(revision=done.revision).count() == 12
    assert compute_job_execute(job_id=job.pk, redelivered=True).revision == done.revision  # finished: untouched
    assert ResultRevision.objects.count() == 1


def test_the_sweep_hands_back_jobs_no_worker_holds_and_leaves_the_others(small_campaign, settings):
    """A worker ended by the hard time limit acknowledges its message: only the sweep (beat) can
    bring its job back. So can a job whose enqueue after commit was lost."""
    from evaluation.services.compute import compute_job_create
    from evaluation.tasks import compute_jobs_requeue_stalled_run

    job, _ = compute_job_create(campaign=small_campaign)
    long_ago = timezone.now() - timedelta(seconds=settings.KAOPING_JOB_STALE_SECONDS + 60)
    _stalled(job, status=ComputeJob.Status.RUNNING, started_at=timezone.now())
    assert compute_jobs_requeue_stalled_run() == []  # running, and young: its worker may be busy with it

    _stalled(job, status=ComputeJob.Status.RUNNING, started_at=long_ago)
    assert compute_jobs_requeue_stalled_run() == [job.pk]  # tasks run in-process in this test
    job.refresh_from_db()
    assert job.status == ComputeJob.Status.DONE
    assert UnitResult.objects.filter(revision=job.revision).count() == 12
    assert compute_jobs_requeue_stalled_run() == []

    queued, _ = compute_job_create(campaign=small_campaign)
    ComputeJob.objects.filter(pk=queued.pk).update(created_at=long_ago)  # its message never arrived
    assert compute_jobs_requeue_stalled_run() == [queued.pk]
    queued.refresh_from_db()
    assert queued.status == ComputeJob.Status.DONE and queued.message == "inputs unchanged"


def test_bulletin_jobs_follow_the_same_rules(db, settings, tmp_path):
    from reporting.models import BulletinJob
    from reporting.services.bulletins import bulletin_job_create, bulletin_job_execute
    from reporting.tasks import bulletin_jobs_requeue_stalled_run
    from reporting.tests import builders

    settings.MEDIA_ROOT = tmp_path / "media"
    revision = builders.example_a(factories.make_tenant())
    job, _ = bulletin_job_create(revision=revision, kind=BulletinJob.Kind.XLSX)
    _stalled(job, status=BulletinJob.Status.RUNNING, started_at=timezone.now())
    assert bulletin_job_execute(job_id=job.pk).status == BulletinJob.Status.RUNNING
    assert bulletin_jobs_requeue_stalled_run() == []

    long_ago = timezone.now() - timedelta(seconds=settings.KAOPING_JOB_STALE_SECONDS + 60)
    _stalled(job, status=BulletinJob.Status.RUNNING, started_at=long_ago)
    assert bulletin_jobs_requeue_stalled_run() == [job.pk]
    job.refresh_from_db()
    assert job.status == BulletinJob.Status.DONE and Path(job.file.path).stat().st_size > 0


def test_settings_refuse_a_visibility_timeout_the_longest_task_outlasts():
    env = {**os.environ, "CELERY_TASK_TIME_LIMIT": "600", "CELERY_BROKER_VISIBILITY_TIMEOUT": "600"}
    result = subprocess.run([sys.executable, "-c", "import config.settings"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0 and "CELERY_BROKER_VISIBILITY_TIMEOUT must be longer" in result.stderr
    env["CELERY_BROKER_VISIBILITY_TIMEOUT"] = "1200"
    assert subprocess.run([sys.executable, "-c", "import config.settings"], cwd=ROOT, env=env).returncode == 0


# --- 3. the database connection lost during a public submission ------------------------------


def _terminate_backend(pid: int) -> None:
    """End a server connection from a second one, as a failover or a network cut would."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(100):
                cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone() is None:
                    return
                time.sleep(0.05)
    finally:
        other.close()
    raise AssertionError(f"backend {pid} is still there")


def _lose_the_connection_after(monkeypatch, target, name: str) -> list:
    """Wrap ``target.name`` so that, the first time, once it has written (in the request's open
    transaction), the request's own database connection is terminated."""
    original = getattr(target, name)
    lost: list = []

    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        if not lost:
            assert connection.in_atomic_block
            lost.append(connection.connection.info.backend_pid)
            _terminate_backend(lost[0])
        return result

    monkeypatch.setattr(target, name, wrapper)
    return lost


@pytest.fixture
def epoll_world(transactional_db):
    from surveys.services.setup import questionnaire_create, survey_create

    tenant = factories.make_tenant()
    units = [factories.make_unit(tenant, f"U{i}", f"单位{i}") for i in (1, 2)]
    campaign = factories.make_campaign(tenant)
    survey = survey_create(campaign=campaign, key="public", name="公众评议", epoll_enabled=True)
    questionnaire = questionnaire_create(survey=survey, name="问卷", units=units)
    return {"tenant": tenant, "units": units, "survey": survey, "questionnaire": questionnaire}


def _epoll_form(client, survey) -> tuple[str, dict]:
    url = reverse("surveys_public:epoll", kwargs={"public_id": survey.public_id})
    page = client.get(url)
    assert page.status_code == 200
    questionnaire = page.context["questionnaire"]
    option = questionnaire.options.get(label="满意").pk
    data = {"nonce": page.context["nonce"], "questionnaire": questionnaire.pk,
            "submission_key": page.context["submission_key"],
            **{f"q{q.pk}": option for q in questionnaire.questions.all()}}
    assert f'name="submission_key" value="{data["submission_key"]}"' in page.content.decode()
    assert "js/surveys/epoll.js" in page.content.decode()
    return url, data


def _counts():
    from surveys.models import Answer, EpollParticipation, Response

    return Response.objects.count(), Answer.objects.count(), EpollParticipation.objects.count()


@pytest.mark.postgres
def test_an_epoll_form_post_that_loses_the_database_gets_503_and_counts_once_when_sent_again(
    epoll_world, client, monkeypatch
):
    from surveys.services import epoll

    if connection.vendor != "postgresql":
        pytest.skip("needs a PostgreSQL server connection to terminate")
    url, data = _epoll_form(client, epoll_world["survey"])
    lost = _lose_the_connection_after(monkeypatch, epoll, "response_write")

    # when the connection drops after the response was inserted, before the commit
    failed = client.post(url, data)

    # then the visitor is told, in Chinese, that nothing was saved and to send it again; nothing was saved
    assert lost and failed.status_code == 503 and failed["Retry-After"].isdigit()
    page = failed.content.decode()
    assert "您的提交尚未保存" in page and "不会重复计入" in page
    assert _counts() == (0, 0, 0)

    # and the same form sent again is counted once, however often it arrives
    assert client.post(url, data).status_code == 200
    assert _counts() == (1, 2, 1)
    assert client.post(url, data).status_code == 200  # the answer was lost on the way: sent a third time
    assert _counts() == (1, 2, 1)
    # a different form from the same device is a second answer, and refused
    again = {**data, "submission_key": "9b2f6a3e-0c4d-4e59-9a57-1f0f6f3a2b11"}
    assert client.post(url, again).status_code == 409
    assert _counts() == (1, 2, 1)


@pytest.mark.postgres
def test_the_page_script_gets_json_and_a_phone_code_survives_the_lost_connection(
    epoll_world, client, monkeypatch, settings
):
    """The fetch client (static/js/surveys/epoll.js) asks for JSON; in an identified poll the
    verification code is used up only with the response, so the retry can still use it."""
    from surveys.services import epoll
    from surveys.services.sms import MemorySender

    if connection.vendor != "postgresql":
        pytest.skip("needs a PostgreSQL server connection to terminate")
    settings.SURVEY_SMS_SENDER = "surveys.services.sms.MemorySender"
    MemorySender.outbox.clear()
    survey = epoll_world["survey"]
    survey.identification = "phone"
    survey.save(update_fields=["identification"])
    url, data = _epoll_form(client, survey)
    client.post(reverse("surveys_public:epoll_code", kwargs={"public_id": survey.public_id}), {"phone": "13800000009"})
    code = MemorySender.outbox[-1][1].split("验证码为")[1][:6]
    data.update(phone="13800000009", code=code)
    lost = _lose_the_connection_after(monkeypatch, epoll, "response_write")
    fetch = {"HTTP_ACCEPT": "application/json"}

    failed = client.post(url, data, **fetch)
    assert lost and failed.status_code == 503 and failed["Retry-After"].isdigit()
    assert failed.json()["retry"] is True and "尚未保存" in failed.json()["error"]
    assert _counts() == (0, 0, 0)

    retried = client.post(url, data, **fetch)
    assert retried.status_code == 200 and retried.json()["ok"] is True, retried.content
    assert client.post(url, data, **fetch).json()["ok"] is True
    assert _counts() == (1, 2, 1)
    refused = client.post(url, {**data, "submission_key": "0e8e3f55-5a2c-4d7e-8d8b-54c8a1d0c0aa"}, **fetch)
    assert refused.status_code in (400, 409) and refused.json()["ok"] is False  # the code is spent now


@pytest.mark.postgres
def test_a_ballot_that_loses_the_database_gets_503_and_its_token_counts_it_once(epoll_world, client, monkeypatch):
    from surveys.models import Ballot, BallotToken, BallotVote
    from surveys.services.setup import ballot_tokens_issue, democratic_create, evaluator_group_create

    if connection.vendor != "postgresql":
        pytest.skip("needs a PostgreSQL server connection to terminate")
    units = epoll_world["units"]
    evaluation = democratic_create(campaign=epoll_world["survey"].campaign, key="democratic", name="民主测评",
                                   units=units)
    group = evaluator_group_create(evaluation=evaluation, code="g", name="干部")
    token = ballot_tokens_issue(group=group, count=1)[0]
    url = reverse("surveys_public:ballot", kwargs={"token": token.token})
    assert "js/surveys/epoll.js" in client.get(url).content.decode()
    votes = {f"u{units[0].pk}": "satisfied", f"u{units[1].pk}": "average"}
    lost = _lose_the_connection_after(monkeypatch, BallotVote.objects, "bulk_create")

    failed = client.post(url, votes, HTTP_ACCEPT="application/json")
    assert lost and failed.status_code == 503 and failed["Retry-After"].isdigit()
    assert (Ballot.objects.count(), BallotVote.objects.count()) == (0, 0)
    assert not BallotToken.objects.get(pk=token.pk).used

    assert client.post(url, votes, HTTP_ACCEPT="application/json").json()["ok"] is True
    repeat = client.post(url, votes, HTTP_ACCEPT="application/json")
    assert repeat.status_code == 410 and "已投票" in repeat.json()["error"]
    assert (Ballot.objects.count(), BallotVote.objects.count()) == (1, 2)


# --- 4. two people editing the same leaf (indicators/tests/test_views.py covers one user) ------


@pytest.fixture
def scheme_world(db):
    from indicators.models import IndicatorNode
    from indicators.services.scheme import campaign_from_template

    tenant = factories.make_tenant()
    alice = factories.make_member(tenant, Role.OFFICE_ADMIN, user=factories.make_user("alice-leaf"))
    bob = factories.make_member(tenant, Role.OFFICE_ADMIN, user=factories.make_user("bob-leaf"))
    campaign = campaign_from_template(tenant=tenant, template_key="nanping", year=2026, name="南平", actor=None)
    leaf = IndicatorNode.objects.get(category__campaign=campaign, category__code="C1", code="1.2.1")
    return {"tenant": tenant, "alice": alice, "bob": bob, "campaign": campaign, "leaf": leaf}


def _logged_in(membership):
    from django.test import Client

    client = Client()
    client.force_login(membership.user)
    return client


def _leaf_form(client, w) -> tuple[str, dict]:
    """The leaf's edit form as the page gives it, with its current version."""
    leaf = w["leaf"]
    kwargs = {"tenant_slug": w["tenant"].slug, "campaign_id": w["campaign"].pk, "category_id": leaf.category_id,
              "node_id": leaf.pk}
    page = client.get(reverse("indicators:node_edit", kwargs=kwargs))
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: ("" if value is None else value) for name, value in
            ((name, form[name].value()) for name in form.fields)}
    data = {k: v for k, v in data.items() if v is not False}
    for method in form.method_fields():  # the leaf's parameters, as the page's inputs hold them
        data.update({field["name"]: field["value"] for field in method["fields"]})
    return reverse("indicators:node_update", kwargs=kwargs), data


def test_two_people_saving_the_same_leaf_the_second_gets_a_conflict_and_the_first_edit_stays(scheme_world):
    w = scheme_world
    alice, bob = _logged_in(w["alice"]), _logged_in(w["bob"])
    save, alice_form = _leaf_form(alice, w)
    _, bob_form = _leaf_form(bob, w)  # both opened the leaf at the same version
    assert alice_form["version"] == bob_form["version"] == 1

    first = alice.post(save, {**alice_form, "name": "未完成重点任务(甲改)"})
    assert first.status_code == 302
    second = bob.post(save, {**bob_form, "name": "未完成重点任务(乙改)"})

    assert second.status_code == 400
    assert "修改,请刷新后重试" in second.content.decode()
    w["leaf"].refresh_from_db()
    assert w["leaf"].name == "未完成重点任务(甲改)" and w["leaf"].version == 2


def test_the_conflict_names_who_changed_the_leaf_and_when(scheme_world):
    w = scheme_world
    alice, bob = _logged_in(w["alice"]), _logged_in(w["bob"])
    w["alice"].user.first_name = "爱丽丝"
    w["alice"].user.save(update_fields=["first_name"])
    save, alice_form = _leaf_form(alice, w)
    _, bob_form = _leaf_form(bob, w)
    assert alice.post(save, {**alice_form, "name": "甲改"}).status_code == 302
    refused = bob.post(save, {**bob_form, "name": "乙改"})
    message = next(p for p in refused.context["problems"] if "已被" in p)
    assert "爱丽丝" in message or "alice-leaf" in message
    assert re.search(r"\d{1,2}:\d{2}", message)  # when


def test_two_people_putting_the_scheme_document_the_stale_one_gets_409(scheme_world, api_for):
    w = scheme_world
    from indicators.models import IndicatorNode

    url = reverse("scheme-document", kwargs={"tenant_slug": w["tenant"].slug, "campaign_id": w["campaign"].pk})
    alice, bob = api_for(w["alice"]), api_for(w["bob"])
    alice_doc, bob_doc = alice.get(url).json(), bob.get(url).json()

    def renamed(document, name):
        for category in document["categories"]:
            for node in _walk(category["tree"]):
                if category["code"] == "C1" and node["code"] == "1.2.1":
                    node["name"] = name
        return document

    assert alice.put(url, renamed(alice_doc, "甲改"), format="json").status_code == 200
    stale = bob.put(url, renamed(bob_doc, "乙改"), format="json")
    leaf = IndicatorNode.objects.get(category__campaign=w["campaign"], category__code="C1", code="1.2.1")
    assert (stale.status_code, leaf.name) == (409, "甲改")


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.get("children", []))


@pytest.mark.browser
def test_the_epoll_page_sends_the_same_form_again_until_it_is_received(epoll_world, live_server, monkeypatch):
    """In Chromium: the first submission meets a 503 (nothing saved), the second is saved but its
    answer never arrives; the page's script sends the same form a third time and shows the thanks."""
    from playwright.sync_api import expect, sync_playwright

    from surveys.models import Response

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM below runs beside Playwright's loop
    survey = epoll_world["survey"]
    url = live_server.url + reverse("surveys_public:epoll", kwargs={"public_id": survey.public_id})
    sent: list[dict] = []

    def network(route, request):
        if request.method != "POST":
            return route.continue_()
        sent.append({"key": re.search(r'name="submission_key"\r\n\r\n([0-9a-f-]+)', request.post_data).group(1),
                     "accept": request.headers.get("accept")})
        if len(sent) == 1:  # the database is down: the server answers 503 and saves nothing
            return route.fulfill(status=503, headers={"Retry-After": "1", "Content-Type": "application/json"},
                                 body=json.dumps({"ok": False, "retry": True, "error": "暂时中断"}))
        if len(sent) == 2:  # saved, but the answer is lost on the way back
            route.fetch()
            return route.abort("connectionreset")
        return route.continue_()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(locale="zh-CN")
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.route(url, network)
            page.goto(url)
            for question in page.locator("fieldset").all():
                question.get_by_label("满意", exact=True).check()
            page.get_by_role("button", name="提交评议").click()
            expect(page.get_by_role("heading", name="提交成功")).to_be_visible(timeout=20_000)
            expect(page.get_by_role("status")).to_contain_text("感谢您参加“公众评议”")
        finally:
            browser.close()
    assert not errors
    assert len(sent) == 3 and len({s["key"] for s in sent}) == 1  # one submission, sent three times
    assert all(s["accept"] == "application/json" for s in sent)
    assert Response.objects.filter(survey=survey).count() == 1
