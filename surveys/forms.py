from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.models import Campaign, Category, Unit
from surveys.models import EvaluatorGroup, Stratum, Survey
from surveys.services.setup import OptionSpec


class SurveyForm(forms.Form):
    campaign = forms.ModelChoiceField(Campaign.objects.none(), label=_("年度方案"))
    key = forms.SlugField(label=_("标识"), max_length=40, initial="public",
                          help_text=_("计分公式中的来源 survey:<标识>"))
    name = forms.CharField(label=_("名称"), max_length=200)
    double_entry = forms.BooleanField(label=_("纸质问卷双录入"), required=False)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.filter(tenant=tenant)


class DemocraticForm(forms.Form):
    campaign = forms.ModelChoiceField(Campaign.objects.none(), label=_("年度方案"))
    key = forms.SlugField(label=_("标识"), max_length=40, initial="democratic",
                          help_text=_("计分公式中的来源 democratic:<标识>"))
    name = forms.CharField(label=_("名称"), max_length=200)
    units = forms.ModelMultipleChoiceField(Unit.objects.none(), label=_("测评单位"))

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.filter(tenant=tenant)
        self.fields["units"].queryset = Unit.objects.filter(tenant=tenant)


class EpollSettingsForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["name", "epoll_enabled", "identification", "opens_at", "closes_at", "purpose", "double_entry",
                  "ip_hourly_limit"]
        widgets = {
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "purpose": forms.Textarea(attrs={"rows": 3}),
        }


def parse_options(text: str) -> list[OptionSpec]:
    """Lines "满意=100", "不了解" (no points: don't know)."""
    options = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        label, _sep, points = line.partition("=")
        label = label.strip()
        if not label:
            raise forms.ValidationError(_("选项名称不能为空"))
        try:
            value = Decimal(points.strip()) if points.strip() else None
        except InvalidOperation as exc:
            raise forms.ValidationError(_("分值应为数字:%(line)s") % {"line": line}) from exc
        options.append(OptionSpec(label, value))
    if not options:
        raise forms.ValidationError(_("至少需要一个选项"))
    return options


class QuestionnaireForm(forms.Form):
    name = forms.CharField(label=_("问卷名称"), max_length=200)
    category = forms.ModelChoiceField(Category.objects.none(), label=_("类别"), required=False)
    units = forms.ModelMultipleChoiceField(Unit.objects.none(), label=_("评议单位"), required=False,
                                           help_text=_("不选则评议所选类别的全部单位"))
    options = forms.CharField(
        label=_("选项及分值"), widget=forms.Textarea(attrs={"rows": 5}),
        initial="满意=100\n基本满意=80\n一般=60\n不满意=0\n不了解",
        help_text=_("每行一个选项;不写分值的选项为“不了解”,不计入平均分"),
    )

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.fields["category"].queryset = Category.objects.filter(campaign=survey.campaign)
        self.fields["units"].queryset = Unit.objects.filter(
            tenant_id=survey.tenant_id, campaign_entries__campaign=survey.campaign
        )

    def clean_options(self):
        return parse_options(self.cleaned_data["options"])

    def clean(self):
        data = super().clean()
        units = list(data.get("units") or [])
        if not units and data.get("category"):
            units = list(Unit.objects.filter(campaign_entries__category=data["category"]).order_by("code"))
        if not units:
            raise forms.ValidationError(_("请选择评议单位或类别"))
        data["unit_list"] = units
        return data


class StratumForm(forms.Form):
    code = forms.CharField(label=_("代码"), max_length=40)
    name = forms.CharField(label=_("名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=Stratum.Kind.choices)
    quota = forms.IntegerField(label=_("配额"), min_value=0, initial=0)
    population_share = forms.DecimalField(label=_("总体比例"), required=False, min_value=0, max_value=1,
                                          decimal_places=6, help_text=_("各层都填写时按层加权(事后分层)"))


class BatchForm(forms.Form):
    questionnaire = forms.ModelChoiceField(Survey.objects.none(), label=_("问卷"))
    stratum = forms.ModelChoiceField(Stratum.objects.none(), label=_("调查点/层"), required=False)
    label = forms.CharField(label=_("批次号"), max_length=60)
    double_entry = forms.BooleanField(label=_("双录入"), required=False)

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].queryset = survey.questionnaires.all()
        self.fields["stratum"].queryset = survey.strata.all()
        self.fields["double_entry"].initial = survey.double_entry


class GroupForm(forms.Form):
    code = forms.SlugField(label=_("代码"), max_length=40)
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=EvaluatorGroup.Kind.choices)
    weight = forms.DecimalField(label=_("权重"), required=False, min_value=0, decimal_places=4)
    budget = forms.DecimalField(label=_("分值"), required=False, min_value=0, decimal_places=2)


class TokensForm(forms.Form):
    group = forms.ModelChoiceField(EvaluatorGroup.objects.none(), label=_("测评对象组"))
    count = forms.IntegerField(label=_("数量"), min_value=1, max_value=5000)

    def __init__(self, *args, evaluation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = evaluation.groups.all()
