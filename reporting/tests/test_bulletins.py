"""Bulletins for worked example A: PDF (text, fonts, page 1 as PNG), Excel, score cards, jobs."""

import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from reporting.models import BulletinJob
from reporting.services import rendering
from reporting.services.bulletins import bulletin_job_execute, bulletin_job_start
from reporting.tests.test_selectors import EXPECTED
from tests.factories import make_user

NAMES = {"U1": "财政局", "U2": "环保局", "U3": "交通局", "U4": "档案馆", "U5": "气象局", "U6": "市场监管局"}
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(*args, stdin: bytes | None = None) -> str:
    return subprocess.run(args, input=stdin, capture_output=True, check=True).stdout.decode()  # noqa: S603


@pytest.fixture
def bulletin_pdf(revision_a, tmp_path):
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(rendering.render_bulletin_pdf(revision_a))
    return path


@needs_poppler
@pytest.mark.smoke
def test_pdf_names_every_unit_with_total_and_grade(bulletin_pdf):
    text = run("pdftotext", "-layout", str(bulletin_pdf), "-")
    lines = text.splitlines()
    for code, (_category, total, rank, grade, _last, _vetoed) in EXPECTED.items():
        row = next(line for line in lines if NAMES[code] in line and total in line)
        assert row.split()[-1] in (grade, "一票否决", "末位") and f" {grade} " in f" {row} ", row
        assert row.split()[0] == str(rank)
    assert "南效〔2026〕1号" in text and "南平市机关效能建设领导小组办公室" in text
    assert "关于2026年度机关绩效考评结果的通报" in text
    assert "优秀单位:财政局" in text and "警示单位:交通局" in text and "末位单位:交通局" in text
    assert re.search(r"第\s*1\s*页\s*/\s*共\s*1\s*页", text)  # page numbers
    assert "审议稿" in text  # not published yet


@needs_poppler
def test_pdf_embeds_a_cjk_font(bulletin_pdf):
    fonts = run("pdffonts", str(bulletin_pdf)).splitlines()[2:]
    cjk = [line for line in fonts if "WenQuanYi" in line]
    assert cjk, fonts
    for line in cjk:
        columns = line.split()
        assert columns[-5] == "yes", line  # the "emb" column
    assert all(line.split()[-5] == "yes" for line in fonts), "every font is embedded"


@needs_poppler
def test_pdf_page_one_renders_to_png(bulletin_pdf, artifacts_dir):
    target = artifacts_dir / "bulletin-example-a-page1"
    run("pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(bulletin_pdf), str(target))
    png = target.with_suffix(".png")
    assert png.stat().st_size > 20_000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    shutil.copy(bulletin_pdf, artifacts_dir / "bulletin-example-a.pdf")


def test_xlsx_reads_back_the_same_numbers(revision_a):
    workbook = load_workbook(io.BytesIO(rendering.render_bulletin_xlsx(revision_a)))
    assert workbook.sheetnames[:2] == ["C1 第一类 市政府重点工作部门(绩效评估)", "C2 第二类 其他市直单位(效能考评)"]
    seen = {}
    for name in workbook.sheetnames[:2]:
        sheet = workbook[name]
        assert sheet.freeze_panes == "D3"
        assert sheet.auto_filter.ref.startswith("A2:")
        header = [c.value for c in sheet[2]]
        total_col, grade_col = header.index("总分"), header.index("等次")
        for row in sheet.iter_rows(min_row=3):
            code = row[1].value
            seen[code] = (row[0].value, Decimal(str(row[total_col].value)).quantize(Decimal("0.01")), row[grade_col].value)
            assert row[total_col].number_format == "0.00"
    assert seen == {code: (rank, Decimal(total), grade) for code, (_c, total, rank, grade, _l, _v) in EXPECTED.items()}
    c1 = workbook[workbook.sheetnames[0]]
    u1 = next(r for r in c1.iter_rows(min_row=3, values_only=True) if r[1] == "U1")
    assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in u1[3:6]] == [Decimal("45.00"), Decimal("46.00"), Decimal("-1.00")]


@needs_poppler
def test_score_cards_show_leaves_ledger_and_findings(revision_a, tmp_path):
    path = tmp_path / "cards.pdf"
    path.write_bytes(rendering.render_scorecards_pdf(revision_a))
    text = run("pdftotext", str(path), "-")
    for name in NAMES.values():
        assert f"{name}(" in text
    assert "投诉件办理" in text and "13.00" in text  # U1's 3.1.1: 2 overdue, 1 self-corrected
    assert "台帐 #411" in text and "台帐 #412" in text and "免予扣分" in text
    assert "窗口人员离岗" in text  # U1's inspection finding
    assert "I-22" in text  # U2's findings, capped at 5


def test_bulletin_job_writes_progress_and_keeps_the_file(revision_a, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = bulletin_job_start(revision=revision_a, kind=BulletinJob.Kind.XLSX, actor=office.user)
    job.refresh_from_db()
    assert job.status == BulletinJob.Status.DONE and job.percent == 100
    assert job.file.name.startswith(f"bulletins/{revision_a.tenant_id}/{revision_a.campaign_id}/r1/")
    assert load_workbook(job.file.open("rb"))
    finished_at = job.finished_at
    assert bulletin_job_execute(job_id=job.pk).finished_at == finished_at  # a rerun does nothing


def test_second_request_joins_the_unfinished_job(revision_a):
    first = bulletin_job_start(revision=revision_a, kind=BulletinJob.Kind.PDF)  # no commit: not run yet
    second = bulletin_job_start(revision=revision_a, kind=BulletinJob.Kind.PDF)
    assert first.pk == second.pk and BulletinJob.objects.count() == 1


def test_failed_render_is_recorded(revision_a, monkeypatch):
    job = BulletinJob.objects.create(tenant=revision_a.tenant, revision=revision_a, kind=BulletinJob.Kind.PDF)

    def broken(revision, progress):
        raise RuntimeError("font missing")

    monkeypatch.setitem(
        __import__("reporting.services.bulletins", fromlist=["RENDERERS"]).RENDERERS, BulletinJob.Kind.PDF, (broken, "pdf")
    )
    job = bulletin_job_execute(job_id=job.pk)
    assert job.status == BulletinJob.Status.FAILED and "font missing" in job.message


def test_bulletin_views_start_poll_and_download(revision_a, office, client, django_capture_on_commit_callbacks):
    client.force_login(office.user)
    base = f"/t/{revision_a.tenant.slug}/reports/campaigns/{revision_a.campaign_id}/revisions/{revision_a.pk}/bulletins/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(base, {"kind": "pdf"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"bulletin-progress" in response.content
    job = BulletinJob.objects.get()
    status = client.get(f"{base}{job.pk}/")
    assert "完成" in status.content.decode() and b"download" in status.content
    download = client.get(f"{base}{job.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:5] == b"%PDF-"
    assert "attachment" in download["Content-Disposition"]


def test_liaison_and_outsider_cannot_download_bulletins(revision_a, liaison_u1, outsider, client):
    job = BulletinJob.objects.create(tenant=revision_a.tenant, revision=revision_a, kind=BulletinJob.Kind.PDF,
                                     status=BulletinJob.Status.DONE)
    url = (f"/t/{revision_a.tenant.slug}/reports/campaigns/{revision_a.campaign_id}/revisions/{revision_a.pk}"
           f"/bulletins/{job.pk}/download/")
    client.force_login(liaison_u1.user)
    assert client.get(url).status_code == 403
    client.force_login(outsider.user)
    assert client.get(url).status_code == 404
    client.force_login(make_user("nobody"))
    assert client.get(url).status_code == 404
