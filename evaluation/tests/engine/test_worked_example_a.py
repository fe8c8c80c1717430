"""Worked example A (domain section 12): every number of both tables, to the cent.

The schemes go through ``scheme_from_dict``, so this also proves the scheme document format.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from evaluation.engine import compute_campaign, scheme_from_dict, scheme_to_dict
from evaluation.engine.examples import worked_example_a_inputs, worked_example_a_scheme

# unit: (leaves…, bonus, indicators, public/democratic score, inspections deduction taken, total, rank, grade, last)
CATEGORY_1 = {
    "U1": (("27", "15", "10", "10", "10", "13"), "5", "90.00", "92.00", "1", "90.00", 2, "优", False),
    "U2": (("30", "20", "8", "15", "10", "15"), "5", "103.00", "85.00", "5", "89.00", 3, "良", False),
    "U3": (("18", "0", "0", "0", "0", "9"), "0", "27.00", "62.00", "0", "44.50", 4, "差", True),
    "U6": (("30", "20", "10", "15", "10", "15"), "2", "102.00", "90.00", "0", "96.00", 1, "良", False),
}
CATEGORY_1_LEAVES = ("1.1.1", "1.2.1", "1.2.2", "2.1.1", "2.2.1", "3.1.1")
CATEGORY_2 = {
    "U4": (("10", "25", "18.5", "20"), "73.50", "87.00", "0", "77.55", 2, "良", True),
    "U5": (("20", "30", "20", "30"), "100.00", "98.00", "2", "97.40", 1, "优", False),
}
CATEGORY_2_LEAVES = ("1.1", "1.2", "2.1", "2.2")


@pytest.fixture(scope="module")
def result():
    return compute_campaign(scheme_from_dict(worked_example_a_scheme()), worked_example_a_inputs())


def cents(value: str) -> D:
    return D(value).quantize(D("0.01"))


@pytest.mark.parametrize("code", sorted(CATEGORY_1))
def test_category_1_row_to_the_cent(result, code):
    leaves, bonus, indicators, public, inspections, total, rank, grade, last = CATEGORY_1[code]
    unit = result.category("C1").unit(code)
    assert unit.complete, unit.missing
    assert [unit.nodes[c].score for c in CATEGORY_1_LEAVES] == [cents(v) for v in leaves]
    assert unit.nodes["4"].score == cents(bonus)
    assert unit.component("indicators").raw == D(indicators)
    assert unit.component("indicators").value == (D(indicators) * D("0.5")).quantize(D("0.01"))
    assert unit.component("public").raw == D(public)
    assert unit.component("inspections").value == -cents(inspections)
    assert unit.total == D(total)
    assert (unit.rank, unit.grade, unit.last_place) == (rank, grade, last)


@pytest.mark.parametrize("code", sorted(CATEGORY_2))
def test_category_2_row_to_the_cent(result, code):
    leaves, indicators, democratic, inspections, total, rank, grade, last = CATEGORY_2[code]
    unit = result.category("C2").unit(code)
    assert unit.complete, unit.missing
    assert [unit.nodes[c].score for c in CATEGORY_2_LEAVES] == [cents(v) for v in leaves]
    assert unit.component("indicators").raw == D(indicators)
    assert unit.component("democratic").raw == D(democratic)
    assert unit.component("inspections").value == -cents(inspections)
    assert unit.total == D(total)
    assert (unit.rank, unit.grade, unit.last_place) == (rank, grade, last)


def test_components_of_u1_add_up_to_its_total(result):
    unit = result.unit("U1")
    assert [c.value for c in unit.components] == [D("45.00"), D("46.00"), D("-1.00")]
    assert sum(c.value for c in unit.components) == unit.total
    assert str(unit.explanation) == "总分 90.00 = 45.00(指标考核) + 46.00(公众评议) − 1.00(察访核验)"
    assert unit.explanation.text("en") == "total 90.00 = 45.00 (指标考核) + 46.00 (公众评议) − 1.00 (察访核验)"


def test_u2_inspections_are_capped_at_5(result):
    inspections = result.unit("U2").component("inspections")
    assert (inspections.raw, inspections.value) == (D("6.00"), D("-5.00"))
    assert "最高扣 5 分" in str(inspections.explanation)


def test_u6_ranks_first_but_its_veto_bars_the_top_grade(result):
    unit = result.unit("U6")
    assert (unit.total, unit.rank, unit.grade) == (D("96.00"), 1, "良")
    assert unit.vetoed and not unit.eligible_top
    assert str(unit.grade_explanation) == "等次 良:96.00 ≥ 90,但被安全生产一票否决,不能评为优"
    assert unit.grade_explanation.text("en") == "grade 良: 96.00 ≥ 90 but vetoed by 安全生产, not eligible for 优"


def test_ranks_in_category_1_and_the_bulletin_order(result):
    assert [(u.unit_code, u.rank) for u in result.category("C1").units] == [("U6", 1), ("U1", 2), ("U2", 3), ("U3", 4)]
    assert [u.unit_code for u in result.category("C1").units if u.last_place] == ["U3"]
    assert [(u.unit_code, u.rank) for u in result.category("C2").units] == [("U5", 1), ("U4", 2)]


def test_u1_complaint_leaf_explains_the_self_corrected_exemption(result):
    node = result.unit("U1").nodes["3.1.1"]
    assert str(node.explanation) == (
        "3.1.1 投诉件办理 13.00 = 15 − 2 × 1(逾期办理,台帐 #411);免予扣分:逾期办理 1(自查自纠,台帐 #412)"
    )
    assert node.explanation.text("en") == (
        "3.1.1 投诉件办理 13.00 = 15 − 2 × 1 逾期办理 (ledger #411); exempt: 1 逾期办理 (self-corrected, ledger #412)"
    )
    assert [(line.entry_id, line.status) for line in node.lines] == [(411, "counted"), (412, "exempt")]


def test_u1_bonus_counts_work_x_once_at_city_level(result):
    node = result.unit("U1").nodes["4.1"]
    assert node.score == D("5.00")
    assert [(line.entry_id, line.status) for line in node.lines] == [(501, "superseded"), (502, "counted"), (503, "counted")]


def test_u4_democratic_explanation_follows_the_unknown_vote_rule(result):
    explanation = result.unit("U4").component("democratic").explanation
    assert "(30×5 + 8×3 + 2×0) / 40 = 4.35" in str(explanation)
    assert "5 张“不了解”票按 4.35 计,195.75 / 45 = 4.35;4.35 / 5 × 100 = 87.00" in str(explanation)


def test_proportional_leaf_explanation(result):
    assert str(result.unit("U1").nodes["1.1.1"].explanation) == "1.1.1 年度职能目标 27.00 = 30 × 18 / 20"
    assert str(result.unit("U1").component("indicators").explanation) == "指标考核 45.00 = 90.00 × 0.5"


def test_the_example_document_round_trips():
    document = worked_example_a_scheme()
    scheme = scheme_from_dict(document)
    assert scheme_to_dict(scheme) == document
    assert scheme_from_dict(scheme_to_dict(scheme)) == scheme
