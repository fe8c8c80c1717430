"""Configure surveys (测评配置): public surveys, questionnaires, strata, democratic evaluations,
evaluator groups and ballot tokens."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from evaluation.models import Campaign, Category, Unit
from surveys.models import (
    AnswerOption,
    BallotToken,
    DemocraticEvaluation,
    EvaluatorGroup,
    Question,
    Questionnaire,
    RatedUnit,
    Stratum,
    Survey,
)


@dataclass(frozen=True)
class OptionSpec:
    label: str
    points: Decimal | None  # None: "don't know" (不了解), left out of the mean


NANPING_OPTIONS = (
    OptionSpec("满意", Decimal(100)),
    OptionSpec("基本满意", Decimal(80)),
    OptionSpec("一般", Decimal(60)),
    OptionSpec("不满意", Decimal(0)),
    OptionSpec("不了解", None),
)


def _check_tenant(campaign: Campaign, *objects) -> None:
    for obj in objects:
        if obj is not None and obj.tenant_id != campaign.tenant_id:
            raise ValidationError("对象不属于本考评机关")


@transaction.atomic
def survey_create(
    *,
    campaign: Campaign,
    key: str,
    name: str,
    epoll_enabled: bool = False,
    identification: str = Survey.Identification.DEVICE,
    purpose: str = "",
    double_entry: bool = False,
    opens_at=None,
    closes_at=None,
) -> Survey:
    if Survey.objects.filter(campaign=campaign, key=key).exists():
        raise ValidationError({"key": "本年度已有该标识的评议"})
    survey = Survey(
        tenant_id=campaign.tenant_id, campaign=campaign, key=key, name=name, epoll_enabled=epoll_enabled,
        identification=identification, purpose=purpose, double_entry=double_entry, opens_at=opens_at,
        closes_at=closes_at,
    )
    survey.full_clean(exclude=["tenant", "campaign"])
    survey.save()
    return survey


@transaction.atomic
def survey_update(*, survey: Survey, **fields) -> Survey:
    allowed = {"name", "epoll_enabled", "identification", "purpose", "double_entry", "opens_at", "closes_at",
               "ip_hourly_limit"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    for name, value in fields.items():
        setattr(survey, name, value)
    survey.full_clean(exclude=["tenant", "campaign"])
    survey.save(update_fields=list(fields))
    return survey


@transaction.atomic
def questionnaire_create(
    *,
    survey: Survey,
    name: str,
    units: Sequence[Unit],
    options: Sequence[OptionSpec] = NANPING_OPTIONS,
    category: Category | None = None,
    question_text: str = "您对{unit}的工作是否满意?",
) -> Questionnaire:
    """A questionnaire rating ``units`` (one question each) with the given answer options."""
    _check_tenant(survey.campaign, category, *units)
    if not units:
        raise ValidationError("问卷至少评议一个单位")
    if not any(o.points is not None for o in options):
        raise ValidationError("至少一个选项须有分值")
    labels = [o.label for o in options]
    if len(set(labels)) != len(labels):
        raise ValidationError("选项名称重复")
    order = (survey.questionnaires.aggregate(m=Max("order"))["m"] or 0) + 1
    questionnaire = Questionnaire.objects.create(
        tenant_id=survey.tenant_id, survey=survey, name=name, category=category, order=order
    )
    AnswerOption.objects.bulk_create(
        AnswerOption(tenant_id=survey.tenant_id, questionnaire=questionnaire, label=o.label, points=o.points, order=i)
        for i, o in enumerate(options)
    )
    Question.objects.bulk_create(
        Question(
            tenant_id=survey.tenant_id, questionnaire=questionnaire, unit=unit,
            text=question_text.format(unit=unit.name), order=i,
        )
        for i, unit in enumerate(units)
    )
    return questionnaire


@transaction.atomic
def stratum_create(
    *, survey: Survey, code: str, name: str, kind: str = Stratum.Kind.SURVEY_POINT, quota: int = 0,
    population_share: Decimal | None = None,
) -> Stratum:
    if Stratum.objects.filter(survey=survey, code=code).exists():
        raise ValidationError({"code": "层代码重复"})
    if population_share is not None and not (Decimal(0) <= population_share <= Decimal(1)):
        raise ValidationError({"population_share": "总体比例应在0到1之间"})
    return Stratum.objects.create(
        tenant_id=survey.tenant_id, survey=survey, code=code, name=name, kind=kind, quota=quota,
        population_share=population_share,
    )


@transaction.atomic
def democratic_create(
    *, campaign: Campaign, key: str, name: str, units: Sequence[Unit], instructions: str = "",
    opens_at=None, closes_at=None,
) -> DemocraticEvaluation:
    _check_tenant(campaign, *units)
    if DemocraticEvaluation.objects.filter(campaign=campaign, key=key).exists():
        raise ValidationError({"key": "本年度已有该标识的民主测评"})
    if not units:
        raise ValidationError("至少测评一个单位")
    evaluation = DemocraticEvaluation.objects.create(
        tenant_id=campaign.tenant_id, campaign=campaign, key=key, name=name, instructions=instructions,
        opens_at=opens_at, closes_at=closes_at,
    )
    RatedUnit.objects.bulk_create(
        RatedUnit(tenant_id=campaign.tenant_id, evaluation=evaluation, unit=unit, order=i)
        for i, unit in enumerate(units)
    )
    return evaluation


@transaction.atomic
def evaluator_group_create(
    *, evaluation: DemocraticEvaluation, code: str, name: str, kind: str = EvaluatorGroup.Kind.OTHER,
    weight: Decimal | None = None, budget: Decimal | None = None,
) -> EvaluatorGroup:
    if weight is not None and budget is not None:
        raise ValidationError("权重与分值只能设置一项")
    if EvaluatorGroup.objects.filter(evaluation=evaluation, code=code).exists():
        raise ValidationError({"code": "组代码重复"})
    order = (evaluation.groups.aggregate(m=Max("order"))["m"] or 0) + 1
    return EvaluatorGroup.objects.create(
        tenant_id=evaluation.tenant_id, evaluation=evaluation, code=code, name=name, kind=kind, weight=weight,
        budget=budget, order=order,
    )


MAX_TOKENS_PER_CALL = 5000


@transaction.atomic
def ballot_tokens_issue(*, group: EvaluatorGroup, count: int) -> list[BallotToken]:
    """Issue ``count`` new tokens (测评码) for a group, numbered after the evaluation's last."""
    if not 1 <= count <= MAX_TOKENS_PER_CALL:
        raise ValidationError(f"一次可生成1至{MAX_TOKENS_PER_CALL}个测评码")
    evaluation = DemocraticEvaluation.objects.select_for_update().get(pk=group.evaluation_id)
    start = (BallotToken.objects.filter(evaluation=evaluation).aggregate(m=Max("serial"))["m"] or 0) + 1
    tokens = [
        BallotToken(
            tenant_id=group.tenant_id, evaluation=evaluation, group=group, serial=start + i,
            token=secrets.token_urlsafe(18),
        )
        for i in range(count)
    ]
    return BallotToken.objects.bulk_create(tokens)
