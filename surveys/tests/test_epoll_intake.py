"""The e-poll intake path (issue #10): the plain view in front of the DRF one and its two prepared
statements write the same rows (once the staged ballot is filed) and give the same refusals,
errors, statuses and headers as the ORM, the serializer and DRF, in a fixed number of statements."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from surveys.api.public import EpollSubmitInput, _plain_submission
from surveys.models import Answer, EpollParticipation, Response, StagedBallot, Survey, answer_key
from surveys.services import epoll
from surveys.services.filing import ballots_file
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


def _statements(queries) -> list[str]:
    """What the server ran, without transaction control and without preparing statements (once
    per connection)."""
    return [q["sql"] for q in queries.captured_queries
            if not q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "PREPARE"))]


def test_a_submission_writes_the_rows_the_orm_would_in_a_fixed_number_of_statements(world):
    api = APIClient()
    url, body = _body(api, world, submission_key=KEY)

    with CaptureQueriesContext(connection) as queries:
        reply = api.post(url, body, format="json")

    assert (reply.status_code, reply.json()) == (201, {"ok": True, "replayed": False})
    statements = _statements(queries)
    if connection.vendor == "postgresql":
        # the survey with its questionnaire's ids, the stratum and whether the key is recorded;
        # then the participation and the staged ballot in one statement
        assert [sql.split(" (")[0] for sql in statements] == ["EXECUTE kaoping_epoll_target",
                                                              "EXECUTE kaoping_epoll_write"], statements
        staged = StagedBallot.objects.get()
        assert Response.objects.count() == 0 and staged.pk.version == 4
        assert (staged.tenant_id, staged.survey_id, staged.questionnaire_id, staged.stratum_id) == (
            world["survey"].tenant_id, world["survey"].pk, world["questionnaire"].pk, None)
        assert ballots_file() == 1 and not StagedBallot.objects.exists()
        assert Response.objects.get().pk == staged.pk  # filed under the key it was staged with
    else:  # the DRF view's way: survey+questionnaire, the ids, key recorded?, participation, response, answers
        assert len(statements) == 6, statements
        assert not StagedBallot.objects.exists()
    response = Response.objects.get()
    assert (response.survey_id, response.questionnaire_id, response.channel) == (
        world["survey"].pk, world["questionnaire"].pk, Response.Channel.ONLINE)
    assert response.stratum_id is None and response.batch_id is None and response.sheet_no is None
    assert response.tenant_id == world["survey"].tenant_id and response.pk.version == 4
    answers = list(Answer.objects.filter(response=response).select_related("option"))
    assert sorted(a.question_id for a in answers) == sorted(world["questionnaire"].questions.values_list("id", flat=True))
    assert {a.option.label for a in answers} == {"满意"} and len({a.pk for a in answers}) == 5
    assert all(a.tenant_id == response.tenant_id and a.pk == answer_key(response.pk, a.question_id) for a in answers)
    participation = EpollParticipation.objects.get()
    assert participation.submission_hash and participation.identity_hash
    assert participation.tenant_id == world["survey"].tenant_id
    # the anonymity design: nothing in the participation names the response, nor the other way
    assert str(response.pk) not in (participation.identity_hash, participation.submission_hash)
    with CaptureQueriesContext(connection) as queries:
        assert api.post(url, body, format="json").json() == {"ok": True, "replayed": True}
    assert len(_statements(queries)) == (1 if connection.vendor == "postgresql" else 2)  # the read says it all
    assert ballots_file() == 0
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
    ballots_file()
    assert Response.objects.get().stratum_id == stratum.pk


@pytest.mark.parametrize("which", ["survey point", "another survey's", "too large", "negative"])
@pytest.mark.parametrize("as_text", [False, True], ids=["plain view", "drf view"])
def test_a_stratum_that_is_not_a_respondent_stratum_of_the_survey_is_left_out(world, which, as_text):
    other_survey = world["other"].survey
    stratum = {
        "survey point": lambda: stratum_create(survey=world["survey"], code="P1", name="调查点").pk,
        "another survey's": lambda: stratum_create(survey=other_survey, kind="respondent", code="R1", name="企业").pk,
        "too large": lambda: 2**63,
        "negative": lambda: -1,
    }[which]()
    api = APIClient()
    url, body = _body(api, world, stratum=stratum)
    if as_text:  # the serializer's way
        body["answers"] = {question: str(option) for question, option in body["answers"].items()}

    assert api.post(url, body, format="json").status_code == 201

    ballots_file()
    assert Response.objects.get().stratum_id is None


def test_the_intake_read_is_the_orm_survey_and_questionnaire(world):
    if connection.vendor != "postgresql":
        pytest.skip("the intake path is PostgreSQL's")
    survey, questionnaire = world["survey"], world["questionnaire"]
    opens = timezone.now() - timedelta(days=1)
    Survey.objects.filter(pk=survey.pk).update(opens_at=opens, closes_at=opens + timedelta(days=3), ip_hourly_limit=7)
    stratum = stratum_create(survey=survey, kind="respondent", code="R1", name="企业")

    target = epoll.intake_target(survey.public_id, questionnaire_id=questionnaire.pk, stratum_id=stratum.pk,
                                 submission_key=KEY)

    assert (target.public_id, target.survey_id, target.survey_tenant_id) == (survey.public_id, survey.pk,
                                                                             survey.tenant_id)
    assert (target.epoll_enabled, target.opens_at, target.closes_at, target.ip_hourly_limit) == (
        True, opens, opens + timedelta(days=3), 7)
    assert (target.questionnaire_id, target.questionnaire_tenant_id) == (questionnaire.pk, questionnaire.tenant_id)
    assert target.shape.questions == set(questionnaire.questions.values_list("id", flat=True))
    assert target.shape.options == set(questionnaire.options.values_list("id", flat=True))
    assert (target.stratum_id, target.submission_recorded) == (stratum.pk, False)
    assert target.submission_hash == epoll._submission_hash(survey.public_id, KEY) != ""
    assert epoll.intake_target(survey.public_id, questionnaire_id=questionnaire.pk, stratum_id=None,
                               submission_key="").submission_hash == ""
    # what the intake path leaves to submission_target and epoll_submit
    assert epoll.intake_target(survey.public_id, questionnaire_id=world["other"].pk, stratum_id=None,
                               submission_key="") is None
    assert epoll.intake_target(uuid.uuid4(), questionnaire_id=questionnaire.pk, stratum_id=None,
                               submission_key="") is None
    Survey.objects.filter(pk=survey.pk).update(identification=Survey.Identification.PHONE)
    assert epoll.intake_target(survey.public_id, questionnaire_id=questionnaire.pk, stratum_id=None,
                               submission_key="") is None


def test_the_prepared_read_finds_a_submission_key_through_its_unique_index(world):
    """The plan prepared once serves every key; the partial unique index on (survey, submission
    hash) must still be usable by it (without, the look scans all the survey's participations:
    1.2 ms of server time per ballot at 20,000 participations)."""
    if connection.vendor != "postgresql":
        pytest.skip("the intake path is PostgreSQL's")
    survey = world["survey"]
    epoll.intake_target(survey.public_id, questionnaire_id=world["questionnaire"].pk, stratum_id=None,
                        submission_key=KEY)  # prepared on this connection
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("SET LOCAL enable_seqscan = off")  # the test's tables are too small to need an index
        cursor.execute("EXPLAIN EXECUTE kaoping_epoll_target (%s, %s, %s, %s)",
                       [str(survey.public_id), world["questionnaire"].pk, None, "f" * 64])
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "participation_submission_once" in plan, plan


@pytest.fixture
def plain_path(monkeypatch):
    """The public ids of the submissions the plain view read itself (through intake_target)."""
    read: list = []
    original = epoll.intake_target

    def spy(public_id, **kwargs):
        read.append(public_id)
        return original(public_id, **kwargs)

    monkeypatch.setattr(epoll, "intake_target", spy)
    return read


def _as_drf(body):
    """The same submission as the serializer would take it (numbers as strings): the DRF view's way."""
    return {**body, "answers": {question: str(option) for question, option in body["answers"].items()}}


