"""`{% load storefeed_search %}`: `{{ text|marked:words }}` marks searched words in text."""

from collections.abc import Sequence

from django import template
from django.utils.safestring import SafeString

from storefeed.web.highlight import mark_text

register = template.Library()


@register.filter
def marked(text: str, words: Sequence[str]) -> SafeString:
    return mark_text(str(text or ""), words or ())
