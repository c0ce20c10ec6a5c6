"""Mastodon entities, field for field (https://docs.joinmastodon.org/entities/), built from our
models. Views hand in statuses hydrated by posts.selectors, so rendering costs no queries."""

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from django.http import HttpRequest
from django.utils import timezone

from storefeed.accounts.models import User
from storefeed.core.money import format_amount
from storefeed.notifications.models import Notification, NotificationType
from storefeed.posts import quotes
from storefeed.posts.models import (
    MediaAttachment,
    MediaKind,
    Poll,
    QuoteState,
    Status,
    StatusEdit,
    Tag,
)
from storefeed.social.selectors import Relationship

# Our notification types that Mastodon clients know by another name.
NOTIFICATION_TYPES = {"reply": "mention"}


def iso(value: dt.datetime | None) -> str | None:
    """UTC, ISO 8601 with milliseconds and a Z, as Mastodon writes datetimes."""
    if value is None:
        return None
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


class Renderer:
    """Renders entities with absolute URLs for one request."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.base = request.build_absolute_uri("/").rstrip("/")

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def file_url(self, field: Any) -> str | None:
        return self.url(field.url) if field else None

    # Accounts -------------------------------------------------------------------------

    def account(self, user: User) -> dict[str, Any]:
        return {**self.account_core(user), **account_counts(user)}

    def account_core(self, user: User) -> dict[str, Any]:
        """The account as every reader sees it, without its counters (cached by
        `User.profile_version`; the counters are read live)."""
        avatar = self.file_url(user.avatar) or self.url("/static/web/img/avatar.png")
        header = self.file_url(user.header) or self.url("/static/web/img/header.png")
        joined = user.date_joined.astimezone(dt.UTC).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        expert = None
        if user.is_expert and user.expert_field is not None:
            field = user.expert_field
            expert = {"field": field.slug, "name_en": field.name_en, "name_zh": field.name_zh}
        return {
            "id": str(user.pk),
            "username": user.username,
            "acct": user.username,
            "display_name": user.display_name,
            "locked": user.locked,
            "bot": user.bot,
            "discoverable": user.discoverable,
            "indexable": True,
            "group": False,
            "created_at": iso(joined),
            "note": user.note_html,
            "url": self.url(f"/@{user.username}"),
            "uri": self.url(f"/@{user.username}"),
            "avatar": avatar,
            "avatar_static": avatar,
            "header": header,
            "header_static": header,
            "hide_collections": user.hide_collections,
            "noindex": False,
            "emojis": [],
            "roles": [],
            # Clients render a field's value as HTML (as Mastodon's); ours are plain text.
            "fields": [
                {
                    "name": f.get("name", ""),
                    "value": html.escape(f.get("value", "")),
                    "verified_at": None,
                }
                for f in getattr(user, "fields", None) or []
            ],
            # Storefeed: the verified expert field (null for everyone else).
            "expert": expert,
        }

    def credential_account(self, user: User, *, follow_requests_count: int = 0) -> dict[str, Any]:
        data = self.account(user)
        data["source"] = {
            "privacy": "public",
            "sensitive": False,
            "language": "",
            "note": user.note,
            "fields": [
                {"name": f.get("name", ""), "value": f.get("value", ""), "verified_at": None}
                for f in getattr(user, "fields", None) or []
            ],
            "follow_requests_count": follow_requests_count,
            "hide_collections": user.hide_collections,
            "discoverable": user.discoverable,
            "indexable": True,
            "attribution_domains": [],
        }
        data["role"] = {
            "id": "-99",
            "name": "",
            "permissions": "0",
            "color": "",
            "highlighted": False,
        }
        return data

    def relationship(self, rel: Relationship) -> dict[str, Any]:
        return {
            "id": str(rel.id),
            "following": rel.following,
            "showing_reblogs": rel.showing_reblogs,
            "notifying": rel.notifying,
            "languages": None,
            "followed_by": rel.followed_by,
            "blocking": rel.blocking,
            "blocked_by": rel.blocked_by,
            "muting": rel.muting,
            "muting_notifications": rel.muting_notifications,
            "requested": rel.requested,
            "requested_by": rel.requested_by,
            "domain_blocking": False,
            "endorsed": rel.endorsed,
            "note": rel.note,
        }

    # Statuses -------------------------------------------------------------------------

    def media(self, media: MediaAttachment) -> dict[str, Any]:
        def meta(width: int, height: int) -> dict[str, Any]:
            return {
                "width": width,
                "height": height,
                "size": f"{width}x{height}",
                "aspect": round(width / height, 4) if height else 1,
            }

        focus = {"x": media.focus_x, "y": media.focus_y}
        if media.kind != MediaKind.IMAGE:
            # Videos: the meta the worker read with ffprobe (posts/video.py); {} while processing.
            media_meta = {**media.meta, "focus": focus} if media.meta else {"focus": focus}
        else:
            small_w, small_h = media.width, media.height
            edge = max(small_w, small_h, 1)
            if edge > 480:
                small_w, small_h = round(small_w * 480 / edge), round(small_h * 480 / edge)
            media_meta = {
                "original": meta(media.width, media.height),
                "small": meta(small_w, small_h),
                "focus": focus,
            }
        return {
            "id": str(media.pk),
            "type": media.kind,
            # Mastodon's convention: no url until the file is processed.
            "url": self.file_url(media.file),
            "preview_url": self.file_url(media.thumbnail),
            "remote_url": None,
            "preview_remote_url": None,
            "text_url": None,
            "meta": media_meta,
            "description": media.description or None,
            "blurhash": media.blurhash or None,
        }

    def poll(self, poll: Poll) -> dict[str, Any]:
        votes = getattr(poll, "option_votes", None) or [0] * len(poll.options)
        expired = poll.expires_at is not None and poll.expires_at <= timezone.now()
        own = getattr(poll, "own_votes", [])
        return {
            "id": str(poll.pk),
            "expires_at": iso(poll.expires_at),
            "expired": expired,
            "multiple": poll.multiple,
            "votes_count": poll.votes_count,
            "voters_count": poll.voters_count,
            "options": [
                {"title": title, "votes_count": None if poll.hide_totals and not expired else n}
                for title, n in zip(poll.options, votes, strict=False)
            ],
            "emojis": [],
            "voted": bool(own),
            "own_votes": own,
        }

    def tag(self, tag: Tag, *, following: bool | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(tag.pk),
            "name": tag.name,
            "url": self.url(f"/tags/{tag.name}"),
            "history": [],
        }
        if following is not None:
            data["following"] = following
        return data

    def status(
        self, status: Status, *, with_source: bool = False, as_quote: bool = False
    ) -> dict[str, Any]:
        """A hydrated status (posts.selectors.statuses_hydrate) as Mastodon's Status."""
        reblog = status.reblog_of
        quote = status.quote_of
        viewer_id = getattr(status, "viewer_id", None)
        data = assemble_status(
            self.status_core(status),
            account=self.account(status.account),
            counts=status_counts(status),
            marks=Marks.of(reblog or status, pinned=getattr(status, "viewer_pinned", False)),
            reblog=self.status(reblog) if reblog is not None else None,
            quote=quote_entity(
                state=status.quote_state,
                quoted_id=status.quote_of_id,
                quoted=self.status(quote, as_quote=True)
                if quote is not None and not as_quote
                else None,
                shallow=as_quote,
            ),
            quote_approval=quotes.approval(
                visibility=status.visibility,
                policy=status.quote_policy,
                author_id=status.account_id,
                is_reblog=reblog is not None,
                viewer_id=viewer_id,
                following_author=getattr(status, "viewer_follows_author", False),
            ),
            poll=self.poll(poll) if (poll := _poll(status)) is not None else None,
            products=[self.product_card(c) for c in getattr(status, "product_cards", [])],
        )
        if with_source:
            data["text"] = status.text
        return data

    def status_core(self, status: Status) -> dict[str, Any]:
        """What every reader sees of a post itself: everything but its author, counters, the
        reader's own marks, the posts it carries, its poll's votes and its product cards.
        Cached by `Status.version` (pages.py); the rest is merged in live."""
        url = self.url(f"/@{status.account.username}/{status.pk}")
        return {
            "id": str(status.pk),
            "uri": url,
            "url": url,
            "created_at": iso(status.created_at),
            "edited_at": iso(status.edited_at),
            "content": status.content,
            "visibility": status.visibility,
            "sensitive": status.sensitive,
            "spoiler_text": status.spoiler_text,
            "media_attachments": [self.media(m) for m in getattr(status, "media_list", [])],
            "application": None,
            "mentions": [
                {
                    "id": str(u.pk),
                    "username": u.username,
                    "url": self.url(f"/@{u.username}"),
                    "acct": u.username,
                }
                for u in getattr(status, "mention_list", [])
            ],
            "tags": [
                {"name": t.name, "url": self.url(f"/tags/{t.name}")}
                for t in getattr(status, "tag_list", [])
            ],
            "emojis": [],
            "in_reply_to_id": str(status.in_reply_to_id) if status.in_reply_to_id else None,
            "in_reply_to_account_id": (
                str(status.in_reply_to_account_id) if status.in_reply_to_account_id else None
            ),
            "card": None,
            "language": status.language or None,
            "muted": False,
            "filtered": [],
            # Not part of the entity: the poll's id, for reading its votes live.
            "_poll_id": poll.pk if (poll := _poll(status)) is not None else None,
        }

    def status_edit(
        self, edit: StatusEdit, account: User, media: dict[int, MediaAttachment]
    ) -> dict[str, Any]:
        """Mastodon's StatusEdit: one version of a post. Its images with the descriptions of
        that version (those deleted since are left out)."""
        attachments = []
        for item in edit.media:
            found = media.get(int(item["id"]))
            if found is not None:
                attachments.append(
                    {**self.media(found), "description": item["description"] or None}
                )
        return {
            "content": edit.content,
            "spoiler_text": edit.spoiler_text,
            "sensitive": edit.sensitive,
            "created_at": iso(edit.created_at),
            "account": self.account(account),
            "poll": {"options": [{"title": t} for t in edit.poll_options]}
            if edit.poll_options is not None
            else None,
            "media_attachments": attachments,
            "emojis": [],
        }

    def product_card(self, card: Any) -> dict[str, Any]:
        return {
            "id": str(card.id),
            "kind": card.kind,
            "title": card.title,
            "description": card.description,
            "price": format_amount(card.price_fen, card.currency)
            if card.price_fen is not None
            else None,
            "currency": card.currency,
            "stock": card.stock,
            "available": card.available,
            "state": card.state,
            "image_url": self.url(card.image_url)
            if card.image_url.startswith("/")
            else card.image_url or None,
            "url": self.url(card.url) if card.url.startswith("/") else card.url,
            "buy_url": self.url(card.buy_url) if card.buy_url.startswith("/") else card.buy_url,
            "source": card.source,
        }

    def statuses(self, statuses: Sequence[Status]) -> list[dict[str, Any]]:
        return [self.status(s) for s in statuses]

    # Notifications --------------------------------------------------------------------

    def notification(self, note: Notification, status: Status | None = None) -> dict[str, Any]:
        data = {
            "id": str(note.pk),
            "type": NOTIFICATION_TYPES.get(note.type, note.type),
            "group_key": note.group_key or f"ungrouped-{note.pk}",
            "created_at": iso(note.created_at),
            "account": self.account(note.actor),
            "status": self.status(status) if status is not None else None,
        }
        if note.type == NotificationType.SHOP:
            # Ours: what happened, in the active language (the view picks the reader's).
            url = str(note.data.get("url") or "")
            data["shop"] = {
                "event": str(note.data.get("event") or ""),
                "message": note.shop_message,
                "url": (self.url(url) if url.startswith("/") else url) or None,
            }
        return data


