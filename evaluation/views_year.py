"""Pages for the year's work: targets, ledger, self-assessment, scoring sheets, vetoes, notices.

Thin: validate, fetch through the scoped accessors (a liaison only ever reaches its own unit),
call one service, render or redirect.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from evaluation.access import (
    access_campaign,
    access_evidence,
    access_leaf,
    access_ledger_entry,
    access_notification,
    access_target_item,
    access_unit,
    access_veto_decision,
    campaign_units_for,
    campaigns_for,
    ledger_entries_for,
)
from evaluation.models import (
    AssessedScore,
    CampaignSettings,
    LedgerEntry,
    Notification,
    Phase,
    SelfAssessmentSheet,
    TargetSheet,
    VetoDecision,
)
from evaluation.selectors import year as year_selectors
from evaluation.services import assessment as assessment_services
from evaluation.services import ledger as ledger_services
from evaluation.services import notifications as notification_services
from evaluation.services import self_assessment as self_services
from evaluation.services import targets as target_services
from evaluation.services import vetoes as veto_services
from evaluation.services.evidence import EvidenceError, evidence_read
from evaluation.tenancy import tenant_view

# ---------------------------------------------------------------------------------------------
# forms
# ---------------------------------------------------------------------------------------------


class TargetItemForm(forms.Form):
    parent = forms.TypedChoiceField(label=gettext_lazy("所属指标"), coerce=int)
    name = forms.CharField(label=gettext_lazy("目标名称"), max_length=200)
    points = forms.DecimalField(label=gettext_lazy("分值"), max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    description = forms.CharField(label=gettext_lazy("目标内容与完成标准"), widget=forms.Textarea(attrs={"rows": 3}),
                                  required=False)

    def __init__(self, *args, open_nodes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.nodes = {group.node.pk: group.node for group in open_nodes}
        self.fields["parent"].choices = [(pk, f"{n.code} {n.name}") for pk, n in self.nodes.items()]


class LedgerEntryForm(forms.Form):
    unit = forms.TypedChoiceField(label=gettext_lazy("被考评单位"), coerce=int)
    rule = forms.ChoiceField(label=gettext_lazy("指标与计分事项"))
    quantity = forms.DecimalField(label=gettext_lazy("数量"), max_digits=12, decimal_places=2, initial=1,
                                  min_value=Decimal("0.01"))
    occurred_on = forms.DateField(label=gettext_lazy("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    source_document = forms.CharField(label=gettext_lazy("来源文号"), max_length=200, required=False)
    event_key = forms.CharField(label=gettext_lazy("事项标识(同一事项就高扣分一次)"), max_length=120, required=False)
    exempt = forms.ChoiceField(label=gettext_lazy("免扣"), choices=LedgerEntry.Exempt.choices, required=False)
    joint_role = forms.ChoiceField(label=gettext_lazy("联办"), choices=LedgerEntry.JointRole.choices, required=False)
    note = forms.CharField(label=gettext_lazy("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, units=(), options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.pk: u for u in units}
        self.options = {o.value: o for o in options}
        self.fields["unit"].choices = [("", "—")] + [(u.pk, f"{u.code} {u.name}") for u in units]
        self.fields["rule"].choices = [("", "—")] + [
            (o.value, f"{o.node.code} {o.node.name} · {o.label}({'−' if o.kind == 'deduction' else '+'}{o.unit_value})")
            for o in options
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("理由"), widget=forms.Textarea(attrs={"rows": 3}))


class LedgerReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("处理"), widget=forms.RadioSelect,
        choices=[("confirm", gettext_lazy("确认(维持登记)")), ("void", gettext_lazy("撤销"))],
    )
    reason = forms.CharField(label=gettext_lazy("理由"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class VetoForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("意见"), choices=VetoDecision.Decision.choices,
                                 widget=forms.RadioSelect)
    reason = forms.CharField(label=gettext_lazy("理由"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = CampaignSettings
        fields = ["appeal_days", "reminder_days"]


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _files(request, name: str = "files"):
    """Every uploaded file checked by content; the first bad one raises EvidenceError."""
    return [evidence_read(upload) for upload in request.FILES.getlist(name) if upload.name]


def _back(request, fallback: str):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def _url(request, name: str, **kwargs) -> str:
    return reverse(f"year:{name}", kwargs={"tenant_slug": request.tenant.slug, **kwargs})


def _decimal(text: str | None) -> Decimal | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(text) from exc


def _campaign_unit_ids(membership, campaign) -> list[int]:
    return list(campaign_units_for(membership, campaign).filter(survey_only=False).values_list("unit_id", flat=True))


def _evaluated_unit(membership, campaign, unit_id):
    unit = access_unit(membership, unit_id)
    if unit.pk not in _campaign_unit_ids(membership, campaign):
        raise Http404("No such unit in this campaign")
    return unit


# ---------------------------------------------------------------------------------------------
# hub
# ---------------------------------------------------------------------------------------------


@tenant_view("campaign.view")
def index(request):
    return render(request, "evaluation/year/index.html", {"campaigns": campaigns_for(request.membership)})


@tenant_view("campaign.view")
def campaign_hub(request, campaign_id):
    membership = request.membership
    campaign = access_campaign(membership, campaign_id)
    context = {"campaign": campaign, "deadlines": {
        "targets": year_selectors.phase_deadline(campaign, Phase.TARGETS),
        "year_end": year_selectors.phase_deadline(campaign, Phase.YEAR_END),
    }}
    if membership.is_liaison:
        context["own_unit"] = membership.unit
        context["target_sheet"] = TargetSheet.objects.filter(campaign=campaign, unit=membership.unit).first()
        context["self_sheet"] = year_selectors.self_sheet(campaign, membership.unit)
        context["ledger_count"] = ledger_entries_for(membership, campaign).count()
        context["enrolled"] = membership.unit_id in _campaign_unit_ids(membership, campaign)
    else:
        links = [
            ("targets", "scheme.view", _("指标细化")),
            ("ledger", "ledger.view", _("台帐")),
            ("self_overview", "assessment.view", _("自评情况")),
            ("assessment", "assessment.view", _("考评组评分")),
            ("vetoes", "veto.view", _("一票否决")),
            ("settings", "campaign.manage", _("申诉期限与提醒设置")),
        ]
        context["links"] = [
            {"url": _url(request, name, campaign_id=campaign.pk), "label": label}
            for name, action, label in links
            if membership.can(action)
        ]
    return render(request, "evaluation/year/campaign.html", context)


@tenant_view("campaign.manage")
def campaign_settings(request, campaign_id):
    campaign = access_campaign(request.membership, campaign_id)
    instance = CampaignSettings.objects.filter(campaign=campaign).first() or CampaignSettings(
        tenant_id=campaign.tenant_id, campaign=campaign
    )
    form = SettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("设置已保存。"))
        return redirect(_url(request, "campaign", campaign_id=campaign.pk))
    return render(request, "evaluation/year/settings.html", {"campaign": campaign, "form": form})


# ---------------------------------------------------------------------------------------------
# targets (指标细化)
# ---------------------------------------------------------------------------------------------


@tenant_view("scheme.view")
def targets(request, campaign_id):
    membership = request.membership
    campaign = access_campaign(membership, campaign_id)
    if membership.is_liaison:
        return redirect(_url(request, "target_sheet", campaign_id=campaign.pk, unit_id=membership.unit_id))
    enrolments = list(campaign_units_for(membership, campaign).filter(survey_only=False))
    sheets = year_selectors.target_sheets(campaign, [e.unit for e in enrolments])
    rows = [{"unit": e.unit, "category": e.category, "sheet": sheets.get(e.unit_id)} for e in enrolments]
    return render(request, "evaluation/year/targets.html", {
        "campaign": campaign, "rows": rows, "deadline": year_selectors.phase_deadline(campaign, Phase.TARGETS),
    })


@tenant_view("scheme.view")
def target_sheet(request, campaign_id, unit_id):
    membership = request.membership
    campaign = access_campaign(membership, campaign_id)
    unit = _evaluated_unit(membership, campaign, unit_id)
    enrolment = year_selectors.enrolment_of(campaign, unit)
    sheet = TargetSheet.objects.filter(campaign=campaign, unit=unit).first()
    groups = year_selectors.open_nodes(enrolment.category_id, sheet)
    can_edit = membership.can("targets.edit") and (sheet is None or sheet.editable)
    return render(request, "evaluation/year/target_sheet.html", {
        "campaign": campaign, "unit": unit, "sheet": sheet, "groups": groups,
        "rounds": sheet.rounds.select_related("submitted_by", "reviewed_by") if sheet else [],
        "can_edit": can_edit,
        "can_review": membership.can("targets.review") and sheet is not None
        and sheet.status == TargetSheet.Status.SUBMITTED,
        "form": TargetItemForm(open_nodes=groups) if can_edit else None,
        "deadline": year_selectors.phase_deadline(campaign, Phase.TARGETS),
        "deadline_passed": year_selectors.deadline_passed(campaign, Phase.TARGETS),
    })


@tenant_view("targets.edit")
@require_POST
def target_item_add(request, campaign_id, unit_id):
    membership = request.membership
    campaign = access_campaign(membership, campaign_id)
    unit = _evaluated_unit(membership, campaign, unit_id)
    back = _url(request, "target_sheet", campaign_id=campaign.pk, unit_id=unit.pk)
    try:
        sheet = target_services.target_sheet_get_or_create(campaign=campaign, unit=unit)
        groups = year_selectors.open_nodes(year_selectors.enrolment_of(campaign, unit).category_id)
        form = TargetItemForm(request.POST, open_nodes=groups)
        if not form.is_valid():
            messages.error(request, _("请检查填写:") + "; ".join(
                f"{form.fields[f].label}: {' '.join(e)}" if f in form.fields else " ".join(e)
                for f, e in form.errors.items()))
            return redirect(back)
        data = form.cleaned_data
        target_services.target_item_save(sheet=sheet, parent=form.nodes[data["parent"]], name=data["name"],
                                         points=data["points"], description=data["description"])
        messages.success(request, _("已添加目标“%(name)s”。") % {"name": data["name"]})
    except target_services.TargetError as exc:
        messages.error(request, str(exc))
    return redirect(back)


@tenant_view("targets.edit")
def target_item_edit(request, campaign_id, target_item_id):
    membership = request.membership
    campaign = access_campaign(membership, campaign_id)
    item = access_target_item(membership, campaign, target_item_id)
    unit = item.sheet.unit
    back = _url(request, "target_sheet", campaign_id=campaign.pk, unit_id=unit.pk)
    groups = year_selectors.open_nodes(year_selectors.enrolment_of(campaign, unit).category_id)
    form = TargetItemForm(request.POST or None, open_nodes=groups, initial={
        "parent": item.parent_id, "name": item.name, "points": item.points, "description": item.description})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target_services.target_item_save(sheet=item.sheet, item=item, parent=form.nodes[data["parent"]],
                                             name=data["name"], points=data["points"],
                                             description=data["description"])
            messages.success(request, _("目标已修改。"))
            return redirect(back)
        except target_services.TargetError as exc:
            form.add_error(None, str(exc))
    return render(request, "evaluation/year/target_item_edit.html", {
        "campaign": campaign, "unit": unit, "item": item, "form": form, "back": back})


@tenant_view("targets.edit")
@require_POST
def target_item_delete(request, campaign_id, target_item_id):
    campaign = access_campaign(request.membership, campaign_id)
    item = access_target_item(request.membership, campaign, target_item_id)
    try:
        target_services.target_item_delete(item=item)
        messages.success(request, _("目标已删除。"))
    except target_services.TargetError as exc:
        messages.error(request, str(exc))
    return redirect(_url(request, "target_sheet", campaign_id=campaign.pk, unit_id=item.sheet.unit_id))


@tenant_view("targets.edit")
@require_POST
def target_submit(request, campaign_id, unit_id):
    campaign = access_campaign(request.membership, campaign_id)
    unit = _evaluated_unit(request.membership, campaign, unit_id)
    try:
        sheet = target_services.target_sheet_get_or_create(campaign=campaign, unit=unit)
        round_ = target_services.target_sheet_submit(sheet=sheet, actor=request.user)
        messages.success(request, _("已提交第 %(n)s 轮,等待效能办审核。") % {"n": round_.number})
    except target_services.TargetError as exc:
        messages.error(request, str(exc))
    return redirect(_url(request, "target_sheet", campaign_id=campaign.pk, unit_id=unit.pk))


@tenant_view("targets.review")
@require_POST
def target_review(request, campaign_id, unit_id):
    campaign = access_campaign(request.membership, campaign_id)
    unit = _evaluated_unit(request.membership, campaign, unit_id)
    sheet = TargetSheet.objects.filter(campaign=campaign, unit=unit, tenant_id=request.tenant.pk).first()
    if sheet is None:
        raise Http404("No targets")
    decisions = {
        item.pk: (request.POST.get(f"decision-{item.pk}", ""), request.POST.get(f"comment-{item.pk}", ""))
        for item in sheet.items.all()
    }
    try:
        sheet = target_services.target_sheet_review(sheet=sheet, actor=request.user, decisions=decisions)
        messages.success(request, _("已批准并冻结。") if sheet.status == TargetSheet.Status.APPROVED
                         else _("已退回单位修改。"))
    except target_services.TargetError as exc:
        messages.error(request, str(exc))
    return redirect(_url(request, "target_sheet", campaign_id=campaign.pk, unit_id=unit.pk))


# ---------------------------------------------------------------------------------------------
# ledger (台帐)
# ---------------------------------------------------------------------------------------------


@tenant_view("ledger.view")
def ledger(request, campaign_id):
    membership = request.membership
    campaign = access_campaign(membership, campaign_id)
    units = [e.unit for e in campaign_units_for(membership, campaign).filter(survey_only=False)]
    unit_id = request.GET.get("unit") if not membership.is_liaison else None
    status = request.GET.get("status") if request.GET.get("status") in LedgerEntry.Status.values else None
    entries = list(year_selectors.ledger_list(
        ledger_entries_for(membership, campaign), unit_id=unit_id if unit_id and unit_id.isdigit() else None,
        status=status))
    for entry in entries:
        entry.can_appeal = membership.can("ledger.appeal") and ledger_services.ledger_entry_can_appeal(entry)
        entry.appeal_until = ledger_services.appeal_deadline(entry)
    return render(request, "evaluation/year/ledger.html", {
        "campaign": campaign, "entries": entries, "units": units, "statuses": LedgerEntry.Status.choices,
        "selected_unit": unit_id, "selected_status": status,
        "can_file": membership.can("ledger.file"), "can_review": membership.can("ledger.review"),
        "can_download": membership.can("evidence.download"),
    })


@tenant_view("ledger.file")
def ledger_new(request, campaign_id):
    membership = request.membership
    campaign = access_campaign(membership, campaign_id)
    units = [e.unit for e in campaign_units_for(membership, campaign).filter(survey_only=False)]
    options = year_selectors.ledger_rule_options(campaign, membership)
    form = LedgerEntryForm(request.POST or None, units=units, options=options,
                           initial={"unit": request.GET.get("unit")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        option = form.options[data["rule"]]
        try:
            entry = ledger_services.ledger_entry_file_as(
                membership=membership, campaign=campaign, unit=form.units[data["unit"]], node=option.node,
                rule_key=option.rule_key, occurred_on=data["occurred_on"], quantity=data["quantity"],
                source_document=data["source_document"], event_key=data["event_key"], exempt=data["exempt"] or "",
                joint_role=data["joint_role"] or "", note=data["note"], files=_files(request),
            )
            messages.success(request, _("已登记台帐 #%(id)s:%(points)s 分。") % {"id": entry.pk, "points": entry.points})
            return redirect(_url(request, "ledger", campaign_id=campaign.pk))
        except (ledger_services.LedgerError, EvidenceError) as exc:
            form.add_error(None, str(exc))
    return render(request, "evaluation/year/ledger_new.html", {
        "campaign": campaign, "form": form, "has_options": bool(options)})


@tenant_view("ledger.file")
def ledger_import(request, campaign_id):
    membership = request.membership
    campaign = access_campaign(membership, campaign_id)
    errors = []
    if request.method == "POST":
        upload = request.FILES.get("sheet")
        if upload is None:
            errors = [(0, _("请选择要导入的 Excel 文件。"))]
        else:
            try:
                entries = ledger_services.ledger_import(membership=membership, campaign=campaign,
                                                        content=upload.read())
                messages.success(request, _("已导入 %(n)s 条台帐。") % {"n": len(entries)})
                return redirect(_url(request, "ledger", campaign_id=campaign.pk))
            except ledger_services.LedgerImportError as exc:
                errors = exc.errors
    return render(request, "evaluation/year/ledger_import.html", {
        "campaign": campaign, "errors": errors, "columns": ledger_services.IMPORT_COLUMNS},
        status=400 if errors else 200)


@tenant_view("ledger.file")
def ledger_template(request, campaign_id):
    campaign = access_campaign(request.membership, campaign_id)
    response = HttpResponse(
        ledger_services.ledger_import_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="ledger-{campaign.year}.xlsx"'
    return response


@tenant_view("ledger.appeal")
def ledger_appeal(request, campaign_id, entry_id):
    membership = request.membership
    campaign = access_campaign(membership, campaign_id)
    entry = access_ledger_entry(membership, campaign, entry_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ledger_services.ledger_entry_appeal(entry=entry, actor=request.user, reason=form.cleaned_data["reason"],
                                                files=_files(request))
            messages.success(request, _("申诉已提交,等待效能办处理。"))
            return redirect(_url(request, "ledger", campaign_id=campaign.pk))
        except (ledger_services.LedgerError, EvidenceError) as exc:
            form.add_error(None, str(exc))
    return render(request, "evaluation/year/ledger_appeal.html", {
        "campaign": campaign, "entry": entry, "form": form,
        "appeal_until": ledger_services.appeal_deadline(entry),
        "can_appeal": ledger_services.ledger_entry_can_appeal(entry)})


@tenant_view("ledger.review")
def ledger_review(request, campaign_id, entry_id):
    membership = request.membership
    campaign = access_campaign(membership, campaign_id)
    entry = access_ledger_entry(membership, campaign, entry_id)
    form = LedgerReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "void":
                ledger_services.ledger_entry_void(entry=entry, actor=request.user, reason=data["reason"])
                messages.success(request, _("台帐 #%(id)s 已撤销。") % {"id": entry.pk})
            else:
                ledger_services.ledger_entry_confirm(entry=entry, actor=request.user, reason=data["reason"])
                messages.success(request, _("台帐 #%(id)s 已确认。") % {"id": entry.pk})
            return redirect(_url(request, "ledger", campaign_id=campaign.pk))
        except ledger_services.LedgerError as exc:
            form.add_error(None, str(exc))
    return render(request, "evaluation/year/ledger_review.html", {
        "campaign": campaign, "entry": entry, "form": form,
        "appeals": entry.appeals.prefetch_related("evidence").select_related("filed_by", "decided_by"),
        "evidence": entry.evidence.all()})


# ---------------------------------------------------------------------------------------------
# self-assessment (自评) and evidence
# ---------------------------------------------------------------------------------------------


@tenant_view("assessment.view")
def self_overview(request, campaign_id):
    membership = request.membership
    campaign = access_campaign(membership, campaign_id)
    enrolments = list(campaign_units_for(membership, campaign).filter(survey_only=False))
    sheets = {s.unit_id: s for s in SelfAssessmentSheet.objects.filter(campaign=campaign)}
    return render(request, "evaluation/year/self_overview.html", {
        "campaign": campaign, "rows": [{"unit": e.unit, "sheet": sheets.get(e.unit_id)} for e in enrolments],
        "deadline": year_selectors.phase_deadline(campaign, Phase.YEAR_END),
        "can_reopen": membership.can("selfassessment.reopen")})


@tenant_view("selfassessment.edit")
def self_sheet(request, campaign_id, unit_id):
    membership = request.membership
    campaign = access_campaign(membership, campaign_id)
    unit = _evaluated_unit(membership, campaign, unit_id)
    sheet = year_selectors.self_sheet(campaign, unit)
    entries = year_selectors.self_entries(campaign, unit)
    rows = [{"node": leaf, "entry": entries.get(leaf.pk)} for leaf in year_selectors.unit_leaves(campaign, unit)]
    passed = year_selectors.deadline_passed(campaign, Phase.YEAR_END)
    editable = (sheet is None or sheet.status == SelfAssessmentSheet.Status.DRAFT) and (
        passed is None or (sheet is not None and sheet.reopened_at is not None))
    return render(request, "evaluation/year/self_sheet.html", {
        "campaign": campaign, "unit": unit, "sheet": sheet, "rows": rows, "editable": editable,
        "deadline": year_selectors.phase_deadline(campaign, Phase.YEAR_END), "deadline_passed": passed,
        "max_mb": max(1, settings.FILE_UPLOAD_MAX_BYTES // (1024 * 1024)),
    })


@tenant_view("selfassessment.edit")
@require_POST
def self_save(request, campaign_id, unit_id, leaf_id):
    membership = request.membership
    campaign = access_campaign(membership, campaign_id)
    unit = _evaluated_unit(membership, campaign, unit_id)
    node = access_leaf(membership, campaign, leaf_id)
    back = _url(request, "self_sheet", campaign_id=campaign.pk, unit_id=unit.pk) + f"#leaf-{node.pk}"
    try:
        score = _decimal(request.POST.get("score"))
    except ValueError:
        messages.error(request, _("%(code)s:自评分“%(v)s”不是数字。") % {"code": node.code, "v": request.POST.get("score")})
        return redirect(back)
    try:
        sheet = self_services.self_sheet_get_or_create(campaign=campaign, unit=unit)
        self_services.self_assessment_save(sheet=sheet, node=node, actor=request.user, score=score,
                                           narrative=request.POST.get("narrative", ""), files=_files(request))
        messages.success(request, _("%(code)s %(name)s 已保存(草稿)。") % {"code": node.code, "name": node.name})
    except (self_services.SelfAssessmentError, EvidenceError) as exc:
        messages.error(request, f"{node.code} {node.name}:{exc}")
    return redirect(back)


@tenant_view("selfassessment.edit")
@require_POST
def self_submit(request, campaign_id, unit_id):
    campaign = access_campaign(request.membership, campaign_id)
    unit = _evaluated_unit(request.membership, campaign, unit_id)
    try:
        sheet = self_services.self_sheet_get_or_create(campaign=campaign, unit=unit)
        self_services.self_sheet_submit(sheet=sheet, actor=request.user)
        messages.success(request, _("自评已提交。"))
    except self_services.SelfAssessmentError as exc:
        messages.error(request, str(exc))
    return redirect(_url(request, "self_sheet", campaign_id=campaign.pk, unit_id=unit.pk))


@tenant_view("selfassessment.reopen")
@require_POST
def self_reopen(request, campaign_id, unit_id):
    campaign = access_campaign(request.membership, campaign_id)
    unit = _evaluated_unit(request.membership, campaign, unit_id)
    sheet = year_selectors.self_sheet(campaign, unit)
    try:
        if sheet is None:
            raise self_services.SelfAssessmentError(_("该单位尚未开始自评。"))
        self_services.self_sheet_reopen(sheet=sheet, actor=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("已退回 %(unit)s 重新填写。") % {"unit": unit.name})
    except self_services.SelfAssessmentError as exc:
        messages.error(request, str(exc))
    return redirect(_url(request, "self_overview", campaign_id=campaign.pk))


@tenant_view("selfassessment.edit")
@require_POST
def self_evidence_delete(request, campaign_id, evidence_id):
    campaign = access_campaign(request.membership, campaign_id)
    evidence = access_evidence(request.membership, evidence_id)
    if evidence.campaign_id != campaign.pk:
        raise Http404("No such file")
    try:
        self_services.self_evidence_remove(evidence=evidence)
        messages.success(request, _("附件“%(name)s”已删除。") % {"name": evidence.original_name})
    except self_services.SelfAssessmentError as exc:
        messages.error(request, str(exc))
    return redirect(_url(request, "self_sheet", campaign_id=campaign.pk, unit_id=evidence.unit_id))


@tenant_view("evidence.download")
def evidence_download(request, evidence_id):
    evidence = access_evidence(request.membership, evidence_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("File missing") from exc
    inline = evidence.content_type in ("application/pdf", "image/jpeg", "image/png")
    response = FileResponse(handle, as_attachment=not inline, filename=evidence.original_name,
                            content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


# ---------------------------------------------------------------------------------------------
# assessors' scoring sheets (考评组评分)
# ---------------------------------------------------------------------------------------------


@tenant_view("assessment.view")
def assessment(request, campaign_id):
    membership = request.membership
    campaign = access_campaign(membership, campaign_id)
    enrolments = list(campaign_units_for(membership, campaign).filter(survey_only=False))
    from evaluation.engine.methods import METHODS
    from indicators.models import IndicatorNode

    leaves = IndicatorNode.objects.filter(
        tenant_id=campaign.tenant_id, category__campaign=campaign,
        method__in=[n for n, m in METHODS.items() if m.input == "assessed"],
    ).select_related("category", "unit").order_by("category__order", "code")
    return render(request, "evaluation/year/assessment.html", {
        "campaign": campaign, "enrolments": enrolments, "leaves": leaves,
        "reconcile": year_selectors.reconciliation_rows(campaign) if membership.can("assessment.reconcile") else [],
    })


def _render_sheet(request, campaign, title, rows, mode):
    return render(request, "evaluation/year/scoring_sheet.html", {
        "campaign": campaign, "title": title, "rows": rows, "mode": mode,
        "can_score": request.membership.can("assessment.score"),
        "verifications": AssessedScore.Verification.choices,
        "can_download": request.membership.can("evidence.download"),
    })


@tenant_view("assessment.view")
def scoring_unit(request, campaign_id, unit_id):
    campaign = access_campaign(request.membership, campaign_id)
    unit = _evaluated_unit(request.membership, campaign, unit_id)
    leaves = list(year_selectors.unit_leaves(campaign, unit, assessed_only=True))
    rows = year_selectors.scoring_rows(campaign, [(unit, leaf) for leaf in leaves], request.user)
    return _render_sheet(request, campaign, f"{unit.code} {unit.name}", rows, "unit")


@tenant_view("assessment.view")
def scoring_leaf(request, campaign_id, leaf_id):
    membership = request.membership
    campaign = access_campaign(membership, campaign_id)
    leaf = access_leaf(membership, campaign, leaf_id)
    enrolments = campaign_units_for(membership, campaign).filter(category_id=leaf.category_id)
    if leaf.unit_id:
        enrolments = enrolments.filter(unit_id=leaf.unit_id)
    rows = year_selectors.scoring_rows(campaign, [(e.unit, leaf) for e in enrolments], request.user)
    return _render_sheet(request, campaign, f"{leaf.code} {leaf.name}", rows, "leaf")


@tenant_view("assessment.score")
@require_POST
def scoring_save(request, campaign_id):
    membership = request.membership
    campaign = access_campaign(membership, campaign_id)
    default_verification = request.POST.get("verification_default", "")
    saved, errors = 0, []
    for key in request.POST.getlist("row"):
        unit_id, _sep, leaf_id = key.partition("-")
        unit = _evaluated_unit(membership, campaign, unit_id)
        node = access_leaf(membership, campaign, leaf_id)
        score_text = request.POST.get(f"score-{key}", "")
        tier = request.POST.get(f"tier-{key}", "")
        if not score_text.strip() and not tier:
            continue  # not scored yet
        try:
            assessment_services.assessed_score_save(
                campaign=campaign, unit=unit, node=node, assessor=request.user,
                score=_decimal(score_text) if node.method != "tiered" else None,
                tier=tier, tier_adjustment=request.POST.get(f"adj-{key}", ""),
                verification=request.POST.get(f"verification-{key}") or default_verification,
                comment=request.POST.get(f"comment-{key}", ""),
            )
            saved += 1
        except ValueError as exc:  # AssessmentError, or a score that is not a number
            errors.append(str(exc) if isinstance(exc, assessment_services.AssessmentError)
                          else _("%(unit)s · %(code)s:得分“%(v)s”不是数字。") % {
                              "unit": unit.name, "code": node.code, "v": score_text})
    if saved:
        messages.success(request, _("已保存 %(n)s 项评分。") % {"n": saved})
    for error in errors:
        messages.error(request, error)
    return _back(request, _url(request, "assessment", campaign_id=campaign.pk))


@tenant_view("assessment.reconcile")
@require_POST
def reconcile(request, campaign_id):
    campaign = access_campaign(request.membership, campaign_id)
    chosen = AssessedScore.objects.filter(
        tenant_id=request.tenant.pk, campaign=campaign, pk=request.POST.get("score") or 0
    ).select_related("unit", "node").first()
    if chosen is None:
        raise Http404("No such score")
    assessment_services.assessed_score_reconcile(campaign=campaign, chosen=chosen, actor=request.user)
    messages.success(request, _("%(unit)s · %(code)s 已采用 %(who)s 的评分。") % {
        "unit": chosen.unit.name, "code": chosen.node.code, "who": chosen.assessor})
    return redirect(_url(request, "assessment", campaign_id=campaign.pk))


# ---------------------------------------------------------------------------------------------
# vetoes (一票否决)
# ---------------------------------------------------------------------------------------------


@tenant_view("veto.view")
def vetoes(request, campaign_id):
    membership = request.membership
    campaign = access_campaign(membership, campaign_id)
    enrolments = list(campaign_units_for(membership, campaign).filter(survey_only=False))
    units = [e.unit for e in enrolments]
    departments = list(year_selectors.veto_departments(campaign))
    matrix = year_selectors.veto_matrix(campaign, units)
    rows = [{"unit": unit, "cells": [matrix.get((unit.pk, d.pk)) for d in departments],
             "mine": matrix.get((unit.pk, membership.department_id)) if membership.department_id else None}
            for unit in units]
    return render(request, "evaluation/year/vetoes.html", {
        "campaign": campaign, "departments": departments, "rows": rows,
        "can_decide": membership.can("veto.decide") and membership.department_id is not None,
        "department": membership.department})


@tenant_view("veto.decide")
def veto_decide(request, campaign_id, unit_id):
    membership = request.membership
    campaign = access_campaign(membership, campaign_id)
    unit = _evaluated_unit(membership, campaign, unit_id)
    current = VetoDecision.objects.filter(campaign=campaign, unit=unit, department_id=membership.department_id).first()
    form = VetoForm(request.POST or None, initial={"decision": current.decision, "reason": current.reason}
                    if current else None)
    if request.method == "POST" and form.is_valid():
        try:
            document = _files(request, "document")
            veto_services.veto_decide(
                campaign=campaign, unit=unit, department=membership.department, actor=request.user,
                decision=form.cleaned_data["decision"], reason=form.cleaned_data["reason"],
                document=document[0] if document else None)
            messages.success(request, _("已记录对 %(unit)s 的意见。") % {"unit": unit.name})
            return redirect(_url(request, "vetoes", campaign_id=campaign.pk))
        except (veto_services.VetoError, EvidenceError) as exc:
            form.add_error(None, str(exc))
    return render(request, "evaluation/year/veto_decide.html", {
        "campaign": campaign, "unit": unit, "form": form, "current": current,
        "department": membership.department})


@tenant_view("veto.view")
def veto_document(request, campaign_id, decision_id):
    campaign = access_campaign(request.membership, campaign_id)
    decision = access_veto_decision(request.membership, campaign, decision_id)
    if not decision.document:
        raise Http404("No document")
    try:
        handle = decision.document.open("rb")
    except FileNotFoundError as exc:
        raise Http404("File missing") from exc
    extension = PurePath(decision.document.name).suffix
    name = f"veto-{decision.unit.code}-{decision.department.code}{extension}"
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------------------------------------
# notifications (消息提醒)
# ---------------------------------------------------------------------------------------------


@tenant_view("notifications.view")
def notifications(request):
    rows = Notification.objects.filter(tenant_id=request.tenant.pk, user=request.user)[:200]
    return render(request, "evaluation/year/notifications.html", {"rows": rows})


@tenant_view("notifications.view")
@require_POST
def notification_open(request, notification_id):
    notification = access_notification(request.membership, notification_id)
    notification_services.notification_mark_read(notification=notification)
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts={request.get_host()}):
        return redirect(notification.url)
    return redirect(_url(request, "notifications"))


@tenant_view("notifications.view")
@require_POST
def notifications_read(request):
    notification_services.notifications_mark_all_read(tenant_id=request.tenant.pk, user=request.user)
    return redirect(_url(request, "notifications"))

