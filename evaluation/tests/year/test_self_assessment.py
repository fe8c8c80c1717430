import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluation.models import Evidence, Phase, SelfAssessment, SelfAssessmentSheet
from evaluation.services import evidence as evidence_svc
from evaluation.tests.year.conftest import PDF, set_deadline

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17


def _docx(parts=("word/document.xml",)):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for part in parts:
            archive.writestr(part, "<x/>")
    return out.getvalue()


def _save(client, year, node, **data):
    return client.post(year.url("self_save", unit_id=year.u1.pk, leaf_id=node.pk), data, follow=True)


@pytest.mark.smoke
def test_liaison_self_assesses_with_a_pdf_submits_once_and_the_office_reopens(year, login):
    client = login(year.liaison1)
    response = _save(client, year, year.manual, score="18", narrative="完成 9 项中的 8 项",
                     files=[SimpleUploadedFile("总结.pdf", PDF, content_type="application/pdf")])
    assert "已保存" in response.content.decode()
    entry = SelfAssessment.objects.get(node=year.manual)
    evidence = entry.evidence.get()
    assert (evidence.original_name, evidence.content_type) == ("总结.pdf", "application/pdf")
    assert "总结" not in evidence.file.name and evidence.file.name.endswith(".pdf")  # random stored name
    # the evidence downloads through the permission-checked view
    download = client.get(year.url("evidence_download", evidence_id=evidence.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # submitting needs a self-score on every leaf
    response = client.post(year.url("self_submit", unit_id=year.u1.pk), follow=True)
    assert "未填写自评分" in response.content.decode()
    for node in (year.tiered, year.complaints):
        _save(client, year, node, score="9", narrative="")
    client.post(year.url("self_submit", unit_id=year.u1.pk))
    assert SelfAssessmentSheet.objects.get().status == "submitted"
    # submitted once: no more changes
    response = _save(client, year, year.manual, score="20", narrative="")
    assert "自评已提交,不能再修改" in response.content.decode()
    assert SelfAssessment.objects.get(node=year.manual).score == 18
    # the office reopens with a reason; the liaison may edit again
    login(year.office).post(year.url("self_reopen", unit_id=year.u1.pk), {"reason": "请补充佐证"})
    sheet = SelfAssessmentSheet.objects.get()
    assert (sheet.status, sheet.reopen_reason) == ("draft", "请补充佐证")
    _save(login(year.liaison1), year, year.manual, score="19", narrative="")
    assert SelfAssessment.objects.get(node=year.manual).score == 19


def test_a_file_whose_content_is_not_what_its_name_claims_is_refused(year, login):
    client = login(year.liaison1)
    response = _save(client, year, year.manual, score="10", narrative="",
                     files=[SimpleUploadedFile("report.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf")])
    text = response.content.decode()
    assert "report.pdf" in text and "内容不是 PDF 文件" in text and "名称与内容不符" in text
    assert not Evidence.objects.exists()
    assert not SelfAssessment.objects.exists()  # the whole save was refused


@pytest.mark.parametrize("name, content, ok", [
    ("photo.png", PNG, True),
    ("photo.jpg", PNG, False),
    ("plan.docx", _docx(), True),
    ("plan.xlsx", _docx(), False),  # a Word package named as a workbook
    ("plan.docx", b"PK\x03\x04" + b"\x00" * 30, False),
    ("old.doc", evidence_svc.OLE2_MAGIC + b"\x00" * 100, True),
    ("tool.exe", b"MZ\x90\x00", False),
    ("empty.pdf", b"", False),
])
def test_content_check(name, content, ok, settings):
    if ok:
        assert evidence_svc.evidence_check(name=name, content=content).name == name
    else:
        with pytest.raises(evidence_svc.EvidenceError):
            evidence_svc.evidence_check(name=name, content=content)


def test_an_oversized_file_is_refused(settings):
    settings.FILE_UPLOAD_MAX_BYTES = 1024 * 1024
    with pytest.raises(evidence_svc.EvidenceError, match="超过大小上限 1 MB"):
        evidence_svc.evidence_check(name="big.pdf", content=PDF + b"0" * (1024 * 1024))


def test_self_assessment_deadline(year, login):
    set_deadline(year.campaign, Phase.YEAR_END, -2)
    response = _save(login(year.liaison1), year, year.manual, score="10", narrative="")
    assert "自评已于" in response.content.decode()
    assert not SelfAssessment.objects.exists()


def test_score_out_of_range_is_refused(year, login):
    response = _save(login(year.liaison1), year, year.manual, score="25", narrative="")
    assert "自评分应在 0 到 20.00 之间" in response.content.decode()
