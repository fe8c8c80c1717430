"""The one tenancy mechanism.

* Every tenant route carries ``<slug:tenant_slug>`` in its URL; :class:`evaluation.middleware.
  TenantMiddleware` resolves the tenant and the person's membership once per request.
* HTML views are wrapped by :func:`tenant_view` (action checked against the role table); API
  views inherit :class:`evaluation.api.base.TenantAPIView` / ``TenantViewSet``.
* ``evaluation.checks`` refuses to start when a tenant route is served by anything else, and
  ``tests/test_tenant_walk.py`` walks every route with outsiders and under-privileged roles.

An outsider gets the same 404 for "missing" and "someone else's" (Zulip's access_stream_common).
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from evaluation.models import Membership, Tenant

TENANT_KWARG = "tenant_slug"


def resolve_membership(user, tenant_slug: str) -> Membership:
    """The active membership of ``user`` in the tenant, or Http404 for anyone else."""
    if not user or not user.is_authenticated:
        raise Http404("No such tenant")
    membership = (
        Membership.objects.select_related("tenant", "unit", "department", "user")
        .filter(tenant__slug=tenant_slug, user=user, is_active=True)
        .first()
    )
    if membership is None:
        raise Http404("No such tenant")
    return membership


def require_action(membership: Membership, action: str) -> None:
    if not membership.can(action):
        raise PermissionDenied(f"Your role may not {action}")


def tenant_view(action: str):
    """Mark and guard an HTML view served under a tenant URL.

    The middleware has already resolved ``request.membership`` (or answered 404/redirect); here
    the role table decides. The marker attribute lets the start-up check prove every tenant
    route is guarded.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            membership = getattr(request, "membership", None)
            if membership is None:  # defensive: middleware missing or route misconfigured
                raise Http404("No such tenant")
            require_action(membership, action)
            kwargs.pop(TENANT_KWARG, None)
            return view(request, *args, **kwargs)

        wrapped.kaoping_tenant_action = action
        return wrapped

    return decorator


def public_view(view):
    """Mark a view that is deliberately outside any tenant (login, e-poll, ballot by token)."""
    view.kaoping_public = True
    return view


__all__ = ["TENANT_KWARG", "Tenant", "public_view", "require_action", "resolve_membership", "tenant_view"]
