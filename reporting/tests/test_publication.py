"""Submit → approve → publish; a correction is a new revision with its reason; both readable."""

import pytest
from django.utils import timezone

from evaluation.engine.examples import worked_example_a_scheme
from evaluation.models import Phase, UnitResult
from reporting.models import Publication, RectificationReport
from reporting.services.publication import (
    PublicationError,
    publication_approve,
    publication_publish,
    publication_submit,
)
from reporting.tests import builders
from reporting.tests.builders import example_a_inputs_changed


def url(revision, tail=""):
    return f"/t/{revision.tenant.slug}/reports/campaigns/{revision.campaign_id}/{tail}"


def publish_through_views(client, revision, office, leader, document_number="南效〔2026〕1号", reason=""):
    client.force_login(office.user)
    assert client.post(url(revision, f"revisions/{revision.pk}/submit/"), {"reason": reason}).status_code == 302
    publication = Publication.objects.get(revision=revision)
    assert publication.status == Publication.Status.SUBMITTED
    client.force_login(leader.user)
    client.post(url(revision, f"publications/{publication.pk}/approve/"))
    client.force_login(office.user)
    client.post(url(revision, f"publications/{publication.pk}/publish/"), {"document_number": document_number})
    publication.refresh_from_db()
    return publication


@pytest.mark.smoke
def test_office_submits_leader_approves_office_publishes(client, revision_a, office, leader):
    publication = publish_through_views(client, revision_a, office, leader)
    assert publication.status == Publication.Status.PUBLISHED and publication.published_at
    assert publication.approved_by == leader.user and publication.document_number == "南效〔2026〕1号"
    revision_a.campaign.refresh_from_db()
    assert revision_a.campaign.phase == Phase.PUBLISHED
    reports = RectificationReport.objects.filter(publication=publication)
    assert reports.count() == 6
    u3 = reports.get(unit__code="U3")
    assert "末位" in u3.feedback and "1.2.1 重点工作任务:失分 20.00" in u3.feedback
    page = client.get(url(revision_a)).content.decode()
    assert "已公布" in page and "冻结" in page


def test_roles_are_kept_apart(client, revision_a, office, leader):
    client.force_login(leader.user)
    assert client.post(url(revision_a, f"revisions/{revision_a.pk}/submit/")).status_code == 403
    publication = publication_submit(actor=office.user, revision=revision_a)
    client.force_login(office.user)
    assert client.post(url(revision_a, f"publications/{publication.pk}/approve/")).status_code == 403
    client.post(url(revision_a, f"publications/{publication.pk}/publish/"), {"document_number": "x"})
    publication.refresh_from_db()
    assert publication.status == Publication.Status.SUBMITTED  # not approved: publishing refused


def test_incomplete_results_cannot_be_submitted(revision_a, office):
    UnitResult.objects.filter(revision=revision_a, unit__code="U4").update(complete=False, total=None)
    with pytest.raises(PublicationError, match="数据不全"):
        publication_submit(actor=office.user, revision=revision_a)


def test_a_correction_is_a_new_revision_with_its_reason(client, revision_a, office, leader, tenant):
    first = publish_through_views(client, revision_a, office, leader)
    revision_2 = builders._store(tenant, revision_a.campaign, worked_example_a_scheme(), example_a_inputs_changed(),
                                 number=2)
    with pytest.raises(PublicationError, match="理由"):
        publication_submit(actor=office.user, revision=revision_2)
    with pytest.raises(PublicationError, match="最新"):
        publication_submit(actor=office.user, revision=revision_a, reason="x")
    second = publish_through_views(client, revision_2, office, leader, "南效〔2026〕2号", reason="交通局补正重点任务台帐")
    assert second.status == Publication.Status.PUBLISHED
    assert second.correction_of == first and second.reason == "交通局补正重点任务台帐"
    # both stay readable, each with its own numbers
    old = UnitResult.objects.get(revision=revision_a, unit__code="U3").total
    new = UnitResult.objects.get(revision=revision_2, unit__code="U3").total
    assert (str(old), str(new)) == ("44.50", "47.00")
    page = client.get(url(revision_a)).content.decode()
    assert "南效〔2026〕1号" in page and "南效〔2026〕2号" in page and "交通局补正重点任务台帐" in page
    first.refresh_from_db()
    assert first.status == Publication.Status.PUBLISHED


def test_publishing_refuses_when_a_newer_revision_arrived(revision_a, office, leader, tenant):
    publication = publication_submit(actor=office.user, revision=revision_a)
    publication_approve(actor=leader.user, publication=publication)
    builders._store(tenant, revision_a.campaign, worked_example_a_scheme(), example_a_inputs_changed(), number=2)
    with pytest.raises(PublicationError, match="新的计算结果"):
        publication_publish(actor=office.user, publication=publication, document_number="x")


def test_liaison_files_rectification_and_office_accepts(client, revision_a, office, leader, liaison_u1):
    publication = publication_submit(actor=office.user, revision=revision_a)
    publication_approve(actor=leader.user, publication=publication)
    publication_publish(actor=office.user, publication=publication, document_number="南效〔2026〕1号")
    own = RectificationReport.objects.get(publication=publication, unit__code="U1")
    other = RectificationReport.objects.get(publication=publication, unit__code="U2")
    client.force_login(liaison_u1.user)
    standings = client.get(url(revision_a, "standings/")).content.decode()
    assert "反馈意见" in standings and "环保局" not in standings
    assert client.get(url(revision_a, f"rectifications/{other.pk}/")).status_code == 404
    response = client.post(url(revision_a, f"rectifications/{own.pk}/"), {"report": "已建立投诉件限时办结制度。"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == RectificationReport.Status.SUBMITTED
    client.force_login(office.user)
    tracking = client.get(url(revision_a, "rectifications/")).content.decode()
    assert "已提交 1" in tracking and "待提交 5" in tracking
    client.post(url(revision_a, f"rectifications/{own.pk}/review/"), {"decision": "accept", "comment": ""})
    own.refresh_from_db()
    assert own.status == RectificationReport.Status.ACCEPTED and own.reviewed_at <= timezone.now()
