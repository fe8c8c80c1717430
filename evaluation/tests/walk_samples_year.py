"""Walk samples for the year's routes (evaluation/urls_year.py, evaluation/api/urls_year.py).

Every object belongs to ctx["unit"] of ctx["tenant"], so each permitted role reaches it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile

from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def samples(ctx) -> dict:
    from evaluation.models import (
        Department,
        Evidence,
        LedgerEntry,
        Notification,
        TargetItem,
        TargetSheet,
        VetoDecision,
    )
    from indicators.models import IndicatorNode

    tenant, unit = ctx["tenant"], ctx["unit"]
    # setdefault's argument is evaluated eagerly: create only what no other app made yet
    if "campaign" not in ctx:
        ctx["campaign"] = factories.make_campaign(tenant)
    campaign = ctx["campaign"]
    if "category" not in ctx:
        ctx["category"] = factories.make_category(campaign)
    category = ctx["category"]
    if "enrolment" not in ctx:
        ctx["enrolment"] = factories.enrol(campaign, unit, category)
    user = factories.make_user()
    root = IndicatorNode.objects.create(tenant=tenant, category=category, code="Y1", name="年度工作", points=30)
    open_node = IndicatorNode.objects.create(tenant=tenant, category=category, parent=root, code="Y1.1",
                                             name="职能目标", points=10, open_for_targets=True)
    manual = IndicatorNode.objects.create(tenant=tenant, category=category, parent=root, code="Y1.2",
                                          name="重点工作", points=10, method="manual")
    deduct = IndicatorNode.objects.create(
        tenant=tenant, category=category, parent=root, code="Y1.3", name="投诉办理", points=10,
        method="deduct_per_occurrence",
        params={"kinds": [{"key": "overdue", "label": "逾期", "deduction": "2"}], "floor": True},
    )
    sheet = TargetSheet.objects.create(tenant=tenant, campaign=campaign, unit=unit)
    item = TargetItem.objects.create(tenant=tenant, sheet=sheet, parent=open_node, name="目标", points=Decimal(10))
    entry = LedgerEntry.objects.create(
        tenant=tenant, campaign=campaign, unit=unit, node=deduct, kind="deduction", rule_key="overdue",
        points=Decimal(2), occurred_on=dt.date(2026, 3, 1), filed_by=user,
    )
    evidence = Evidence(tenant=tenant, campaign=campaign, unit=unit, ledger_entry=entry, original_name="a.pdf",
                        content_type="application/pdf", size=len(PDF), sha256="0" * 64, uploaded_by=user)
    evidence.file.save(f"evidence/{tenant.pk}/walk-sample.pdf", ContentFile(PDF), save=False)
    evidence.save()
    department = Department.objects.create(tenant=tenant, code="YVETO", name="安监", kind=Department.Kind.VETO)
    decision = VetoDecision(tenant=tenant, campaign=campaign, unit=unit, department=department,
                            decision="vetoed", reason="事故", decided_by=user)
    decision.document.save(f"vetoes/{tenant.pk}/walk-sample.pdf", ContentFile(PDF), save=False)
    decision.save()
    notification = Notification.objects.create(tenant=tenant, user=user, kind="test", message="m")
    return {
        "target_item_id": item.pk,
        "entry_id": entry.pk,
        "evidence_id": evidence.pk,
        "leaf_id": manual.pk,
        "decision_id": decision.pk,
        "notification_id": notification.pk,
    }
