"""The deduction catalogue (察访扣分标准) and the visit plan (察访计划) of a campaign."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluation.models import Campaign, Membership, TenantOwned, Unit


class CatalogueItem(TenantOwned):
    """A catalogue entry (察访扣分标准): a finding a supervisor may record, the indicator it hits
    and the points each occurrence costs.

    ``version`` grows on every edit: a visit recorded offline against an older version is shown
    as a conflict instead of being priced silently with new points.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="inspection_catalogue")
    code = models.CharField(_("编号"), max_length=40)
    finding = models.CharField(_("问题"), max_length=300)
    node = models.ForeignKey(
        "indicators.IndicatorNode", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("对应指标"),
    )
    points = models.DecimalField(_("每次扣分"), max_digits=8, decimal_places=2)
    notes = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["campaign", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="inspection_catalogue_code_unique"),
            models.CheckConstraint(condition=models.Q(points__gt=0), name="inspection_catalogue_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.finding}"


class VisitAssignment(TenantOwned):
    """A planned visit (察访任务): a supervisor assigned to a unit for a quarter, with a due date."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="inspection_assignments")
    supervisor = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("监督员"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    quarter = models.PositiveSmallIntegerField(_("季度"), choices=[(q, _("第%d季度") % q) for q in range(1, 5)])
    due_on = models.DateField(_("完成期限"))
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        ordering = ["campaign", "quarter", "due_on", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "supervisor", "unit", "quarter"], name="inspection_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Q{self.quarter} {self.unit} → {self.supervisor_id}"
