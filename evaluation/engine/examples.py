"""Worked example A (domain section 12, Nanping style) as a scheme document and unit inputs.

Reused by the engine tests (which check every number to the cent), by demo data, and as the
reference example of the scheme document format.

Category 1 (performance evaluation, 绩效评估): indicators × 0.5 + public survey × 0.5 −
min(inspections, 5). Category 2 (efficiency evaluation, 效能考评): indicators × 0.7 +
democratic evaluation × 0.3 − min(inspections, 5). Grades 优 ≥ 90, 良 ≥ 76, 一般 ≥ 60, 差;
a vetoed unit cannot be 优.
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from .types import (
    DemocraticTally,
    GroupTally,
    InspectionDeduction,
    LedgerEntry,
    SurveyTally,
    UnitInputs,
    Veto,
)

__all__ = ["worked_example_a_scheme", "worked_example_a_inputs", "NANPING_BANDS", "PUBLIC_OPTIONS"]

NANPING_BANDS: dict[str, Any] = {
    "kind": "bands",
    "bands": [
        {"grade": "优", "min": "90"},
        {"grade": "良", "min": "76"},
        {"grade": "一般", "min": "60"},
        {"grade": "差", "min": None},
    ],
}

# Public survey options: 满意 100, 基本满意 80, 一般 60, 不满意 0; 不了解 is left out.
PUBLIC_OPTIONS = (D(100), D(80), D(60), D(0))


def _leaf(code: str, name: str, points: str, method: str, **params: Any) -> dict[str, Any]:
    return {"code": code, "name": name, "points": points, "rule": {"method": method, "params": params}}


def _category_1() -> dict[str, Any]:
    return {
        "code": "C1",
        "name": "第一类 市政府重点工作部门(绩效评估)",
        "points": "100",
        "tree": [
            {"code": "1", "name": "履行职能", "children": [
                {"code": "1.1", "name": "职能目标", "children": [
                    _leaf("1.1.1", "年度职能目标", "30", "proportional", target="20"),
                ]},
                {"code": "1.2", "name": "重点工作", "children": [
                    _leaf("1.2.1", "重点工作任务", "20", "deduct_per_occurrence",
                          kinds=[{"key": "unfinished", "label": "未完成重点任务", "deduction": "5"}]),
                    _leaf("1.2.2", "代表建议政协提案办理", "10", "deduct_per_occurrence",
                          kinds=[{"key": "late_reply", "label": "逾期答复", "deduction": "2"}]),
                ]},
            ]},
            {"code": "2", "name": "依法行政", "children": [
                {"code": "2.1", "name": "政务公开", "children": [
                    _leaf("2.1.1", "季度公开", "15", "deduct_per_occurrence",
                          kinds=[{"key": "missed_quarter", "label": "少公开一次", "deduction": "10"},
                                 {"key": "nonstandard", "label": "公开不规范", "deduction": "5"}]),
                ]},
                {"code": "2.2", "name": "行政复议", "children": [
                    _leaf("2.2.1", "复议受理率", "10", "threshold", threshold="95"),
                ]},
            ]},
            {"code": "3", "name": "服务质量", "children": [
                {"code": "3.1", "name": "投诉处理", "children": [
                    _leaf("3.1.1", "投诉件办理", "15", "deduct_per_occurrence",
                          kinds=[{"key": "overdue", "label": "逾期办理", "deduction": "2"}]),
                ]},
            ]},
            {"code": "4", "name": "加分项目", "pool": {"kind": "bonus", "cap": "5"}, "children": [
                _leaf("4.1", "典型经验推广", "5", "level_bonus",
                      levels=[{"key": "county", "label": "县级推广", "points": "1"},
                              {"key": "city", "label": "市级推广", "points": "2"},
                              {"key": "province", "label": "省级推广", "points": "3"},
                              {"key": "national", "label": "国家级推广", "points": "5"}]),
            ]},
        ],
        "components": [
            {"key": "indicators", "label": "指标考核", "source": "indicators", "mode": "weight", "weight": "0.5"},
            {"key": "public", "label": "公众评议", "source": "survey:public", "mode": "weight", "weight": "0.5"},
            {"key": "inspections", "label": "察访核验", "source": "inspections", "mode": "deduction", "cap": "5"},
        ],
        "grading": NANPING_BANDS,
        "veto": {"mode": "ineligible"},
        "tie_break": [],
        "name_last_place": True,
        "joint_split": {"lead": "0.8", "co": "0.2"},
    }


def _category_2() -> dict[str, Any]:
    return {
        "code": "C2",
        "name": "第二类 其他市直单位(效能考评)",
        "points": "100",
        "tree": [
            {"code": "1", "name": "制度建设", "children": [
                _leaf("1.1", "制度落实", "20", "checklist",
                      items=[{"key": "no_mobilisation", "label": "没有召开动员大会", "deduction": "5"},
                             {"key": "no_work_plan", "label": "没有制定工作方案", "deduction": "5"},
                             {"key": "no_leading_group", "label": "没有成立领导小组", "deduction": "10"}]),
                _leaf("1.2", "材料报送", "30", "deduct_per_occurrence",
                      kinds=[{"key": "late_submission", "label": "未按时上报", "deduction": "5"}]),
            ]},
            {"code": "2", "name": "作风建设", "children": [
                _leaf("2.1", "考勤", "20", "deduct_per_occurrence",
                      kinds=[{"key": "late_arrival", "label": "迟到", "deduction": "0.5"}]),
                _leaf("2.2", "宣传信息", "30", "proportional", target="6"),
            ]},
        ],
        "components": [
            {"key": "indicators", "label": "指标考核", "source": "indicators", "mode": "weight", "weight": "0.7"},
            {"key": "democratic", "label": "民主测评", "source": "democratic:annual", "mode": "weight", "weight": "0.3",
             "params": {"votes": {"satisfied": "5", "average": "3", "dissatisfied": "0"}}},
            {"key": "inspections", "label": "察访核验", "source": "inspections", "mode": "deduction", "cap": "5"},
        ],
        "grading": NANPING_BANDS,
        "veto": {"mode": "ineligible"},
        "tie_break": [],
        "name_last_place": True,
        "joint_split": {"lead": "0.8", "co": "0.2"},
    }


def worked_example_a_scheme() -> dict[str, Any]:
    """The scheme document of worked example A (a fresh dict each call)."""
    return {"format": "kaoping.scheme/1", "categories": [_category_1(), _category_2()]}


def _public(satisfied: int, basic: int, average: int, dissatisfied: int, dont_know: int) -> dict[str, SurveyTally]:
    counts = dict(zip(PUBLIC_OPTIONS, (satisfied, basic, average, dissatisfied), strict=True))
    return {"public": SurveyTally(counts=counts, dont_know=dont_know)}


def _democratic(satisfied: int, average: int, dissatisfied: int, unknown: int) -> dict[str, DemocraticTally]:
    counts = {"satisfied": satisfied, "average": average, "dissatisfied": dissatisfied, "unknown": unknown}
    return {"annual": DemocraticTally(groups=[GroupTally("evaluators", counts)])}


def worked_example_a_inputs() -> list[UnitInputs]:
    """U1, U2, U3, U6 in category C1; U4, U5 in C2 — the inputs column of the example's tables."""

    def entry(entry_id: int, unit: str, leaf: str, kind: str, rule: str, quantity: str = "1", **extra: Any) -> LedgerEntry:
        return LedgerEntry(id=entry_id, unit_code=unit, leaf_code=leaf, kind=kind, rule_key=rule, quantity=D(quantity),
                           **extra)

    return [
        UnitInputs(
            unit_code="U1", unit_name="财政局", category_code="C1",
            measures={"1.1.1": D(18), "2.2.1": D(100)},
            ledger=[
                entry(101, "U1", "1.2.1", "deduction", "unfinished"),
                entry(102, "U1", "2.1.1", "deduction", "nonstandard"),
                entry(411, "U1", "3.1.1", "deduction", "overdue"),
                entry(412, "U1", "3.1.1", "deduction", "overdue", exempt="self_corrected"),
                # Work X promoted by county and city counts once, at city level; work Y by province.
                entry(501, "U1", "4.1", "bonus", "county", event_key="work-X"),
                entry(502, "U1", "4.1", "bonus", "city", event_key="work-X"),
                entry(503, "U1", "4.1", "bonus", "province", event_key="work-Y"),
            ],
            surveys=_public(70, 20, 10, 0, 8),
            inspections=[InspectionDeduction(id="I-11", points=D(1), label="窗口人员离岗")],
        ),
        UnitInputs(
            unit_code="U2", unit_name="环保局", category_code="C1",
            measures={"1.1.1": D(20), "2.2.1": D(96)},
            ledger=[
                entry(201, "U2", "1.2.2", "deduction", "late_reply"),
                entry(202, "U2", "4.1", "bonus", "national", event_key="work-Z"),
            ],
            surveys=_public(55, 30, 10, 5, 0),
            inspections=[
                InspectionDeduction(id="I-21", points=D(2), label="上班时间办私事"),
                InspectionDeduction(id="I-22", points=D(3), label="服务态度生硬"),
                InspectionDeduction(id="I-23", points=D(1), label="公示栏未更新"),
            ],
        ),
        UnitInputs(
            unit_code="U3", unit_name="交通局", category_code="C1",
            measures={"1.1.1": D(12), "2.2.1": D(90)},
            ledger=[
                entry(301, "U3", "1.2.1", "deduction", "unfinished", "5"),
                entry(302, "U3", "1.2.2", "deduction", "late_reply", "6"),
                entry(303, "U3", "2.1.1", "deduction", "missed_quarter"),
                entry(304, "U3", "2.1.1", "deduction", "nonstandard"),
                entry(305, "U3", "3.1.1", "deduction", "overdue", "3"),
            ],
            surveys=_public(25, 20, 35, 20, 0),
        ),
        UnitInputs(
            unit_code="U6", unit_name="市场监管局", category_code="C1",
            measures={"1.1.1": D(20), "2.2.1": D(100)},
            ledger=[entry(601, "U6", "4.1", "bonus", "city", event_key="work-W")],
            surveys=_public(60, 30, 10, 0, 0),
            vetoes=[Veto(authority="安全生产", reason="发生较大安全生产责任事故")],
        ),
        UnitInputs(
            unit_code="U4", unit_name="档案馆", category_code="C2",
            measures={"1.1": ["no_leading_group"], "2.2": D(4)},
            ledger=[
                entry(401, "U4", "1.2", "deduction", "late_submission"),
                entry(402, "U4", "2.1", "deduction", "late_arrival", "3"),
            ],
            democratic=_democratic(30, 8, 2, 5),
        ),
        UnitInputs(
            unit_code="U5", unit_name="气象局", category_code="C2",
            measures={"2.2": D(7)},
            democratic=_democratic(38, 2, 0, 0),
            inspections=[InspectionDeduction(id="I-51", points=D(2), label="办事指南不全")],
        ),
    ]
