"""Leader dashboard data (领导驾驶舱): ranks and zones, components, internal vs external,
distribution of totals and year over year. A fixed number of queries, whatever the units."""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from evaluation.models import Campaign, ResultRevision, UnitResult
from reporting.models import Publication
from reporting.selectors.publication import latest_published
from reporting.selectors.results import ZONES, UnitRow, category_blocks, revision_rows

HISTORY_UNITS = 12  # year-over-year lines per category: more than a dozen is unreadable
TABLE_HEAD = 10  # the dashboard's table of a large category: its first and last ten units
TABLE_TAIL = 10
TABLE_ALL_UP_TO = 30  # a category this small is shown whole
#: A revision's results never change once written, so what the dashboard derives from them is
#: cached under a key naming the revision (and everything else that changes the output). Only
#: unit and category names are read live: a rename shows once this timeout has passed.
CACHE_SECONDS = 600
CACHE_VERSION = 3  # bump when the cached shapes change


def shown_revision(campaign: Campaign) -> ResultRevision | None:
    """The revision a dashboard shows by default: the one in force, else the latest (provisional).
    Its scheme document (large JSON) is read only if used: the cached dashboard does not need it."""
    revisions = ResultRevision.objects.filter(campaign=campaign, tenant_id=campaign.tenant_id).defer(
        "scheme", "category_fingerprints"
    )
    publication = latest_published(campaign)
    if publication is not None:
        return revisions.get(pk=publication.revision_id)
    return revisions.order_by("-number").first()


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


def cache_key(kind: str, *parts) -> str:
    """A cache key naming everything the cached output depends on (hashed: keys stay short).
    It also names the current period of CACHE_SECONDS: what is read live (unit and category
    names) shows after at most that long, in the cache and for a client revalidating its ETag."""
    period = int(time.time() // CACHE_SECONDS)
    digest = hashlib.sha256(repr((CACHE_VERSION, kind, period, *parts)).encode()).hexdigest()
    return f"kp:reporting:{kind}:{digest}"


def revision_identity(revision: ResultRevision) -> tuple:
    """More than the id: a restored database or a test run may give a new revision an old id."""
    return (revision.tenant_id, revision.campaign_id, revision.pk, revision.number, revision.fingerprint,
            revision.created_at.isoformat() if revision.created_at else "")


@dataclass
class TableBlock:
    """A category's ranked table on the dashboard: all its rows when it is small, else its head
    and tail with the number of units between them (the full list is in the standings)."""

    code: str
    name: str
    components: list[tuple[str, str]]
    rows: list[UnitRow]
    tail: list[UnitRow]
    omitted: int
    size: int


def dashboard_tables(revision: ResultRevision, *, lang: str) -> list[TableBlock]:
    """The dashboard's tables of a revision, one per category."""
    tables = []
    for block in category_blocks(revision, revision_rows(revision, lang=lang)):
        size = len(block.rows)
        whole = size <= TABLE_ALL_UP_TO
        tables.append(
            TableBlock(
                code=block.code,
                name=block.name,
                components=block.components,
                rows=block.rows if whole else block.rows[:TABLE_HEAD],
                tail=[] if whole else block.rows[-TABLE_TAIL:],
                omitted=0 if whole else size - TABLE_HEAD - TABLE_TAIL,
                size=size,
            )
        )
    return tables


class DashboardData:
    """The dashboard's JSON for one revision: its ETag is known from a few small queries, the
    body is built (or taken from the cache) only when the client does not have it already."""

    def __init__(self, campaign: Campaign, revision: ResultRevision, *, tenant_slug: str, lang: str):
        self.campaign, self.revision, self.tenant_slug, self.lang = campaign, revision, tenant_slug, lang
        self.earlier = _earlier_revisions(campaign)
        self.published = Publication.objects.filter(
            revision=revision, status=Publication.Status.PUBLISHED
        ).exists()
        self.key = cache_key(
            "dashboard-data", revision_identity(revision), tenant_slug, campaign.pk, lang, self.published,
            sorted(self.earlier.items()),
        )
        self.etag = '"' + self.key.rsplit(":", 1)[1][:32] + '"'

    def body(self) -> bytes:
        body = cache.get(self.key)
        if body is None:
            data = dashboard_data(
                self.campaign, self.revision, tenant_slug=self.tenant_slug, lang=self.lang,
                earlier=self.earlier, published=self.published,
            )
            body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()
            cache.set(self.key, body, CACHE_SECONDS)
        return body


def dashboard_data(
    campaign: Campaign,
    revision: ResultRevision,
    *,
    tenant_slug: str,
    lang: str = "zh",
    earlier: dict[int, int] | None = None,
    published: bool | None = None,
) -> dict:
    rows = revision_rows(revision, lang=lang)
    blocks = category_blocks(revision, rows)
    unit_ids = [row.unit_id for row in rows]
    if earlier is None:
        earlier = _earlier_revisions(campaign)
    history: dict[int, list[dict]] = defaultdict(list)
    if earlier and unit_ids:
        for revision_id, unit_id, total, rank, grade in (
            UnitResult.objects.filter(revision_id__in=list(earlier), unit_id__in=unit_ids)
            .values_list("revision_id", "unit_id", "total", "rank", "grade")
        ):
            history[unit_id].append({"year": earlier[revision_id], "total": total, "rank": rank, "grade": grade})
    years = sorted(set(earlier.values()) | {campaign.year})
    if published is None:
        published = Publication.objects.filter(revision=revision, status=Publication.Status.PUBLISHED).exists()

    # one URL template instead of 2,000 URLs: the script puts the unit's id in place of {unit}
    sample = reverse(
        "reporting:scorecard",
        kwargs={"tenant_slug": tenant_slug, "campaign_id": campaign.pk, "revision_id": revision.pk, "unit_id": 0},
    )
    card_url = sample.removesuffix("/0/") + "/{unit}/"

    categories = []
    for block in blocks:
        units = []
        charted = 0  # the first units with earlier results carry their history (the chart's lines)
        for row in block.rows:
            unit = {
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
            }
            if charted < HISTORY_UNITS and row.unit_id in history:
                charted += 1
                past = sorted(history[row.unit_id], key=lambda h: h["year"])
                unit["history"] = past + [
                    {"year": campaign.year, "total": row.total, "rank": row.rank, "grade": row.grade}
                ]
            units.append(unit)
        categories.append(
            {
                "code": block.code,
                "name": block.name,
                "grades": [{"grade": g, "zone": block.zone_of(g)} for g in block.grades],
                "components": [{"key": key, "label": label} for key, label in block.components],
                "units": units,
                "distribution": _bins([row.total for row in block.rows if row.total is not None]),
                "history_units": [u["unit_id"] for u in units if "history" in u],
            }
        )
    return {
        "campaign": {"id": campaign.pk, "year": campaign.year, "name": campaign.name},
        "revision": {"id": revision.pk, "number": revision.number, "published": published},
        "zones": list(ZONES),
        "years": years,
        "card_url": card_url,
        "categories": categories,
    }
