"""The efficiency office's scheme editor (方案配置). Thin: read input, fetch through accessors,
call one service, render."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from evaluation.access import access_campaign, access_category, access_unit, campaigns_for, categories_for
from evaluation.models import CampaignPhase, Phase
from evaluation.tenancy import tenant_view
from indicators.access import access_node, nodes_for
from indicators.forms import (
    COMPONENT_MODES,
    COMPONENT_SOURCES,
    EXTRA_COMPONENT_ROWS,
    GRADING_KINDS,
    VETO_MODES,
    CampaignForm,
    CategoryForm,
    CloneForm,
    FromTemplateForm,
    ImportForm,
    NodeForm,
    UnitForm,
    engine_rules,
    phase_forms,
    rules_from_post,
    rules_initial,
)
from indicators.models import CategoryRules
from indicators.selectors import editor
from indicators.selectors.scheme import category_dict, node_rows, scheme_document
from indicators.services import excel
from indicators.services.describe import describe_category, describe_rule
from indicators.services.scheme import (
    SchemeImportError,
    campaign_clone,
    campaign_from_template,
    scheme_document_import,
)
from indicators.services.tree import (
    SchemeEditError,
    category_create,
    category_rules_update,
    enrolment_set,
    node_create,
    node_delete,
    node_move,
    node_update,
    unit_create,
)
from indicators.templates_library import all_templates


def _slug(request) -> str:
    return request.membership.tenant.slug


def _detail_url(request, campaign) -> str:
    return reverse("indicators:campaign_detail", kwargs={"tenant_slug": _slug(request), "campaign_id": campaign.pk})


# ------------------------------------------------------------------------------------------------
# Campaigns
# ------------------------------------------------------------------------------------------------


def _campaigns_page(request, *, template_form=None, clone_form=None, import_form=None, problems=(), status=200):
    membership = request.membership
    campaigns = campaigns_for(membership).order_by("-year", "name")
    return render(
        request,
        "indicators/campaigns.html",
        {
            "campaigns": campaigns,
            "can_manage": membership.can("campaign.manage"),
            "template_form": template_form or FromTemplateForm(),
            "clone_form": clone_form or CloneForm(campaigns=campaigns),
            "import_form": import_form or ImportForm(),
            "problems": problems,
        },
        status=status,
    )


@tenant_view("scheme.view")
@require_GET
def campaigns(request):
    return _campaigns_page(request)


@tenant_view("campaign.manage")
@require_POST
def campaign_new_from_template(request):
    form = FromTemplateForm(request.POST)
    if not form.is_valid():
        return _campaigns_page(request, template_form=form, status=400)
    try:
        campaign = campaign_from_template(
            tenant=request.membership.tenant, template_key=form.cleaned_data["template"],
            year=form.cleaned_data["year"], name=form.cleaned_data["name"], actor=request.user,
        )
    except SchemeImportError as error:
        return _campaigns_page(request, template_form=form, problems=error.messages, status=400)
    messages.success(request, _("已按模板创建考评方案。"))
    return redirect(_detail_url(request, campaign))


@tenant_view("campaign.manage")
@require_POST
def campaign_new_from_clone(request):
    form = CloneForm(request.POST, campaigns=campaigns_for(request.membership))
    if not form.is_valid():
        return _campaigns_page(request, clone_form=form, status=400)
    try:
        campaign = campaign_clone(source=form.cleaned_data["source"], year=form.cleaned_data["year"],
                                  name=form.cleaned_data["name"], actor=request.user)
    except SchemeImportError as error:
        return _campaigns_page(request, clone_form=form, problems=error.messages, status=400)
    messages.success(request, _("已复制往年方案(不含台帐、评分等数据)。"))
    return redirect(_detail_url(request, campaign))


@tenant_view("campaign.manage")
@require_POST
def campaign_import(request):
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _campaigns_page(request, import_form=form, status=400)
    upload = form.cleaned_data["file"]
    year, name = form.cleaned_data["year"], form.cleaned_data["name"] or None
    tenant = request.membership.tenant
    try:
        if upload.name.lower().endswith(".json"):
            try:
                document = json.loads(upload.read().decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as exc:
                raise SchemeImportError([f"文件不是有效的 JSON:{exc}"]) from exc
            if isinstance(document, dict) and (year or name):
                meta = dict(document.get("campaign") or {})
                meta.update({k: v for k, v in (("year", year), ("name", name)) if v})
                document["campaign"] = meta
            campaign = scheme_document_import(tenant=tenant, document=document, actor=request.user)
        else:
            campaign = excel.workbook_import(tenant=tenant, fileobj=upload, actor=request.user, year=year, name=name)
    except excel.WorkbookError as error:
        return _campaigns_page(request, import_form=form, problems=[str(p) for p in error.problems], status=400)
    except SchemeImportError as error:
        return _campaigns_page(request, import_form=form, problems=error.messages, status=400)
    messages.success(request, _("方案已导入。"))
    return redirect(_detail_url(request, campaign))


@tenant_view("scheme.view")
@require_GET
def templates(request):
    return render(request, "indicators/templates.html", {
        "templates": all_templates(),
        "form": FromTemplateForm(),
        "can_manage": request.membership.can("campaign.manage"),
    })


def _detail_page(request, campaign, *, campaign_form=None, phases=None, category_form=None, unit_form=None,
                 problems=(), status=200):
    membership = request.membership
    initial = {
        p.phase: {"opens_on": p.opens_on, "deadline": p.deadline}
        for p in CampaignPhase.objects.filter(campaign=campaign)
    }
    enrolments = editor.enrolment_rows(campaign)
    if membership.is_liaison:
        enrolments = [row for row in enrolments if row["unit"].pk == membership.unit_id]
    return render(request, "indicators/campaign_detail.html", {
        "campaign": campaign,
        "campaign_form": campaign_form or CampaignForm(instance=campaign),
        "phases": phases or phase_forms(initial=initial),
        "category_form": category_form or CategoryForm(),
        "unit_form": unit_form or UnitForm(),
        "summaries": editor.category_summaries(campaign),
        "categories": list(categories_for(membership, campaign).order_by("order", "code")),
        "enrolments": enrolments,
        "problems": problems,
        "can_manage": membership.can("campaign.manage"),
        "can_edit": membership.can("scheme.edit") and campaign.phase == Phase.CONFIGURE,
        "can_units": membership.can("unit.manage") and campaign.phase == Phase.CONFIGURE,
        "can_export": membership.can("scheme.export"),
    }, status=status)


@tenant_view("scheme.view")
@require_GET
def campaign_detail(request, campaign_id):
    return _detail_page(request, access_campaign(request.membership, campaign_id))


@tenant_view("campaign.manage")
@require_POST
def campaign_update(request, campaign_id):
    campaign = access_campaign(request.membership, campaign_id)
    form = CampaignForm(request.POST, instance=campaign)
    if not form.is_valid():
        return _detail_page(request, campaign, campaign_form=form, status=400)
    form.instance.save(update_fields=["name", "document_number", "phase"])
    messages.success(request, _("已保存。"))
    return redirect(_detail_url(request, campaign))


@tenant_view("campaign.manage")
@require_POST
def phases_update(request, campaign_id):
    from indicators.services.campaign import campaign_phases_set

    campaign = access_campaign(request.membership, campaign_id)
    rows = phase_forms(request.POST)
    if not all(form.is_valid() for _phase, _label, form in rows):
        return _detail_page(request, campaign, phases=rows, status=400)
    campaign_phases_set(campaign=campaign, windows={
        phase: (form.cleaned_data["opens_on"], form.cleaned_data["deadline"]) for phase, _label, form in rows
    }, actor=request.user)
    messages.success(request, _("阶段时限已保存。"))
    return redirect(_detail_url(request, campaign))


@tenant_view("scheme.edit")
@require_POST
def category_add(request, campaign_id):
    campaign = access_campaign(request.membership, campaign_id)
    form = CategoryForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, campaign, category_form=form, status=400)
    try:
        category_create(campaign=campaign, code=form.cleaned_data["code"], name=form.cleaned_data["name"],
                        actor=request.user)
    except SchemeEditError as error:
        return _detail_page(request, campaign, category_form=form, problems=error.messages, status=400)
    messages.success(request, _("类别已添加。"))
    return redirect(_detail_url(request, campaign))


@tenant_view("unit.manage")
@require_POST
def enrolment_update(request, campaign_id):
    """One unit's place in the campaign: a category, survey only, or not taking part."""
    membership = request.membership
    campaign = access_campaign(membership, campaign_id)
    unit = access_unit(membership, request.POST.get("unit"))
    value = request.POST.get("place", "")
    category = None
    if value not in ("", "survey"):
        category = access_category(membership, campaign, value)
    try:
        enrolment_set(campaign=campaign, unit=unit, category=category, survey_only=value == "survey",
                      actor=request.user)
    except SchemeEditError as error:
        return _detail_page(request, campaign, problems=error.messages, status=400)
    messages.success(request, _("单位 %(code)s 已更新。") % {"code": unit.code})
    return redirect(_detail_url(request, campaign) + "#units")


