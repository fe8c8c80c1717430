"""Tenant pages for surveys (公众评议、民主测评): thin views over services and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evaluation.tenancy import tenant_view
from surveys import forms
from surveys.access import access_batch, access_democratic, access_survey, democratic_for, surveys_for
from surveys.qr import qr_svg
from surveys.selectors.paper import batch_counts, batch_mismatches, batch_pending_second, batches_of
from surveys.selectors.progress import quota_progress
from surveys.selectors.results import democratic_results, public_results
from surveys.services import export, paper, setup


def _slug(request) -> str:
    return request.tenant.slug


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}:{error}" if label else error)


def _run_form(request, form, action):
    """Validate ``form``, call ``action(cleaned_data)``; every problem becomes a message."""
    if not form.is_valid():
        _form_errors(request, form)
        return None
    try:
        return action(form.cleaned_data)
    except ValidationError as exc:
        _errors(request, exc)
        return None


@tenant_view("survey.results")
def index(request):
    membership = request.membership
    context = {
        "surveys": surveys_for(membership).order_by("-campaign__year", "key"),
        "evaluations": democratic_for(membership).order_by("-campaign__year", "key"),
        "survey_form": forms.SurveyForm(tenant=request.tenant),
        "democratic_form": forms.DemocraticForm(tenant=request.tenant),
        "can_manage": membership.can("survey.manage"),
    }
    return render(request, "surveys/index.html", context)


@require_POST
@tenant_view("survey.manage")
def survey_new(request):
    form = forms.SurveyForm(request.POST, tenant=request.tenant)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("surveys:index", tenant_slug=_slug(request))
    try:
        survey = setup.survey_create(
            campaign=form.cleaned_data["campaign"], key=form.cleaned_data["key"], name=form.cleaned_data["name"],
            double_entry=form.cleaned_data["double_entry"],
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("surveys:index", tenant_slug=_slug(request))
    return redirect("surveys:survey", tenant_slug=_slug(request), survey_id=survey.pk)


@tenant_view("survey.results")
def survey_detail(request, survey_id):
    survey = access_survey(request.membership, survey_id)
    can_manage = request.membership.can("survey.manage")
    context = {
        "survey": survey,
        "questionnaires": survey.questionnaires.prefetch_related("options", "questions__unit"),
        "strata": survey.strata.all(),
        "progress": quota_progress(survey),
        "batches": batches_of(survey)[:50],
        "can_manage": can_manage,
        "can_enter": request.membership.can("survey.enter"),
        "settings_form": forms.EpollSettingsForm(instance=survey) if can_manage else None,
        "questionnaire_form": forms.QuestionnaireForm(survey=survey) if can_manage else None,
        "stratum_form": forms.StratumForm() if can_manage else None,
        "batch_form": forms.BatchForm(survey=survey),
        "public_url": request.build_absolute_uri(
            reverse("surveys_public:epoll", kwargs={"public_id": survey.public_id})
        ),
    }
    return render(request, "surveys/survey_detail.html", context)


@tenant_view("survey.results")
def survey_progress(request, survey_id):
    """The live quota view (htmx partial, refreshed every few seconds)."""
    survey = access_survey(request.membership, survey_id)
    return render(request, "surveys/_progress.html", {"survey": survey, "progress": quota_progress(survey)})


@require_POST
@tenant_view("survey.manage")
def survey_settings(request, survey_id):
    survey = access_survey(request.membership, survey_id)
    form = forms.EpollSettingsForm(request.POST, instance=survey)
    fields = forms.EpollSettingsForm.Meta.fields
    saved = _run_form(
        request, form,
        lambda data: setup.survey_update(
            survey=access_survey(request.membership, survey_id), **{name: data[name] for name in fields}
        ),
    )
    if saved is not None:
        messages.success(request, _("已保存"))
    return redirect("surveys:survey", tenant_slug=_slug(request), survey_id=survey.pk)


@require_POST
@tenant_view("survey.manage")
def questionnaire_new(request, survey_id):
    survey = access_survey(request.membership, survey_id)
    _run_form(
        request, forms.QuestionnaireForm(request.POST, survey=survey),
        lambda data: setup.questionnaire_create(
            survey=survey, name=data["name"], units=data["unit_list"], options=data["options"],
            category=data["category"],
        ),
    )
    return redirect("surveys:survey", tenant_slug=_slug(request), survey_id=survey.pk)


@require_POST
@tenant_view("survey.manage")
def stratum_new(request, survey_id):
    survey = access_survey(request.membership, survey_id)
    _run_form(request, forms.StratumForm(request.POST), lambda data: setup.stratum_create(survey=survey, **data))
    return redirect("surveys:survey", tenant_slug=_slug(request), survey_id=survey.pk)


@require_POST
@tenant_view("survey.enter")
def batch_new(request, survey_id):
    survey = access_survey(request.membership, survey_id)
    form = forms.BatchForm(request.POST, survey=survey)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("surveys:survey", tenant_slug=_slug(request), survey_id=survey.pk)
    try:
        batch = paper.paper_batch_create(actor=request.user, survey=survey, **form.cleaned_data)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("surveys:survey", tenant_slug=_slug(request), survey_id=survey.pk)
    return redirect("surveys:batch", tenant_slug=_slug(request), survey_id=survey.pk, batch_id=batch.pk)


def _sheet_answers(post, questions) -> dict[str, str]:
    return {str(q.pk): post.get(f"q{q.pk}", "") for q in questions}


@tenant_view("survey.enter")
def batch_entry(request, survey_id, batch_id):
    """The keyboard entry form: one sheet at a time, digits select options, Enter saves."""
    survey = access_survey(request.membership, survey_id)
    batch = access_batch(request.membership, survey, batch_id)
    questions = list(batch.questionnaire.questions.select_related("unit"))
    options = list(batch.questionnaire.options.all())
    if request.method == "POST":
        try:
            sheet_no = int(request.POST["sheet_no"]) if request.POST.get("sheet_no") else None
            outcome = paper.paper_sheet_enter(
                actor=request.user, batch=batch, answers=_sheet_answers(request.POST, questions), sheet_no=sheet_no
            )
            text = {"saved": "已保存", "first": "第一遍已录入", "matched": "两遍一致,已保存",
                    "mismatch": "两遍不一致,待核对"}[outcome.status]
            messages.success(request, f"第 {outcome.sheet_no} 号:{text}")
        except (ValidationError, ValueError) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("surveys:batch", tenant_slug=_slug(request), survey_id=survey.pk, batch_id=batch.pk)
    option_labels = {o.pk: o.label for o in options}
    mismatches = batch_mismatches(batch) if batch.double_entry else []
    tables = []
    for mismatch in mismatches:
        rows = []
        for q in questions:
            first, second = mismatch.first.get(str(q.pk)), mismatch.second.get(str(q.pk))
            rows.append({
                "question": q, "first": option_labels.get(first, "—"), "second": option_labels.get(second, "—"),
                "differs": first != second, "preselect": first if first == second else None,
            })
        tables.append({"sheet_no": mismatch.sheet_no, "rows": rows})
    context = {
        "survey": survey, "batch": batch, "questions": questions, "options": options,
        "counts": batch_counts(batch), "mismatches": tables,
        "pending": batch_pending_second(batch) if batch.double_entry else [],
        # the form names the sheet it saves: sent twice (a double click, a resubmitted page) it is
        # refused as already keyed instead of adding a second sheet
        "next_sheet_no": paper.next_sheet_no(batch),
    }
    return render(request, "surveys/batch_entry.html", context)


@require_POST
@tenant_view("survey.enter")
def batch_resolve(request, survey_id, batch_id):
    survey = access_survey(request.membership, survey_id)
    batch = access_batch(request.membership, survey, batch_id)
    questions = list(batch.questionnaire.questions.all())
    try:
        paper.paper_sheet_resolve(
            actor=request.user, batch=batch, sheet_no=int(request.POST.get("sheet_no", "0")),
            answers=_sheet_answers(request.POST, questions),
        )
        messages.success(request, "已按纸质问卷核定")
    except (ValidationError, ValueError) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("surveys:batch", tenant_slug=_slug(request), survey_id=survey.pk, batch_id=batch.pk)


@require_POST
@tenant_view("survey.enter")
def batch_close(request, survey_id, batch_id):
    survey = access_survey(request.membership, survey_id)
    batch = access_batch(request.membership, survey, batch_id)
    try:
        paper.paper_batch_close(actor=request.user, batch=batch)
        messages.success(request, "批次已完成")
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("surveys:batch", tenant_slug=_slug(request), survey_id=survey.pk, batch_id=batch.pk)


@tenant_view("survey.results")
def survey_results(request, survey_id):
    survey = access_survey(request.membership, survey_id)
    return render(request, "surveys/survey_results.html", {"survey": survey, "results": public_results(survey)})


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@tenant_view("survey.results")
def survey_results_xlsx(request, survey_id):
    survey = access_survey(request.membership, survey_id)
    return _xlsx(export.survey_results_workbook(survey=survey), f"survey-{survey.campaign.year}-{survey.key}.xlsx")


# --- democratic evaluation ---


@require_POST
@tenant_view("survey.manage")
def democratic_new(request):
    form = forms.DemocraticForm(request.POST, tenant=request.tenant)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("surveys:index", tenant_slug=_slug(request))
    try:
        evaluation = setup.democratic_create(
            campaign=form.cleaned_data["campaign"], key=form.cleaned_data["key"], name=form.cleaned_data["name"],
            units=list(form.cleaned_data["units"]),
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("surveys:index", tenant_slug=_slug(request))
    return redirect("surveys:democratic", tenant_slug=_slug(request), evaluation_id=evaluation.pk)


@tenant_view("survey.results")
def democratic_detail(request, evaluation_id):
    evaluation = access_democratic(request.membership, evaluation_id)
    can_manage = request.membership.can("survey.manage")
    context = {
        "evaluation": evaluation,
        "results": democratic_results(evaluation),
        "can_manage": can_manage,
        "group_form": forms.GroupForm() if can_manage else None,
        "tokens_form": forms.TokensForm(evaluation=evaluation) if can_manage else None,
        "used": evaluation.tokens.filter(used=True).count(),
    }
    return render(request, "surveys/democratic_detail.html", context)


@require_POST
@tenant_view("survey.manage")
def group_new(request, evaluation_id):
    evaluation = access_democratic(request.membership, evaluation_id)
    _run_form(
        request, forms.GroupForm(request.POST),
        lambda data: setup.evaluator_group_create(evaluation=evaluation, **data),
    )
    return redirect("surveys:democratic", tenant_slug=_slug(request), evaluation_id=evaluation.pk)


@require_POST
@tenant_view("survey.manage")
def tokens_new(request, evaluation_id):
    evaluation = access_democratic(request.membership, evaluation_id)
    tokens = _run_form(
        request, forms.TokensForm(request.POST, evaluation=evaluation),
        lambda data: setup.ballot_tokens_issue(group=data["group"], count=data["count"]),
    )
    if tokens is not None:
        messages.success(request, _("已生成 %(n)s 个测评码") % {"n": len(tokens)})
    return redirect("surveys:democratic", tenant_slug=_slug(request), evaluation_id=evaluation.pk)


@tenant_view("survey.manage")
def ballot_sheets(request, evaluation_id):
    """Printable ballot sheets: one per unused token, with its QR code (A4, @media print)."""
    evaluation = access_democratic(request.membership, evaluation_id)
    tokens = evaluation.tokens.filter(used=False).select_related("group").order_by("serial")
    group = request.GET.get("group")
    if group:
        tokens = tokens.filter(group__code=group)
    units = list(evaluation.rated_units.select_related("unit").order_by("order"))
    sheets = []
    for token in tokens[:1000]:
        url = request.build_absolute_uri(reverse("surveys_public:ballot", kwargs={"token": token.token}))
        sheets.append({"token": token, "url": url, "qr": qr_svg(url)})
    return render(request, "surveys/ballot_sheets.html", {"evaluation": evaluation, "sheets": sheets, "units": units})


@tenant_view("survey.results")
def democratic_results_xlsx(request, evaluation_id):
    evaluation = access_democratic(request.membership, evaluation_id)
    return _xlsx(
        export.democratic_results_workbook(evaluation=evaluation),
        f"democratic-{evaluation.campaign.year}-{evaluation.key}.xlsx",
    )
