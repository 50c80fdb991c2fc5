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