@tenant_view("unit.manage")
@require_POST
def unit_add(request, campaign_id):
    """A new unit of the tenant, enrolled at once in the chosen category."""
    membership = request.membership
    campaign = access_campaign(membership, campaign_id)
    form = UnitForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, campaign, unit_form=form, status=400)
    value = request.POST.get("place", "")
    category = access_category(membership, campaign, value) if value not in ("", "survey") else None
    try:
        unit = unit_create(tenant=membership.tenant, code=form.cleaned_data["code"], name=form.cleaned_data["name"],
                           kind=form.cleaned_data["kind"], actor=request.user)
        enrolment_set(campaign=campaign, unit=unit, category=category, survey_only=value == "survey",
                      actor=request.user)
    except SchemeEditError as error:
        return _detail_page(request, campaign, unit_form=form, problems=error.messages, status=400)
    messages.success(request, _("单位已添加。"))
    return redirect(_detail_url(request, campaign) + "#units")


# ------------------------------------------------------------------------------------------------
# The tree editor
# ------------------------------------------------------------------------------------------------


def _tree_context(request, campaign, category, *, form=None, node=None, problems=(), message=""):
    membership = request.membership
    rows = editor.tree_rows(category)
    if membership.is_liaison:
        rows = [r for r in rows if r.node.unit_id in (None, membership.unit_id)]
    return {
        "campaign": campaign,
        "category": category,
        "categories": list(categories_for(membership, campaign).order_by("order", "code")),
        "rows": rows,
        "total": editor.tree_total(rows),
        "rules": CategoryRules.objects.filter(category=category).first(),
        "scheme_problems": editor.category_problems(category),
        "can_edit": membership.can("scheme.edit") and campaign.phase == Phase.CONFIGURE,
        "form": form,
        "editing": node,
        "problems": problems,
        "message": message,
    }


