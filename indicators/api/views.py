"""The scheme over the API: the scheme document of a campaign (GET, PUT to replace), a new
campaign from a document or from a template, the template library."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from evaluation.access import access_campaign
from evaluation.api.base import TenantAPIView
from indicators.selectors.scheme import scheme_document
from indicators.services.scheme import SchemeImportError, campaign_from_template, scheme_document_import
from indicators.templates_library import all_templates, load_template


def _problems(error: SchemeImportError) -> Response:
    return Response({"problems": error.messages}, status=status.HTTP_400_BAD_REQUEST)


def _created(campaign) -> Response:
    return Response({"id": campaign.pk, "year": campaign.year, "name": campaign.name}, status=status.HTTP_201_CREATED)


class SchemeDocumentView(TenantAPIView):
    """GET: the campaign's scheme document (docs/scheme-document.md). PUT: replace the campaign's
    scheme with a document (while the campaign is being configured); all problems or nothing."""

    action_permissions = {"get": "scheme.export", "put": "scheme.edit"}

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, tenant_slug, campaign_id):
        return Response(scheme_document(access_campaign(self.membership, campaign_id)))

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT})
    def put(self, request, tenant_slug, campaign_id):
        campaign = access_campaign(self.membership, campaign_id)
        try:
            scheme_document_import(tenant=self.membership.tenant, document=request.data, actor=request.user,
                                   campaign=campaign)
        except SchemeImportError as error:
            return _problems(error)
        return Response(scheme_document(campaign))


class SchemeImportView(TenantAPIView):
    """POST a scheme document: a new campaign (year and name from its ``campaign`` block)."""

    action_permissions = {"post": "campaign.manage"}

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT})
    def post(self, request, tenant_slug):
        try:
            campaign = scheme_document_import(tenant=self.membership.tenant, document=request.data, actor=request.user)
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
