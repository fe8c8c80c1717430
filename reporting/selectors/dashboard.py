"""Leader dashboard data (领导驾驶舱): ranks and zones, components, internal vs external,
distribution of totals and year over year. A fixed number of queries, whatever the units."""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.http import Http404
from django.urls import reverse

from evaluation import caching
from evaluation.access import access_campaign, id_or_404
from evaluation.models import Campaign, Membership, ResultRevision, UnitResult
from evaluation.tenancy import instance_from_row
from reporting.models import Publication
from reporting.selectors.publication import is_published, latest_published
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


@dataclass(frozen=True)
class Shown:
    """A campaign, the revision its dashboard shows (None before any computation), whether that
    revision is published and, when asked for, the earlier campaigns' revisions (revision id →
    year, see :func:`_earlier_revisions`): what names the dashboard's cached output."""

    campaign: Campaign
    revision: ResultRevision | None
    published: bool
    earlier: dict[int, int] | None = None


# Large JSON the cached dashboard does not read: left deferred (read on access, if ever).
_REVISION_DEFERRED = ("scheme", "category_fingerprints")


@functools.cache
def _shown_sql(*, by_id: bool, with_earlier: bool) -> tuple[str, list, list]:
    """The statement of :func:`dashboard_shown` and the fields it returns, in order (PostgreSQL)."""
    q = connection.ops.quote_name
    campaign_fields = list(Campaign._meta.concrete_fields)
    revision_fields = [f for f in ResultRevision._meta.concrete_fields if f.name not in _REVISION_DEFERRED]
    campaigns, revisions = q(Campaign._meta.db_table), q(ResultRevision._meta.db_table)
    publications = q(Publication._meta.db_table)
    # Table and column names only come from the models; every value is a parameter.
    in_force = f"""(SELECT p.revision_id FROM {publications} p
        WHERE p.campaign_id = {{c}}.id AND p.status = %(published)s ORDER BY p.published_at DESC LIMIT 1)"""  # noqa: S608
    earlier = f""", ARRAY(
        SELECT ARRAY[e.year, COALESCE({in_force.format(c="e")},
                                      (SELECT r2.id FROM {revisions} r2 WHERE r2.campaign_id = e.id
                                       ORDER BY r2.number DESC LIMIT 1))]
        FROM {campaigns} e WHERE e.tenant_id = c.tenant_id AND e.year < c.year)"""  # noqa: S608
    revision_columns = ", ".join("r." + q(f.column) for f in revision_fields)
    sql = f"""
        SELECT {", ".join("c." + q(f.column) for f in campaign_fields)}, {revision_columns}, r.published
               {earlier if with_earlier else ""}
        FROM {campaigns} c
        LEFT JOIN LATERAL (
            SELECT {revision_columns}, EXISTS (SELECT 1 FROM {publications} p
                                              WHERE p.revision_id = r.id AND p.status = %(published)s) AS published
            FROM {revisions} r
            WHERE r.campaign_id = c.id AND r.tenant_id = c.tenant_id {"AND r.id = %(revision)s" if by_id else ""}
            ORDER BY r.id = {in_force.format(c="c")} DESC NULLS LAST, r.number DESC
            LIMIT 1
        ) r ON true
        WHERE c.id = %(campaign)s AND c.tenant_id = %(tenant)s"""  # noqa: S608
    return sql, campaign_fields, revision_fields


def dashboard_shown(membership: Membership, campaign_id, revision_id=None, *, with_earlier: bool = False) -> Shown:
    """The campaign of the member's tenant and the revision to show: the asked revision, else the
    one in force (the latest published), else the latest. Read on every request, never cached, so
    a new revision, a publication or a withdrawal shows at once; the same 404 as
    :func:`evaluation.access.access_campaign` for a campaign or revision not the tenant's.

    On PostgreSQL one statement in SQL: this runs on every dashboard request, and the ORM's
    compilation of the same query costs several times the database's work."""
    campaign_id = id_or_404(campaign_id)
    revision_id = None if revision_id is None else id_or_404(revision_id)
    if connection.vendor != "postgresql":
        return _dashboard_shown_orm(membership, campaign_id, revision_id, with_earlier=with_earlier)
    params = {"campaign": campaign_id, "tenant": membership.tenant_id, "revision": revision_id,
              "published": Publication.Status.PUBLISHED.value}
    sql, campaign_fields, revision_fields = _shown_sql(by_id=revision_id is not None, with_earlier=with_earlier)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise Http404("No such campaign")
    split = len(campaign_fields)
    campaign = instance_from_row(Campaign, campaign_fields, row[:split])
    earlier = None
    if with_earlier:
        earlier = {revision: year for year, revision in row[-1] if revision is not None}
    revision_row = row[split:split + len(revision_fields)]
    if revision_row[revision_fields.index(ResultRevision._meta.pk)] is None:  # no revision (or not this one)
        if revision_id is not None:
            raise Http404("No such revision")
        return Shown(campaign, None, False, earlier)
    revision = instance_from_row(ResultRevision, revision_fields, revision_row)
    revision.campaign = campaign
    return Shown(campaign, revision, bool(row[split + len(revision_fields)]), earlier)


def _dashboard_shown_orm(membership: Membership, campaign_id: int, revision_id: int | None, *,
                         with_earlier: bool) -> Shown:
    """:func:`dashboard_shown` through the ORM, for the databases without LATERAL and arrays."""
    campaign = access_campaign(membership, campaign_id)
    revisions = ResultRevision.objects.filter(tenant_id=membership.tenant_id, campaign=campaign).defer(
        *_REVISION_DEFERRED
    )
    if revision_id is not None:
        revision = revisions.filter(pk=revision_id).first()
        if revision is None:
            raise Http404("No such revision")
    else:
        publication = latest_published(campaign)
        revision = (
            revisions.filter(pk=publication.revision_id).first() if publication is not None
            else revisions.order_by("-number").first()
        )
    earlier = _earlier_revisions(campaign) if with_earlier else None
    if revision is None:
        return Shown(campaign, None, False, earlier)
    revision.campaign = campaign
    return Shown(campaign, revision, is_published(revision), earlier)


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


def cache_get(key: str):
    return caching.cache_get(key, seconds=CACHE_SECONDS)


def cache_set(key: str, value) -> None:
    caching.cache_set(key, value, seconds=CACHE_SECONDS)


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

    def __init__(self, shown: Shown, *, tenant_slug: str, lang: str):
        """``shown`` as :func:`dashboard_shown` reads it ``with_earlier``."""
        self.campaign, self.revision, self.tenant_slug, self.lang = shown.campaign, shown.revision, tenant_slug, lang
        self.earlier, self.published = shown.earlier, shown.published
        self.key = cache_key(
            "dashboard-data", revision_identity(self.revision), tenant_slug, self.campaign.pk, lang, self.published,
            sorted(self.earlier.items()),
        )
        self.etag = '"' + self.key.rsplit(":", 1)[1][:32] + '"'

    def body(self) -> bytes:
        body = cache_get(self.key)
        if body is None:
            data = dashboard_data(
                self.campaign, self.revision, tenant_slug=self.tenant_slug, lang=self.lang,
                earlier=self.earlier, published=self.published,
            )
            body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()
            cache_set(self.key, body)
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
