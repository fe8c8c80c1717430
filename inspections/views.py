"""Pages of spot checks (明察暗访) and complaints (投诉件). Thin: validate, access, one service, render."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evaluation.access import access_campaign, campaigns_for
from evaluation.tenancy import tenant_view
from inspections import access
from inspections.forms import (
    AppealDecisionForm,
    AppealForm,
    AssignmentForm,
    CatalogueImportForm,
    CatalogueItemForm,
    ComplaintDecisionForm,
    ComplaintForm,
    ComplaintRuleForm,
    ReplyForm,
    ReviewForm,
)
from inspections.models import ComplaintRule, Visit
from inspections.selectors import app as app_selectors
from inspections.selectors.bulletin import quarterly_bulletin
from inspections.services import catalogue as catalogue_services
from inspections.services import complaints as complaint_services
from inspections.services import visits as visit_services
from inspections.services.bulletin import bulletin_pdf, bulletin_title, bulletin_xlsx


def _slug(request) -> str:
    return request.membership.tenant.slug


def _form_error(request, exc) -> None:
    messages.error(request, str(exc))


def _post_form(request, form, action, *, invalid: str, success: str = "") -> None:
    """Validate ``form`` and call ``action(cleaned_data)``; the outcome becomes a message
    (``invalid`` for a bad form, the service's own words for a refusal, ``success`` if given)."""
    if not form.is_valid():
        messages.error(request, invalid)
        return
    try:
        action(form.cleaned_data)
    except (visit_services.VisitError, complaint_services.ComplaintError) as exc:
        _form_error(request, exc)
    else:
        if success:
            messages.success(request, success)


# --- supervisor app (PWA) ---------------------------------------------------------------------


@tenant_view("inspection.visit")
def supervisor_app(request):
    """The phone app: assignments, the new-visit form, the send queue and what arrived."""
    membership = request.membership
    campaign = app_selectors.current_campaign(membership)
    data = None
    if campaign is not None:
        data = app_selectors.supervisor_app_data(membership, campaign)
        slug = _slug(request)
        data["urls"] = {
            "visits": reverse("inspection-visits", kwargs={"tenant_slug": slug}),
            "photos": reverse(
                "inspection-visit-photos", kwargs={"tenant_slug": slug, "key": "00000000-0000-0000-0000-000000000000"}
            ),
            "sw": reverse("inspections:service_worker", kwargs={"tenant_slug": slug}),
            "scope": reverse("inspections:app", kwargs={"tenant_slug": slug}),
        }
        data["user"] = membership.user.username
    return render(
        request,
        "inspections/app.html",
        {"campaign": campaign, "app_data": data, "recent": app_selectors.recent_visits(membership)},
    )


@tenant_view("inspection.visit")
def service_worker(request):
    """The service worker, served from the app's own path so its scope covers the app pages."""
    scope = reverse("inspections:app", kwargs={"tenant_slug": _slug(request)})
    assets = [
        scope,
        static("css/app.css"),
        static("css/inspections.css"),
        static("js/app.js"),
        static("django_htmx/htmx-2.min.js"),
        static("js/inspections-db.js"),
        static("js/inspections-app.js"),
        static("img/inspections-icon.svg"),
    ]
    with open(_static_path("js/inspections-sw.js"), encoding="utf-8") as source:
        body = f"const KAOPING_SW = {json.dumps({'scope': scope, 'assets': assets})};\n" + source.read()
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = scope
    response["Cache-Control"] = "no-cache"
    return response


def _static_path(name: str) -> str:
    from django.contrib.staticfiles import finders

    path = finders.find(name)
    if path is None:
        raise Http404(name)
    return path


@tenant_view("inspection.visit")
def manifest(request):
    scope = reverse("inspections:app", kwargs={"tenant_slug": _slug(request)})
    body = {
        "name": _("效能监督员察访"),
        "short_name": _("察访"),
        "lang": "zh-CN",
        "start_url": scope,
        "scope": scope,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f4e79",
        "icons": [{"src": static("img/inspections-icon.svg"), "sizes": "any", "type": "image/svg+xml",
                   "purpose": "any maskable"}],
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json")


# --- office: index, catalogue, plan -----------------------------------------------------------


@tenant_view("inspection.manage")
def office(request):
    return render(request, "inspections/office.html", {"campaigns": campaigns_for(request.membership)})


@tenant_view("inspection.manage")
def catalogue(request, campaign_id):
    campaign = access_campaign(request.membership, campaign_id)
    form = CatalogueItemForm(request.POST or None, campaign=campaign, prefix="item")
    import_form = CatalogueImportForm()
    if request.method == "POST" and form.is_valid():
        try:
            catalogue_services.catalogue_item_save(campaign=campaign, **form.cleaned_data)
        except catalogue_services.CatalogueError as exc:
            _form_error(request, exc)
        else:
            messages.success(request, _("已添加扣分标准。"))
            return redirect("inspections:catalogue", tenant_slug=_slug(request), campaign_id=campaign.pk)
    items = access.catalogue_for(request.membership, campaign).select_related("node")
    return render(request, "inspections/catalogue.html",
                  {"campaign": campaign, "items": items, "form": form, "import_form": import_form})


@tenant_view("inspection.manage")
def catalogue_item(request, campaign_id, item_id):
    campaign = access_campaign(request.membership, campaign_id)
    item = access.access_catalogue_item(request.membership, campaign, item_id)
    initial = {"code": item.code, "finding": item.finding, "node": item.node, "points": item.points,
               "notes": item.notes, "is_active": item.is_active}
    form = CatalogueItemForm(request.POST or None, campaign=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            catalogue_services.catalogue_item_save(campaign=campaign, item=item, **form.cleaned_data)
        except catalogue_services.CatalogueError as exc:
            _form_error(request, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("inspections:catalogue", tenant_slug=_slug(request), campaign_id=campaign.pk)
    return render(request, "inspections/catalogue_item.html", {"campaign": campaign, "item": item, "form": form})


@tenant_view("inspection.manage")
@require_POST
def catalogue_import(request, campaign_id):
    campaign = access_campaign(request.membership, campaign_id)
    form = CatalogueImportForm(request.POST, request.FILES)
    if form.is_valid():
        report = catalogue_services.catalogue_import_xlsx(campaign=campaign, file=form.cleaned_data["file"])
        for error in report.errors:
            messages.error(request, error)
        if not report.errors:
            messages.success(request, _("导入完成:新增 %(c)d 项,更新 %(u)d 项。") % {"c": report.created, "u": report.updated})
    else:
        messages.error(request, _("请选择 Excel 文件。"))
    return redirect("inspections:catalogue", tenant_slug=_slug(request), campaign_id=campaign.pk)


@tenant_view("inspection.manage")
def plan(request, campaign_id):
    campaign = access_campaign(request.membership, campaign_id)
    form = AssignmentForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            catalogue_services.assignment_create(campaign=campaign, **form.cleaned_data)
        except catalogue_services.CatalogueError as exc:
            _form_error(request, exc)
        else:
            messages.success(request, _("已安排察访任务。"))
            return redirect("inspections:plan", tenant_slug=_slug(request), campaign_id=campaign.pk)
    assignments = access.assignments_for(request.membership, campaign).prefetch_related("visits")
    return render(request, "inspections/plan.html", {"campaign": campaign, "assignments": assignments, "form": form})


@tenant_view("inspection.manage")
@require_POST
def assignment_delete(request, campaign_id, assignment_id):
    campaign = access_campaign(request.membership, campaign_id)
    assignment = access.access_assignment(request.membership, campaign, assignment_id)
    catalogue_services.assignment_delete(assignment=assignment)
    messages.success(request, _("已取消察访任务。"))
    return redirect("inspections:plan", tenant_slug=_slug(request), campaign_id=campaign.pk)


# --- office: review ---------------------------------------------------------------------------


@tenant_view("inspection.review")
def review(request, campaign_id):
    campaign = access_campaign(request.membership, campaign_id)
    status = request.GET.get("status") or ""
    if status and status not in Visit.Status.values:
        status = ""
    visits = app_selectors.review_queue(request.membership, campaign, status or None)
    return render(request, "inspections/review.html",
                  {"campaign": campaign, "visits": visits, "status": status, "statuses": Visit.Status.choices})


@tenant_view("inspection.review")
def visit_detail(request, visit_id):
    visit = access.access_visit(request.membership, visit_id)
    findings = visit.findings.select_related("item", "reviewed_by").order_by("id")
    return render(request, "inspections/visit_detail.html",
                  {"visit": visit, "findings": findings, "photos": visit.photos.all()})


@tenant_view("inspection.review")
@require_POST
def finding_review(request, finding_id):
    finding = access.access_finding(request.membership, finding_id)
    _post_form(request, ReviewForm(request.POST),
               lambda data: visit_services.finding_review(finding=finding, reviewer=request.user, **data),
               invalid=_("请选择确认或不予认定。"))
    return redirect("inspections:visit_detail", tenant_slug=_slug(request), visit_id=finding.visit_id)


@tenant_view("inspection.review")
@require_POST
def appeal_decide(request, finding_id):
    finding = access.access_finding(request.membership, finding_id)
    _post_form(request, AppealDecisionForm(request.POST),
               lambda data: visit_services.finding_appeal_decide(
                   finding=finding, reviewer=request.user, upheld=data["decision"] == "upheld", reason=data["reason"]),
               invalid=_("请填写处理意见。"))
    return redirect("inspections:visit_detail", tenant_slug=_slug(request), visit_id=finding.visit_id)


# --- unit: confirmed findings, photos, appeal -------------------------------------------------


@tenant_view("inspection.view_own")
def unit_findings(request):
    findings = app_selectors.unit_findings(access.findings_for(request.membership))
    return render(request, "inspections/unit_findings.html",
                  {"findings": findings, "can_appeal": request.membership.can("inspection.appeal")})


@tenant_view("inspection.appeal")
@require_POST
def finding_appeal(request, finding_id):
    finding = access.access_finding(request.membership, finding_id)
    _post_form(request, AppealForm(request.POST),
               lambda data: visit_services.finding_appeal(finding=finding, liaison=request.membership,
                                                          reason=data["reason"]),
               invalid=_("请填写申诉理由。"), success=_("申诉已提交。"))
    return redirect("inspections:unit_findings", tenant_slug=_slug(request))


@tenant_view("inspection.view_own")
def photo(request, photo_id):
    """A visit photo, only through this permission-checked view (never a public media URL)."""
    item = access.access_photo(request.membership, photo_id)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = f'inline; filename="{item.key}.{item.extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- bulletin ---------------------------------------------------------------------------------


def _quarter(quarter: int) -> int:
    if quarter not in (1, 2, 3, 4):
        raise Http404("No such quarter")
    return quarter


@tenant_view("bulletin.download")
def bulletin(request, campaign_id):
    campaign = access_campaign(request.membership, campaign_id)
    try:
        quarter = _quarter(int(request.GET.get("quarter") or (timezone.localdate().month - 1) // 3 + 1))
    except ValueError as exc:
        raise Http404("No such quarter") from exc
    data = quarterly_bulletin(campaign, quarter)
    return render(request, "inspections/bulletin.html",
                  {"campaign": campaign, "bulletin": data, "title": bulletin_title(data), "quarters": [1, 2, 3, 4]})


@tenant_view("bulletin.download")
def bulletin_pdf_download(request, campaign_id, quarter):
    campaign = access_campaign(request.membership, campaign_id)
    data = quarterly_bulletin(campaign, _quarter(quarter))
    response = HttpResponse(bulletin_pdf(bulletin=data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="inspections-{campaign.year}-Q{quarter}.pdf"'
    return response


@tenant_view("bulletin.download")
def bulletin_xlsx_download(request, campaign_id, quarter):
    campaign = access_campaign(request.membership, campaign_id)
    data = quarterly_bulletin(campaign, _quarter(quarter))
    response = HttpResponse(
        bulletin_xlsx(bulletin=data),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="inspections-{campaign.year}-Q{quarter}.xlsx"'
    return response


@tenant_view("bulletin.download")
def bulletins(request):
    return render(request, "inspections/bulletins.html", {"campaigns": campaigns_for(request.membership)})


# --- complaints -------------------------------------------------------------------------------


@tenant_view("complaint.manage")
def complaints(request, campaign_id):
    campaign = access_campaign(request.membership, campaign_id)
    form = ComplaintForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            complaint_services.complaint_register(campaign=campaign, actor=request.user, **form.cleaned_data)
        except complaint_services.ComplaintError as exc:
            _form_error(request, exc)
        else:
            messages.success(request, _("投诉件已登记交办。"))
            return redirect("inspections:complaints", tenant_slug=_slug(request), campaign_id=campaign.pk)
    rows = (
        access.complaints_for(request.membership).filter(campaign=campaign)
        .select_related("unit").prefetch_related("deductions__ledger_entry")
    )
    return render(request, "inspections/complaints.html", {
        "campaign": campaign, "complaints": rows, "form": form, "today": timezone.localdate(),
        "rules_missing": complaint_services.complaint_rules_missing(campaign),
    })


@tenant_view("complaint.manage")
def complaint_rules(request, campaign_id):
    campaign = access_campaign(request.membership, campaign_id)
    form = ComplaintRuleForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            complaint_services.complaint_rule_set(campaign=campaign, **form.cleaned_data)
        except complaint_services.ComplaintError as exc:
            _form_error(request, exc)
        else:
            messages.success(request, _("已保存扣分规则。"))
            return redirect("inspections:complaint_rules", tenant_slug=_slug(request), campaign_id=campaign.pk)
    rules = ComplaintRule.objects.filter(tenant_id=request.membership.tenant_id, campaign=campaign).select_related("node")
    return render(request, "inspections/complaint_rules.html", {"campaign": campaign, "rules": rules, "form": form})


@tenant_view("complaint.manage")
def complaint_detail(request, complaint_id):
    complaint = access.access_complaint(request.membership, complaint_id)
    form = ComplaintDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
        try:
            if decision == "accept":
                complaint_services.complaint_accept(complaint=complaint, actor=request.user)
            elif decision == "return":
                if form.cleaned_data["new_deadline"] is None:
                    raise complaint_services.ComplaintError(_("退回须给出新的办理期限"))
                complaint_services.complaint_return(complaint=complaint, actor=request.user, reason=reason,
                                                    new_deadline=form.cleaned_data["new_deadline"])
            else:
                complaint_services.complaint_mark_contrary(complaint=complaint, actor=request.user, reason=reason)
        except complaint_services.ComplaintError as exc:
            _form_error(request, exc)
        else:
            messages.success(request, _("已处理。"))
            return redirect("inspections:complaint_detail", tenant_slug=_slug(request), complaint_id=complaint.pk)
    deductions = complaint.deductions.select_related("ledger_entry")
    return render(request, "inspections/complaint_detail.html",
                  {"complaint": complaint, "form": form, "deductions": deductions})


@tenant_view("complaint.handle")
def unit_complaints(request):
    rows = access.complaints_for(request.membership).select_related("campaign").order_by("status", "deadline")
    return render(request, "inspections/unit_complaints.html",
                  {"complaints": rows, "today": timezone.localdate(), "form": ReplyForm()})


@tenant_view("complaint.handle")
@require_POST
def complaint_reply(request, complaint_id):
    complaint = access.access_complaint(request.membership, complaint_id)
    _post_form(request, ReplyForm(request.POST),
               lambda data: complaint_services.complaint_reply(complaint=complaint, liaison=request.membership,
                                                               reply=data["reply"]),
               invalid=_("请填写办理结果。"), success=_("已提交办理结果。"))
    return redirect("inspections:unit_complaints", tenant_slug=_slug(request))

