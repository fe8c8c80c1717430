"""Reads of computed results for pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from evaluation.models import Campaign, ComputeJob, ResultRevision, UnitResult


def latest_revision(campaign: Campaign) -> ResultRevision | None:
    return ResultRevision.objects.filter(campaign=campaign, tenant_id=campaign.tenant_id).order_by("-number").first()


def active_job(campaign: Campaign) -> ComputeJob | None:
    return (
        ComputeJob.objects.filter(campaign=campaign, tenant_id=campaign.tenant_id)
        .order_by("-created_at")
        .first()
    )


def revision_results(revision: ResultRevision, *, unit_ids=None):
    queryset = UnitResult.objects.filter(revision=revision, tenant_id=revision.tenant_id).select_related(
        "unit", "category"
    )
    if unit_ids is not None:
        queryset = queryset.filter(unit_id__in=unit_ids)
    return queryset.order_by("category__order", "category__code", "rank", "unit__code")


@dataclass
class NodeRow:
    code: str
    name: str
    depth: int
    is_leaf: bool
    points: Decimal | None
    score: Decimal | None
    explanation: str
    lines: list


def node_rows(result: UnitResult, lang: str) -> list[NodeRow]:
    """The unit's tree in display order (parents before children), with explanations."""
    nodes = result.nodes
    children: dict[str | None, list[str]] = {}
    for code, node in nodes.items():
        children.setdefault(node.get("parent"), []).append(code)
    rows: list[NodeRow] = []

    def walk(parent, depth):
        for code in children.get(parent, []):
            node = nodes[code]
            explanation = node.get("explanation") or {}
            rows.append(
                NodeRow(
                    code=code,
                    name=node["name"],
                    depth=depth,
                    is_leaf=node["is_leaf"],
                    points=Decimal(node["points"]) if node.get("points") is not None else None,
                    score=Decimal(node["score"]) if node.get("score") is not None else None,
                    explanation=explanation.get(lang) or explanation.get("zh") or "",
                    lines=node.get("lines") or [],
                )
            )
            walk(code, depth + 1)

    walk(None, 0)
    return rows


def text(explanation: dict | None, lang: str) -> str:
    if not explanation:
        return ""
    return explanation.get(lang) or explanation.get("zh") or ""
