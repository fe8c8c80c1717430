"""Sample objects of tenant A for the route walk: they belong to ctx["unit"]."""

import datetime as dt
import uuid
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from evaluation.roles import Role
from tests import factories

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def samples(ctx) -> dict:
    from inspections.models import CatalogueItem, Complaint, Finding, Visit, VisitAssignment, VisitPhoto

    tenant, unit = ctx["tenant"], ctx["unit"]
    if "campaign" not in ctx:  # another app's samples may have made it already
        ctx["campaign"] = factories.make_campaign(tenant)
    campaign = ctx["campaign"]
    supervisor = factories.make_member(tenant, Role.SUPERVISOR)
    office_user = factories.make_user()
    item = CatalogueItem.objects.create(tenant=tenant, campaign=campaign, code="W1", finding="迟到", points=Decimal(1))
    assignment = VisitAssignment.objects.create(
        tenant=tenant, campaign=campaign, supervisor=supervisor, unit=unit, quarter=1, due_on=dt.date(2026, 3, 31)
    )
    visit = Visit.objects.create(
        tenant=tenant, key=uuid.uuid4(), campaign=campaign, unit=unit, supervisor=supervisor, mode="covert",
        visited_at=timezone.now(), status=Visit.Status.REVIEWED,
    )
    finding = Finding.objects.create(
        tenant=tenant, visit=visit, item=item, points_each=Decimal(1), status=Finding.Status.CONFIRMED
    )
    photo = VisitPhoto(tenant=tenant, key=uuid.uuid4(), visit=visit, content_type="image/png", extension="png",
                       size=len(PNG), sha256="0" * 64)
    photo.file.save("walk.png", ContentFile(PNG), save=False)
    photo.save()
    complaint = Complaint.objects.create(
        tenant=tenant, campaign=campaign, number="TS-1", received_on=dt.date(2026, 3, 1), summary="办事难",
        unit=unit, deadline=dt.date(2026, 3, 15), registered_by=office_user,
    )
    return {
        "item_id": item.pk,
        "assignment_id": assignment.pk,
        "visit_id": visit.pk,
        "finding_id": finding.pk,
        "photo_id": photo.pk,
        "complaint_id": complaint.pk,
        "quarter": 1,
        "key": visit.key,
    }
