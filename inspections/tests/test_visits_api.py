"""Sending visits and photos from the phone: idempotent, scoped, conflicts kept."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from inspections.models import Finding, Visit, VisitPhoto
from inspections.services.catalogue import catalogue_item_save
from inspections.tests.walk_samples import PNG


def _payload(world, **changes):
    body = {
        "key": str(uuid.uuid4()),
        "campaign": world["campaign"].pk,
        "unit": world["units"]["U1"].pk,
        "unit_name_seen": "财政局",
        "mode": "covert",
        "visited_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(),
        "place": "政务服务中心二楼",
        "latitude": "26.6436381234",
        "longitude": "118.1780439876",
        "findings": [
            {"item": world["items"]["A1"].pk, "count": 2, "note": "两人迟到", "item_version": 1, "points_seen": "1.00"},
            {"item": world["items"]["A3"].pk, "count": 1, "note": "", "item_version": 1, "points_seen": "3.00"},
        ],
    }
    body.update(changes)
    return body


def _url(world, name="inspection-visits", **kwargs):
    return reverse(name, kwargs={"tenant_slug": world["tenant"].slug, **kwargs})


@pytest.mark.smoke
def test_same_visit_sent_twice_is_recorded_once(world, api_for):
    api = api_for(world["supervisor"])
    body = _payload(world)

    first = api.post(_url(world), body, format="json")
    second = api.post(_url(world), body, format="json")

    assert first.status_code == 201, first.content
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Visit.objects.filter(key=body["key"]).count() == 1
    visit = Visit.objects.get(key=body["key"])
    assert visit.findings.count() == 2
    assert visit.latitude == Decimal("26.643638")
    assert [f.points for f in visit.findings.order_by("id")] == [Decimal(2), Decimal(3)]


def test_same_photo_sent_twice_is_stored_once(world, api_for):
    api = api_for(world["supervisor"])
    body = _payload(world)
    api.post(_url(world), body, format="json")
    photo_key = str(uuid.uuid4())
    url = _url(world, "inspection-visit-photos", key=body["key"])

    answers = [
        api.post(url, {"key": photo_key, "photo": SimpleUploadedFile("x.jpg", PNG, content_type="image/jpeg")},
                 format="multipart")
        for _ in range(2)
    ]

    assert [a.status_code for a in answers] == [201, 200]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    photo = VisitPhoto.objects.get(key=photo_key)
    assert photo.content_type == "image/png"  # read from the content, not the name or header
    assert photo.file.name.endswith(f"{photo_key}.png")


def test_photo_that_is_not_an_image_is_refused(world, api_for, settings):
    api = api_for(world["supervisor"])
    body = _payload(world)
    api.post(_url(world), body, format="json")
    url = _url(world, "inspection-visit-photos", key=body["key"])
    fake = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = api.post(url, {"key": str(uuid.uuid4()), "photo": fake}, format="multipart")
    assert response.status_code == 400
    settings.FILE_UPLOAD_MAX_BYTES = 10
    big = SimpleUploadedFile("x.png", PNG, content_type="image/png")
    response = api.post(url, {"key": str(uuid.uuid4()), "photo": big}, format="multipart")
    assert response.status_code == 400
    assert not VisitPhoto.objects.exists()


def test_catalogue_changed_meanwhile_is_kept_as_a_conflict(world, api_for):
    item = world["items"]["A1"]
    catalogue_item_save(campaign=world["campaign"], item=item, code="A1", finding=item.finding, points=Decimal("1.5"))
    response = api_for(world["supervisor"]).post(_url(world), _payload(world), format="json")
    assert response.status_code == 201
    conflicts = response.json()["conflicts"]
    assert [c["kind"] for c in conflicts] == ["item_changed"]
    assert "1.00" in conflicts[0]["message"] and "1.50" in conflicts[0]["message"]


def test_unit_that_left_the_campaign_is_a_conflict_not_a_loss(world, api_for):
    from evaluation.models import CampaignUnit

    CampaignUnit.objects.filter(unit=world["units"]["U1"]).delete()
    response = api_for(world["supervisor"]).post(_url(world), _payload(world), format="json")
    assert response.status_code == 201
    assert response.json()["conflicts"][0]["kind"] == "unit_not_in_campaign"


def test_only_supervisors_send_and_outsiders_get_404(world, api_for):
    body = _payload(world)
    assert api_for(world["office"]).post(_url(world), body, format="json").status_code == 403
    assert api_for(world["outsider"]).post(_url(world), body, format="json").status_code == 404
    assert not Visit.objects.exists()


def test_key_reused_by_another_supervisor_is_refused(world, api_for):
    from evaluation.roles import Role
    from tests import factories

    body = _payload(world)
    api_for(world["supervisor"]).post(_url(world), body, format="json")
    other = factories.make_member(world["tenant"], Role.SUPERVISOR)
    response = api_for(other).post(_url(world), body, format="json")
    assert response.status_code == 400
    assert Visit.objects.get().supervisor == world["supervisor"]


def test_catalogue_of_another_tenant_is_refused(world, api_for):
    from inspections.models import CatalogueItem
    from tests import factories

    foreign_campaign = factories.make_campaign(world["other"])
    foreign = CatalogueItem.objects.create(tenant=world["other"], campaign=foreign_campaign, code="X", finding="x",
                                           points=Decimal(1))
    body = _payload(world, findings=[{"item": foreign.pk, "count": 1}])
    assert api_for(world["supervisor"]).post(_url(world), body, format="json").status_code == 400
    body = _payload(world, campaign=foreign_campaign.pk)
    assert api_for(world["supervisor"]).post(_url(world), body, format="json").status_code == 404


def test_review_confirm_reject_and_liaison_sees_only_confirmed(world, log_visit, client_for):
    visit = log_visit("U2", ("A1", 1), ("A2", 1))
    first, second = visit.findings.order_by("id")
    client = client_for(world["office"])
    url = lambda f: reverse("inspections:finding_review", kwargs={"tenant_slug": world["tenant"].slug, "finding_id": f.pk})  # noqa: E731
    client.post(url(first), {"decision": "confirmed"})
    client.post(url(second), {"decision": "rejected", "reason": ""})  # refused: no reason
    second.refresh_from_db()
    assert second.status == Finding.Status.PENDING
    client.post(url(second), {"decision": "rejected", "reason": "无法核实"})
    second.refresh_from_db()
    assert second.status == Finding.Status.REJECTED
    visit.refresh_from_db()
    assert visit.status == Visit.Status.REVIEWED

    page = client_for(world["liaison"]).get(reverse("inspections:unit_findings", kwargs={"tenant_slug": world["tenant"].slug}))
    assert "工作人员迟到早退" in page.content.decode() and "窗口无人值守" not in page.content.decode()


def test_photo_is_served_only_to_those_who_may_see_it(world, log_visit, client_for, api_for):
    from evaluation.roles import Role
    from tests import factories

    visit = log_visit("U2", ("A1", 1))
    api_for(world["supervisor"]).post(
        _url(world, "inspection-visit-photos", key=visit.key),
        {"key": str(uuid.uuid4()), "photo": SimpleUploadedFile("p.png", PNG)}, format="multipart",
    )
    photo = visit.photos.get()
    url = reverse("inspections:photo", kwargs={"tenant_slug": world["tenant"].slug, "photo_id": photo.pk})
    assert client_for(world["liaison"]).get(url).status_code == 404  # not confirmed yet
    assert client_for(world["office"]).get(url).status_code == 200
    visit.findings.update(status=Finding.Status.CONFIRMED)
    response = client_for(world["liaison"]).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    other_liaison = factories.make_member(world["tenant"], Role.LIAISON, unit=world["units"]["U1"])
    assert client_for(other_liaison).get(url).status_code == 404
    assert client_for(world["outsider"]).get(url).status_code == 404
