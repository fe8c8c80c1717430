"""Write a completed questionnaire (答卷) and its ratings; shared by paper entry and e-poll."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError

from surveys.models import (
    Answer,
    AnswerOption,
    PaperBatch,
    Question,
    Questionnaire,
    Response,
    Stratum,
    answer_key,
)


class QuestionnaireShape:
    """A questionnaire's question and option ids, loaded once per call (two small queries)."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.questionnaire = questionnaire
        self.questions = set(Question.objects.filter(questionnaire=questionnaire).values_list("id", flat=True))
        self.options = set(AnswerOption.objects.filter(questionnaire=questionnaire).values_list("id", flat=True))

    def clean(self, answers: Mapping, *, complete: bool) -> dict[int, int]:
        """``{question id: option id}`` checked against the questionnaire; blank answers dropped."""
        if not isinstance(answers, Mapping):
            raise ValidationError("答案格式错误")
        cleaned: dict[int, int] = {}
        for raw_question, raw_option in answers.items():
            if raw_option in (None, ""):
                continue
            try:
                question, option = int(raw_question), int(raw_option)
            except (TypeError, ValueError) as exc:
                raise ValidationError("答案格式错误") from exc
            if question not in self.questions:
                raise ValidationError(f"题目 {question} 不属于本问卷")
            if option not in self.options:
                raise ValidationError(f"选项 {option} 不属于本问卷")
            cleaned[question] = option
        if not cleaned:
            raise ValidationError("问卷未填写任何评价")
        if complete and set(cleaned) != self.questions:
            raise ValidationError("请对每个单位作出评价")
        return cleaned


def response_write(
    *,
    questionnaire: Questionnaire,
    stratum: Stratum | None,
    channel: str,
    answers: dict[int, int],
    batch: PaperBatch | None = None,
    sheet_no: int | None = None,
) -> Response:
    """Insert one response and its answers (callers hold the transaction)."""
    response = Response.objects.create(
        tenant_id=questionnaire.tenant_id, survey_id=questionnaire.survey_id, questionnaire=questionnaire,
        stratum=stratum, channel=channel, batch=batch, sheet_no=sheet_no,
    )
    Answer.objects.bulk_create(
        Answer(id=answer_key(response.pk, q), tenant_id=questionnaire.tenant_id, response=response, question_id=q,
               option_id=o)
        for q, o in answers.items()
    )
    return response
