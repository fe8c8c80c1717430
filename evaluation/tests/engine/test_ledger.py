"""Ledger modifiers every deduction or bonus honours (domain section 5, end)."""

from __future__ import annotations

from decimal import Decimal as D

from .helpers import category, entry, leaf, leaf_score, run, unit

PENALTIES = {"kinds": [{"key": "petty", "label": "一般违纪", "deduction": "3"},
                       {"key": "serious", "label": "严重违纪", "deduction": "5"}]}
CREDITS = {"kinds": [{"key": "award", "label": "获奖", "bonus": "5"}, {"key": "minor", "label": "表扬", "bonus": "1"}]}


def test_same_event_deducts_once_at_the_highest():
    """“同一事项就高扣分一次,不重复扣分”."""
    node = leaf_score(leaf("1", "20", "deduct_per_occurrence", **PENALTIES),
                      ledger=[entry(1, "1", "petty", event_key="E"), entry(2, "1", "serious", event_key="E"),
                              entry(3, "1", "petty")])
    assert node.score == D("12.00")  # 20 − 5 (event E, once, at its highest) − 3
    assert [(line.entry_id, line.status) for line in node.lines] == [(1, "superseded"), (2, "counted"), (3, "counted")]
    assert node.explanation.text("en").endswith("; same event E counted once at its highest: ledger #1 not counted again")


def test_same_event_tie_counts_the_smaller_id_whatever_the_order():
    ledger = [entry(9, "1", "petty", event_key="E"), entry(4, "1", "petty", event_key="E")]
    node = leaf_score(leaf("1", "20", "deduct_per_occurrence", **PENALTIES), ledger=ledger)
    assert [(line.entry_id, line.status) for line in node.lines] == [(4, "counted"), (9, "superseded")]


def test_self_reported_entry_is_exempt_but_listed():
    """“属于本单位自行查处或主动报告有关机关查处的,免予扣分”."""
    node = leaf_score(leaf("1", "20", "deduct_per_occurrence", **PENALTIES),
                      ledger=[entry(7, "1", "serious", exempt="self_reported")])
    assert node.score == D("20.00")
    assert node.lines[0].status == "exempt" and node.lines[0].amount == D("5")
    assert str(node.explanation) == "1 指标1 20.00:无扣分;免予扣分:严重违纪 1(主动报告,台帐 #7)"


def test_self_corrected_entry_is_exempt():
    """“单位在自查自纠中发现问题,并采取措施及时整改处理,年终绩效评估可以不扣分”."""
    node = leaf_score(leaf("1", "20", "deduct_per_occurrence", **PENALTIES),
                      ledger=[entry(1, "1", "petty"), entry(2, "1", "petty", exempt="self_corrected")])
    assert node.score == D("17.00")
    assert "免予扣分:一般违纪 1(自查自纠,台帐 #2)" in str(node.explanation)


def test_exempt_entry_does_not_take_part_in_same_event():
    node = leaf_score(leaf("1", "20", "deduct_per_occurrence", **PENALTIES),
                      ledger=[entry(1, "1", "serious", event_key="E", exempt="self_reported"),
                              entry(2, "1", "petty", event_key="E")])
    assert node.score == D("17.00")


def test_joint_bonus_lead_and_co_shares():
    """“属多部门联办的…主办单位按80%计分,联办单位按20%计分”."""
    tree = [leaf("8", "10", "bonus_per_occurrence", **CREDITS)]
    result = run(tree, [
        unit("U1", ledger=[entry(1, "8", "award", kind="bonus", joint_role="lead", unit_code="U1")]),
        unit("U2", ledger=[entry(2, "8", "award", kind="bonus", joint_role="co", unit_code="U2")]),
    ])
    assert result.unit("U1").nodes["8"].score == D("4.00")
    assert result.unit("U2").nodes["8"].score == D("1.00")
    assert str(result.unit("U1").nodes["8"].explanation) == "8 指标8 4.00 = 5 × 1 × 0.8(获奖,主办,台帐 #1)"
    assert result.unit("U2").nodes["8"].explanation.text("en") == "8 指标8 1.00 = 5 × 1 × 0.2 获奖 (co-unit, ledger #2)"


def test_joint_split_is_configurable_per_category():
    tree = [leaf("8", "10", "bonus_per_occurrence", **CREDITS)]
    result = run(tree, [unit(ledger=[entry(1, "8", "award", kind="bonus", joint_role="lead")])],
                 joint_split={"lead": "0.6", "co": "0.4"})
    assert result.units[0].nodes["8"].score == D("3.00")


def test_joint_share_applies_before_same_event():
    """A piece of work is compared at what it is worth to this unit: 80% of 5 beats a full 1."""
    node = leaf_score(leaf("8", "10", "bonus_per_occurrence", **CREDITS),
                      ledger=[entry(1, "8", "award", kind="bonus", joint_role="lead", event_key="W"),
                              entry(2, "8", "minor", kind="bonus", event_key="W")])
    assert node.score == D("4.00")


def test_bad_entries_make_the_unit_incomplete_and_name_the_entry():
    tree = [leaf("1", "20", "deduct_per_occurrence", **PENALTIES), leaf("2", "10", "manual"),
            leaf("3", "10", "bonus_per_occurrence", **CREDITS)]
    ledger = [
        entry(1, "1", "unknown"),  # no such rule
        entry(2, "1", "petty", kind="bonus"),  # wrong kind
        entry(3, "9", "petty"),  # no such leaf
        entry(4, "2", "petty"),  # leaf not scored from the ledger
        entry(5, "1", "petty", joint_role="lead"),  # joint split on a deduction
        entry(6, "3", "award", kind="bonus", exempt="forgiven"),  # unknown exemption
        entry(7, "1", "petty", unit_code="U9"),  # someone else's entry
        entry(8, "1", "petty", "-1"),  # negative quantity
    ]
    result = run(tree, [unit(assessed={"2": D(5)}, ledger=ledger)])
    unit_result = result.units[0]
    assert not unit_result.complete and unit_result.total is None
    assert sorted(unit_result.missing) == sorted([
        "台帐 #1:指标 1 没有“unknown”这一计分标准",
        "台帐 #2:指标 1 只接受扣分记录,而不是加分",
        "台帐 #3:指标 9 不在本单位的指标体系中",
        "台帐 #4:指标 2 不按台帐计分",
        "台帐 #5:主办/联办比例只适用于加分",
        "台帐 #6:免扣标记“forgiven”无效",
        "台帐 #7:记录属于单位 U9,不属于本单位",
        "台帐 #8:数量 -1 不能为负",
    ])


def test_entry_for_another_units_refined_leaf_is_rejected():
    tree = [{"code": "1", "name": "目标", "points": "10", "children": [
        {**leaf("1.1", "10", "deduct_per_occurrence", **PENALTIES), "unit_code": "U2"},
        {**leaf("1.2", "10", "manual"), "unit_code": "U1"},
    ]}]
    result = run(tree, [unit("U1", assessed={"1.2": D(8)}, ledger=[entry(1, "1.1", "petty")])])
    assert result.units[0].missing == ["台帐 #1:指标 1.1 不在本单位的指标体系中"]


def test_category_helper_accepts_joint_split_keyword():
    doc = category([leaf("1", "1", "manual")], joint_split={"lead": "0.7", "co": "0.3"})
    assert doc["joint_split"] == {"lead": "0.7", "co": "0.3"}
