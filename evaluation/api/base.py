"""Base classes every tenant API route inherits (PostHog's routing, NetBox's viewsets).

The tenant comes from the URL, never from the payload; the queryset is filtered on the tenant
by the base whatever the subclass returns, and each action is checked against the role table.
"""

from __future__ import annotations

from django.http import Http404
from rest_framework import exceptions, viewsets
from rest_framework.views import APIView

from evaluation.tenancy import TENANT_KWARG, resolve_membership


class TenantScopedMixin:
    #: action name (list, retrieve, create, …, or "get"/"post" for APIView) -> role-table action
    action_permissions: dict[str, str] = {}
    #: used for any action not named above
    default_permission: str | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        slug = kwargs.get(TENANT_KWARG)
        if slug is None:
            raise Http404("No such tenant")
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        membership = resolve_membership(request.user, slug)
        request.membership = membership
        request.tenant = membership.tenant
        # keep the Django request in step (templates, accessors reading request._request)
        request._request.membership = membership
        request._request.tenant = membership.tenant
        needed = self._needed_action(request)
        if needed is None or not membership.can(needed):
            raise exceptions.PermissionDenied(f"Your role may not {needed}")

    def _needed_action(self, request) -> str | None:
        name = getattr(self, "action", None) or request.method.lower()
        return self.action_permissions.get(name, self.default_permission)

    @property
    def membership(self):
        return self.request.membership


class TenantAPIView(TenantScopedMixin, APIView):
    """A plain tenant endpoint; set ``action_permissions`` by HTTP method ("get", "post")."""


class TenantViewSet(TenantScopedMixin, viewsets.GenericViewSet):
    """Subclasses implement :meth:`scoped_queryset`; the tenant filter is applied here regardless."""

    def scoped_queryset(self, membership):
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular introspection
            return self.queryset.none() if self.queryset is not None else None
        queryset = self.scoped_queryset(self.request.membership)
        return queryset.filter(tenant_id=self.request.membership.tenant_id)
