"""The dashboard's cached output: never stale for a new revision or publication, never shared
between tenants, revalidated by ETag; its tables stay short for a large category."""

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import Http404, HttpRequest
from django.test import Client
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


# --- which revision is shown, read in one statement on every request -------------------------


def _publish(revision, by):
    now = timezone.now()
    return Publication.objects.create(
        tenant=revision.tenant, campaign=revision.campaign, revision=revision, status=Publication.Status.PUBLISHED,
        submitted_by=by.user, submitted_at=now, published_at=now,
    )


def _shown(membership, campaign_id, revision_id=None):
    """What the dashboard shows, by the SQL statement and by the ORM fallback (which must agree)."""
    found = []
    for read in (dashboard_selectors.dashboard_shown, dashboard_selectors._dashboard_shown_orm):
        shown = read(membership, campaign_id, revision_id, with_earlier=True)
        found.append((shown.campaign.pk, shown.revision.pk if shown.revision else None, shown.published,
                      shown.earlier))
    assert found[0] == found[1]
    return found[0]


def test_the_dashboard_shows_the_revision_in_force_else_the_latest(tenant, revision_a, leader):
    campaign_id = revision_a.campaign_id
    assert _shown(leader, campaign_id) == (campaign_id, revision_a.pk, False, {})

    second = builders._store(tenant, revision_a.campaign, worked_example_a_scheme(),
                             builders.example_a_inputs_changed(), number=2)
    assert _shown(leader, campaign_id)[1:3] == (second.pk, False)  # the latest, provisional

    _publish(revision_a, leader)
    assert _shown(leader, campaign_id)[1:3] == (revision_a.pk, True)  # the one in force beats a newer one
    assert _shown(leader, campaign_id, second.pk)[1:3] == (second.pk, False)  # unless another is asked for


def test_the_shown_revision_comes_with_the_earlier_campaigns(tenant, revision_a, leader):
    earlier = builders.example_a(tenant, year=2025)
    newer_earlier = builders._store(tenant, earlier.campaign, worked_example_a_scheme(),
                                    builders.example_a_inputs_changed(), number=2)
    assert _shown(leader, revision_a.campaign_id)[3] == {newer_earlier.pk: 2025}

    _publish(earlier, leader)  # its publication in force, not its latest revision
    assert _shown(leader, revision_a.campaign_id)[3] == {earlier.pk: 2025}


def test_a_campaign_without_results_shows_none(tenant, leader):
    campaign = factories.make_campaign(tenant, year=2030)
    assert _shown(leader, campaign.pk) == (campaign.pk, None, False, {})


def test_a_revision_or_campaign_not_the_tenants_is_404(tenant, revision_a, leader, outsider):
    theirs = builders.example_a(outsider.tenant)
    other_campaign = builders.example_a(tenant, year=2025)
    for revision_id in (theirs.pk, other_campaign.pk):
        for read in (dashboard_selectors.dashboard_shown, dashboard_selectors._dashboard_shown_orm):
            with pytest.raises(Http404):
                read(leader, revision_a.campaign_id, revision_id, with_earlier=False)
    for revision_id in ("1; drop", "", str(2**70), "-1"):
        with pytest.raises(Http404):
            dashboard_selectors.dashboard_shown(leader, revision_a.campaign_id, revision_id)
    for campaign_id in (theirs.campaign_id, 2**70):
        with pytest.raises(Http404):
            dashboard_selectors.dashboard_shown(leader, campaign_id)


# --- the whole page, kept per person, with each client's own CSRF token ------------------------


def test_the_cached_page_is_each_persons_own(client, tenant, revision_a, leader):
    other = factories.make_member(tenant, Role.LEADER, user=factories.make_user("leader-two"))
    other.user.first_name = "二号领导"
    other.user.save(update_fields=["first_name"])
    client.force_login(leader.user)
    assert "leader-a" in client.get(page_url(revision_a)).content.decode()

    client.force_login(other.user)
    text = client.get(page_url(revision_a)).content.decode()

    assert "二号领导" in text and "leader-a" not in text
    other.user.first_name = "新名"  # the frame shows the person as they are now
    other.user.save(update_fields=["first_name"])
    assert "新名" in client.get(page_url(revision_a)).content.decode()