def _tree_response(request, campaign, category, status=200, **kwargs):
    context = _tree_context(request, campaign, category, **kwargs)
    template = "indicators/_tree_area.html" if request.htmx else "indicators/tree.html"
    return render(request, template, context, status=status)


def _category(request, campaign_id, category_id):
    campaign = access_campaign(request.membership, campaign_id)
    return campaign, access_category(request.membership, campaign, category_id)


@tenant_view("scheme.view")
@require_GET
def tree(request, campaign_id, category_id):
    campaign, category = _category(request, campaign_id, category_id)
    return _tree_response(request, campaign, category)


def _node_form(request, category, node=None, parent=None, data=None):
    nodes = list(nodes_for(request.membership, category).order_by("order", "code"))
    return NodeForm(data, category=category, node=node, nodes=nodes,
                    initial=None if data is not None else NodeForm.initial_for(node, parent))


@tenant_view("scheme.edit")
@require_GET
def node_new(request, campaign_id, category_id):
    campaign, category = _category(request, campaign_id, category_id)
    parent_id = request.GET.get("parent")
    parent = access_node(request.membership, category, parent_id) if parent_id else None
    return _tree_response(request, campaign, category, form=_node_form(request, category, parent=parent))


@tenant_view("scheme.edit")
@require_GET
def node_edit(request, campaign_id, category_id, node_id):
    campaign, category = _category(request, campaign_id, category_id)
    node = access_node(request.membership, category, node_id)
    return _tree_response(request, campaign, category, form=_node_form(request, category, node=node), node=node)


@tenant_view("scheme.edit")
@require_POST
def node_save(request, campaign_id, category_id, node_id=None):
    campaign, category = _category(request, campaign_id, category_id)
    node = access_node(request.membership, category, node_id) if node_id else None
    form = _node_form(request, category, node=node, data=request.POST)
    data = form.node_data()
    if data is None:
        return _tree_response(request, campaign, category, form=form, node=node, problems=form.problems, status=400)
    try:
        if node is None:
            saved = node_create(category=category, data=data, actor=request.user)
        else:
            saved = node_update(node=node, data=data, version=form.cleaned_data.get("version") or 0,
                                actor=request.user)
    except SchemeEditError as error:
        return _tree_response(request, campaign, category, form=form, node=node, problems=error.messages,
                              status=400)
    message = _("已保存 %(code)s %(name)s。") % {"code": saved.code, "name": saved.name}
    if request.htmx:
        return _tree_response(request, campaign, category, message=message)
    messages.success(request, message)
    return redirect(reverse("indicators:tree", kwargs={"tenant_slug": _slug(request), "campaign_id": campaign.pk,
                                                       "category_id": category.pk}))


@tenant_view("scheme.edit")
@require_POST
def node_move_view(request, campaign_id, category_id, node_id):
    campaign, category = _category(request, campaign_id, category_id)
    node = access_node(request.membership, category, node_id)
    try:
        node_move(node=node, direction="up" if request.POST.get("direction") == "up" else "down", actor=request.user)
    except SchemeEditError as error:
        return _tree_response(request, campaign, category, problems=error.messages, status=400)
    if request.htmx:
        return _tree_response(request, campaign, category)
    return redirect(reverse("indicators:tree", kwargs={"tenant_slug": _slug(request), "campaign_id": campaign.pk,
                                                       "category_id": category.pk}))