# The live parts, merged into the cached ones ----------------------------------------------


def account_counts(user: Any) -> dict[str, Any]:
    """An account's counters, from a User or anything with the same attributes."""
    last = user.last_status_at
    return {
        "followers_count": user.followers_count,
        "following_count": user.following_count,
        "statuses_count": user.statuses_count,
        "last_status_at": last.date().isoformat() if last else None,
    }


def status_counts(status: Any) -> dict[str, int]:
    return {
        "reblogs_count": status.reblogs_count,
        "favourites_count": status.favourites_count,
        "replies_count": status.replies_count,
    }


# An entity inside another: a dict, or already encoded (api/mastodon/pages.py).
type Embedded = dict[str, Any] | orjson.Fragment


@dataclass(frozen=True, slots=True)
class Marks:
    """The reader's own state of a post (of the reposted post, for a repost; `pinned` is
    the wrapper's own, as in Mastodon)."""

    favourited: bool = False
    reblogged: bool = False
    bookmarked: bool = False
    pinned: bool = False

    @classmethod
    def of(cls, status: Status, *, pinned: bool) -> "Marks":
        return cls(
            favourited=getattr(status, "viewer_favourited", False),
            reblogged=getattr(status, "viewer_reblogged", False),
            bookmarked=getattr(status, "viewer_bookmarked", False),
            pinned=pinned,
        )


