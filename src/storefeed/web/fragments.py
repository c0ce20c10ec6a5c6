"""Posts on the web pages, assembled from cached fragments and a live part.

What every reader sees of a post is rendered once by a template and cached through
core.parts (process memory in front of the shared cache), keyed by everything it was rendered
from, so an entry is never stale, only unused:

- the post (`web/_post.html`: author's avatar, name and badge, the time as an absolute
  `<time>`, "edited", visibility, "Replying to @name", content warning, content, images):
  post id, `Status.version`, the author's `profile_version`, the replied-to account's
  `profile_version`, and the environment (language, time zone, script prefix);
- the quoted post (`web/_quote.html`): its id, version and its author's profile version;
- "Name reposted" (`web/_reposted_by.html`): the reposter's id and profile version;
- a post's product cards (`web/shop/_cards.html`): a digest of the cards' current values (price,
  stock, state, ...) read live, so a change of any is a new key; cards whose text depends on
  the clock ("price checked 3 hours ago") are rendered every time.

What is live is read for the whole page in a fixed number of queries (posts.live.rows: which
posts still exist, versions, counters, and the reader's likes, reposts, bookmarks,
pins; posts.hydration.cards: product cards as they are now) and written here in Python, per
request: the `<article>` tag, the relative time, the poll (tallies and the reader's vote,
read only for pages with polls), and the action bar with its counts, the reader's marks, the
CSRF token and the `next` address. No cached fragment holds anything of
the reader's or the CSRF token.
"""

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, is_dataclass
from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.defaultfilters import urlencode
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from storefeed.accounts.models import User
from storefeed.core import parts
from storefeed.posts import hydration, live
from storefeed.posts.models import Poll, Status, Visibility
from storefeed.posts.selectors import statuses_hydrate
from storefeed.web.icons import icon
from storefeed.web.templatetags.storefeed_web import reltime

# Bumped when a cached fragment's markup or shape changes, so old entries are not read.
SHAPE = 6
_TIME = "<!--sf:time-->"
_EXTRAS = "<!--sf:extras-->"  # the product cards, then the quoted post


@dataclass(frozen=True, slots=True)
class Post:
    """A post as every reader sees it: HTML around the relative time and the extras, and what
    the live part needs besides the counters."""

    head: str
    body: str
    tail: str
    created_at: Any
    username: str
    visibility: str
    poll_id: int | None = None  # the poll's options, tallies and the reader's vote are live


class Shown:
    """One post of a page as HTML (templates print it as is); `pk` is the entry's own id (a
    repost's, for a repost) and `page_cursor` the cursor of lists ordered otherwise."""

    __slots__ = ("html", "page_cursor", "pk")

    def __init__(self, pk: int, html: str, page_cursor: int | None = None) -> None:
        self.pk = pk
        self.html = mark_safe(html)  # noqa: S308 - built from escaped and template-rendered parts
        self.page_cursor = page_cursor

    def __html__(self) -> SafeString:
        return self.html

    def __str__(self) -> SafeString:
        return self.html


def render(
    request: HttpRequest,
    ids: Sequence[int],
    *,
    highlight: int | None = None,
    cursors: Mapping[int, int] | None = None,
) -> list[Shown]:
    """The posts `ids` as HTML, in order; deleted ones (and reposts of deleted posts) left out."""
    page = _Page(request, ids)
    hydration.shown(request, page.viewer_id, [(s, page.rows[s].account_id) for s in page.cards])
    return [
        Shown(pk, page.article(pk, highlight=pk == highlight), (cursors or {}).get(pk))
        for pk in page.ids
    ]


def actions(request: HttpRequest, status_id: int, *, error: str = "", back: str) -> str:
    """The action bar of one post (what an htmx action answers with); "" if it is gone."""
    page = _Page(request, [status_id], back=back, extras=False)
    if not page.ids:
        return ""
    return page.actions(page.shown(status_id), error=error)