def test_the_cached_page_carries_a_working_csrf_token_for_each_client(tenant, revision_a, leader):
    tokens = []
    for _ in range(2):  # the first renders and keeps the page, the second is served from the cache
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(leader.user)
        page = browser.get(page_url(revision_a))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
        assert f'"X-CSRFToken": "{token}"' in page.content.decode()
        assert not re.fullmatch("csrf[0-9a-f]{60}", token)  # a real token, not the page's stand-in
        tokens.append(token)
        refused = browser.post("/i18n/setlang/", {"language": "en", "next": "/"})
        assert refused.status_code == 403
        accepted = browser.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
        assert accepted.status_code == 302
    assert tokens[0] != tokens[1]


def test_a_page_with_a_message_to_show_is_rendered_afresh(client, revision_a, leader):
    client.force_login(leader.user)
    client.get(page_url(revision_a))  # kept in the cache
    storage = CookieStorage(HttpRequest())  # as a view's messages.success() leaves it for the next page
    client.cookies[storage.cookie_name] = storage._encode([Message(constants.SUCCESS, "已审定。")])

    text = client.get(page_url(revision_a)).content.decode()

    assert "已审定。" in text
    assert "已审定。" not in client.get(page_url(revision_a)).content.decode()  # shown once


def test_a_revoked_membership_or_deactivated_person_loses_the_cached_page_at_once(client, revision_a, leader):
    client.force_login(leader.user)
    assert client.get(page_url(revision_a)).status_code == 200
    assert client.get(data_url(revision_a)).status_code == 200

    leader.is_active = False
    leader.save(update_fields=["is_active"])
    assert client.get(page_url(revision_a)).status_code == 404
    assert client.get(data_url(revision_a)).status_code == 404

    leader.is_active = True
    leader.save(update_fields=["is_active"])
    leader.user.is_active = False
    leader.user.save(update_fields=["is_active"])
    assert client.get(page_url(revision_a)).status_code == 302  # to the login page
    assert client.get(data_url(revision_a)).status_code == 302


@pytest.mark.postgres
def test_the_dashboard_and_results_api_make_few_queries(client, api_for, revision_a, leader,
                                                        django_assert_max_num_queries):
    """Session (from Redis when there is one), user, membership and one statement for the
    campaign, the revision shown and its publication; the output comes from the cache."""
    if connection.vendor != "postgresql":
        pytest.skip(f"the one statement is PostgreSQL's (LATERAL, arrays); this run is on {connection.vendor}")
    client.force_login(leader.user)
    for url in (page_url(revision_a), data_url(revision_a)):
        client.get(url)
        with django_assert_max_num_queries(4):
            assert client.get(url).status_code == 200
    api = api_for(leader)
    api.get(results_url(revision_a))
    with django_assert_max_num_queries(2):  # authenticated by the test client: membership, revision
        assert api.get(results_url(revision_a)).status_code == 200


def test_results_api_of_a_campaign_without_results_or_not_the_tenants(api_for, tenant, revision_a, leader, outsider):
    empty = factories.make_campaign(tenant, year=2030)
    assert api_for(leader).get(f"/api/t/{tenant.slug}/unit-results/?campaign={empty.pk}").json()["count"] == 0

    theirs = builders.example_a(outsider.tenant)
    for campaign in (theirs.campaign_id, "abc", 2**70):
        assert api_for(leader).get(f"/api/t/{tenant.slug}/unit-results/?campaign={campaign}").status_code == 404


def test_the_dashboard_and_results_api_are_served_while_the_shared_cache_is_unreachable(
    client, api_for, revision_a, leader, monkeypatch
):
    from django.core.cache import caches

    from evaluation import caching

    client.force_login(leader.user)
    page, data = client.get(page_url(revision_a)), client.get(data_url(revision_a))
    results = api_for(leader).get(results_url(revision_a))
    caches["local"].clear()

    def unreachable(*args, **kwargs):
        raise ConnectionError("Redis is restarting")

    monkeypatch.setattr(caching.cache, "get", unreachable)
    monkeypatch.setattr(caching.cache, "set", unreachable)
    again = client.get(page_url(revision_a))
    assert again.status_code == 200 and _without_csrf(again) == _without_csrf(page)
    assert client.get(data_url(revision_a)).content == data.content
    assert api_for(leader).get(results_url(revision_a)).content == results.content


def _without_csrf(response) -> str:
    return re.sub(r"\b[A-Za-z0-9]{64}\b", "<csrf>", response.content.decode())  # masked tokens are 64 characters
