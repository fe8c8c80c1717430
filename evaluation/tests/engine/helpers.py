"""Small builders for engine tests: one-category schemes as documents, and unit inputs."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from evaluation.engine import (
    CategoryResult,
    LedgerEntry,
    UnitInputs,
    compute_units,
    scheme_from_dict,
)

BANDS = {"kind": "bands", "bands": [{"grade": "优", "min": "90"}, {"grade": "良", "min": "76"},
                                    {"grade": "一般", "min": "60"}, {"grade": "差", "min": None}]}
INDICATORS_ONLY = [{"key": "indicators", "label": "指标考核", "source": "indicators", "mode": "points"}]


def leaf(code: str, points: str, method: str, name: str | None = None, **params: Any) -> dict[str, Any]:
    return {"code": code, "name": name or f"指标{code}", "points": points, "rule": {"method": method, "params": params}}


def category(tree: list[dict[str, Any]], *, components: list[dict[str, Any]] | None = None,
             grading: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"code": "C", "name": "测试类别", "tree": tree, "components": components or INDICATORS_ONLY,
            "grading": grading or BANDS, **extra}


def scheme(*categories: dict[str, Any]) -> dict[str, Any]:
    return {"format": "kaoping.scheme/1", "categories": list(categories)}


def one_category(tree: list[dict[str, Any]], **kwargs: Any):
    """The CategoryScheme of a one-category document."""
    return scheme_from_dict(scheme(category(tree, **kwargs))).categories[0]


def unit(code: str = "U1", **kwargs: Any) -> UnitInputs:
    return UnitInputs(unit_code=code, unit_name=kwargs.pop("name", f"单位{code}"), category_code="C", **kwargs)


def entry(entry_id: int | str, leaf_code: str, rule_key: str, quantity: str = "1", *, unit_code: str = "U1",
          kind: str = "deduction", **extra: Any) -> LedgerEntry:
    return LedgerEntry(id=entry_id, unit_code=unit_code, leaf_code=leaf_code, kind=kind, rule_key=rule_key,
                       quantity=D(quantity), **extra)


def run(tree: list[dict[str, Any]], units: list[UnitInputs], **kwargs: Any) -> CategoryResult:
    return compute_units(one_category(tree, **kwargs), units)


def leaf_score(leaf_doc: dict[str, Any], **unit_kwargs: Any):
    """Score one leaf standing alone in a tree; returns its NodeResult."""
    result = run([leaf_doc], [unit(**unit_kwargs)])
    return result.units[0].nodes[leaf_doc["code"]]
