"""Assessors' verification (符合性验证) on the scoring sheet, and the office's reconciliation.

One assessor on an item: the score is final. Two or more: final when they agree; when they
differ none is final (the computation then reports the leaf missing) until the office picks one.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from evaluation.models import AssessedScore, Campaign, Unit
from evaluation.selectors.year import unit_leaves
from evaluation.services.audit import audit_record, audit_snapshot
from evaluation.services.ledger import unit_recompute_schedule

TIER_ADJUSTMENTS = ("+", "0", "-")


class AssessmentError(ValueError):
    """A score refused; the message names the unit and leaf."""


_AUDIT_FIELDS = ["score", "tier", "tier_adjustment", "verification", "comment", "is_final"]


def _audit_label(unit: Unit, node) -> str:
    return f"{unit.code} · {node.code} {node.name}"


def _same(a: AssessedScore, b: AssessedScore) -> bool:
    return (a.score, a.tier, a.tier_adjustment) == (b.score, b.tier, b.tier_adjustment)


def _settle_finality(campaign: Campaign, unit: Unit, node) -> None:
    scores = list(AssessedScore.objects.select_for_update().filter(campaign=campaign, unit=unit, node=node))
    agree = all(_same(scores[0], other) for other in scores[1:]) if scores else True
    for score in scores:
        if score.is_final != agree:
            score.is_final = agree
            score.save(update_fields=["is_final"])


@transaction.atomic
def assessed_score_save(
    *, campaign: Campaign, unit: Unit, node, assessor, score: Decimal | None = None, tier: str = "",
    tier_adjustment: str = "", verification: str, comment: str = "",
) -> AssessedScore:
    """Record one assessor's verified score of a unit's leaf, then recompute the unit."""
    where = f"{unit.name} · {node.code} {node.name}"
    if not unit_leaves(campaign, unit, assessed_only=True).filter(pk=node.pk).exists():
        raise AssessmentError(_("%(where)s:不是由考评组评分的指标。") % {"where": where})
    if verification not in AssessedScore.Verification.values:
        raise AssessmentError(_("%(where)s:请选择核验方式。") % {"where": where})
    if node.method == "tiered":
        codes = [t.get("code") for t in (node.params or {}).get("tiers", [])]
        if tier not in codes:
            raise AssessmentError(_("%(where)s:请选择档次(%(codes)s)。") % {"where": where, "codes": "/".join(codes)})
        if tier_adjustment not in TIER_ADJUSTMENTS:
            raise AssessmentError(_("%(where)s:档内调整应为 +、0 或 -。") % {"where": where})
        score = None
    else:
        if score is None:
            raise AssessmentError(_("%(where)s:请填写得分。") % {"where": where})
        if score < 0 or (node.points is not None and score > node.points):
            raise AssessmentError(_("%(where)s:得分应在 0 到 %(points)s 之间。") % {"where": where, "points": node.points})
        tier = tier_adjustment = ""
    row, created = AssessedScore.objects.select_for_update().get_or_create(
        campaign=campaign, unit=unit, node=node, assessor=assessor,
        defaults={"tenant_id": campaign.tenant_id, "score": score, "tier": tier, "tier_adjustment": tier_adjustment,
                  "verification": verification, "comment": comment.strip()},
    )
    before = None
    if not created:
        unchanged = (row.score, row.tier, row.tier_adjustment, row.verification, row.comment) == (
            score, tier, tier_adjustment, verification, comment.strip())
        if unchanged:
            return row
        before = audit_snapshot(row, fields=_AUDIT_FIELDS)
        row.score, row.tier, row.tier_adjustment = score, tier, tier_adjustment
        row.verification, row.comment = verification, comment.strip()
        row.save(update_fields=["score", "tier", "tier_adjustment", "verification", "comment", "updated_at"])
    _settle_finality(campaign, unit, node)
    unit_recompute_schedule(campaign=campaign, unit=unit, actor=assessor)
    row.refresh_from_db(fields=["is_final"])
    audit_record(tenant=campaign.tenant_id, actor=assessor, action="assessment.score", obj=row, campaign=campaign,
                 unit=unit, before=before, after=audit_snapshot(row, fields=_AUDIT_FIELDS), reason=row.comment,
                 label=_audit_label(unit, node))
    return row


@transaction.atomic
def assessed_score_reconcile(*, campaign: Campaign, chosen: AssessedScore, actor) -> AssessedScore:
    """The office settles two assessors' differing scores (协调): the chosen one becomes final."""
    rows = list(
        AssessedScore.objects.select_for_update().filter(
            campaign=campaign, unit_id=chosen.unit_id, node_id=chosen.node_id
        )
    )
    if chosen.pk not in {r.pk for r in rows}:
        raise AssessmentError(_("该评分不属于本方案。"))
    names = _assessor_names(rows)
    before = {names[r.assessor_id]: _final_state(r) for r in rows}
    for row in rows:
        final = row.pk == chosen.pk
        if row.is_final != final:
            row.is_final = final
            row.save(update_fields=["is_final"])
    unit_recompute_schedule(campaign=campaign, unit=chosen.unit, actor=actor)
    chosen.refresh_from_db()
    audit_record(tenant=campaign.tenant_id, actor=actor, action="assessment.reconcile", obj=chosen, campaign=campaign,
                 before=before, after={names[r.assessor_id]: _final_state(r) for r in rows},
                 label=_audit_label(chosen.unit, chosen.node))
    return chosen


def _assessor_names(rows: list[AssessedScore]) -> dict[int, str]:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(pk__in={r.assessor_id for r in rows})
    return {user.pk: f"{user.get_full_name()} ({user.get_username()})" if user.get_full_name()
            else user.get_username() for user in users}


def _final_state(row: AssessedScore) -> dict:
    return {**audit_snapshot(row, fields=["score"]), "tier": f"{row.tier}{row.tier_adjustment}",
            "is_final": row.is_final}
