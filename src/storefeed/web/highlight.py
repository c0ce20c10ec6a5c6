"""Marking the words someone searched for in HTML that is already safe (a post's content, a
product's escaped title): only text between tags is touched, never a tag, an attribute or an
entity, so the result stays as safe as what came in."""

import re
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Tags, comments and entities pass through untouched; everything else is text.
_MARKUP = re.compile(r"(<[^>]*>|&[#\w]+;)")


def _pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    words = [w for w in words if w]
    if not words:
        return None
    longest_first = sorted(set(words), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in longest_first), re.IGNORECASE)


def mark_html(html: str, words: Sequence[str]) -> SafeString:
    """`html` (safe) with every occurrence of `words` in its text wrapped in <mark>."""
    pattern = _pattern(words)
    if pattern is None:
        return mark_safe(html)  # noqa: S308 - given safe
    parts = _MARKUP.split(html)
    for n in range(0, len(parts), 2):  # even parts are text, odd ones markup
        parts[n] = pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", parts[n])
    return mark_safe("".join(parts))  # noqa: S308 - only <mark> added around safe text


def mark_text(text: str, words: Sequence[str]) -> SafeString:
    """Plain `text`, escaped, with the words marked."""
    return mark_html(escape(text), words)


CONTENT_START = '<div class="content"'


def mark_post(html: str, words: Sequence[str]) -> SafeString:
    """A rendered post with the words marked in its content only (not in names, buttons or
    counts). The content div holds no other div (core/text.py renders p, a, br)."""
    start = html.find(CONTENT_START)
    end = html.find("</div>", start) if start >= 0 else -1
    if end < 0:
        return mark_safe(html)  # noqa: S308 - given safe
    return mark_safe(html[:start] + mark_html(html[start:end], words) + html[end:])  # noqa: S308
