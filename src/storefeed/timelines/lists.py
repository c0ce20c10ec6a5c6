"""Lists: named subsets of the accounts one follows, read from the home store."""

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.core.errors import NotFound, ValidationFailed
from storefeed.core.parse import lookup_id
from storefeed.core.text import clean_plain
from storefeed.posts.models import Status
from storefeed.posts.selectors import MAX_PAGE, statuses_hydrate
from storefeed.social.models import Follow
from storefeed.timelines.models import List, ListMember, RepliesPolicy
from storefeed.timelines.selectors import reader_filters, timeline_ids
from storefeed.timelines.store import Skip

MAX_LISTS = 50
MAX_MEMBERS = 500


def list_for_owner(*, owner: User, list_id: int | str, lock: bool = False) -> List:
    """The owner's list, or NotFound (someone else's list is not found, never forbidden)."""
    try:
        qs = List.objects.select_for_update() if lock else List.objects
        return qs.get(pk=lookup_id(list_id), owner=owner)
    except (List.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("This list does not exist.")) from None


def lists_for(*, owner: User) -> list[List]:
    return list(List.objects.filter(owner=owner).order_by("title", "pk"))


def lists_containing(*, owner: User, account: User) -> list[List]:
    return list(List.objects.filter(owner=owner, members__account=account).order_by("title"))


def _title(title: str | None) -> str:
    title = clean_plain(title or "")
    if not title:
        raise ValidationFailed(_("Give the list a title."), field="title")
    if len(title) > 100:
        raise ValidationFailed(_("List titles can be at most 100 characters."), field="title")
    return title


def _policy(value: str | None) -> str:
    if value in (None, ""):
        return RepliesPolicy.LIST
    if value not in RepliesPolicy.values:
        raise ValidationFailed(
            _("Replies policy must be followed, list or none."), field="replies_policy"
        )
    return value


@transaction.atomic(durable=True)
def list_create(
    *, owner: User, title: str, replies_policy: str | None = None, exclusive: bool = False
) -> List:
    User.objects.select_for_update().filter(pk=owner.pk).first()
    if List.objects.filter(owner=owner).count() >= MAX_LISTS:
        raise ValidationFailed(_("You can have at most %(max)s lists.") % {"max": MAX_LISTS})
    return List.objects.create(
        owner=owner,
        title=_title(title),
        replies_policy=_policy(replies_policy),
        exclusive=exclusive,
    )


@transaction.atomic(durable=True)
def list_update(
    *,
    owner: User,
    list_id: int | str,
    title: str | None = None,
    replies_policy: str | None = None,
    exclusive: bool | None = None,
) -> List:
    item = list_for_owner(owner=owner, list_id=list_id, lock=True)
    if title is not None:
        item.title = _title(title)
    if replies_policy is not None:
        item.replies_policy = _policy(replies_policy)
    if exclusive is not None:
        item.exclusive = exclusive
    item.save(update_fields=["title", "replies_policy", "exclusive"])
    return item


@transaction.atomic(durable=True)
def list_delete(*, owner: User, list_id: int | str) -> None:
    list_for_owner(owner=owner, list_id=list_id, lock=True).delete()


def _account_ids(ids: list[int | str]) -> list[int]:
    try:
        return list(dict.fromkeys(int(i) for i in ids))
    except (TypeError, ValueError):
        raise NotFound(_("Account not found.")) from None


