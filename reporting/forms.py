from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.models import BulletinJob


class SubmitForm(forms.Form):
    reason = forms.CharField(label=_("更正理由(更正已公布结果时必填)"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class PublishForm(forms.Form):
    document_number = forms.CharField(label=_("通报文号"), max_length=100)


class BulletinForm(forms.Form):
    kind = forms.ChoiceField(choices=BulletinJob.Kind.choices)


class RectificationFileForm(forms.Form):
    report = forms.CharField(label=_("整改报告"), widget=forms.Textarea(attrs={"rows": 8}))


class RectificationReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("通过")), ("return", _("退回修改"))])
    comment = forms.CharField(label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
