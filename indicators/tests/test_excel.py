"""Excel round-trip and the all-or-nothing import with located problems."""

from __future__ import annotations

import copy
import io

import pytest
from openpyxl import load_workbook

from evaluation.models import Campaign, Category
from indicators.models import IndicatorNode
from indicators.selectors.scheme import scheme_document
from indicators.services.excel import WorkbookError, scheme_workbook, workbook_import
from indicators.services.scheme import campaign_from_template
from tests import factories


@pytest.fixture
def office(db):
    return factories.make_member(factories.make_tenant("excel-a"))


def _scheme(document):
    document = copy.deepcopy(document)
    document.pop("campaign")
    return document


def _campaign_with_units(office):
    campaign = campaign_from_template(tenant=office.tenant, template_key="nanping", year=2026, name="甲", actor=None)
    c1 = Category.objects.get(campaign=campaign, code="C1")
    for code in ("U1", "U2"):
        factories.enrol(campaign, factories.make_unit(office.tenant, code), c1)
    return campaign


@pytest.mark.smoke
def test_workbook_round_trip_gives_the_identical_scheme(office):
    source = _campaign_with_units(office)
    data = scheme_workbook(source)
    copy_ = workbook_import(tenant=office.tenant, fileobj=io.BytesIO(data), actor=office.user, name="乙")
    assert _scheme(scheme_document(copy_)) == _scheme(scheme_document(source))


def test_workbook_has_a_sheet_per_tree_and_readable_rules(office):
    book = load_workbook(io.BytesIO(scheme_workbook(_campaign_with_units(office))))
    assert {"方案", "单位", "类别", "指标-C1", "指标-C2", "公式与等次"} <= set(book.sheetnames)
    rows = list(book["指标-C1"].iter_rows(values_only=True))
    header = rows[0]
    leaf = next(r for r in rows if r[0] == "2.1.1")
    assert leaf[header.index("计分方法")] == "按次扣分"
    assert "少公开一次每次−10" in leaf[header.index("规则说明")]
    assert "missed_quarter | 少公开一次 | 10" in leaf[header.index("计分参数")]
    sentences = [r[12] for r in book["公式与等次"].iter_rows(values_only=True) if r[1] == "说明"]
    assert "总分 = 指标考核 × 0.5 + 公众评议 × 0.5 − 察访核验扣分(最高扣 5 分)" in sentences


def _broken_workbook(office) -> bytes:
    book = load_workbook(io.BytesIO(scheme_workbook(_campaign_with_units(office))))
    tree = book["指标-C1"]
    header = [c.value for c in tree[1]]
    rows = {tree.cell(row=r, column=1).value: r for r in range(2, tree.max_row + 1)}
    tree.cell(row=rows["1.1.1"], column=header.index("分值") + 1, value="三十")  # 1: not a number
    tree.cell(row=rows["2.2.1"], column=header.index("计分方法") + 1, value="拍脑袋")  # 2: unknown method
    rules = book["公式与等次"]
    for r in range(2, rules.max_row + 1):  # 3: a formula component with an unknown source
        if rules.cell(row=r, column=1).value == "C2" and rules.cell(row=r, column=3).value == "democratic":
            rules.cell(row=r, column=5, value="hearsay")
            broken_rules_row = r
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), rows, broken_rules_row


@pytest.mark.smoke
def test_three_mistakes_are_all_reported_by_sheet_row_column_and_nothing_is_saved(office):
    data, rows, rules_row = _broken_workbook(office)
    before = (Campaign.objects.count(), IndicatorNode.objects.count())
    with pytest.raises(WorkbookError) as caught:
        workbook_import(tenant=office.tenant, fileobj=io.BytesIO(data), actor=office.user, name="乙")
    located = {(p.sheet, p.row, p.column) for p in caught.value.problems}
    assert ("指标-C1", rows["1.1.1"], "分值") in located
    assert ("指标-C1", rows["2.2.1"], "计分方法") in located
    assert ("公式与等次", rules_row, "来源") in located
    assert len(caught.value.problems) == 3, [str(p) for p in caught.value.problems]
    assert "三十" in str(caught.value) and "拍脑袋" in str(caught.value) and "hearsay" in str(caught.value)
    assert (Campaign.objects.count(), IndicatorNode.objects.count()) == before


def test_not_a_workbook(office):
    with pytest.raises(WorkbookError, match="无法读取"):
        workbook_import(tenant=office.tenant, fileobj=io.BytesIO(b"not excel"), actor=office.user)
