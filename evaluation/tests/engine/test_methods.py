"""Every leaf scoring method (domain section 5), each test citing the seed wording it follows."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from evaluation.engine import SurveyTally, TierPick

from .helpers import entry, leaf, leaf_score, run, unit

# --- manual (综合评议) -------------------------------------------------------------------------


def test_manual_takes_the_assessors_score():
    """综合评议: the assessor enters 0..points."""
    node = leaf_score(leaf("1", "10", "manual"), assessed={"1": D("8.5")})
    assert node.score == D("8.50")
    assert str(node.explanation) == "1 指标1 8.50:评分 8.50(满分 10)"


@pytest.mark.parametrize("value", [D("10.01"), D("-1")])
def test_manual_score_outside_zero_to_points_makes_the_unit_incomplete(value):
    result = run([leaf("1", "10", "manual")], [unit(assessed={"1": value})])
    assert not result.units[0].complete
    assert result.units[0].missing == [f"1 指标1:评分 {value} 超出 0–10".replace("-", "−", 1) if value < 0
                                       else f"1 指标1:评分 {value} 超出 0–10"]


def test_manual_without_a_score_is_missing_not_zero():
    """Never guess: no score means the unit is incomplete, with the leaf named."""
    result = run([leaf("1", "10", "manual")], [unit()])
    unit_result = result.units[0]
    assert (unit_result.complete, unit_result.total, unit_result.rank, unit_result.grade) == (False, None, None, None)
    assert unit_result.missing == ["1 指标1:缺少评分"]
    assert unit_result.missing_explanations[0].text("en") == "1 指标1: no assessed score"
    assert str(unit_result.nodes["1"].explanation) == "1 指标1:缺少评分"


# --- tiered (三三分档) -------------------------------------------------------------------------

TIERS = [{"code": "A", "low_pct": "90", "high_pct": "100"}, {"code": "B", "low_pct": "80", "high_pct": "90"},
         {"code": "C", "low_pct": "0", "high_pct": "80"}]


@pytest.mark.parametrize(("pick", "expected"), [
    (TierPick("A", "+"), "20.00"), (TierPick("A", "0"), "19.00"), (TierPick("A", "-"), "18.00"),
    (TierPick("B", "0"), "17.00"), (TierPick("C", "0"), "8.00"), (TierPick("C", "-"), "0.00"),
    (TierPick("B", "−"), "16.00"),
])
def test_tiered_three_by_three(pick, expected):
    """“实行‘三三分档’打分法…分a、b、c三档定档,再…分+、0、-三个打分段”; a 90–100, b 80–90, c 80 以下."""
    node = leaf_score(leaf("1", "20", "tiered", tiers=TIERS), assessed={"1": pick})
    assert node.score == D(expected)


def test_tiered_explanation_names_tier_and_step():
    node = leaf_score(leaf("1", "20", "tiered", tiers=TIERS), assessed={"1": TierPick("B", "+")})
    assert str(node.explanation) == "1 指标1 18.00 = 20 × 90%(B 档 上段,取上限:80%–90%)"


@pytest.mark.parametrize(("pick", "message"), [
    (TierPick("D", "0"), "1 指标1:没有“D”档"), (TierPick("A", "++"), "1 指标1:档内分段应为 +、0 或 −,而不是“++”"),
    (D("18"), "1 指标1:评分格式不对(Decimal('18'))"),
])
def test_tiered_bad_pick_is_reported(pick, message):
    result = run([leaf("1", "20", "tiered", tiers=TIERS)], [unit(assessed={"1": pick})])
    assert result.units[0].missing == [message]


# --- deduction per occurrence -----------------------------------------------------------------

DISCLOSURE = {"kinds": [{"key": "missed", "label": "少公开一次", "deduction": "10"},
                        {"key": "nonstandard", "label": "公开不规范", "deduction": "5"}]}


def test_deduct_per_occurrence_several_kinds():
    """Xingan “公开情况60分…少一次扣10分;…不规范、不全面、不真实的,每次扣5分”."""
    node = leaf_score(leaf("3", "60", "deduct_per_occurrence", name="公开情况", **DISCLOSURE),
                      ledger=[entry(1, "3", "missed", "2"), entry(2, "3", "nonstandard")])
    assert node.score == D("35.00")
    assert str(node.explanation) == "3 公开情况 35.00 = 60 − 10 × 2(少公开一次,台帐 #1) − 5 × 1(公开不规范,台帐 #2)"


def test_deduct_per_occurrence_stops_at_zero():
    """“扣分情况以扣完本项分值为止”: the leaf doesn't go below zero, and says so."""
    node = leaf_score(leaf("3", "60", "deduct_per_occurrence", name="公开情况", **DISCLOSURE),
                      ledger=[entry(1, "3", "missed", "7")])
    assert node.score == D("0.00")
    assert "扣完本项分值为止,原应 −10.00" in str(node.explanation)
    assert "stops at 0" in node.explanation.text("en")


