"""Leader dashboard data (领导驾驶舱): ranks and zones, components, internal vs external,
distribution of totals and year over year. A fixed number of queries, whatever the units."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.urls import reverse

from evaluation.models import Campaign, ResultRevision, UnitResult
from reporting.models import Publication
from reporting.selectors.publication import latest_published
from reporting.selectors.results import ZONES, category_blocks, revision_rows

HISTORY_UNITS = 12  # year-over-year lines per category: more than a dozen is unreadable


def shown_revision(campaign: Campaign) -> ResultRevision | None:
    """The revision a dashboard shows by default: the one in force, else the latest (provisional)."""
    publication = latest_published(campaign)
    if publication is not None:
        return publication.revision
    return ResultRevision.objects.filter(campaign=campaign, tenant_id=campaign.tenant_id).order_by("-number").first()


def _earlier_revisions(campaign: Campaign) -> dict[int, int]:
    """revision id → year, one per earlier campaign of the tenant: its publication in force,
    else its latest revision."""
    earlier = dict(
        Campaign.objects.filter(tenant_id=campaign.tenant_id, year__lt=campaign.year).values_list("pk", "year")
    )
    if not earlier:
        return {}
    chosen: dict[int, int] = {}
    for campaign_id, revision_id in (
        Publication.objects.filter(campaign_id__in=earlier, status=Publication.Status.PUBLISHED)
        .order_by("campaign_id", "-published_at")
        .values_list("campaign_id", "revision_id")
    ):
        chosen.setdefault(campaign_id, revision_id)
    for campaign_id, revision_id in (
        ResultRevision.objects.filter(campaign_id__in=earlier)
        .exclude(campaign_id__in=list(chosen))
        .order_by("campaign_id", "-number")
        .values_list("campaign_id", "pk")
    ):
        chosen.setdefault(campaign_id, revision_id)
    return {revision_id: earlier[campaign_id] for campaign_id, revision_id in chosen.items()}


def _bins(totals: list[Decimal]) -> dict:
    if not totals:
        return {"labels": [], "counts": []}
    low = int(min(totals) // 10) * 10
    high = int(max(totals) // 10) * 10
    labels, counts = [], []
    for start in range(low, high + 10, 10):
        labels.append(f"{start}–{start + 10}")
        counts.append(sum(1 for t in totals if start <= t < start + 10))
    return {"labels": labels, "counts": counts}


def dashboard_data(campaign: Campaign, revision: ResultRevision, *, tenant_slug: str, lang: str = "zh") -> dict:
    rows = revision_rows(revision, lang=lang)
    blocks = category_blocks(revision, rows)
    unit_ids = [row.unit_id for row in rows]
    earlier = _earlier_revisions(campaign)
    history: dict[int, list[dict]] = defaultdict(list)
    if earlier and unit_ids:
        for revision_id, unit_id, total, rank, grade in (
            UnitResult.objects.filter(revision_id__in=list(earlier), unit_id__in=unit_ids)
            .values_list("revision_id", "unit_id", "total", "rank", "grade")
        ):
            history[unit_id].append({"year": earlier[revision_id], "total": total, "rank": rank, "grade": grade})
    years = sorted(set(earlier.values()) | {campaign.year})
    published = Publication.objects.filter(revision=revision, status=Publication.Status.PUBLISHED).exists()

    def card_url(unit_id: int) -> str:
        kwargs = {"campaign_id": campaign.pk, "revision_id": revision.pk, "unit_id": unit_id}
        return reverse("reporting:scorecard", kwargs={"tenant_slug": tenant_slug, **kwargs})

    categories = []
    for block in blocks:
        units = []
        for row in block.rows:
            past = sorted(history.get(row.unit_id, []), key=lambda h: h["year"])
            units.append(
                {
                    "unit_id": row.unit_id,
                    "code": row.unit_code,
                    "name": row.unit_name,
                    "rank": row.rank,
                    "total": row.total,
                    "grade": row.grade,
                    "zone": row.zone,
                    "vetoed": row.vetoed,
                    "last_place": row.last_place,
                    "complete": row.complete,
                    "internal": row.internal,
                    "external": row.external,
                    "components": {c.key: c.value for c in row.components},
                    "history": past + [{"year": campaign.year, "total": row.total, "rank": row.rank, "grade": row.grade}],
                    "url": card_url(row.unit_id),
                }
            )
        with_history = [u for u in units if len(u["history"]) > 1][:HISTORY_UNITS]
        categories.append(
            {
                "code": block.code,
                "name": block.name,
                "grades": [{"grade": g, "zone": block.zone_of(g)} for g in block.grades],
                "components": [{"key": key, "label": label} for key, label in block.components],
                "units": units,
                "distribution": _bins([row.total for row in block.rows if row.total is not None]),
                "history_units": [u["unit_id"] for u in with_history],
            }
        )
    return {
        "campaign": {"id": campaign.pk, "year": campaign.year, "name": campaign.name},
        "revision": {"id": revision.pk, "number": revision.number, "published": published},
        "zones": list(ZONES),
        "years": years,
        "categories": categories,
    }
