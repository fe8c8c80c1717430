import datetime as dt
from io import BytesIO

import pytest
from django.core import mail
from openpyxl import Workbook

from evaluation.models import Appeal, ComputeJob, LedgerEntry, Notification
from evaluation.services import ledger as svc
from evaluation.tests.year.conftest import PDF


def _file(year, member, **extra):
    return svc.ledger_entry_file_as(membership=member, campaign=year.campaign, unit=year.u1, node=year.complaints,
                                    rule_key="overdue", occurred_on=dt.date(2026, 3, 5), **extra)


@pytest.mark.smoke
def test_provider_files_an_entry_priced_by_the_rule_and_the_unit_is_told(year, login, django_capture_on_commit_callbacks):
    client = login(year.provider)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(year.url("ledger_new"), {
            "unit": year.u1.pk, "rule": f"{year.complaints.pk}:overdue", "quantity": "2", "occurred_on": "2026-03-05",
            "source_document": "信访〔2026〕3号", "event_key": "C-17", "exempt": "", "joint_role": "", "note": "",
            "files": [_upload("scan.pdf", PDF)],
        })
    assert response.status_code == 302, response.content.decode()
    entry = LedgerEntry.objects.get()
    assert (entry.points, entry.kind, entry.department_id, entry.source_document) == (
        4, "deduction", year.provider.department_id, "信访〔2026〕3号")
    assert entry.evidence.get().original_name == "scan.pdf"
    notice = Notification.objects.get(user=year.liaison1.user, kind="ledger_entry")
    assert "投诉办理" in notice.message
    assert mail.outbox and mail.outbox[0].to == ["liaison1@example.org"]
    # every change lands in the unit's results: a unit-scope computation was started
    assert ComputeJob.objects.filter(campaign=year.campaign, scope="unit", unit=year.u1).exists()


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_provider_only_files_for_the_indicators_it_provides(year, login):
    with pytest.raises(svc.LedgerError, match="not provided by your department"):
        _file(year, year.other_provider)
    # and the form does not even offer them
    page = login(year.other_provider).get(year.url("ledger_new")).content.decode()
    assert "投诉办理" not in page and "没有可登记的指标" in page


