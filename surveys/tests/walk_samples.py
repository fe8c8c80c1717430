"""Walk samples for the surveys routes (tests/test_tenant_walk.py)."""

from surveys.services.paper import paper_batch_create
from surveys.services.setup import democratic_create, questionnaire_create, survey_create
from tests import factories


def samples(ctx) -> dict:
    if "campaign" not in ctx:  # setdefault would build its default eagerly
        ctx["campaign"] = factories.make_campaign(ctx["tenant"])
    campaign = ctx["campaign"]
    survey = survey_create(campaign=campaign, key="walk", name="公众评议")
    questionnaire = questionnaire_create(survey=survey, name="问卷", units=[ctx["unit"]])
    creator = factories.make_user()
    batch = paper_batch_create(actor=creator, survey=survey, questionnaire=questionnaire, label="W1")
    evaluation = democratic_create(campaign=campaign, key="walk", name="民主测评", units=[ctx["unit"]])
    return {"survey_id": survey.pk, "batch_id": batch.pk, "evaluation_id": evaluation.pk}
