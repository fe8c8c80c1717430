"""The scheme as one Excel workbook (方案工作簿), and back.

Sheets: 方案 (year, name, document number), 阶段 (phase windows), 单位 (units and their
category), 部门 (data providers), 类别 (categories), 指标-<code> (one per category tree: a row
per node, its rule in readable columns), 公式与等次 (formula components, grades, vetoes, tie-break,
last place, joint split, total, survey options, and the formula written out).

Import reads every row, collects every problem as (sheet, row, column, reason) — the cells'
own problems and the engine's, mapped back to the row they come from — and imports nothing
when there is any. See docs/scheme-document.md.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from evaluation.engine import SchemeError, scheme_from_dict
from evaluation.engine.explain import Explanation
from evaluation.engine.params import to_decimal
from evaluation.models import Campaign, Phase, Tenant
from indicators.models import Method
from indicators.selectors.scheme import DOCUMENT_FORMAT, dec_text, scheme_document
from indicators.services.describe import describe_category, describe_pool, describe_rule
from indicators.services.params_text import params_from_text, params_to_text
from indicators.services.scheme import (
    SchemeImportError,
    engine_part,
    scheme_document_check,
    scheme_document_import,
)

__all__ = ["WorkbookError", "CellProblem", "scheme_workbook", "workbook_document", "workbook_import"]

META_SHEET, PHASE_SHEET, UNIT_SHEET, DEPT_SHEET, CAT_SHEET, RULES_SHEET = (
    "方案", "阶段", "单位", "部门", "类别", "公式与等次")
TREE_PREFIX = "指标-"

TREE_COLUMNS = ("编号", "上级编号", "名称", "分值", "权重", "类型", "超扣计入总分", "加分上限", "所属单位", "计分方法",
                "计分参数", "规则说明", "考评内容", "佐证材料要求", "数据提供部门", "开放细化")
RULE_COLUMNS = ("类别代码", "项目", "代码", "名称", "来源", "方式", "权重", "分值预算", "上限", "每项", "下限或比例", "参数",
                "说明")
UNIT_COLUMNS = ("单位代码", "单位名称", "单位性质", "类别代码", "仅参加公众评议")
DEPT_COLUMNS = ("部门代码", "部门名称", "类型")
CAT_COLUMNS = ("类别代码", "类别名称", "顺序", "指标表")
PHASE_COLUMNS = ("阶段", "阶段名称", "开始", "截止")

KIND_LABELS = {"group": "分组", "leaf": "末级指标", "deduction": "扣分池", "bonus": "加分池"}
KIND_BY_LABEL = {v: k for k, v in KIND_LABELS.items()} | {k: k for k in KIND_LABELS}
METHOD_BY_LABEL = {str(label): value for value, label in Method.choices} | {v: v for v, _label in Method.choices}
METHOD_LABEL = {value: str(label) for value, label in Method.choices}
YES, NO = "是", "否"


@dataclass(frozen=True)
class CellProblem:
    sheet: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = f"工作表“{self.sheet}”"
        if self.row is not None:
            where += f" 第 {self.row} 行"
        if self.column:
            where += f" “{self.column}”列"
        return f"{where}:{self.reason}"


class WorkbookError(ValueError):
    def __init__(self, problems: list[CellProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# ================================================================================================
# Export
# ================================================================================================

_HEAD_FONT = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDE5EE")


def _sheet(book: Workbook, title: str, columns: tuple[str, ...], widths: dict[int, int] | None = None):
    sheet = book.create_sheet(title)
    sheet.append(list(columns))
    for index, _name in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = _HEAD_FONT, _HEAD_FILL
        sheet.column_dimensions[get_column_letter(index)].width = (widths or {}).get(index, 14)
    sheet.freeze_panes = "A2"
    return sheet


def _num(value: Any) -> Any:
    """Numbers as numeric cells (exact: Decimal), everything else as given."""
    if value in (None, ""):
        return None
    number = to_decimal(value)
    return number if number is not None and not isinstance(value, bool) else value


def _tree_sheet_name(code: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in code)
    return (TREE_PREFIX + cleaned)[:31]


def scheme_workbook(campaign: Campaign) -> bytes:
    """The campaign's scheme as an .xlsx file."""
    document = scheme_document(campaign)
    book = Workbook()
    book.remove(book.active)
    meta = _sheet(book, META_SHEET, ("字段", "值"), {1: 12, 2: 50})
    info = document["campaign"]
    for label, value in (("年度", info["year"]), ("名称", info["name"]), ("文号", info["document_number"])):
        meta.append([label, value])
    meta.append(["格式", DOCUMENT_FORMAT])

    phases = _sheet(book, PHASE_SHEET, PHASE_COLUMNS)
    labels = dict(Phase.choices)
    for phase in info["phases"]:
        phases.append([phase["phase"], str(labels.get(phase["phase"], "")), phase["opens_on"], phase["deadline"]])

    units = _sheet(book, UNIT_SHEET, UNIT_COLUMNS, {2: 24})
    place: dict[str, tuple[str, str]] = {}
    for category in document["categories"]:
        for code in category["units"]:
            place[code] = (category["code"], NO)
    for code in document["survey_only_units"]:
        place[code] = ("", YES)
    for unit in document["units"]:
        category_code, survey = place.get(unit["code"], ("", NO))
        units.append([unit["code"], unit["name"], unit["kind"], category_code, survey])

    departments = _sheet(book, DEPT_SHEET, DEPT_COLUMNS, {2: 24})
    for department in document["departments"]:
        departments.append([department["code"], department["name"], department["kind"]])

    cats = _sheet(book, CAT_SHEET, CAT_COLUMNS, {2: 36, 4: 18})
    for category in document["categories"]:
        cats.append([category["code"], category["name"], category["order"], _tree_sheet_name(category["code"])])

    for category in document["categories"]:
        sheet = _sheet(book, _tree_sheet_name(category["code"]), TREE_COLUMNS,
                       {3: 28, 10: 16, 11: 40, 12: 48, 13: 30, 14: 24})
        details = category["node_details"]

        def write(nodes: list, parent: str | None, sheet=sheet, details=details) -> None:
            for node in nodes:
                pool = node.get("pool") or {}
                rule = node.get("rule")
                kind = "leaf" if rule else (pool.get("kind") or "group")
                detail = details.get(node["code"], {})
                if rule:
                    text = describe_rule(rule["method"], rule.get("params"), node.get("points"))
                else:
                    text = describe_pool(kind, overflow=pool.get("overflow", False), cap=pool.get("cap"),
                                         points=node.get("points"))
                sheet.append([
                    node["code"], parent, node["name"], _num(node.get("points")), _num(node.get("weight")),
                    KIND_LABELS[kind], YES if pool.get("overflow") else (NO if kind == "deduction" else None),
                    _num(pool.get("cap")), node.get("unit_code"),
                    METHOD_LABEL.get(rule["method"], rule["method"]) if rule else None,
                    params_to_text(rule["method"], rule.get("params")) if rule else None, text,
                    detail.get("description"), detail.get("evidence_requirements"), detail.get("provider"),
                    YES if detail.get("open_for_targets") else None,
                ])
                write(node.get("children") or [], node["code"], sheet, details)

        write(category["tree"], None)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")

    rules = _sheet(book, RULES_SHEET, RULE_COLUMNS, {4: 16, 5: 18, 12: 40, 13: 60})
    for category in document["categories"]:
        code = category["code"]
        for sentence in describe_category(category):
            rules.append([code, "说明", None, None, None, None, None, None, None, None, None, None, sentence])
        for c in category["components"]:
            rules.append([code, "组成项", c.get("key"), c.get("label"), c.get("source"), c.get("mode"),
                          _num(c.get("weight")), _num(c.get("budget")), _num(c.get("cap")), _num(c.get("per_item")),
                          None, json.dumps(c["params"], ensure_ascii=False) if c.get("params") else None, None])
        grading = category.get("grading") or {}
        kind = grading.get("kind")
        if kind == "top_n":
            params = {k: v for k, v in grading.items() if k != "kind"}
            rules.append([code, "等次方式", None, None, None, kind, None, None, None, None, None,
                          json.dumps(params, ensure_ascii=False), None])
        elif kind in ("bands", "shares"):
            rules.append([code, "等次方式", None, None, None, kind] + [None] * 7)
            for item in grading.get("bands") or grading.get("tiers") or []:
                value = item.get("min") if kind == "bands" else item.get("share")
                rules.append([code, "等次", None, item.get("grade"), None, None, None, None, None, None, _num(value),
                              None, None])
        veto = category.get("veto") or {"mode": "none"}
        rules.append([code, "一票否决", None, None, None, veto.get("mode"), None, None, None, _num(veto.get("per_item")),
                      None, None, None])
        rules.append([code, "同分排序", None, None, None, None, None, None, None, None, None,
                      ", ".join(category.get("tie_break") or []) or None, None])
        rules.append([code, "通报末位", None, None, None, None, None, None, None, None, None,
                      YES if category.get("name_last_place", True) else NO, None])
        split = category.get("joint_split") or {}
        rules.append([code, "联办分成", None, None, None, None, None, None, None, None, None,
                      json.dumps(split, ensure_ascii=False) if split else None, None])
        if category.get("points") is not None:
            rules.append([code, "满分", None, None, None, None, None, None, None, None, _num(category["points"]),
                          None, None])
        for option in category.get("survey_options") or []:
            rules.append([code, "问卷选项", None, option.get("label"), None, None, None, None, None, None,
                          _num(option.get("points")), None, None])
    for row in rules.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ================================================================================================
