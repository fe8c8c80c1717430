"""Tallies handed to the scoring engine (计分引擎的测评输入), read set-based.

One GROUP BY query per kind for the whole campaign, never one per unit or ballot:

* :func:`survey_tallies` — unit code → survey key → :class:`SurveyTally` (option points →
  count, "don't know" count; with the post-stratified score and n where the sampling plan
  gives every stratum a population share);
* :func:`democratic_tallies` — unit code → evaluation key → :class:`DemocraticTally` with one
  :class:`GroupTally` per evaluator group.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count

from evaluation.engine.types import DemocraticTally, GroupTally, SurveyTally
from evaluation.models import Campaign, Unit
from surveys.models import Answer, AnswerOption, BallotVote, Question, Response, Stratum, Survey
from surveys.services.filing import ballots_file
from surveys.services.statistics import ScoreEstimate, plain_estimate, post_stratified_estimate

__all__ = ["survey_tallies", "democratic_tallies", "survey_unit_stats", "UnitSurveyStats", "post_stratification_shares"]


@dataclass
class UnitSurveyStats:
    """Everything the results page shows for one unit of one survey."""

    unit_code: str
    counts: dict[Decimal, int] = field(default_factory=dict)  # option points → ratings
    dont_know: int = 0
    per_stratum: dict[int | None, dict[Decimal, int]] = field(default_factory=dict)
    per_stratum_dont_know: dict[int | None, int] = field(default_factory=dict)
    plain: ScoreEstimate | None = None
    weighted: ScoreEstimate | None = None

    @property
    def answered(self) -> int:
        return sum(self.counts.values())

    @property
    def estimate(self) -> ScoreEstimate | None:
        """The score that counts: post-stratified where the plan allows it, else the plain mean."""
        return self.weighted or self.plain


def post_stratification_shares(survey_ids) -> dict[int, dict[int, Decimal]]:
    """survey id → {stratum id: population share}, only for surveys whose every stratum has one."""
    shares: dict[int, dict[int, Decimal]] = defaultdict(dict)
    incomplete: set[int] = set()
    for survey_id, stratum_id, share in Stratum.objects.filter(survey_id__in=survey_ids).values_list(
        "survey_id", "id", "population_share"
    ):
        if share is None:
            incomplete.add(survey_id)
        else:
            shares[survey_id][stratum_id] = share
    return {sid: s for sid, s in shares.items() if sid not in incomplete and sum(s.values()) > 0}


def _unit_stats(surveys: list[Survey], tenant_id: int, unit_ids=None) -> dict[int, dict[str, UnitSurveyStats]]:
    """survey id → unit code → stats, from one GROUP BY over the answers (of ``unit_ids`` only, if given)."""
    by_survey: dict[int, dict[str, UnitSurveyStats]] = defaultdict(dict)
    survey_ids = [s.pk for s in surveys]
    if not survey_ids:
        return by_survey
    rows = _answer_counts(survey_ids, tenant_id, unit_ids)
    for survey_id, unit_code, stratum_id, points, n in rows:
        stats = by_survey[survey_id].setdefault(unit_code, UnitSurveyStats(unit_code))
        if points is None:
            stats.dont_know += n
            stats.per_stratum_dont_know[stratum_id] = stats.per_stratum_dont_know.get(stratum_id, 0) + n
            continue
        stats.counts[points] = stats.counts.get(points, 0) + n
        cell = stats.per_stratum.setdefault(stratum_id, {})
        cell[points] = cell.get(points, 0) + n
    shares = post_stratification_shares(survey_ids)
    option_points: dict[int, list[Decimal]] = defaultdict(list)
    for survey_id, points in (
        AnswerOption.objects.filter(questionnaire__survey_id__in=survey_ids, points__isnull=False)
        .values_list("questionnaire__survey_id", "points")
        .distinct()
    ):
        option_points[survey_id].append(points)
    for survey_id, units in by_survey.items():
        for stats in units.values():
            stats.plain = plain_estimate(stats.counts, option_points=option_points.get(survey_id))
            if survey_id in shares:
                stats.weighted = post_stratified_estimate(
                    stats.per_stratum, shares[survey_id], option_points=option_points.get(survey_id)
                )
    return by_survey


def _answer_counts(survey_ids: list[int], tenant_id: int, unit_ids=None) -> list[tuple]:
    """(survey id, unit code, stratum id, option points, answers) rows: one GROUP BY on integer
    keys, named afterwards from the few units and options (grouping a million answers on codes
    and points instead takes twice as long)."""
    survey_ids, unit_ids = list(survey_ids), None if unit_ids is None else list(unit_ids)
    if not survey_ids or unit_ids == []:
        return []
    ballots_file(survey_ids=survey_ids)  # every ballot received counts (surveys/services/filing.py)
    tables = {model.__name__: model._meta.db_table for model in (Answer, Question, Response)}
    marks = ", ".join(["%s"] * len(survey_ids))
    unit_filter = f"AND q.unit_id IN ({', '.join(['%s'] * len(unit_ids))})" if unit_ids else ""
    sql = f"""
        SELECT r.survey_id, q.unit_id, r.stratum_id, a.option_id, COUNT(*)
        FROM {tables['Answer']} a
        JOIN {tables['Response']} r ON r.id = a.response_id
        JOIN {tables['Question']} q ON q.id = a.question_id
        WHERE r.survey_id IN ({marks}) AND a.tenant_id = %s {unit_filter}
        GROUP BY r.survey_id, q.unit_id, r.stratum_id, a.option_id
    """  # noqa: S608 - table names from the models, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*survey_ids, tenant_id, *(unit_ids or [])])
        counts = cursor.fetchall()
    codes = dict(Unit.objects.filter(tenant_id=tenant_id, pk__in={row[1] for row in counts}).values_list("pk", "code"))
    points = dict(AnswerOption.objects.filter(pk__in={row[3] for row in counts}).values_list("pk", "points"))
    return [(survey_id, codes[unit_id], stratum_id, points[option_id], n)
            for survey_id, unit_id, stratum_id, option_id, n in counts]


def survey_unit_stats(survey: Survey) -> dict[str, UnitSurveyStats]:
    """unit code → stats for one survey (results page, export)."""
    return _unit_stats([survey], survey.tenant_id).get(survey.pk, {})


def survey_tallies(campaign: Campaign, *, unit_ids=None) -> dict[str, dict[str, SurveyTally]]:
    """unit code → survey key → tally, for the engine (domain section 7); of ``unit_ids`` only, if given
    (each unit's tally is its own: the same for it as in the whole campaign's)."""
    surveys = list(Survey.objects.filter(tenant_id=campaign.tenant_id, campaign=campaign))
    keys = {s.pk: s.key for s in surveys}
    result: dict[str, dict[str, SurveyTally]] = defaultdict(dict)
    for survey_id, units in _unit_stats(surveys, campaign.tenant_id, unit_ids).items():
        for code, stats in units.items():
            weighted = stats.weighted
            if weighted is not None and weighted.score is not None:
                tally = SurveyTally(
                    counts=dict(stats.counts), dont_know=stats.dont_know, score=weighted.score, n=weighted.n
                )
            else:
                tally = SurveyTally(counts=dict(stats.counts), dont_know=stats.dont_know)
            result[code][keys[survey_id]] = tally
    return dict(result)


def democratic_counts(campaign: Campaign, *, evaluation_id: int | None = None, unit_ids=None):
    """(evaluation key, unit code, group code, choice, n) rows, one GROUP BY."""
    queryset = BallotVote.objects.filter(tenant_id=campaign.tenant_id, ballot__evaluation__campaign=campaign)
    if unit_ids is not None:
        queryset = queryset.filter(unit_id__in=list(unit_ids))
    if evaluation_id is not None:
        queryset = queryset.filter(ballot__evaluation_id=evaluation_id)
    return (
        queryset.values_list("ballot__evaluation__key", "unit__code", "ballot__group__code", "choice")
        .annotate(n=Count("id"))
        .order_by()
    )


def democratic_tallies(campaign: Campaign, *, unit_ids=None) -> dict[str, dict[str, DemocraticTally]]:
    """unit code → evaluation key → tally with one group tally per evaluator group (of ``unit_ids`` only, if given)."""
    cells: dict[tuple[str, str], dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for key, unit_code, group_code, choice, n in democratic_counts(campaign, unit_ids=unit_ids):
        cells[(unit_code, key)][group_code][choice] = n
    result: dict[str, dict[str, DemocraticTally]] = defaultdict(dict)
    for (unit_code, key), groups in cells.items():
        result[unit_code][key] = DemocraticTally(
            groups=[GroupTally(group=code, counts=counts) for code, counts in sorted(groups.items())]
        )
    return dict(result)
