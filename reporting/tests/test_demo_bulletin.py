"""Acceptance on the demo: worked example A entered through the product's own services
(``manage.py demo``), computed by a real computation job, published by office and leader, then
printed. The bulletin, the spreadsheet and the frozen revision carry the domain's numbers."""

import io
import shutil
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction
from openpyxl import load_workbook

from evaluation.models import Campaign, ComputeJob, Membership, Tenant, UnitResult
from evaluation.roles import Role
from evaluation.services.compute import compute_job_create, compute_job_execute
from reporting.models import FrozenRevisionError
from reporting.services import rendering
from reporting.services.publication import publication_approve, publication_publish, publication_submit
from reporting.tests.test_bulletins import NAMES, run
from reporting.tests.test_selectors import EXPECTED


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.django_db
def test_demo_example_a_is_computed_published_and_printed(tmp_path, artifacts_dir):
    call_command("demo", verbosity=0)
    tenant = Tenant.objects.get(slug="demo")
    campaign = Campaign.objects.get(tenant=tenant, year=2026)
    job, _created = compute_job_create(campaign=campaign)
    job = compute_job_execute(job_id=job.pk)
    assert job.status == ComputeJob.Status.DONE, job.message
    revision = job.revision
    office = Membership.objects.get(tenant=tenant, role=Role.OFFICE_ADMIN).user
    leader = Membership.objects.get(tenant=tenant, role=Role.LEADER).user
    publication = publication_submit(actor=office, revision=revision)
    publication_approve(actor=leader, publication=publication)
    publication_publish(actor=office, publication=publication, document_number="南效〔2026〕8号")

    # the PDF: every unit's name, total and grade; an embedded CJK font; page 1 kept as PNG
    pdf = tmp_path / "bulletin.pdf"
    pdf.write_bytes(rendering.render_bulletin_pdf(revision))
    lines = run("pdftotext", "-layout", str(pdf), "-").splitlines()
    for code, (_category, total, rank, grade, _last, _vetoed) in EXPECTED.items():
        row = next(line for line in lines if NAMES[code] in line and total in line)
        assert row.split()[0] == str(rank) and f" {grade} " in f" {row} ", row
    assert any("南效〔2026〕8号" in line for line in lines)
    fonts = run("pdffonts", str(pdf)).splitlines()[2:]
    assert any("WenQuanYi" in line and line.split()[-5] == "yes" for line in fonts), fonts
    png = artifacts_dir / "bulletin-demo-example-a-page1"
    run("pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(png))
    assert png.with_suffix(".png").stat().st_size > 20_000

    # the xlsx reads back the same numbers
    workbook = load_workbook(io.BytesIO(rendering.render_bulletin_xlsx(revision)))
    seen = {}
    for sheet in workbook.worksheets[:2]:
        header = [c.value for c in sheet[2]]
        for row in sheet.iter_rows(min_row=3, values_only=True):
            seen[row[1]] = (row[0], Decimal(str(row[header.index("总分")])).quantize(Decimal("0.01")),
                            row[header.index("等次")])
    assert seen == {code: (rank, Decimal(total), grade) for code, (_c, total, rank, grade, _l, _v) in EXPECTED.items()}

    # the published revision refuses change, in Python and at the database
    result = UnitResult.objects.filter(revision=revision).first()
    result.total = Decimal("100.00")
    with pytest.raises(FrozenRevisionError), transaction.atomic():
        result.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        UnitResult.objects.filter(revision=revision).update(total=Decimal("100.00"))
