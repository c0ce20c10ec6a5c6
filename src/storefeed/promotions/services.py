"""Writes of promotions: buying one (PIN, budget held in escrow), stopping it, the worker's
placing and charging, and hiding a seller's promotions.

Money moves only through the wallet's escrow helpers, under the reference ("promotion", id):
the budget is held when the promotion is bought, each charge moves what the shown placements
cost (per thousand, at the price it was bought at) from escrow to the platform, and the end
(budget used up, stopped by the seller or staff, the post deleted) charges what is left to
charge and returns the rest of the budget to the seller's wallet. Every one of these runs with
the promotion's row locked and its state checked under the lock, so two stops, or a stop racing
the worker, end it once and return the money once.
"""

import datetime as dt
from collections.abc import Iterable
from itertools import batched

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.core.errors import DomainError, NotFound, ValidationFailed
from storefeed.core.money import DEFAULT_CURRENCY, parse_amount
from storefeed.core.parse import id_or_none
from storefeed.discovery.models import Interest
from storefeed.posts.models import Status, Visibility
from storefeed.promotions.errors import NotASeller, NotPromotable
from storefeed.promotions.models import (
    Audience,
    HiddenSeller,
    Placement,
    Promotion,
    PromotionState,
)
from storefeed.sellers.selectors import seller_for
from storefeed.social.models import Block, Follow
from storefeed.social.selectors import active_mutes
from storefeed.wallet.idempotency import Idempotency, fingerprint_of
from storefeed.wallet.services import escrow_hold, escrow_refund, escrow_release, pin_check

BATCH = 1000
# ¥100,000.00: a budget above it is refused as a typo rather than held.
BUDGET_MAX = 10_000_000


def cpm_fen() -> int:
    """The price of a thousand impressions in fen (STOREFEED_PROMOTION_CPM_FEN)."""
    return int(settings.PROMOTION_CPM_FEN)


def ref_of(promotion_id: int) -> tuple[str, int]:
    return ("promotion", promotion_id)


def _clean_audience(audience: object) -> str:
    if audience not in Audience.values:
        raise ValidationFailed(_("Choose the audience: followers or field."), field="audience")
    return str(audience)


def _promotable(seller: User, status_id: object) -> Status:
    """The seller's own original post, public or unlisted; NotFound for anything else (a
    deleted post, another's, a direct one: nothing says which)."""
    pk = id_or_none(status_id)
    status = Status.objects.filter(pk=pk).first() if pk is not None else None
    if status is None or status.account_id != seller.pk:
        raise NotFound(_("This post does not exist or is not yours."), field="status_id")
    if status.reblog_of_id is not None:
        raise NotPromotable(_("Promote your own post, not a repost."), field="status_id")
    if status.visibility not in (Visibility.PUBLIC, Visibility.UNLISTED):
        raise NotPromotable(_("Only public or unlisted posts can be promoted."), field="status_id")
    return status


def promotion_create(
    *,
    seller: User,
    status_id: object,
    budget: object,
    audience: object,
    pin: str,
    idempotency: Idempotency | None = None,
    idempotency_key: str = "",
) -> Promotion | None:
    """Buy a promotion: the budget moves from the seller's wallet to escrow and the worker
    places the post on top of the audience's homes. Refused, with nothing charged: not an
    active seller (403), a post that is not the seller's or is gone (404), a budget that is
    not an amount, zero, negative or more than the wallet holds, an audience that is neither
    "followers" nor "field", a wrong PIN (counted, as when paying; five lock paying). One durable
    transaction: the key's claim, the checks, the PIN, the promotion and the hold, the kept
    response. None when the key was answered before (the caller replays it)."""
    idempotency = idempotency or Idempotency(
        key=idempotency_key,
        scope="promotions.create",
        fingerprint=fingerprint_of(
            {"status_id": str(status_id), "budget": str(budget), "audience": str(audience)}
        ),
        respond=lambda made: (201, {"promotion_id": str(made.pk)}),
    )
    refusal: Exception | None = None
    done: Promotion | None = None
    with transaction.atomic(durable=True):
        if idempotency.claim(account=seller).replayed:
            return None
        shop = seller_for(seller.pk)
        if shop is None or not shop.is_active:
            raise NotASeller(_("Only approved sellers can promote posts."), field="status_id")
        chosen = _clean_audience(audience)
        fen = parse_amount(budget, field="budget", maximum=BUDGET_MAX)
        status = _promotable(seller, status_id)
        # The field of a seller is the one their shop was approved in (an expert's, if
        # verified, otherwise the one they sell in).
        field_id = seller.expert_field_id or shop.field_id
        check = pin_check(account=seller, pin=pin)
        if check.refusal is not None:
            idempotency.release()
            refusal = check.refusal
        else:
            try:
                with transaction.atomic():
                    done = _bought(seller, status, chosen, field_id, fen, idempotency)
            except DomainError as error:
                if not check.written:
                    raise
                idempotency.release()  # keep the PIN's reset, not the promotion
                refusal = error
    if refusal is not None:
        raise refusal
    return done