class _Page:
    def __init__(
        self, request: HttpRequest, ids: Sequence[int], *, back: str | None = None, extras=True
    ) -> None:
        user = request.user
        self.viewer_id: int | None = user.pk if user.is_authenticated else None
        self.rows = rows = live.rows(ids, viewer_id=self.viewer_id)
        # A repost shows the post it carries (and its marks and cards).
        self.ids = [pk for pk in ids if pk in rows and self.shown(pk) in rows]
        shown = sorted({self.shown(pk) for pk in self.ids})
        self.marks = live.marks_of(rows)
        # A quote of a product post keeps the quoted post's cards.
        quoted = {rows[s].quote_of_id for s in shown} - {None}
        with_cards = sorted({*shown, *(q for q in quoted if q in rows)})
        self.cards = hydration.cards(with_cards) if with_cards and extras else {}
        self.parts = self._parts(extras)
        self.live = _Live(request, self.viewer_id, back)
        # Polls are read live for the page (two or three queries, none without polls).
        poll_ids = [post.poll_id for (kind, _pk), post in self.parts.items() if kind == "p"]
        poll_ids = [pk for pk in poll_ids if pk] if extras else []
        self.polls = live.polls(poll_ids)
        self.votes = live.poll_votes(self.viewer_id, poll_ids)

    def shown(self, pk: int) -> int:
        return self.rows[pk].reblog_of_id or pk

    def _parts(self, extras: bool) -> dict[tuple[str, int], Any]:
        env = _environment()
        keys: dict[tuple[str, int], str] = {}
        rows = self.rows
        for pk in self.ids:
            s = rows[self.shown(pk)]
            keys["p", s.id] = (
                f"wp{SHAPE}:{env}:{s.id}:{s.version}:{s.profile_version}:{s.reply_profile_version}"
            )
            if not extras:
                continue
            if pk != s.id:
                w = rows[pk]
                keys["r", w.account_id] = f"wr{SHAPE}:{env}:{w.account_id}:{w.profile_version}"
            if s.quote_of_id and (q := rows.get(s.quote_of_id)) is not None:
                keys["q", q.id] = f"wq{SHAPE}:{env}:{q.id}:{q.version}:{q.profile_version}"
        for status_id, cards in self.cards.items():
            if all(_cacheable(card) for card in cards):
                keys["c", status_id] = f"wc{SHAPE}:{env}:{status_id}:{_digest(cards)}"
        return parts.get_or_render(keys, self._render)

    def _render(self, missing: list[tuple[str, int]]) -> dict[tuple[str, int], Any]:
        """The fragments not cached yet (a few queries, only when something is missing)."""
        status_ids = sorted({pk for kind, pk in missing if kind in ("p", "q")})
        account_ids = sorted({pk for kind, pk in missing if kind == "r"})
        statuses = {
            s.pk: s for s in statuses_hydrate(viewer=None, ids=status_ids, shared_only=True)
        }
        accounts = {u.pk: u for u in User.objects.filter(pk__in=account_ids)} if account_ids else {}
        found: dict[tuple[str, int], Any] = {}
        for item in missing:
            kind, pk = item
            if kind == "p" and pk in statuses:
                found[item] = _post(statuses[pk])
            elif kind == "q" and pk in statuses:
                found[item] = render_to_string("web/_quote.html", {"q": statuses[pk]})
            elif kind == "r" and pk in accounts:
                found[item] = render_to_string("web/_reposted_by.html", {"account": accounts[pk]})
            elif kind == "c":
                found[item] = _cards(pk, self.cards[pk])
        return found

    def article(self, pk: int, *, highlight: bool) -> str:
        s = self.shown(pk)
        post: Post | None = self.parts.get(("p", s))
        if post is None:  # gone between reading its row and rendering it
            return ""
        row = self.rows[s]
        classes = "status card"
        if pk != s:
            classes += " is-reblog"
        if highlight:
            classes += " is-focus"
        html = [
            f'<article class="{classes}" data-testid="status" data-status-id="{s}" '
            f'id="status-{pk}">\n'
        ]
        if pk != s:
            html.append(self.parts.get(("r", self.rows[pk].account_id), ""))
        html += (post.head, conditional_escape(reltime(post.created_at)), post.body)
        if post.poll_id in self.polls:
            html.append(self.poll(s, self.polls[post.poll_id]))
        if s in self.cards:
            cards = self.parts.get(("c", s)) or _cards(s, self.cards[s])
            if pk != s:  # bought from a repost: the order credits the post and the reposter
                cards = cards.replace(f'?from={s}"', f'?from={pk}"')
            html.append(cards)
        if row.quote_of_id:
            quote = self.parts.get(("q", row.quote_of_id), "")
            html.append(quote)
            if quote and row.quote_of_id in self.cards:
                q = row.quote_of_id
                html.append(self.parts.get(("c", q)) or _cards(q, self.cards[q]))
        html += (post.tail, self.actions(s), "\n</article>\n")
        return "".join(html)

    def poll(self, s: int, poll: Any) -> str:
        """A post's poll as the reader sees it now: a form to vote, or the results."""
        mine = self.votes.get(poll.pk, [])
        ended = poll.expires_at is not None and poll.expires_at <= timezone.now()
        own = self.rows[s].account_id == self.viewer_id
        total = sum(poll.option_votes)
        options = [
            {
                "index": i,
                "title": title,
                "votes": n,
                "percent": round(100 * n / total) if total else 0,
                "mine": i in mine,
            }
            for i, (title, n) in enumerate(zip(poll.options, poll.option_votes, strict=False))
        ]
        return render_to_string(
            "web/_poll.html",
            {
                "poll": poll,
                "status_id": s,
                "options": options,
                "voters": poll.voters_count,
                "ended": ended,
                "can_vote": self.viewer_id is not None and not mine and not ended and not own,
                "hide_totals": poll.hide_totals and not ended and not own,
                "fields": mark_safe(self.live.fields),  # noqa: S308 - escaped where built
                "login_url": self.live.login_url,
            },
        )

    def actions(self, s: int, *, error: str = "") -> str:
        """The action bar of shown post `s`, as web/_status.html drew it."""
        post: Post = self.parts["p", s]
        row, marks, t, lv = self.rows[s], self.marks, self.live.labels, self.live
        s_url = lv.status_url(post.username, s)
        out = [f'\n  <footer class="status-actions" data-status-id="{s}">\n']
        if error:
            out.append(f'<p class="action-error" role="alert">{conditional_escape(error)}</p>')
        out.append(
            f'<a class="act" href="{s_url}#reply" data-action="reply" title="{t["reply"]}">'
            f'{icon("reply")}<span class="count">{row.replies_count or ""}</span>'
            f'<span class="sr">{t["reply"]}</span></a>\n'
        )
        if self.viewer_id is None:
            login = f"{lv.login_url}?next={urlencode(s_url)}"
            out.append(
                f'<a class="act" href="{login}" data-action="reblog">{icon("repost")}'
                f'<span class="count">{row.reblogs_count or ""}</span>'
                f'<span class="sr">{t["repost"]}</span></a>\n'
                f'<a class="act" href="{login}" data-action="favourite">{icon("heart")}'
                f'<span class="count">{row.favourites_count or ""}</span>'
                f'<span class="sr">{t["like"]}</span></a>\n'
            )
        else:
            reblogged = s in marks.reblogged
            if post.visibility in (Visibility.PUBLIC, Visibility.UNLISTED) or reblogged:
                out.append(
                    lv.toggle(
                        s,
                        "reblog",
                        on=reblogged,
                        title=t["undo_repost"] if reblogged else t["repost"],
                        label=t["repost"],
                        count=f'<span class="count">{row.reblogs_count or ""}</span>',
                    )
                    + f'<a class="act" href="{lv.compose_url}?quote={s}" data-action="quote" '
                    f'title="{t["quote"]}">{icon("quote")}<span class="sr">{t["quote"]}</span>'
                    "</a>\n"
                )
            liked = s in marks.favourited
            out.append(
                lv.toggle(
                    s,
                    "favourite",
                    on=liked,
                    title=t["unlike"] if liked else t["like"],
                    label=t["like"],
                    count='<span class="count" data-testid="favourites-count">'
                    f"{row.favourites_count or ''}</span>",
                    classes="act like",
                )
            )
            saved = s in marks.bookmarked
            out.append(
                lv.toggle(
                    s,
                    "bookmark",
                    on=saved,
                    title=t["unbookmark"] if saved else t["bookmark"],
                    label=t["bookmark"],
                )
            )
            if row.account_id == self.viewer_id:
                pinned = s in marks.pinned
                out.append(
                    '<details class="more" data-testid="more-menu">\n'
                    f'<summary class="act" title="{t["more"]}">{icon("more")}'
                    f'<span class="sr">{t["more"]}</span></summary>\n<div class="menu">\n'
                    + lv.form(lv.action_url(s, "unpin" if pinned else "pin"))
                    + f'<button type="submit" data-action="pin" aria-pressed="{_pressed(pinned)}">'
                    f"{t['unpin'] if pinned else t['pin']}</button>\n</form>\n"
                    f'<a href="{lv.edit_url(s)}" data-action="edit">{t["edit"]}</a>\n'
                    + lv.form(
                        lv.action_url(s, "delete"),
                        target="closest .status",
                        confirm=t["confirm_delete"],
                    )
                    + f'<button type="submit" class="danger" data-action="delete">'
                    f"{t['delete']}</button>\n</form>\n</div>\n</details>\n"
                )
            elif self.viewer_id is not None:
                out.append(
                    '<details class="more" data-testid="report-menu">\n'
                    f'<summary class="act" title="{t["more"]}">{icon("more")}'
                    f'<span class="sr">{t["more"]}</span></summary>\n<div class="menu">\n'
                    f'<a href="{lv.report_url(s)}" class="danger" data-action="report">'
                    f"{t['report']}</a>\n</div>\n</details>\n"
                )
        out.append("</footer>")
        return "".join(out)


