"""Every write of discovery: interests, dismissed suggestions, hiding hot-list entries, and
the experts' ranking the worker recomputes (the trends' run is in discovery/trends.py)."""

import datetime as dt
import math
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.accounts.models import ExpertField, User
from storefeed.core.errors import Forbidden, NotFound, ValidationFailed
from storefeed.discovery import hooks
from storefeed.discovery.models import (
    ExpertRank,
    Interest,
    PopularAccount,
    SuggestionDismissal,
    TrendHide,
    TrendKind,
)
from storefeed.posts.models import Status

MAX_INTERESTS = 20
RECENT_DAYS = 7
POPULAR_KEPT = 500


def interests_set(*, account: User, field_slugs: Iterable[str]) -> list[ExpertField]:
    """Replace the fields `account` cares about. Unknown slugs are refused, nothing changed."""
    slugs = sorted({s.strip() for s in field_slugs if s and s.strip()})
    if len(slugs) > MAX_INTERESTS:
        raise ValidationFailed(
            _("Pick at most %(n)s fields.") % {"n": MAX_INTERESTS}, field="fields"
        )
    fields = list(ExpertField.objects.filter(slug__in=slugs))
    if len(fields) != len(slugs):
        unknown = sorted(set(slugs) - {f.slug for f in fields})
        raise ValidationFailed(
            _("Unknown field: %(slug)s") % {"slug": ", ".join(unknown)}, field="fields"
        )
    with transaction.atomic(durable=True):
        Interest.objects.filter(account=account).exclude(field__in=fields).delete()
        Interest.objects.bulk_create(
            [Interest(account=account, field=f) for f in fields], ignore_conflicts=True
        )
    return fields


def suggestion_dismiss(*, account: User, target_id: int) -> None:
    """Never suggest `target_id` to `account` again. Dismissing twice is harmless."""
    if not User.objects.filter(pk=target_id, is_active=True).exists():
        raise NotFound(_("That account does not exist."))
    try:
        with transaction.atomic(durable=True):
            SuggestionDismissal.objects.create(account=account, target_id=target_id)
    except IntegrityError:
        pass  # dismissed already


def trend_hide(*, staff: User, kind: str, item_id: int) -> None:
    """Take an entry off the hot list in every field (staff only). Hiding twice is harmless."""
    if not staff.is_staff:
        raise Forbidden(_("Only staff can hide entries of the hot list."))
    if kind not in TrendKind.values:
        raise ValidationFailed(_("Unknown kind of entry."), field="kind")
    with transaction.atomic(durable=True):
        TrendHide.objects.get_or_create(kind=kind, item_id=item_id, defaults={"hidden_by": staff})


def trend_unhide(*, staff: User, kind: str, item_id: int) -> None:
    if not staff.is_staff:
        raise Forbidden(_("Only staff can hide entries of the hot list."))
    with transaction.atomic(durable=True):
        TrendHide.objects.filter(kind=kind, item_id=item_id).delete()


def expert_score(*, followers: int, recent_posts: int, orders_completed: int) -> float:
    """Followers matter most, then being active this week, then (for sellers) orders that
    reached their buyers; logarithms so that no one figure swamps the others."""
    return (
        math.log1p(followers)
        + 0.75 * math.log1p(recent_posts)
        + 0.75 * math.log1p(orders_completed)
    )


def expert_ranks_refresh(*, now: dt.datetime | None = None) -> int:
    """Recompute every verified expert's place in their field (worker, periodic): three reads
    (experts, their posts this week, their completed orders through commerce's hook) and
    the rows replaced in one transaction; the most followed accounts (who to follow's last
    source) are kept with them. Returns the number of experts ranked."""
    now = now or timezone.now()
    experts = list(
        User.objects.filter(
            is_active=True, expert_field__isnull=False, expert_verified_at__isnull=False
        ).values_list("pk", "expert_field_id", "followers_count")
    )
    ids = [pk for pk, _field, _followers in experts]
    recent = dict(
        Status.objects.filter(
            account_id__in=ids,
            created_at__gte=now - dt.timedelta(days=RECENT_DAYS),
            reblog_of__isnull=True,
        )
        .values("account_id")
        .annotate(n=Count("pk"))
        .values_list("account_id", "n")
    )
    orders = hooks.orders_completed(ids)
    scored = sorted(
        (
            (
                -expert_score(
                    followers=followers,
                    recent_posts=recent.get(pk, 0),
                    orders_completed=orders.get(pk, 0),
                ),
                -followers,
                pk,
                field_id,
            )
            for pk, field_id, followers in experts
        ),
    )
    followers_of = {pk: followers for pk, _f, followers in experts}
    position: dict[int, int] = {}
    rows = []
    for neg_score, _neg_followers, pk, field_id in scored:
        position[field_id] = position.get(field_id, 0) + 1
        rows.append(
            ExpertRank(
                account_id=pk,
                field_id=field_id,
                position=position[field_id],
                score=-neg_score,
                followers=followers_of[pk],
                recent_posts=recent.get(pk, 0),
                orders_completed=orders.get(pk, 0),
                computed_at=now,
            )
        )
    popular = [
        PopularAccount(account_id=pk, position=n, followers=followers)
        for n, (pk, followers) in enumerate(
            User.objects.filter(is_active=True, followers_count__gt=0)
            .order_by("-followers_count", "-pk")
            .values_list("pk", "followers_count")[:POPULAR_KEPT],
            start=1,
        )
    ]
    with transaction.atomic(durable=True):
        ExpertRank.objects.all().delete()
        ExpertRank.objects.bulk_create(rows, batch_size=500)
        PopularAccount.objects.all().delete()
        PopularAccount.objects.bulk_create(popular, batch_size=500)
    return len(rows)
