"""The campaign (年度考评方案): one tenant's scheme for one year, its phases and categories."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluation.models.tenancy import TenantOwned, Unit


class Phase(models.TextChoices):
    """Domain section 2, in order."""

    CONFIGURE = "configure", _("方案配置")
    TARGETS = "targets", _("指标细化")
    YEAR = "year", _("日常考评")
    YEAR_END = "year_end", _("年终考评")
    REVIEW = "review", _("审议")
    PUBLISHED = "published", _("已公布")
    ARCHIVED = "archived", _("已归档")


PHASE_ORDER = list(Phase)


class Campaign(TenantOwned):
    """A year's evaluation scheme (年度考评方案) of one tenant."""

    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("名称"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    phase = models.CharField(_("阶段"), max_length=20, choices=Phase.choices, default=Phase.CONFIGURE)
    cloned_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "year", "name"], name="campaign_year_name_unique")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The name as documents print it: "2026年度…" once, whether or not the name has the year."""
        return self.name if str(self.year) in self.name else f"{self.year}年度{self.name}"


class CampaignPhase(TenantOwned):
    """A phase's window (阶段时限) inside a campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    phase = models.CharField(max_length=20, choices=Phase.choices)
    opens_on = models.DateField(_("开始"), null=True, blank=True)
    deadline = models.DateField(_("截止"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "opens_on"]
        constraints = [models.UniqueConstraint(fields=["campaign", "phase"], name="campaign_phase_unique")]


class Category(TenantOwned):
    """A unit category (类别 / 系列): its own tree, formula and grading; ranks are within it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="categories")
    code = models.CharField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["campaign", "order", "code"]
        verbose_name_plural = "categories"
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="category_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CampaignUnit(TenantOwned):
    """A unit taking part in a campaign, in one category, or in the public survey only
    ("参加公众评议,不列入各系列考评")."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="campaign_units")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="campaign_entries")
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="campaign_units"
    )
    survey_only = models.BooleanField(_("仅参加公众评议"), default=False)

    class Meta:
        ordering = ["campaign", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="campaign_unit_unique"),
            models.CheckConstraint(
                condition=models.Q(survey_only=True) | models.Q(category__isnull=False),
                name="campaign_unit_has_category_unless_survey_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.unit}"
