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

import functools
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404

from evaluation.models import Department, Membership, Tenant, Unit

TENANT_KWARG = "tenant_slug"


def resolve_membership(user, tenant_slug: str) -> Membership:
    """The active membership of ``user`` in the tenant, or Http404 for anyone else.

    Read on every request, never cached: a revoked membership loses access at once. The
    membership comes with its tenant, unit and department (as ``select_related`` would give
    them) and the request's own user.
    """
    if not user or not user.is_authenticated:
        raise Http404("No such tenant")
    sql, joined = _membership_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [tenant_slug, user.pk])
        row = cursor.fetchone()
    if row is None:
        raise Http404("No such tenant")
    instances, start = {}, 0
    for name, model, fields in joined:
        values = row[start:start + len(fields)]
        start += len(fields)
        if values[fields.index(model._meta.pk)] is not None:  # no unit (department): the LEFT JOIN's NULLs
            instances[name] = instance_from_row(model, fields, values)
    membership = instances.pop("membership")
    for name, related in instances.items():
        setattr(membership, name, related)
    membership.user = user
    return membership


def instance_from_row(model, fields, values):
    """A model instance from the values of ``fields`` read in plain SQL, converted as the ORM
    converts them (SQLite, for one, returns datetimes as text); the model's other fields are
    deferred, as with ``only()``."""
    converted = list(values)
    for index, (col, converters) in enumerate(_converters(model, tuple(fields))):
        for converter in converters:
            converted[index] = converter(converted[index], col, connection)
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


@functools.cache
def _converters(model, fields: tuple) -> list[tuple]:
    """Each field's column and the converters the ORM applies to its values (as its compiler does)."""
    out = []
    for field in fields:
        col = field.get_col(model._meta.db_table)
        out.append((col, (*connection.ops.get_db_converters(col), *field.get_db_converters(connection))))
    return out


@functools.cache
def _membership_sql() -> tuple[str, list[tuple[str, type, list]]]:
    """The statement of :func:`resolve_membership` and the models and fields of its columns.

    In SQL: every tenant request runs it, and the ORM spends several times longer compiling
    this query than the database takes to answer it. At most one row: one membership per
    tenant and person.
    """
    q = connection.ops.quote_name
    column = Membership._meta.get_field
    joined = [("membership", Membership, "m"), ("tenant", Tenant, "t"), ("unit", Unit, "u"),
              ("department", Department, "d")]
    alias = {name: letter for name, _model, letter in joined}
    table = {name: q(model._meta.db_table) for name, model, _letter in joined}
    columns = [f"{letter}.{q(f.column)}" for _name, model, letter in joined for f in model._meta.concrete_fields]

    def join(name: str) -> str:
        return f"{alias[name]}.{q(column(name).related_model._meta.pk.column)} = m.{q(column(name).column)}"

    sql = (
        f"SELECT {', '.join(columns)} FROM {table['membership']} m "  # noqa: S608 - names from the models
        f"JOIN {table['tenant']} t ON {join('tenant')} "
        f"LEFT JOIN {table['unit']} u ON {join('unit')} "
        f"LEFT JOIN {table['department']} d ON {join('department')} "
        f"WHERE t.{q(Tenant._meta.get_field('slug').column)} = %s AND m.{q(column('user').column)} = %s "
        f"AND m.{q(column('is_active').column)} "
        "LIMIT 1"
    )
    return sql, [(name, model, list(model._meta.concrete_fields)) for name, model, _letter in joined]


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
