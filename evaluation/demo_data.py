"""Worked example A's inputs for the demo tenant, entered through the product's own services.

Runs after the apps' demo hooks (indicators creates the campaign from the Nanping template,
surveys enters the ballots, inspections the confirmed findings). Idempotent: when the campaign
already holds ledger entries, nothing is entered again.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from evaluation.models import Campaign, Department, LedgerEntry, Unit
from evaluation.services.ledger import ledger_entry_file
from evaluation.services.measures import leaf_measure_set
from evaluation.services.vetoes import veto_decide
from indicators.models import IndicatorNode

DEMO_YEAR = 2026

# (unit, category, leaf, rule key, quantity, event key, exempt) — domain section 12's inputs column
LEDGER = [
    ("U1", "C1", "1.2.1", "unfinished", 1, "", ""),
    ("U1", "C1", "2.1.1", "nonstandard", 1, "", ""),
    ("U1", "C1", "3.1.1", "overdue", 1, "", ""),
    ("U1", "C1", "3.1.1", "overdue", 1, "", "self_corrected"),
    ("U1", "C1", "4.1", "county", 1, "work-X", ""),
    ("U1", "C1", "4.1", "city", 1, "work-X", ""),
    ("U1", "C1", "4.1", "province", 1, "work-Y", ""),
    ("U2", "C1", "1.2.2", "late_reply", 1, "", ""),
    ("U2", "C1", "4.1", "national", 1, "work-Z", ""),
    ("U3", "C1", "1.2.1", "unfinished", 5, "", ""),
    ("U3", "C1", "1.2.2", "late_reply", 6, "", ""),
    ("U3", "C1", "2.1.1", "missed_quarter", 1, "", ""),
    ("U3", "C1", "2.1.1", "nonstandard", 1, "", ""),
    ("U3", "C1", "3.1.1", "overdue", 3, "", ""),
    ("U6", "C1", "4.1", "city", 1, "work-W", ""),
    ("U4", "C2", "1.2", "late_submission", 1, "", ""),
    ("U4", "C2", "2.1", "late_arrival", 3, "", ""),
]
BONUS_RULES = {"county", "city", "province", "national"}
MEASURES = [
    ("U1", "C1", "1.1.1", "18"), ("U1", "C1", "2.2.1", "100"),
    ("U2", "C1", "1.1.1", "20"), ("U2", "C1", "2.2.1", "96"),
    ("U3", "C1", "1.1.1", "12"), ("U3", "C1", "2.2.1", "90"),
    ("U6", "C1", "1.1.1", "20"), ("U6", "C1", "2.2.1", "100"),
    ("U4", "C2", "2.2", "4"), ("U5", "C2", "2.2", "7"),
]
CHECKLISTS = [("U4", "C2", "1.1", ["no_leading_group"]), ("U5", "C2", "1.1", [])]


@transaction.atomic
def load(tenant) -> None:
    campaign = Campaign.objects.filter(tenant=tenant, year=DEMO_YEAR).order_by("pk").first()
    if campaign is None or LedgerEntry.objects.filter(campaign=campaign).exists():
        return
    users = get_user_model().objects
    office, veto_user = users.get(username="office"), users.get(username="veto")
    units = {u.code: u for u in Unit.objects.filter(tenant=tenant)}
    nodes = {
        (n.category.code, n.code): n
        for n in IndicatorNode.objects.filter(category__campaign=campaign).select_related("category")
    }
    for number, (unit, category, leaf, rule_key, quantity, event_key, exempt) in enumerate(LEDGER, start=1):
        ledger_entry_file(
            campaign=campaign,
            unit=units[unit],
            node=nodes[(category, leaf)],
            kind="bonus" if rule_key in BONUS_RULES else "deduction",
            rule_key=rule_key,
            quantity=Decimal(quantity),
            occurred_on=dt.date(DEMO_YEAR, 3 + number % 9, 1 + number),
            source_document=f"南效〔{DEMO_YEAR}〕{number}号",
            event_key=event_key,
            exempt=exempt,
            filed_by=office,
        )
    for unit, category, leaf, value in MEASURES:
        leaf_measure_set(campaign=campaign, unit=units[unit], node=nodes[(category, leaf)], actor=office, value=value)
    for unit, category, leaf, items in CHECKLISTS:
        leaf_measure_set(campaign=campaign, unit=units[unit], node=nodes[(category, leaf)], actor=office, items=items)
    # Excellence needs every veto authority's sign-off: the work-safety bureau signs the others off.
    work_safety = Department.objects.get(tenant=tenant, code="aj")
    for code in ("U1", "U2", "U3", "U4", "U5", "U6"):
        veto_decide(
            campaign=campaign,
            unit=units[code],
            department=work_safety,
            actor=veto_user,
            decision="vetoed" if code == "U6" else "signed_off",
            reason="发生较大安全生产责任事故" if code == "U6" else "",
        )
