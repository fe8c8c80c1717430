"""Survey statistics (公众评议统计): plain and post-stratified means with a 95% interval.

Exact ``Decimal`` arithmetic in a fixed context; the square root is ``Decimal.sqrt()``. The
mean is rounded half-up to cents once, as the engine rounds it; the interval is a normal
approximation (mean ± 1.96 standard errors) clipped to the options' range, and is shown for
reading the score, never used to compute it.

Post-stratification (事后分层加权): where the sampling plan gives each stratum its population
share W_h, a unit's score is Σ W_h · ȳ_h over the strata in which the unit has answered ratings,
the shares of the strata without any being spread over the others (W_h renormalised), and its
variance Σ W_h² · s_h² / n_h. A stratum with a single rating has no sample variance; the
interval is then not given rather than understated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

__all__ = ["ScoreEstimate", "plain_estimate", "post_stratified_estimate", "Z95"]

Z95 = Decimal("1.96")
CENT = Decimal("0.01")
STATS_CONTEXT = Context(prec=34, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ScoreEstimate:
    """A unit's survey score (rounded to cents), its 95% interval (or None) and answered n."""

    score: Decimal | None
    low: Decimal | None
    high: Decimal | None
    n: int

    @property
    def half_width(self) -> Decimal | None:
        if self.low is None or self.high is None:
            return None
        return ((self.high - self.low) / 2).quantize(CENT, rounding=ROUND_HALF_UP)


def _moments(counts: Mapping[Decimal, int]) -> tuple[int, Decimal, Decimal]:
    """(n, mean, sample variance) of ratings given as option points → count."""
    n = sum(counts.values())
    if n == 0:
        return 0, Decimal(0), Decimal(0)
    total = sum((Decimal(p) * c for p, c in counts.items()), Decimal(0))
    mean = total / n
    if n < 2:
        return n, mean, Decimal(0)
    squares = sum((((Decimal(p) - mean) ** 2) * c for p, c in counts.items()), Decimal(0))
    return n, mean, squares / (n - 1)


def _interval(mean: Decimal, variance_of_mean: Decimal, bounds: tuple[Decimal, Decimal]) -> tuple[Decimal, Decimal]:
    half = Z95 * variance_of_mean.sqrt()
    low = max(mean - half, bounds[0])
    high = min(mean + half, bounds[1])
    return low.quantize(CENT, rounding=ROUND_HALF_UP), high.quantize(CENT, rounding=ROUND_HALF_UP)


def _bounds(points: list[Decimal]) -> tuple[Decimal, Decimal]:
    return (min(points), max(points)) if points else (Decimal(0), Decimal(100))


def plain_estimate(counts: Mapping[Decimal, int], *, option_points: list[Decimal] | None = None) -> ScoreEstimate:
    """Mean points of answered ratings and its 95% interval (None below two ratings)."""
    with localcontext(STATS_CONTEXT):
        n, mean, variance = _moments(counts)
        if n == 0:
            return ScoreEstimate(None, None, None, 0)
        score = mean.quantize(CENT, rounding=ROUND_HALF_UP)
        if n < 2:
            return ScoreEstimate(score, None, None, n)
        low, high = _interval(mean, variance / n, _bounds(option_points or list(counts)))
        return ScoreEstimate(score, low, high, n)


def post_stratified_estimate(
    per_stratum: Mapping[object, Mapping[Decimal, int]],
    shares: Mapping[object, Decimal],
    *,
    option_points: list[Decimal] | None = None,
) -> ScoreEstimate:
    """Σ W_h · ȳ_h over strata with ratings (shares renormalised), with its 95% interval.

    Ratings from a response without a stratum, or from a stratum without a share, cannot be
    weighted and are left out of the weighted score (they still count in the plain tally).
    """
    with localcontext(STATS_CONTEXT):
        present = {
            key: _moments(counts)
            for key, counts in per_stratum.items()
            if key in shares and shares[key] and sum(counts.values()) > 0
        }
        n = sum(m[0] for m in present.values())
        if not present:
            return ScoreEstimate(None, None, None, 0)
        share_sum = sum((Decimal(shares[key]) for key in present), Decimal(0))
        mean = Decimal(0)
        variance = Decimal(0)
        has_variance = True
        for key, (n_h, mean_h, var_h) in present.items():
            weight = Decimal(shares[key]) / share_sum
            mean += weight * mean_h
            if n_h < 2:
                has_variance = False
            else:
                variance += weight * weight * var_h / n_h
        score = mean.quantize(CENT, rounding=ROUND_HALF_UP)
        if not has_variance:
            return ScoreEstimate(score, None, None, n)
        points = option_points or sorted({p for counts in per_stratum.values() for p in counts})
        low, high = _interval(mean, variance, _bounds(points))
        return ScoreEstimate(score, low, high, n)
