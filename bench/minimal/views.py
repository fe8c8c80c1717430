"""The floor of an HTTP write: parse a small JSON body, insert one row, answer 201."""

from __future__ import annotations

import json

from django.http import HttpResponseNotAllowed, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from bench.minimal.models import Ping
from evaluation.tenancy import public_view


@public_view
@csrf_exempt
def insert(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    data = json.loads(request.body or b"{}")
    Ping.objects.create(survey=int(data.get("survey", 0)), question=int(data.get("question", 0)),
                        option=int(data.get("option", 0)))
    return JsonResponse({"ok": True}, status=201)
