"""Ranks, grades and last place (domain section 10)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from evaluation.engine import PreviousYear, SurveyTally, Veto
from evaluation.engine.grading import share_counts

from .helpers import leaf, run, unit

TREE = [leaf("A", "1000", "manual", name="综合")]


def units_with(totals: dict[str, str], **extra) -> list:
    return [unit(code, assessed={"A": D(total)}, **extra.get(code, {})) for code, total in totals.items()]


def ranked(result) -> list[tuple]:
    return [(u.unit_code, u.rank, u.grade) for u in result.units]


@pytest.mark.parametrize(("total", "grade"), [
    ("90", "优"), ("89.99", "良"), ("76", "良"), ("75.99", "一般"), ("60", "一般"), ("59.99", "差"), ("0", "差"),
])
def test_bands_are_lower_bounds(total, grade):
    """Nanping “优 ≥ 90, 良 76–89…”: read as lower bounds, 89.99 is 良."""
    assert run(TREE, units_with({"U1": total})).units[0].grade == grade


def test_shared_ranks_are_one_two_two_four():
    result = run(TREE, units_with({"U1": "90", "U2": "85", "U3": "85", "U4": "70"}))
    assert [(u.unit_code, u.rank) for u in result.units] == [("U1", 1), ("U2", 2), ("U3", 2), ("U4", 4)]
    assert str(result.unit("U2").rank_explanation) == "并列第 2 名(共 4 个单位,与 单位U3 同分)"


def test_tie_break_by_component():
    components = [
        {"key": "indicators", "label": "指标考核", "source": "indicators", "mode": "weight", "weight": "0.5"},
        {"key": "public", "label": "公众评议", "source": "survey:public", "mode": "weight", "weight": "0.5"},
    ]
    surveys = {"U1": {"surveys": {"public": SurveyTally(score=D(80))}}, "U2": {"surveys": {"public": SurveyTally(score=D(90))}},
               "U3": {"surveys": {"public": SurveyTally(score=D(90))}}}
    totals = {"U1": "100", "U2": "90", "U3": "90"}  # U1 90.00, U2 90.00, U3 90.00
    result = run(TREE, units_with(totals, **surveys), components=components, tie_break=["public"])
    assert [(u.unit_code, u.total, u.rank) for u in result.units] == [
        ("U2", D("90.00"), 1), ("U3", D("90.00"), 1), ("U1", D("90.00"), 3)]
    assert str(result.unit("U1").rank_explanation) == "第 3 名(共 3 个单位;与 单位U2、单位U3 总分相同,按 公众评议 排序)"


def test_last_place_is_the_worst_rank_and_shared_when_tied():
    result = run(TREE, units_with({"U1": "90", "U2": "70", "U3": "70"}))
    assert [u.unit_code for u in result.units if u.last_place] == ["U2", "U3"]


def test_last_place_not_named_when_switched_off_or_alone_or_all_tied():
    assert not any(u.last_place for u in run(TREE, units_with({"U1": "90", "U2": "70"}), name_last_place=False).units)
    assert not run(TREE, units_with({"U1": "90"})).units[0].last_place
    assert not any(u.last_place for u in run(TREE, units_with({"U1": "80", "U2": "80"})).units)


def test_vetoed_unit_takes_the_next_band():
    result = run(TREE, units_with({"U1": "95"}, U1={"vetoes": [Veto("计划生育")]}), veto={"mode": "ineligible"})
    unit_result = result.units[0]
    assert (unit_result.rank, unit_result.grade, unit_result.eligible_top) == (1, "良", False)


def test_veto_mode_none_records_but_keeps_eligibility():
    result = run(TREE, units_with({"U1": "95"}, U1={"vetoes": [Veto("计划生育")]}), veto={"mode": "none"})
    assert (result.units[0].vetoed, result.units[0].grade) == (True, "优")


TOP_N = {"kind": "top_n", "n": 3, "top_grade": "优秀", "default_grade": "合格", "fail_below": "700",
         "fail_grade": "不合格"}


def test_top_n_passes_over_an_ineligible_unit():
    """Zhangzhou “取第一系列前5名…为优秀单位”; a unit that cannot be excellent is passed over."""
    totals = {"U1": "950", "U2": "940", "U3": "930", "U4": "920", "U5": "800"}
    result = run(TREE, units_with(totals, U2={"vetoes": [Veto("安全生产")]}), grading=TOP_N, veto={"mode": "ineligible"})
    assert ranked(result) == [("U1", 1, "优秀"), ("U2", 2, "合格"), ("U3", 3, "优秀"), ("U4", 4, "优秀"), ("U5", 5, "合格")]
    assert str(result.unit("U2").grade_explanation) == "等次 合格:第 2 名,但被安全生产一票否决,不能评为优秀,由下一名递补"
    assert str(result.unit("U4").grade_explanation) == "等次 优秀:可评优单位中第 3 位,前 3 名为优秀"


def test_top_n_fail_below_700_wins_and_700_itself_passes():
    """“总分在700分(不含700分)以下的为‘不合格单位’”."""
    totals = {"U1": "750", "U2": "700", "U3": "699.99", "U4": "600"}
    result = run(TREE, units_with(totals), grading=TOP_N)
    assert ranked(result) == [("U1", 1, "优秀"), ("U2", 2, "优秀"), ("U3", 3, "不合格"), ("U4", 4, "不合格")]


def test_top_n_does_not_split_a_shared_rank():
    totals = {"U1": "950", "U2": "940", "U3": "930", "U4": "930", "U5": "800"}
    result = run(TREE, units_with(totals), grading=TOP_N)
    assert [u.grade for u in result.units] == ["优秀", "优秀", "优秀", "优秀", "合格"]


SHARES = {"kind": "shares", "tiers": [{"grade": "最佳", "share": "0.10"}, {"grade": "先进", "share": "0.20"},
                                      {"grade": "良好", "share": "0.40"}, {"grade": "达标", "share": "0.20"},
                                      {"grade": "诫勉", "share": "0.10"}]}


def test_share_counts_round_half_up_and_the_last_tier_takes_the_rest():
    shares = [D("0.10"), D("0.20"), D("0.40"), D("0.20"), D("0.10")]
    assert share_counts(shares, 10) == [1, 2, 4, 2, 1]
    assert share_counts(shares, 15) == [2, 3, 6, 3, 1]  # 1.5 → 2, 3, 6, 3, rest 1
    assert share_counts(shares, 4) == [0, 1, 2, 1, 0]
    assert share_counts([D("0.5"), D("0.5")], 3) == [2, 1]


def test_shares_five_tiers_by_rank():
    """Jiangsu “评出最佳、先进、良好、达标和诫勉单位5个等次”, by proportion of the category."""
    totals = {f"U{i:02d}": str(100 - i) for i in range(1, 11)}
    result = run(TREE, units_with(totals), grading=SHARES)
    assert [u.grade for u in result.units] == ["最佳", "先进", "先进", "良好", "良好", "良好", "良好", "达标", "达标", "诫勉"]
    assert str(result.unit("U02").grade_explanation) == "等次 先进:按名次第 2 位,先进为第 2–3 位(0.20 × 10 个单位)"


def test_shares_pass_over_a_vetoed_unit_for_the_first_tier():
    totals = {f"U{i:02d}": str(100 - i) for i in range(1, 11)}
    result = run(TREE, units_with(totals, U01={"vetoes": [Veto("社会稳定")]}), grading=SHARES, veto={"mode": "ineligible"})
    grades = {u.unit_code: u.grade for u in result.units}
    assert (grades["U02"], grades["U01"], grades["U03"]) == ("最佳", "先进", "先进")
    assert grades["U04"] == "良好"


def test_shares_keep_tied_units_together():
    totals = {"U1": "99", "U2": "98", "U3": "97", "U4": "97", "U5": "90", "U6": "89", "U7": "88", "U8": "87", "U9": "86",
              "U10": "85"}
    result = run(TREE, units_with(totals), grading=SHARES)
    grades = {u.unit_code: u.grade for u in result.units}
    assert grades["U3"] == grades["U4"] == "先进"
    assert grades["U5"] == "良好"


def test_incomplete_units_get_no_rank_and_leave_no_gap():
    units = units_with({"U1": "90", "U3": "70"}) + [unit("U2")]  # U2 has no assessed score
    result = run(TREE, units)
    assert [(u.unit_code, u.rank, u.grade, u.complete) for u in result.units] == [
        ("U1", 1, "优", True), ("U3", 2, "一般", True), ("U2", None, None, False)]
    assert result.unit("U3").last_place
    assert str(result.unit("U2").grade_explanation) == "不评定等次:数据不全"


def test_consecutive_years_with_the_same_grade():
    """“连续三年…优秀”: the streak counts this year and the earlier years, most recent first."""
    history = [PreviousYear(2023, "优"), PreviousYear(2022, "优"), PreviousYear(2021, "良")]
    result = run(TREE, units_with({"U1": "95"}, U1={"previous": history}))
    assert result.units[0].same_grade_years == 3