def test_liaison_appeals_and_office_voids_the_entry_stays_visible_with_reason(year, login):
    entry = _file(year, year.provider)
    client = login(year.liaison1)
    assert "申诉" in client.get(year.url("ledger")).content.decode()
    response = client.post(year.url("ledger_appeal", entry_id=entry.pk), {"reason": "已按期办结,附回执"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == LedgerEntry.Status.APPEALED
    assert Notification.objects.filter(user=year.office.user, kind="appeal_filed").exists()

    office = login(year.office)
    office.post(year.url("ledger_review", entry_id=entry.pk), {"decision": "void", "reason": "回执证明按期办结"})
    entry.refresh_from_db()
    assert (entry.status, entry.void_reason) == (LedgerEntry.Status.VOIDED, "回执证明按期办结")
    assert Appeal.objects.get().status == Appeal.Status.UPHELD
    page = login(year.liaison1).get(year.url("ledger")).content.decode()
    assert f"entry-{entry.pk}" in page and "回执证明按期办结" in page and "已撤销" in page
    assert Notification.objects.filter(user=year.liaison1.user, kind="ledger_decision").exists()


def test_voiding_needs_a_reason(year):
    entry = _file(year, year.office)
    with pytest.raises(svc.LedgerError, match="理由"):
        svc.ledger_entry_void(entry=entry, actor=year.office.user, reason="")


def test_appeal_after_the_window_is_refused(year):
    from evaluation.models import CampaignSettings

    CampaignSettings.objects.create(tenant=year.tenant, campaign=year.campaign, appeal_days=3)
    entry = _file(year, year.office)
    LedgerEntry.objects.filter(pk=entry.pk).update(filed_at=entry.filed_at - dt.timedelta(days=4))
    entry.refresh_from_db()
    with pytest.raises(svc.LedgerError, match="申诉期已于"):
        svc.ledger_entry_appeal(entry=entry, actor=year.liaison1.user, reason="不服")


def test_confirming_rejects_a_pending_appeal(year):
    entry = _file(year, year.office)
    svc.ledger_entry_appeal(entry=entry, actor=year.liaison1.user, reason="不服")
    svc.ledger_entry_confirm(entry=entry, actor=year.office.user, reason="证据确凿")
    assert Appeal.objects.get().status == Appeal.Status.REJECTED
    assert LedgerEntry.objects.get().status == LedgerEntry.Status.CONFIRMED


def _sheet(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(svc.IMPORT_COLUMNS)
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_refuses_the_whole_sheet_with_per_row_errors(year, login):
    content = _sheet([
        ["U1", "3.1.1", "overdue", 1, dt.date(2026, 4, 1), "文1", "", "", "", ""],
        ["U9", "3.1.1", "overdue", 1, dt.date(2026, 4, 1), "", "", "", "", ""],
        ["U2", "3.1.1", "lost", 1, "2026-04-02", "", "", "", "", ""],
        ["U2", "3.1.1", "overdue", "x", "2026-04-02", "", "", "", "", ""],
    ])
    response = login(year.provider).post(year.url("ledger_import"), {"sheet": _upload("march.xlsx", content)})
    assert response.status_code == 400
    text = response.content.decode()
    assert "第 3 行" in text and "第 4 行" in text and "第 5 行" in text and "第 2 行" not in text
    assert LedgerEntry.objects.count() == 0  # nothing half-imported


def test_import_files_every_row(year, login):
    content = _sheet([
        ["U1", "3.1.1", "overdue", 2, dt.date(2026, 4, 1), "文1", "E1", "自查自纠", "", "说明"],
        ["U2", "3.1.1", "overdue", 1, "2026-04-02", "文2", "", "", "", ""],
    ])
    response = login(year.provider).post(year.url("ledger_import"), {"sheet": _upload("march.xlsx", content)})
    assert response.status_code == 302
    rows = list(LedgerEntry.objects.order_by("unit__code").values_list("unit__code", "points", "exempt", "event_key"))
    assert [(u, str(p), e, k) for u, p, e, k in rows] == [("U1", "4.00", "self_corrected", "E1"), ("U2", "2.00", "", "")]


def test_import_refuses_another_departments_indicator(year):
    content = _sheet([["U1", "3.1.1", "overdue", 1, "2026-04-01", "", "", "", "", ""]])
    with pytest.raises(svc.LedgerImportError) as info:
        svc.ledger_import(membership=year.other_provider, campaign=year.campaign, content=content)
    assert info.value.errors[0][0] == 2


def test_import_template_downloads(year, login):
    response = login(year.provider).get(year.url("ledger_template"))
    assert response.status_code == 200 and response.content.startswith(b"PK")


def test_api_provider_files_and_lists_only_its_own(year, api_for):
    api = api_for(year.provider)
    url = f"/api/t/{year.tenant.slug}/ledger-entries/"
    response = api.post(url, {"campaign": year.campaign.pk, "unit": year.u2.pk, "node": year.complaints.pk,
                              "rule_key": "overdue", "occurred_on": "2026-05-01"}, format="json")
    assert response.status_code == 201, response.content
    _file(year, year.office)
    assert [e["unit_code"] for e in api.get(url).json()["results"]] == ["U2"]
    refused = api_for(year.other_provider).post(url, {"campaign": year.campaign.pk, "unit": year.u2.pk,
                                                      "node": year.complaints.pk, "rule_key": "overdue",
                                                      "occurred_on": "2026-05-01"}, format="json")
    assert refused.status_code == 400
    liaison = api_for(year.liaison2).get(url, {"campaign": year.campaign.pk}).json()["results"]
    assert [e["unit_code"] for e in liaison] == ["U2"]
