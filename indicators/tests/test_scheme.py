"""Reading and writing whole schemes: engine scheme, scheme document, import, clone, templates."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from evaluation.engine import compute_campaign, scheme_from_dict
from evaluation.engine.examples import worked_example_a_inputs, worked_example_a_scheme
from evaluation.models import Campaign, CampaignPhase, CampaignUnit, Category, Unit
from indicators.models import CategoryRules, IndicatorNode
from indicators.selectors.scheme import engine_scheme_for, scheme_document
from indicators.services.scheme import (
    SchemeImportError,
    campaign_clone,
    campaign_from_template,
    engine_part,
    scheme_document_import,
)
from indicators.templates_library import load_template
from tests import factories


@pytest.fixture
def office(db):
    tenant = factories.make_tenant("scheme-a")
    return factories.make_member(tenant)


def _without_campaign(document):
    document = copy.deepcopy(document)
    document.pop("campaign")
    return document


@pytest.mark.smoke
def test_nanping_template_is_worked_example_a():
    template = load_template("nanping")
    assert scheme_from_dict(engine_part(template.document)) == scheme_from_dict(worked_example_a_scheme())
    assert "南平" in template.source


@pytest.mark.smoke
def test_engine_scheme_from_rows_reproduces_worked_example_a(office, django_assert_num_queries):
    campaign = campaign_from_template(
        tenant=office.tenant, template_key="nanping", year=2026, name="示例A", actor=office.user
    )
    with django_assert_num_queries(3):  # categories, nodes (with units), rules
        scheme = engine_scheme_for(campaign)
    assert scheme == scheme_from_dict(worked_example_a_scheme())
    result = compute_campaign(scheme, worked_example_a_inputs())
    totals = {u.unit_code: (u.total, u.grade) for c in result.categories for u in c.units}
    assert totals == {
        "U1": (Decimal("90.00"), "优"),
        "U2": (Decimal("89.00"), "良"),
        "U3": (Decimal("44.50"), "差"),
        "U6": (Decimal("96.00"), "良"),
        "U4": (Decimal("77.55"), "良"),
        "U5": (Decimal("97.40"), "优"),
    }


def test_engine_scheme_for_selected_categories(office):
    campaign = campaign_from_template(tenant=office.tenant, template_key="nanping", year=2026, name="x", actor=None)
    scheme = engine_scheme_for(campaign, category_codes=["C2"])
    assert [c.code for c in scheme.categories] == ["C2"]


def test_query_count_does_not_grow_with_the_tree(office, django_assert_num_queries):
    campaign = campaign_from_template(tenant=office.tenant, template_key="nanping", year=2026, name="x", actor=None)
    category = Category.objects.get(campaign=campaign, code="C2")
    parent = IndicatorNode.objects.get(category=category, code="2")
    for n in range(20):
        IndicatorNode.objects.create(
            tenant=office.tenant, category=category, parent=parent, code=f"2.9.{n}", name="x", points=Decimal(0),
            method="manual", order=10 + n,
        )
    with django_assert_num_queries(3):
        engine_scheme_for(campaign)


def test_unit_specific_leaf_carries_unit_code(office):
    campaign = campaign_from_template(tenant=office.tenant, template_key="nanping", year=2026, name="x", actor=None)
    unit = factories.make_unit(office.tenant, "U1")
    category = Category.objects.get(campaign=campaign, code="C1")
    node = IndicatorNode.objects.get(category=category, code="1.1")
    node.points = Decimal(30)
    node.save(update_fields=["points"])
    IndicatorNode.objects.create(
        tenant=office.tenant, category=category, parent=node, code="1.1.9", name="本单位细化目标",
        points=Decimal(0), method="manual", unit=unit, order=9,
    )
    scheme = engine_scheme_for(campaign)
    tree = scheme.category("C1").tree
    leaf = next(c for c in tree[0].children[0].children if c.code == "1.1.9")
    assert leaf.unit_code == "U1"


@pytest.mark.smoke
def test_scheme_document_round_trip_is_identical(office):
    tenant = office.tenant
    source = campaign_from_template(tenant=tenant, template_key="nanping", year=2026, name="甲", actor=None)
    for code in ("U1", "U2"):
        factories.enrol(source, factories.make_unit(tenant, code), Category.objects.get(campaign=source, code="C1"))
    factories.enrol(source, factories.make_unit(tenant, "U9"), None)
    CampaignPhase.objects.create(tenant=tenant, campaign=source, phase="targets", deadline="2026-05-31")
    document = scheme_document(source)
    document["campaign"]["name"] = "乙"
    copy_ = scheme_document_import(tenant=tenant, document=document, actor=office.user)
    assert _without_campaign(scheme_document(copy_)) == _without_campaign(scheme_document(source))
    assert scheme_document(copy_)["campaign"]["phases"] == [
        {"phase": "targets", "opens_on": None, "deadline": "2026-05-31"}
    ]
    assert scheme_document(copy_)["categories"][0]["units"] == ["U1", "U2"]
    assert scheme_document(copy_)["survey_only_units"] == ["U9"]


def test_import_reports_every_problem_and_saves_nothing(office):
    document = load_template("nanping").document
    document["campaign"] = {"year": 2026, "name": "坏方案"}
    leaf = document["categories"][0]["tree"][0]["children"][0]["children"][0]
    leaf["rule"]["params"] = {"target": "abc"}  # not a number
    document["categories"][1]["components"][0]["source"] = "nowhere"  # unknown source
    document["categories"][0]["units"] = ["NOPE"]  # unknown unit
    before = (Campaign.objects.count(), Category.objects.count(), IndicatorNode.objects.count(), Unit.objects.count())
    with pytest.raises(SchemeImportError) as caught:
        scheme_document_import(tenant=office.tenant, document=document, actor=office.user)
    text = "\n".join(caught.value.messages)
    assert "1.1.1" in text and "target" in text
    assert "indicators" in text or "nowhere" in text
    assert "NOPE" in text
    assert len(caught.value.messages) >= 3
    after = (Campaign.objects.count(), Category.objects.count(), IndicatorNode.objects.count(), Unit.objects.count())
    assert after == before


def test_import_creates_missing_units_by_code(office):
    document = load_template("nanping").document
    document["campaign"] = {"year": 2026, "name": "带单位"}
    document["units"] = [{"code": "N1", "name": "新单位", "kind": "政府工作部门"}]
    document["categories"][0]["units"] = ["N1"]
    campaign = scheme_document_import(tenant=office.tenant, document=document, actor=office.user)
    unit = Unit.objects.get(tenant=office.tenant, code="N1")
    assert CampaignUnit.objects.get(campaign=campaign, unit=unit).category.code == "C1"


def test_import_refuses_a_duplicate_campaign_name(office):
    campaign_from_template(tenant=office.tenant, template_key="nanping", year=2026, name="同名", actor=None)
    with pytest.raises(SchemeImportError, match="同名"):
        campaign_from_template(tenant=office.tenant, template_key="nanping", year=2026, name="同名", actor=None)


def test_clone_copies_the_scheme_not_the_data(office):
    tenant = office.tenant
    source = campaign_from_template(tenant=tenant, template_key="nanping", year=2025, name="2025方案", actor=None)
    factories.enrol(source, factories.make_unit(tenant, "U1"), Category.objects.get(campaign=source, code="C1"))
    CampaignPhase.objects.create(tenant=tenant, campaign=source, phase="targets", opens_on="2025-05-01",
                                 deadline="2025-05-31")
    rules = CategoryRules.objects.get(category__campaign=source, category__code="C1")
    clone = campaign_clone(source=source, year=2026, name="2026方案", actor=office.user)
    assert clone.cloned_from == source and clone.year == 2026
    assert _without_campaign(scheme_document(clone)) == _without_campaign(scheme_document(source))
    assert scheme_document(clone)["campaign"]["phases"][0]["deadline"] == "2026-05-31"
    assert CategoryRules.objects.get(category__campaign=clone, category__code="C1").pk != rules.pk


def test_replacing_a_configured_campaigns_scheme(office):
    campaign = campaign_from_template(tenant=office.tenant, template_key="nanping", year=2026, name="x", actor=None)
    document = scheme_document(campaign)
    document["categories"] = document["categories"][:1]
    scheme_document_import(tenant=office.tenant, document=document, actor=office.user, campaign=campaign)
    assert list(Category.objects.filter(campaign=campaign).values_list("code", flat=True)) == ["C1"]
