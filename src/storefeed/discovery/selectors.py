"""Reads of discovery: fields and their experts, the directory, who to follow, the hot list.

Each read is a fixed small number of indexed queries over rows the worker precomputed
(ExpertRank, Trend); nothing is counted or scored on read."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from storefeed.accounts.models import ExpertField, User
from storefeed.core.errors import ValidationFailed
from storefeed.discovery import hooks
from storefeed.discovery.models import (
    ExpertRank,
    Interest,
    PopularAccount,
    Signal,
    SuggestionDismissal,
    Trend,
    TrendHide,
    TrendKind,
)
from storefeed.posts.models import Status, Tag
from storefeed.social.models import Block, Follow, FollowRequest, Mute
from storefeed.social.selectors import hidden_account_ids

MAX_LIMIT = 80
# Friends of friends are counted over one's most recent follows only, so that following
# thousands of accounts does not make the suggestion a scan.
FOF_SAMPLE = 200


# Fields and experts -------------------------------------------------------------------


def field_by_slug(slug: str) -> ExpertField | None:
    return ExpertField.objects.filter(slug=slug).first()


def fields_with_counts() -> list[ExpertField]:
    """Every field with `experts_count` (ranked experts): one query."""
    return list(
        ExpertField.objects.annotate(
            experts_count=Subquery(
                ExpertRank.objects.filter(field=OuterRef("pk"))
                .values("field")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            )
        )
    )


def field_experts(*, field: ExpertField, offset: int = 0, limit: int = 20) -> list[User]:
    """The field's experts in ranking order, each with `rank` (its ExpertRank): one query."""
    ranks = list(
        ExpertRank.objects.select_related("account", "account__expert_field")
        .filter(field=field, account__is_active=True)
        .order_by("position")[offset : offset + limit]
    )
    users = []
    for rank in ranks:
        user = rank.account
        user.rank = rank  # type: ignore[attr-defined]
        users.append(user)
    return users


def interests_of(account: User) -> list[ExpertField]:
    return list(
        ExpertField.objects.filter(pk__in=Interest.objects.filter(account=account).values("field"))
    )


# The profile directory ----------------------------------------------------------------


def directory(
    *, order: str = "active", field: ExpertField | None = None, offset: int = 0, limit: int = 40
) -> list[User]:
    """Mastodon's profile directory: active accounts, recently active (`active`) or newest
    (`new`) first, optionally only the verified experts of one field; never an account that
    asked not to be listed (`discoverable` off). One query."""
    if order not in {"active", "new"}:
        raise ValidationFailed(_("order must be active or new."), field="order")
    qs = User.objects.select_related("expert_field").filter(is_active=True, discoverable=True)
    if field is not None:
        qs = qs.filter(expert_field=field, expert_verified_at__isnull=False)
    if order == "active":
        qs = qs.filter(last_status_at__isnull=False).order_by("-last_status_at", "-pk")
    else:
        qs = qs.order_by("-date_joined", "-pk")
    return list(qs[offset : offset + limit])


# Who to follow ------------------------------------------------------------------------

# Mastodon's Suggestion sources (v2) and the older single `source` (v1 clients).
FEATURED, FRIENDS, POPULAR = "featured", "friends_of_friends", "most_followed"
LEGACY_SOURCE = {FEATURED: "staff", FRIENDS: "past_interactions", POPULAR: "global"}


@dataclass
class Suggestion:
    account: User
    sources: list[str] = field(default_factory=list)
    # The field this account is an expert in, when suggested for one's interests.
    field: ExpertField | None = None

    @property
    def source(self) -> str:
        return LEGACY_SOURCE[self.sources[0]]


def _not_excluded(viewer: User, column: str = "pk") -> Q:
    """Accounts that may be suggested to `viewer`: not themselves, not followed or asked to
    follow, not blocked either way, not muted, not dismissed, and active. As NOT EXISTS
    conditions on `column`, so each query of the suggestions applies them itself."""
    ref = OuterRef(column)
    excluded = (
        Exists(Follow.objects.filter(follower=viewer, target=ref))
        | Exists(FollowRequest.objects.filter(account=viewer, target=ref))
        | Exists(Block.objects.filter(account=viewer, target=ref))
        | Exists(Block.objects.filter(account=ref, target=viewer))
        | Exists(Mute.objects.filter(account=viewer, target=ref))
        | Exists(SuggestionDismissal.objects.filter(account=viewer, target=ref))
    )
    return ~excluded & ~Q(**{column: viewer.pk})


