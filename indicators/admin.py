"""Platform superusers' view of scheme rows (the office works in its own editor, not here)."""

from django.contrib import admin

from indicators.models import CategoryRules, IndicatorNode


@admin.register(IndicatorNode)
class IndicatorNodeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "points", "method", "pool_kind", "tenant")
    list_filter = ("tenant", "method", "pool_kind")
    search_fields = ("code", "name")
    raw_id_fields = ("category", "parent", "unit", "provider")


@admin.register(CategoryRules)
class CategoryRulesAdmin(admin.ModelAdmin):
    list_display = ("category", "tenant", "version")
    list_filter = ("tenant",)
    raw_id_fields = ("category",)
