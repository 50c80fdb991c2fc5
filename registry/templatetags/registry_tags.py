from django import template
from django.conf import settings

from registry.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    return render_markdown(text)


@register.simple_tag
def contact_email():
    return settings.REGISTRY_CONTACT_EMAIL


@register.filter
def plain_number(value):
    """A stored decimal as written, without trailing zeros or exponents: 10.0000 is
    "10" (Decimal.normalize alone gives "1E+1"), 0.0300 is "0.03"."""
    if value is None or value == "":
        return ""
    try:
        return f"{value.normalize():f}"
    except AttributeError:
        return value
