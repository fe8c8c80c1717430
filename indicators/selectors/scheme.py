"""Reading a campaign's scheme (考评方案) out of the database.

Two shapes come out of the same rows, read set-based (one query for the nodes, one for the
rules, whatever the size of the trees):

* :func:`engine_scheme_for` — the scoring engine's :class:`~evaluation.engine.types.CampaignScheme`,
  checked by the engine (a scheme the engine can't use raises its ``SchemeError``);
* :func:`scheme_document` — the campaign scheme document (docs/scheme-document.md): campaign
  meta, categories with their units, and per category the engine's category dict plus what
  only people read (descriptions, evidence requirements, providers, survey options). The API
  asks for it ``versioned``: with a ``version`` (:func:`scheme_document_version`) that a PUT
  must send back, so a stale document cannot replace someone else's edit.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from evaluation.engine import CampaignScheme, scheme_from_dict
from evaluation.engine.scheme_io import FORMAT as ENGINE_FORMAT
from evaluation.models import Campaign, CampaignPhase, CampaignUnit, Category
from indicators.models import CategoryRules, IndicatorNode

DOCUMENT_FORMAT = "kaoping.campaign/1"
#: the key of a versioned document holding :func:`scheme_document_version`
VERSION_KEY = "version"
#: keys of a document's category entry that are not part of the engine's category dict
CATEGORY_EXTRA_KEYS = ("order", "units", "survey_options", "node_details")

__all__ = [
    "CATEGORY_EXTRA_KEYS",
    "DOCUMENT_FORMAT",
    "VERSION_KEY",
    "dec_text",
    "engine_document_for",
    "engine_scheme_for",
    "node_rows",
    "scheme_document",
    "scheme_document_version",
    "category_dict",
]


def dec_text(value: Decimal | None) -> str | None:
    """A Decimal as the document writes it: ``Decimal("30.00")`` → ``"30"``, ``"0.5000"`` → ``"0.5"``."""
    if value is None:
        return None
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def node_rows(categories: Sequence[Category]) -> dict[int, list[IndicatorNode]]:
    """Every node of the categories, in one query, grouped by category id, in tree order."""
    by_category: dict[int, list[IndicatorNode]] = defaultdict(list)
    if not categories:
        return by_category
    nodes = (
        IndicatorNode.objects.filter(category__in=categories, tenant_id=categories[0].tenant_id)
        .select_related("unit", "provider")
        .order_by("category_id", "order", "code")
    )
    for node in nodes:
        by_category[node.category_id].append(node)
    return by_category


def _rules_by_category(categories: Sequence[Category]) -> dict[int, CategoryRules]:
    if not categories:
        return {}
    rows = CategoryRules.objects.filter(category__in=categories, tenant_id=categories[0].tenant_id)
    return {rules.category_id: rules for rules in rows}


def _node_dict(node: IndicatorNode, children: dict[int | None, list[IndicatorNode]]) -> dict[str, Any]:
    out: dict[str, Any] = {"code": node.code, "name": node.name}
    if node.points is not None:
        out["points"] = dec_text(node.points)
    if node.weight is not None:
        out["weight"] = dec_text(node.weight)
    if node.unit_id is not None:
        out["unit_code"] = node.unit.code
    if node.pool_kind:
        pool: dict[str, Any] = {"kind": node.pool_kind}
        if node.pool_overflow:
            pool["overflow"] = True
        if node.pool_cap is not None:
            pool["cap"] = dec_text(node.pool_cap)
        out["pool"] = pool
    if node.method:
        out["rule"] = {"method": node.method, "params": node.params or {}}
    kids = children.get(node.pk, [])
    if kids:
        out["children"] = [_node_dict(child, children) for child in kids]
    return out


def category_dict(category: Category, nodes: Iterable[IndicatorNode], rules: CategoryRules | None) -> dict[str, Any]:
    """The engine's category dict (``kaoping.scheme/1``) of one category's rows."""
    children: dict[int | None, list[IndicatorNode]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)
    out: dict[str, Any] = {"code": category.code, "name": category.name}
    if rules is not None and rules.points is not None:
        out["points"] = dec_text(rules.points)
    out["tree"] = [_node_dict(root, children) for root in children.get(None, [])]
    out["components"] = list(rules.components) if rules is not None else []
    out["grading"] = dict(rules.grading) if rules is not None and rules.grading else None
    out["veto"] = dict(rules.veto) if rules is not None and rules.veto else {"mode": "none"}
    out["tie_break"] = list(rules.tie_break) if rules is not None else []
    out["name_last_place"] = rules.name_last_place if rules is not None else True
    if rules is not None and isinstance(rules.joint_split, dict) and rules.joint_split:
        out["joint_split"] = dict(rules.joint_split)
    else:
        out["joint_split"] = {"lead": "0.8", "co": "0.2"}
    return out


def _categories(campaign: Campaign, category_codes: Sequence[str] | None) -> list[Category]:
    queryset = Category.objects.filter(tenant_id=campaign.tenant_id, campaign=campaign).order_by("order", "code")
    if category_codes is not None:
        queryset = queryset.filter(code__in=list(category_codes))
    return list(queryset)


def engine_document_for(campaign: Campaign, *, category_codes: Sequence[str] | None = None) -> dict[str, Any]:
    """The engine's scheme document (``kaoping.scheme/1``) of a campaign, unchecked."""
    categories = _categories(campaign, category_codes)
    nodes = node_rows(categories)
    rules = _rules_by_category(categories)
    return {
        "format": ENGINE_FORMAT,
        "categories": [category_dict(c, nodes.get(c.pk, []), rules.get(c.pk)) for c in categories],
    }