def _post(status: Status) -> Post:
    html = render_to_string("web/_post.html", {"s": status})
    head, rest = html.split(_TIME)
    body, tail = rest.split(_EXTRAS)
    try:
        poll_id: int | None = status.poll.pk
    except Poll.DoesNotExist:
        poll_id = None
    return Post(
        head=head,
        body=body,
        tail=tail,
        created_at=status.created_at,
        username=status.account.username,
        visibility=status.visibility,
        poll_id=poll_id,
    )


def _cards(status_id: int, cards: list[Any]) -> str:
    return render_to_string("web/shop/_cards.html", {"cards": cards, "s": {"pk": status_id}})


def _cacheable(card: Any) -> bool:
    # A dataclass's repr holds all its values (see _digest); a third-party item's card says
    # how long ago its price was read, which changes with the clock.
    return is_dataclass(card) and getattr(card, "checked_at", None) is None


def _digest(cards: list[Any]) -> str:
    """A digest of everything the cards show, so a change of any of it is another key."""
    return hashlib.blake2s(repr(cards).encode(), digest_size=12).hexdigest()


def _environment() -> str:
    """What every fragment also depends on: language, time zone and script prefix."""
    lang = translation.get_language() or ""
    where = f"{lang}|{timezone.get_current_timezone_name()}|{get_script_prefix()}"
    return hashlib.blake2s(where.encode(), digest_size=6).hexdigest()


