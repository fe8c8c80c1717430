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

import uuid

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
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
    renderer_classes = [JSONRenderer]  # a citizen's phone, not a developer's browser


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


_OPTIONAL_TEXT = {"phone": 20, "code": 10}
_BIGINT = 2**63


def _plain_submission(data) -> dict | None:
    """What :class:`EpollSubmitInput` would return for a well-formed JSON body, without building
    the serializer (it deep-copies its fields on every request: about a tenth of a submission's
    server time); None for anything else, which then goes through the serializer and its errors."""
    if type(data) is not dict:  # a form post (QueryDict) or a JSON list
        return None
    questionnaire, answers, nonce = data.get("questionnaire"), data.get("answers"), data.get("nonce")
    if type(questionnaire) is not int or type(answers) is not dict or type(nonce) is not str:
        return None
    if not nonce or len(nonce) > 500 or nonce != nonce.strip():
        return None
    if not all(type(value) is int for value in answers.values()):
        return None
    values = {"questionnaire": questionnaire, "answers": answers, "nonce": nonce}
    stratum = data.get("stratum")
    if stratum is not None:
        if type(stratum) is not int:
            return None
        values["stratum"] = stratum
    for name, limit in _OPTIONAL_TEXT.items():
        text = data.get(name)
        if text is not None:
            if type(text) is not str or len(text) > limit or text != text.strip():
                return None
            values[name] = text
    key = data.get("submission_key")
    if key is not None:
        if type(key) is not str:
            return None
        try:
            values["submission_key"] = uuid.UUID(hex=key)
        except ValueError:
            return None
    return values


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
        values = _plain_submission(request.data)
        if values is None:
            data = EpollSubmitInput(data=request.data)
            if not data.is_valid():
                public_survey(public_id)  # an unknown survey is 404 before a malformed body is 400
                raise serializers.ValidationError(data.errors)
            values = data.validated_data
        if not 0 < values["questionnaire"] < _BIGINT:
            public_survey(public_id)
            return Response({"detail": "问卷不存在"}, status=status.HTTP_400_BAD_REQUEST)
        # the survey and the questionnaire in one read (epoll_submit reads the questionnaire's ids)
        survey, questionnaire = epoll.submission_target(public_id, values["questionnaire"])
        if survey is None:
            raise Http404("No such survey")
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
