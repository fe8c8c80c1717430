"""Every template of the library loads, validates, exports and comes back the same, and is
documented in docs/templates.md with its source."""

from __future__ import annotations

import copy
import io
from pathlib import Path

import pytest

from evaluation.engine import scheme_from_dict
from indicators.selectors.editor import campaign_problems
from indicators.selectors.scheme import engine_scheme_for, scheme_document
from indicators.services.excel import scheme_workbook, workbook_import
from indicators.services.scheme import campaign_from_template, engine_part
from indicators.templates_library import ORDER, all_templates
from tests import factories

DOCS = Path(__file__).resolve().parents[2] / "docs" / "templates.md"


def test_the_library_has_every_seed_scheme():
    assert [t.key for t in all_templates()] == list(ORDER)


@pytest.mark.parametrize("key", ORDER)
def test_template_loads_validates_and_round_trips(db, key):
    template = next(t for t in all_templates() if t.key == key)
    scheme_from_dict(engine_part(template.document))  # raises with every problem if not
    tenant = factories.make_tenant(f"tpl-{key.replace('_', '-')}")
    campaign = campaign_from_template(tenant=tenant, template_key=key, year=2026, name=template.name, actor=None)
    assert campaign_problems(campaign) == []
    engine_scheme_for(campaign)
    copy_ = workbook_import(tenant=tenant, fileobj=io.BytesIO(scheme_workbook(campaign)), actor=None, name="副本")
    a, b = copy.deepcopy(scheme_document(campaign)), copy.deepcopy(scheme_document(copy_))
    a.pop("campaign"), b.pop("campaign")
    assert a == b


@pytest.mark.parametrize("key", ORDER)
def test_template_is_documented_with_its_source(key):
    template = next(t for t in all_templates() if t.key == key)
    text = DOCS.read_text(encoding="utf-8")
    assert f"`{key}`" in text and template.source in text