def _seen(reply) -> tuple:
    return reply.status_code, reply.content, reply["Content-Type"], reply["Allow"], reply.get("Vary")


def test_the_plain_view_answers_as_the_drf_view_does(world, plain_path):
    if connection.vendor != "postgresql":
        pytest.skip("the intake path is PostgreSQL's")
    plain, drf = APIClient(), APIClient()  # two devices
    url, plain_body = _body(plain, world, submission_key=KEY)
    _url, drf_body = _body(drf, world, submission_key=str(uuid.uuid4()))
    drf_body = _as_drf(drf_body)
    plain_post = lambda body: plain.post(url, body, format="json")  # noqa: E731
    drf_post = lambda body: drf.post(url, body, format="json")  # noqa: E731

    pairs = {
        "incomplete": (plain_post({**plain_body, "answers": dict(list(plain_body["answers"].items())[:2])}),
                       drf_post({**drf_body, "answers": dict(list(drf_body["answers"].items())[:2])})),
        "foreign question": (plain_post({**plain_body, "answers": {"999999": 1}}),
                             drf_post({**drf_body, "answers": {"999999": "1"}})),
        "stale nonce": (plain_post({**plain_body, "nonce": drf_body["nonce"]}),
                        drf_post({**drf_body, "nonce": plain_body["nonce"]})),
        "received": (plain_post(plain_body), drf_post(drf_body)),
        "replayed": (plain_post(plain_body), drf_post(drf_body)),
        "second answer": (plain_post({**plain_body, "submission_key": str(uuid.uuid4())}),
                          drf_post({**drf_body, "submission_key": str(uuid.uuid4())})),
    }
    Survey.objects.filter(pk=world["survey"].pk).update(epoll_enabled=False)
    pairs["closed"] = (plain_post(plain_body), drf_post(drf_body))

    for case, (by_plain, by_drf) in pairs.items():
        assert _seen(by_plain) == _seen(by_drf), case
    assert [by_plain.status_code for by_plain, _ in pairs.values()] == [400, 400, 400, 201, 201, 409, 400]
    assert "题目 999999 不属于本问卷" in pairs["foreign question"][0].json()["detail"]
    assert len(plain_path) == len(pairs)  # the plain view answered every one of its own
    ballots_file()
    assert (Response.objects.count(), EpollParticipation.objects.count()) == (2, 2)
    keys = Answer.objects.values_list("pk", "response_id", "question_id")
    assert len(keys) == 10 and all(key == answer_key(response, question) for key, response, question in keys)


