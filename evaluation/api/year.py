"""API for the year's work: ledger entries (list, file) and one's notifications."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from evaluation.access import access_campaign, access_leaf, access_unit, ledger_entries_for
from evaluation.api.base import TenantViewSet
from evaluation.models import LedgerEntry, Notification
from evaluation.services.ledger import LedgerError, ledger_entry_file_as


class LedgerEntryOutput(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    node_code = serializers.CharField(source="node.code", read_only=True)

    class Meta:
        model = LedgerEntry
        fields = ["id", "campaign", "unit", "unit_code", "node", "node_code", "kind", "rule_key", "quantity", "points",
                  "occurred_on", "source_document", "event_key", "exempt", "joint_role", "note", "status",
                  "void_reason", "department", "filed_at"]


class LedgerEntryInput(serializers.Serializer):
    campaign = serializers.IntegerField()
    unit = serializers.IntegerField()
    node = serializers.IntegerField()
    rule_key = serializers.CharField(max_length=60)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2, default=Decimal(1))
    occurred_on = serializers.DateField()
    source_document = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    event_key = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    exempt = serializers.ChoiceField(choices=LedgerEntry.Exempt.choices, required=False, default="", allow_blank=True)
    joint_role = serializers.ChoiceField(choices=LedgerEntry.JointRole.choices, required=False, default="",
                                         allow_blank=True)
    note = serializers.CharField(required=False, default="", allow_blank=True)


class LedgerEntryViewSet(mixins.ListModelMixin, TenantViewSet):
    """Ledger entries (台帐) of a campaign: a liaison sees its own unit's, a data provider its own
    filings. POST files one (a data provider only for the indicators it provides)."""

    queryset = LedgerEntry.objects.none()
    serializer_class = LedgerEntryOutput
    action_permissions = {"list": "ledger.view", "create": "ledger.file"}

    def scoped_queryset(self, membership):
        campaign_id = self.request.query_params.get("campaign")
        campaign = access_campaign(membership, campaign_id) if campaign_id else None
        return ledger_entries_for(membership, campaign).select_related("unit", "node").order_by("-occurred_on", "-id")

    @extend_schema(parameters=[OpenApiParameter("campaign", int, required=False)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=LedgerEntryInput, responses={201: LedgerEntryOutput})
    def create(self, request, tenant_slug=None):
        data = LedgerEntryInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        campaign = access_campaign(self.membership, values["campaign"])
        try:
            entry = ledger_entry_file_as(
                membership=self.membership, campaign=campaign, unit=access_unit(self.membership, values["unit"]),
                node=access_leaf(self.membership, campaign, values["node"]), rule_key=values["rule_key"],
                occurred_on=values["occurred_on"], quantity=values["quantity"],
                source_document=values["source_document"], event_key=values["event_key"],
                exempt=values["exempt"], joint_role=values["joint_role"], note=values["note"],
            )
        except LedgerError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(LedgerEntryOutput(entry).data, status=status.HTTP_201_CREATED)


class NotificationOutput(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "message", "url", "created_at", "read_at"]


class NotificationViewSet(mixins.ListModelMixin, TenantViewSet):
    """One's own notifications (消息提醒), newest first."""

    queryset = Notification.objects.none()
    serializer_class = NotificationOutput
    default_permission = "notifications.view"

    def scoped_queryset(self, membership):
        return Notification.objects.filter(tenant_id=membership.tenant_id, user_id=membership.user_id)
