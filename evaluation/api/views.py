from rest_framework import mixins, serializers

from evaluation.access import campaigns_for, units_for
from evaluation.api.base import TenantViewSet
from evaluation.models import Campaign, Unit


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
