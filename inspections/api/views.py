"""Sync endpoints of the supervisor app: idempotent by the phone's keys."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from evaluation.access import access_campaign
from evaluation.api.base import TenantAPIView
from inspections.access import access_visit_by_key, visits_for
from inspections.api.serializers import PhotoOut, VisitIn, VisitOut
from inspections.services.visits import FindingInput, VisitError, VisitInput, visit_photo_add, visit_submit


def _visits(membership):
    return visits_for(membership).select_related("unit").prefetch_related("findings", "photos")


class VisitsView(TenantAPIView):
    """GET: the supervisor's recorded visits. POST: record a visit; a repeated key answers 200
    with the visit recorded the first time (201 when it is new)."""

    action_permissions = {"get": "inspection.visit", "post": "inspection.visit"}

    @extend_schema(responses={200: VisitOut(many=True)})
    def get(self, request, tenant_slug):
        visits = _visits(self.membership).order_by("-received_at")[:50]
        return Response(VisitOut(visits, many=True).data)

    @extend_schema(request=VisitIn, responses={200: VisitOut, 201: VisitOut})
    def post(self, request, tenant_slug):
        data = VisitIn(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        campaign = access_campaign(self.membership, given["campaign"])
        visit_input = VisitInput(
            key=given["key"],
            unit_id=given["unit"],
            unit_name_seen=given["unit_name_seen"],
            assignment_id=given["assignment"],
            mode=given["mode"],
            visited_at=given["visited_at"],
            place=given["place"],
            latitude=given["latitude"],
            longitude=given["longitude"],
            location_accuracy_m=given["accuracy"],
            note=given["note"],
            findings=[
                FindingInput(item_id=f["item"], count=f["count"], note=f["note"], item_version=f["item_version"],
                             points_seen=f["points_seen"])
                for f in given["findings"]
            ],
        )
        try:
            visit, created = visit_submit(supervisor=self.membership, campaign=campaign, data=visit_input)
        except VisitError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        visit = _visits(self.membership).get(pk=visit.pk)
        return Response(VisitOut(visit).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class PhotoIn(serializers.Serializer):
    key = serializers.UUIDField()
    photo = serializers.FileField()


class VisitPhotosView(TenantAPIView):
    """POST: add a photo to one's visit; a repeated key answers 200 with the stored photo."""

    action_permissions = {"post": "inspection.visit"}
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": PhotoIn}, responses={200: PhotoOut, 201: PhotoOut})
    def post(self, request, tenant_slug, key):
        visit = access_visit_by_key(self.membership, key)
        data = PhotoIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            photo, created = visit_photo_add(
                visit=visit, supervisor=self.membership, key=data.validated_data["key"], upload=data.validated_data["photo"]
            )
        except VisitError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(PhotoOut(photo).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
