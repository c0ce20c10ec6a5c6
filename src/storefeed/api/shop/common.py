"""Small shared pieces of the shop API: JSON values (ids, amounts, times), pagination
parameters and the Idempotency-Key handling of money-moving requests."""

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import BeforeValidator, WithJsonSchema

from storefeed.api.shop.auth import account_of
from storefeed.core.errors import ValidationFailed
from storefeed.core.money import format_amount
from storefeed.core.parse import parse_id
from storefeed.wallet.idempotency import Idempotency, fingerprint_of, idempotent

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_SCOPE = "shop_api"


def _scalar_text(what: str) -> Callable[[object], str]:
    def convert(value: object) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, float):
            return repr(value)  # 1.999 stays 1.999 (refused), never rounded to 2.00
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        raise ValueError(what)

    return convert


# Amounts arrive as decimal strings ("199.00"); plain JSON numbers are accepted too and
# checked just as strictly by core.money.parse_amount (no third decimal, no zero, no absurd).
Amount = Annotated[
    str,
    BeforeValidator(_scalar_text('Enter an amount like "199.00".')),
    WithJsonSchema({"type": "string", "example": "199.00"}),
]
# Ids are strings in responses; requests may send them as strings or numbers.
Id = Annotated[
    str,
    BeforeValidator(_scalar_text("Enter an id.")),
    WithJsonSchema({"type": "string", "example": "114237265366401024"}),
]
# Whole units (stock, quantities): a number or a string of digits, checked by the services.
Units = Annotated[
    str,
    BeforeValidator(_scalar_text("Enter a whole number.")),
    WithJsonSchema({"type": "integer", "example": 12}),
]


def sid(value: int | None) -> str | None:
    return None if value is None else str(value)


def amount(fen: int | None, currency: str = "CNY") -> str | None:
    return None if fen is None else format_amount(fen, currency)


def iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def to_id(value: object, *, field: str = "id") -> int:
    """An id from a path or body (core.parse.parse_id: ASCII digits below 2^63), or 422."""
    return parse_id(value, field=field)


class Message(Schema):
    """A plain acknowledgement."""

    ok: bool = True


class ErrorOut(Schema):
    error: str
    code: str
    details: dict[str, Any] | None = None


ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


def money_moving(
    request: HttpRequest,
    *,
    payload: Any,
    work: Callable[[], tuple[int, Any]],
    required: bool = True,
) -> JsonResponse:
    """Run `work` (-> (status, JSON body)) at most once per Idempotency-Key: a retry with the
    same key and the same request gets the first response back (header Idempotent-Replayed)
    and moves nothing; the same key with another request is 422; while the first still runs,
    409. A refusal frees the key (nothing moved), so the client may retry with it."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        if required:
            raise ValidationFailed(
                _(
                    "Send an Idempotency-Key header (a unique value per intended payment) so "
                    "that a retry cannot move money twice."
                ),
                field="idempotency_key",
            )
        status, body = work()
        return JsonResponse(body, status=status, safe=False)
    with idempotent(
        key=key,
        account=account_of(request),
        scope=IDEMPOTENCY_SCOPE,
        fingerprint=_fingerprint(request, payload),
    ) as slot:
        if slot.replayed:
            response = JsonResponse(slot.body, status=slot.status_code or 200, safe=False)
            response["Idempotent-Replayed"] = "true"
            return response
        status, body = work()
        slot.store(status, body)
    return JsonResponse(body, status=status, safe=False)


def _fingerprint(request: HttpRequest, payload: Any) -> str:
    return fingerprint_of(
        {
            "method": request.method,
            "path": request.path,
            "body": payload.model_dump(mode="json") if isinstance(payload, Schema) else payload,
        }
    )


def idempotency_for(
    request: HttpRequest, *, payload: Any, respond: Callable[[Any], tuple[int, Any]]
) -> Idempotency:
    """The request's Idempotency-Key (required) for a service that claims it inside its own
    transaction and keeps `respond(result)` there: one commit for the key, the work and the
    response. Same rules as `money_moving`; answer with `idempotent_answer` afterwards."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        raise ValidationFailed(
            _(
                "Send an Idempotency-Key header (a unique value per intended payment) so "
                "that a retry cannot move money twice."
            ),
            field="idempotency_key",
        )
    return Idempotency(
        key=key,
        scope=IDEMPOTENCY_SCOPE,
        fingerprint=_fingerprint(request, payload),
        respond=respond,
    )


def idempotent_answer(idempotency: Idempotency) -> JsonResponse:
    """The response the service kept (or replayed, with the Idempotent-Replayed header)."""
    slot = idempotency.slot
    assert slot is not None and slot.status_code is not None
    response = JsonResponse(slot.body, status=slot.status_code, safe=False)
    if slot.replayed:
        response["Idempotent-Replayed"] = "true"
    return response
