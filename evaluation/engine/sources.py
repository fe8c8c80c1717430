"""Scores that come from outside the indicator tree: public surveys and democratic evaluation.

Public survey (公众评议): a unit's score is the mean points of its answered ballots; “don't
know” (不了解) ballots are left out. A survey app that post-stratifies passes its own score.

Democratic evaluation (民主测评): “按照‘满意’票5分、‘一般’票3分、‘不满意’票0分、‘不瞭解’票為平均分計算”.
Per evaluator group, the 不了解 votes count at the average of that unit's known votes in the
same group, so they cannot move the average — the engine still follows the rule literally, and
says so, because that is what a unit reads in its score card. The group score is
average / top vote points × 100. Groups combine by weights (weighted mean) or by point budgets
(township: 12 / 18 / 10, each group contributing score / 100 × budget).

All means are computed as exact fractions and rounded half-up once, to cents.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .decimals import HUNDRED, ZERO, fraction_text, r2
from .explain import Explanation
from .types import DemocraticTally, SurveyTally

__all__ = ["survey_score", "democratic_score", "DEFAULT_VOTES", "UNKNOWN"]

DEFAULT_VOTES = {"satisfied": Decimal(5), "average": Decimal(3), "dissatisfied": Decimal(0)}
UNKNOWN = "unknown"


def survey_score(
    tally: SurveyTally | None, *, source: str, label: str, where: Any, explain: bool = True
) -> tuple[Decimal | None, Explanation | None, Explanation | None]:
    """(score, explanation, problem) of a unit's survey ``source``; no explanation unless ``explain``."""
    if tally is None:
        return None, None, Explanation("missing.survey", {"where": where, "source": source})
    if tally.score is not None:
        score = r2(Decimal(tally.score))
        if not explain:
            return score, None, None
        n = Explanation("survey.n", {"n": tally.n}) if tally.n is not None else None
        return score, Explanation("survey.precomputed", {"label": label, "score": score, "n": n}), None
    answered = 0
    total = ZERO
    for option, count in tally.counts.items():
        if count < 0:
            return None, None, Explanation("bad.survey_option", {"where": where, "source": source})
        answered += count
        total += Decimal(option) * count
    if answered == 0:
        return None, None, Explanation("missing.survey_empty", {"where": where, "source": source})
    # A 28-digit quotient rounded to cents equals the exact mean rounded to cents: a mean of
    # integer counts cannot come within 1e-26 of a half cent without being exactly on it.
    score = r2(total / answered)
    if not explain:
        return score, None, None
    terms = [Explanation("term.votes", {"count": tally.counts[option], "points": Decimal(option)})
             for option in sorted(tally.counts, reverse=True)]
    explanation = Explanation(
        "survey.tally", {"label": label, "score": score, "terms": terms, "answered": answered, "dont_know": tally.dont_know}
    )
    return score, explanation, None


