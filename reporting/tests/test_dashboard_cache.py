"""The dashboard's cached output: never stale for a new revision or publication, never shared
between tenants, revalidated by ETag; its tables stay short for a large category."""

from django.utils import timezone

from evaluation.engine.examples import worked_example_a_scheme
from evaluation.roles import Role
from reporting.models import Publication
from reporting.selectors import dashboard as dashboard_selectors
from reporting.tests import builders
from tests import factories


def page_url(revision):
    return f"/t/{revision.tenant.slug}/reports/campaigns/{revision.campaign_id}/dashboard/"


def data_url(revision):
    return page_url(revision) + "data/"


def test_a_new_revision_is_shown_at_once(client, tenant, revision_a, leader):
    client.force_login(leader.user)
    first = client.get(data_url(revision_a))
    assert first.json()["revision"]["number"] == 1
    assert "结果第1版" in client.get(page_url(revision_a)).content.decode()

    builders._store(tenant, revision_a.campaign, worked_example_a_scheme(), builders.example_a_inputs_changed(),
                    number=2)

    second = client.get(data_url(revision_a))
    assert second.json()["revision"]["number"] == 2
    assert second["ETag"] != first["ETag"]
    assert "结果第2版" in client.get(page_url(revision_a)).content.decode()


def test_publishing_shows_at_once(client, tenant, revision_a, leader):
    client.force_login(leader.user)
    assert client.get(data_url(revision_a)).json()["revision"]["published"] is False
    now = timezone.now()
    Publication.objects.create(
        tenant=tenant, campaign=revision_a.campaign, revision=revision_a, status=Publication.Status.PUBLISHED,
        submitted_by=leader.user, submitted_at=now, published_at=now,
    )
    assert client.get(data_url(revision_a)).json()["revision"]["published"] is True


def test_unchanged_data_is_not_sent_again(client, revision_a, leader):
    client.force_login(leader.user)
    first = client.get(data_url(revision_a))
    assert first.status_code == 200 and first["ETag"]

    again = client.get(data_url(revision_a), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304 and again.content == b"" and again["ETag"] == first["ETag"]
    assert client.get(data_url(revision_a), HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_rename_shows_after_the_cache_period(client, revision_a, leader, monkeypatch):
    from evaluation.models import Unit

    now = dashboard_selectors.time.time()
    monkeypatch.setattr(dashboard_selectors.time, "time", lambda: now)
    client.force_login(leader.user)
    first = client.get(data_url(revision_a))
    Unit.objects.filter(tenant=revision_a.tenant, code="U1").update(name="财政局(新)")
    assert client.get(data_url(revision_a))["ETag"] == first["ETag"]  # cached within the period

    later = now + dashboard_selectors.CACHE_SECONDS
    monkeypatch.setattr(dashboard_selectors.time, "time", lambda: later)
    again = client.get(data_url(revision_a), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert "财政局(新)" in {u["name"] for c in again.json()["categories"] for u in c["units"]}


def test_tenants_never_see_each_others_cached_dashboard(client, revision_a, leader):
    other = factories.make_tenant("elsewhere", "乙县效能办")
    revision_b = builders.example_a(other)
    other_leader = factories.make_member(other, Role.LEADER, user=factories.make_user("leader-b"))
    client.force_login(leader.user)
    mine = client.get(data_url(revision_a))  # tenant A's output is now cached
    assert client.get(page_url(revision_a)).status_code == 200

    client.force_login(other_leader.user)
    theirs = client.get(data_url(revision_b))
    page = client.get(page_url(revision_b)).content.decode()

    assert theirs.json()["revision"]["id"] == revision_b.pk and theirs["ETag"] != mine["ETag"]
    assert theirs.json()["card_url"].startswith(f"/t/{other.slug}/")
    assert f"/t/{revision_a.tenant.slug}/" not in page
    # asking for the other tenant's revision is refused before any cache is read
    assert client.get(data_url(revision_b) + f"?revision={revision_a.pk}").status_code == 404
    assert client.get(data_url(revision_a), HTTP_IF_NONE_MATCH=mine["ETag"]).status_code == 404


def test_the_cache_key_names_the_revision_not_only_its_id(revision_a):
    """A restored database or another test run may reuse an id: the key also names the row."""
    key = dashboard_selectors.cache_key("t", dashboard_selectors.revision_identity(revision_a))
    revision_a.fingerprint = "another"
    assert dashboard_selectors.cache_key("t", dashboard_selectors.revision_identity(revision_a)) != key


def test_a_large_category_shows_its_head_and_tail_with_a_link_to_the_full_list(client, tenant, leader):
    units = 100  # about 67 in category 1 and 33 in category 2: both more than TABLE_ALL_UP_TO
    revision = builders.synthetic(tenant, units, seed=3)
    client.force_login(leader.user)

    text = client.get(page_url(revision)).content.decode()

    rows = text.count('<tr class="zone-')
    head, tail = dashboard_selectors.TABLE_HEAD, dashboard_selectors.TABLE_TAIL
    assert text.count("data-category-table=") == 2 and text.count('class="omitted"') == 2
    assert rows == 2 * (head + tail)
    assert "其间 47 个单位" in text or "其间 46 个单位" in text
    assert f"/t/{tenant.slug}/reports/campaigns/{revision.campaign_id}/standings/" in text
    # the charts still get every unit
    data = client.get(data_url(revision)).json()
    assert sum(len(c["units"]) for c in data["categories"]) == units


def results_url(revision):
    return f"/api/t/{revision.tenant.slug}/unit-results/?campaign={revision.campaign_id}"


def test_results_api_cache_keeps_a_liaison_to_its_own_unit(api_for, revision_a, leader, liaison_u1):
    everyone = api_for(leader).get(results_url(revision_a))  # the leader's page is now cached
    assert everyone.json()["count"] == 6

    own = api_for(liaison_u1).get(results_url(revision_a))

    assert [r["unit_code"] for r in own.json()["results"]] == ["U1"]
    assert own["ETag"] != everyone["ETag"]
    assert api_for(liaison_u1).get(results_url(revision_a), HTTP_IF_NONE_MATCH=everyone["ETag"]).status_code == 200
    assert api_for(leader).get(results_url(revision_a), HTTP_IF_NONE_MATCH=everyone["ETag"]).status_code == 304


def test_results_api_shows_a_new_revision_at_once(api_for, tenant, revision_a, leader):
    first = api_for(leader).get(results_url(revision_a))
    assert {r["revision_number"] for r in first.json()["results"]} == {1}
    assert all("nodes" not in r for r in first.json()["results"])  # the list is the summary

    builders._store(tenant, revision_a.campaign, worked_example_a_scheme(), builders.example_a_inputs_changed(),
                    number=2)

    second = api_for(leader).get(results_url(revision_a), HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and {r["revision_number"] for r in second.json()["results"]} == {2}
    with_nodes = api_for(leader).get(results_url(revision_a) + "&include=nodes").json()["results"]
    assert all(r["nodes"] for r in with_nodes)


def test_results_api_outsider_gets_404_even_when_cached(api_for, revision_a, leader, outsider):
    assert api_for(leader).get(results_url(revision_a)).status_code == 200
    assert api_for(outsider).get(results_url(revision_a)).status_code == 404
