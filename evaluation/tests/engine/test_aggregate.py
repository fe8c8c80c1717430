"""Category formulas (domain section 9), incompleteness, and the public API's guard rails."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from evaluation.engine import (
    DemocraticTally,
    GroupTally,
    InputError,
    InspectionDeduction,
    SurveyTally,
    Veto,
    compute_campaign,
    compute_units,
    scheme_from_dict,
    score_unit,
)

from .helpers import category, leaf, one_category, run, scheme, unit


def groups(**counts: tuple[int, int, int, int]) -> DemocraticTally:
    return DemocraticTally([GroupTally(name, dict(zip(("satisfied", "average", "dissatisfied", "unknown"), c, strict=True)))
                            for name, c in counts.items()])


TOWNSHIP_TREE = [leaf("1", "40", "manual", name="工作实绩"), leaf("3", "10", "manual", name="政令畅通"),
                 leaf("4", "10", "manual", name="督查投诉")]
TOWNSHIP_COMPONENTS = [
    {"key": "indicators", "label": "工作实绩等", "source": "indicators", "mode": "points"},
    {"key": "conduct", "label": "作风效能", "source": "democratic:conduct", "mode": "points",
     "params": {"group_budgets": {"leaders": "12", "deputies": "18", "supervisors": "10"}}},
    {"key": "vetoes", "label": "一票否决", "source": "vetoes", "mode": "deduction", "per_item": "2"},
    {"key": "special", "label": "专项考评后5名", "source": "special_last", "mode": "deduction", "per_item": "1"},
]


def test_township_formula_budgets_vetoes_and_last_five():
    """Township: work results 40 + conduct 40 by group (“12分”, “18分”, 10) + 10 + 10, then
    “被‘一票否决’的,在考评总分中每项扣2分,位列专项考评后5名的,每项扣1分”."""
    tally = groups(leaders=(10, 0, 0, 0), deputies=(8, 2, 0, 0), supervisors=(5, 5, 0, 0))  # 100, 92, 80
    inputs = unit(assessed={"1": D(36), "3": D(9), "4": D(10)}, democratic={"conduct": tally},
                  vetoes=[Veto("计划生育")], special_last_count=2)
    result = run(TOWNSHIP_TREE, [inputs], components=TOWNSHIP_COMPONENTS, veto={"mode": "deduction", "per_item": "2"})
    unit_result = result.units[0]
    conduct = unit_result.component("conduct")
    assert conduct.raw == D("36.56")  # 12 + 16.56 + 8
    assert [c.value for c in unit_result.components] == [D("55.00"), D("36.56"), D("-2.00"), D("-2.00")]
    assert unit_result.total == D("87.56")
    assert unit_result.eligible_top  # a deduction-mode veto costs points, not eligibility
    assert "100.00/100×12(leaders) + 92.00/100×18(deputies) + 80.00/100×10(supervisors)" in str(conduct.explanation)


def test_democratic_group_without_known_votes_blocks_the_unit():
    """“A unit with no known vote has no score: that blocks publication until the office decides.”"""
    tally = groups(leaders=(10, 0, 0, 0), deputies=(0, 0, 0, 7), supervisors=(5, 5, 0, 0))
    inputs = unit(assessed={"1": D(36), "3": D(9), "4": D(10)}, democratic={"conduct": tally})
    result = run(TOWNSHIP_TREE, [inputs], components=TOWNSHIP_COMPONENTS, veto={"mode": "deduction", "per_item": "2"})
    unit_result = result.units[0]
    assert (unit_result.complete, unit_result.total, unit_result.rank) == (False, None, None)
    assert unit_result.missing == ["作风效能:民主测评“conduct”的“deputies”组没有已知票"]


def test_democratic_weighted_groups():
    components = [{"key": "demo", "label": "民主测评", "source": "democratic:annual", "mode": "weight", "weight": "1",
                   "params": {"group_weights": {"a": "3", "b": "1"}}}]
    tally = groups(a=(10, 0, 0, 0), b=(0, 10, 0, 0))  # 100 and 60
    result = run([leaf("1", "1", "manual")], [unit(assessed={"1": D(0)}, democratic={"annual": tally})],
                 components=components)
    assert result.units[0].component("demo").raw == D("90.00")


def test_unknown_votes_count_at_the_known_average():
    """“‘不瞭解’票為平均分計算”: 30/8/2 and 5 不了解 → 87.00 (worked check of U4)."""
    components = [{"key": "demo", "label": "民主测评", "source": "democratic:annual", "mode": "weight", "weight": "1"}]
    result = run([leaf("1", "1", "manual")], [unit(assessed={"1": D(0)}, democratic={"annual": groups(g=(30, 8, 2, 5))})],
                 components=components)
    assert result.units[0].component("demo").raw == D("87.00")


def test_survey_mean_leaves_dont_know_out_and_precomputed_score_wins():
    components = [{"key": "public", "label": "公众评议", "source": "survey:public", "mode": "budget", "budget": "300"}]
    tree = [leaf("1", "1", "manual")]
    tallied = run(tree, [unit(assessed={"1": D(0)}, surveys={"public": SurveyTally({D(100): 2, D(60): 1}, dont_know=50)})],
                  components=components)
    assert tallied.units[0].component("public").raw == D("86.67")
    assert tallied.units[0].component("public").value == D("260.01")  # 86.67 / 100 × 300
    weighted = run(tree, [unit(assessed={"1": D(0)}, surveys={"public": SurveyTally(score=D("91.234"), n=600)})],
                   components=components)
    assert weighted.units[0].component("public").raw == D("91.23")


def test_direct_component_and_its_absence():
    """Shenzhen leader evaluation (领导评价 5%) entered directly."""
    components = [{"key": "indicators", "label": "电子评估", "source": "indicators", "mode": "weight", "weight": "0.95"},
                  {"key": "leaders", "label": "领导评价", "source": "direct:leaders", "mode": "weight", "weight": "0.05"}]
    tree = [leaf("1", "100", "manual")]
    result = run(tree, [unit("U1", assessed={"1": D(90)}, direct={"leaders": D(96)}), unit("U2", assessed={"1": D(90)})],
                 components=components)
    assert result.unit("U1").total == D("90.30")  # 85.50 + 4.80
    assert result.unit("U2").missing == ["领导评价:缺少直接录入的得分“leaders”"]


def test_inspections_uncapped_deduct_in_full():
    components = [{"key": "indicators", "label": "指标", "source": "indicators", "mode": "points"},
                  {"key": "insp", "label": "察访核验", "source": "inspections", "mode": "deduction"}]
    findings = [InspectionDeduction("a", D("2.5"), "离岗"), InspectionDeduction("b", D(4), "态度")]
    result = run([leaf("1", "100", "manual")], [unit(assessed={"1": D(90)}, inspections=findings)], components=components)
    assert result.units[0].total == D("83.50")


def test_refined_targets_belong_to_their_unit():
    """“指标细化”: each unit's own L3 leaves under a shared L2; a unit with none is incomplete."""
    tree = [{"code": "1", "name": "年度目标", "points": "30", "children": [
        leaf("1.0", "10", "manual", name="共同目标"),
        {**leaf("1.1", "20", "manual", name="U1 目标"), "unit_code": "U1"},
        {**leaf("1.2", "12", "manual", name="U2 目标甲"), "unit_code": "U2"},
        {**leaf("1.3", "8", "manual", name="U2 目标乙"), "unit_code": "U2"},
    ]}]
    result = run(tree, [unit("U1", assessed={"1.0": D(10), "1.1": D(15)}),
                        unit("U2", assessed={"1.0": D(9), "1.2": D(12), "1.3": D(8)}),
                        unit("U3", assessed={"1.0": D(10)})])
    assert result.unit("U1").total == D("25.00")
    assert list(result.unit("U1").nodes) == ["1", "1.0", "1.1"]
    assert result.unit("U2").total == D("29.00")
    assert "1.1" not in result.unit("U2").nodes
    assert result.unit("U3").missing == ["1 年度目标:本单位没有细化指标(共享指标 10 分,应为 30 分)"]


