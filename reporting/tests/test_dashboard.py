"""Leader dashboard data, its query budget, provisional standings and the results API."""

from decimal import Decimal

import pytest
from django.utils import timezone

from evaluation.roles import Role
from reporting.models import Publication
from reporting.selectors.results import revision_rows
from reporting.tests import builders
from tests import factories


def data_url(revision):
    return f"/t/{revision.tenant.slug}/reports/campaigns/{revision.campaign_id}/dashboard/data/"


def test_dashboard_data_ranks_zones_and_components(client, revision_a, leader):
    client.force_login(leader.user)
    data = client.get(data_url(revision_a)).json()
    assert data["revision"] == {"id": revision_a.pk, "number": 1, "published": False}
    c1 = data["categories"][0]
    assert [(u["name"], u["total"], u["grade"], u["zone"]) for u in c1["units"]] == [
        ("市场监管局", "96.00", "良", "good"), ("财政局", "90.00", "优", "excellent"),
        ("环保局", "89.00", "良", "good"), ("交通局", "44.50", "差", "poor"),
    ]
    u1 = c1["units"][1]
    assert u1["components"] == {"indicators": "45.00", "public": "46.00", "inspections": "-1.00"}
    assert (u1["internal"], u1["external"]) == ("90.00", "92.00")
    card = data["card_url"].replace("{unit}", str(u1["unit_id"]))
    assert card.endswith(f"/revisions/{revision_a.pk}/units/{u1['unit_id']}/")
    assert client.get(card).status_code == 200
    assert c1["grades"][0] == {"grade": "优", "zone": "excellent"}
    assert sum(c1["distribution"]["counts"]) == 4


def test_year_over_year_uses_earlier_campaigns(client, tenant, revision_a, leader):
    earlier = builders.example_a(tenant, year=2025)
    now = timezone.now()
    Publication.objects.create(
        tenant=tenant, campaign=earlier.campaign, revision=earlier, status=Publication.Status.PUBLISHED,
        submitted_by=leader.user, submitted_at=now, published_at=now,
    )
    client.force_login(leader.user)
    data = client.get(data_url(revision_a)).json()
    assert data["years"] == [2025, 2026]
    u1 = next(u for u in data["categories"][0]["units"] if u["code"] == "U1")
    assert [(h["year"], h["total"]) for h in u1["history"]] == [(2025, "90.00"), (2026, "90.00")]
    assert u1["unit_id"] in data["categories"][0]["history_units"]


@pytest.mark.parametrize("units", [2, 40])
def test_dashboard_queries_do_not_grow_with_units(client, tenant, leader, units, django_assert_max_num_queries):
    revision = builders.synthetic(tenant, units, seed=units)
    builders.synthetic(tenant, units, seed=units + 1, year=2025)
    client.force_login(leader.user)
    page = f"/t/{tenant.slug}/reports/campaigns/{revision.campaign_id}/dashboard/"
    with django_assert_max_num_queries(14):
        assert client.get(page).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(data_url(revision)).status_code == 200


def test_dashboard_is_for_leaders_and_office(client, revision_a, liaison_u1, outsider):
    client.force_login(liaison_u1.user)
    assert client.get(data_url(revision_a)).status_code == 403
    client.force_login(outsider.user)
    assert client.get(data_url(revision_a)).status_code == 404


def test_provisional_standings_show_a_unit_its_own_losses_only(client, revision_a, liaison_u1, leader):
    client.force_login(liaison_u1.user)
    page = client.get(f"/t/{revision_a.tenant.slug}/reports/campaigns/{revision_a.campaign_id}/standings/")
    text = page.content.decode()
    assert "暂定结果" in text and "财政局" in text
    assert "第 2 名(共 4 个单位)" in text and "90.00" in text
    assert "1.1.1 年度职能目标" in text and "3.00" in text  # 18 of 20 targets: 27 of 30
    for other in ("市场监管局", "环保局", "交通局", "档案馆", "气象局"):
        assert other not in text
    # not yet published: the liaison cannot open the full score card of the revision, nor others' cards
    card = f"/t/{revision_a.tenant.slug}/reports/campaigns/{revision_a.campaign_id}/revisions/{revision_a.pk}/units/"
    assert client.get(card + f"{liaison_u1.unit_id}/").status_code == 404
    client.force_login(leader.user)
    text = client.get(f"/t/{revision_a.tenant.slug}/reports/campaigns/{revision_a.campaign_id}/standings/").content.decode()
    assert "暂定结果" in text and all(name in text for name in ("市场监管局", "环保局", "交通局", "档案馆", "气象局"))


def test_api_serves_the_bulletin_numbers(api_for, revision_a, leader, liaison_u1, outsider):
    url = f"/api/t/{revision_a.tenant.slug}/result-revisions/{revision_a.pk}/results/"
    rows = api_for(leader).get(url).json()
    expected = {r.unit_code: r for r in revision_rows(revision_a)}
    assert len(rows) == 6
    for row in rows:
        mine = expected[row["unit_code"]]
        assert Decimal(row["total"]) == mine.total and row["rank"] == mine.rank and row["grade"] == mine.grade
        assert [Decimal(c["value"]) for c in row["components"]] == [c.value for c in mine.components]
        assert row["explanation"]["total"] == mine.total_text
    u6 = next(r for r in rows if r["unit_code"] == "U6")
    assert (u6["vetoed"], u6["eligible_top"], u6["grade"]) == (True, False, "良")
    own = api_for(liaison_u1).get(url).json()
    assert [r["unit_code"] for r in own] == ["U1"]
    listing = api_for(leader).get(f"/api/t/{revision_a.tenant.slug}/result-revisions/?campaign={revision_a.campaign_id}")
    assert listing.json()["results"][0]["status"] == "computed"
    assert api_for(outsider).get(url).status_code == 404


def test_revision_results_are_kept_rendered_per_scope_and_revalidated_by_etag(
    api_for, revision_a, leader, liaison_u1, django_assert_max_num_queries
):
    url = f"/api/t/{revision_a.tenant.slug}/result-revisions/{revision_a.pk}/results/"
    first = api_for(leader).get(url)
    with django_assert_max_num_queries(3):  # membership, revision; the rows come from the cache
        again = api_for(leader).get(url)
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert api_for(leader).get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    own = api_for(liaison_u1).get(url)  # another scope: another key, not the leader's rows
    assert [r["unit_code"] for r in own.json()] == ["U1"] and own["ETag"] != first["ETag"]


def test_assessor_without_dashboard_right_gets_403(client, tenant, revision_a):
    assessor = factories.make_member(tenant, Role.ASSESSOR)
    client.force_login(assessor.user)
    assert client.get(data_url(revision_a)).status_code == 403
