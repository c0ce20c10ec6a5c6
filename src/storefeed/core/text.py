"""Turning what people type into safe HTML: @mentions, #tags and links made clickable.

Text is kept as typed (the "source") and rendered here. Everything typed is escaped first;
nh3 then cleans the result against a short allow-list, so no tag or attribute a person typed
can survive into the page.
"""

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import nh3

USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{1,30}$")
# @name, not inside a word, an email address or a URL.
MENTION_RE = re.compile(r"(?<![\w@/.:])@([A-Za-z0-9_]{1,30})\b")
# Weibo's #话题# form first (it may contain spaces-free CJK runs), then the Mastodon #tag form.
TAG_RE = re.compile(r"(?<![\w&/#])#(\w{1,100}?)#|(?<![\w&/#])#(\w{1,100})")
URL_RE = re.compile(r"https?://[^\s<>\"'\u3000-\u303f\uff01-\uff5e]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""

ALLOWED_TAGS = {"p", "br", "a", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "class", "title"}, "span": {"class"}}


def normalize_tag(name: str) -> str:
    """The key tags are matched on: NFKC, case-folded."""
    return unicodedata.normalize("NFKC", name).casefold()


def is_valid_tag(name: str) -> bool:
    """A tag has at least one letter or digit (not only punctuation or underscores)."""
    return (
        bool(name)
        and len(name) <= 100
        and bool(re.fullmatch(r"\w+", name))
        and any(ch.isalnum() for ch in name)
    )


@dataclass
class Parsed:
    mentions: list[str] = field(default_factory=list)  # usernames, in order, unique
    tags: list[str] = field(default_factory=list)  # tag names as typed, unique by key
    urls: list[str] = field(default_factory=list)


@dataclass
class _Token:
    start: int
    end: int
    kind: str  # "mention" | "tag" | "url"
    value: str


def _tokens(text: str) -> list[_Token]:
    found: list[_Token] = []
    for m in URL_RE.finditer(text):
        url = m.group(0).rstrip(_TRAILING)
        found.append(_Token(m.start(), m.start() + len(url), "url", url))

    def free(start: int, end: int) -> bool:
        return all(end <= t.start or start >= t.end for t in found)

    for m in MENTION_RE.finditer(text):
        if free(m.start(), m.end()):
            found.append(_Token(m.start(), m.end(), "mention", m.group(1)))
    for m in TAG_RE.finditer(text):
        name = m.group(1) or m.group(2)
        if is_valid_tag(name) and free(m.start(), m.end()):
            found.append(_Token(m.start(), m.end(), "tag", name))
    found.sort(key=lambda t: t.start)
    return found


def parse(text: str) -> Parsed:
    parsed = Parsed()
    seen_tags: set[str] = set()
    for token in _tokens(text):
        if token.kind == "mention" and token.value.lower() not in {
            m.lower() for m in parsed.mentions
        }:
            parsed.mentions.append(token.value)
        elif token.kind == "tag" and normalize_tag(token.value) not in seen_tags:
            seen_tags.add(normalize_tag(token.value))
            parsed.tags.append(token.value)
        elif token.kind == "url":
            parsed.urls.append(token.value)
    return parsed


def _link_text(url: str) -> str:
    shown = re.sub(r"^https?://(www\.)?", "", url)
    return shown if len(shown) <= 40 else shown[:39] + "…"


def render(
    text: str,
    *,
    mention_url: Callable[[str], str | None] = lambda _name: None,
    tag_url: Callable[[str], str] = lambda name: f"/tags/{name}",
) -> str:
    """Render typed text as HTML paragraphs. `mention_url` returns None for unknown accounts,
    which then stay plain text."""
    out: list[str] = []
    pos = 0
    for token in _tokens(text):
        out.append(html.escape(text[pos : token.start]))
        raw = text[token.start : token.end]
        if token.kind == "url":
            out.append(
                f'<a href="{html.escape(token.value)}" class="link">'
                f"{html.escape(_link_text(token.value))}</a>"
            )
        elif token.kind == "mention" and (href := mention_url(token.value)):
            out.append(
                f'<a href="{html.escape(href)}" class="mention">@{html.escape(token.value)}</a>'
            )
        elif token.kind == "tag":
            out.append(
                f'<a href="{html.escape(tag_url(token.value))}" class="hashtag">'
                f"{html.escape(raw)}</a>"
            )
        else:
            out.append(html.escape(raw))
        pos = token.end
    out.append(html.escape(text[pos:]))
    body = "".join(out).strip()
    paragraphs = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
    rendered = "".join(f"<p>{p.strip().replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return clean_html(rendered)


def clean_html(value: str) -> str:
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="nofollow noopener noreferrer",
    )


_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def clean_plain(value: str, *, multiline: bool = False) -> str:
    """Plain text as people meant it: control characters removed, ends trimmed."""
    value = unicodedata.normalize("NFC", value).translate(_CONTROL).replace("\r\n", "\n")
    if not multiline:
        value = " ".join(value.split())
    return value.strip()


def text_length(value: str) -> int:
    """Characters as people count them (a Chinese character is one)."""
    return len(unicodedata.normalize("NFC", value))
