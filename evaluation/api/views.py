import functools
import hashlib
import time

from django.db import connection
from django.db.models import F
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from evaluation.access import (
    access_campaign,
    access_category,
    access_unit,
    campaigns_for,
    id_or_404,
    units_for,
)
from evaluation.api.base import TenantViewSet, kept_rendered
from evaluation.models import Campaign, ComputeJob, ResultRevision, Unit, UnitResult
from evaluation.services.compute import ComputeError, compute_job_start
from evaluation.tenancy import instance_from_row


class CampaignOutput(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "year", "name", "document_number", "phase"]


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Campaigns of the tenant named in the URL."""

    queryset = Campaign.objects.none()
    serializer_class = CampaignOutput
    default_permission = "campaign.view"

    def scoped_queryset(self, membership):
        return campaigns_for(membership)


class UnitOutput(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name", "kind"]


class UnitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Units of the tenant; a liaison sees its own unit only."""

    queryset = Unit.objects.none()
    serializer_class = UnitOutput
    default_permission = "unit.view"

    def scoped_queryset(self, membership):
        return units_for(membership)


class ComputeJobOutput(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = ComputeJob
        fields = ["id", "campaign", "scope", "status", "progress", "total", "percent", "message",
                  "created_at", "started_at", "finished_at", "revision"]


class ComputeJobInput(serializers.Serializer):
    campaign = serializers.IntegerField()
    scope = serializers.ChoiceField(choices=ComputeJob.Scope.choices, default=ComputeJob.Scope.CAMPAIGN)
    category = serializers.IntegerField(required=False)
    unit = serializers.IntegerField(required=False)


class ComputeJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Computation jobs: POST starts one and returns at once (202); GET shows its progress."""

    queryset = ComputeJob.objects.none()
    serializer_class = ComputeJobOutput
    action_permissions = {"list": "results.view_all", "retrieve": "results.view_all", "create": "results.compute"}

    def scoped_queryset(self, membership):
        return ComputeJob.objects.filter(tenant_id=membership.tenant_id).order_by("-created_at")

    @extend_schema(request=ComputeJobInput, responses={202: ComputeJobOutput})
    def create(self, request, tenant_slug=None):
        data = ComputeJobInput(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = access_campaign(self.membership, data.validated_data["campaign"])
        scope = data.validated_data["scope"]
        category = (
            access_category(self.membership, campaign, data.validated_data["category"])
            if data.validated_data.get("category")
            else None
        )
        unit = access_unit(self.membership, data.validated_data["unit"]) if data.validated_data.get("unit") else None
        try:
            job = compute_job_start(campaign=campaign, actor=request.user, scope=scope, category=category, unit=unit)
        except ComputeError as exc:
            raise ValidationError({"scope": str(exc)}) from exc
        return Response(ComputeJobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class UnitResultSummaryOutput(serializers.ModelSerializer):
    """A unit's result without its node tree: what a list needs."""

    unit_code = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    category_code = serializers.CharField(source="category.code")
    revision_number = serializers.IntegerField()

    class Meta:
        model = UnitResult
        fields = ["id", "revision_number", "category_code", "unit_code", "unit_name", "complete", "missing",
                  "components", "total", "rank", "grade", "eligible_top", "vetoed", "last_place", "overflow",
                  "explanation"]


class UnitResultOutput(UnitResultSummaryOutput):
    """A unit's result with every node of its tree and the node's explanation."""

    class Meta(UnitResultSummaryOutput.Meta):
        fields = [*UnitResultSummaryOutput.Meta.fields, "nodes"]


INCLUDE_NODES = "nodes"
RESULTS_CACHE_SECONDS = 600
RESULTS_CACHE_VERSION = 2  # bump when the output changes shape


def _latest_revision_identity(membership, campaign_id) -> tuple | None:
    """The campaign's latest revision as (id, number, fingerprint, created at) — enough to name it
    in a cache key (an id alone may come back after a database restore) — with the campaign's
    access check in the same statement; a second query only when there is no revision, to tell a
    campaign without results (an empty list) from one not the tenant's (404). In SQL: it runs on
    every request, and the ORM's compilation of it costs ten times the database's answer."""
    campaign_id = id_or_404(campaign_id)
    sql, fields = _latest_revision_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign_id, membership.tenant_id, membership.tenant_id])
        row = cursor.fetchone()
    if row is None:
        access_campaign(membership, campaign_id)
        return None
    revision = instance_from_row(ResultRevision, fields, row)
    return (revision.pk, revision.number, revision.fingerprint,
            revision.created_at.isoformat() if revision.created_at else "")


