"""Cast a democratic-evaluation ballot (民主测评投票) with a one-time token.

What makes the ballot secret (docs/surveys.md has the whole argument):

* the token row only turns ``used``; it gets no time and no reference to the ballot;
* the ballot and its votes have random UUID keys and no timestamps, so neither a sequence nor
  a clock lines them up with the order in which tokens were used;
* in PostgreSQL every row carries the id of the transaction that wrote it (``xmin``); the
  token update and the ballot insert share one transaction, so the same transaction then
  rewrites *every* used token of the evaluation: all used tokens carry the newest ballot's
  transaction id, which says nothing about who cast which ballot;
* votes are serialised per evaluation (a row lock on the evaluation), which also makes the
  "a token votes once" check race-free;
* the SQL of the cast is kept out of the ``django.db.backends`` log (:mod:`.anonymity`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from surveys.models import Ballot, BallotToken, BallotVote, Choice, DemocraticEvaluation, RatedUnit
from surveys.services.anonymity import unlogged


class TokenRefused(ValidationError):
    """The token is unknown or already used: nothing was written."""


@dataclass(frozen=True)
class BallotReceipt:
    evaluation_name: str
    units: int


def ballot_token_lookup(token: str) -> BallotToken | None:
    if not token or len(token) > 64:
        return None
    return BallotToken.objects.select_related("evaluation", "group").filter(token=token).first()


def evaluation_window_problem(evaluation: DemocraticEvaluation, now=None) -> str | None:
    now = now or timezone.now()
    if evaluation.opens_at and now < evaluation.opens_at:
        return "测评尚未开始"
    if evaluation.closes_at and now >= evaluation.closes_at:
        return "测评已结束"
    return None


def _clean_votes(evaluation: DemocraticEvaluation, votes: Mapping) -> dict[int, str]:
    unit_ids = set(RatedUnit.objects.filter(evaluation=evaluation).values_list("unit_id", flat=True))
    cleaned: dict[int, str] = {}
    for raw_unit, choice in votes.items():
        if choice in (None, ""):
            continue  # a unit left unmarked is not counted (未评价不计票)
        try:
            unit_id = int(raw_unit)
        except (TypeError, ValueError) as exc:
            raise ValidationError("选票格式错误") from exc
        if unit_id not in unit_ids:
            raise ValidationError("选票含有不在测评名单中的单位")
        if choice not in Choice.values:
            raise ValidationError("选票含有无效的评价")
        cleaned[unit_id] = choice
    if not cleaned:
        raise ValidationError("请至少对一个单位作出评价")
    return cleaned


def ballot_cast(*, token: str, votes: Mapping, now=None) -> BallotReceipt:
    """Cast the ballot of ``token``: ``votes`` maps rated units' ids to a choice; a unit left
    out is not counted (an unmarked line on a paper ballot).

    A token that is unknown or already used raises :class:`TokenRefused` and changes nothing.
    """
    with unlogged():
        return _cast(token=token, votes=votes, now=now)


def _cast(*, token: str, votes: Mapping, now) -> BallotReceipt:
    found = ballot_token_lookup(token)
    if found is None:
        raise TokenRefused("测评码无效")
    evaluation = found.evaluation
    problem = evaluation_window_problem(evaluation, now)
    if problem:
        raise ValidationError(problem)
    cleaned = _clean_votes(evaluation, votes)
    with transaction.atomic():
        DemocraticEvaluation.objects.select_for_update().filter(pk=evaluation.pk).values_list("pk").get()
        consumed = BallotToken.objects.filter(pk=found.pk, used=False).update(used=True)
        if consumed != 1:
            raise TokenRefused("该测评码已投票,不能重复投票")
        ballot = Ballot.objects.create(tenant_id=evaluation.tenant_id, evaluation=evaluation, group_id=found.group_id)
        BallotVote.objects.bulk_create(
            BallotVote(tenant_id=evaluation.tenant_id, ballot=ballot, unit_id=unit_id, choice=choice)
            for unit_id, choice in cleaned.items()
        )
        # Re-stamp every used token with this transaction (see the module docstring).
        BallotToken.objects.filter(evaluation=evaluation, used=True).update(used=True)
    return BallotReceipt(evaluation.name, len(cleaned))
