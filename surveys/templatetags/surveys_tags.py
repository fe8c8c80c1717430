from django import template

register = template.Library()


@register.filter
def pick(mapping, key):
    """``{{ mapping|pick:key }}``: a dict lookup with a variable key."""
    try:
        value = mapping.get(key)
        return mapping.get(str(key)) if value is None else value
    except AttributeError:
        return None
