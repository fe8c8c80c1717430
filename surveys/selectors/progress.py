"""Quota progress (配额完成情况): responses against each stratum's quota, per stratum and unit."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from surveys.models import Answer, Question, Response, Stratum, Survey
from surveys.services.filing import ballots_file


@dataclass
class StratumProgress:
    stratum: Stratum | None
    quota: int
    responses: int = 0
    # unit code → (ratings with points, "don't know")
    per_unit: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def percent(self) -> int | None:
        if not self.quota:
            return None
        return min(100, self.responses * 100 // self.quota)

    @property
    def met(self) -> bool:
        return bool(self.quota) and self.responses >= self.quota


@dataclass
class QuotaProgress:
    strata: list[StratumProgress]
    units: list[tuple[str, str]]  # (code, name) in questionnaire order

    @property
    def total_responses(self) -> int:
        return sum(s.responses for s in self.strata)

    @property
    def total_quota(self) -> int:
        return sum(s.quota for s in self.strata)


def quota_progress(survey: Survey) -> QuotaProgress:
    """Exact counts in three queries, whatever the number of responses, once the survey's
    staged e-poll ballots are filed (surveys/services/filing.py)."""
    ballots_file(survey_ids=[survey.pk])
    strata = list(Stratum.objects.filter(tenant_id=survey.tenant_id, survey=survey).order_by("code"))
    rows: dict[int | None, StratumProgress] = {s.pk: StratumProgress(s, s.quota) for s in strata}
    for stratum_id, n in (
        Response.objects.filter(tenant_id=survey.tenant_id, survey=survey)
        .values_list("stratum_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        rows.setdefault(stratum_id, StratumProgress(None, 0)).responses = n
    for stratum_id, unit_code, answered, dont_know in (
        Answer.objects.filter(tenant_id=survey.tenant_id, response__survey=survey)
        .values_list("response__stratum_id", "question__unit__code")
        .annotate(
            answered=Count("id", filter=Q(option__points__isnull=False)),
            dont_know=Count("id", filter=Q(option__points__isnull=True)),
        )
        .order_by()
    ):
        row = rows.setdefault(stratum_id, StratumProgress(None, 0))
        before = row.per_unit.get(unit_code, (0, 0))
        row.per_unit[unit_code] = (before[0] + answered, before[1] + dont_know)
    units: list[tuple[str, str]] = []
    for code, name in (
        Question.objects.filter(questionnaire__survey=survey)
        .order_by("questionnaire__order", "order")
        .values_list("unit__code", "unit__name")
    ):
        if (code, name) not in units:
            units.append((code, name))
    ordered = [rows[s.pk] for s in strata]
    if None in rows:
        ordered.append(rows[None])
    return QuotaProgress(ordered, units)