@pytest.mark.parametrize("case", ["html only", "media type parameter", "format parameter", "form post",
                                  "not strict json", "get", "latin-1"])
def test_what_the_plain_view_leaves_to_the_drf_view(world, plain_path, case):
    api = APIClient()
    url, body = _body(api, world)

    if case == "html only":
        reply = api.post(url, body, format="json", HTTP_ACCEPT="text/html")
        assert reply.status_code == 406
    elif case == "media type parameter":  # DRF's renderer reads it
        reply = api.post(url, body, format="json", HTTP_ACCEPT="application/json; indent=2")
        assert reply.status_code == 201 and reply.content.startswith(b"{\n")
    elif case == "format parameter":
        reply = api.post(url + "?format=json", body, format="json")
        assert reply.status_code == 201
    elif case == "form post":
        reply = api.post(url, {"questionnaire": body["questionnaire"], "nonce": body["nonce"]})
        assert reply.status_code == 400 and "answers" in reply.json()
    elif case == "not strict json":
        reply = api.generic("POST", url, '{"questionnaire": NaN}', content_type="application/json")
        assert reply.status_code == 400 and "JSON" in reply.json()["detail"]
    elif case == "get":
        reply = api.get(url)
        assert reply.status_code == 405 and reply["Allow"] == "POST, OPTIONS"
    else:
        reply = api.generic("POST", url, json.dumps(body).encode("latin-1"),
                            content_type="application/json; charset=latin-1")
        assert reply.status_code == 201

    assert plain_path == []


def test_the_same_form_sent_twice_at_once_is_counted_once(world):
    """Two copies of a form, or two forms of one device, both read before either is written:
    the participation's unique keys let one through."""
    if connection.vendor != "postgresql":
        pytest.skip("the intake path is PostgreSQL's")
    api = APIClient()
    _url, body = _body(api, world)
    device = api.cookies[epoll.DEVICE_COOKIE].value

    def read(key):
        return epoll.intake_target(world["survey"].public_id, questionnaire_id=world["questionnaire"].pk,
                                   stratum_id=None, submission_key=key)

    def submit(target):
        return epoll.epoll_intake(target=target, answers=body["answers"], nonce=body["nonce"], device_id=device,
                                  ip="127.0.0.1")

    first, copy, other_form = read(KEY), read(KEY), read(str(uuid.uuid4()))

    assert submit(first) == epoll.EpollReceipt(replayed=False)
    assert submit(copy) == epoll.EpollReceipt(replayed=True)
    with pytest.raises(epoll.AlreadyAnswered):
        submit(other_form)
    ballots_file()
    assert (Response.objects.count(), Answer.objects.count(), EpollParticipation.objects.count()) == (1, 5, 1)


