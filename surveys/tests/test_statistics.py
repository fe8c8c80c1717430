from decimal import Decimal

from surveys.services.statistics import plain_estimate, post_stratified_estimate

D = Decimal


def test_plain_interval_of_example_a_u3():
    # 25×100, 20×80, 35×60, 20×0: mean 62, Σ(x−62)² = 119600, s² = 119600/99, se 3.4757…, ±6.81
    estimate = plain_estimate({D(100): 25, D(80): 20, D(60): 35, D(0): 20})
    assert estimate.score == D("62.00") and estimate.n == 100
    assert (estimate.low, estimate.high) == (D("55.19"), D("68.81"))


def test_interval_needs_two_ratings_and_stays_in_range():
    assert plain_estimate({D(100): 1}).low is None
    assert plain_estimate({}).score is None
    estimate = plain_estimate({D(100): 9, D(0): 1}, option_points=[D(100), D(80), D(0)])
    assert estimate.high == D("100.00")


def test_post_stratification_reweights_an_overrepresented_stratum():
    # stratum A (share 0.5) answered 100 each, 90 ratings; stratum B (share 0.5) answered 0/60, 10 ratings
    per_stratum = {"A": {D(100): 90}, "B": {D(60): 5, D(0): 5}}
    estimate = post_stratified_estimate(per_stratum, {"A": D("0.5"), "B": D("0.5")})
    assert estimate.score == D("65.00")  # 0.5×100 + 0.5×30, against a plain mean of 93
    assert estimate.n == 100
    assert estimate.low < D(65) < estimate.high


def test_post_stratification_renormalises_missing_strata():
    estimate = post_stratified_estimate({"A": {D(80): 3}}, {"A": D("0.2"), "B": D("0.8")})
    assert estimate.score == D("80.00")