@functools.cache
def _latest_revision_sql() -> tuple[str, list]:
    q = connection.ops.quote_name
    revision, campaign = ResultRevision._meta, Campaign._meta
    fields = [revision.get_field(name) for name in ("id", "number", "fingerprint", "created_at")]
    sql = (
        f"SELECT {', '.join('r.' + q(f.column) for f in fields)} FROM {q(revision.db_table)} r "  # noqa: S608 - names from the models
        f"JOIN {q(campaign.db_table)} c ON c.{q(campaign.pk.column)} = r.{q(revision.get_field('campaign').column)} "
        f"WHERE r.{q(revision.get_field('campaign').column)} = %s AND r.{q(revision.get_field('tenant').column)} = %s "
        f"AND c.{q(campaign.get_field('tenant').column)} = %s "
        f"ORDER BY r.{q(revision.get_field('number').column)} DESC LIMIT 1"
    )
    return sql, fields


class UnitResultViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Each unit's result in the latest revision of a campaign (``?campaign=<id>``): the list gives
    the summary (components, total, rank, grade, flags and their explanations); a unit's result
    (``/unit-results/<id>/``), or the list with ``?include=nodes``, adds every node of the tree
    with its explanation. A liaison sees its own unit only."""

    queryset = UnitResult.objects.none()
    serializer_class = UnitResultOutput
    default_permission = "results.view_own"

    @extend_schema(
        parameters=[
            OpenApiParameter("campaign", int, required=False),
            OpenApiParameter("include", str, required=False, enum=[INCLUDE_NODES],
                             description="`nodes` adds each result's node tree (large: about 60 KB a unit)"),
        ],
        responses=UnitResultSummaryOutput(many=True),
    )
    def list(self, request, *args, **kwargs):
        campaign_id = request.query_params.get("campaign")
        if not campaign_id:
            raise ValidationError({"campaign": "name the campaign: ?campaign=<id>"})
        self.latest = _latest_revision_identity(self.membership, campaign_id)
        # A revision never changes once written: a page of it is cached under a key naming the
        # revision, who is asking (a liaison sees its own unit) and the whole URL (pagination
        # links are absolute) and the current period of RESULTS_CACHE_SECONDS: unit names are
        # read live, so a rename shows within that time, also to a client revalidating its ETag.
        membership = self.membership
        key = "kp:unit-results:" + hashlib.sha256(repr((
            RESULTS_CACHE_VERSION, int(time.time() // RESULTS_CACHE_SECONDS), membership.tenant_id, membership.role,
            membership.unit_id if membership.is_liaison else None, self.latest,
            request.build_absolute_uri(),
        )).encode()).hexdigest()
        # with nodes a page is megabytes: not kept
        return kept_rendered(self, key, lambda: super(UnitResultViewSet, self).list(request, *args, **kwargs).data,
                             seconds=RESULTS_CACHE_SECONDS, keep=not self._with_nodes())

    def _with_nodes(self) -> bool:
        return self.action != "list" or self.request.query_params.get("include") == INCLUDE_NODES

    def get_serializer_class(self):
        return UnitResultOutput if self._with_nodes() else UnitResultSummaryOutput

    def scoped_queryset(self, membership):
        # The revision is not joined: its scheme document (about 120 KB of JSON) would be decoded
        # again for every row; its number is all a row shows.
        queryset = UnitResult.objects.select_related("unit", "category").annotate(
            revision_number=F("revision__number")
        )
        if not self._with_nodes():
            queryset = queryset.defer("nodes")
        if self.action == "list":
            latest = getattr(self, "latest", None)
            queryset = queryset.filter(revision_id=latest[0]) if latest else queryset.none()
        if membership.is_liaison:
            queryset = queryset.filter(unit_id=membership.unit_id)
        return queryset.order_by("category__code", "rank", "unit__code")
