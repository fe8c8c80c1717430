"""The paper entry API (issue #9): a sheet names its number, so a retried POST cannot key a second sheet."""

from __future__ import annotations

import pytest
from django.urls import reverse

from surveys.models import Response
from surveys.services.paper import paper_batch_create
from surveys.services.setup import questionnaire_create, survey_create


@pytest.fixture
def batch_world(example_world):
    w = example_world
    survey = survey_create(campaign=w["campaign"], key="public", name="公众评议")
    questionnaire = questionnaire_create(survey=survey, name="问卷", units=[w["units"]["U1"], w["units"]["U2"]])
    batch = paper_batch_create(actor=w["admin"].user, survey=survey, questionnaire=questionnaire, label="B1",
                               double_entry=False)
    option = questionnaire.options.get(label="满意").pk
    url = reverse("survey-sheet-create", kwargs={"tenant_slug": w["tenant"].slug, "batch_id": batch.pk})
    return {**w, "url": url, "answers": {str(q.pk): option for q in questionnaire.questions.all()}}


@pytest.mark.parametrize("sheet_no", ["missing", None])
def test_a_sheet_without_its_number_is_refused_naming_the_field(batch_world, api_for, sheet_no):
    w = batch_world
    body = {"answers": w["answers"]} if sheet_no == "missing" else {"sheet_no": None, "answers": w["answers"]}

    refused = api_for(w["admin"]).post(w["url"], body, format="json")

    assert refused.status_code == 400
    assert "sheet_no" in refused.json() and "问卷编号" in refused.json()["sheet_no"][0]
    assert not Response.objects.exists()


def test_a_retried_sheet_is_not_keyed_twice(batch_world, api_for):
    w = batch_world
    api = api_for(w["admin"])
    body = {"sheet_no": 7, "answers": w["answers"]}

    first = api.post(w["url"], body, format="json")
    retry = api.post(w["url"], body, format="json")  # the answer to the first was lost on the way

    assert (first.status_code, first.json()) == (201, {"status": "saved", "sheet_no": 7})
    assert retry.status_code == 400 and "已录入" in retry.json()["detail"]
    assert list(Response.objects.values_list("sheet_no", flat=True)) == [7]
