"""Reads of promotions: a seller's promotions with their own line of results, one for a seller
or staff, and what staff list."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.core.errors import NotFound
from storefeed.core.parse import id_or_none
from storefeed.orders.models import OrderItem
from storefeed.promotions.models import Placement, Promotion, PromotionState

MAX_LIMIT = 100


@dataclass(frozen=True)
class Results:
    """A promotion's own line: impressions (placements shown), taps (cards opened afterwards
    by those it was shown to) and orders of the post by them after it was shown; counts only."""

    impressions: int
    taps: int
    orders: int


def promotions_for(*, seller: User, limit: int = 50) -> list[Promotion]:
    """The seller's promotions, newest first."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    return list(
        Promotion.objects.filter(seller=seller).select_related("seller").order_by("-pk")[:limit]
    )


def promotions_active(*, limit: int = 100) -> list[Promotion]:
    """Every active promotion, for staff, newest first, with its seller."""
    return list(
        Promotion.objects.filter(state=PromotionState.ACTIVE)
        .select_related("seller")
        .order_by("-pk")[: max(1, min(limit, MAX_LIMIT))]
    )


def promotion_for(*, account: User, promotion_id: object) -> Promotion:
    """One promotion for its seller (or staff); NotFound for anyone else."""
    pk = id_or_none(promotion_id)
    promotion = Promotion.objects.filter(pk=pk).first() if pk is not None else None
    if promotion is None or not (promotion.seller_id == account.pk or account.is_staff):
        raise NotFound(_("This promotion does not exist."), field="promotion_id")
    return promotion


def promotion_results(promotions: list[Promotion]) -> dict[int, Results]:
    """Each promotion's own line, in three queries for any number of promotions."""
    if not promotions:
        return {}
    ids = [p.pk for p in promotions]
    counted: dict[int, tuple[int, int]] = {
        row["promotion_id"]: (row["shown"], row["tapped"])
        for row in Placement.objects.filter(promotion_id__in=ids)
        .values("promotion_id")
        .annotate(
            shown=Count("id", filter=Q(shown_at__isnull=False)),
            tapped=Count("id", filter=Q(tapped_at__isnull=False)),
        )
    }
    shown = list(
        Placement.objects.filter(promotion_id__in=ids, shown_at__isnull=False).values_list(
            "promotion_id", "owner_id", "shown_at"
        )
    )
    by_post = {p.pk: p.status_id for p in promotions}
    seen: dict[tuple[int, int], tuple[int, Any]] = {
        (by_post[pid], owner): (pid, at) for pid, owner, at in shown
    }
    orders: dict[int, set[int]] = {}
    if seen:
        bought = OrderItem.objects.filter(
            source_status_id__in={post for post, _owner in seen},
            order__buyer_id__in={owner for _post, owner in seen},
        ).values_list("source_status_id", "order__buyer_id", "order_id", "order__created_at")
        for post, buyer, order_id, at in bought:
            found = seen.get((post or 0, buyer))
            if found is not None and at is not None and found[1] <= at:
                orders.setdefault(found[0], set()).add(order_id)
    return {
        p.pk: Results(
            impressions=counted.get(p.pk, (0, 0))[0],
            taps=counted.get(p.pk, (0, 0))[1],
            orders=len(orders.get(p.pk, ())),
        )
        for p in promotions
    }
