"""The scheme document API under two editors (issue #9): the document carries a version, a PUT
must send it back, and a stale PUT gets 409 instead of overwriting someone else's edit."""

from __future__ import annotations

import hashlib
import json
import threading
import time

import pytest
from django.db import connection, connections
from django.urls import reverse

from evaluation.models import Campaign
from evaluation.roles import Role
from indicators.models import IndicatorNode
from indicators.selectors.scheme import scheme_document, scheme_document_version
from indicators.services.scheme import campaign_from_template
from tests import factories

CONFLICT = "方案已被他人修改,请重新获取后再提交"


def _world():
    tenant = factories.make_tenant("conflict-a")
    alice = factories.make_member(tenant, Role.OFFICE_ADMIN, user=factories.make_user("alice-doc"))
    bob = factories.make_member(tenant, Role.OFFICE_ADMIN, user=factories.make_user("bob-doc"))
    campaign = campaign_from_template(tenant=tenant, template_key="nanping", year=2026, name="南平", actor=None)
    url = reverse("scheme-document", kwargs={"tenant_slug": tenant.slug, "campaign_id": campaign.pk})
    return {"tenant": tenant, "alice": alice, "bob": bob, "campaign": campaign, "url": url}


@pytest.fixture
def world(db):
    return _world()


def _leaf_name(campaign) -> str:
    return IndicatorNode.objects.get(category__campaign=campaign, category__code="C1", code="1.2.1").name


def _renamed(document: dict, name: str) -> dict:
    def walk(nodes):
        for node in nodes:
            yield node
            yield from walk(node.get("children", []))

    for category in document["categories"]:
        if category["code"] == "C1":
            for node in walk(category["tree"]):
                if node["code"] == "1.2.1":
                    node["name"] = name
    return document


def test_the_document_carries_the_sha256_of_its_canonical_json(world, api_for):
    document = api_for(world["alice"]).get(world["url"]).json()

    content = {k: v for k, v in document.items() if k != "version"}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert document["version"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert document["version"] == scheme_document_version(document) == scheme_document_version(content)
    assert api_for(world["bob"]).get(world["url"]).json()["version"] == document["version"]  # stable
    # files (exports, clones, templates) stay importable: they carry no version
    assert "version" not in scheme_document(world["campaign"])


def test_a_put_without_the_version_is_refused_and_names_the_field(world, api_for):
    api = api_for(world["alice"])
    document = _renamed(api.get(world["url"]).json(), "甲改")
    del document["version"]

    refused = api.put(world["url"], document, format="json")

    assert refused.status_code == 400
    assert any("version" in problem for problem in refused.json()["problems"])
    assert _leaf_name(world["campaign"]) != "甲改"


def test_the_stale_put_gets_409_and_the_first_edit_stays(world, api_for):
    alice, bob = api_for(world["alice"]), api_for(world["bob"])
    alice_doc, bob_doc = alice.get(world["url"]).json(), bob.get(world["url"]).json()

    first = alice.put(world["url"], _renamed(alice_doc, "甲改"), format="json")
    stale = bob.put(world["url"], _renamed(bob_doc, "乙改"), format="json")

    assert first.status_code == 200 and first.json()["version"] != alice_doc["version"]
    assert stale.status_code == 409 and stale.json() == {"problems": [CONFLICT]}
    assert _leaf_name(world["campaign"]) == "甲改"
    # fetched again, Bob's edit goes through
    fresh = bob.get(world["url"]).json()
    assert fresh["version"] == first.json()["version"]
    assert bob.put(world["url"], _renamed(fresh, "乙改"), format="json").status_code == 200
    assert _leaf_name(world["campaign"]) == "乙改"


def test_an_edit_in_the_scheme_editor_makes_the_fetched_document_stale(world, api_for):
    api = api_for(world["alice"])
    document = api.get(world["url"]).json()
    IndicatorNode.objects.filter(category__campaign=world["campaign"], code="1.2.1").update(name="编辑器改")

    stale = api.put(world["url"], _renamed(document, "甲改"), format="json")

    assert stale.status_code == 409
    assert _leaf_name(world["campaign"]) == "编辑器改"


def test_a_document_with_its_version_still_imports_as_a_new_campaign(world, api_for):
    api = api_for(world["alice"])
    document = api.get(world["url"]).json()
    document["campaign"]["name"] = "由接口文档新建"

    created = api.post(reverse("scheme-import", kwargs={"tenant_slug": world["tenant"].slug}), document,
                       format="json")

    assert created.status_code == 201, created.content
    copy_ = Campaign.objects.get(pk=created.json()["id"])
    assert scheme_document(copy_)["categories"] == scheme_document(world["campaign"])["categories"]


@pytest.mark.postgres
def test_two_puts_at_once_from_the_same_version_one_gets_409(transactional_db, api_for, monkeypatch):
    from indicators.api import views

    if connection.vendor != "postgresql":
        pytest.skip("needs row locks")
    w = _world()
    fetched = api_for(w["alice"]).get(w["url"]).json()
    inside = threading.Event()
    original = views.scheme_document_import

    def slow_import(**kwargs):
        # the first PUT has passed its version check: hold it there while the second one arrives
        if not inside.is_set():
            inside.set()
            time.sleep(1.0)
        return original(**kwargs)

    monkeypatch.setattr(views, "scheme_document_import", slow_import)
    statuses: dict[str, int] = {}

    def put(who: str, name: str) -> None:
        try:
            document = _renamed(json.loads(json.dumps(fetched)), name)
            statuses[who] = api_for(w[who]).put(w["url"], document, format="json").status_code
        finally:
            connections.close_all()

    first = threading.Thread(target=put, args=("alice", "甲改"))
    first.start()
    assert inside.wait(30)
    second = threading.Thread(target=put, args=("bob", "乙改"))
    second.start()
    first.join(60)
    second.join(60)

    assert statuses == {"alice": 200, "bob": 409}
    assert _leaf_name(w["campaign"]) == "甲改"