def test_the_per_ip_limit_counts_recorded_submissions_and_lets_a_replay_through(world, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "epoll-intake-limit"}}
    Survey.objects.filter(pk=world["survey"].pk).update(ip_hourly_limit=2)
    first, second, third = APIClient(), APIClient(), APIClient()  # three devices behind one address
    url, body = _body(first, world, submission_key=KEY)
    assert first.post(url, body, format="json").status_code == 201
    _url, incomplete = _body(second, world)
    incomplete["answers"] = dict(list(incomplete["answers"].items())[:2])
    assert second.post(url, incomplete, format="json").status_code == 400  # refused before the limit: not counted
    assert second.post(url, _body(second, world)[1], format="json").status_code == 201

    refused = third.post(url, _body(third, world)[1], format="json")

    assert (refused.status_code, refused.json()) == (429, {"detail": "提交过于频繁,请稍后再试"})
    assert first.post(url, body, format="json").json() == {"ok": True, "replayed": True}
    ballots_file()
    assert (Response.objects.count(), EpollParticipation.objects.count()) == (2, 2)


@pytest.mark.postgres
def test_the_statements_are_prepared_again_on_a_new_connection(transactional_db, world):
    if connection.vendor != "postgresql":
        pytest.skip("the intake path is PostgreSQL's")
    api = APIClient()
    url, body = _body(api, world)
    assert api.post(url, body, format="json").status_code == 201
    connection.close()  # a failover, or CONN_MAX_AGE reached
    other = APIClient()
    _url, body = _body(other, world)

    with CaptureQueriesContext(connection) as queries:
        assert other.post(url, body, format="json").status_code == 201

    assert sum(q["sql"].startswith("PREPARE") for q in queries.captured_queries) == 2
    ballots_file()
    assert (Response.objects.count(), EpollParticipation.objects.count()) == (2, 2)


def test_the_schema_documents_the_route_from_the_drf_view():
    from drf_spectacular.generators import SchemaGenerator

    operation = SchemaGenerator().get_schema(request=None, public=True)["paths"]["/p/api/s/{public_id}/responses/"]

    assert list(operation) == ["post"]
    assert operation["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/EpollSubmitInput"}
    assert set(operation["post"]["responses"]) == {"201", "400", "409", "429", "503"}



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


def test_answered_questions_and_options_are_protected_and_a_response_goes_with_its_answers(world):
    """The answer's question and option are not foreign-key constraints in the database (the
    intake's cost, docs/surveys.md); Django's PROTECT and CASCADE still hold."""
    from django.db import transaction
    from django.db.models import ProtectedError

    api = APIClient()
    url, body = _body(api, world)
    assert api.post(url, body, format="json").status_code == 201
    ballots_file()
    answer = Answer.objects.select_related("question", "option").first()
    for doomed in (answer.option, answer.question, world["questionnaire"], world["survey"]):
        with pytest.raises(ProtectedError), transaction.atomic():
            doomed.delete()
    assert Answer.objects.count() == 5

    answer.response.delete()

    assert (Response.objects.count(), Answer.objects.count()) == (0, 0)


@pytest.mark.postgres
def test_an_answer_must_still_name_a_stored_response(world):
    from django.db import IntegrityError, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the constraint is checked by PostgreSQL here")
    question = world["questionnaire"].questions.first()
    option = world["questionnaire"].options.first()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        Answer.objects.create(tenant_id=question.tenant_id, response_id=uuid.uuid4(), question=question, option=option)


def test_an_answer_key_is_its_responses_key_with_the_question_id():
    response = uuid.UUID("6f1c2b3a-4d5e-4f60-8a7b-0c1d2e3f4a5b")
    assert answer_key(response, 1) == uuid.UUID("6f1c2b3a-4d5e-4f60-8a7b-000000000001")
    assert answer_key(response, 0xABCDEF) == uuid.UUID("6f1c2b3a-4d5e-4f60-8a7b-000000abcdef")
    assert answer_key(response, 7).version == 4  # the version and variant bits are the response's
    for out_of_range in (0, 1 << 48):
        with pytest.raises(ValueError, match="does not fit"):
            answer_key(response, out_of_range)