# Import
# ================================================================================================


def _text(value: Any) -> str:
    """A cell as text. Numbers typed into Excel come back as int or float; a float's shortest
    repr is what was typed (0.5, not 0.5000000001), so it is read from there, never as binary."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return dec_text(value) or "0"
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if not isinstance(value, str):  # a float cell
        return dec_text(Decimal(repr(value))) or "0"
    return value.strip()


class _Reader:
    """Reads one sheet's rows as dicts by header, remembering each row's number."""

    def __init__(self, book, name: str, columns: tuple[str, ...], problems: list[CellProblem], required: bool = True):
        self.name = name
        self.problems = problems
        self.rows: list[tuple[int, dict[str, str]]] = []
        if name not in book.sheetnames:
            if required:
                problems.append(CellProblem(name, None, None, "缺少此工作表"))
            return
        sheet = book[name]
        header = [_text(c) for c in next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())]
        missing = [c for c in columns if c not in header]
        for column in missing:
            problems.append(CellProblem(name, 1, column, "缺少此列"))
        if missing:
            return
        index = {c: header.index(c) for c in columns}
        for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
            cells = {c: _text(values[i]) if i < len(values) else "" for c, i in index.items()}
            if any(cells.values()):
                self.rows.append((number, cells))

    def add(self, row: int | None, column: str | None, reason: str) -> None:
        self.problems.append(CellProblem(self.name, row, column, reason))


def _dec(reader: _Reader, row: int, cells: dict[str, str], column: str, *, required: bool = False) -> str | None:
    text = cells.get(column, "")
    if not text:
        if required:
            reader.add(row, column, "不能为空")
        return None
    if to_decimal(text) is None:
        reader.add(row, column, f"应为数字,而不是“{text}”")
        return None
    return text


def _bool(reader: _Reader, row: int, cells: dict[str, str], column: str) -> bool | None:
    text = cells.get(column, "")
    if not text:
        return None
    if text in (YES, "TRUE", "true", "1"):
        return True
    if text in (NO, "FALSE", "false", "0"):
        return False
    reader.add(row, column, f"应为“是”或“否”,而不是“{text}”")
    return None


@dataclass
class _Locations:
    nodes: dict[tuple[str, str], tuple[str, int]]
    components: dict[tuple[str, str], int]
    grading: dict[str, int]
    veto: dict[str, int]
    categories: dict[str, int]


def workbook_document(fileobj) -> tuple[dict[str, Any], list[CellProblem], _Locations]:
    """Read a workbook into a campaign scheme document; (document, problems, where rows came from)."""
    problems: list[CellProblem] = []
    try:
        book = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that isn't a workbook
        raise WorkbookError([CellProblem("—", None, None, f"无法读取 Excel 文件:{exc}")]) from exc
    where = _Locations({}, {}, {}, {}, {})

    meta_reader = _Reader(book, META_SHEET, ("字段", "值"), problems)
    meta = {cells["字段"]: (row, cells["值"]) for row, cells in meta_reader.rows}
    campaign: dict[str, Any] = {"name": meta.get("名称", (None, ""))[1], "document_number": meta.get("文号", (None, ""))[1],
                                "phases": []}
    year_row, year_text = meta.get("年度", (None, ""))
    if year_text and not year_text.isdigit():
        meta_reader.add(year_row, "值", f"年度应为整数,而不是“{year_text}”")
    campaign["year"] = int(year_text) if year_text.isdigit() else None

    phase_reader = _Reader(book, PHASE_SHEET, PHASE_COLUMNS, problems, required=False)
    known_phases = {p.value for p in Phase}
    by_label = {str(p.label): p.value for p in Phase}
    for row, cells in phase_reader.rows:
        phase = by_label.get(cells["阶段"], cells["阶段"])
        if phase not in known_phases:
            phase_reader.add(row, "阶段", f"未知的阶段“{cells['阶段']}”")
            continue
        dates = {}
        for column, key in (("开始", "opens_on"), ("截止", "deadline")):
            text = cells[column]
            if text and not (len(text) == 10 and text[4] == "-" and text[7] == "-"):
                phase_reader.add(row, column, f"日期应写作 YYYY-MM-DD,而不是“{text}”")
                text = ""
            dates[key] = text or None
        campaign["phases"].append({"phase": phase, **dates})

    cat_reader = _Reader(book, CAT_SHEET, CAT_COLUMNS, problems)
    categories: list[dict[str, Any]] = []
    by_code: dict[str, dict[str, Any]] = {}
    for row, cells in cat_reader.rows:
        code = cells["类别代码"]
        if not code or not cells["类别名称"]:
            cat_reader.add(row, "类别代码" if not code else "类别名称", "不能为空")
            continue
        if code in by_code:
            cat_reader.add(row, "类别代码", f"类别 {code} 重复")
            continue
        order = cells["顺序"]
        if order and not order.isdigit():
            cat_reader.add(row, "顺序", f"应为整数,而不是“{order}”")
        entry: dict[str, Any] = {
            "code": code, "name": cells["类别名称"], "order": int(order) if order.isdigit() else len(categories) + 1,
            "tree": [], "components": [], "grading": None, "veto": {"mode": "none"}, "tie_break": [],
            "name_last_place": True, "joint_split": {"lead": "0.8", "co": "0.2"}, "units": [],
            "survey_options": [], "node_details": {},
        }
        where.categories[code] = row
        categories.append(entry)
        by_code[code] = entry
        sheet_name = cells["指标表"] or _tree_sheet_name(code)
        _read_tree(book, sheet_name, entry, problems, where)

    unit_reader = _Reader(book, UNIT_SHEET, UNIT_COLUMNS, problems)
    units, survey_only = [], []
    for row, cells in unit_reader.rows:
        if not cells["单位代码"] or not cells["单位名称"]:
            unit_reader.add(row, "单位代码" if not cells["单位代码"] else "单位名称", "不能为空")
            continue
        units.append({"code": cells["单位代码"], "name": cells["单位名称"], "kind": cells["单位性质"]})
        survey = _bool(unit_reader, row, cells, "仅参加公众评议")
        category_code = cells["类别代码"]
        if category_code:
            if category_code not in by_code:
                unit_reader.add(row, "类别代码", f"类别 {category_code} 不在“类别”工作表中")
            elif survey:
                unit_reader.add(row, "仅参加公众评议", "已列入类别的单位不能“仅参加公众评议”")
            else:
                by_code[category_code]["units"].append(cells["单位代码"])
        elif survey:
            survey_only.append(cells["单位代码"])

    dept_reader = _Reader(book, DEPT_SHEET, DEPT_COLUMNS, problems, required=False)
    departments = [
        {"code": cells["部门代码"], "name": cells["部门名称"] or cells["部门代码"], "kind": cells["类型"] or "provider"}
        for _row, cells in dept_reader.rows if cells["部门代码"]
    ]

    _read_rules(book, by_code, problems, where)
    document = {
        "format": DOCUMENT_FORMAT, "campaign": campaign, "units": units, "departments": departments,
        "categories": categories, "survey_only_units": survey_only,
    }
    return document, problems, where


def _read_tree(book, sheet_name: str, entry: dict[str, Any], problems: list[CellProblem], where: _Locations) -> None:
    reader = _Reader(book, sheet_name, TREE_COLUMNS, problems)
    nodes: dict[str, dict[str, Any]] = {}
    order: list[tuple[int, str, str]] = []
    for row, cells in reader.rows:
        code = cells["编号"]
        if not code:
            reader.add(row, "编号", "不能为空")
            continue
        if code in nodes:
            reader.add(row, "编号", f"编号 {code} 重复")
            continue
        node: dict[str, Any] = {"code": code, "name": cells["名称"]}
        if not cells["名称"]:
            reader.add(row, "名称", "不能为空")
        for column, key in (("分值", "points"), ("权重", "weight")):
            value = _dec(reader, row, cells, column)
            if value is not None or cells[column]:
                # an unreadable number stays in, so the engine knows the node is tainted and does
                # not echo the problem as a wrong sum further up
                node[key] = value if value is not None else cells[column]
        kind = KIND_BY_LABEL.get(cells["类型"] or "分组")
        if kind is None:
            reader.add(row, "类型", f"应为 {' / '.join(KIND_LABELS.values())} 之一,而不是“{cells['类型']}”")
            kind = "group"
        if kind in ("deduction", "bonus"):
            pool: dict[str, Any] = {"kind": kind}
            if _bool(reader, row, cells, "超扣计入总分"):
                pool["overflow"] = True
            cap = _dec(reader, row, cells, "加分上限")
            if cap is not None:
                pool["cap"] = cap
            node["pool"] = pool
        if cells["所属单位"]:
            node["unit_code"] = cells["所属单位"]
        if kind == "leaf" or cells["计分方法"]:
            method = METHOD_BY_LABEL.get(cells["计分方法"])
            if method is None:
                reader.add(row, "计分方法", f"未知的计分方法“{cells['计分方法']}”" if cells["计分方法"] else "末级指标须填写计分方法")
                node["rule"] = {"method": cells["计分方法"] or "?", "params": {}}
            else:
                params, errors = params_from_text(method, cells["计分参数"])
                for error in errors:
                    reader.add(row, "计分参数", error)
                node["rule"] = {"method": method, "params": params}
        detail: dict[str, Any] = {}
        for column, key in (("考评内容", "description"), ("佐证材料要求", "evidence_requirements"),
                            ("数据提供部门", "provider")):
            if cells[column]:
                detail[key] = cells[column]
        if _bool(reader, row, cells, "开放细化"):
            detail["open_for_targets"] = True
        if detail:
            entry["node_details"][code] = detail
        nodes[code] = node
        order.append((row, code, cells["上级编号"]))
        where.nodes[(entry["code"], code)] = (reader.name, row)
    for row, code, parent in order:
        if not parent:
            entry["tree"].append(nodes[code])
        elif parent not in nodes:
            reader.add(row, "上级编号", f"上级编号 {parent} 不在本工作表中")
        elif parent == code:
            reader.add(row, "上级编号", "不能以自己为上级")
        else:
            nodes[parent].setdefault("children", []).append(nodes[code])


def _read_rules(book, by_code: dict[str, dict[str, Any]], problems: list[CellProblem], where: _Locations) -> None:
    reader = _Reader(book, RULES_SHEET, RULE_COLUMNS, problems)
    grading_kinds: dict[str, str] = {}
    for row, cells in reader.rows:
        code, item = cells["类别代码"], cells["项目"]
        entry = by_code.get(code)
        if entry is None:
            reader.add(row, "类别代码", f"类别 {code} 不在“类别”工作表中" if code else "不能为空")
            continue
        if item == "说明":
            continue  # written out for reading; the rows below are what counts
        if item == "组成项":
            component: dict[str, Any] = {"key": cells["代码"], "label": cells["名称"], "source": cells["来源"],
                                         "mode": cells["方式"]}
            for column, key in (("权重", "weight"), ("分值预算", "budget"), ("上限", "cap"), ("每项", "per_item")):
                value = _dec(reader, row, cells, column)
                if value is not None:
                    component[key] = value
            if cells["参数"]:
                try:
                    component["params"] = json.loads(cells["参数"])
                except ValueError:
                    reader.add(row, "参数", "应为 JSON 对象")
            entry["components"].append(component)
            where.components[(code, cells["代码"])] = row
        elif item == "等次方式":
            kind = cells["方式"]
            where.grading[code] = row
            if kind not in ("bands", "top_n", "shares"):
                reader.add(row, "方式", f"应为 bands / top_n / shares 之一,而不是“{kind}”")
                continue
            grading_kinds[code] = kind
            if kind == "top_n":
                try:
                    params = json.loads(cells["参数"] or "{}")
                except ValueError:
                    reader.add(row, "参数", "应为 JSON 对象")
                    params = {}
                entry["grading"] = {"kind": "top_n", **(params if isinstance(params, dict) else {})}
            else:
                entry["grading"] = {"kind": kind, ("bands" if kind == "bands" else "tiers"): []}
        elif item == "等次":
            kind = grading_kinds.get(code)
            if kind not in ("bands", "shares"):
                reader.add(row, "项目", "“等次”行须在本类别的“等次方式”(bands 或 shares)行之后")
                continue
            value = _dec(reader, row, cells, "下限或比例", required=kind == "shares")
            if kind == "bands":
                entry["grading"]["bands"].append({"grade": cells["名称"], "min": value})
            else:
                entry["grading"]["tiers"].append({"grade": cells["名称"], "share": value or "0"})
        elif item == "一票否决":
            where.veto[code] = row
            veto: dict[str, Any] = {"mode": cells["方式"] or "none"}
            per_item = _dec(reader, row, cells, "每项")
            if per_item is not None:
                veto["per_item"] = per_item
            entry["veto"] = veto
        elif item == "同分排序":
            entry["tie_break"] = [k.strip() for k in cells["参数"].split(",") if k.strip()]
        elif item == "通报末位":
            value = _bool(reader, row, cells, "参数")
            entry["name_last_place"] = True if value is None else value
        elif item == "联办分成":
            if cells["参数"]:
                try:
                    entry["joint_split"] = json.loads(cells["参数"])
                except ValueError:
                    reader.add(row, "参数", "应写作 {\"lead\": \"0.8\", \"co\": \"0.2\"}")
        elif item == "满分":
            value = _dec(reader, row, cells, "下限或比例", required=True)
            if value is not None:
                entry["points"] = value
        elif item == "问卷选项":
            value = _dec(reader, row, cells, "下限或比例")
            entry["survey_options"].append({"label": cells["名称"], "points": value})
        else:
            reader.add(row, "项目", f"无法识别的项目“{item}”")


_TREE_FIELD_COLUMNS = (("params", "计分参数"), ("rule", "计分方法"), ("pool.cap", "加分上限"), ("pool", "类型"),
                       ("points", "分值"), ("weight", "权重"), ("unit_code", "所属单位"), ("code", "编号"),
                       ("name", "名称"))
_COMPONENT_FIELD_COLUMNS = (("params", "参数"), ("weight", "权重"), ("budget", "分值预算"), ("cap", "上限"),
                            ("per_item", "每项"), ("mode", "方式"), ("source", "来源"), ("label", "名称"), ("key", "代码"))


def _column(field: str | None, table) -> str | None:
    if not field:
        return None
    for prefix, column in table:
        if field.startswith(prefix):
            return column
    return None


def _locate(problem: Explanation, where: _Locations) -> CellProblem:
    """Map an engine problem (“类别 C1 指标 1.2.1:…”) back to its sheet, row and column."""
    place = problem.params.get("where") if problem.template == "scheme.at" else None
    what = problem.params.get("what") if place is not None else problem
    reason = what.text("zh") if isinstance(what, Explanation) else str(problem)
    field = what.params.get("field") if isinstance(what, Explanation) else None
    if isinstance(place, Explanation) and place.template == "where.node":
        key = (place.params["category"], place.params["code"])
        if key in where.nodes:
            sheet, row = where.nodes[key]
            return CellProblem(sheet, row, _column(field, _TREE_FIELD_COLUMNS), f"指标 {key[1]}:{reason}")
        return CellProblem(_tree_sheet_name(key[0]), None, None, f"指标 {key[1]}:{reason}")
    if isinstance(place, Explanation) and place.template == "where.component":
        key = (place.params["category"], place.params["key"])
        column = _column(field, _COMPONENT_FIELD_COLUMNS)
        if column is None and what.template.startswith("sp.component_"):
            column = "方式" if what.template in ("sp.component_deduction_only", "sp.component_no_deduction",
                                                "sp.component_needs") else "来源"
        return CellProblem(RULES_SHEET, where.components.get(key), column, f"类别 {key[0]} 组成项 {key[1]}:{reason}")
    if isinstance(place, Explanation) and place.template == "where.category":
        code = place.params["category"]
        text = f"类别 {code}:{reason}"
        if field and field.startswith("grading"):
            return CellProblem(RULES_SHEET, where.grading.get(code), "方式", text)
        if field and field.startswith("veto") or what.template.startswith("sp.veto"):
            return CellProblem(RULES_SHEET, where.veto.get(code), "方式", text)
        if what.template in ("sp.category_points",):
            return CellProblem(RULES_SHEET, None, "下限或比例", text)
        if field in ("tree",):
            return CellProblem(_tree_sheet_name(code), None, None, text)
        return CellProblem(RULES_SHEET if field not in ("code", "name") else CAT_SHEET,
                           where.categories.get(code) if field in ("code", "name") else None, None, text)
    return CellProblem(RULES_SHEET, None, None, reason)


def workbook_problems(document: dict[str, Any], where: _Locations, *, tenant: Tenant) -> list[CellProblem]:
    """What the engine and the document checks find, located in the workbook."""
    located: list[CellProblem] = []
    try:
        scheme_from_dict(engine_part(document))
    except SchemeError as error:
        located.extend(_locate(p, where) for p in error.problems)
    for message in scheme_document_check(document, tenant=tenant, with_campaign=True, engine=False):
        sheet = META_SHEET if message.startswith("campaign") else UNIT_SHEET
        located.append(CellProblem(sheet, None, None, message))
    return located


def workbook_import(*, tenant: Tenant, fileobj, actor, year: int | None = None, name: str | None = None) -> Campaign:
    """A new campaign from a workbook. Every problem is reported (sheet, row, column, reason) and
    nothing is imported when there is any."""
    document, problems, where = workbook_document(fileobj)
    if year is not None:
        document["campaign"]["year"] = year
    if name:
        document["campaign"]["name"] = name
    tainted = {(p.sheet, p.row) for p in problems}
    for problem in workbook_problems(document, where, tenant=tenant):
        # a row whose cells could not be read already says so; the engine's echo would only confuse
        if (problem.sheet, problem.row) not in tainted or problem.row is None:
            problems.append(problem)
    if problems:
        raise WorkbookError(_unique(problems))
    try:
        return scheme_document_import(tenant=tenant, document=document, actor=actor, source="workbook")
    except SchemeImportError as error:
        raise WorkbookError([CellProblem(META_SHEET, None, None, m) for m in error.messages]) from error


def _unique(problems: list[CellProblem]) -> list[CellProblem]:
    seen, out = set(), []
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            out.append(problem)
    return out
