"""The audit trail (审计日志), read-only: ``/api/t/<slug>/audit-events/``."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.exceptions import ValidationError

from evaluation.api.base import TenantViewSet
from evaluation.models import AuditEvent
from evaluation.selectors import audit as audit_selectors
from evaluation.selectors.audit import ACTION_LABELS, FAMILIES, AuditFilters

_MAX_ID = 2**63 - 1


class AuditEventOutput(serializers.ModelSerializer):
    family = serializers.CharField(read_only=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "action", "family", "campaign", "unit", "actor", "actor_name", "actor_role",
                  "object_type", "object_id", "object_label", "before", "after", "reason"]
        read_only_fields = fields


class AuditQuery(serializers.Serializer):
    campaign = serializers.IntegerField(required=False, min_value=1, max_value=_MAX_ID)
    unit = serializers.IntegerField(required=False, min_value=1, max_value=_MAX_ID)
    action = serializers.CharField(required=False, max_length=60,
                                   help_text="an action code (ledger.void) or a family (ledger)")
    actor = serializers.IntegerField(required=False, min_value=1, max_value=_MAX_ID)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def validate_action(self, value: str) -> str:
        if value not in ACTION_LABELS and value not in FAMILIES:
            raise ValidationError("unknown action or family")
        return value


_PARAMETERS = [
    OpenApiParameter("campaign", int, required=False),
    OpenApiParameter("unit", int, required=False),
    OpenApiParameter("action", str, required=False, description="an action code (ledger.void) or a family (ledger)",
                     enum=sorted([*ACTION_LABELS, *FAMILIES])),
    OpenApiParameter("actor", int, required=False),
    OpenApiParameter("date_from", OpenApiTypes.DATE, required=False),
    OpenApiParameter("date_to", OpenApiTypes.DATE, required=False),
]


class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The tenant's audit trail, newest first; filter with ``?campaign=``, ``?unit=``, ``?action=``
    (a code or a family), ``?actor=``, ``?date_from=`` and ``?date_to=`` (YYYY-MM-DD)."""

    queryset = AuditEvent.objects.none()
    serializer_class = AuditEventOutput
    default_permission = "audit.view"

    @extend_schema(parameters=_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def scoped_queryset(self, membership):
        queryset = audit_selectors.audit_events_for(membership)
        if self.action != "list":
            return queryset
        query = AuditQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        action = data.get("action", "")
        filters = AuditFilters(
            campaign_id=data.get("campaign"), unit_id=data.get("unit"), actor_id=data.get("actor"),
            action=action if action in ACTION_LABELS else "", family=action if action in FAMILIES else "",
            date_from=data.get("date_from"), date_to=data.get("date_to"),
        )
        return audit_selectors.audit_events_filtered(queryset, filters)
