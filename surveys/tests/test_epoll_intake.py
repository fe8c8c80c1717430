"""The e-poll intake path in plain SQL (issue #10): the same rows, the same refusals and errors as
through the ORM and the serializer, in a fixed number of statements."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from surveys.api.public import EpollSubmitInput, _plain_submission
from surveys.models import Answer, EpollParticipation, Response, Survey
from surveys.services import epoll
from surveys.services.setup import questionnaire_create, stratum_create, survey_create
from tests import factories

KEY = "0b8f7d52-3c1e-4f7a-9d2b-6a5e4c3b2a19"


@pytest.fixture
def world(db):
    tenant = factories.make_tenant("epoll-intake", "丙市效能办")
    units = [factories.make_unit(tenant, f"U{i}", f"单位{i}") for i in range(1, 6)]
    campaign = factories.make_campaign(tenant)
    survey = survey_create(campaign=campaign, key="public", name="公众评议", epoll_enabled=True)
    questionnaire = questionnaire_create(survey=survey, name="问卷", units=units)
    other = questionnaire_create(survey=survey_create(campaign=campaign, key="other", name="另一评议",
                                                      epoll_enabled=True), name="问卷", units=units[:2])
    return {"survey": survey, "questionnaire": questionnaire, "other": other}


def _urls(survey):
    kwargs = {"public_id": survey.public_id}
    return reverse("surveys_public:api_epoll_form", kwargs=kwargs), reverse("surveys_public:api_epoll_submit", kwargs=kwargs)


def _body(api, w, **extra):
    form_url, submit_url = _urls(w["survey"])
    nonce = api.get(form_url).json()["nonce"]
    options = {o.label: o.pk for o in w["questionnaire"].options.all()}
    answers = {str(q.pk): options["满意"] for q in w["questionnaire"].questions.all()}
    return submit_url, {"questionnaire": w["questionnaire"].pk, "answers": answers, "nonce": nonce, **extra}


def test_a_submission_writes_the_rows_the_orm_would_in_a_fixed_number_of_statements(world):
    api = APIClient()
    url, body = _body(api, world, submission_key=KEY)

    with CaptureQueriesContext(connection) as queries:
        reply = api.post(url, body, format="json")

    assert (reply.status_code, reply.json()) == (201, {"ok": True, "replayed": False})
    # survey+questionnaire (with its question and option ids on PostgreSQL; apart elsewhere), key
    # recorded?, then the participation and the response with its answers (one statement on
    # PostgreSQL, two elsewhere); transaction control apart
    statements = [q["sql"] for q in queries.captured_queries
                  if not q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(statements) == (4 if connection.vendor == "postgresql" else 6), statements
    response = Response.objects.get()
    assert (response.survey_id, response.questionnaire_id, response.channel) == (
        world["survey"].pk, world["questionnaire"].pk, Response.Channel.ONLINE)
    assert response.stratum_id is None and response.batch_id is None and response.sheet_no is None
    assert response.tenant_id == world["survey"].tenant_id
    answers = list(Answer.objects.filter(response=response).select_related("option"))
    assert sorted(a.question_id for a in answers) == sorted(world["questionnaire"].questions.values_list("id", flat=True))
    assert {a.option.label for a in answers} == {"满意"} and len({a.pk for a in answers}) == 5
    assert all(a.tenant_id == response.tenant_id for a in answers)
    participation = EpollParticipation.objects.get()
    assert participation.submission_hash and participation.identity_hash
    # the anonymity design: nothing in the participation names the response, nor the other way
    assert str(response.pk) not in (participation.identity_hash, participation.submission_hash)
    assert api.post(url, body, format="json").json() == {"ok": True, "replayed": True}
    assert (Response.objects.count(), Answer.objects.count(), EpollParticipation.objects.count()) == (1, 5, 1)


def test_the_survey_read_in_plain_sql_is_the_orm_survey(world):
    survey = world["survey"]
    opens = timezone.now() - timedelta(days=1)
    Survey.objects.filter(pk=survey.pk).update(opens_at=opens, closes_at=opens + timedelta(days=3))
    fresh = Survey.objects.get(pk=survey.pk)

    read, questionnaire = epoll.submission_target(survey.public_id, world["questionnaire"].pk)

    for field in Survey._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(fresh, field.attname), field.name
    assert read.opens_at.tzinfo is not None and read.epoll_enabled is True
    assert questionnaire.pk == world["questionnaire"].pk and questionnaire.survey_id == survey.pk
    assert epoll.submission_target(survey.public_id, world["other"].pk) == (read, None)
    assert epoll.submission_target(uuid.uuid4(), 1) == (None, None)
    questions = set(questionnaire.questions.values_list("id", flat=True))
    options = set(questionnaire.options.values_list("id", flat=True))
    assert len(questions) == 5 and len(options) >= 2
    for read_with in (questionnaire, world["questionnaire"]):  # read along, and read apart
        shape = epoll.questionnaire_shape(read_with)
        assert (shape.questions, shape.options) == (questions, options)


def test_a_closed_or_disabled_poll_is_still_refused(world):
    api = APIClient()
    url, body = _body(api, world)
    Survey.objects.filter(pk=world["survey"].pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert api.post(url, body, format="json").status_code == 400
    Survey.objects.filter(pk=world["survey"].pk).update(closes_at=None, epoll_enabled=False)
    assert api.post(url, body, format="json").status_code == 400
    assert Response.objects.count() == 0 and EpollParticipation.objects.count() == 0


def test_unknown_survey_or_questionnaire_and_bad_bodies(world):
    api = APIClient()
    url, body = _body(api, world)
    missing = reverse("surveys_public:api_epoll_submit",
                      kwargs={"public_id": "00000000-0000-4000-8000-000000000000"})
    assert api.post(missing, body, format="json").status_code == 404
    assert api.post(missing, {"answers": "x"}, format="json").status_code == 404
    assert api.post(url, {**body, "questionnaire": world["other"].pk}, format="json").status_code == 400
    assert api.post(url, {**body, "questionnaire": 2**63}, format="json").status_code == 400
    refused = api.post(url, {**body, "answers": {"1": "满意"}}, format="json")
    assert refused.status_code == 400 and "answers" in refused.json()
    incomplete = dict(list(body["answers"].items())[:2])
    assert api.post(url, {**body, "answers": incomplete}, format="json").status_code == 400
    foreign = {**body["answers"], str(world["other"].questions.first().pk): list(body["answers"].values())[0]}
    assert api.post(url, {**body, "answers": foreign}, format="json").status_code == 400
    assert Response.objects.count() == 0 and EpollParticipation.objects.count() == 0
    # numbers as strings are what the serializer accepts: they go its way and are counted
    as_text = {k: str(v) for k, v in body["answers"].items()}
    assert api.post(url, {**body, "answers": as_text, "questionnaire": str(body["questionnaire"])},
                    format="json").status_code == 201
    assert Answer.objects.count() == 5


@pytest.mark.parametrize("data", [
    {"questionnaire": 3, "answers": {"1": 2, "7": 9}, "nonce": "abc"},
    {"questionnaire": 3, "answers": {"1": 2}, "nonce": "abc", "stratum": None, "phone": "", "code": "",
     "submission_key": KEY, "ignored": [1]},
    {"questionnaire": 3, "answers": {"1": 2}, "nonce": "abc", "stratum": 4, "phone": "13800000000",
     "code": "123456", "submission_key": KEY.replace("-", "").upper()},
])
def test_the_plain_reading_of_a_well_formed_body_is_the_serializers(data):
    serializer = EpollSubmitInput(data=data)
    assert serializer.is_valid(), serializer.errors
    expected = {k: v for k, v in serializer.validated_data.items() if v is not None}
    assert _plain_submission(data) == expected


@pytest.mark.parametrize("data", [
    [], {"answers": {}, "nonce": "a"}, {"questionnaire": True, "answers": {}, "nonce": "a"},
    {"questionnaire": 1, "answers": {"1": "2"}, "nonce": "a"}, {"questionnaire": 1, "answers": {"1": None}, "nonce": "a"},
    {"questionnaire": 1, "answers": {}, "nonce": ""}, {"questionnaire": 1, "answers": {}, "nonce": " a"},
    {"questionnaire": 1, "answers": {}, "nonce": "a" * 501}, {"questionnaire": 1, "answers": {}, "nonce": "a", "phone": 1},
    {"questionnaire": 1, "answers": {}, "nonce": "a", "code": "1234567890x"},
    {"questionnaire": 1, "answers": {}, "nonce": "a", "submission_key": "not-a-uuid"},
    {"questionnaire": 1, "answers": {}, "nonce": "a", "stratum": "2"},
])
def test_anything_else_goes_through_the_serializer(data):
    assert _plain_submission(data) is None


def test_a_stratum_is_recorded(world):
    stratum = stratum_create(survey=world["survey"], kind="respondent", code="R1", name="企业")
    api = APIClient()
    url, body = _body(api, world, stratum=stratum.pk)
    assert api.post(url, body, format="json").status_code == 201
    assert Response.objects.get().stratum_id == stratum.pk



def test_the_page_post_reads_the_survey_once_and_refuses_what_names_no_row(world, client):
    url = reverse("surveys_public:epoll", kwargs={"public_id": world["survey"].public_id})
    page = client.get(url)
    options = {o.label: o.pk for o in world["questionnaire"].options.all()}
    data = {"nonce": page.context["nonce"], "submission_key": page.context["submission_key"],
            **{f"q{q.pk}": options["满意"] for q in world["questionnaire"].questions.all()}}
    for questionnaire in ("", "abc", str(2**63), str(world["other"].pk)):
        refused = client.post(url, {**data, "questionnaire": questionnaire}, HTTP_ACCEPT="application/json")
        assert refused.status_code == 400 and refused.json()["ok"] is False
    missing = reverse("surveys_public:epoll", kwargs={"public_id": uuid.uuid4()})
    assert client.post(missing, {**data, "questionnaire": world["questionnaire"].pk}).status_code == 404
    assert Response.objects.count() == 0
    saved = client.post(url, {**data, "questionnaire": world["questionnaire"].pk, "stratum": "x"},
                        HTTP_ACCEPT="application/json")
    assert saved.status_code == 200 and saved.json()["ok"] is True
    assert Answer.objects.count() == 5 and EpollParticipation.objects.count() == 1
