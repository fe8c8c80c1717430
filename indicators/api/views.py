"""The scheme over the API: the scheme document of a campaign (GET, PUT to replace), a new
campaign from a document or from a template, the template library."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from evaluation.access import access_campaign
from evaluation.api.base import TenantAPIView
from evaluation.models import Campaign
from indicators.models import CategoryRules, IndicatorNode
from indicators.selectors.scheme import VERSION_KEY, scheme_document, scheme_document_version
from indicators.services.scheme import SchemeImportError, campaign_from_template, scheme_document_import
from indicators.templates_library import all_templates, load_template

# Raw OpenAPI schemas: the document's own shape is docs/scheme-document.md (checked by the
# importer, all problems at once), but the version a PUT must carry is part of the contract.
_VERSION_FIELD = {
    "type": "string",
    "description": "SHA-256 (hex) of the document's canonical JSON without this field, as the GET returned it",
}
SCHEME_DOCUMENT_OUT = {
    "type": "object",
    "properties": {"format": {"type": "string"}, VERSION_KEY: _VERSION_FIELD},
    "required": ["format", VERSION_KEY],
    "additionalProperties": True,
}
SCHEME_DOCUMENT_IN = {
    "type": "object",
    "properties": {VERSION_KEY: _VERSION_FIELD},
    "required": [VERSION_KEY],
    "additionalProperties": True,
}
_PROBLEMS = {"problems": {"type": "array", "items": {"type": "string"}}}
#: a 400 names every problem of the document (or, for a body that isn't JSON, DRF's ``detail``)
PROBLEMS_OUT = {"type": "object", "properties": _PROBLEMS}
CONFLICT_OUT = {"type": "object", "properties": _PROBLEMS, "required": ["problems"]}


def _problems(error: SchemeImportError) -> Response:
    return Response({"problems": error.messages}, status=status.HTTP_400_BAD_REQUEST)


def _without_version(document: Any) -> Any:
    """The document as the importer reads it: ``version`` is the API's, not part of a scheme."""
    if isinstance(document, Mapping):
        return {key: value for key, value in document.items() if key != VERSION_KEY}
    return document


def _created(campaign) -> Response:
    return Response({"id": campaign.pk, "year": campaign.year, "name": campaign.name}, status=status.HTTP_201_CREATED)


class SchemeDocumentView(TenantAPIView):
    """GET: the campaign's scheme document (docs/scheme-document.md) with its ``version``. PUT:
    replace the campaign's scheme with a document (while the campaign is being configured); all
    problems or nothing. The PUT must carry the ``version`` it was edited from: when the scheme
    has changed since (someone else's PUT, or an edit in the scheme editor), it is refused with
    409 and nothing is saved, instead of silently overwriting that change."""

    action_permissions = {"get": "scheme.export", "put": "scheme.edit"}

    @extend_schema(responses={200: SCHEME_DOCUMENT_OUT})
    def get(self, request, tenant_slug, campaign_id):
        return Response(scheme_document(access_campaign(self.membership, campaign_id), versioned=True))

    @extend_schema(
        request={"application/json": SCHEME_DOCUMENT_IN},
        responses={200: SCHEME_DOCUMENT_OUT, 400: PROBLEMS_OUT, 409: CONFLICT_OUT},
    )
    def put(self, request, tenant_slug, campaign_id):
        campaign = access_campaign(self.membership, campaign_id)
        document = request.data
        version = document.get(VERSION_KEY) if isinstance(document, Mapping) else None
        if isinstance(document, Mapping) and not (isinstance(version, str) and version):
            message = _("缺少“version”字段:请先获取方案文档(GET),修改后连同其中的 version 原样提交")
            return Response({"problems": [message]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            with transaction.atomic():
                # The campaign row serialises PUTs: a second one waits here until the first has
                # committed, then compares against the scheme the first one wrote. The scheme's
                # own rows are locked too, so an edit in the scheme editor (which locks the row
                # it saves) is either in the version read below or waits for the replacement.
                campaign = Campaign.objects.select_for_update().get(pk=campaign.pk, tenant=self.membership.tenant)
                for model in (IndicatorNode, CategoryRules):
                    rows = model.objects.select_for_update(of=("self",)).filter(category__campaign=campaign)
                    list(rows.values_list("pk", flat=True))
                if isinstance(document, Mapping) and version != scheme_document_version(scheme_document(campaign)):
                    message = _("方案已被他人修改,请重新获取后再提交")
                    return Response({"problems": [message]}, status=status.HTTP_409_CONFLICT)
                scheme_document_import(tenant=self.membership.tenant, document=_without_version(document),
                                       actor=request.user, campaign=campaign)
        except SchemeImportError as error:
            return _problems(error)
        return Response(scheme_document(campaign, versioned=True))


class SchemeImportView(TenantAPIView):
    """POST a scheme document: a new campaign (year and name from its ``campaign`` block)."""

    action_permissions = {"post": "campaign.manage"}

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT, 400: PROBLEMS_OUT})
    def post(self, request, tenant_slug):
        # a document fetched from another campaign's GET carries that campaign's version
        document = _without_version(request.data)
        try:
            campaign = scheme_document_import(tenant=self.membership.tenant, document=document, actor=request.user)
        except SchemeImportError as error:
            return _problems(error)
        return _created(campaign)


class TemplateOutput(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    source = serializers.CharField()


class TemplateListView(TenantAPIView):
    """The template library."""

    action_permissions = {"get": "scheme.view"}

    @extend_schema(responses={200: TemplateOutput(many=True)})
    def get(self, request, tenant_slug):
        return Response(TemplateOutput(all_templates(), many=True).data)


class FromTemplateInput(serializers.Serializer):
    year = serializers.IntegerField(min_value=1990, max_value=2100)
    name = serializers.CharField(max_length=200)


class CampaignFromTemplateView(TenantAPIView):
    """POST {year, name}: a new campaign whose scheme reproduces the template."""

    action_permissions = {"post": "campaign.manage", "get": "scheme.view"}

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, tenant_slug, template_key):
        try:
            template = load_template(template_key)
        except KeyError:
            return Response({"detail": "No such template"}, status=status.HTTP_404_NOT_FOUND)
        return Response({"key": template.key, "name": template.name, "source": template.source,
                         "document": template.document})

    @extend_schema(request=FromTemplateInput, responses={201: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT})
    def post(self, request, tenant_slug, template_key):
        data = FromTemplateInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            load_template(template_key)
        except KeyError:
            return Response({"detail": "No such template"}, status=status.HTTP_404_NOT_FOUND)
        try:
            campaign = campaign_from_template(tenant=self.membership.tenant, template_key=template_key,
                                              actor=request.user, **data.validated_data)
        except SchemeImportError as error:
            return _problems(error)
        return _created(campaign)
