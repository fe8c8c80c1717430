"""Bulletins (通报) and score cards (成绩单) rendered from templates: PDF by WeasyPrint, Excel by
openpyxl. Pure functions of a revision: the same rows (reporting.selectors.results) feed both,
so the paper and the spreadsheet carry the same numbers.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from evaluation.models import ResultRevision
from reporting.models import Publication
from reporting.selectors.results import CategoryBlock, category_blocks, revision_rows

Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    return None


@dataclass
class BulletinHeader:
    """The official layout's parts (公文格式): issuing office, document number, title, date."""

    office: str
    document_number: str
    title: str
    issued_on: date
    published: bool
    revision_number: int
    correction_reason: str
    corrects_document: str


def bulletin_header(revision: ResultRevision) -> BulletinHeader:
    campaign = revision.campaign
    tenant = campaign.tenant
    publication = Publication.objects.filter(revision=revision).select_related("correction_of").first()
    published = publication is not None and publication.is_published
    issued = timezone.localdate(publication.published_at) if published else timezone.localdate()
    title = f"关于{campaign.title}结果的通报"
    correction = publication.correction_of if publication is not None else None
    if correction is not None:
        title = f"关于{campaign.title}结果的更正通报"
    return BulletinHeader(
        office=tenant.office_name or tenant.name,
        document_number=(publication.document_number if publication and publication.document_number else "")
        or campaign.document_number,
        title=title,
        issued_on=issued,
        published=published,
        revision_number=revision.number,
        correction_reason=publication.reason if correction is not None else "",
        corrects_document=correction.document_number if correction is not None else "",
    )


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def bulletin_blocks(revision: ResultRevision) -> list[CategoryBlock]:
    return category_blocks(revision, revision_rows(revision))


def render_bulletin_pdf(revision: ResultRevision, progress: Progress = _no_progress) -> bytes:
    """The bulletin: A4, an official layout, per category a ranked table with component
    scores, totals and grades; the excellent, warned and last-place units named."""
    with translation.override("zh-hans"):
        progress(0, 3)
        blocks = bulletin_blocks(revision)
        progress(1, 3)
        html = render_to_string(
            "reporting/bulletin_pdf.html",
            {"header": bulletin_header(revision), "blocks": blocks, "campaign": revision.campaign},
        )
        progress(2, 3)
        pdf = _pdf(html)
        progress(3, 3)
    return pdf


def render_scorecards_pdf(
    revision: ResultRevision, *, unit_ids=None, progress: Progress = _no_progress, batch: int = 50
) -> bytes:
    """Score cards (成绩单): every leaf with points, score, explanation and the ledger lines and
    findings behind it; one unit per section, all in one file. Rendered in batches so the job
    can report progress; the pages are joined into one document."""
    from weasyprint import HTML

    with translation.override("zh-hans"):
        header = bulletin_header(revision)
        ids = list(
            revision.unit_results.filter(tenant_id=revision.tenant_id).values_list("unit_id", flat=True)
            if unit_ids is None
            else unit_ids
        )
        rows_all = revision_rows(revision, unit_ids=ids, with_nodes=True)
        total = len(rows_all)
        progress(0, total)
        documents = []
        for start in range(0, total, batch):
            rows = rows_all[start : start + batch]
            html = render_to_string("reporting/scorecards_pdf.html", {"header": header, "rows": rows})
            documents.append(HTML(string=html, base_url=str(settings.BASE_DIR)).render())
            progress(min(start + batch, total), total)
        if not documents:
            html = render_to_string("reporting/scorecards_pdf.html", {"header": header, "rows": []})
            return _pdf(html)
        pages = [page for document in documents for page in document.pages]
        return documents[0].copy(pages).write_pdf()


def render_bulletin_xlsx(revision: ResultRevision, progress: Progress = _no_progress) -> bytes:
    """The bulletin in Excel: a sheet per category, frozen header, number formats, filters."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header = bulletin_header(revision)
    blocks = bulletin_blocks(revision)
    total_rows = sum(len(b.rows) for b in blocks) or 1
    done = 0
    progress(0, total_rows)
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="EEF1F5")
    zone_fill = {
        "excellent": PatternFill("solid", fgColor="D7F0DF"),
        "good": PatternFill("solid", fgColor="DBE8FB"),
        "fair": PatternFill("solid", fgColor="FDF3D8"),
        "poor": PatternFill("solid", fgColor="FBE0DE"),
    }
    for block in blocks:
        sheet = workbook.create_sheet(title=_sheet_title(block, workbook.sheetnames))
        columns = ["名次", "单位代码", "单位名称"] + [label for _key, label in block.components] + ["总分", "等次", "备注"]
        last_col = get_column_letter(len(columns))
        sheet["A1"] = f"{header.title}({header.document_number or f'第{header.revision_number}版'})— {block.name}"
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.merge_cells(f"A1:{last_col}1")
        sheet.append(columns)
        for cell in sheet[2]:
            cell.font, cell.fill = bold, head_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for row in block.rows:
            values = {c.key: c.value for c in row.components}
            notes = []
            if not row.complete:
                notes.append("数据不全:" + ";".join(row.missing))
            if row.vetoed:
                notes.append("一票否决")
            if row.last_place:
                notes.append("末位")
            sheet.append(
                [row.rank, row.unit_code, row.unit_name]
                + [values.get(key) for key, _label in block.components]
                + [row.total, row.grade, "、".join(notes)]
            )
            line = sheet.max_row
            for col in range(4, 4 + len(block.components) + 1):
                sheet.cell(row=line, column=col).number_format = "0.00"
            if row.zone:
                sheet.cell(row=line, column=len(columns) - 1).fill = zone_fill[row.zone]
            done += 1
            if done % 200 == 0:
                progress(done, total_rows)
        sheet.freeze_panes = "D3"
        sheet.auto_filter.ref = f"A2:{last_col}{max(sheet.max_row, 2)}"
        widths = [6, 10, 24] + [11] * len(block.components) + [10, 8, 24]
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.print_title_rows = "2:2"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    info = workbook.create_sheet(title="说明")
    for label, value in (
        ("发文机关", header.office),
        ("文号", header.document_number),
        ("标题", header.title),
        ("日期", header.issued_on.isoformat()),
        ("结果版本", f"第{header.revision_number}版"),
        ("状态", "已公布" if header.published else "审议稿(未公布)"),
        ("更正理由", header.correction_reason),
    ):
        info.append([label, value])
    info.column_dimensions["A"].width = 12
    info.column_dimensions["B"].width = 60
    buffer = io.BytesIO()
    workbook.save(buffer)
    progress(total_rows, total_rows)
    return buffer.getvalue()


def _sheet_title(block: CategoryBlock, taken: list[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique in the workbook
    name = "".join(ch for ch in f"{block.code} {block.name}" if ch not in "[]:*?/\\")[:31]
    candidate, n = name, 2
    while candidate in taken:
        candidate = f"{name[:28]}~{n}"
        n += 1
    return candidate
