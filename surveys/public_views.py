"""Public pages with no login: the e-poll (网上评议) and the ballot by token (民主测评票).

Both are plain server-rendered forms (fast on a phone: one small stylesheet, no script needed)
and use Django's CSRF protection like every other form; the e-poll adds a signed nonce bound
to the device. Nothing here logs a token or a ballot.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from evaluation.tenancy import public_view
from surveys.models import Choice, RatedUnit, Survey
from surveys.services import democratic, epoll

DEVICE_COOKIE_AGE = 365 * 24 * 3600


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
        "closed": epoll.window_problem(survey),
        "phone_mode": survey.identification == Survey.Identification.PHONE,
        **extra,
    }


@public_view
@never_cache
def epoll_page(request, public_id):
    survey = public_survey(public_id)
    device, new = device_id(request)
    questionnaire = None
    if request.GET.get("q"):
        questionnaire = survey.questionnaires.filter(pk=request.GET["q"]).first() if request.GET["q"].isdigit() else None
    context = {"questionnaire": questionnaire}
    status = 200
    if request.method == "POST":
        questionnaire = survey.questionnaires.filter(pk=request.POST.get("questionnaire") or 0).first()
        stratum = survey.strata.filter(pk=request.POST.get("stratum") or 0, kind="respondent").first()
        answers = {k[1:]: v for k, v in request.POST.items() if k.startswith("q") and k[1:].isdigit()}
        if questionnaire is None:
            context["error"] = "问卷不存在"
            status = 400
        else:
            try:
                epoll.epoll_submit(
                    survey=survey, questionnaire=questionnaire, answers=answers, nonce=request.POST.get("nonce", ""),
                    device_id=device, ip=client_ip(request), stratum=stratum, phone=request.POST.get("phone", ""),
                    code=request.POST.get("code", ""),
                )
                response = render(request, "surveys/public/thanks.html", {"title": survey.name})
                if new:
                    set_device_cookie(response, device)
                return response
            except ValidationError as exc:
                context.update(error="; ".join(exc.messages), chosen=answers, phone=request.POST.get("phone", ""))
                context["questionnaire"] = questionnaire
                status = 409 if isinstance(exc, epoll.AlreadyAnswered) else 400
    response = render(request, "surveys/public/epoll.html", _epoll_context(survey, device, **context), status=status)
    if new:
        set_device_cookie(response, device)
    return response


@public_view
@never_cache
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


@public_view
@never_cache
def ballot_page(request, token):
    found = democratic.ballot_token_lookup(token)
    if found is None:
        return render(request, "surveys/public/ballot_invalid.html", {"reason": "测评码无效"}, status=404)
    if found.used:
        return render(request, "surveys/public/ballot_invalid.html", {"reason": "该测评码已投票,感谢您的参与"}, status=410)
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
            return render(request, "surveys/public/thanks.html", {"title": receipt.evaluation_name, "ballot": True})
        except democratic.TokenRefused as exc:
            return render(request, "surveys/public/ballot_invalid.html", {"reason": exc.messages[0]}, status=410)
        except ValidationError as exc:
            context.update(error="; ".join(exc.messages), chosen=votes)
            return render(request, "surveys/public/ballot.html", context, status=400)
    return render(request, "surveys/public/ballot.html", context)
