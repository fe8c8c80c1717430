from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def score(value) -> str:
    """A stored score as printed: two decimals kept, zero shown, nothing as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
