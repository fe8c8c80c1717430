"""Base classes every tenant API route inherits (PostHog's routing, NetBox's viewsets).

The tenant comes from the URL, never from the payload; the queryset is filtered on the tenant
by the base whatever the subclass returns, and each action is checked against the role table.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpResponse
from rest_framework import exceptions, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from evaluation.caching import cache_get, cache_set, revalidated
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


def kept_rendered(view, key: str, data: Callable[[], object], *, seconds: int, keep: bool = True):
    """An answer read from something that never changes once written (a result revision), kept
    rendered under ``key``: the key must name everything the body depends on (revision, who asks
    and what they may see, the URL) and is the ETag too, so a client holding it gets 304.

    ``data()`` makes the serializer's output when the body is not kept. JSON bodies are kept
    (``keep=False``: too large to be worth it); the browsable API is for people, made afresh and
    given no ETag (the key names the JSON body)."""
    request = view.request
    renderer = request.accepted_renderer
    if renderer.format != "json":
        return Response(data())

    def make():
        if not keep:
            return Response(data())
        body = cache_get(key, seconds=seconds)
        if body is None:
            body = renderer.render(data(), request.accepted_media_type, view.get_renderer_context())
            cache_set(key, body, seconds=seconds)
        return HttpResponse(body, content_type=renderer.media_type)

    return revalidated(request, f'"{key[-32:]}"', make, vary=("Cookie", "Authorization"))
