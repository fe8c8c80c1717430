"""Ranks (名次), grades (等次) and last place (末位), always within one category.

Ranks
    Only complete units are ranked, by total, highest first. Equal totals share a rank and the
    next rank is skipped (competition ranking: 1, 2, 2, 4) — unless the scheme names tie-break
    components, which are compared in order (highest value first; a deduction's value is
    negative, so the smaller deduction wins); units still equal after them share the rank.
    Within a shared rank units are listed by code.

Last place (末位)
    When ``name_last_place`` is set and at least two units are ranked, the unit(s) holding the
    worst rank are named last place — unless everyone shares first place.

Grades
    ``bands`` (Nanping): the first band whose ``min`` the total reaches (lower bounds: 89.99 is
    below 90). A unit barred from the top grade by a veto gets the next band instead.

    ``top_n`` (Zhangzhou: “取第一系列前5名…为优秀单位”): the eligible units are taken in rank
    order and the first ``n`` get the top grade; a vetoed unit is passed over and the next one
    moves up. A unit tied with the ``n``-th admitted unit is admitted too (a shared rank is not
    split). A total below ``fail_below`` gets ``fail_grade`` whatever its rank
    (“总分在700分(不含700分)以下的为不合格单位”); everyone else gets ``default_grade``.

    ``shares`` (Jiangsu: 最佳 / 先进 / 良好 / 达标 / 诫勉 by proportion): with N ranked units, every
    tier but the last gets round-half-up(share × N) places, cut so the running total never
    exceeds N; the last tier takes the rest. The first tier is filled with eligible units in rank
    order (vetoed units are passed over). The remaining units, still in rank order, then take
    positions after it, and a unit at position p gets the tier whose cumulative places first
    reach p. Tied units never split: a unit tied with the one before it takes the same tier
    (which shifts later tiers down by the extra place).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from .explain import Explanation
from .types import BandGrading, CategoryScheme, ShareGrading, TopNGrading, UnitResult

__all__ = ["rank_and_grade", "share_counts"]


def rank_and_grade(category: CategoryScheme, units: Sequence[UnitResult]) -> list[UnitResult]:
    """Set rank, last place and grade on ``units``; return them ordered (rank, code; incomplete last)."""
    ranked = _rank(category, [u for u in units if u.complete])
    incomplete = sorted((u for u in units if not u.complete), key=lambda u: u.unit_code)
    for unit in incomplete:
        unit.rank_explanation = Explanation("rank.none")
        unit.grade_explanation = Explanation("grade.none")
    if category.name_last_place and len(ranked) >= 2:
        worst = ranked[-1].rank
        if worst != 1:
            for unit in ranked:
                unit.last_place = unit.rank == worst
    grading = category.grading
    if isinstance(grading, BandGrading):
        _grade_bands(grading, ranked)
    elif isinstance(grading, TopNGrading):
        _grade_top_n(grading, ranked)
    elif isinstance(grading, ShareGrading):
        _grade_shares(grading, ranked)
    for unit in ranked:
        unit.same_grade_years = _same_grade_years(unit)
    return ranked + incomplete


def _rank(category: CategoryScheme, units: list[UnitResult]) -> list[UnitResult]:
    keys = list(category.tie_break)

    def tie_values(unit: UnitResult) -> tuple:
        return tuple(unit.component(key).value for key in keys)

    # Sort by code first, then (stably) by total and tie-break values, highest first.
    units.sort(key=lambda u: u.unit_code)
    units.sort(key=lambda u: (u.total, tie_values(u)), reverse=True)
    labels = {c.key: c.label for c in category.components}
    of = len(units)
    previous = None
    for index, unit in enumerate(units):
        key = (unit.total, tie_values(unit))
        unit.rank = previous.rank if previous is not None and key == (previous.total, tie_values(previous)) else index + 1
        previous = unit
    by_rank: dict[int, list[UnitResult]] = {}
    by_total: dict[Decimal, list[UnitResult]] = {}
    for unit in units:
        by_rank.setdefault(unit.rank, []).append(unit)
        by_total.setdefault(unit.total, []).append(unit)
    for unit in units:
        shared = [u.unit_name or u.unit_code for u in by_rank[unit.rank] if u is not unit]
        same_total = [u.unit_name or u.unit_code for u in by_total[unit.total] if u.rank != unit.rank]
        if shared:
            unit.rank_explanation = Explanation("rank.shared", {"rank": unit.rank, "of": of, "with_": shared})
        elif same_total:
            unit.rank_explanation = Explanation("rank.tiebreak", {"rank": unit.rank, "of": of, "with_": same_total,
                                                                  "keys": [labels[k] for k in keys]})
        else:
            unit.rank_explanation = Explanation("rank.plain", {"rank": unit.rank, "of": of})
    return units


def _authorities(unit: UnitResult) -> list[str]:
    """Who bars the unit from the top grade: its vetoes, else the authorities yet to sign off."""
    return [veto.authority for veto in unit.vetoes] or list(unit.pending_sign_offs)


def _barred(template: str, unit: UnitResult) -> str:
    """``grade.band_veto`` for a veto, ``grade.band_unsigned`` for a missing sign-off."""
    return template if unit.vetoes else template.replace("_veto", "_unsigned")


def _grade_bands(grading: BandGrading, units: list[UnitResult]) -> None:
    bands = grading.bands
    for unit in units:
        index = next(i for i, band in enumerate(bands) if band.min is None or unit.total >= band.min)
        if index == 0 and not unit.eligible_top:
            # Vetoed: keeps score and rank, but takes the next band (“一票否决…取消…评选资格”).
            unit.grade = bands[1].grade
            unit.grade_explanation = Explanation(_barred("grade.band_veto", unit), {
                "grade": unit.grade, "total": unit.total, "min": bands[0].min, "authorities": _authorities(unit),
                "top": bands[0].grade})
            continue
        band = bands[index]
        unit.grade = band.grade
        if band.min is not None:
            unit.grade_explanation = Explanation("grade.band", {"grade": band.grade, "total": unit.total, "min": band.min})
        else:
            unit.grade_explanation = Explanation("grade.band_floor", {"grade": band.grade, "total": unit.total,
                                                                      "next_min": bands[index - 1].min})


def _grade_top_n(grading: TopNGrading, units: list[UnitResult]) -> None:
    top: dict[str, int] = {}  # unit code → place among eligible units
    last_rank = None
    place = 0
    for unit in units:
        if not unit.eligible_top:
            continue
        place += 1
        if len(top) < grading.n or unit.rank == last_rank:
            top[unit.unit_code] = place
            last_rank = unit.rank
    for unit in units:
        if grading.fail_below is not None and unit.total < grading.fail_below:
            unit.grade = grading.fail_grade
            unit.grade_explanation = Explanation("grade.fail", {"grade": unit.grade, "total": unit.total,
                                                                "fail_below": grading.fail_below})
        elif unit.unit_code in top:
            unit.grade = grading.top_grade
            unit.grade_explanation = Explanation("grade.top_n", {"grade": unit.grade, "place": top[unit.unit_code],
                                                                 "n": grading.n})
        elif not unit.eligible_top and unit.rank <= grading.n:
            unit.grade = grading.default_grade
            unit.grade_explanation = Explanation(_barred("grade.top_n_veto", unit), {
                "grade": unit.grade, "rank": unit.rank, "authorities": _authorities(unit), "top": grading.top_grade})
        else:
            unit.grade = grading.default_grade
            unit.grade_explanation = Explanation("grade.top_n_default", {"grade": unit.grade, "n": grading.n})


def share_counts(shares: Sequence[Decimal], n: int) -> list[int]:
    """Places per tier for ``n`` units: round-half-up(share × n) for all but the last tier
    (never more than are left), the last tier takes the rest."""
    counts = []
    left = n
    for share in shares[:-1]:
        count = int((share * n).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        count = min(count, left)
        counts.append(count)
        left -= count
    counts.append(left)
    return counts


def _grade_shares(grading: ShareGrading, units: list[UnitResult]) -> None:
    tiers = grading.tiers
    n = len(units)
    counts = share_counts([t.share for t in tiers], n)
    bounds = []
    running = 0
    for count in counts:
        running += count
        bounds.append(running)

    first: list[UnitResult] = []
    for unit in units:
        if not unit.eligible_top:
            continue
        if len(first) < counts[0] or (first and unit.rank == first[-1].rank):
            first.append(unit)
    first_codes = {u.unit_code for u in first}
    for position, unit in enumerate(first, start=1):
        _set_share(unit, tiers, 0, position, bounds, n, tie_with=None)

    position = len(first)
    previous: UnitResult | None = None
    previous_tier = 0
    for unit in units:
        if unit.unit_code in first_codes:
            continue
        position += 1
        if previous is not None and previous.rank == unit.rank:
            tier = previous_tier
            tie_with = previous
        else:
            tier = next((i for i in range(1, len(tiers)) if position <= bounds[i]), len(tiers) - 1)
            tie_with = None
        _set_share(unit, tiers, tier, position, bounds, n, tie_with=tie_with)
        previous, previous_tier = unit, tier


def _set_share(unit, tiers, tier: int, position: int, bounds: list[int], n: int, tie_with) -> None:
    unit.grade = tiers[tier].grade
    if tie_with is not None:
        unit.grade_explanation = Explanation("grade.share_tie", {"grade": unit.grade,
                                                                 "with_": tie_with.unit_name or tie_with.unit_code})
    elif not unit.eligible_top and tier > 0:
        unit.grade_explanation = Explanation(_barred("grade.share_veto", unit), {
            "grade": unit.grade, "authorities": _authorities(unit), "top": tiers[0].grade, "position": position})
    else:
        first = (bounds[tier - 1] if tier else 0) + 1
        unit.grade_explanation = Explanation("grade.share", {
            "grade": unit.grade, "position": position, "first": first, "last": max(bounds[tier], position),
            "share": tiers[tier].share, "of": n})


def _same_grade_years(unit: UnitResult) -> int:
    """This year plus the earlier years, most recent first, with the same grade (连续…年)."""
    if unit.grade is None:
        return 0
    years = 1
    for previous in unit.previous:
        if previous.grade != unit.grade:
            break
        years += 1
    return years
