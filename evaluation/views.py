"""Accounts, tenant picker and tenant home. Thin: validate, fetch through accessors, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeDoneView, PasswordChangeView
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evaluation.access import (
    access_campaign,
    access_compute_job,
    access_unit,
    campaign_units_for,
    campaigns_for,
)
from evaluation.forms import LoginForm
from evaluation.models import Membership
from evaluation.selectors import results as results_selectors
from evaluation.services.auth import login_attempt
from evaluation.services.compute import compute_job_start
from evaluation.tenancy import public_view, tenant_view


@public_view
def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = login_attempt(
            request=request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            address=request.META.get("REMOTE_ADDR", ""),
        )
        if outcome.locked:
            form.add_error(None, _("登录失败次数过多,请稍后再试。"))
            return render(request, "evaluation/login.html", {"form": form}, status=429)
        if outcome.user is None:
            form.add_error(None, _("用户名或密码不正确。"))
        else:
            login(request, outcome.user)
            return redirect(request.GET.get("next") or "home")
    return render(request, "evaluation/login.html", {"form": form})


@public_view
@require_POST
def logout_view(request):
    logout(request)
    return redirect("login")


@public_view
@login_required
def home(request):
    """Pick a tenant when a person has several; go straight in when there is one."""
    memberships = list(
        Membership.objects.filter(user=request.user, is_active=True).select_related("tenant", "unit")
    )
    if len(memberships) == 1:
        return redirect("evaluation:tenant_home", tenant_slug=memberships[0].tenant.slug)
    return render(request, "evaluation/tenant_picker.html", {"memberships": memberships})


class KaopingPasswordChangeView(PasswordChangeView):
    kaoping_public = True
    template_name = "evaluation/password_change.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        messages.success(self.request, _("密码已修改。"))
        return super().form_valid(form)


class KaopingPasswordChangeDoneView(PasswordChangeDoneView):
    kaoping_public = True
    template_name = "evaluation/password_change_done.html"


@tenant_view("tenant.view")
def tenant_home(request):
    membership = request.membership
    campaigns = campaigns_for(membership).order_by("-year", "name")
    return render(
        request,
        "evaluation/tenant_home.html",
        {
            "campaigns": campaigns,
            "role_label": membership.get_role_display(),
            "can_see_results": membership.can("results.view_all"),
            "can_see_scheme": membership.can("scheme.view"),
        },
    )


@tenant_view("membership.view")
def members(request):
    people = (
        Membership.objects.filter(tenant_id=request.membership.tenant_id)
        .select_related("user", "unit", "department")
        .order_by("role", "user__username")
    )
    return render(request, "evaluation/members.html", {"people": people})


def _lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


@tenant_view("results.view_all")
def campaign_results(request, campaign_id):
    """Ranked results of the latest revision per category, with the compute button and progress."""
    campaign = access_campaign(request.membership, campaign_id)
    revision = results_selectors.latest_revision(campaign)
    lang = _lang()
    categories = []
    if revision is not None:
        current = None
        for row in results_selectors.revision_results(revision):
            if current is None or current["category"].pk != row.category_id:
                current = {"category": row.category, "rows": []}
                categories.append(current)
            row.component_cells = [
                {"label": c["label"], "value": c["value"], "explanation": results_selectors.text(c["explanation"], lang)}
                for c in row.components
            ]
            row.total_text = results_selectors.text(row.explanation.get("total"), lang)
            row.grade_text = results_selectors.text(row.explanation.get("grade"), lang)
            row.missing_text = [results_selectors.text(m, lang) for m in row.missing]
            current["rows"].append(row)
    return render(
        request,
        "evaluation/campaign_results.html",
        {
            "campaign": campaign,
            "revision": revision,
            "categories": categories,
            "job": results_selectors.active_job(campaign),
            "can_compute": request.membership.can("results.compute"),
        },
    )


@tenant_view("results.compute")
@require_POST
def compute_start(request, campaign_id):
    campaign = access_campaign(request.membership, campaign_id)
    job = compute_job_start(campaign=campaign, actor=request.user)
    messages.info(request, _("计算任务已提交(#%(id)s)。") % {"id": job.pk})
    return redirect("evaluation:campaign_results", tenant_slug=request.tenant.slug, campaign_id=campaign.pk)


@tenant_view("results.view_all")
def job_status(request, campaign_id, job_id):
    """The progress bar partial, polled by htmx while a job is unfinished."""
    campaign = access_campaign(request.membership, campaign_id)
    job = access_compute_job(request.membership, campaign, job_id)
    response = render(request, "evaluation/_job_status.html", {"campaign": campaign, "job": job})
    if job.status in (job.Status.DONE, job.Status.FAILED) and request.htmx:
        response["HX-Refresh"] = "true"  # the poll saw the job end: reload to show the new revision
    return response


@tenant_view("results.view_own")
def unit_result(request, campaign_id, unit_id):
    """A unit's score page: every node, component and the total, each explaining itself."""
    campaign = access_campaign(request.membership, campaign_id)
    unit = access_unit(request.membership, unit_id)
    revision = results_selectors.latest_revision(campaign)
    result = None
    if revision is not None:
        result = results_selectors.revision_results(revision, unit_ids=[unit.pk]).first()
    if result is None and not campaign_units_for(request.membership, campaign).filter(unit=unit).exists():
        raise Http404("No such unit in this campaign")
    lang = _lang()
    context = {"campaign": campaign, "unit": unit, "revision": revision, "result": result}
    if result is not None:
        context.update(
            rows=results_selectors.node_rows(result, lang),
            components=[
                {**c, "text": results_selectors.text(c["explanation"], lang)} for c in result.components
            ],
            total_text=results_selectors.text(result.explanation.get("total"), lang),
            rank_text=results_selectors.text(result.explanation.get("rank"), lang),
            grade_text=results_selectors.text(result.explanation.get("grade"), lang),
            missing=[results_selectors.text(m, lang) for m in result.missing],
        )
    return render(request, "evaluation/unit_result.html", context)
