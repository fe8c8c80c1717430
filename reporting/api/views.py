"""Results of a revision through the API: the same rows the bulletins print."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action

from evaluation.api.base import TenantViewSet, kept_rendered
from evaluation.models import ResultRevision
from reporting.access import revisions_for
from reporting.models import Publication
from reporting.selectors.dashboard import CACHE_SECONDS, cache_key, revision_identity
from reporting.selectors.results import revision_rows


class RevisionOutput(serializers.ModelSerializer):
    campaign_year = serializers.IntegerField(source="campaign.year")
    status = serializers.SerializerMethodField()
    document_number = serializers.SerializerMethodField()
    published_at = serializers.SerializerMethodField()

    class Meta:
        model = ResultRevision
        fields = ["id", "campaign", "campaign_year", "number", "reason", "created_at", "status", "document_number",
                  "published_at"]

    def _publication(self, revision) -> Publication | None:
        try:
            return revision.publication
        except Publication.DoesNotExist:
            return None

    def get_status(self, revision) -> str:
        publication = self._publication(revision)
        return publication.status if publication else "computed"

    def get_document_number(self, revision) -> str:
        publication = self._publication(revision)
        return publication.document_number if publication else ""

    def get_published_at(self, revision) -> str | None:
        publication = self._publication(revision)
        return publication.published_at.isoformat() if publication and publication.published_at else None


class ComponentOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    source = serializers.CharField()
    raw = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    value = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    explanation = serializers.CharField()


class UnitResultRowOutput(serializers.Serializer):
    category_code = serializers.CharField()
    category_name = serializers.CharField()
    unit_code = serializers.CharField()
    unit_name = serializers.CharField()
    complete = serializers.BooleanField()
    missing = serializers.ListField(child=serializers.CharField())
    components = ComponentOutput(many=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    grade = serializers.CharField()
    zone = serializers.CharField()
    eligible_top = serializers.BooleanField()
    vetoed = serializers.BooleanField()
    last_place = serializers.BooleanField()
    explanation = serializers.SerializerMethodField()

    def get_explanation(self, row) -> dict:
        return {"total": row.total_text, "rank": row.rank_text, "grade": row.grade_text}


class ResultRevisionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Result revisions with their publication status (``?campaign=<id>`` to filter);
    ``results`` lists every unit's result of one revision. A liaison sees its own unit only."""

    queryset = ResultRevision.objects.none()
    serializer_class = RevisionOutput
    default_permission = "results.view_own"

    def scoped_queryset(self, membership):
        queryset = revisions_for(membership).select_related("publication").order_by("campaign_id", "-number")
        campaign_id = self.request.query_params.get("campaign")
        if campaign_id and campaign_id.isdigit():
            queryset = queryset.filter(campaign_id=int(campaign_id))
        return queryset

    @extend_schema(parameters=[OpenApiParameter("campaign", int, required=False)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=UnitResultRowOutput(many=True))
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None, tenant_slug=None):
        revision = self.get_object()
        membership = self.membership
        unit_ids = None if membership.can("results.view_all") else [membership.unit_id]
        # its rows are kept rendered under a key naming the revision, the units asked for and the
        # current period (unit names are read live; see cache_key)
        key = cache_key("revision-results", revision_identity(revision), unit_ids)
        return kept_rendered(self, key, lambda: UnitResultRowOutput(revision_rows(revision, unit_ids=unit_ids),
                                                                     many=True).data, seconds=CACHE_SECONDS)
