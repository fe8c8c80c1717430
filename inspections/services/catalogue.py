"""The deduction catalogue (察访扣分标准) and visit planning (察访计划)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from evaluation.models import Campaign, Membership, Unit
from evaluation.roles import Role
from indicators.models import IndicatorNode
from inspections.models import CatalogueItem, VisitAssignment

IMPORT_HEADERS = ("编号", "问题", "指标编号", "每次扣分", "说明")


class CatalogueError(ValueError):
    """A catalogue entry or plan that cannot be saved as given; the message says why."""


def _leaf(campaign: Campaign, node: IndicatorNode | None) -> IndicatorNode | None:
    if node is not None and (node.tenant_id != campaign.tenant_id or node.category.campaign_id != campaign.pk):
        raise CatalogueError(_("node: 指标不属于本年度方案"))
    return node


@transaction.atomic
def catalogue_item_save(
    *,
    campaign: Campaign,
    code: str,
    finding: str,
    points: Decimal,
    node: IndicatorNode | None = None,
    notes: str = "",
    is_active: bool = True,
    item: CatalogueItem | None = None,
) -> CatalogueItem:
    """Create an entry, or edit one (its version grows so offline visits see the change)."""
    code, finding = code.strip(), finding.strip()
    if not code or not finding:
        raise CatalogueError(_("编号和问题不能为空"))
    if points is None or points <= 0:
        raise CatalogueError(_("points: 每次扣分须大于 0"))
    node = _leaf(campaign, node)
    clash = CatalogueItem.objects.filter(campaign=campaign, code=code)
    if item is not None:
        clash = clash.exclude(pk=item.pk)
    if clash.exists():
        raise CatalogueError(_("code: 编号 %s 已存在") % code)
    if item is None:
        order = CatalogueItem.objects.filter(campaign=campaign).count() + 1
        return CatalogueItem.objects.create(
            tenant_id=campaign.tenant_id, campaign=campaign, code=code, finding=finding, points=points,
            node=node, notes=notes, is_active=is_active, order=order,
        )
    item = CatalogueItem.objects.select_for_update().get(pk=item.pk, campaign=campaign)
    changed = (item.code, item.finding, item.points, item.node_id, item.notes, item.is_active) != (
        code, finding, points, node.pk if node else None, notes, is_active
    )
    if changed:
        item.code, item.finding, item.points, item.node, item.notes, item.is_active = (
            code, finding, points, node, notes, is_active
        )
        item.version += 1
        item.save(update_fields=["code", "finding", "points", "node", "notes", "is_active", "version"])
    return item


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def catalogue_import_xlsx(*, campaign: Campaign, file) -> ImportReport:
    """Import or update entries from Excel (编号 / 问题 / 指标编号 / 每次扣分 / 说明), by code.

    All or nothing: a sheet with any bad row changes nothing and reports every bad row.
    """
    report = ImportReport()
    try:
        sheet = load_workbook(file, read_only=True, data_only=True).active
    except Exception as exc:  # openpyxl raises a zoo of types for a file that is not a workbook
        report.errors.append(_("无法读取 Excel 文件:%s") % exc)
        return report
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        report.errors.append(_("工作表为空"))
        return report
    header = [str(c or "").strip() for c in rows[0]]
    missing = [h for h in IMPORT_HEADERS[:4] if h not in header]
    if missing:
        report.errors.append(_("缺少列:%s") % "、".join(missing))
        return report
    col = {name: header.index(name) for name in IMPORT_HEADERS if name in header}
    nodes: dict[str, list[IndicatorNode]] = {}
    for node in IndicatorNode.objects.filter(tenant_id=campaign.tenant_id, category__campaign=campaign).exclude(method=""):
        nodes.setdefault(node.code, []).append(node)
    parsed = []
    for number, row in enumerate(rows[1:], start=2):
        def cell(name, row=row):
            index = col.get(name)
            value = row[index] if index is not None and index < len(row) else None
            return "" if value is None else str(value).strip()

        if not any(cell(name) for name in IMPORT_HEADERS):
            continue
        try:
            points = Decimal(cell("每次扣分"))
        except InvalidOperation:
            report.errors.append(_("第 %d 行:每次扣分不是数字") % number)
            continue
        node_code = cell("指标编号")
        node = None
        if node_code:
            matches = nodes.get(node_code, [])
            if len(matches) != 1:
                report.errors.append(_("第 %(row)d 行:指标编号 %(code)s 不存在或不唯一") % {"row": number, "code": node_code})
                continue
            node = matches[0]
        parsed.append((number, cell("编号"), cell("问题"), points, node, cell("说明")))
    if report.errors:
        return report
    try:
        with transaction.atomic():
            existing = {i.code: i for i in CatalogueItem.objects.filter(campaign=campaign)}
            for number, code, finding, points, node, notes in parsed:
                try:
                    catalogue_item_save(
                        campaign=campaign, code=code, finding=finding, points=points, node=node, notes=notes,
                        item=existing.get(code),
                    )
                except CatalogueError as exc:
                    report.errors.append(_("第 %(row)d 行:%(error)s") % {"row": number, "error": exc})
                    continue
                if code in existing:
                    report.updated += 1
                else:
                    report.created += 1
            if report.errors:
                raise CatalogueError("rolled back")
    except CatalogueError:
        report.created = report.updated = 0
    return report


@transaction.atomic
def assignment_create(
    *, campaign: Campaign, supervisor: Membership, unit: Unit, quarter: int, due_on: dt.date, note: str = ""
) -> VisitAssignment:
    """Assign a supervisor to visit a unit in a quarter, by a due date (察访任务)."""
    if not (campaign.tenant_id == supervisor.tenant_id == unit.tenant_id):
        raise CatalogueError(_("监督员或单位不属于本机关"))
    if supervisor.role != Role.SUPERVISOR or not supervisor.is_active:
        raise CatalogueError(_("supervisor: 请选择效能监督员"))
    if quarter not in (1, 2, 3, 4):
        raise CatalogueError(_("quarter: 季度应为 1 到 4"))
    if VisitAssignment.objects.filter(campaign=campaign, supervisor=supervisor, unit=unit, quarter=quarter).exists():
        raise CatalogueError(_("该监督员本季度已有此单位的察访任务"))
    return VisitAssignment.objects.create(
        tenant_id=campaign.tenant_id, campaign=campaign, supervisor=supervisor, unit=unit, quarter=quarter,
        due_on=due_on, note=note,
    )


@transaction.atomic
def assignment_delete(*, assignment: VisitAssignment) -> None:
    """Cancel a planned visit; visits already recorded keep their data and show the change."""
    assignment.delete()
