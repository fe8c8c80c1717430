"""Pools (domain section 4): deduction pools that stop at zero or overflow, bonus pools with caps."""

from __future__ import annotations

from decimal import Decimal as D

from .helpers import entry, leaf, run, unit

GRADES = {"grades": [{"key": "above", "label": "科级以上", "deduction": "15"},
                     {"key": "below", "label": "科级以下", "deduction": "10"}]}


def conduct_pool(*, overflow: bool) -> dict:
    """Zhangzhou “机关效率与作风纪律建设考评设总分100分,对被考评单位实行扣分制” — four deduction items
    with no budget of their own (points 0) under a pool of 100."""
    return {"code": "Z", "name": "作风纪律", "points": "100", "pool": {"kind": "deduction", "overflow": overflow},
            "children": [leaf(f"Z.{i}", "0", "deduct_by_grade", name=f"扣分项{i}", **GRADES) for i in range(1, 5)]}


def basic() -> dict:
    return leaf("A", "450", "manual", name="基本工作目标")


def test_overflow_pool_passes_the_excess_to_the_total():
    """“扣分超过100分的,超出的分数在该单位总得分中扣除”."""
    ledger = [entry(1, "Z.1", "above", "4"), entry(2, "Z.2", "below", "5")]  # 60 + 50 = 110 > 100
    result = run([basic(), conduct_pool(overflow=True)], [unit(assessed={"A": D(400)}, ledger=ledger)])
    unit_result = result.units[0]
    assert unit_result.nodes["Z"].score == D("0.00")
    assert unit_result.nodes["Z"].overflow == D("10.00")
    assert unit_result.overflow == D("10.00")
    # the leaves inside an overflow pool go negative on purpose: the pool does the accounting
    assert (unit_result.nodes["Z.1"].score, unit_result.nodes["Z.2"].score) == (D("-60.00"), D("-50.00"))
    assert unit_result.component("indicators").raw == D("400.00")
    assert unit_result.total == D("390.00")
    assert str(unit_result.nodes["Z"].explanation) == "Z 作风纪律 0.00:100 − 110.00 扣分,超出的 10.00 分在总得分中扣除"
    assert str(unit_result.explanation) == "总分 390.00 = 400.00(指标考核) − 10.00(Z 作风纪律 超出扣分)"


def test_floor_pool_stops_at_zero():
    """“扣分情况以扣完本项分值为止”: the excess is simply lost."""
    ledger = [entry(1, "Z.1", "above", "4"), entry(2, "Z.2", "below", "5")]
    result = run([basic(), conduct_pool(overflow=False)], [unit(assessed={"A": D(400)}, ledger=ledger)])
    unit_result = result.units[0]
    assert unit_result.nodes["Z"].score == D("0.00")
    assert unit_result.overflow == D("0.00")
    assert unit_result.total == D("400.00")
    assert "扣完本项分值为止" in str(unit_result.nodes["Z"].explanation)


def test_pool_within_its_points_is_points_minus_deductions():
    result = run([basic(), conduct_pool(overflow=True)],
                 [unit(assessed={"A": D(400)}, ledger=[entry(1, "Z.3", "below", "2")])])
    unit_result = result.units[0]
    assert unit_result.nodes["Z"].score == D("80.00")
    assert unit_result.total == D("480.00")
    assert str(unit_result.nodes["Z"].explanation) == ("Z 作风纪律 80.00 = 100 − 0.00(Z.1) − 0.00(Z.2) − 20.00(Z.3)"
                                                      " − 0.00(Z.4)")


def test_floor_pool_sums_deductions_across_budgeted_children():
    """Children with their own points: the pool, not each leaf, stops at zero."""
    pool = {"code": "P", "name": "公开情况", "points": "20", "pool": {"kind": "deduction"}, "children": [
        leaf("P.1", "10", "deduct_per_occurrence", kinds=[{"key": "x", "label": "少一次", "deduction": "10"}]),
        leaf("P.2", "10", "deduct_per_occurrence", kinds=[{"key": "x", "label": "不规范", "deduction": "5"}]),
    ]}
    result = run([pool], [unit(ledger=[entry(1, "P.1", "x", "2")])])
    nodes = result.units[0].nodes
    assert (nodes["P.1"].score, nodes["P.2"].score, nodes["P"].score) == (D("-10.00"), D("10.00"), D("0.00"))


def bonus_pool(cap: str) -> dict:
    kinds = [{"key": "x", "label": "单项先进", "bonus": "2"}]
    return {"code": "B", "name": "奖励", "pool": {"kind": "bonus", "cap": cap}, "children": [
        leaf("B.1", "10", "bonus_per_occurrence", kinds=kinds), leaf("B.2", "10", "bonus_per_occurrence", kinds=kinds)]}


def test_bonus_pool_is_capped():
    """“加分不超过3分”; Zhangzhou “各分项奖励累计不超过100分”."""
    ledger = [entry(1, "B.1", "x", kind="bonus"), entry(2, "B.2", "x", kind="bonus")]
    result = run([basic(), bonus_pool("3")], [unit(assessed={"A": D(400)}, ledger=ledger)])
    unit_result = result.units[0]
    assert unit_result.nodes["B"].score == D("3.00")
    assert unit_result.nodes["B"].points == D("3")
    assert str(unit_result.nodes["B"].explanation) == "B 奖励 3.00 = 2.00(B.1) + 2.00(B.2),封顶 3(合计 4.00)"
    assert unit_result.total == D("403.00")


def test_bonus_pool_adds_on_top_of_the_category_points():
    """The bonus pool isn't part of the 100-point sum (worked example A: U2's indicators are 103)."""
    tree = [leaf("A", "100", "manual"), bonus_pool("5")]
    result = run(tree, [unit(assessed={"A": D(100)}, ledger=[entry(1, "B.1", "x", "3", kind="bonus")])], points="100")
    assert result.units[0].component("indicators").raw == D("105.00")
