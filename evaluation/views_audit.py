"""The audit trail (审计日志) for the office: browse with filters, export what the filters show."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode

from evaluation.access import campaigns_for, units_for
from evaluation.selectors import audit as audit_selectors
from evaluation.selectors.audit import FAMILIES, AuditFilters
from evaluation.tenancy import tenant_view


def _filtered(request) -> tuple[AuditFilters, object]:
    filters = AuditFilters.from_query(request.GET)
    events = audit_selectors.audit_events_filtered(audit_selectors.audit_events_for(request.membership), filters)
    return filters, events


def _actors(membership):
    """Everyone who ever acted in this tenant's trail, and its current members (to filter by)."""
    from evaluation.models import AuditEvent, Membership

    ids = set(Membership.objects.filter(tenant_id=membership.tenant_id).values_list("user_id", flat=True))
    ids |= set(AuditEvent.objects.filter(tenant_id=membership.tenant_id, actor__isnull=False)
               .values_list("actor_id", flat=True).distinct())
    return get_user_model().objects.filter(pk__in=ids).order_by("username")


@tenant_view("audit.view")
def audit_list(request):
    membership = request.membership
    filters, events = _filtered(request)
    page = Paginator(events, audit_selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "event": event,
            "actor": audit_selectors.actor_label(event),
            "role": audit_selectors.role_label(event.actor_role),
            "action": audit_selectors.action_label(event.action),
            "changes": audit_selectors.audit_changes(event),
        }
        for event in page.object_list
    ]
    query = urlencode(filters.as_query())
    return render(request, "evaluation/audit/list.html", {
        "page": page, "rows": rows, "filters": filters, "query": query,
        "campaigns": campaigns_for(membership), "units": units_for(membership),
        "families": list(FAMILIES.items()), "actors": _actors(membership),
    })


def _filename(extension: str) -> str:
    return f"audit-{timezone.localdate():%Y%m%d}.{extension}"


@tenant_view("audit.view")
def audit_export_xlsx(request):
    _filters, events = _filtered(request)
    response = HttpResponse(
        audit_selectors.audit_workbook(events),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response


@tenant_view("audit.view")
def audit_export_csv(request):
    _filters, events = _filtered(request)
    response = HttpResponse(audit_selectors.audit_csv(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response
