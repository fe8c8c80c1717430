"""The public e-poll API (网上评议接口): no login, JSON.

CSRF: DRF exempts views without session authentication from CSRF, and these views have no
authentication at all, so a forged cross-site request carries nothing of the visitor's to abuse.
What it could do — submit a response from the visitor's device — is stopped by the nonce: it is
handed out by the GET below (readable only by a same-origin page: the response is JSON without
CORS headers) and bound to the device cookie, and the submission must carry it. Ballot stuffing
by scripts is bounded by one response per device or verified phone and by the per-IP rate limit.

Retries: a submission may carry a ``submission_key`` (a UUID the client makes once per filled-in
form). Sent again with the same key — because the answer was lost, or the first try got 503 when
the database connection dropped — it is answered as received and counted once.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from surveys.public_views import (
    client_ip,
    device_id,
    public_survey,
    set_device_cookie,
    survives_database_loss,
)
from surveys.services import epoll


class PublicAPIView(APIView):
    kaoping_public = True
    authentication_classes: list = []
    permission_classes = [AllowAny]


class EpollFormView(PublicAPIView):
    """The questionnaire(s) and a fresh nonce; sets the device cookie."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, public_id):
        survey = public_survey(public_id)
        device, new = device_id(request)
        data = {
            "survey": survey.name,
            "purpose": survey.purpose,
            "identification": survey.identification,
            "open": epoll.window_problem(survey) is None,
            "nonce": epoll.epoll_nonce(survey=survey, device_id=device),
            "strata": [{"id": s.pk, "name": s.name} for s in survey.strata.filter(kind="respondent")],
            "questionnaires": [
                {
                    "id": q.pk,
                    "name": q.name,
                    "questions": [{"id": x.pk, "unit": x.unit.name, "text": x.text} for x in q.questions.all()],
                    "options": [
                        {"id": o.pk, "label": o.label, "points": None if o.points is None else str(o.points)}
                        for o in q.options.all()
                    ],
                }
                for q in survey.questionnaires.prefetch_related("options", "questions__unit")
            ],
        }
        response = Response(data)
        if new:
            set_device_cookie(response, device)
        return response


class EpollSubmitInput(serializers.Serializer):
    questionnaire = serializers.IntegerField()
    answers = serializers.DictField(child=serializers.IntegerField())
    nonce = serializers.CharField(max_length=500)
    stratum = serializers.IntegerField(required=False, allow_null=True)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    code = serializers.CharField(required=False, allow_blank=True, max_length=10)
    submission_key = serializers.UUIDField(
        required=False, allow_null=True,
        help_text="Made once per filled-in form; the same key sent again is counted once.",
    )


class EpollSubmitView(PublicAPIView):
    @extend_schema(
        request=EpollSubmitInput,
        responses={
            201: inline_serializer("EpollSubmitOut", {
                "ok": serializers.BooleanField(),
                "replayed": serializers.BooleanField(help_text="the submission key was already recorded"),
            }),
            400: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT, 429: OpenApiTypes.OBJECT,
            503: inline_serializer("EpollSubmitUnavailable", {
                "ok": serializers.BooleanField(), "retry": serializers.BooleanField(),
                "error": serializers.CharField(),
            }),
        },
    )
    # A dropped database connection rolls the submission back: 503 + Retry-After (JSON when the
    # client asks for it first), and the client sends the same submission key again.
    @method_decorator(survives_database_loss)
    def post(self, request, public_id):
        survey = public_survey(public_id)
        data = EpollSubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        questionnaire = survey.questionnaires.filter(pk=values["questionnaire"]).first()
        if questionnaire is None:
            return Response({"detail": "问卷不存在"}, status=status.HTTP_400_BAD_REQUEST)
        stratum = None
        if values.get("stratum"):
            stratum = survey.strata.filter(pk=values["stratum"], kind="respondent").first()
        device, _new = device_id(request)
        key = values.get("submission_key")
        try:
            receipt = epoll.epoll_submit(
                survey=survey, questionnaire=questionnaire, answers=values["answers"], nonce=values["nonce"],
                device_id=device, ip=client_ip(request), stratum=stratum, phone=values.get("phone", ""),
                code=values.get("code", ""), submission_key=str(key) if key else "",
            )
        except epoll.AlreadyAnswered as exc:
            return Response({"detail": exc.messages[0]}, status=status.HTTP_409_CONFLICT)
        except epoll.RateLimited as exc:
            return Response({"detail": exc.messages[0]}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        except ValidationError as exc:
            return Response({"detail": "; ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
        # a replay answers as the first time did: the client only needs to know it is in
        return Response({"ok": True, "replayed": receipt.replayed}, status=status.HTTP_201_CREATED)


class EpollCodeInput(serializers.Serializer):
    phone = serializers.CharField(max_length=20)


class EpollCodeView(PublicAPIView):
    @extend_schema(
        request=EpollCodeInput,
        responses={
            202: inline_serializer("EpollCodeOut", {"ok": serializers.BooleanField()}),
            400: OpenApiTypes.OBJECT, 429: OpenApiTypes.OBJECT,
        },
    )
    def post(self, request, public_id):
        survey = public_survey(public_id)
        data = EpollCodeInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            epoll.epoll_code_send(survey=survey, phone=data.validated_data["phone"], ip=client_ip(request))
        except epoll.RateLimited as exc:
            return Response({"detail": exc.messages[0]}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        except ValidationError as exc:
            return Response({"detail": "; ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"ok": True}, status=status.HTTP_202_ACCEPTED)
