"""A campaign's own settings edited with its scheme: phase windows (阶段时限)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.db import transaction

from evaluation.models import Campaign, CampaignPhase


@transaction.atomic
def campaign_phases_set(
    *, campaign: Campaign, windows: Mapping[str, tuple[datetime.date | None, datetime.date | None]], actor
) -> None:
    """Set each phase's window; a phase with neither date is removed."""
    existing = {p.phase: p for p in CampaignPhase.objects.select_for_update().filter(campaign=campaign)}
    for phase, (opens_on, deadline) in windows.items():
        row = existing.get(phase)
        if opens_on is None and deadline is None:
            if row is not None:
                row.delete()
            continue
        if row is None:
            CampaignPhase.objects.create(
                tenant_id=campaign.tenant_id, campaign=campaign, phase=phase, opens_on=opens_on, deadline=deadline
            )
        elif (row.opens_on, row.deadline) != (opens_on, deadline):
            row.opens_on, row.deadline = opens_on, deadline
            row.save(update_fields=["opens_on", "deadline"])
