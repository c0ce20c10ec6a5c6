"""Promoted posts (粉丝头条): buy one with the payment PIN, list one's own, stop one, and hide
a seller's promoted posts from one's home."""

from typing import Any, Literal

from django.http import HttpRequest, JsonResponse
from ninja import Query, Router, Schema

from storefeed.api.shop.auth import READ, WRITE, account_of
from storefeed.api.shop.common import (
    ERRORS,
    Amount,
    Id,
    Message,
    amount,
    idempotency_for,
    idempotent_answer,
    iso,
)
from storefeed.promotions import selectors, services
from storefeed.promotions.models import Promotion
from storefeed.promotions.selectors import Results

router = Router(tags=["promotions"])


class PromotionIn(Schema):
    status_id: Id | None = None
    budget: Amount | None = None
    audience: str = ""  # "followers" | "field"
    pin: str = ""


class PromotionOut(Schema):
    id: str
    status_id: str
    budget: str
    spent: str
    currency: str
    state: Literal["active", "exhausted", "stopped"]
    audience: Literal["followers", "field"]
    impressions: int  # placements shown, as charged so far
    taps: int
    orders: int
    created_at: str
    ended_at: str | None


class ListQuery(Schema):
    limit: int = 50


class HideIn(Schema):
    account_id: Id | None = None


class HiddenOut(Schema):
    account_ids: list[str]


def render_promotion(promotion: Promotion, results: Results | None = None) -> dict[str, Any]:
    return {
        "id": str(promotion.pk),
        "status_id": str(promotion.status_id),
        "budget": amount(promotion.budget_fen, promotion.currency),
        "spent": amount(promotion.spent_fen, promotion.currency),
        "currency": promotion.currency,
        "state": promotion.state,
        "audience": promotion.audience,
        "impressions": promotion.impressions,
        "taps": results.taps if results else 0,
        "orders": results.orders if results else 0,
        "created_at": iso(promotion.created_at),
        "ended_at": iso(promotion.ended_at),
    }


def _rendered(promotions: list[Promotion]) -> list[dict[str, Any]]:
    results = selectors.promotion_results(promotions)
    return [render_promotion(p, results.get(p.pk)) for p in promotions]


@router.post("/promotions", auth=WRITE, response={201: PromotionOut, **ERRORS})
def promotion_create(request: HttpRequest, payload: PromotionIn) -> JsonResponse:
    """Promote one of the seller's posts: `budget` from the wallet is held (like a payment's
    escrow), confirmed with the payment `pin`; the post is put on top of the `audience`'s
    homes once each ("followers", or "field": people interested in the seller's field), and
    each thousand impressions cost the price of the moment. Idempotency-Key required; the same
    key replays the same promotion. Refused with nothing charged: 403 not a seller, 404
    another's or a deleted post, 422 a bad budget or audience, too little money, a wrong PIN."""
    account = account_of(request)
    idempotency = idempotency_for(
        request, payload=payload, respond=lambda made: (201, render_promotion(made))
    )
    services.promotion_create(
        seller=account,
        status_id=payload.status_id,
        budget=payload.budget,
        audience=payload.audience,
        pin=payload.pin,
        idempotency=idempotency,
    )
    return idempotent_answer(idempotency)


@router.get("/promotions", auth=READ, response={200: list[PromotionOut], **ERRORS})
def promotions(request: HttpRequest, query: Query[ListQuery]) -> list[dict[str, Any]]:
    """The signed-in seller's promotions, newest first, each with its own results."""
    return _rendered(selectors.promotions_for(seller=account_of(request), limit=query.limit))


@router.get("/promotions/hidden", auth=READ, response={200: HiddenOut, **ERRORS})
def hidden(request: HttpRequest) -> dict[str, Any]:
    """The sellers whose promoted posts the signed-in account does not want."""
    ids = services.hidden_sellers(account=account_of(request))
    return {"account_ids": [str(pk) for pk in ids]}


@router.post("/promotions/hidden", auth=WRITE, response={200: Message, **ERRORS})
def hide(request: HttpRequest, payload: HideIn) -> dict[str, Any]:
    """Hide promoted posts from the seller `account_id` (their ordinary posts still show)."""
    services.seller_hide(account=account_of(request), seller_id=payload.account_id)
    return {"ok": True}


@router.delete("/promotions/hidden/{account_id}", auth=WRITE, response={200: Message, **ERRORS})
def unhide(request: HttpRequest, account_id: str) -> dict[str, Any]:
    """Show that seller's promoted posts again."""
    services.seller_unhide(account=account_of(request), seller_id=account_id)
    return {"ok": True}


@router.get("/promotions/{promotion_id}", auth=READ, response={200: PromotionOut, **ERRORS})
def promotion(request: HttpRequest, promotion_id: str) -> dict[str, Any]:
    """One of the seller's promotions (404 for anyone else's)."""
    found = selectors.promotion_for(account=account_of(request), promotion_id=promotion_id)
    return _rendered([found])[0]


@router.post("/promotions/{promotion_id}/stop", auth=WRITE, response={200: PromotionOut, **ERRORS})
def promotion_stop(request: HttpRequest, promotion_id: str) -> dict[str, Any]:
    """Stop it now: what was shown is charged, the rest of the budget is back in the wallet at
    once. Stopping an ended promotion returns it as it is (nothing moves twice)."""
    stopped = services.promotion_stop(promotion_id=promotion_id, by=account_of(request))
    return _rendered([stopped])[0]
