"""The scheme document: round trips, and every problem reported at once, naming where it is."""

from __future__ import annotations

import copy
import json
from decimal import Decimal as D

import pytest

from evaluation.engine import (
    BandGrading,
    CampaignScheme,
    CategoryScheme,
    Component,
    GradeBand,
    Node,
    Rule,
    SchemeError,
    compute_units,
    scheme_from_dict,
    scheme_to_dict,
    validate_scheme,
)
from evaluation.engine.examples import worked_example_a_scheme

from .helpers import category, leaf, scheme, unit


def problems_of(document) -> list[str]:
    with pytest.raises(SchemeError) as caught:
        scheme_from_dict(document)
    return caught.value.texts("en")


def test_document_is_json_safe_and_round_trips():
    document = worked_example_a_scheme()
    assert json.loads(json.dumps(document)) == document
    parsed = scheme_from_dict(document)
    assert scheme_from_dict(json.loads(json.dumps(scheme_to_dict(parsed)))) == parsed
    leaf_rule = parsed.categories[0].tree[0].children[0].children[0].rule
    assert leaf_rule.params == {"target": D("20")}  # strings became Decimals


def test_several_errors_reported_at_once_naming_node_codes():
    document = scheme(category([
        {"code": "1", "name": "履职", "points": "55", "children": [
            leaf("1.1", "30", "proportional"),  # target missing
            leaf("1.2", "15", "deduct_per_occurrence", kinds=[{"key": "late", "deduction": 2}]),
            leaf("1.3", "5", "magic"),  # unknown method; and 30 + 15 + 5 ≠ 55
        ]},
        {"code": "2", "name": "服务", "children": [
            {"code": "2.1", "name": "投诉", "points": "x"},  # bad points, no rule
            leaf("1.1", "10", "threshold", threshold="95", below="20"),  # duplicate code; below > points
        ]},
    ]))
    messages = problems_of(document)
    assert sorted(messages) == sorted([
        "category C, node 1.1: “params.target” is required",
        "category C, node 1.3: there is no scoring method “magic” (known: manual, tiered, deduct_per_occurrence, "
        "deduct_by_grade, checklist, bonus_per_occurrence, level_bonus, proportional, shortfall_steps, threshold, "
        "quantity_steps, rank_points, survey)",
        "category C, node 1: points 55 differ from the sum of its children's points 50",
        "category C, node 2.1: “points” must be a number written as a string (e.g. \"0.5\"), not 'x'",
        "category C, node 2.1: a leaf needs a scoring rule",
        "category C, node 1.1: the node code is used twice",
        "category C, node 1.1: “params.below” 20 exceeds the node's points 10",
    ])
    # the Chinese texts are the error's messages, and what str() shows
    with pytest.raises(SchemeError) as caught:
        scheme_from_dict(document)
    assert "类别 C 指标 1.1:缺少“params.target”" in caught.value.messages
    assert "类别 C 指标 1:分值 55 与下级指标分值之和 50 不符" in str(caught.value)
    assert len(caught.value.messages) == 7


def test_floats_unknown_fields_and_bad_types_are_refused():
    document = scheme(category([{**leaf("1", "10", "proportional", target=0.5), "colour": "red"}],
                               grading={"kind": "bands", "bands": [{"grade": "优", "min": "90"}]}))
    document["categories"][0]["veto"] = {"mode": "sometimes"}
    messages = problems_of(document)
    assert "category C, node 1: “params.target” must be a number written as a string (e.g. \"0.5\"), not 0.5" in messages
    assert "category C, node 1: unknown field(s): colour" in messages
    assert "category C: “grading.bands” must not be empty" in messages
    assert "category C: “veto.mode” must be one of ineligible / deduction / none, not 'sometimes'" in messages


