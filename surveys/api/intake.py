"""The e-poll submission endpoint (``POST /p/api/s/<public id>/responses/``) as a plain Django
view in front of the DRF one (issue #10: intake over HTTP near the rate of a bare insert).

A citizen's phone posts a well-formed JSON ballot; for that case DRF's request wrapping, parser
and serializer, content negotiation and renderer cost more server time than recording the
ballot. This view reads such a body itself and answers it through :func:`epoll.intake_target`
and :func:`epoll.epoll_intake` — the checks, refusals and receipts of :func:`epoll.epoll_submit`
— with the same statuses, JSON and headers as the DRF view. Everything else is handed to
:class:`EpollSubmitView` unchanged: other methods and content types, a body the serializer must
judge (its errors name the field), an ``Accept`` header or a ``?format=`` only DRF's negotiation
can answer, an unknown survey or questionnaire (404 / 400), a poll identified by phone, SQLite.

The OpenAPI schema still documents the route from the DRF view (``cls`` below): same request,
same responses. CSRF: exempt, as DRF exempts the view — no authentication to ride on, and the
device-bound nonce stops a cross-site post (surveys/api/public.py).
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from evaluation.tenancy import public_view
from surveys.api.public import EpollSubmitView, _plain_submission
from surveys.public_views import client_ip, device_id, survives_database_loss
from surveys.services import epoll

_BIGINT = 2**63
_ALLOW = "POST, OPTIONS"  # what the DRF view answers in Allow
_RECEIVED = b'{"ok":true,"replayed":false}'
_REPLAYED = b'{"ok":true,"replayed":true}'
_JSON_ACCEPTED = {"*/*", "application/*", "application/json"}

_drf_view = EpollSubmitView.as_view()


class _NotPlain(ValueError):
    """The body is not JSON as DRF's parser reads it."""


def _refuse_constant(name: str):
    raise _NotPlain(name)  # NaN and Infinity: DRF's strict parser refuses them


def _plain_request(request) -> dict | None:
    """The submission's values when the request is one this view answers exactly as DRF would:
    a POST of UTF-8 JSON without a query string, accepting JSON without media-type parameters,
    whose body :func:`_plain_submission` reads; None for anything else."""
    if request.method != "POST" or request.content_type != "application/json" or request.META.get("QUERY_STRING"):
        return None
    if request.encoding not in (None, "utf-8", "UTF-8", "utf8"):
        return None
    accept = request.META.get("HTTP_ACCEPT", "")
    if accept and not any(media.strip() in _JSON_ACCEPTED for media in accept.split(",")):
        return None  # includes any media type with parameters (DRF's renderer would read them)
    try:
        data = json.loads(request.body.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError):
        return None
    return _plain_submission(data)


def _reply(status: int, body: bytes) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="application/json")
    response["Allow"] = _ALLOW
    return response


def _refusal(status: int, detail: str) -> HttpResponse:
    # as DRF's JSONRenderer writes it: compact, UTF-8
    return _reply(status, json.dumps({"detail": detail}, ensure_ascii=False, separators=(",", ":")).encode())


@public_view
@csrf_exempt
@survives_database_loss
def epoll_submit(request, public_id):
    """Record one e-poll ballot; see the module's docstring for what is handed to DRF."""
    values = _plain_request(request)
    if values is None or not 0 < values["questionnaire"] < _BIGINT:
        return _drf_view(request, public_id=public_id)
    stratum = values.get("stratum")
    key = values.get("submission_key")
    target = epoll.intake_target(
        public_id, questionnaire_id=values["questionnaire"],
        stratum_id=stratum if stratum and 0 < stratum < _BIGINT else None,  # any other names no stratum
        submission_key=str(key) if key else "",
    )
    if target is None:
        return _drf_view(request, public_id=public_id)
    device, _new = device_id(request)
    try:
        receipt = epoll.epoll_intake(
            target=target, answers=values["answers"], nonce=values["nonce"], device_id=device, ip=client_ip(request)
        )
    except epoll.AlreadyAnswered as exc:
        return _refusal(409, exc.messages[0])
    except epoll.RateLimited as exc:
        return _refusal(429, exc.messages[0])
    except ValidationError as exc:
        return _refusal(400, "; ".join(exc.messages))
    return _reply(201, _REPLAYED if receipt.replayed else _RECEIVED)


# drf-spectacular (and the route checks) read the view class from the callback: the schema
# documents this route from the DRF view it falls back on.
epoll_submit.cls = _drf_view.cls  # type: ignore[attr-defined]
epoll_submit.initkwargs = _drf_view.initkwargs  # type: ignore[attr-defined]