def democratic_score(
    tally: DemocraticTally | None, *, source: str, label: str, where: Any, params: Mapping[str, Any], explain: bool = True
) -> tuple[Decimal | None, Explanation | None, list[Explanation]]:
    """(raw, explanation, problems) of a unit's democratic evaluation ``source``.

    ``params``: ``votes`` (option → points, default 5 / 3 / 0), then either ``group_weights``
    (raw is the weighted mean of group scores, 0–100, rounded to cents) or ``group_budgets``
    (raw is the sum of each group's score / 100 × budget, each rounded to cents, in points).
    With neither, one group is taken as it is and several groups weigh equally.
    """
    if tally is None:
        return None, None, [Explanation("missing.democratic", {"where": where, "source": source})]
    votes: Mapping[str, Decimal] = params.get("votes") or DEFAULT_VOTES
    weights: Mapping[str, Decimal] | None = params.get("group_weights")
    budgets: Mapping[str, Decimal] | None = params.get("group_budgets")
    top = max(votes.values())
    problems: list[Explanation] = []
    scores: dict[str, Decimal] = {}
    configured = weights if weights is not None else budgets
    counts_by_group: dict[str, Mapping[str, int]] = {}
    for group in tally.groups:
        if configured is not None and group.group not in configured:
            problems.append(Explanation("bad.democratic_group", {"where": where, "source": source, "group": group.group}))
            continue
        result = _group_score(group.group, group.counts, votes, top, where=where, source=source)
        if isinstance(result, list):
            problems.extend(result)
            continue
        scores[group.group] = result
        counts_by_group[group.group] = group.counts
    if configured is not None:
        present = {g.group for g in tally.groups}
        for name in configured:
            if name not in present:
                problems.append(Explanation("missing.democratic_group", {"where": where, "source": source, "group": name}))
    if not tally.groups:
        problems.append(Explanation("missing.democratic_group", {"where": where, "source": source, "group": "—"}))
    if problems:
        problems.sort(key=str)
        return None, None, problems

    names = list(configured) if configured is not None else sorted(scores)
    if budgets is not None:
        # Each group's contribution is rounded before it is added: the bulletin shows them.
        raw = sum((r2(scores[name] * budgets[name] / HUNDRED) for name in names), ZERO)
    elif len(names) == 1:
        raw = scores[names[0]]
    else:
        use = weights if weights is not None else {name: Decimal(1) for name in names}
        weight_sum = sum((use[n] for n in names), ZERO)
        raw = r2(sum((scores[n] * use[n] for n in names), ZERO) / weight_sum)
    if not explain:
        return raw, None, []

    groups_text = [_explain_group(name, counts_by_group[name], votes, top, scores[name]) for name in names]
    if budgets is not None:
        terms = [Explanation("term.budget", {"score": scores[n], "budget": budgets[n], "group": n}) for n in names]
        return raw, Explanation("demo.budgets", {"label": label, "score": raw, "terms": terms, "groups": groups_text}), []
    if len(names) == 1:
        return raw, Explanation("demo.single", {"label": label, "score": raw, "group": groups_text[0]}), []
    use = weights if weights is not None else {name: Decimal(1) for name in names}
    terms = [Explanation("term.weighted", {"score": scores[n], "weight": use[n]}) for n in names]
    explanation = Explanation("demo.weighted", {"label": label, "score": raw, "terms": terms,
                                                "weight_sum": sum((use[n] for n in names), ZERO), "groups": groups_text})
    return raw, explanation, []


def _group_score(
    group: str, counts: Mapping[str, int], votes: Mapping[str, Decimal], top: Decimal, *, where: Any, source: str
) -> Decimal | list[Explanation]:
    """A group's score, 0–100, following “‘不瞭解’票為平均分計算” literally.

    Decimal arithmetic at 28 digits is safe here: the exact score is either a short terminating
    decimal (computed exactly) or a non-terminating one, which cannot sit within 1e-20 of a
    half cent — so rounding the computed value gives the exact value's rounding.
    """
    problems = [
        Explanation("bad.democratic_vote", {"where": where, "source": source, "group": group, "option": option})
        for option in counts
        if option not in votes and option != UNKNOWN
    ]
    if problems:
        return problems
    known = 0
    known_points = ZERO
    for option, points in votes.items():
        count = counts.get(option, 0)
        known += count
        known_points += points * count
    if known == 0:
        return [Explanation("missing.democratic_group", {"where": where, "source": source, "group": group})]
    unknown = counts.get(UNKNOWN, 0)
    average = known_points / known
    # Each 不了解 vote is worth the average of the known votes.
    final_average = (known_points + average * unknown) / (known + unknown)
    return r2(final_average * HUNDRED / top)


def _explain_group(group: str, counts: Mapping[str, int], votes: Mapping[str, Decimal], top: Decimal,
                   score: Decimal) -> Explanation:
    """The group's arithmetic in words, with exact fractions (≈ where a figure does not terminate)."""
    terms = []
    known = 0
    known_points = Fraction(0)
    for option, points in votes.items():
        count = counts.get(option, 0)
        known += count
        known_points += Fraction(points) * count
        terms.append(Explanation("term.votes", {"count": count, "points": points}))
    unknown = counts.get(UNKNOWN, 0)
    average = known_points / known
    total_points = known_points + average * unknown
    params: dict[str, Any] = {
        "group": group, "terms": terms, "known": known, "avg": fraction_text(total_points / (known + unknown)),
        "top": top, "score": score,
    }
    if unknown:
        params.update(unknown=unknown, total_points=fraction_text(total_points), ballots=known + unknown)
        return Explanation("demo.group", params)
    return Explanation("demo.group_nounknown", params)
