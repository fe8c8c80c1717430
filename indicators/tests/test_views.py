"""The office's scheme editor pages and the scheme API, driven as a client would."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from evaluation.models import Campaign, CampaignUnit, Category
from evaluation.roles import Role
from indicators.models import CategoryRules, IndicatorNode
from indicators.selectors.scheme import scheme_document
from indicators.services.scheme import campaign_from_template
from tests import factories


@pytest.fixture
def world(db):
    tenant = factories.make_tenant("views-a")
    office = factories.make_member(tenant, Role.OFFICE_ADMIN)
    liaison = factories.make_member(tenant, Role.LIAISON)
    campaign = campaign_from_template(tenant=tenant, template_key="nanping", year=2026, name="南平", actor=None)
    return {"tenant": tenant, "office": office, "liaison": liaison, "campaign": campaign,
            "c1": Category.objects.get(campaign=campaign, code="C1"),
            "c2": Category.objects.get(campaign=campaign, code="C2")}


def url(name, world, **kwargs):
    return reverse(f"indicators:{name}", kwargs={"tenant_slug": world["tenant"].slug, **kwargs})


def _edit_post(node, **overrides):
    data = {"version": node.version, "parent": node.parent_id or "", "code": node.code, "name": node.name,
            "kind": "leaf", "points": str(node.points), "weight": "", "method": node.method, "pool_cap": "",
            "description": node.description, "evidence_requirements": ""}
    data.update(overrides)
    return data


@pytest.mark.smoke
def test_office_creates_from_template_and_sees_the_formula(world, client_for):
    client = client_for(world["office"])
    response = client.post(url("campaign_new_from_template", world),
                           {"template": "nanping", "year": 2027, "name": "2027方案"})
    campaign = Campaign.objects.get(tenant=world["tenant"], year=2027)
    assert response.status_code == 302 and response["Location"].endswith(f"/campaigns/{campaign.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert "总分 = 指标考核 × 0.5 + 公众评议 × 0.5 − 察访核验扣分(最高扣 5 分)" in page
    assert "被一票否决的单位保留得分和名次,但不得评为最高等次(优)" in page


def test_tree_page_shows_totals_rules_and_warnings(world, client_for):
    client = client_for(world["office"])
    group = IndicatorNode.objects.get(category=world["c1"], code="1.2")
    group.points = 35
    group.save(update_fields=["points"])
    page = client.get(url("tree", world, campaign_id=world["campaign"].pk, category_id=world["c1"].pk)).content.decode()
    assert "少公开一次每次−10、公开不规范每次−5;扣完本项分值为止,不低于 0" in page
    assert "下级合计 30,与本项分值 35 不符" in page
    assert "合计" in page


def test_editing_a_leafs_deduction_is_saved_and_validated(world, client_for):
    client = client_for(world["office"])
    node = IndicatorNode.objects.get(category=world["c1"], code="1.2.1")
    save = url("node_update", world, campaign_id=world["campaign"].pk, category_id=world["c1"].pk, node_id=node.pk)
    bad = client.post(save, _edit_post(node, **{"p-deduct_per_occurrence-kinds": "unfinished | 未完成 | 很多"}))
    assert bad.status_code == 400
    assert "类别 C1 指标 1.2.1" in bad.content.decode() and "很多" in bad.content.decode()
    node.refresh_from_db()
    assert node.params["kinds"][0]["deduction"] == "5"
    ok = client.post(save, _edit_post(node, **{"p-deduct_per_occurrence-kinds": "unfinished | 未完成重点任务 | 6"}))
    assert ok.status_code == 302
    node.refresh_from_db()
    assert node.params == {"kinds": [{"key": "unfinished", "label": "未完成重点任务", "deduction": "6"}]}
    assert node.version == 2
    stale = client.post(save, _edit_post(node, version=1, **{"p-deduct_per_occurrence-kinds": "a | b | 1"}))
    assert stale.status_code == 400 and "修改,请刷新后重试" in stale.content.decode()


def test_add_move_and_delete_nodes(world, client_for):
    client = client_for(world["office"])
    kw = {"campaign_id": world["campaign"].pk, "category_id": world["c2"].pk}
    parent = IndicatorNode.objects.get(category=world["c2"], code="2")
    response = client.post(url("node_create", world, **kw), {
        "parent": parent.pk, "code": "2.3", "name": "信息报送", "kind": "leaf", "points": "10",
        "method": "threshold", "p-threshold-threshold": "95", "p-threshold-below": ""})
    assert response.status_code == 302
    new = IndicatorNode.objects.get(category=world["c2"], code="2.3")
    assert new.params == {"threshold": "95"} and new.parent == parent
    client.post(url("node_move", world, node_id=new.pk, **kw), {"direction": "up"})
    order = list(IndicatorNode.objects.filter(parent=parent).order_by("order").values_list("code", flat=True))
    assert order == ["2.1", "2.3", "2.2"]
    client.post(url("node_delete", world, node_id=parent.pk, **kw))
    assert not IndicatorNode.objects.filter(category=world["c2"], code__startswith="2").exists()


def test_rule_preview_is_one_line(world, client_for):
    client = client_for(world["office"])
    response = client.post(url("rule_preview", world, campaign_id=world["campaign"].pk, category_id=world["c1"].pk), {
        "method": "deduct_per_occurrence", "points": "15", "code": "2.1.1",
        "p-deduct_per_occurrence-kinds": "missed | 少公开一次 | 10"})
    assert "少公开一次每次−10;扣完本项分值为止,不低于 0" in response.content.decode()


def test_rules_editor_saves_and_reports_problems(world, client_for):
    client = client_for(world["office"])
    kw = {"campaign_id": world["campaign"].pk, "category_id": world["c2"].pk}
    page = client.get(url("rules", world, **kw)).content.decode()
    assert "民主测评 × 0.3" in page
    post = {"component-count": "3",
            "c0-key": "indicators", "c0-label": "指标考核", "c0-source": "indicators", "c0-mode": "weight", "c0-weight": "0.6",
            "c1-key": "democratic", "c1-label": "民主测评", "c1-source": "democratic", "c1-source_key": "annual",
            "c1-mode": "weight", "c1-weight": "0.4",
            "c2-key": "inspections", "c2-label": "察访核验", "c2-source": "inspections", "c2-mode": "deduction", "c2-cap": "5",
            "grading_kind": "bands", "bands": "优 | 90\n良 | 76\n一般 | 60\n差 |", "veto_mode": "ineligible",
            "joint_lead": "0.8", "joint_co": "0.2", "name_last_place": "on", "points": "100", "survey_options": ""}
    preview = client.post(url("rules_preview", world, **kw), post).content.decode()
    assert "总分 = 指标考核 × 0.6 + 民主测评 × 0.4 − 察访核验扣分(最高扣 5 分)" in preview
    assert client.post(url("rules_save", world, **kw), post).status_code == 302
    rules = CategoryRules.objects.get(category=world["c2"])
    assert rules.components[0]["weight"] == "0.6"
    bad = dict(post, bands="优 | 60\n良 | 76\n差 |", **{"c1-mode": "deduction"})
    response = client.post(url("rules_save", world, **kw), bad)
    text = response.content.decode()
    assert response.status_code == 400 and "等次下限须从高到低排列" in text and "组成项 democratic" in text
    rules.refresh_from_db()
    assert rules.grading["bands"][0]["min"] == "90"


def test_units_are_enrolled_and_added(world, client_for):
    client = client_for(world["office"])
    unit = factories.make_unit(world["tenant"], "U7")
    client.post(url("enrolment_update", world, campaign_id=world["campaign"].pk), {"unit": unit.pk, "place": world["c2"].pk})
    assert CampaignUnit.objects.get(campaign=world["campaign"], unit=unit).category == world["c2"]
    client.post(url("unit_add", world, campaign_id=world["campaign"].pk),
                {"unit-code": "U8", "unit-name": "审计局", "unit-kind": "", "place": "survey"})
    assert CampaignUnit.objects.get(campaign=world["campaign"], unit__code="U8").survey_only


def test_liaison_reads_but_cannot_edit(world, client_for):
    client = client_for(world["liaison"])
    kw = {"campaign_id": world["campaign"].pk, "category_id": world["c1"].pk}
    assert client.get(url("tree", world, **kw)).status_code == 200
    node = IndicatorNode.objects.get(category=world["c1"], code="1.2.1")
    assert client.post(url("node_delete", world, node_id=node.pk, **kw)).status_code == 403
    assert client.get(url("export_xlsx", world, campaign_id=world["campaign"].pk)).status_code == 403


def test_exports(world, client_for):
    client = client_for(world["office"])
    xlsx = client.get(url("export_xlsx", world, campaign_id=world["campaign"].pk))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    document = json.loads(client.get(url("export_json", world, campaign_id=world["campaign"].pk)).content)
    assert document["format"] == "kaoping.campaign/1"


def test_api_document_get_put_and_template(world, api_for):
    api = api_for(world["office"])
    slug = world["tenant"].slug
    path = f"/api/t/{slug}/campaigns/{world['campaign'].pk}/scheme/"
    document = api.get(path).json()
    assert document["categories"][0]["code"] == "C1"
    document["categories"] = document["categories"][1:]
    replaced = api.put(path, document, format="json")
    assert replaced.status_code == 200
    assert list(Category.objects.filter(campaign=world["campaign"]).values_list("code", flat=True)) == ["C2"]
    document["version"] = replaced.json()["version"]  # the next PUT is made from the scheme as it now is
    document["categories"][0]["grading"] = None
    response = api.put(path, document, format="json")
    assert response.status_code == 400 and any("grading" in p for p in response.json()["problems"])
    created = api.post(f"/api/t/{slug}/scheme-templates/nanping/", {"year": 2030, "name": "API"}, format="json")
    assert created.status_code == 201
    assert Campaign.objects.get(pk=created.json()["id"]).categories.count() == 2
    other = factories.make_member(factories.make_tenant("views-b"))
    assert api_for(other).get(path).status_code == 404


def test_management_commands_round_trip(world, tmp_path):
    out = tmp_path / "scheme.json"
    call_command("export_scheme", tenant=world["tenant"].slug, campaign=world["campaign"].pk, output=str(out))
    call_command("import_scheme", str(out), tenant=world["tenant"].slug, name="命令导入")
    copy_ = Campaign.objects.get(tenant=world["tenant"], name="命令导入")
    a, b = scheme_document(world["campaign"]), scheme_document(copy_)
    a.pop("campaign"), b.pop("campaign")
    assert a == b
    xlsx = tmp_path / "scheme.xlsx"
    call_command("export_scheme", tenant=world["tenant"].slug, campaign=world["campaign"].pk, output=str(xlsx))
    call_command("import_scheme", str(xlsx), tenant=world["tenant"].slug, name="表格导入")
    assert Campaign.objects.filter(name="表格导入").exists()


def test_demo_load_is_idempotent(db):
    from evaluation.services.demo import demo_load

    tenant, _ = demo_load()
    demo_load()
    campaign = Campaign.objects.get(tenant=tenant, name="2026年度市直部门绩效评估和效能考评")
    enrolled = dict(CampaignUnit.objects.filter(campaign=campaign).values_list("unit__code", "category__code"))
    assert enrolled == {"U1": "C1", "U2": "C1", "U3": "C1", "U6": "C1", "U4": "C2", "U5": "C2"}
