"""Democratic evaluation (民主测评): evaluator groups, one token per evaluator, secret ballots.

A ballot carries its group (the tally needs it) and its votes, and nothing that points back to
the token that cast it: random keys, no timestamps (docs/surveys.md explains the reasoning).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluation.models import Campaign, TenantOwned, Unit


class Choice(models.TextChoices):
    """The four votes (满意 5 / 一般 3 / 不满意 0 / 不了解 = the unit's average)."""

    SATISFIED = "satisfied", _("满意")
    AVERAGE = "average", _("一般")
    DISSATISFIED = "dissatisfied", _("不满意")
    UNKNOWN = "unknown", _("不了解")


class DemocraticEvaluation(TenantOwned):
    """A democratic evaluation (民主测评) of a campaign; ``key`` is what the scheme's formula
    names (component source ``democratic:<key>``)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="democratic_evaluations")
    key = models.SlugField(_("标识"), max_length=40)
    name = models.CharField(_("名称"), max_length=200)
    opens_at = models.DateTimeField(_("开始"), null=True, blank=True)
    closes_at = models.DateTimeField(_("截止"), null=True, blank=True)
    instructions = models.TextField(_("测评说明"), blank=True)

    class Meta:
        ordering = ["campaign_id", "key"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="democratic_key_unique")]

    def __str__(self) -> str:
        return self.name


class EvaluatorGroup(TenantOwned):
    """An evaluator group (测评对象组): deputies 人大代表, committee members 政协委员,
    entrepreneurs 企业代表, cadres 干部, leaders 分管 / 非分管; with a weight (权重) or a point
    budget (分值)."""

    class Kind(models.TextChoices):
        DEPUTIES = "deputies", _("人大代表")
        COMMITTEE = "committee", _("政协委员")
        ENTREPRENEURS = "entrepreneurs", _("企业代表")
        CADRES = "cadres", _("干部职工")
        LEADERS_IN_CHARGE = "leaders_in_charge", _("分管领导")
        LEADERS_OTHER = "leaders_other", _("非分管领导")
        OTHER = "other", _("其他")

    evaluation = models.ForeignKey(DemocraticEvaluation, on_delete=models.CASCADE, related_name="groups")
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    weight = models.DecimalField(_("权重"), max_digits=7, decimal_places=4, null=True, blank=True)
    budget = models.DecimalField(_("分值"), max_digits=7, decimal_places=2, null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["evaluation_id", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "code"], name="evaluator_group_unique")]

    def __str__(self) -> str:
        return self.name


class RatedUnit(TenantOwned):
    """A unit on the ballot (测评单位)."""

    evaluation = models.ForeignKey(DemocraticEvaluation, on_delete=models.CASCADE, related_name="rated_units")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["evaluation_id", "order", "unit__code"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "unit"], name="rated_unit_unique")]


class BallotToken(TenantOwned):
    """A ballot token (测评码), printed as a QR code on one evaluator's sheet.

    It records only that it was used: no time, no ballot. ``serial`` is the number printed on
    the sheet so staff can hand sheets out and count them back.
    """

    evaluation = models.ForeignKey(DemocraticEvaluation, on_delete=models.CASCADE, related_name="tokens")
    group = models.ForeignKey(EvaluatorGroup, on_delete=models.PROTECT, related_name="tokens")
    serial = models.PositiveIntegerField(_("编号"))
    token = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(_("已投票"), default=False)

    class Meta:
        ordering = ["evaluation_id", "serial"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "serial"], name="token_serial_unique")]


class Ballot(TenantOwned):
    """A cast ballot (选票): its group and nothing that identifies its voter."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(DemocraticEvaluation, on_delete=models.CASCADE, related_name="ballots")
    group = models.ForeignKey(EvaluatorGroup, on_delete=models.PROTECT, related_name="+")


class BallotVote(TenantOwned):
    """One vote (票) of a ballot for one unit."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="votes")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("评价"), max_length=20, choices=Choice.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "unit"], name="vote_once_per_unit")]
