"""The indicator tree (指标体系) and each category's formula and grading.

The tree is stored as rows (one per node); a category's formula, grading and veto rule as the
JSON the scoring engine's scheme document uses (``evaluation.engine.scheme_io``), validated by
the engine before anything is saved.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluation.models import Category, Department, TenantOwned, Unit


class Method(models.TextChoices):
    """Scoring methods of a leaf (计分方法), domain section 5."""

    MANUAL = "manual", _("评分")
    TIERED = "tiered", _("分档评分")
    DEDUCT_PER_OCCURRENCE = "deduct_per_occurrence", _("按次扣分")
    DEDUCT_BY_GRADE = "deduct_by_grade", _("按人员职级扣分")
    CHECKLIST = "checklist", _("清单扣分")
    BONUS_PER_OCCURRENCE = "bonus_per_occurrence", _("按次加分(封顶)")
    LEVEL_BONUS = "level_bonus", _("按级别加分(就高)")
    PROPORTIONAL = "proportional", _("按比例得分")
    SHORTFALL_STEPS = "shortfall_steps", _("按差欠幅度扣分")
    THRESHOLD = "threshold", _("达标得分")
    QUANTITY_STEPS = "quantity_steps", _("按数量递进得分(封顶)")
    RANK_POINTS = "rank_points", _("按专项考评名次得分")
    SURVEY = "survey", _("按测评结果折算")


class PoolKind(models.TextChoices):
    NONE = "", _("否")
    DEDUCTION = "deduction", _("扣分池")
    BONUS = "bonus", _("加分池")


class IndicatorNode(TenantOwned):
    """An indicator (考评指标) at any level of a category's tree.

    A leaf carries a scoring ``method`` and its ``params``; an inner node's points are the sum of
    its children unless it is a pool. ``unit`` marks a unit's own leaf (its refined annual
    target, 指标细化); ``provider`` names the department that files ledger entries for it.
    """

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    code = models.CharField(_("编号"), max_length=40)
    name = models.CharField(_("名称"), max_length=200)
    points = models.DecimalField(_("分值"), max_digits=10, decimal_places=2, null=True, blank=True)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=4, null=True, blank=True)
    order = models.PositiveIntegerField(default=0)
    description = models.TextField(_("考评内容"), blank=True)
    evidence_requirements = models.TextField(_("佐证材料要求"), blank=True)
    method = models.CharField(_("计分方法"), max_length=40, choices=Method.choices, blank=True)
    params = models.JSONField(_("计分参数"), default=dict, blank=True)
    pool_kind = models.CharField(_("分值池"), max_length=20, choices=PoolKind.choices, blank=True, default="")
    pool_overflow = models.BooleanField(_("超扣计入总分"), default=False)
    pool_cap = models.DecimalField(_("加分上限"), max_digits=10, decimal_places=2, null=True, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    provider = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    open_for_targets = models.BooleanField(_("开放单位细化指标"), default=False)
    version = models.PositiveIntegerField(default=1)  # optimistic lock for concurrent edits

    class Meta:
        ordering = ["category", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="indicator_code_unique")]
        indexes = [models.Index(fields=["category", "parent", "order"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_leaf(self) -> bool:
        return bool(self.method)


class CategoryRules(TenantOwned):
    """A category's formula (结果汇总公式), grading (等次评定), vetoes (一票否决) and tie-break.

    Each JSON field holds the engine scheme document's shape for that part (docs/scheme-document.md).
    """

    category = models.OneToOneField(Category, on_delete=models.CASCADE, related_name="rules")
    components = models.JSONField(_("汇总公式"), default=list)
    grading = models.JSONField(_("等次评定"), default=dict)
    veto = models.JSONField(_("一票否决"), default=dict)
    tie_break = models.JSONField(_("同分排序"), default=list, blank=True)
    name_last_place = models.BooleanField(_("通报末位"), default=True)
    joint_split = models.JSONField(_("联办分成"), default=list, blank=True)
    # The tree's stated total (“满分100分”), checked against the roots' points when set.
    points = models.DecimalField(_("满分"), max_digits=10, decimal_places=2, null=True, blank=True)
    # Public survey answer options and their points (满意 100 … 不了解 left out: points null).
    survey_options = models.JSONField(_("问卷选项分值"), default=list, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "category rules"

    def __str__(self) -> str:
        return f"rules of {self.category}"