def test_compute_campaign_rejects_unknown_category_and_duplicates():
    document = scheme(category([leaf("1", "1", "manual")]))
    with pytest.raises(InputError, match="X"):
        compute_campaign(scheme_from_dict(document), [unit().__class__("U1", "n", "X")])
    with pytest.raises(InputError, match="U1"):
        compute_campaign(scheme_from_dict(document), [unit(), unit()])


def test_compute_campaign_returns_every_category_even_empty():
    document = scheme(category([leaf("1", "1", "manual")]), {**category([leaf("1", "1", "manual")]), "code": "D"})
    result = compute_campaign(scheme_from_dict(document), [unit(assessed={"1": D(1)})])
    assert [(c.code, len(c.units)) for c in result.categories] == [("C", 1), ("D", 0)]
    assert result.complete


def test_compute_units_and_score_unit_for_one_category():
    cat = one_category([leaf("1", "10", "manual")])
    assert compute_units(cat, [unit(assessed={"1": D(7)})]).units[0].total == D("7.00")
    preview = score_unit(cat, unit(assessed={"1": D(7)}))
    assert (preview.total, preview.rank, preview.grade) == (D("7.00"), None, None)


def test_global_decimal_context_does_not_change_scores():
    import decimal

    cat = one_category([leaf("1", "30", "proportional", target="7")])
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = decimal.ROUND_DOWN
        result = compute_units(cat, [unit(measures={"1": D(5)})])
    assert result.units[0].nodes["1"].score == D("21.43")  # 30 × 5 / 7 = 21.428…