def _bought(
    seller: User,
    status: Status,
    audience: str,
    field_id: int,
    fen: int,
    idempotency: Idempotency,
) -> Promotion:
    promotion = Promotion.objects.create(
        seller=seller,
        status_id=status.pk,
        audience=audience,
        field_id=field_id if audience == Audience.FIELD else None,
        budget_fen=fen,
        cpm_fen=cpm_fen(),
        currency=DEFAULT_CURRENCY,
    )
    escrow_hold(
        buyer=seller,
        amount=fen,
        ref=ref_of(promotion.pk),
        currency=promotion.currency,
        memo=f"promotion of post {status.pk}",
    )
    idempotency.keep(promotion)
    transaction.on_commit(lambda: _enqueue_place(promotion.pk), robust=True)
    return promotion


def _enqueue_place(promotion_id: int) -> None:
    from storefeed.promotions import tasks  # here: tasks import this module

    tasks.place.enqueue(promotion_id)


def promotion_stop(*, promotion_id: object, by: User) -> Promotion:
    """Stop a promotion now: what its shown placements cost is charged and the rest of the
    budget is back in the seller's wallet at once. The seller stops their own, staff any;
    anyone else gets NotFound. A promotion already ended is returned as it is (stopping twice
    returns nothing twice)."""
    pk = id_or_none(promotion_id)
    with transaction.atomic(durable=True):
        promotion = Promotion.objects.select_for_update().filter(pk=pk).first() if pk else None
        if promotion is None or not (promotion.seller_id == by.pk or by.is_staff):
            raise NotFound(_("This promotion does not exist."), field="promotion_id")
        if promotion.state == PromotionState.ACTIVE:
            _end(promotion, PromotionState.STOPPED, by=by)
        return promotion


def _shown(promotion: Promotion) -> int:
    return Placement.objects.filter(promotion=promotion, shown_at__isnull=False).count()


