from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from evaluation.access import access_campaign, access_category, access_unit, campaigns_for, units_for
from evaluation.api.base import TenantViewSet
from evaluation.models import Campaign, ComputeJob, Unit, UnitResult
from evaluation.selectors.results import latest_revision
from evaluation.services.compute import ComputeError, compute_job_start


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


class UnitResultOutput(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    category_code = serializers.CharField(source="category.code")
    revision_number = serializers.IntegerField(source="revision.number")

    class Meta:
        model = UnitResult
        fields = ["id", "revision_number", "category_code", "unit_code", "unit_name", "complete", "missing",
                  "components", "total", "rank", "grade", "eligible_top", "vetoed", "last_place", "overflow",
                  "explanation", "nodes"]


class UnitResultViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Each unit's result in the latest revision of a campaign (``?campaign=<id>``), with the
    explanation of every node, component and the total. A liaison sees its own unit only."""

    queryset = UnitResult.objects.none()
    serializer_class = UnitResultOutput
    default_permission = "results.view_own"

    @extend_schema(parameters=[OpenApiParameter("campaign", int, required=False)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def scoped_queryset(self, membership):
        queryset = UnitResult.objects.select_related("unit", "category", "revision")
        campaign_id = self.request.query_params.get("campaign")
        if self.action == "list":
            if not campaign_id:
                raise ValidationError({"campaign": "name the campaign: ?campaign=<id>"})
            revision = latest_revision(access_campaign(membership, campaign_id))
            queryset = queryset.filter(revision=revision) if revision else queryset.none()
        if membership.is_liaison:
            queryset = queryset.filter(unit_id=membership.unit_id)
        return queryset.order_by("category__code", "rank", "unit__code")
