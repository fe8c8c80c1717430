"""Public pages with no login: the e-poll (网上评议) and the ballot by token (民主测评票).

Both are plain server-rendered forms (fast on a phone: one small stylesheet; they work without
script) and use Django's CSRF protection like every other form; the e-poll adds a signed nonce
bound to the device. Nothing here logs a token or a ballot.

Losing the database mid-submission (a dropped connection, a failover) is answered 503 with
``Retry-After`` and nothing saved; the page's script (static/js/surveys/epoll.js) sends the
same submission again — the e-poll form's submission key, the ballot's one-time token — so it is
counted once however many times it arrives. A fetch client asking for JSON gets JSON.
"""

from __future__ import annotations

import logging
from functools import wraps

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from evaluation.tenancy import public_view
from surveys.models import Choice, RatedUnit, Survey
from surveys.services import democratic, epoll

logger = logging.getLogger(__name__)

DEVICE_COOKIE_AGE = 365 * 24 * 3600
RETRY_AFTER_SECONDS = 3


def wants_json(request) -> bool:
    """A fetch client (the page's script) asks for JSON first; a browser's form post does not."""
    return request.headers.get("Accept", "").split(",")[0].strip() == "application/json"


def database_unavailable(request) -> HttpResponse:
    """503 with Retry-After; rendered without touching the database (no session, no context processors)."""
    message = _("网络或服务器暂时中断,您的提交尚未保存。请稍候重新提交,已填写的内容不会丢失,也不会重复计入。")
    if wants_json(request):
        response: HttpResponse = JsonResponse({"ok": False, "retry": True, "error": message}, status=503)
    else:
        response = HttpResponse(render_to_string("surveys/public/unavailable.html", {"message": message}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def survives_database_loss(view):
    """Answer 503 instead of 500 when the database connection fails during the request; the
    transaction it was in is rolled back, so the client may send the same submission again."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except epoll.DATABASE_LOST as exc:
            # no path or parameters in the log: the ballot's URL is its token
            logger.warning("%s: database unavailable (%s)", view.__name__, type(exc).__name__)
            return database_unavailable(request)

    return wrapper


def _outcome_json(status: int, *, error: str = "", title: str = "", ballot: bool = False) -> JsonResponse:
    if error:
        return JsonResponse({"ok": False, "error": error}, status=status)
    message = _("感谢您参加“%(title)s”。") % {"title": title}
    if ballot:
        message += _("您的选票已匿名保存,与测评码没有任何关联。")
    return JsonResponse({"ok": True, "title": _("提交成功"), "message": message}, status=status)


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def device_id(request) -> tuple[str, bool]:
    """(device id, whether it is new and must be set as a cookie)."""
    value = request.COOKIES.get(epoll.DEVICE_COOKIE, "")
    if 16 <= len(value) <= 64:
        return value, False
    return epoll.new_device_id(), True


def set_device_cookie(response, value: str) -> None:
    response.set_cookie(
        epoll.DEVICE_COOKIE, value, max_age=DEVICE_COOKIE_AGE, httponly=True, samesite="Lax", secure=False
    )


def public_survey(public_id) -> Survey:
    survey = Survey.objects.select_related("campaign").filter(public_id=public_id).first()
    if survey is None:
        raise Http404("No such survey")
    return survey


def _epoll_context(survey: Survey, device: str, **extra) -> dict:
    questionnaires = list(survey.questionnaires.prefetch_related("options", "questions__unit"))
    chosen = extra.pop("questionnaire", None) or (questionnaires[0] if questionnaires else None)
    return {
        "survey": survey,
        "questionnaire": chosen,
        "questionnaires": questionnaires,
        "respondent_strata": survey.strata.filter(kind="respondent"),
        "nonce": epoll.epoll_nonce(survey=survey, device_id=device),
        "submission_key": extra.pop("submission_key", "") or epoll.new_submission_key(),
        "closed": epoll.window_problem(survey),
        "phone_mode": survey.identification == Survey.Identification.PHONE,
        **extra,
    }


def _small_id(value: str) -> bool:
    """A positive id a database key can hold (anything else names no row)."""
    return value.isdigit() and 0 < int(value) < 2**63


def _refusal_status(exc: ValidationError) -> int:
    if isinstance(exc, epoll.AlreadyAnswered):
        return 409
    return 429 if isinstance(exc, epoll.RateLimited) else 400


@public_view
@never_cache
@survives_database_loss
def epoll_page(request, public_id):
    device, new = device_id(request)
    if request.method == "POST":
        # the survey and the posted questionnaire in one read (the intake path, issue #10)
        posted = request.POST.get("questionnaire", "")
        survey, questionnaire = epoll.submission_target(public_id, int(posted) if _small_id(posted) else 0)
        if survey is None:
            raise Http404("No such survey")
    else:
        survey, questionnaire = public_survey(public_id), None
        if _small_id(request.GET.get("q", "")):
            questionnaire = survey.questionnaires.filter(pk=request.GET["q"]).first()
    context = {"questionnaire": questionnaire}
    status = 200
    if request.method == "POST":
        stratum = None
        if _small_id(request.POST.get("stratum", "")):
            stratum = survey.strata.filter(pk=request.POST["stratum"], kind="respondent").first()
        answers = {k[1:]: v for k, v in request.POST.items() if k.startswith("q") and k[1:].isdigit()}
        key = request.POST.get("submission_key", "")
        if questionnaire is None:
            context["error"] = _("问卷不存在")
            status = 400
        else:
            try:
                epoll.epoll_submit(
                    survey=survey, questionnaire=questionnaire, answers=answers, nonce=request.POST.get("nonce", ""),
                    device_id=device, ip=client_ip(request), stratum=stratum, phone=request.POST.get("phone", ""),
                    code=request.POST.get("code", ""), submission_key=key,
                )
                if wants_json(request):
                    response = _outcome_json(200, title=survey.name)
                else:
                    response = render(request, "surveys/public/thanks.html", {"title": survey.name})
                if new:
                    set_device_cookie(response, device)
                return response
            except ValidationError as exc:
                context.update(error="; ".join(exc.messages), chosen=answers, phone=request.POST.get("phone", ""))
                context.update(questionnaire=questionnaire, submission_key=key)
                status = _refusal_status(exc)
        if wants_json(request):
            return _outcome_json(status, error=context["error"])
    response = render(request, "surveys/public/epoll.html", _epoll_context(survey, device, **context), status=status)
    if new:
        set_device_cookie(response, device)
    return response


@public_view
@never_cache
@survives_database_loss
def epoll_code(request, public_id):
    """Send a verification code, then show the form again with the phone filled in."""
    survey = public_survey(public_id)
    device, new = device_id(request)
    phone = request.POST.get("phone", "") if request.method == "POST" else ""
    context: dict = {"phone": phone}
    status = 200
    if request.method == "POST":
        try:
            epoll.epoll_code_send(survey=survey, phone=phone, ip=client_ip(request))
            context["notice"] = "验证码已发送,请查收短信"
        except ValidationError as exc:
            context["error"] = "; ".join(exc.messages)
            status = 400
    response = render(request, "surveys/public/epoll.html", _epoll_context(survey, device, **context), status=status)
    if new:
        set_device_cookie(response, device)
    return response


def _ballot_refused(request, reason: str, status: int):
    if wants_json(request) and request.method == "POST":
        return _outcome_json(status, error=reason)
    return render(request, "surveys/public/ballot_invalid.html", {"reason": reason}, status=status)


@public_view
@never_cache
@survives_database_loss
def ballot_page(request, token):
    """The ballot; its one-time token makes a ballot sent again count once (a repeat is refused
    as already voted, and nothing is saved by an attempt that failed)."""
    found = democratic.ballot_token_lookup(token)
    if found is None:
        return _ballot_refused(request, _("测评码无效"), 404)
    if found.used:
        return _ballot_refused(request, _("该测评码已投票,感谢您的参与"), 410)
    evaluation = found.evaluation
    units = list(RatedUnit.objects.filter(evaluation=evaluation).select_related("unit").order_by("order"))
    context = {
        "evaluation": evaluation, "group": found.group, "units": units, "choices": Choice.choices,
        "closed": democratic.evaluation_window_problem(evaluation),
    }
    if request.method == "POST":
        votes = {str(u.unit_id): request.POST.get(f"u{u.unit_id}", "") for u in units}
        try:
            receipt = democratic.ballot_cast(token=token, votes=votes)
        except democratic.TokenRefused as exc:
            return _ballot_refused(request, exc.messages[0], 410)
        except ValidationError as exc:
            if wants_json(request):
                return _outcome_json(400, error="; ".join(exc.messages))
            context.update(error="; ".join(exc.messages), chosen=votes)
            return render(request, "surveys/public/ballot.html", context, status=400)
        if wants_json(request):
            return _outcome_json(200, title=receipt.evaluation_name, ballot=True)
        return render(request, "surveys/public/thanks.html", {"title": receipt.evaluation_name, "ballot": True})
    return render(request, "surveys/public/ballot.html", context)
