"""Reads of the social graph: relationships, follower lists, the ids timelines filter on."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from storefeed.accounts.models import User
from storefeed.core import sql
from storefeed.social.models import AccountNote, Block, Endorsement, Follow, FollowRequest, Mute


@dataclass(frozen=True)
class Relationship:
    """How `viewer` stands to one account (the Mastodon Relationship entity's fields)."""

    id: int
    following: bool = False
    showing_reblogs: bool = False
    notifying: bool = False
    requested: bool = False
    requested_by: bool = False
    followed_by: bool = False
    blocking: bool = False
    blocked_by: bool = False
    muting: bool = False
    muting_notifications: bool = False
    mute_expires_at: dt.datetime | None = None
    note: str = ""
    endorsed: bool = False


def active_mutes(now: dt.datetime | None = None) -> QuerySet[Mute]:
    """Mutes that apply now: without an end, or whose end is still ahead."""
    now = now or timezone.now()
    return Mute.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


# The relationship's columns that are values rather than flags.
VALUES = ("r_mute_expires_at", "r_note")


def relationships(*, viewer: User, target_ids: Iterable[int]) -> dict[int, Relationship]:
    """Relationships to many accounts in one query (for lists and the API's batch call).
    Ids of accounts that do not exist are left out."""
    ids = list(dict.fromkeys(int(i) for i in target_ids))
    if not ids:
        return {}
    them = OuterRef("pk")
    follow = Follow.objects.filter(follower_id=viewer.pk, target_id=them)
    request = FollowRequest.objects.filter(account_id=viewer.pk, target_id=them)
    mute = active_mutes().filter(account_id=viewer.pk, target_id=them)
    note = AccountNote.objects.filter(account_id=viewer.pk, target_id=them)
    rows = (
        User.objects.filter(pk__in=ids)
        .annotate(
            r_following=Exists(follow),
            # As in Mastodon, a pending request shows the options it will follow with.
            r_showing_reblogs=Exists(follow.filter(show_reblogs=True))
            | Exists(request.filter(show_reblogs=True)),
            r_notifying=Exists(follow.filter(notify=True)) | Exists(request.filter(notify=True)),
            r_requested=Exists(request),
            r_requested_by=Exists(
                FollowRequest.objects.filter(account_id=them, target_id=viewer.pk)
            ),
            r_followed_by=Exists(Follow.objects.filter(follower_id=them, target_id=viewer.pk)),
            r_blocking=Exists(Block.objects.filter(account_id=viewer.pk, target_id=them)),
            r_blocked_by=Exists(Block.objects.filter(account_id=them, target_id=viewer.pk)),
            r_muting=Exists(mute),
            r_muting_notifications=Exists(mute.filter(hide_notifications=True)),
            r_mute_expires_at=Subquery(mute.values("expires_at")[:1]),
            r_note=Subquery(note.values("comment")[:1]),
            r_endorsed=Exists(Endorsement.objects.filter(account_id=viewer.pk, target_id=them)),
        )
        .values(
            "pk",
            "r_following",
            "r_showing_reblogs",
            "r_notifying",
            "r_requested",
            "r_requested_by",
            "r_followed_by",
            "r_blocking",
            "r_blocked_by",
            "r_muting",
            "r_muting_notifications",
            "r_mute_expires_at",
            "r_note",
            "r_endorsed",
        )
    )
    result = {}
    for row in rows:
        pk = row["pk"]
        fields: dict[str, Any] = {
            k[2:]: v if k in VALUES else bool(v) for k, v in row.items() if k.startswith("r_")
        }
        fields["note"] = fields["note"] or ""
        result[pk] = Relationship(id=pk, **fields)
    return result


def relationship(*, viewer: User, target: User) -> Relationship:
    return relationships(viewer=viewer, target_ids=[target.pk]).get(
        target.pk, Relationship(id=target.pk)
    )


def _edge_page(
    *, filters: dict[str, object], edge: str, max_id: int | None, limit: int
) -> list[User]:
    """Accounts at the other end of follow edges, newest edge first. Each account carries
    `edge_id`, the follow's id, which is the cursor (`max_id`) for the next page. All the
    conditions go into one filter() so they apply to one join, which the annotation reuses."""
    limit = max(1, min(int(limit), 80))
    if max_id is not None:
        filters = {**filters, f"{edge}__id__lt": max_id}
    return list(
        User.objects.filter(is_active=True, **filters)
        .select_related("expert_field")
        .annotate(edge_id=F(f"{edge}__id"))
        .order_by("-edge_id")[:limit]
    )


def followers(*, account: User, max_id: int | None = None, limit: int = 40) -> list[User]:
    """Who follows `account`, most recent follow first."""
    return _edge_page(
        filters={"following_edges__target": account},
        edge="following_edges",
        max_id=max_id,
        limit=limit,
    )


def following(*, account: User, max_id: int | None = None, limit: int = 40) -> list[User]:
    """Whom `account` follows, most recent follow first."""
    return _edge_page(
        filters={"follower_edges__follower": account},
        edge="follower_edges",
        max_id=max_id,
        limit=limit,
    )


def endorsed(*, account: User, max_id: int | None = None, limit: int = 40) -> list[User]:
    """Whom `account` endorses (features on its profile), most recent first; each account
    carries `edge_id`, the endorsement's id, the cursor."""
    return _edge_page(
        filters={"endorsed_by__account": account},
        edge="endorsed_by",
        max_id=max_id,
        limit=limit,
    )


def collections_visible(*, account: User, viewer: User | None) -> bool:
    """Whether `viewer` may list whom `account` follows and who follows it: always, unless
    the account hides them (`hide_collections`), and then only itself."""
    return not account.hide_collections or (viewer is not None and viewer.pk == account.pk)


FAMILIAR_MAX = 40  # familiar followers shown per account


def familiar_followers(*, viewer: User, target_ids: list[int]) -> dict[int, list[User]]:
    """For each of `target_ids`, the accounts `viewer` follows that follow it (most recent
    follow first, at most FAMILIAR_MAX each); none for an account that hides its followers
    (unless it is the viewer). One query whatever the number of targets."""
    if not target_ids:
        return {}
    followed = Follow.objects.filter(follower_id=viewer.pk).values("target_id")
    rows = (
        Follow.objects.filter(
            Q(target__hide_collections=False) | Q(target_id=viewer.pk),
            target_id__in=target_ids,
            follower_id__in=followed,
            follower__is_active=True,
        )
        .select_related("follower", "follower__expert_field")
        .annotate(rank=Window(RowNumber(), partition_by=F("target_id"), order_by=F("id").desc()))
        .filter(rank__lte=FAMILIAR_MAX)
        .order_by("target_id", "-id")
    )
    found: dict[int, list[User]] = {}
    for row in rows:
        found.setdefault(row.target_id, []).append(row.follower)
    return found


def follow_requests(*, target: User) -> list[FollowRequest]:
    """Pending requests to follow `target`, oldest first, with the requester joined in."""
    return list(
        FollowRequest.objects.filter(target=target)
        .select_related("account", "account__expert_field")
        .order_by("id")
    )


def follower_ids(account_id: int) -> list[int]:
    return list(Follow.objects.filter(target_id=account_id).values_list("follower_id", flat=True))


def following_ids(account_id: int) -> list[int]:
    return list(Follow.objects.filter(follower_id=account_id).values_list("target_id", flat=True))


def is_following(follower_id: int, target_id: int) -> bool:
    # Plain SQL (core/sql.py): every paid checkout's answer asks it.
    return bool(
        sql.rows(
            f"SELECT 1 FROM {sql.table(Follow)} WHERE follower_id = %s AND target_id = %s",  # noqa: S608
            [follower_id, target_id],
        )
    )


def hidden_accounts_sql(viewer_id: int, tag: int = 0) -> tuple[str, list[Any]]:
    """The accounts whose posts `viewer_id` should not see (blocked by them, blocking them,
    muted by them) as SQL giving `(account_id, tag)` rows, and its parameters, for a caller
    to run alone or in a UNION ALL with rows of its own told apart by `tag`. Plain SQL: every
    timeline page runs it (see core/sql.py)."""
    blocks, mutes = sql.table(Block), sql.table(Mute)
    query = (
        f"SELECT target_id, {int(tag)} FROM {blocks} WHERE account_id = %s"  # noqa: S608
        f" UNION ALL SELECT account_id, {int(tag)} FROM {blocks} WHERE target_id = %s"
        f" UNION ALL SELECT target_id, {int(tag)} FROM {mutes} WHERE account_id = %s"
        " AND (expires_at IS NULL OR expires_at > %s)"
    )
    return query, [viewer_id, viewer_id, viewer_id, sql.datetime_param(timezone.now())]


def hidden_account_ids(viewer_id: int) -> set[int]:
    """Accounts whose posts `viewer_id` should not see: blocked by them, blocking them, or
    muted by them. One query."""
    return {row[0] for row in sql.rows(*hidden_accounts_sql(viewer_id))}
