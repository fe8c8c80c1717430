from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inspections.models import Visit, VisitPhoto

SIX_PLACES = Decimal("0.000001")


class FindingIn(serializers.Serializer):
    item = serializers.IntegerField()
    count = serializers.IntegerField(min_value=1, max_value=999, default=1)
    note = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)
    item_version = serializers.IntegerField(required=False, allow_null=True, default=None)
    points_seen = serializers.DecimalField(max_digits=8, decimal_places=2, required=False, allow_null=True, default=None)


class VisitIn(serializers.Serializer):
    key = serializers.UUIDField()
    campaign = serializers.IntegerField()
    unit = serializers.IntegerField()
    unit_name_seen = serializers.CharField(allow_blank=True, required=False, default="", max_length=200)
    assignment = serializers.IntegerField(required=False, allow_null=True, default=None)
    mode = serializers.ChoiceField(choices=Visit.Mode.choices)
    visited_at = serializers.DateTimeField()
    place = serializers.CharField(allow_blank=True, required=False, default="", max_length=300)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True, default=None,
                                        min_value=-90, max_value=90)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True, default=None,
                                         min_value=-180, max_value=180)
    accuracy = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
    note = serializers.CharField(allow_blank=True, required=False, default="", max_length=4000)
    findings = FindingIn(many=True)

    def to_internal_value(self, data):
        # Phones report coordinates with more digits than a visit needs; keep six decimals.
        if isinstance(data, Mapping):  # not a list: the base class answers "expected a dictionary"
            data = data.copy()
            for name in ("latitude", "longitude"):
                if data.get(name) not in (None, ""):
                    try:
                        data[name] = str(Decimal(str(data[name])).quantize(SIX_PLACES))
                    except InvalidOperation:
                        pass  # the field reports the bad value
        return super().to_internal_value(data)


class PhotoOut(serializers.ModelSerializer):
    class Meta:
        model = VisitPhoto
        fields = ["id", "key", "content_type", "size", "sha256", "uploaded_at"]


class FindingOut(serializers.Serializer):
    """What :meth:`VisitOut.get_findings` returns, so the schema says it (not a string)."""

    id = serializers.IntegerField()
    item = serializers.IntegerField()
    count = serializers.IntegerField()
    note = serializers.CharField()
    points_each = serializers.CharField()
    status = serializers.CharField()


class VisitOut(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name")
    findings = serializers.SerializerMethodField()
    photos = PhotoOut(many=True)

    class Meta:
        model = Visit
        fields = ["id", "key", "campaign", "unit", "unit_name", "mode", "visited_at", "place", "latitude",
                  "longitude", "status", "conflicts", "received_at", "findings", "photos"]

    @extend_schema_field(FindingOut(many=True))
    def get_findings(self, visit):
        return [
            {"id": f.id, "item": f.item_id, "count": f.count, "note": f.note, "points_each": str(f.points_each),
             "status": f.status}
            for f in visit.findings.all()
        ]