def test_deduct_per_occurrence_without_entries_scores_full():
    """No ledger entry means nothing went wrong — full points, not a missing input."""
    node = leaf_score(leaf("3", "60", "deduct_per_occurrence", **DISCLOSURE))
    assert node.score == D("60.00")
    assert str(node.explanation) == "3 指标3 60.00:无扣分"


def test_deduct_per_occurrence_fractional_deduction():
    """“出现差错一次扣0.5分”."""
    node = leaf_score(leaf("6", "6", "deduct_per_occurrence", kinds=[{"key": "error", "label": "差错", "deduction": "0.5"}]),
                      ledger=[entry(1, "6", "error", "3")])
    assert node.score == D("4.50")


def test_deduct_per_occurrence_floor_false_may_go_negative():
    node = leaf_score(leaf("6", "2", "deduct_per_occurrence", floor=False,
                           kinds=[{"key": "error", "label": "差错", "deduction": "1"}]), ledger=[entry(1, "6", "error", "3")])
    assert node.score == D("-1.00")


# --- deduction by grade of person --------------------------------------------------------------


def test_deduct_by_grade_prices_each_person_by_rank():
    """“科级以上(包括科级)每人次扣15分,科级以下每人次扣10分”."""
    grades = [{"key": "above_section", "label": "科级以上", "deduction": "15"},
              {"key": "below_section", "label": "科级以下", "deduction": "10"}]
    node = leaf_score(leaf("7", "40", "deduct_by_grade", grades=grades),
                      ledger=[entry(1, "7", "above_section"), entry(2, "7", "below_section", "2")])
    assert node.score == D("5.00")
    assert str(node.explanation) == "7 指标7 5.00 = 40 − 15 × 1(科级以上,台帐 #1) − 10 × 2(科级以下,台帐 #2)"


# --- checklist -----------------------------------------------------------------------------------

LEADERSHIP = [{"key": "no_meeting", "label": "没有召开干部职工大会进行动员部署", "deduction": "3"},
              {"key": "no_plan", "label": "没有制定工作方案或实施意见", "deduction": "5"},
              {"key": "no_group", "label": "没有成立领导小组", "deduction": "5"}]


def test_checklist_from_the_assessors_measure():
    """Xingan “领导重视情况15分…没有制定工作方案…扣5分;没有成立领导小组…扣5分”."""
    node = leaf_score(leaf("1", "15", "checklist", name="领导重视情况", items=LEADERSHIP),
                      measures={"1": ["no_plan", "no_group"]})
    assert node.score == D("5.00")
    assert str(node.explanation) == ("1 领导重视情况 5.00 = 15 − 5(没有制定工作方案或实施意见,评定) − 5(没有成立领导小组,评定)")


def test_checklist_item_deducts_once_however_often_recorded():
    """Each missing item deducts its fixed points once (from the measure and the ledger alike)."""
    node = leaf_score(leaf("1", "15", "checklist", items=LEADERSHIP), measures={"1": ["no_group"]},
                      ledger=[entry(1, "1", "no_group"), entry(2, "1", "no_group", "3"), entry(3, "1", "no_meeting")])
    assert node.score == D("7.00")
    assert [line.status for line in node.lines] == ["counted", "superseded", "superseded", "counted"]


def test_checklist_with_nothing_recorded_scores_full():
    node = leaf_score(leaf("1", "15", "checklist", items=LEADERSHIP))
    assert node.score == D("15.00")
    assert str(node.explanation) == "1 指标1 15.00:各项齐全,无扣分"


def test_checklist_unknown_item_is_reported():
    result = run([leaf("1", "15", "checklist", items=LEADERSHIP)], [unit(measures={"1": ["no_budget"]})])
    assert result.units[0].missing == ["1 指标1:清单中没有“no_budget”项"]


# --- bonus per occurrence, capped ----------------------------------------------------------------

ARTICLES = [{"key": "county", "label": "县级报刊", "bonus": "0.1"}, {"key": "city", "label": "市级报刊", "bonus": "0.5"},
            {"key": "province", "label": "省级报刊", "bonus": "1"}, {"key": "national", "label": "国家级报刊", "bonus": "2"}]