@tenant_view("scheme.edit")
@require_POST
def node_delete_view(request, campaign_id, category_id, node_id):
    campaign, category = _category(request, campaign_id, category_id)
    node = access_node(request.membership, category, node_id)
    label = f"{node.code} {node.name}"
    try:
        count = node_delete(node=node, actor=request.user)
    except SchemeEditError as error:
        return _tree_response(request, campaign, category, problems=error.messages, status=400)
    message = _("已删除 %(label)s(共 %(count)s 个指标)。") % {"label": label, "count": count}
    if request.htmx:
        return _tree_response(request, campaign, category, message=message)
    messages.success(request, message)
    return redirect(reverse("indicators:tree", kwargs={"tenant_slug": _slug(request), "campaign_id": campaign.pk,
                                                       "category_id": category.pk}))


@tenant_view("scheme.edit")
@require_POST
def rule_preview(request, campaign_id, category_id):
    """The one-line rule the editor's current inputs describe, and what the engine says of them."""
    campaign, category = _category(request, campaign_id, category_id)
    form = _node_form(request, category, data=request.POST)
    method = request.POST.get("method", "")
    params, problems = form.params()
    line = describe_rule(method, params, request.POST.get("points") or None) if method else ""
    if not problems and method:
        from evaluation.engine.params import to_decimal
        from indicators.services.tree import rule_problems

        problems = rule_problems(category=category, code=request.POST.get("code", ""), method=method, params=params,
                                 points=to_decimal(request.POST.get("points") or "0"))
    return render(request, "indicators/_rule_preview.html", {"line": line, "problems": problems})


# ------------------------------------------------------------------------------------------------
# Category rules: formula, grading, vetoes
# ------------------------------------------------------------------------------------------------


def _rules_page(request, campaign, category, *, values=None, problems=(), status=200, saved=False):
    rules = CategoryRules.objects.filter(category=category).first()
    entry = category_dict(category, [], rules)
    if values is None:
        values = rules_initial(entry, rules.survey_options if rules else [])
        sentences = describe_category(entry)
    else:
        sentences = None
    components = list(values["components"]) + [{} for _ in range(EXTRA_COMPONENT_ROWS)]
    return render(request, "indicators/rules.html", {
        "campaign": campaign, "category": category, "values": values, "components": components,
        "component_count": len(components), "sources": COMPONENT_SOURCES, "modes": COMPONENT_MODES,
        "grading_kinds": GRADING_KINDS, "veto_modes": VETO_MODES, "sentences": sentences,
        "problems": problems, "saved": saved,
        "can_edit": request.membership.can("scheme.edit") and campaign.phase == Phase.CONFIGURE,
    }, status=status)


@tenant_view("scheme.view")
@require_GET
def rules(request, campaign_id, category_id):
    campaign, category = _category(request, campaign_id, category_id)
    return _rules_page(request, campaign, category)


@tenant_view("scheme.edit")
@require_POST
def rules_save(request, campaign_id, category_id):
    campaign, category = _category(request, campaign_id, category_id)
    values, problems, echoed = rules_from_post(request.POST)
    if not problems:
        try:
            category_rules_update(category=category, rules=values, actor=request.user)
        except SchemeEditError as error:
            problems = error.messages
    if problems:
        return _rules_page(request, campaign, category, values=echoed, problems=problems, status=400)
    messages.success(request, _("公式与等次已保存。"))
    return redirect(reverse("indicators:rules", kwargs={"tenant_slug": _slug(request), "campaign_id": campaign.pk,
                                                        "category_id": category.pk}))


@tenant_view("scheme.edit")
@require_POST
def rules_preview(request, campaign_id, category_id):
    """The formula and grading as sentences, from the inputs as they are now (before saving)."""
    campaign, category = _category(request, campaign_id, category_id)
    values, problems, _echoed = rules_from_post(request.POST)
    entry = {**category_dict(category, node_rows([category]).get(category.pk, []), None), **engine_rules(values)}
    return render(request, "indicators/_rules_preview.html", {"sentences": describe_category(entry),
                                                              "problems": problems})


# ------------------------------------------------------------------------------------------------
# Export
# ------------------------------------------------------------------------------------------------


def _filename(campaign, ext: str) -> str:
    return f"scheme-{campaign.year}-{campaign.pk}.{ext}"


@tenant_view("scheme.export")
@require_GET
def export_xlsx(request, campaign_id):
    campaign = access_campaign(request.membership, campaign_id)
    response = HttpResponse(
        excel.scheme_workbook(campaign),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(campaign, "xlsx")}"'
    return response


@tenant_view("scheme.export")
@require_GET
def export_json(request, campaign_id):
    campaign = access_campaign(request.membership, campaign_id)
    body = json.dumps(scheme_document(campaign), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(campaign, "json")}"'
    return response
