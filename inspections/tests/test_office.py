"""Office work: catalogue import from Excel, visit plan, quarterly bulletin (PDF and Excel)."""

import datetime as dt
import io
import subprocess
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.urls import reverse
from openpyxl import Workbook, load_workbook

from indicators.models import IndicatorNode
from inspections.models import CatalogueItem, VisitAssignment
from inspections.services.catalogue import catalogue_import_xlsx


def _xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_catalogue_import_creates_updates_and_links_the_indicator(world):
    IndicatorNode.objects.create(tenant=world["tenant"], category=world["category"], code="2.1", name="作风",
                                 points=Decimal(20), method="deduct_per_occurrence", params={"kinds": []})
    report = catalogue_import_xlsx(campaign=world["campaign"], file=_xlsx([
        ["编号", "问题", "指标编号", "每次扣分", "说明"],
        ["A1", "工作人员迟到早退", "2.1", 0.5, "每人次"],
        ["B1", "未公示办事指南", "", 2, ""],
    ]))
    assert (report.created, report.updated, report.errors) == (1, 1, [])
    a1 = CatalogueItem.objects.get(campaign=world["campaign"], code="A1")
    assert a1.points == Decimal("0.5") and a1.node.code == "2.1" and a1.version == 2


def test_catalogue_import_with_a_bad_row_changes_nothing(world):
    report = catalogue_import_xlsx(campaign=world["campaign"], file=_xlsx([
        ["编号", "问题", "指标编号", "每次扣分"],
        ["C1", "新问题", "", 1],
        ["C2", "坏行", "9.9", "x"],
    ]))
    assert report.errors and report.created == 0
    assert not CatalogueItem.objects.filter(code="C1").exists()


def test_office_plans_a_visit_and_the_supervisor_sees_it(world, client_for):
    slug = world["tenant"].slug
    url = reverse("inspections:plan", kwargs={"tenant_slug": slug, "campaign_id": world["campaign"].pk})
    response = client_for(world["office"]).post(url, {
        "supervisor": world["supervisor"].pk, "unit": world["units"]["U3"].pk, "quarter": 2, "due_on": "2026-06-30",
    })
    assert response.status_code == 302
    assert VisitAssignment.objects.get().unit == world["units"]["U3"]
    page = client_for(world["supervisor"]).get(reverse("inspections:app", kwargs={"tenant_slug": slug}))
    assert "交通局" in page.content.decode() and "2026-06-30" in page.content.decode()


def test_quarterly_bulletin_pdf_and_excel(world, log_visit, client_for, tmp_path):
    when = dt.datetime(2026, 5, 12, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    log_visit("U2", ("A2", 1), ("A3", 1), confirm=True, when=when)
    log_visit("U1", ("A1", 1), when=when)  # not confirmed: visited but no finding stands
    log_visit("U3", ("A3", 1), confirm=True, when=dt.datetime(2026, 2, 1, tzinfo=ZoneInfo("Asia/Shanghai")))  # Q1
    slug, campaign = world["tenant"].slug, world["campaign"].pk
    client = client_for(world["office"])

    pdf = client.get(reverse("inspections:bulletin_pdf", kwargs={"tenant_slug": slug, "campaign_id": campaign, "quarter": 2}))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    path = tmp_path / "b.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout  # noqa: S603,S607
    assert "2026年第2季度监督员明察暗访情况通报" in text
    assert "环保局" in text and "财政局" in text and "交通局" not in text
    assert "窗口无人值守" in text and "服务态度生硬" in text and "工作人员迟到早退" not in text

    xlsx = client.get(reverse("inspections:bulletin_xlsx", kwargs={"tenant_slug": slug, "campaign_id": campaign, "quarter": 2}))
    book = load_workbook(io.BytesIO(xlsx.content))
    summary = {row[1]: row for row in book["汇总"].iter_rows(min_row=5, values_only=True)}
    assert summary["环保局"][2:] == (1, 2, 5) and summary["财政局"][2:] == (1, 0, 0)
    details = list(book["问题明细"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[4], r[6]) for r in details] == [("环保局", "窗口无人值守", 2), ("环保局", "服务态度生硬", 3)]

    leader_page = client.get(reverse("inspections:bulletin", kwargs={"tenant_slug": slug, "campaign_id": campaign}) + "?quarter=2")
    assert "环保局" in leader_page.content.decode()