def test_pool_and_component_problems():
    tree = [
        leaf("1", "100", "manual"),
        {"code": "B", "name": "加分", "points": "4", "pool": {"kind": "bonus", "cap": "5"},
         "children": [leaf("B.1", "5", "level_bonus", levels=[{"key": "city", "points": "2"}])]},
        {"code": "Z", "name": "作风", "pool": {"kind": "deduction"}, "children": [leaf("Z.1", "0", "manual")]},
    ]
    components = [
        {"key": "indicators", "label": "指标", "source": "indicators", "mode": "weight"},
        {"key": "public", "label": "公众", "source": "survey", "mode": "weight", "weight": "0.5"},
        {"key": "insp", "label": "察访", "source": "inspections", "mode": "weight", "weight": "1"},
        {"key": "demo", "label": "民主", "source": "democratic:x", "mode": "weight", "weight": "0.3",
         "params": {"group_budgets": {"a": "12"}}},
    ]
    messages = problems_of(scheme(category(tree, components=components, tie_break=["nope"])))
    assert set(messages) == {
        "category C, node B: a bonus pool's points 4 must equal its cap 5",
        "category C, node Z: a deduction pool must state its points",
        "category C, node Z.1: a deduction pool holds deduction leaves only; manual is not one",
        "category C, component indicators: mode “weight” needs “weight”",
        "category C, component public: unknown source “survey” (known: indicators, survey:<key>, democratic:<key>, "
        "direct:<key>, inspections, vetoes, special_last)",
        "category C, component insp: source inspections can only be used in mode “deduction”",
        "category C, component demo: democratic evaluation by group budgets yields points; use mode “points”",
        "category C: tie-break key “nope” is not a component of this category",
    }


def test_grading_problems():
    bad_bands = {"kind": "bands", "bands": [{"grade": "优", "min": "76"}, {"grade": "良", "min": "90"},
                                            {"grade": "差", "min": "0"}]}
    assert set(problems_of(scheme(category([leaf("1", "1", "manual")], grading=bad_bands)))) == {
        "category C: the last band must have no minimum (min null, it catches the rest)",
        "category C: band minimums must go from highest to lowest",
    }
    bad_shares = {"kind": "shares", "tiers": [{"grade": "最佳", "share": "0.1"}, {"grade": "先进", "share": "0.2"}]}
    assert problems_of(scheme(category([leaf("1", "1", "manual")], grading=bad_shares))) == [
        "category C: the shares add up to 0.3, not 1"]
    bad_top = {"kind": "top_n", "n": 0, "top_grade": "优秀", "default_grade": "合格", "fail_below": "700"}
    assert set(problems_of(scheme(category([leaf("1", "1", "manual")], grading=bad_top)))) == {
        "category C: “grading.n” must be a whole number ≥ 1, not 0",
        "category C: “fail_below” needs “fail_grade”",
    }


def test_refined_targets_must_add_up_per_unit():
    tree = [{"code": "1", "name": "目标", "points": "30", "children": [
        leaf("1.0", "10", "manual"),
        {**leaf("1.1", "20", "manual"), "unit_code": "U1"},
        {**leaf("1.2", "15", "manual"), "unit_code": "U2"},
    ]}]
    assert problems_of(scheme(category(tree))) == [
        "category C, node 1: unit U2's refined targets: shared and refined points add up to 25, not 30"]


def test_category_points_checked_against_roots_without_bonus_pools():
    tree = [leaf("1", "60", "manual"), leaf("2", "30", "manual")]
    assert problems_of(scheme(category(tree, points="100"))) == ["category C: category points 100 differ from the roots' sum 90"]


def test_format_marker_is_checked():
    document = scheme(category([leaf("1", "1", "manual")]))
    document["format"] = "kaoping.scheme/9"
    assert problems_of(document) == ["scheme: the scheme format must be “kaoping.scheme/1”, not 'kaoping.scheme/9'"]


def test_schemes_built_in_python_are_checked_too():
    bad = CampaignScheme([CategoryScheme(
        code="C", name="类别", tree=[Node("1", "指标", D(10), rule=Rule("proportional", {"target": "0"}))],
        components=[Component("indicators", "指标", "indicators", "points")],
        grading=BandGrading([GradeBand("优", D(90)), GradeBand("差", None)]))])
    assert [p.text("en") for p in validate_scheme(bad)] == ["category C, node 1: “params.target” must be greater than 0 (0)"]
    with pytest.raises(SchemeError):
        compute_units(bad.categories[0], [unit()])


def test_python_built_scheme_with_string_params_computes():
    good = CategoryScheme(
        code="C", name="类别", tree=[Node("1", "指标", D(30), rule=Rule("proportional", {"target": "20"}))],
        components=[Component("indicators", "指标", "indicators", "points")],
        grading=BandGrading([GradeBand("优", D(90)), GradeBand("差", None)]))
    assert compute_units(good, [unit(measures={"1": D(18)})]).units[0].total == D("27.00")


def test_document_is_not_mutated():
    document = worked_example_a_scheme()
    before = copy.deepcopy(document)
    scheme_from_dict(document)
    assert document == before