def _charge(promotion: Promotion, shown: int) -> int:
    """Charge the locked, active `promotion` for `shown` impressions (never past its budget);
    returns what it has spent now."""
    cost = min(promotion.budget_fen, shown * promotion.cpm_fen // 1000)
    if cost > promotion.spent_fen:
        extra = cost - promotion.spent_fen
        # All of it to platform fees: the wallet's release with the whole amount as the fee.
        escrow_release(
            seller=promotion.seller,
            amount=extra,
            fee=extra,
            ref=ref_of(promotion.pk),
            currency=promotion.currency,
            memo=f"promotion {promotion.pk}: {shown} impressions",
        )
        promotion.spent_fen = cost
    promotion.impressions = shown
    return promotion.spent_fen


def _end(promotion: Promotion, state: str, *, by: User | None = None) -> None:
    """End the locked, active `promotion`: charge what was shown, return the rest, take the
    placements still waiting out of the homes' lookup."""
    _charge(promotion, _shown(promotion))
    rest = promotion.budget_fen - promotion.spent_fen
    if rest > 0:
        escrow_refund(
            buyer=promotion.seller,
            amount=rest,
            ref=ref_of(promotion.pk),
            currency=promotion.currency,
            memo=f"promotion {promotion.pk} ended",
        )
    promotion.state = state
    promotion.ended_at = timezone.now()
    promotion.stopped_by = by
    promotion.save(update_fields=["state", "ended_at", "stopped_by", "spent_fen", "impressions"])
    Placement.objects.filter(promotion=promotion, shown_at__isnull=True).delete()


def promotion_settle(*, promotion_id: int) -> Promotion | None:
    """The worker's charge of one promotion: what its shown placements cost so far; it ends
    when its budget is used up (the rest, if any, returned) or its post is gone (stopped)."""
    with transaction.atomic(durable=True):
        promotion = Promotion.objects.select_for_update().filter(pk=promotion_id).first()
        if promotion is None or promotion.state != PromotionState.ACTIVE:
            return promotion
        if not Status.objects.filter(pk=promotion.status_id).exists():
            _end(promotion, PromotionState.STOPPED)
            return promotion
        shown = _shown(promotion)
        if min(promotion.budget_fen, shown * promotion.cpm_fen // 1000) >= promotion.budget_fen:
            _end(promotion, PromotionState.EXHAUSTED)
            return promotion
        _charge(promotion, shown)
        promotion.save(update_fields=["spent_fen", "impressions"])
        return promotion


def _audience(promotion: Promotion) -> set[int]:
    """Who the post is placed for: the seller's followers, or the people who picked the
    seller's field; never the seller, nor anyone who hides the seller's promotions, blocks or
    is blocked by the seller, or mutes them."""
    seller = promotion.seller_id
    if promotion.audience == Audience.FOLLOWERS:
        owners = set(Follow.objects.filter(target_id=seller).values_list("follower_id", flat=True))
    else:
        owners = set(
            Interest.objects.filter(field_id=promotion.field_id).values_list(
                "account_id", flat=True
            )
        )
    owners.discard(seller)
    owners -= set(
        HiddenSeller.objects.filter(seller_id=seller).values_list("account_id", flat=True)
    )
    owners -= set(Block.objects.filter(target_id=seller).values_list("account_id", flat=True))
    owners -= set(Block.objects.filter(account_id=seller).values_list("target_id", flat=True))
    owners -= set(active_mutes().filter(target_id=seller).values_list("account_id", flat=True))
    return owners


def promotion_place(*, promotion_id: int) -> int:
    """The worker puts the post on top of each audience member's home, once: placement rows
    written in batches of BATCH (each its own commit; the unique (promotion, owner) makes a
    second run write nothing twice). How many homes it reached."""
    promotion = Promotion.objects.filter(pk=promotion_id).first()
    if promotion is None or promotion.placed or promotion.state != PromotionState.ACTIVE:
        return 0
    owners = sorted(_audience(promotion))
    for chunk in batched(owners, BATCH):
        with transaction.atomic(durable=True):
            Placement.objects.bulk_create(
                [Placement(promotion_id=promotion.pk, owner_id=owner) for owner in chunk],
                ignore_conflicts=True,
            )
    Promotion.objects.filter(pk=promotion.pk).update(placed=True, audience_size=len(owners))
    return len(owners)


def promotions_tick() -> int:
    """The periodic sweep: place what is not placed yet (a task lost between the commit and
    the queue is found here), then charge every active promotion. How many it charged."""
    active = list(Promotion.objects.filter(state=PromotionState.ACTIVE).values_list("pk", "placed"))
    for pk, placed in active:
        if not placed:
            promotion_place(promotion_id=pk)
        promotion_settle(promotion_id=pk)
    return len(active)


def placements_tapped(*, viewer_id: int, status_id: int, now: dt.datetime | None = None) -> int:
    """A card of `status_id` opened by `viewer_id`: a placement of it shown to them counts the
    tap (once) for its promotion's own line in the insight."""
    return Placement.objects.filter(
        owner_id=viewer_id,
        promotion__status_id=status_id,
        shown_at__isnull=False,
        tapped_at__isnull=True,
    ).update(tapped_at=now or timezone.now())


def seller_hide(*, account: User, seller_id: object) -> None:
    """`account` sees no more promoted posts from the seller (placements already waiting are
    passed over by the home's lookup). Hiding twice is harmless; NotFound for no account."""
    pk = id_or_none(seller_id)
    if pk is None or not User.objects.filter(pk=pk).exists():
        raise NotFound(_("This account does not exist."), field="account_id")
    if pk == account.pk:
        raise ValidationFailed(_("Your own promotions are never shown to you."), field="account_id")
    with transaction.atomic(durable=True):
        HiddenSeller.objects.get_or_create(account=account, seller_id=pk)


def seller_unhide(*, account: User, seller_id: object) -> None:
    pk = id_or_none(seller_id)
    if pk is None:
        raise NotFound(_("This account does not exist."), field="account_id")
    with transaction.atomic(durable=True):
        HiddenSeller.objects.filter(account=account, seller_id=pk).delete()


def hidden_sellers(*, account: User) -> Iterable[int]:
    return HiddenSeller.objects.filter(account=account).values_list("seller_id", flat=True)