@transaction.atomic(durable=True)
def list_accounts_add(*, owner: User, list_id: int | str, account_ids: list[int | str]) -> None:
    """Add accounts the owner follows; anyone else is refused and nothing is added."""
    item = list_for_owner(owner=owner, list_id=list_id, lock=True)
    ids = _account_ids(account_ids)
    if not ids:
        raise ValidationFailed(_("Choose accounts to add."), field="account_ids")
    known = set(User.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if known != set(ids):
        raise NotFound(_("Account not found."))
    followed = set(
        Follow.objects.filter(follower=owner, target_id__in=ids).values_list("target_id", flat=True)
    )
    if followed != set(ids):
        raise ValidationFailed(
            _("You can only add accounts you follow to a list."), field="account_ids"
        )
    if ListMember.objects.filter(list=item).count() + len(ids) > MAX_MEMBERS:
        raise ValidationFailed(
            _("A list can hold at most %(max)s accounts.") % {"max": MAX_MEMBERS}
        )
    ListMember.objects.bulk_create(
        [ListMember(list=item, account_id=i) for i in ids], ignore_conflicts=True
    )


@transaction.atomic(durable=True)
def list_accounts_remove(*, owner: User, list_id: int | str, account_ids: list[int | str]) -> None:
    item = list_for_owner(owner=owner, list_id=list_id, lock=True)
    ListMember.objects.filter(list=item, account_id__in=_account_ids(account_ids)).delete()


def list_memberships_drop(*, owner_id: int, account_id: int) -> None:
    """`account` leaves every list of `owner` (who stopped following them): lists hold only
    accounts one follows, as in Mastodon. Runs inside the unfollow's or block's transaction."""
    ListMember.objects.filter(list__owner_id=owner_id, account_id=account_id).delete()


def list_members(*, owner: User, list_id: int | str, limit: int = 40) -> list[User]:
    item = list_for_owner(owner=owner, list_id=list_id)
    return [
        m.account
        for m in ListMember.objects.filter(list=item)
        .select_related("account__expert_field")
        .order_by("-pk")[: max(1, min(limit, 80))]
    ]


def _replies_left_out(item: List, members: frozenset[int], ids: list[int]) -> set[int]:
    """Those of `ids` that the list's policy keeps out of its timeline (Mastodon's rule):
    never a reply to oneself or to the list's owner; with "list", a reply to someone outside
    the list; with "none", every other reply. ("followed" keeps what reached the home, which
    already holds only replies to accounts the owner follows.)"""
    if item.replies_policy == RepliesPolicy.FOLLOWED:
        return set()
    replies = (
        Status.objects.filter(pk__in=ids, in_reply_to_account__isnull=False)
        .exclude(in_reply_to_account_id=F("account_id"))
        .exclude(in_reply_to_account_id=item.owner_id)
    )
    if item.replies_policy == RepliesPolicy.LIST:
        replies = replies.exclude(in_reply_to_account_id__in=list(members))
    return set(replies.values_list("pk", flat=True))


def list_timeline(*, viewer: User, list_id: int | str, **page: Any) -> list[Status]:
    """`list_timeline_ids`, hydrated."""
    ids = list_timeline_ids(viewer=viewer, list_id=list_id, **page)
    return statuses_hydrate(viewer=viewer, ids=ids)


def list_timeline_ids(
    *,
    viewer: User,
    list_id: int | str,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 20,
) -> list[int]:
    """The ids of a page of the owner's home entries written by the list's members, with replies as the list's
    `replies_policy` says, and without blocked or muted accounts or the reposts of accounts
    followed with reblogs off. (An exclusive list reads the same: `exclusive` only keeps its
    members out of the home.) Read through the home store, whichever it is, as the home is
    (with the posts of celebrity members pulled, see `timeline_ids`): its page keeps
    the members' entries, and the replies the policy leaves out are dropped afterwards, a
    further page read when that leaves this one short."""
    item = list_for_owner(owner=viewer, list_id=list_id)
    limit = max(1, min(limit, MAX_PAGE))
    members = frozenset(ListMember.objects.filter(list=item).values_list("account_id", flat=True))
    filters = reader_filters(viewer.pk)
    skip = Skip(
        authors=filters.hidden, origin_authors=filters.hidden, reposts_by=filters.no_reblogs
    )
    found: list[int] = []
    while True:
        ids = timeline_ids(
            viewer_id=viewer.pk,
            skip=skip,
            pulled=filters.pulled,
            authors=members,
            max_id=max_id,
            since_id=since_id,
            min_id=min_id,
            limit=limit,
        )
        left_out = _replies_left_out(item, members, ids) if ids else set()
        found += [i for i in ids if i not in left_out]
        if len(found) >= limit or len(ids) < limit:
            break
        # Short by the replies left out: read on from this page's far end.
        if min_id is None:
            max_id = ids[-1]
        else:
            min_id = ids[0]
    if min_id is not None:  # pages moving up from min_id: keep the oldest, newest first
        found = sorted(found)[:limit][::-1]
    return found[:limit]
