"""The public e-poll API's submission key (issue #9): a retried submission is counted once, a
lost database connection answers 503 + Retry-After, and the retry then counts."""

from __future__ import annotations

import pytest
from django.db import close_old_connections, connection, connections
from django.urls import reverse
from rest_framework.test import APIClient

from surveys.models import Answer, EpollParticipation, Response
from surveys.services.filing import ballots_file
from tests import factories

KEY = "3f1c1d9e-8a53-4c55-b2a5-0f0c9e1f2a61"
OTHER_KEY = "9b2f6a3e-0c4d-4e59-9a57-1f0f6f3a2b11"


def _world():
    from surveys.services.setup import questionnaire_create, survey_create

    tenant = factories.make_tenant("epoll-api", "乙市效能办")
    units = [factories.make_unit(tenant, f"U{i}", f"单位{i}") for i in (1, 2)]
    campaign = factories.make_campaign(tenant)
    survey = survey_create(campaign=campaign, key="public", name="公众评议", epoll_enabled=True)
    questionnaire = questionnaire_create(survey=survey, name="问卷", units=units)
    return {"survey": survey, "questionnaire": questionnaire}


@pytest.fixture
def world(db):
    return _world()


def _submission(api: APIClient, w, key: str | None) -> tuple[str, dict]:
    """The submit URL and a complete body, with a nonce fetched as the device (cookie) of ``api``."""
    public_id = w["survey"].public_id
    form = api.get(reverse("surveys_public:api_epoll_form", kwargs={"public_id": public_id})).json()
    option = w["questionnaire"].options.get(label="满意").pk
    body = {"questionnaire": w["questionnaire"].pk, "nonce": form["nonce"],
            "answers": {str(q.pk): option for q in w["questionnaire"].questions.all()}}
    if key is not None:
        body["submission_key"] = key
    return reverse("surveys_public:api_epoll_submit", kwargs={"public_id": public_id}), body


def _counts() -> tuple[int, int, int]:
    """Responses, answers and participations, once the received ballots are filed."""
    ballots_file()
    return Response.objects.count(), Answer.objects.count(), EpollParticipation.objects.count()


def test_the_same_submission_key_sent_again_is_counted_once(world):
    api = APIClient()
    url, body = _submission(api, world, KEY)

    first = api.post(url, body, format="json")
    again = api.post(url, body, format="json")  # the answer to the first was lost on the way

    assert (first.status_code, first.json()) == (201, {"ok": True, "replayed": False})
    assert (again.status_code, again.json()) == (201, {"ok": True, "replayed": True})
    assert _counts() == (1, 2, 1)


def test_a_different_key_from_the_same_device_is_a_second_answer_and_refused(world):
    api = APIClient()
    url, body = _submission(api, world, KEY)
    assert api.post(url, body, format="json").status_code == 201

    second = api.post(url, {**body, "submission_key": OTHER_KEY}, format="json")

    assert second.status_code == 409 and "已参加过" in second.json()["detail"]
    assert _counts() == (1, 2, 1)


def test_a_submission_key_that_is_not_a_uuid_is_refused_naming_the_field(world):
    api = APIClient()
    url, body = _submission(api, world, "not-a-uuid")

    refused = api.post(url, body, format="json")

    assert refused.status_code == 400 and "submission_key" in refused.json()
    assert _counts() == (0, 0, 0)


def test_without_a_key_a_second_post_is_refused_as_before(world):
    api = APIClient()
    url, body = _submission(api, world, None)
    assert api.post(url, body, format="json").json() == {"ok": True, "replayed": False}
    assert api.post(url, body, format="json").status_code == 409
    assert _counts() == (1, 2, 1)


def _terminate(pid: int) -> None:
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


def _one_ballot_per_ip_per_hour(settings, survey) -> None:
    """A per-IP limit of one, counted in this test's own cache: the retry after a lost connection
    must not be refused as a second attempt."""
    from surveys.models import Survey

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"epoll-loss-{survey.pk}"}}
    Survey.objects.filter(pk=survey.pk).update(ip_hourly_limit=1)


@pytest.mark.postgres
def test_a_submission_that_loses_the_database_gets_503_and_the_retry_counts_once(transactional_db, monkeypatch,
                                                                                 settings):
    """The plain view's way: the connection drops as the statement writing the ballot is sent."""
    from surveys.services import epoll

    if connection.vendor != "postgresql":
        pytest.skip("needs a PostgreSQL server connection to terminate")
    w = _world()
    _one_ballot_per_ip_per_hour(settings, w["survey"])
    api = APIClient()
    url, body = _submission(api, w, KEY)
    original, lost = epoll._intake_write, []

    def lose_the_connection_then_write(params):
        if not lost:
            lost.append(connection.connection.info.backend_pid)
            _terminate(lost[0])
        return original(params)

    monkeypatch.setattr(epoll, "_intake_write", lose_the_connection_then_write)

    failed = api.post(url, body, format="json", HTTP_ACCEPT="application/json")

    assert lost and failed.status_code == 503 and failed["Retry-After"].isdigit()
    assert failed.json()["retry"] is True and "尚未保存" in failed.json()["error"]
    close_old_connections()  # as the WSGI handler does after every request (the test client does not)
    assert _counts() == (0, 0, 0)
    retried = api.post(url, body, format="json", HTTP_ACCEPT="application/json")
    assert (retried.status_code, retried.json()) == (201, {"ok": True, "replayed": False})
    assert api.post(url, body, format="json").json()["replayed"] is True
    assert _counts() == (1, 2, 1)


@pytest.mark.postgres
def test_a_submission_through_the_drf_view_that_loses_the_database_mid_transaction_counts_once(
    transactional_db, monkeypatch, settings
):
    """The DRF view's way (numbers as strings go through its serializer): the connection drops
    after the response is inserted, before the commit."""
    from surveys.services import epoll

    if connection.vendor != "postgresql":
        pytest.skip("needs a PostgreSQL server connection to terminate")
    w = _world()
    _one_ballot_per_ip_per_hour(settings, w["survey"])
    api = APIClient()
    url, body = _submission(api, w, KEY)
    body["answers"] = {question: str(option) for question, option in body["answers"].items()}
    original, lost = epoll.response_write, []

    def write_then_lose_the_connection(**kwargs):
        result = original(**kwargs)
        if not lost:  # once the response is inserted, before the commit
            lost.append(connection.connection.info.backend_pid)
            _terminate(lost[0])
        return result

    monkeypatch.setattr(epoll, "response_write", write_then_lose_the_connection)

    failed = api.post(url, body, format="json", HTTP_ACCEPT="application/json")

    assert lost and failed.status_code == 503 and failed["Retry-After"].isdigit()
    assert _counts() == (0, 0, 0)
    retried = api.post(url, body, format="json", HTTP_ACCEPT="application/json")
    assert (retried.status_code, retried.json()) == (201, {"ok": True, "replayed": False})
    assert api.post(url, body, format="json").json()["replayed"] is True
    assert _counts() == (1, 2, 1)