def test_bonus_per_occurrence_adds_up():
    """“每多录用县级报刊1篇加0.1分;每多录用市级报刊1篇加0.5分;每多录用省级报刊1篇加1分”."""
    node = leaf_score(leaf("9", "3", "bonus_per_occurrence", kinds=ARTICLES, cap="3"),
                      ledger=[entry(1, "9", "county", "3", kind="bonus"), entry(2, "9", "city", "2", kind="bonus"),
                              entry(3, "9", "province", kind="bonus")])
    assert node.score == D("2.30")


def test_bonus_per_occurrence_is_capped():
    """“每多录用国家级报刊1篇加2分,加分不超过3分”."""
    node = leaf_score(leaf("9", "3", "bonus_per_occurrence", kinds=ARTICLES, cap="3"),
                      ledger=[entry(1, "9", "national", "2", kind="bonus")])
    assert node.score == D("3.00")
    assert "封顶 3(合计 4.00)" in str(node.explanation)


def test_bonus_cap_defaults_to_the_leaf_points():
    node = leaf_score(leaf("9", "2", "bonus_per_occurrence", kinds=ARTICLES), ledger=[entry(1, "9", "national", "5", kind="bonus")])
    assert node.score == D("2.00")


def test_bonus_leaf_without_entries_scores_zero():
    assert leaf_score(leaf("9", "3", "bonus_per_occurrence", kinds=ARTICLES)).score == D("0.00")


# --- level bonus, highest only -----------------------------------------------------------------

LEVELS = [{"key": "city", "label": "市级", "points": "5"}, {"key": "province", "label": "省级", "points": "10"},
          {"key": "national", "label": "国家级", "points": "15"}]


def test_level_bonus_counts_one_piece_of_work_once_at_its_highest_level():
    """Zhangzhou “以上属同一项工作受到多次奖励的,按最高一级得分” (5 / 10 / 15)."""
    node = leaf_score(leaf("5", "30", "level_bonus", levels=LEVELS),
                      ledger=[entry(1, "5", "city", kind="bonus", event_key="A"),
                              entry(2, "5", "province", kind="bonus", event_key="A"),
                              entry(3, "5", "city", kind="bonus", event_key="B")])
    assert node.score == D("15.00")
    assert [line.status for line in node.lines] == ["superseded", "counted", "counted"]
    assert "同一事项就高计一次:台帐 #1 不重复计分(事项 A)" in str(node.explanation)


def test_level_bonus_cap():
    """“本项最高得分10分”."""
    node = leaf_score(leaf("5", "10", "level_bonus", levels=LEVELS, cap="10"),
                      ledger=[entry(1, "5", "national", kind="bonus", event_key="A")])
    assert node.score == D("10.00")


# --- proportional ---------------------------------------------------------------------------


@pytest.mark.parametrize(("actual", "expected"), [("2", "2.00"), ("3", "3.00"), ("5", "3.00"), ("0", "0.00")])
def test_proportional(actual, expected):
    """“全年完成上稿任务3篇计3分…未完成稿件录用任务的按比例得分”."""
    node = leaf_score(leaf("2", "3", "proportional", target="3"), measures={"2": D(actual)})
    assert node.score == D(expected)


def test_proportional_rounds_half_up_to_cents():
    assert leaf_score(leaf("2", "10", "proportional", target="3"), measures={"2": D(1)}).score == D("3.33")
    assert leaf_score(leaf("2", "10", "proportional", target="3"), measures={"2": D(2)}).score == D("6.67")
    # 0.125 × 1 → 0.13 (half-up, not banker's 0.12)
    assert leaf_score(leaf("2", "1", "proportional", target="8"), measures={"2": D(1)}).score == D("0.13")


def test_proportional_without_a_measure_is_missing():
    result = run([leaf("2", "3", "proportional", target="3")], [unit()])
    assert result.units[0].missing == ["2 指标2:缺少实绩数据"]


# --- shortfall steps -------------------------------------------------------------------------


