"""Computation jobs and the result revisions they write (结果版本)."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluation.models.campaigns import Campaign, Category
from evaluation.models.tenancy import TenantOwned, Unit


class ComputeJob(TenantOwned):
    """A computation job (计算任务): created → running → done / failed, progress on the row.

    One unfinished job per campaign at a time (a partial unique constraint), so two clicks or
    two workers can never write competing revisions.
    """

    class Status(models.TextChoices):
        CREATED = "created", _("排队中")
        RUNNING = "running", _("计算中")
        DONE = "done", _("完成")
        FAILED = "failed", _("失败")

    class Scope(models.TextChoices):
        CAMPAIGN = "campaign", _("全部")
        CATEGORY = "category", _("一个类别")
        UNIT = "unit", _("一个单位")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="compute_jobs")
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.CAMPAIGN)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CREATED)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    revision = models.ForeignKey("ResultRevision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # set when a change arrives while this job is unfinished: the job then starts a follow-up
    rerun_requested = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign"],
                condition=models.Q(status__in=["created", "running"]),
                name="one_unfinished_job_per_campaign",
            )
        ]

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.DONE else (self.progress * 100 // self.total if self.total else 0)


class ResultRevision(TenantOwned):
    """A numbered revision of a campaign's results (结果版本), with its inputs' fingerprint.

    A revision is written once, whole, by a job; a correction is a new revision with its reason.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    fingerprint = models.CharField(max_length=64)
    reason = models.TextField(blank=True)
    scheme = models.JSONField(default=dict)
    # fingerprint per category: a category whose inputs did not change is copied, not recomputed
    category_fingerprints = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "-number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="revision_number_unique")]

    def __str__(self) -> str:
        return f"{self.campaign} r{self.number}"


class WholeJSONField(models.JSONField):
    """A JSON document written whole and read whole, never queried inside: on PostgreSQL the
    ``json`` type (the text as written, checked) rather than ``jsonb`` (parsed into a binary
    tree), which costs the database about 40 % less CPU to write — a province's revision is
    150 MB of result JSON — and nothing to turn back into text when read. Elsewhere Django's
    JSONField as it is."""

    def db_type(self, connection):
        return "json" if connection.vendor == "postgresql" else super().db_type(connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        if connection.vendor != "postgresql":
            return super().get_db_prep_value(value, connection, prepared)
        if not prepared:
            value = self.get_prep_value(value)
        return json.dumps(value, cls=self.encoder, ensure_ascii=False)  # sent as text, stored as json

    def from_db_value(self, value, expression, connection):
        if value is not None and not isinstance(value, str):
            return value  # the driver parsed it already (psycopg reads ``json`` itself)
        return super().from_db_value(value, expression, connection)


class UnitResult(TenantOwned):
    """One unit's result in a revision: total, rank, grade and every node's score and explanation.

    ``nodes`` maps node code → {"name", "points", "score", "explanation": {"zh", "en"}}, scores as
    exact decimal strings; ``components`` is the formula's terms in order, likewise.
    """

    revision = models.ForeignKey(ResultRevision, on_delete=models.CASCADE, related_name="unit_results")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    complete = models.BooleanField(default=True)
    missing = WholeJSONField(default=list)
    total = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    rank = models.PositiveIntegerField(null=True)
    grade = models.CharField(max_length=20, blank=True)
    eligible_top = models.BooleanField(default=True)
    vetoed = models.BooleanField(default=False)
    last_place = models.BooleanField(default=False)
    overflow = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    components = WholeJSONField(default=list)
    nodes = WholeJSONField(default=dict)
    explanation = WholeJSONField(default=dict)
    # A hash of the category's scheme and this unit's inputs when computed: a later revision whose
    # unit has the same fingerprint copies nodes, components and missing from this row.
    inputs_fingerprint = models.CharField(max_length=64, blank=True, default="")
    # What ranking and grading read of the unit besides its total (component values for
    # tie-breaks, vetoing and unsigned authorities, earlier years): a one-unit job ranks the
    # changed unit among the others' stored rows without loading their inputs.
    standing = WholeJSONField(default=dict)

    class Meta:
        ordering = ["revision", "category", "rank", "unit__code"]
        constraints = [models.UniqueConstraint(fields=["revision", "unit"], name="unit_result_unique")]
        indexes = [models.Index(fields=["revision", "category", "rank"])]
