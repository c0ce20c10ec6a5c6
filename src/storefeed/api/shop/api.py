"""The NinjaAPI of the shop: its routers, and the one mapping from errors to the
`{"error": ..., "code": ..., "details": {...}}` shape."""

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from storefeed.api.errors import json_error
from storefeed.core.errors import DomainError, ValidationFailed
from storefeed.core.parse import check_payload


class BadBody(DomainError):
    """A body that is not one JSON object the API can read: 400."""

    code = "bad_request"
    http_status = 400


class StrictParser(Parser):
    """Bodies are JSON objects, nested at most core.parse.MAX_JSON_DEPTH deep (50,000 levels
    exhausted the recursion of the default parser), with text a database can store. Ninja
    answers any parse error as a 400, keeping this error as its cause for `_http_error`."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        content_type = (request.content_type or "").lower()
        if content_type not in ("application/json", "") and not content_type.endswith("+json"):
            raise BadBody(_("Send the request body as JSON (Content-Type: application/json)."))
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise BadBody(_("The request body is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise BadBody(_("The request body must be a JSON object."))
        problem = check_payload(data)
        if problem == "depth":
            raise BadBody(_("The request body is nested too deeply."))
        if problem is not None:
            raise ValidationFailed(
                _("%(field)s contains characters that cannot be stored.") % {"field": problem},
                field=problem,
            )
        return data


api = NinjaAPI(
    title="Storefeed shop API",
    version="1",
    description=(
        "Commerce for Storefeed: the seller program, products and third-party items, "
        "Storefeed Pay (wallet, PIN, top-ups, withdrawals), carts, addresses and orders. "
        'Amounts are decimal strings ("199.00") with a currency; ids are strings. '
        "Authenticate with the OAuth bearer tokens of the Mastodon API: reads need the "
        "`read` scope (or `read:shop`), writes need `write` (or `write:shop`). Money-moving "
        "POSTs take an `Idempotency-Key` header. See docs/api-shop.md."
    ),
    urls_namespace="shop_api",
    parser=StrictParser(),
    openapi_url="/openapi.json",
    docs_url=None,  # the interactive page would load scripts from a CDN; the JSON is served
)


def error_body(message: str, code: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": message, "code": code}
    if details:
        body["details"] = details
    return body


def _respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    details = dict(exc.details)
    if exc.field:
        details["field"] = exc.field
    return _respond(request, exc.http_status, error_body(str(exc.message), exc.code, details))


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        # loc is ("body", "payload", "price") or ("query", "limit"): keep the field's own path.
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
        name = ".".join(loc[1:] if loc and loc[0] in ("query", "path") else loc) or "body"
        problem = str(error.get("msg", "")).removeprefix("Value error, ")
        fields.setdefault(name, []).append(problem)
    first = next(iter(fields.items()), ("body", [""]))
    message = _("Validation failed: %(field)s: %(problem)s") % {
        "field": first[0],
        "problem": first[1][0],
    }
    return _respond(request, 422, error_body(message, "validation_failed", {"fields": fields}))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _respond(request, 404, error_body(_("Record not found."), "not_found"))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, DomainError):  # StrictParser's refusal of a body
        return _domain_error(request, exc.__cause__)
    if isinstance(exc.__cause__, RequestDataTooBig):
        return json_error(request, 413)
    codes = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 429: "rate_limited"}
    message = str(exc.message)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = _("The request body is not valid JSON.")
    return _respond(
        request, exc.status_code, error_body(message, codes.get(exc.status_code, "error"))
    )


def _register() -> None:
    from storefeed.api.shop.endpoints import (
        catalog,
        insights,
        orders,
        promotions,
        search,
        sellers,
        wallet,
    )

    api.add_router("", sellers.router)
    api.add_router("", search.router)  # before catalog's /products/{product_id}
    api.add_router("", catalog.router)
    api.add_router("", wallet.router)
    api.add_router("", orders.router)
    api.add_router("", insights.router)
    api.add_router("", promotions.router)


_register()