def suggestions_for(*, viewer: User, limit: int = 40) -> list[Suggestion]:
    """Who `viewer` might follow: experts in the fields they picked (by rank), then accounts
    followed by those they follow (by how many), then the most followed (as the worker last
    listed them); never an account with `discoverable` off. Four queries."""
    limit = max(1, min(limit, MAX_LIMIT))
    experts = list(
        ExpertRank.objects.filter(
            _not_excluded(viewer, "account_id"),
            field__in=Interest.objects.filter(account=viewer).values("field"),
            account__is_active=True,
            account__discoverable=True,
        )
        .order_by("position", "-score")
        .values_list("account_id", "field_id")[:limit]
    )
    recent_follows = (
        Follow.objects.filter(follower=viewer).order_by("-pk").values("target")[:FOF_SAMPLE]
    )
    friends = list(
        Follow.objects.filter(
            _not_excluded(viewer, "target_id"),
            follower__in=Subquery(recent_follows),
            target__is_active=True,
            target__discoverable=True,
        )
        .values("target")
        .annotate(n=Count("pk"))
        .order_by("-n", "-target")
        .values_list("target", flat=True)[:limit]
    )
    popular = list(
        PopularAccount.objects.filter(
            _not_excluded(viewer, "account_id"),
            account__is_active=True,
            account__discoverable=True,
        )
        .order_by("position")
        .values_list("account_id", flat=True)[:limit]
    )
    found: dict[int, Suggestion] = {}
    fields: dict[int, int] = {}
    for source, ids in (
        (FEATURED, [pk for pk, _f in experts]),
        (FRIENDS, friends),
        (POPULAR, popular),
    ):
        for pk in ids:
            found.setdefault(pk, Suggestion(account=None)).sources.append(source)  # type: ignore[arg-type]
    fields.update(experts)
    users = User.objects.select_related("expert_field").in_bulk(list(found))
    result = []
    for pk, suggestion in found.items():
        user = users.get(pk)
        if user is None:
            continue
        suggestion.account = user
        if pk in fields:
            suggestion.field = user.expert_field
        result.append(suggestion)
    return result[:limit]


# The hot list -------------------------------------------------------------------------


@dataclass
class Entry:
    """One hot-list entry: the trend row, the item (a Tag, a status id, a ProductLink) and
    its reason worded in the current language."""

    trend: Trend
    item: Any
    reason: str


def _visible(kind: str, field_id: int) -> QuerySet[Trend]:
    hidden = TrendHide.objects.filter(kind=kind, item_id=OuterRef("item_id"))
    return (
        Trend.objects.filter(kind=kind, field_id=field_id)
        .exclude(Exists(hidden))
        .order_by("-score", "item_id")
    )


def trend_rows(*, kind: str, field_id: int = 0, offset: int = 0, limit: int = 10) -> list[Trend]:
    """The visible entries of one list (overall is field 0), best first: one query."""
    return list(_visible(kind, field_id)[offset : offset + limit])


def trending_tags(*, field_id: int = 0, offset: int = 0, limit: int = 10) -> list[Entry]:
    """Two queries: the rows, then their tags."""
    rows = trend_rows(kind=TrendKind.TAG, field_id=field_id, offset=offset, limit=limit)
    tags = Tag.objects.in_bulk([r.item_id for r in rows])
    return [Entry(r, tags[r.item_id], reason_text(r)) for r in rows if r.item_id in tags]


def trending_status_ids(
    *, viewer: User | None = None, field_id: int = 0, offset: int = 0, limit: int = 10
) -> list[tuple[int, str]]:
    """(status id, reason) of the trending posts, best first, without the authors the viewer
    blocked, muted or is blocked by; the caller renders the posts (their cached parts) and
    drops the ones deleted since. Two queries (one for a visitor)."""
    qs = _visible(TrendKind.STATUS, field_id)
    # Posts of an account suspended since the last refresh drop out at once (the refresh
    # leaves them out too).
    gone = Q(account__is_active=False)
    if viewer is not None and viewer.is_authenticated:
        hidden = hidden_account_ids(viewer.pk)
        if hidden:
            gone |= Q(account_id__in=hidden)
    qs = qs.exclude(Exists(Status.objects.filter(gone, pk=OuterRef("item_id"))))
    return [(r.item_id, reason_text(r)) for r in qs[offset : offset + limit]]


def trending_products(*, field_id: int = 0, offset: int = 0, limit: int = 10) -> list[Entry]:
    """Trending products still on sale (commerce's hook): two queries; none without
    commerce."""
    if not hooks.commerce_registered():
        return []
    rows = trend_rows(kind=TrendKind.PRODUCT, field_id=field_id, offset=offset, limit=limit)
    links = hooks.product_links([r.item_id for r in rows])
    return [Entry(r, links[r.item_id], reason_text(r)) for r in rows if r.item_id in links]


def _window(hours: int) -> str:
    if hours == 1:
        return _("the last hour")
    if hours == 2:
        return _("the last 2 hours")
    return _("the last 24 hours")


def reason_text(trend: Trend) -> str:
    """The entry's one-line reason in the current language."""
    n, window = trend.reason_count, _window(trend.reason_hours)
    count = f"{n:,}"
    signal = trend.reason_signal
    if not signal or not n:
        return ""
    if signal == Signal.REBLOG:
        text = ngettext("%(count)s repost in %(window)s", "%(count)s reposts in %(window)s", n)
    elif signal == Signal.LIKE:
        text = ngettext("%(count)s like in %(window)s", "%(count)s likes in %(window)s", n)
    elif signal == Signal.REPLY:
        text = ngettext("%(count)s reply in %(window)s", "%(count)s replies in %(window)s", n)
    elif signal == Signal.USE:
        text = ngettext(
            "%(count)s person posted about it in %(window)s",
            "%(count)s people posted about it in %(window)s",
            n,
        )
    else:
        text = ngettext("sold %(count)s in %(window)s", "sold %(count)s in %(window)s", n)
    return text % {"count": count, "window": window}
