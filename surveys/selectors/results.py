"""Results pages (测评结果): counts, scores and 95% intervals per unit and stratum."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from evaluation.engine.sources import democratic_score
from evaluation.engine.types import DemocraticTally, GroupTally
from surveys.models import (
    AnswerOption,
    Choice,
    DemocraticEvaluation,
    EvaluatorGroup,
    Question,
    Stratum,
    Survey,
)
from surveys.selectors.tallies import UnitSurveyStats, democratic_counts, survey_unit_stats
from surveys.services.statistics import plain_estimate


@dataclass
class PublicRow:
    code: str
    name: str
    stats: UnitSurveyStats
    by_option: list[int]  # counts in option order (points options), then don't know
    strata: list[tuple[Stratum | None, int, Decimal | None]] = field(default_factory=list)  # n, mean


@dataclass
class PublicResults:
    survey: Survey
    option_labels: list[str]
    option_points: list[Decimal]
    rows: list[PublicRow]
    weighted: bool


def public_results(survey: Survey) -> PublicResults:
    stats = survey_unit_stats(survey)
    options = list(
        AnswerOption.objects.filter(questionnaire__survey=survey, points__isnull=False)
        .order_by("-points")
        .values_list("label", "points")
        .distinct()
    )
    seen: dict[Decimal, str] = {}
    for label, points in options:
        seen.setdefault(points, label)
    points_order = sorted(seen, reverse=True)
    strata = {s.pk: s for s in Stratum.objects.filter(survey=survey)}
    units: dict[str, str] = {}
    for code, name in Question.objects.filter(questionnaire__survey=survey).order_by(
        "questionnaire__order", "order"
    ).values_list("unit__code", "unit__name"):
        units.setdefault(code, name)
    rows = []
    weighted = False
    for code, name in units.items():
        unit_stats = stats.get(code) or UnitSurveyStats(code, plain=plain_estimate({}))
        weighted = weighted or unit_stats.weighted is not None
        by_option = [unit_stats.counts.get(p, 0) for p in points_order] + [unit_stats.dont_know]
        per_stratum = []
        for stratum_id in sorted(set(unit_stats.per_stratum) | set(unit_stats.per_stratum_dont_know),
                                 key=lambda s: (s is None, strata[s].code if s in strata else "")):
            counts = unit_stats.per_stratum.get(stratum_id, {})
            estimate = plain_estimate(counts)
            per_stratum.append((strata.get(stratum_id), estimate.n, estimate.score))
        rows.append(PublicRow(code, name, unit_stats, by_option, per_stratum))
    return PublicResults(survey, [seen[p] for p in points_order], points_order, rows, weighted)


def democratic_params(groups: list[EvaluatorGroup]) -> dict:
    """The engine's params from the groups: weights if every group has one, else budgets."""
    if groups and all(g.weight is not None for g in groups) and len(groups) > 1:
        return {"group_weights": {g.code: g.weight for g in groups}}
    if groups and all(g.budget is not None for g in groups):
        return {"group_budgets": {g.code: g.budget for g in groups}}
    return {}


@dataclass
class DemocraticRow:
    code: str
    name: str
    groups: list[tuple[EvaluatorGroup, dict[str, int], Decimal | None]]
    score: Decimal | None
    problem: str | None


@dataclass
class DemocraticResults:
    evaluation: DemocraticEvaluation
    groups: list[EvaluatorGroup]
    choices: list[tuple[str, str]]
    rows: list[DemocraticRow]
    ballots: int
    tokens: int
    params: dict


def democratic_results(evaluation: DemocraticEvaluation) -> DemocraticResults:
    groups = list(evaluation.groups.all())
    params = democratic_params(groups)
    cells: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for _key, unit_code, group_code, choice, n in democratic_counts(evaluation.campaign, evaluation_id=evaluation.pk):
        cells[unit_code][group_code][choice] = n
    rows = []
    for code, name in evaluation.rated_units.order_by("order", "unit__code").values_list("unit__code", "unit__name"):
        unit_cells = cells.get(code, {})
        per_group = []
        for group in groups:
            counts = unit_cells.get(group.code, {})
            score, _e, _p = democratic_score(
                DemocraticTally([GroupTally(group.code, counts)]), source=evaluation.key, label="", where=code,
                params={},
            ) if counts else (None, None, None)
            per_group.append((group, counts, score))
        tally = DemocraticTally([GroupTally(g, c) for g, c in sorted(unit_cells.items())]) if unit_cells else None
        score, _explanation, problems = democratic_score(
            tally, source=evaluation.key, label=evaluation.name, where=code, params=params
        )
        rows.append(DemocraticRow(code, name, per_group, score, problems[0].text("zh") if problems else None))
    return DemocraticResults(
        evaluation, groups, list(Choice.choices), rows, evaluation.ballots.count(), evaluation.tokens.count(), params
    )
