"""Pages and HTTP APIs: e-poll, ballot by token, paper entry API, results and export."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from surveys import demo
from surveys.models import Ballot, BallotVote, EpollParticipation, Response
from surveys.services.filing import ballots_file
from surveys.services.setup import (
    ballot_tokens_issue,
    democratic_create,
    evaluator_group_create,
    questionnaire_create,
    stratum_create,
    survey_create,
)


@pytest.fixture
def epoll_world(example_world):
    w = example_world
    survey = survey_create(campaign=w["campaign"], key="public", name="公众评议", epoll_enabled=True,
                           purpose="仅用于统计满意度")
    q = questionnaire_create(survey=survey, name="问卷", units=[w["units"]["U1"], w["units"]["U2"]])
    return {**w, "survey": survey, "questionnaire": q}


def _answers(q, label="满意"):
    option = q.options.get(label=label).pk
    return {str(x.pk): option for x in q.questions.all()}


def test_epoll_one_response_per_device(epoll_world):
    w = epoll_world
    api = APIClient()
    form_url = reverse("surveys_public:api_epoll_form", kwargs={"public_id": w["survey"].public_id})
    submit_url = reverse("surveys_public:api_epoll_submit", kwargs={"public_id": w["survey"].public_id})
    form = api.get(form_url).json()
    body = {"questionnaire": w["questionnaire"].pk, "answers": _answers(w["questionnaire"]), "nonce": form["nonce"]}
    assert api.post(submit_url, body, format="json").status_code == 201
    assert api.post(submit_url, body, format="json").status_code == 409
    other = APIClient()  # another device needs its own nonce
    assert other.post(submit_url, body, format="json").status_code == 400
    body["nonce"] = other.get(form_url).json()["nonce"]
    assert other.post(submit_url, body, format="json").status_code == 201
    ballots_file()  # the JSON posts are received as staged ballots on PostgreSQL
    assert Response.objects.filter(channel="online").count() == 2
    assert EpollParticipation.objects.count() == 2


def test_epoll_page_says_what_is_collected_and_accepts_a_form_post(epoll_world, client):
    w = epoll_world
    url = reverse("surveys_public:epoll", kwargs={"public_id": w["survey"].public_id})
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "我们收集什么、为什么收集" in text and "仅用于统计满意度" in text
    nonce = page.context["nonce"]
    data = {"nonce": nonce, "questionnaire": w["questionnaire"].pk,
            **{f"q{k}": v for k, v in _answers(w["questionnaire"], "一般").items()}}
    assert client.post(url, data).status_code == 200
    assert client.post(url, data).status_code == 409


def test_epoll_identified_by_phone_code(epoll_world, settings):
    from surveys.services.sms import MemorySender

    settings.SURVEY_SMS_SENDER = "surveys.services.sms.MemorySender"
    MemorySender.outbox.clear()
    w = epoll_world
    w["survey"].identification = "phone"
    w["survey"].save(update_fields=["identification"])
    api = APIClient()
    pid = w["survey"].public_id
    nonce = api.get(reverse("surveys_public:api_epoll_form", kwargs={"public_id": pid})).json()["nonce"]
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert api.post(reverse("surveys_public:api_epoll_code", kwargs={"public_id": pid}),
                        {"phone": "13800000001"}, format="json").status_code == 202
    phone, message = MemorySender.outbox[-1]
    code = "".join(ch for ch in message.split("验证码为")[1][:6])
    submit = reverse("surveys_public:api_epoll_submit", kwargs={"public_id": pid})
    body = {"questionnaire": w["questionnaire"].pk, "answers": _answers(w["questionnaire"]), "nonce": nonce,
            "phone": phone, "code": "000000" if code != "000000" else "111111"}
    assert api.post(submit, body, format="json").status_code == 400
    body["code"] = code
    assert api.post(submit, body, format="json").status_code == 201
    assert "13800000001" not in str(list(EpollParticipation.objects.values_list("identity_hash", flat=True)))


def test_epoll_closed_refuses(epoll_world):
    w = epoll_world
    w["survey"].epoll_enabled = False
    w["survey"].save(update_fields=["epoll_enabled"])
    api = APIClient()
    pid = w["survey"].public_id
    nonce = api.get(reverse("surveys_public:api_epoll_form", kwargs={"public_id": pid})).json()["nonce"]
    body = {"questionnaire": w["questionnaire"].pk, "answers": _answers(w["questionnaire"]), "nonce": nonce}
    assert api.post(reverse("surveys_public:api_epoll_submit", kwargs={"public_id": pid}), body,
                    format="json").status_code == 400
    assert not Response.objects.exists()


def test_ballot_page_votes_once(example_world, client):
    w = example_world
    evaluation = democratic_create(campaign=w["campaign"], key="democratic", name="民主测评",
                                   units=[w["units"]["U4"], w["units"]["U5"]])
    group = evaluator_group_create(evaluation=evaluation, code="g", name="干部")
    token = ballot_tokens_issue(group=group, count=1)[0].token
    url = reverse("surveys_public:ballot", kwargs={"token": token})
    assert client.get(url).status_code == 200
    data = {f"u{w['units']['U4'].pk}": "satisfied", f"u{w['units']['U5'].pk}": "unknown"}
    assert client.post(url, data).status_code == 200
    assert client.post(url, {f"u{w['units']['U4'].pk}": "dissatisfied"}).status_code == 410
    assert client.get(url).status_code == 410
    assert Ballot.objects.count() == 1 and BallotVote.objects.count() == 2
    assert client.get(reverse("surveys_public:ballot", kwargs={"token": "nope"})).status_code == 404


def test_paper_api_and_results_page_show_example_a(example_world, api_for, client_for):
    w = example_world
    survey = survey_create(campaign=w["campaign"], key="public", name="公众评议")
    q = questionnaire_create(survey=survey, name="问卷", units=[w["units"][c] for c in demo.EXAMPLE_A_PUBLIC])
    stratum = stratum_create(survey=survey, code="P1", name="服务中心", quota=200)
    api = api_for(w["admin"])
    slug = w["tenant"].slug
    batch = api.post(reverse("survey-batch-create", kwargs={"tenant_slug": slug, "survey_id": survey.pk}),
                     {"questionnaire": q.pk, "stratum": stratum.pk, "label": "B1"}, format="json")
    assert batch.status_code == 201
    option_ids = list(q.options.order_by("order").values_list("id", flat=True))
    question_ids = {x.unit.code: x.pk for x in q.questions.select_related("unit")}
    url = reverse("survey-sheet-create", kwargs={"tenant_slug": slug, "batch_id": batch.json()["id"]})
    for number, sheet in enumerate(demo.public_sheets(option_ids, question_ids), start=1):
        response = api.post(url, {"sheet_no": number, "answers": {str(k): v for k, v in sheet.items()}},
                            format="json")
        assert response.status_code == 201, response.content

    page = client_for(w["admin"]).get(reverse("surveys:survey_results", kwargs={"tenant_slug": slug, "survey_id": survey.pk}))
    rows = {r.code: r for r in page.context["results"].rows}
    assert {c: rows[c].stats.plain.score for c in rows} == {
        "U1": Decimal("92.00"), "U2": Decimal("85.00"), "U3": Decimal("62.00"), "U6": Decimal("90.00")
    }
    low, high = rows["U3"].stats.plain.low, rows["U3"].stats.plain.high
    assert low < Decimal("62") < high
    export = client_for(w["admin"]).get(
        reverse("surveys:survey_results_xlsx", kwargs={"tenant_slug": slug, "survey_id": survey.pk})
    )
    assert export.status_code == 200 and export.content[:2] == b"PK"
    progress = client_for(w["admin"]).get(
        reverse("surveys:survey_progress", kwargs={"tenant_slug": slug, "survey_id": survey.pk})
    )
    assert "108" in progress.content.decode()


def test_outsider_cannot_key_into_a_batch(example_world, api_for, two_tenants):
    w = example_world
    survey = survey_create(campaign=w["campaign"], key="public", name="公众评议")
    q = questionnaire_create(survey=survey, name="问卷", units=[w["units"]["U1"]])
    from surveys.services.paper import paper_batch_create

    batch = paper_batch_create(actor=w["admin"].user, survey=survey, questionnaire=q, label="B1")
    api = api_for(two_tenants["charlie"])
    url = reverse("survey-sheet-create", kwargs={"tenant_slug": w["tenant"].slug, "batch_id": batch.pk})
    assert api.post(url, {"answers": {}}, format="json").status_code == 404
    url = reverse("survey-sheet-create", kwargs={"tenant_slug": two_tenants["b"].slug, "batch_id": batch.pk})
    assert api.post(url, {"answers": {}}, format="json").status_code == 404


def test_democratic_pages_and_print_sheet(example_world, client_for):
    w = example_world
    demo.load_democratic(campaign=w["campaign"], units=w["units"])
    from surveys.models import DemocraticEvaluation

    evaluation = DemocraticEvaluation.objects.get()
    group = evaluation.groups.get()
    ballot_tokens_issue(group=group, count=2)
    client = client_for(w["admin"])
    slug = w["tenant"].slug
    page = client.get(reverse("surveys:democratic", kwargs={"tenant_slug": slug, "evaluation_id": evaluation.pk}))
    rows = {r.code: r.score for r in page.context["results"].rows}
    assert rows == {"U4": Decimal("87.00"), "U5": Decimal("98.00")}
    sheets = client.get(reverse("surveys:ballot_sheets", kwargs={"tenant_slug": slug, "evaluation_id": evaluation.pk}))
    assert sheets.content.decode().count("<svg") == 2  # only the two unused tokens


def test_the_entry_form_names_its_sheet_so_a_form_sent_twice_adds_one_sheet(example_world, client_for):
    from surveys.services.paper import paper_batch_create

    w = example_world
    survey = survey_create(campaign=w["campaign"], key="public", name="公众评议")
    q = questionnaire_create(survey=survey, name="问卷", units=[w["units"]["U1"], w["units"]["U2"]])
    batch = paper_batch_create(actor=w["admin"].user, survey=survey, questionnaire=q, label="B1", double_entry=False)
    client = client_for(w["admin"])
    url = reverse("surveys:batch", kwargs={"tenant_slug": w["tenant"].slug, "survey_id": survey.pk, "batch_id": batch.pk})
    page = client.get(url)
    assert page.context["next_sheet_no"] == 1 and 'name="sheet_no" min="1" inputmode="numeric" value="1"' in page.content.decode()
    form = {"sheet_no": "1", **{f"q{question}": str(option) for question, option in _answers(q).items()}}
    first = client.post(url, form, follow=True)
    again = client.post(url, form, follow=True)  # the same form sent a second time
    assert Response.objects.filter(batch=batch).count() == 1
    assert "第 1 号" in first.content.decode() and "该编号的问卷已录入" in again.content.decode()
    assert client.get(url).context["next_sheet_no"] == 2
