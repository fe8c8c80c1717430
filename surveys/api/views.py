"""Tenant API for paper entry (纸质问卷录入接口): staff key sheets into a batch."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from evaluation.api.base import TenantAPIView
from surveys.access import access_batch_any, access_survey
from surveys.services import paper


class BatchInput(serializers.Serializer):
    questionnaire = serializers.IntegerField()
    stratum = serializers.IntegerField(required=False, allow_null=True)
    label = serializers.CharField(max_length=60)
    double_entry = serializers.BooleanField(required=False, allow_null=True, default=None)


class BatchCreateView(TenantAPIView):
    """POST a new paper batch of a survey."""

    action_permissions = {"post": "survey.enter"}

    @extend_schema(
        request=BatchInput,
        responses={
            201: inline_serializer("BatchOut", {"id": serializers.IntegerField(),
                                                "double_entry": serializers.BooleanField()}),
            400: OpenApiTypes.OBJECT,
        },
    )
    def post(self, request, tenant_slug, survey_id):
        survey = access_survey(request.membership, survey_id)
        data = BatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        questionnaire = survey.questionnaires.filter(pk=values["questionnaire"]).first()
        stratum = survey.strata.filter(pk=values["stratum"]).first() if values.get("stratum") else None
        if questionnaire is None or (values.get("stratum") and stratum is None):
            return Response({"detail": "问卷或抽样层不存在"}, status=status.HTTP_400_BAD_REQUEST)
        try:
            batch = paper.paper_batch_create(
                actor=request.user, survey=survey, questionnaire=questionnaire, stratum=stratum,
                label=values["label"], double_entry=values.get("double_entry"),
            )
        except ValidationError as exc:
            return Response({"detail": "; ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"id": batch.pk, "double_entry": batch.double_entry}, status=status.HTTP_201_CREATED)


_SHEET_NO_REQUIRED = _("请填写问卷编号(sheet_no):重发同一张问卷时编号不变,才不会重复录入")


class SheetInput(serializers.Serializer):
    # Required over the API: with "the next free number" a request retried after a lost answer
    # would be keyed again as a second sheet. The number printed on the paper sheet makes the
    # retry hit the same sheet, which the service refuses to key twice.
    sheet_no = serializers.IntegerField(
        min_value=1, help_text="The number on the paper sheet (问卷编号).",
        error_messages={"required": _SHEET_NO_REQUIRED, "null": _SHEET_NO_REQUIRED},
    )
    answers = serializers.DictField(child=serializers.IntegerField(allow_null=True))


class SheetCreateView(TenantAPIView):
    """POST one keyed paper sheet: ``{"sheet_no": 12, "answers": {"<question id>": <option id>}}``.

    ``sheet_no`` is required (a retry must name the same sheet). Answers ``201`` with the
    outcome: ``saved``, ``first``, ``matched`` or ``mismatch``; a sheet already keyed is ``400``.
    """

    action_permissions = {"post": "survey.enter"}

    @extend_schema(
        request=SheetInput,
        responses={
            201: inline_serializer("SheetOut", {"status": serializers.CharField(),
                                                "sheet_no": serializers.IntegerField()}),
            400: OpenApiTypes.OBJECT,
        },
    )
    def post(self, request, tenant_slug, batch_id):
        batch = access_batch_any(request.membership, batch_id)
        data = SheetInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            outcome = paper.paper_sheet_enter(
                actor=request.user, batch=batch, answers=data.validated_data["answers"],
                sheet_no=data.validated_data["sheet_no"],
            )
        except ValidationError as exc:
            return Response({"detail": "; ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"status": outcome.status, "sheet_no": outcome.sheet_no}, status=status.HTTP_201_CREATED)