@pytest.mark.parametrize(("actual", "partial", "expected"), [
    ("100", "floor", "20.00"), ("95", "floor", "16.00"), ("90", "floor", "12.00"), ("88", "floor", "12.00"),
    ("88", "ceil", "8.00"), ("90", "ceil", "12.00"), ("0", "floor", "0.00"), ("120", "floor", "20.00"),
])
def test_shortfall_steps(actual, partial, expected):
    """Land bureau “全面完成…补充耕地任务数(20分),每差欠5%扣4分”."""
    params = {"target": "100", "step_pct": "5", "step_deduction": "4", "partial": partial}
    node = leaf_score(leaf("3", "20", "shortfall_steps", **params), measures={"3": D(actual)})
    assert node.score == D(expected)


def test_shortfall_steps_exact_steps_on_awkward_targets():
    """A shortfall of exactly 2 steps counts 2, even where the percentage doesn't terminate."""
    params = {"target": "30", "step_pct": "10", "step_deduction": "1"}
    node = leaf_score(leaf("3", "5", "shortfall_steps", **params), measures={"3": D(24)})  # 20% short
    assert node.score == D("3.00")
    assert str(node.explanation) == ("3 指标3 3.00 = 5 − 2 × 1(完成 24 / 目标 30,差欠 20%,每差欠 10% 扣 1 分)")


# --- threshold -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("actual", "expected"), [("95", "10.00"), ("100", "10.00"), ("94.99", "0.00")])
def test_threshold(actual, expected):
    """“结案率达到95%的(10分),未达到的不给分”."""
    node = leaf_score(leaf("5", "10", "threshold", threshold="95"), measures={"5": D(actual)})
    assert node.score == D(expected)


def test_threshold_with_a_lower_value():
    node = leaf_score(leaf("5", "10", "threshold", threshold="95", below="4"), measures={"5": D(90)})
    assert node.score == D("4.00")
    assert str(node.explanation) == "5 指标5 4.00:90 未达到 95,计 4"


# --- quantity steps ------------------------------------------------------------------------------


@pytest.mark.parametrize(("actual", "expected"), [
    ("999", "0.00"), ("1000", "5.00"), ("1299", "5.00"), ("1300", "6.00"), ("1600", "7.00"), ("5000", "10.00"),
])
def test_quantity_steps_investment(actual, expected):
    """“实际到资1000万元的得5分,每增加300万元得1分。本项最高得分10分”."""
    params = {"base_at": "1000", "base_points": "5", "step": "300", "step_points": "1", "cap": "10"}
    assert leaf_score(leaf("2", "10", "quantity_steps", **params), measures={"2": D(actual)}).score == D(expected)


@pytest.mark.parametrize(("actual", "expected"), [("49", "0.00"), ("50", "1.00"), ("120", "2.00"), ("700", "10.00")])
def test_quantity_steps_funds(actual, expected):
    """“每争取50万元得1分。本项最高得分10分” (cap defaults to the leaf's points)."""
    params = {"base_at": "50", "base_points": "1", "step": "50", "step_points": "1"}
    assert leaf_score(leaf("1", "10", "quantity_steps", **params), measures={"1": D(actual)}).score == D(expected)


# --- rank in a special evaluation --------------------------------------------------------------


@pytest.mark.parametrize(("place", "expected"), [(1, "4.00"), (2, "3.00"), (3, "2.00"), (4, "0.00")])
def test_rank_points(place, expected):
    """“在全省系统综合评比中位于前列的,第一名得4分,第二名得3分,第三名得2分”."""
    node = leaf_score(leaf("2", "4", "rank_points", table={"1": "4", "2": "3", "3": "2"}), measures={"2": D(place)})
    assert node.score == D(expected)


def test_rank_points_needs_a_whole_place():
    result = run([leaf("2", "4", "rank_points", table={"1": "4"})], [unit(measures={"2": D("1.5")})])
    assert result.units[0].missing == ["2 指标2:实绩数据格式不对(1.5)"]


# --- survey-derived ----------------------------------------------------------------------------


def test_survey_leaf_scales_the_survey_score():
    """Zhangzhou “公众评议(300分)”: points × survey score / 100."""
    tally = SurveyTally(counts={D(100): 3, D(80): 1}, dont_know=2)  # mean 95
    node = leaf_score(leaf("P", "300", "survey", name="公众评议", source="public"), surveys={"public": tally})
    assert node.score == D("285.00")
    assert str(node.explanation) == "P 公众评议 285.00 = 300 × 95.00 / 100(public)"


def test_survey_leaf_without_answered_ballots_is_missing():
    tally = SurveyTally(counts={D(100): 0}, dont_know=9)
    result = run([leaf("P", "300", "survey", source="public")], [unit(surveys={"public": tally})])
    assert result.units[0].missing == ["P 指标P:调查“public”没有有效票"]
