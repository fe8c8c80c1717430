"""Render the quarterly spot-check bulletin (监督员明察暗访情况通报) as PDF and Excel.

The PDF comes from the same template family as the screen (templates/inspections/), so paper
and screen share one source; the Excel holds the same rows for the office to edit.
"""

from __future__ import annotations

from io import BytesIO

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from inspections.selectors.bulletin import Bulletin


def bulletin_title(bulletin: Bulletin) -> str:
    return f"{bulletin.campaign.year}年第{bulletin.quarter}季度监督员明察暗访情况通报"


def bulletin_pdf(*, bulletin: Bulletin) -> bytes:
    from weasyprint import HTML  # imported here: WeasyPrint loads Pango at import time

    html = render_to_string(
        "inspections/bulletin_pdf.html",
        {"bulletin": bulletin, "title": bulletin_title(bulletin), "tenant": bulletin.campaign.tenant},
    )
    return HTML(string=html).write_pdf()


def bulletin_xlsx(*, bulletin: Bulletin) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    summary.append([bulletin_title(bulletin)])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([f"{bulletin.start} 至 {bulletin.end}:察访 {bulletin.visit_count} 次,"
                    f"确认问题 {bulletin.finding_count} 项,扣分合计 {bulletin.points}"])
    summary.append([])
    summary.append(["单位编号", "单位", "察访次数", "问题数", "扣分"])
    for unit in bulletin.units:
        summary.append([unit.code, unit.name, unit.visits, len(unit.lines), unit.points])
    detail = book.create_sheet("问题明细")
    detail.append(["单位编号", "单位", "察访日期", "方式", "问题", "次数", "扣分", "说明", "察访编号"])
    for unit in bulletin.units:
        for line in unit.lines:
            detail.append([unit.code, unit.name, line.visited_on, line.mode, line.finding, line.count, line.points,
                           line.note, line.visit_id])
    for sheet in (summary, detail):
        for column, width in zip("ABCDEFGHI", (12, 24, 12, 10, 40, 8, 8, 30, 10), strict=False):
            sheet.column_dimensions[column].width = width
        for row in sheet.iter_rows(min_row=1):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        for cell in sheet[4 if sheet is summary else 1]:
            cell.font = Font(bold=True)
    for row in summary.iter_rows(min_row=5, min_col=5, max_col=5):
        for cell in row:
            cell.number_format = "0.00"
    for row in detail.iter_rows(min_row=2, min_col=7, max_col=7):
        for cell in row:
            cell.number_format = "0.00"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
