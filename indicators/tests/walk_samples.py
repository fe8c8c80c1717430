"""Sample objects for the route walk: a node in the category of evaluation's samples."""

from decimal import Decimal

from tests import factories


def samples(ctx) -> dict:
    from indicators.models import IndicatorNode

    # setdefault would build its default even when the key exists: create only what's missing
    if "campaign" not in ctx:
        ctx["campaign"] = factories.make_campaign(ctx["tenant"])
    campaign = ctx["campaign"]
    if "category" not in ctx:
        ctx["category"] = factories.make_category(campaign)
    category = ctx["category"]
    if "indicator_node" not in ctx:
        ctx["indicator_node"] = IndicatorNode.objects.create(
            tenant=ctx["tenant"], category=category, code="W-LEAF", name="walk leaf", points=Decimal(10),
            method="manual",
        )
    node = ctx["indicator_node"]
    return {"node_id": node.pk, "template_key": "nanping", "campaign_id": campaign.pk, "category_id": category.pk}
