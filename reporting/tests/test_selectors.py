from decimal import Decimal

import pytest

from reporting.selectors.results import category_blocks, revision_rows, zone_for

EXPECTED = {
    # unit: (category, total, rank, grade, last place, vetoed)
    "U6": ("C1", "96.00", 1, "良", False, True),
    "U1": ("C1", "90.00", 2, "优", False, False),
    "U2": ("C1", "89.00", 3, "良", False, False),
    "U3": ("C1", "44.50", 4, "差", True, False),
    "U5": ("C2", "97.40", 1, "优", False, False),
    "U4": ("C2", "77.55", 2, "良", True, False),
}


@pytest.mark.smoke
def test_example_a_rows_carry_the_domain_numbers(revision_a):
    rows = revision_rows(revision_a)
    assert [r.unit_code for r in rows] == ["U6", "U1", "U2", "U3", "U5", "U4"]
    for row in rows:
        category, total, rank, grade, _last, vetoed = EXPECTED[row.unit_code]
        assert (row.category_code, row.total, row.rank, row.grade, row.vetoed) == (
            category, Decimal(total), rank, grade, vetoed,
        )
        assert isinstance(row.total, Decimal)
    u1 = next(r for r in rows if r.unit_code == "U1")
    assert [(c.key, c.value) for c in u1.components] == [
        ("indicators", Decimal("45.00")), ("public", Decimal("46.00")), ("inspections", Decimal("-1.00")),
    ]
    assert (u1.internal, u1.external) == (Decimal("90.00"), Decimal("92.00"))
    assert next(r for r in rows if r.unit_code == "U3").last_place


def test_blocks_name_excellent_warned_and_last_place(revision_a):
    blocks = category_blocks(revision_a, revision_rows(revision_a))
    c1, c2 = blocks
    assert c1.grades == ["优", "良", "一般", "差"]
    assert [r.unit_code for r in c1.excellent] == ["U1"]  # U6 is vetoed: 良 despite 96.00
    assert [r.unit_code for r in c1.warned] == ["U3"]
    assert [r.unit_code for r in c1.last_place] == ["U3"]
    assert [r.unit_code for r in c2.excellent] == ["U5"]
    assert c1.components == [("indicators", "指标考核"), ("public", "公众评议"), ("inspections", "察访核验")]


def test_score_card_rows_walk_the_tree_with_ledger_lines(revision_a):
    (u1,) = revision_rows(revision_a, unit_ids=[r.unit_id for r in revision_rows(revision_a) if r.unit_code == "U1"],
                          with_nodes=True)
    leaves = {n.code: n for n in u1.leaves}
    assert leaves["1.1.1"].score == Decimal("27.00") and leaves["1.1.1"].points == Decimal("30")
    overdue = leaves["3.1.1"]
    assert overdue.score == Decimal("13.00")
    assert {line.status for line in overdue.lines} == {"counted", "exempt"}
    assert overdue.lost == Decimal("2.00")


def test_zones_follow_the_grade_order():
    grades = ["优", "良", "一般", "差"]
    assert [zone_for(g, grades) for g in grades] == ["excellent", "good", "fair", "poor"]
    assert [zone_for(g, ["优秀", "合格", "不合格"]) for g in ["优秀", "合格", "不合格"]] == ["excellent", "good", "poor"]
    assert zone_for("", grades) == ""
