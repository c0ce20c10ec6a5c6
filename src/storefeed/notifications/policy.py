"""Notification policy (Mastodon 4.3): whether a notification reaches the recipient, is held
back in a notification request ("filter"), or is not made at all ("drop").

Follows and posts are read through the user model's reverse relations and `apps.get_model`,
so this package still imports neither social nor posts (it sits below both)."""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.apps import apps
from django.db.models import F
from django.utils import timezone

from storefeed.accounts.models import User
from storefeed.notifications.models import (
    NotificationPermission,
    NotificationPolicy,
    NotificationRequest,
    PolicyChoice,
)

# Mastodon leaves these through whatever the policy says (our "shop" too: one's own orders).
UNFILTERED_TYPES = frozenset({"follow_request", "update", "shop", "poll"})
NEW_ACCOUNT_DAYS = 30
NEW_FOLLOWER_DAYS = 3


def _policies(recipient_ids: Iterable[int]) -> dict[int, NotificationPolicy]:
    return {
        p.account_id: p for p in NotificationPolicy.objects.filter(account_id__in=recipient_ids)
    }


def policy_for(account_id: int) -> NotificationPolicy:
    """The account's policy (an unsaved one with Mastodon's defaults when it has none)."""
    return _policies([account_id]).get(account_id) or NotificationPolicy(account_id=account_id)


def _direct_post(status_id: int | None) -> Mapping[str, Any] | None:
    """The visibility and the replied-to author of a direct post; None for any other."""
    if status_id is None:
        return None
    status_model = apps.get_model("posts", "Status")
    row = (
        status_model.objects.filter(pk=status_id)
        .values("visibility", "in_reply_to__account_id")
        .first()
    )
    return row if row is not None and row["visibility"] == "direct" else None


def decide(
    *, recipient_ids: list[int], actor_id: int, type: str, status_id: int | None
) -> dict[int, str]:
    """accept, filter or drop for each recipient. Everything is accepted from an account one
    follows, from an accepted request's account and from staff; a drop wins over a filter."""
    if type in UNFILTERED_TYPES or not recipient_ids:
        return dict.fromkeys(recipient_ids, PolicyChoice.ACCEPT.value)
    policies = _policies(recipient_ids)
    # Who has anything but the defaults that accept everything except private mentions.
    asking = [r for r in recipient_ids if r in policies or type in ("mention", "reply")]
    decided = dict.fromkeys(recipient_ids, PolicyChoice.ACCEPT.value)
    if not asking:
        return decided
    actor = User.objects.filter(pk=actor_id).values("is_staff", "date_joined").first()
    if actor is None or actor["is_staff"]:
        return decided
    following = set(
        User.objects.filter(pk__in=asking, following_edges__target_id=actor_id).values_list(
            "pk", flat=True
        )
    )
    permitted = set(
        NotificationPermission.objects.filter(
            recipient_id__in=asking, from_account_id=actor_id
        ).values_list("recipient_id", flat=True)
    )
    now = timezone.now()
    followed_by = set(
        User.objects.filter(
            pk__in=asking,
            follower_edges__follower_id=actor_id,
            follower_edges__created_at__lte=now - dt.timedelta(days=NEW_FOLLOWER_DAYS),
        ).values_list("pk", flat=True)
    )
    new_account = actor["date_joined"] > now - dt.timedelta(days=NEW_ACCOUNT_DAYS)
    # A private mention is unsolicited unless it answers one of the recipient's posts.
    direct = _direct_post(status_id) if type in ("mention", "reply") else None
    for r in asking:
        if r in following or r in permitted:
            continue
        policy = policies.get(r) or NotificationPolicy(account_id=r)
        met = [policy.for_not_following]
        if r not in followed_by:
            met.append(policy.for_not_followers)
        if new_account:
            met.append(policy.for_new_accounts)
        if direct is not None and direct["in_reply_to__account_id"] != r:
            met.append(policy.for_private_mentions)
        if PolicyChoice.DROP in met:
            decided[r] = PolicyChoice.DROP.value
        elif PolicyChoice.FILTER in met:
            decided[r] = PolicyChoice.FILTER.value
    return decided


def request_record(*, recipient_id: int, actor_id: int, status_id: int | None) -> None:
    """Count one more filtered notification in the request from `actor_id` (made if new)."""
    changes: dict[str, object] = {"notifications_count": F("notifications_count") + 1}
    if status_id is not None:
        changes["last_status_id"] = status_id
    changes["updated_at"] = timezone.now()
    updated = NotificationRequest.objects.filter(
        recipient_id=recipient_id, from_account_id=actor_id
    ).update(**changes)
    if not updated:
        NotificationRequest.objects.get_or_create(
            recipient_id=recipient_id,
            from_account_id=actor_id,
            defaults={"last_status_id": status_id, "notifications_count": 1},
        )
