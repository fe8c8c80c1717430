"""Paper entry: single and double entry, mismatches, quota progress."""

import pytest
from django.core.exceptions import ValidationError

from surveys.models import Answer, Response, answer_key
from surveys.selectors.paper import batch_mismatches, batch_pending_second
from surveys.selectors.progress import quota_progress
from surveys.services.paper import paper_batch_create, paper_sheet_enter, paper_sheet_resolve
from surveys.services.setup import questionnaire_create, stratum_create, survey_create


@pytest.fixture
def survey_world(example_world):
    world = example_world
    survey = survey_create(campaign=world["campaign"], key="public", name="公众评议")
    units = [world["units"][c] for c in ("U1", "U2", "U3")]
    questionnaire = questionnaire_create(survey=survey, name="问卷", units=units)
    options = {o.label: o.pk for o in questionnaire.options.all()}
    questions = {q.unit.code: q.pk for q in questionnaire.questions.select_related("unit")}
    return {**world, "survey": survey, "questionnaire": questionnaire, "options": options, "questions": questions}


def test_double_entry_flags_a_mismatch_and_resolution_makes_the_response(survey_world):
    w = survey_world
    batch = paper_batch_create(actor=w["admin"].user, survey=w["survey"], questionnaire=w["questionnaire"],
                               label="B1", double_entry=True)
    q, o = w["questions"], w["options"]
    sheet = {q["U1"]: o["满意"], q["U2"]: o["一般"], q["U3"]: o["不了解"]}
    typo = {**sheet, q["U2"]: o["不满意"]}

    # first clerk keys sheets 1 and 2; second clerk re-keys 1 identically and 2 with a typo
    assert paper_sheet_enter(actor=w["admin"].user, batch=batch, answers=sheet, sheet_no=1).status == "first"
    assert paper_sheet_enter(actor=w["admin"].user, batch=batch, answers=sheet, sheet_no=2).status == "first"
    assert batch_pending_second(batch) == [1, 2]
    assert paper_sheet_enter(actor=w["clerk"].user, batch=batch, answers=sheet, sheet_no=1).status == "matched"
    assert paper_sheet_enter(actor=w["clerk"].user, batch=batch, answers=typo, sheet_no=2).status == "mismatch"

    # then sheet 2 is flagged with exactly the differing question, and is not counted yet
    mismatches = batch_mismatches(batch)
    assert [m.sheet_no for m in mismatches] == [2]
    assert [(d.question_id, d.first, d.second) for d in mismatches[0].differences] == [
        (q["U2"], o["一般"], o["不满意"])
    ]
    assert Response.objects.filter(batch=batch).count() == 1

    # when the office resolves it from the paper sheet, it becomes a response
    paper_sheet_resolve(actor=w["admin"].user, batch=batch, sheet_no=2, answers=sheet)
    assert batch_mismatches(batch) == []
    assert Response.objects.filter(batch=batch).count() == 2
    keys = Answer.objects.filter(response__batch=batch).values_list("pk", "response_id", "question_id")
    assert len(keys) == 6 and all(key == answer_key(response, question) for key, response, question in keys)


def test_double_entry_needs_a_second_clerk(survey_world):
    w = survey_world
    batch = paper_batch_create(actor=w["admin"].user, survey=w["survey"], questionnaire=w["questionnaire"],
                               label="B1", double_entry=True)
    sheet = {w["questions"]["U1"]: w["options"]["满意"]}
    paper_sheet_enter(actor=w["admin"].user, batch=batch, answers=sheet, sheet_no=1)
    with pytest.raises(ValidationError):
        paper_sheet_enter(actor=w["admin"].user, batch=batch, answers=sheet, sheet_no=1)


def test_single_entry_refuses_a_sheet_number_twice_and_foreign_options(survey_world):
    w = survey_world
    batch = paper_batch_create(actor=w["admin"].user, survey=w["survey"], questionnaire=w["questionnaire"],
                               label="B1")
    sheet = {w["questions"]["U1"]: w["options"]["满意"]}
    paper_sheet_enter(actor=w["admin"].user, batch=batch, answers=sheet, sheet_no=7)
    with pytest.raises(ValidationError):
        paper_sheet_enter(actor=w["admin"].user, batch=batch, answers=sheet, sheet_no=7)
    with pytest.raises(ValidationError):
        paper_sheet_enter(actor=w["admin"].user, batch=batch, answers={w["questions"]["U1"]: 999999})
    assert Response.objects.count() == 1


@pytest.mark.smoke
def test_quota_progress_counts_are_exact(survey_world):
    w = survey_world
    s1 = stratum_create(survey=w["survey"], code="P1", name="行政服务中心", quota=5)
    s2 = stratum_create(survey=w["survey"], code="P2", name="火车站", quota=4)
    q, o = w["questions"], w["options"]
    b1 = paper_batch_create(actor=w["admin"].user, survey=w["survey"], questionnaire=w["questionnaire"],
                            label="B1", stratum=s1)
    b2 = paper_batch_create(actor=w["admin"].user, survey=w["survey"], questionnaire=w["questionnaire"],
                            label="B2", stratum=s2)
    for _ in range(6):  # over quota
        paper_sheet_enter(actor=w["admin"].user, batch=b1, answers={q["U1"]: o["满意"], q["U2"]: o["不了解"]})
    for _ in range(3):
        paper_sheet_enter(actor=w["admin"].user, batch=b2, answers={q["U1"]: o["一般"], q["U3"]: o["满意"]})

    progress = quota_progress(w["survey"])

    p1, p2 = progress.strata
    assert (p1.quota, p1.responses, p1.met, p1.percent) == (5, 6, True, 100)
    assert (p2.quota, p2.responses, p2.met, p2.percent) == (4, 3, False, 75)
    assert p1.per_unit == {"U1": (6, 0), "U2": (0, 6)}
    assert p2.per_unit == {"U1": (3, 0), "U3": (3, 0)}
    assert progress.total_responses == 9 and progress.total_quota == 9