_ICON_OF = {"reblog": icon("repost"), "favourite": icon("heart"), "bookmark": icon("bookmark")}


def _pressed(on: bool) -> str:
    return "true" if on else "false"


class _Live:
    """What the live part needs once per request: labels in the reader's language, address
    makers, the CSRF field and `next`."""

    def __init__(self, request: HttpRequest, viewer_id: int | None, back: str | None) -> None:
        self.labels = _labels(translation.get_language() or "")
        urls = _urls()
        self.status_url: Callable[[str, int], str] = urls["status"]
        self.action_url: Callable[[int, str], str] = urls["action"]
        self.edit_url: Callable[[int], str] = urls["edit"]
        self.report_url: Callable[[int], str] = urls["report"]
        self.compose_url: str = urls["compose"]()
        self.login_url: str = urls["login"]()
        self.fields = ""
        if viewer_id is not None:
            token = conditional_escape(get_token(request))
            where = conditional_escape(back if back is not None else request.get_full_path())
            self.fields = (
                f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
                f'<input type="hidden" name="next" value="{where}">'
            )

    def toggle(
        self,
        s: int,
        action: str,
        *,
        on: bool,
        title: str,
        label: str,
        count: str = "",
        classes: str = "act",
    ) -> str:
        """A button that does `action` to post `s`, or undoes it when it is `on`."""
        return (
            self.form(self.action_url(s, f"un{action}" if on else action))
            + f'<button type="submit" class="{classes}{" on" if on else ""}" '
            f'data-action="{action}" aria-pressed="{_pressed(on)}" title="{title}">'
            f'{_ICON_OF[action]}{count}<span class="sr">{label}</span></button>\n</form>\n'
        )

    def form(self, url: str, *, target: str = "closest .status-actions", confirm: str = "") -> str:
        confirming = f' hx-confirm="{confirm}"' if confirm else ""
        return (
            f'<form method="post" action="{url}" hx-post="{url}" hx-target="{target}" '
            f'hx-swap="outerHTML"{confirming}>{self.fields}\n'
        )


