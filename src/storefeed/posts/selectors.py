"""Reading statuses: who may see what, and pages hydrated in a fixed number of queries."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.core.errors import NotFound, ValidationFailed
from storefeed.core.pagination import ids_page
from storefeed.core.parse import lookup_id
from storefeed.core.text import normalize_tag
from storefeed.posts import hydration, live
from storefeed.posts.models import (
    Bookmark,
    Favourite,
    MediaAttachment,
    Mention,
    Pin,
    Poll,
    PollVote,
    SiteStats,
    Status,
    StatusEdit,
    StatusTag,
    Tag,
    Visibility,
)
from storefeed.social import selectors as social
from storefeed.social.models import Block, Follow

MAX_PAGE = 40
STATUS_RELATED = (
    "account__expert_field",
    "in_reply_to_account",
    "reblog_of__account__expert_field",
    "reblog_of__quote_of__account",
    "quote_of__account__expert_field",
)


def _viewer_id(viewer: User | None) -> int | None:
    return viewer.pk if viewer is not None and viewer.is_authenticated else None


def can_view(viewer: User | None, status: Status) -> bool:
    """The one visibility rule. A reblog is visible when its original is."""
    target = status.reblog_of if status.reblog_of_id else status
    assert target is not None
    viewer_id = _viewer_id(viewer)
    if viewer_id is not None and viewer_id == target.account_id:
        return True
    # Blocks hide in both directions; a muted author's posts stay reachable by link.
    if viewer_id is not None and is_blocked_either_way(viewer_id, target.account_id):
        return False
    if target.visibility in (Visibility.PUBLIC, Visibility.UNLISTED):
        return True
    if viewer_id is None:
        return False
    if target.visibility == Visibility.PRIVATE:
        return social.is_following(viewer_id, target.account_id)
    return Mention.objects.filter(status_id=target.pk, account_id=viewer_id).exists()


def status_for_viewer(*, viewer: User | None, status_id: int | str) -> Status:
    """The status, if it exists and `viewer` may see it; else NotFound (never a hint which)."""
    missing = NotFound(_("This post does not exist or you cannot see it."))
    try:
        pk = lookup_id(status_id)
    except (TypeError, ValueError):
        raise missing from None
    status = Status.objects.select_related(*STATUS_RELATED).filter(pk=pk).first()
    if status is None or not can_view(viewer, status):
        raise missing
    return status


def status_for_editor(*, account: User, status_id: int | str) -> Status:
    """One of `account`'s own posts, to edit: someone else's is NotFound (as in Mastodon,
    not one of yours to find), a repost ValidationFailed."""
    status = status_for_viewer(viewer=account, status_id=status_id)
    if status.account_id != account.pk:
        raise NotFound(_("This post does not exist or you cannot see it."))
    if status.reblog_of_id is not None:
        raise ValidationFailed(_("A repost cannot be edited; edit your own posts."))
    return status


def visible_q(viewer: User | None) -> Q:
    """A filter matching the statuses `viewer` may see (for lists of many authors)."""
    viewer_id = _viewer_id(viewer)
    public = Q(visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED])
    if viewer_id is None:
        return public
    follows = Follow.objects.filter(follower_id=viewer_id, target_id=OuterRef("account_id"))
    mentioned = Mention.objects.filter(status_id=OuterRef("pk"), account_id=viewer_id)
    return (
        public
        | Q(account_id=viewer_id)
        | (Q(visibility=Visibility.PRIVATE) & Exists(follows))
        | (Q(visibility=Visibility.DIRECT) & Exists(mentioned))
    )


def statuses_hydrate(
    *, viewer: User | None, ids: Sequence[int], shared_only: bool = False
) -> list[Status]:
    """Statuses for `ids`, in that order, missing ones dropped, each with its media, poll and
    the viewer's own state (liked, reposted, bookmarked, pinned). The number of queries does
    not depend on how many ids there are. `shared_only`: only what every reader sees (for
    rendering cached parts; posts.live reads the rest): no votes, marks or cards."""
    ids = list(ids)
    if not ids:
        return []
    by_id = {s.pk: s for s in Status.objects.select_related(*STATUS_RELATED).filter(pk__in=ids)}
    statuses = [by_id[i] for i in ids if i in by_id]
    _attach(viewer, statuses, shared_only=shared_only)
    return statuses


def _attach(viewer: User | None, statuses: Iterable[Status], *, shared_only: bool = False) -> None:
    statuses = list(statuses)
    # The same post can appear several times on a page (itself, and inside a repost or a
    # quote); every instance gets the attributes.
    everything: dict[int, list[Status]] = {}

    def add(status: Status | None, depth: int = 0) -> None:
        if status is None or depth > 2:
            return
        everything.setdefault(status.pk, []).append(status)
        add(status.reblog_of, depth + 1)
        add(status.quote_of, depth + 1)

    for status in statuses:
        add(status)
    ids = list(everything)
    media: dict[int, list[MediaAttachment]] = {i: [] for i in ids}
    for item in MediaAttachment.objects.filter(status_id__in=ids).order_by("position", "id"):
        assert item.status_id is not None
        media[item.status_id].append(item)
    # Polls in one query for the whole page, cached on every instance (None caches "no poll").
    polls = {p.status_id: p for p in Poll.objects.filter(status_id__in=ids)}
    for pk, group in everything.items():
        for status in group:
            Status.poll.related.set_cached_value(status, polls.get(pk))
    mentions: dict[int, list[User]] = {}
    for row in Mention.objects.filter(status_id__in=ids).select_related("account"):
        mentions.setdefault(row.status_id, []).append(row.account)
    tags: dict[int, list[Tag]] = {}
    for link in StatusTag.objects.filter(status_id__in=ids).select_related("tag"):
        tags.setdefault(link.status_id, []).append(link.tag)
    if shared_only:
        for status in (s for group in everything.values() for s in group):
            status.media_list = media.get(status.pk, [])  # type: ignore[attr-defined]
            status.mention_list = mentions.get(status.pk, [])  # type: ignore[attr-defined]
            status.tag_list = tags.get(status.pk, [])  # type: ignore[attr-defined]
        return
    poll_counts = live.option_counts({p.pk: p for p in polls.values()}) if polls else {}
    viewer_id = _viewer_id(viewer)
    liked: set[int] = set()
    bookmarked: set[int] = set()
    reblogged: set[int] = set()
    pinned: set[int] = set()
    voted: dict[int, list[int]] = {}
    if viewer_id is not None:
        liked = set(
            Favourite.objects.filter(account_id=viewer_id, status_id__in=ids).values_list(
                "status_id", flat=True
            )
        )
        bookmarked = set(
            Bookmark.objects.filter(account_id=viewer_id, status_id__in=ids).values_list(
                "status_id", flat=True
            )
        )
        reblogged = {
            i
            for i in Status.objects.filter(account_id=viewer_id, reblog_of_id__in=ids).values_list(
                "reblog_of_id", flat=True
            )
            if i is not None
        }
        pinned = set(
            Pin.objects.filter(account_id=viewer_id, status_id__in=ids).values_list(
                "status_id", flat=True
            )
        )
        poll_ids = [p.pk for p in polls.values()]
        if poll_ids:
            for poll_id, choice in PollVote.objects.filter(
                account_id=viewer_id, poll_id__in=poll_ids
            ).values_list("poll_id", "choice"):
                voted.setdefault(poll_id, []).append(choice)
    instances = [s for group in everything.values() for s in group]
    hydration.run(instances, viewer)
    followed: set[int] = set()
    if viewer_id is not None:
        followed = set(
            Follow.objects.filter(
                follower_id=viewer_id, target_id__in={s.account_id for s in instances}
            ).values_list("target_id", flat=True)
        )
    for status in instances:
        # For the quote approval (`current_user`): who reads, and whether they follow.
        status.viewer_id = viewer_id  # type: ignore[attr-defined]
        status.viewer_follows_author = status.account_id in followed  # type: ignore[attr-defined]
        status.media_list = media.get(status.pk, [])  # type: ignore[attr-defined]
        status.viewer_favourited = status.pk in liked  # type: ignore[attr-defined]
        status.viewer_bookmarked = status.pk in bookmarked  # type: ignore[attr-defined]
        status.viewer_reblogged = status.pk in reblogged  # type: ignore[attr-defined]
        status.viewer_pinned = status.pk in pinned  # type: ignore[attr-defined]
        status.mention_list = mentions.get(status.pk, [])  # type: ignore[attr-defined]
        status.tag_list = tags.get(status.pk, [])  # type: ignore[attr-defined]
        poll = _poll(status)
        if poll is not None:
            poll.option_votes = poll_counts.get(poll.pk, [0] * len(poll.options))  # type: ignore[attr-defined]
            poll.own_votes = sorted(voted.get(poll.pk, []))  # type: ignore[attr-defined]
            poll.voted = bool(poll.own_votes)  # type: ignore[attr-defined]


def _poll(status: Status) -> Any:
    try:
        return status.poll
    except Status.poll.RelatedObjectDoesNotExist:
        return None


def _page(
    qs: QuerySet[Status],
    *,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 20,
) -> list[int]:
    """Ids of one page (see core.pagination), at most MAX_PAGE long."""
    limit = max(1, min(limit, MAX_PAGE))
    return ids_page(qs, max_id=max_id, since_id=since_id, min_id=min_id, limit=limit)


def _without_hidden(qs: QuerySet[Status], viewer: User | None) -> QuerySet[Status]:
    viewer_id = _viewer_id(viewer)
    if viewer_id is None:
        return qs
    hidden = social.hidden_account_ids(viewer_id)
    if not hidden:
        return qs
    return qs.exclude(account_id__in=hidden).exclude(reblog_of__account_id__in=hidden)


def public_timeline_ids(
    *,
    viewer: User | None,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 20,
    only_media: bool = False,
) -> list[int]:
    """Local public posts: top-level posts, and threads people continue themselves."""
    qs = Status.objects.filter(visibility=Visibility.PUBLIC, reblog_of__isnull=True).filter(
        Q(in_reply_to_account__isnull=True) | Q(in_reply_to_account=F("account"))
    )
    if only_media:
        qs = qs.filter(Exists(MediaAttachment.objects.filter(status_id=OuterRef("pk"))))
    qs = _without_hidden(qs, viewer)
    return _page(qs, max_id=max_id, since_id=since_id, min_id=min_id, limit=limit)


def tag_by_name(name: str) -> Tag | None:
    return Tag.objects.filter(key=normalize_tag(name)).first()


def tag_timeline_ids(
    *,
    viewer: User | None,
    tag: str,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 20,
    any_tags: Sequence[str] = (),
    all_tags: Sequence[str] = (),
    none_tags: Sequence[str] = (),
    only_media: bool = False,
) -> list[int]:
    """Public posts carrying #tag (or any of `any_tags`), with all of `all_tags` and none of
    `none_tags` (and with images, if `only_media`). An unknown tag is an empty page, not an
    error."""
    keys = [normalize_tag(t) for t in (tag, *any_tags)]
    qs = Status.objects.filter(
        visibility=Visibility.PUBLIC, reblog_of__isnull=True, tags__key__in=keys
    )
    if only_media:
        qs = qs.filter(Exists(MediaAttachment.objects.filter(status_id=OuterRef("pk"))))
    for extra in all_tags:
        qs = qs.filter(
            Exists(Tag.objects.filter(key=normalize_tag(extra), statuses=OuterRef("pk")))
        )
    if none_tags:
        qs = qs.exclude(tags__key__in=[normalize_tag(t) for t in none_tags])
    qs = _without_hidden(qs.distinct(), viewer)
    return _page(qs, max_id=max_id, since_id=since_id, min_id=min_id, limit=limit)


def account_statuses(*, viewer: User | None, account: User, **options: Any) -> list[Status]:
    """`account_statuses_ids`, hydrated."""
    ids = account_statuses_ids(viewer=viewer, account=account, **options)
    return statuses_hydrate(viewer=viewer, ids=ids)


def account_statuses_ids(
    *,
    viewer: User | None,
    account: User,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 20,
    exclude_replies: bool = False,
    exclude_reblogs: bool = False,
    exclude_direct: bool = False,
    only_media: bool = False,
    pinned: bool = False,
    tagged: str | None = None,
) -> list[int]:
    """A profile's posts as `viewer` may see them, newest first (or its pinned posts, most
    recently pinned first). `exclude_direct`: without direct posts (Mastodon 4.6)."""
    viewer_id = _viewer_id(viewer)
    if (
        viewer_id is not None
        and viewer_id != account.pk
        and is_blocked_either_way(viewer_id, account.pk)
    ):
        return []
    qs = Status.objects.filter(account=account)
    if viewer_id != account.pk:
        allowed = [Visibility.PUBLIC, Visibility.UNLISTED]
        if viewer_id is not None and social.is_following(viewer_id, account.pk):
            allowed.append(Visibility.PRIVATE)
        mentioned = Mention.objects.filter(status_id=OuterRef("pk"), account_id=viewer_id)
        qs = qs.filter(
            Q(visibility__in=allowed) | (Q(visibility=Visibility.DIRECT) & Exists(mentioned))
        )
    if pinned:
        order = list(
            Pin.objects.filter(account=account, status__account=account)
            .order_by("-created_at")
            .values_list("status_id", flat=True)[: max(1, min(limit, MAX_PAGE))]
        )
        visible = set(qs.filter(pk__in=order).values_list("pk", flat=True))
        return [i for i in order if i in visible]
    if exclude_replies:
        qs = qs.filter(Q(in_reply_to_account__isnull=True) | Q(in_reply_to_account=account))
    if exclude_reblogs:
        qs = qs.filter(reblog_of__isnull=True)
    if exclude_direct:
        qs = qs.exclude(visibility=Visibility.DIRECT)
    if only_media:
        qs = qs.filter(
            Exists(MediaAttachment.objects.filter(status_id=OuterRef("pk")))
            | Exists(MediaAttachment.objects.filter(status_id=OuterRef("reblog_of_id")))
        )
    if tagged:
        qs = qs.filter(tags__key=normalize_tag(tagged))
    return _page(qs, max_id=max_id, since_id=since_id, min_id=min_id, limit=limit)


def is_blocked_either_way(a_id: int, b_id: int) -> bool:
    return Block.objects.filter(
        Q(account_id=a_id, target_id=b_id) | Q(account_id=b_id, target_id=a_id)
    ).exists()


CONTEXT_LIMIT = 200


def status_context(*, viewer: User | None, status: Status) -> tuple[list[Status], list[Status]]:
    """The thread around `status`: its ancestors (oldest first) and its descendants in reading
    order (depth first), both filtered by what `viewer` may see."""
    ancestor_ids: list[int] = []
    parent_id = status.in_reply_to_id
    while parent_id is not None and len(ancestor_ids) < 40:
        row = Status.objects.filter(pk=parent_id).values_list("pk", "in_reply_to_id").first()
        if row is None:
            break
        ancestor_ids.append(row[0])
        parent_id = row[1]
    ancestor_ids.reverse()

    children: dict[int, list[int]] = {}
    frontier = [status.pk]
    seen = 0
    while frontier and seen < CONTEXT_LIMIT:
        rows = list(
            Status.objects.filter(in_reply_to_id__in=frontier)
            .order_by("pk")
            .values_list("pk", "in_reply_to_id")[: CONTEXT_LIMIT - seen]
        )
        seen += len(rows)
        frontier = []
        for pk, parent in rows:
            assert parent is not None
            children.setdefault(parent, []).append(pk)
            frontier.append(pk)
    descendant_ids: list[int] = []

    def walk(pk: int) -> None:
        for child in children.get(pk, []):
            descendant_ids.append(child)
            walk(child)

    walk(status.pk)
    hydrated = {
        s.pk: s
        for s in statuses_hydrate(viewer=viewer, ids=ancestor_ids + descendant_ids)
        if can_view(viewer, s)
    }
    hidden = (
        social.hidden_account_ids(viewer.pk) if _viewer_id(viewer) is not None and viewer else set()
    )
    ancestors = [hydrated[i] for i in ancestor_ids if i in hydrated]
    descendants = [
        hydrated[i]
        for i in descendant_ids
        if i in hydrated and hydrated[i].account_id not in hidden
    ]
    return ancestors, descendants


def _by_rows(
    viewer: User | None, model: type[Favourite] | type[Bookmark], max_id: int | None, limit: int
) -> list[Status]:
    assert viewer is not None
    qs = model.objects.filter(account_id=viewer.pk)
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    rows = list(qs.order_by("-pk").values_list("pk", "status_id")[: max(1, min(limit, MAX_PAGE))])
    statuses = statuses_hydrate(viewer=viewer, ids=[status_id for _pk, status_id in rows])
    cursor = {status_id: pk for pk, status_id in rows}
    visible = [s for s in statuses if can_view(viewer, s)]
    for s in visible:
        s.page_cursor = cursor[s.pk]  # type: ignore[attr-defined]
    return visible


def favourites_for(*, viewer: User, max_id: int | None = None, limit: int = 20) -> list[Status]:
    """Posts `viewer` liked, most recently liked first; `page_cursor` on each is the cursor."""
    return _by_rows(viewer, Favourite, max_id, limit)


def bookmarks_for(*, viewer: User, max_id: int | None = None, limit: int = 20) -> list[Status]:
    return _by_rows(viewer, Bookmark, max_id, limit)


def favourited_by(*, status: Status, max_id: int | None = None, limit: int = 40) -> list[User]:
    qs = Favourite.objects.filter(status=status).select_related("account__expert_field")
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    return [row.account for row in qs.order_by("-pk")[: max(1, min(limit, 80))]]


def reblogged_by(*, status: Status, max_id: int | None = None, limit: int = 40) -> list[User]:
    qs = Status.objects.filter(reblog_of=status).select_related("account__expert_field")
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    return [row.account for row in qs.order_by("-pk")[: max(1, min(limit, 80))]]


def status_snapshot(
    *, status: Status, media: Sequence[MediaAttachment], poll: Poll | None
) -> StatusEdit:
    """An unsaved StatusEdit holding `status` as it is, with `media` and `poll`."""
    return StatusEdit(
        status=status,
        text=status.text,
        content=status.content,
        spoiler_text=status.spoiler_text,
        sensitive=status.sensitive,
        media=[{"id": str(m.pk), "description": m.description} for m in media],
        poll_options=list(poll.options) if poll is not None else None,
    )


def status_history(*, status: Status) -> tuple[list[StatusEdit], dict[int, MediaAttachment]]:
    """The versions of `status`, oldest first, and the images they name that still exist (by
    id), in two queries. A post never edited has one version: itself as it is (as in
    Mastodon)."""
    edits = list(StatusEdit.objects.filter(status=status).order_by("created_at", "id"))
    if not edits:
        media_now = list(status.media.order_by("position", "id"))
        poll = Poll.objects.filter(status=status).first()
        current = status_snapshot(status=status, media=media_now, poll=poll)
        current.created_at = status.edited_at or status.created_at
        edits = [current]
        return edits, {m.pk: m for m in media_now}
    wanted = {int(m["id"]) for edit in edits for m in edit.media}
    return edits, MediaAttachment.objects.in_bulk(wanted) if wanted else {}


def site_stats() -> SiteStats:
    """The site's counts as last computed by the worker: one row read by primary key,
    whatever the size of the site. Only a site whose worker has not computed them yet (new,
    or its database just restored) counts here, once."""
    stats = SiteStats.objects.filter(pk=1).first()
    if stats is None:
        from storefeed.posts.services import site_stats_refresh  # services imports this module

        stats = site_stats_refresh()
    return stats


def poll_id_of(status_id: int) -> int | None:
    """The id of the poll a post carries, if any."""
    return Poll.objects.filter(status_id=status_id).values_list("pk", flat=True).first()
