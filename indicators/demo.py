"""The demo's scheme: worked example A's campaign from the Nanping template, its units enrolled.

Idempotent: a second run finds the campaign and changes nothing.
"""

from __future__ import annotations

from django.db import transaction

from evaluation.models import Campaign, CampaignUnit, Category, Unit

DEMO_YEAR = 2026
DEMO_CAMPAIGN = "2026年度市直部门绩效评估和效能考评"
DEMO_ENROLMENT = {"C1": ("U1", "U2", "U3", "U6"), "C2": ("U4", "U5")}


@transaction.atomic
def load(tenant) -> Campaign:
    from indicators.services.scheme import campaign_from_template

    campaign = Campaign.objects.filter(tenant=tenant, year=DEMO_YEAR, name=DEMO_CAMPAIGN).first()
    if campaign is None:
        campaign = campaign_from_template(
            tenant=tenant, template_key="nanping", year=DEMO_YEAR, name=DEMO_CAMPAIGN, actor=None
        )
    categories = {c.code: c for c in Category.objects.filter(campaign=campaign)}
    units = {u.code: u for u in Unit.objects.filter(tenant=tenant)}
    enrolled = set(CampaignUnit.objects.filter(campaign=campaign).values_list("unit__code", flat=True))
    for category_code, codes in DEMO_ENROLMENT.items():
        for code in codes:
            if code in units and code not in enrolled and category_code in categories:
                CampaignUnit.objects.create(
                    tenant=tenant, campaign=campaign, unit=units[code], category=categories[category_code]
                )
    return campaign
