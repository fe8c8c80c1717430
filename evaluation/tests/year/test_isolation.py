"""A liaison of one unit cannot read, list or download anything of another unit: every route of
the year's work (pages and API), with every kwarg filled by the other unit's real objects."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluation.checks import iter_routes
from evaluation.models import Notification
from evaluation.services import ledger as ledger_svc
from evaluation.services import targets as target_svc
from evaluation.services import vetoes as veto_svc
from evaluation.services.evidence import evidence_check
from evaluation.services.self_assessment import self_assessment_save, self_sheet_get_or_create
from evaluation.tests.year.conftest import PDF
from indicators.models import IndicatorNode

SECRETS = ("财政局", "SECRET-DOC-7", "U1-TARGET", "U1-NARRATIVE", "U1-APPEAL", "u1-evidence.pdf", "U1-VETO")


@pytest.fixture
def u1_objects(year):
    """Real objects of unit U1, each carrying a marker string that must never reach U2's liaison."""
    sheet = target_svc.target_sheet_get_or_create(campaign=year.campaign, unit=year.u1)
    item = target_svc.target_item_save(sheet=sheet, parent=year.open_node, name="U1-TARGET", points=Decimal(30))
    own_leaf = IndicatorNode.objects.create(
        tenant=year.tenant, category=year.category, parent=year.open_node, code="1.1.U1.1", name="U1-OWN-LEAF",
        points=Decimal(30), method="manual", unit=year.u1)
    entry = ledger_svc.ledger_entry_file_as(
        membership=year.office, campaign=year.campaign, unit=year.u1, node=year.complaints, rule_key="overdue",
        occurred_on=dt.date(2026, 3, 1), source_document="SECRET-DOC-7",
        files=[evidence_check(name="u1-evidence.pdf", content=PDF)])
    ledger_svc.ledger_entry_appeal(entry=entry, actor=year.liaison1.user, reason="U1-APPEAL",
                                   files=[evidence_check(name="u1-evidence.pdf", content=PDF)])
    self_sheet = self_sheet_get_or_create(campaign=year.campaign, unit=year.u1)
    self_entry = self_assessment_save(sheet=self_sheet, node=year.manual, actor=year.liaison1.user,
                                      score=Decimal(10), narrative="U1-NARRATIVE",
                                      files=[evidence_check(name="u1-evidence.pdf", content=PDF)])
    decision = veto_svc.veto_decide(campaign=year.campaign, unit=year.u1, department=year.veto.department,
                                    actor=year.veto.user, decision="vetoed", reason="U1-VETO",
                                    document=evidence_check(name="u1-evidence.pdf", content=PDF))
    notification = Notification.objects.filter(user=year.liaison1.user).first()
    return {
        "campaign_id": year.campaign.pk,
        "unit_id": year.u1.pk,
        "target_item_id": item.pk,
        "entry_id": entry.pk,
        "evidence_id": self_entry.evidence.get().pk,
        "leaf_id": own_leaf.pk,
        "decision_id": decision.pk,
        "notification_id": notification.pk,
        "_all_evidence": [e.pk for e in entry.evidence.all()] + [e.pk for e in entry.appeals.get().evidence.all()]
        + [self_entry.evidence.get().pk],
    }


def _routes():
    for route, pattern, name, kwargs in iter_routes():
        if name and (name.startswith("year:") or name in ("ledger-entry-list", "notification-list")):
            yield route, pattern, name, [k for k in kwargs if k != "tenant_slug"]


def _leaks(content: bytes) -> list[str]:
    text = content.decode(errors="replace")
    return [s for s in SECRETS if s in text]


def test_a_liaison_reaches_nothing_of_another_unit_on_any_route(year, u1_objects, client):
    client.force_login(year.liaison2.user)
    walked = 0
    for _route, _pattern, name, kwargs in _routes():
        url = reverse(name, kwargs={"tenant_slug": year.tenant.slug, **{k: u1_objects[k] for k in kwargs}})
        names_an_object = any(k != "campaign_id" for k in kwargs)
        for method in ("get", "post"):
            data = {"reason": "x", "decision": "void", "score": "1", "narrative": "x", "name": "x", "points": "30",
                    "parent": year.open_node.pk, "row": f"{year.u1.pk}-{year.manual.pk}",
                    f"score-{year.u1.pk}-{year.manual.pk}": "1", "verification_default": "documents",
                    "files": [SimpleUploadedFile("x.pdf", PDF)]} if method == "post" else None
            response = getattr(client, method)(url, data) if data else client.get(url)
            walked += 1
            if names_an_object:
                assert response.status_code in (403, 404, 405), f"{method.upper()} {url}: {response.status_code}"
            else:
                assert response.status_code in (200, 302, 400, 403, 404, 405), f"{method.upper()} {url}"
                body = response.content if not getattr(response, "streaming", False) else b""
                assert not _leaks(body), f"{method.upper()} {url} shows {_leaks(body)}"
    assert walked > 60
    # and every evidence file of U1 (ledger, appeal, self-assessment) is out of reach by URL
    for pk in u1_objects["_all_evidence"]:
        url = reverse("year:evidence_download", kwargs={"tenant_slug": year.tenant.slug, "evidence_id": pk})
        assert client.get(url).status_code == 404
    # U1's liaison itself does reach them (the test is not vacuous)
    client.force_login(year.liaison1.user)
    for pk in u1_objects["_all_evidence"]:
        url = reverse("year:evidence_download", kwargs={"tenant_slug": year.tenant.slug, "evidence_id": pk})
        assert client.get(url).status_code == 200


def test_nothing_was_changed_by_the_other_liaisons_attempts(year, u1_objects, client):
    from evaluation.models import AssessedScore, Evidence, LedgerEntry, SelfAssessment, TargetItem

    before = (TargetItem.objects.count(), LedgerEntry.objects.get().status, SelfAssessment.objects.get().score,
              Evidence.objects.count(), AssessedScore.objects.count())
    client.force_login(year.liaison2.user)
    for _route, _pattern, name, kwargs in _routes():
        url = reverse(name, kwargs={"tenant_slug": year.tenant.slug, **{k: u1_objects[k] for k in kwargs}})
        client.post(url, {"reason": "x", "decision": "void", "score": "1", "name": "x", "points": "1",
                          "parent": year.open_node.pk})
    after = (TargetItem.objects.count(), LedgerEntry.objects.get().status, SelfAssessment.objects.get().score,
             Evidence.objects.count(), AssessedScore.objects.count())
    assert before == after


def test_outsiders_of_another_tenant_get_404(year, u1_objects, client):
    client.force_login(year.other_tenant_office.user)
    for _route, _pattern, name, kwargs in _routes():
        url = reverse(name, kwargs={"tenant_slug": year.tenant.slug, **{k: u1_objects[k] for k in kwargs}})
        assert client.get(url).status_code == 404, url
