from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.models import Membership, Unit
from evaluation.roles import Role
from indicators.models import IndicatorNode
from inspections.models import Outcome


def _leaves(campaign):
    return (
        IndicatorNode.objects.filter(tenant_id=campaign.tenant_id, category__campaign=campaign)
        .exclude(method="")
        .select_related("category")
        .order_by("category__order", "order", "code")
    )


class CatalogueItemForm(forms.Form):
    code = forms.CharField(label=_("编号"), max_length=40)
    finding = forms.CharField(label=_("问题"), max_length=300)
    node = forms.ModelChoiceField(label=_("对应指标"), queryset=IndicatorNode.objects.none(), required=False)
    points = forms.DecimalField(label=_("每次扣分"), max_digits=8, decimal_places=2, min_value=0.01)
    notes = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = _leaves(campaign)


class CatalogueImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件(编号、问题、指标编号、每次扣分、说明)"))


class AssignmentForm(forms.Form):
    supervisor = forms.ModelChoiceField(label=_("监督员"), queryset=Membership.objects.none())
    unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.none())
    quarter = forms.TypedChoiceField(label=_("季度"), coerce=int, choices=[(q, _("第%d季度") % q) for q in range(1, 5)])
    due_on = forms.DateField(label=_("完成期限"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = Membership.objects.filter(
            tenant_id=campaign.tenant_id, role=Role.SUPERVISOR, is_active=True
        ).select_related("user")
        self.fields["supervisor"].label_from_instance = lambda m: m.user.get_full_name() or m.user.username
        self.fields["unit"].queryset = Unit.objects.filter(
            tenant_id=campaign.tenant_id, campaign_entries__campaign=campaign
        ).order_by("code")


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirmed", _("确认")), ("rejected", _("不予认定"))])
    reason = forms.CharField(label=_("理由"), required=False, max_length=2000)


class AppealForm(forms.Form):
    reason = forms.CharField(label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("upheld", _("申诉成立")), ("dismissed", _("驳回申诉"))])
    reason = forms.CharField(label=_("处理意见"), max_length=4000)


class ComplaintForm(forms.Form):
    number = forms.CharField(label=_("编号"), max_length=60)
    received_on = forms.DateField(label=_("收件日期"), widget=forms.DateInput(attrs={"type": "date"}))
    complainant = forms.CharField(label=_("投诉人"), max_length=200, required=False)
    summary = forms.CharField(label=_("投诉事项"), widget=forms.Textarea(attrs={"rows": 3}))
    unit = forms.ModelChoiceField(label=_("承办单位"), queryset=Unit.objects.none())
    deadline = forms.DateField(label=_("办理期限"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(
            tenant_id=campaign.tenant_id, campaign_entries__campaign=campaign
        ).order_by("code")


class ComplaintRuleForm(forms.Form):
    outcome = forms.ChoiceField(label=_("情形"), choices=Outcome.choices)
    node = forms.ModelChoiceField(label=_("指标"), queryset=IndicatorNode.objects.none())
    rule_key = forms.CharField(label=_("扣分事项(计分参数中的 key)"), max_length=60)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = _leaves(campaign).filter(method="deduct_per_occurrence")


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 3}), max_length=8000)


class ComplaintDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", _("办结")), ("return", _("退回重办")), ("contrary", _("与事实不符"))]
    )
    reason = forms.CharField(label=_("理由"), required=False, max_length=4000)
    new_deadline = forms.DateField(label=_("新的办理期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