def assemble_status(
    core: dict[str, Any],
    *,
    account: dict[str, Any],
    counts: dict[str, int],
    marks: Marks,
    reblog: "Embedded | None",
    quote: "Embedded | None",
    quote_approval: dict[str, Any],
    poll: dict[str, Any] | None,
    products: "list[Embedded]",
) -> dict[str, Any]:
    """Mastodon's Status from a cached core and the live parts (a new dict: cores are
    shared and never changed)."""
    data = {key: value for key, value in core.items() if key != "_poll_id"}
    data.update(
        account=account,
        reblog=reblog,
        poll=poll,
        favourited=marks.favourited,
        reblogged=marks.reblogged,
        bookmarked=marks.bookmarked,
        pinned=marks.pinned,
        # Storefeed: the product cards a post carries, with price and stock as they are now
        # (empty for ordinary posts; ordinary Mastodon clients ignore the field).
        products=products,
        # A repost with a comment: Mastodon 4.5's Quote (ShallowQuote inside a quoted post).
        quote=quote,
        quote_approval=quote_approval,
        **counts,
    )
    return data


def quote_entity(
    *, state: str, quoted_id: int | None, quoted: "Embedded | None", shallow: bool
) -> dict[str, Any] | None:
    """Mastodon 4.5's Quote (`quoted_status`) or ShallowQuote (`quoted_status_id`); None for a
    post that quotes nothing. A revoked or deleted quote keeps its state without the post."""
    if quoted_id is None and state == QuoteState.ACCEPTED:
        return None
    if quoted_id is not None and not shallow and quoted is None:
        state = QuoteState.DELETED  # the quoted post could not be shown (gone meanwhile)
    if shallow:
        return {"state": state, "quoted_status_id": str(quoted_id) if quoted_id else None}
    return {"state": state, "quoted_status": quoted}


def _poll(status: Status) -> Poll | None:
    try:
        return status.poll
    except Status.poll.RelatedObjectDoesNotExist:
        return None
