"""Accounts, tenant picker and tenant home. Thin: validate, fetch through accessors, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeDoneView, PasswordChangeView
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evaluation.access import campaigns_for
from evaluation.forms import LoginForm
from evaluation.models import Membership
from evaluation.services.auth import login_attempt
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
        {"campaigns": campaigns, "role_label": membership.get_role_display()},
    )


@tenant_view("membership.view")
def members(request):
    people = (
        Membership.objects.filter(tenant_id=request.membership.tenant_id)
        .select_related("user", "unit", "department")
        .order_by("role", "user__username")
    )
    return render(request, "evaluation/members.html", {"people": people})