_translated: dict[str, dict[str, str]] = {}


def _labels(language: str) -> dict[str, str]:
    """The action bar's words in `language`, escaped (translated once per process)."""
    labels = _translated.get(language)
    if labels is None:
        labels = _translated[language] = {
            key: conditional_escape(_(text)) for key, text in _LABELS.items()
        }
    return labels


# The action bar's words, translated (gettext_noop marks them for makemessages).
_LABELS = {
    "reply": gettext_noop("Reply"),
    "repost": gettext_noop("Repost"),
    "undo_repost": gettext_noop("Undo repost"),
    "quote": gettext_noop("Repost with comment"),
    "like": gettext_noop("Like"),
    "unlike": gettext_noop("Unlike"),
    "bookmark": gettext_noop("Bookmark"),
    "unbookmark": gettext_noop("Remove bookmark"),
    "more": gettext_noop("More"),
    "pin": gettext_noop("Pin to profile"),
    "unpin": gettext_noop("Unpin from profile"),
    "edit": gettext_noop("Edit"),
    "delete": gettext_noop("Delete"),
    "confirm_delete": gettext_noop("Delete this post?"),
    "report": gettext_noop("Report"),
}

# Addresses are made by formatting rather than by reverse() for every post: reverse() once
# per script prefix with placeholder arguments, then fill them in.
_ID, _NAME, _ACTION = 9876543210987654321, "sfUSERNAMEsf", "sfACTIONsf"
_url_makers: dict[str, dict[str, Callable[..., str]]] = {}


def _maker(name: str, *placeholders: Any) -> Callable[..., str]:
    pattern = reverse(name, args=placeholders).replace("%", "%%")
    for placeholder in placeholders:
        pattern = pattern.replace(str(placeholder), "%s", 1)
    return lambda *args: pattern % args


def _urls() -> dict[str, Callable[..., str]]:
    prefix = get_script_prefix()
    makers = _url_makers.get(prefix)
    if makers is None:
        makers = _url_makers[prefix] = {
            "status": _maker("web:status", _NAME, _ID),
            "action": _maker("web:status_action", _ID, _ACTION),
            "edit": _maker("web:status_edit", _ID),
            "report": _maker("web:status_report", _ID),
            "compose": _maker("web:compose"),
            "login": _maker("web:login"),
        }
    return makers