def engine_scheme_for(campaign: Campaign, *, category_codes: Sequence[str] | None = None) -> CampaignScheme:
    """The campaign's scheme as the engine's dataclasses, checked by the engine.

    Raises :class:`evaluation.engine.SchemeError` (with every problem) when the stored scheme
    is not usable yet — a campaign still being configured, for instance.
    """
    return scheme_from_dict(engine_document_for(campaign, category_codes=category_codes))


def scheme_document_version(document: Mapping[str, Any]) -> str:
    """The version of a scheme document: SHA-256 (hex) of its canonical JSON — sorted keys, no
    whitespace, UTF-8 — leaving out any ``version`` key it already carries.

    A hash of the content rather than a counter: every edit path (the tree editor, the rules
    form, enrolments, a whole-document PUT) changes the document, and none has to remember to
    bump anything for a stale PUT to be caught.
    """
    content = {key: value for key, value in document.items() if key != VERSION_KEY}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def scheme_document(campaign: Campaign, *, versioned: bool = False) -> dict[str, Any]:
    """The campaign scheme document (``kaoping.campaign/1``; docs/scheme-document.md).

    ``versioned`` adds its ``version`` (what the API hands out and a PUT must send back). Files
    (exports, templates, clones) are written without it: the importer refuses unknown keys.
    """
    categories = _categories(campaign, None)
    nodes = node_rows(categories)
    rules = _rules_by_category(categories)
    enrolments = list(
        CampaignUnit.objects.filter(tenant_id=campaign.tenant_id, campaign=campaign)
        .select_related("unit", "category")
        .order_by("unit__code")
    )
    units_of: dict[int, list[str]] = defaultdict(list)
    survey_only: list[str] = []
    units: dict[str, dict[str, str]] = {}
    for enrolment in enrolments:
        unit = enrolment.unit
        units[unit.code] = {"code": unit.code, "name": unit.name, "kind": unit.kind}
        if enrolment.category_id is None:
            survey_only.append(unit.code)
        else:
            units_of[enrolment.category_id].append(unit.code)
    departments: dict[str, dict[str, str]] = {}
    category_entries = []
    for category in categories:
        rows = nodes.get(category.pk, [])
        entry = category_dict(category, rows, rules.get(category.pk))
        entry["order"] = category.order
        entry["units"] = units_of.get(category.pk, [])
        category_rules = rules.get(category.pk)
        entry["survey_options"] = list(category_rules.survey_options) if category_rules is not None else []
        details: dict[str, dict[str, Any]] = {}
        for node in rows:
            if node.unit_id is not None and node.unit.code not in units:
                units[node.unit.code] = {"code": node.unit.code, "name": node.unit.name, "kind": node.unit.kind}
            detail: dict[str, Any] = {}
            if node.description:
                detail["description"] = node.description
            if node.evidence_requirements:
                detail["evidence_requirements"] = node.evidence_requirements
            if node.provider_id is not None:
                detail["provider"] = node.provider.code
                departments[node.provider.code] = {
                    "code": node.provider.code,
                    "name": node.provider.name,
                    "kind": node.provider.kind,
                }
            if node.open_for_targets:
                detail["open_for_targets"] = True
            if detail:
                details[node.code] = detail
        entry["node_details"] = details
        category_entries.append(entry)
    phases = CampaignPhase.objects.filter(tenant_id=campaign.tenant_id, campaign=campaign).order_by("opens_on", "pk")
    document: dict[str, Any] = {
        "format": DOCUMENT_FORMAT,
        "campaign": {
            "year": campaign.year,
            "name": campaign.name,
            "document_number": campaign.document_number,
            "phases": [
                {
                    "phase": p.phase,
                    "opens_on": p.opens_on.isoformat() if p.opens_on else None,
                    "deadline": p.deadline.isoformat() if p.deadline else None,
                }
                for p in phases
            ],
        },
        "units": [units[code] for code in sorted(units)],
        "departments": [departments[code] for code in sorted(departments)],
        "categories": category_entries,
        "survey_only_units": survey_only,
    }
    if versioned:
        document[VERSION_KEY] = scheme_document_version(document)
    return document
