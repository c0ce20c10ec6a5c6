"""Every answer under /api/ is JSON in its API's error shape, including the ones no endpoint
writes: a path that does not exist (404), a method an operation does not take (django-ninja's
405 is plain text), a body over DATA_UPLOAD_MAX_MEMORY_SIZE (413) and a server error (500),
which Django would otherwise answer with HTML pages."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
SHOP_PREFIX = "/api/shop/"


def _messages() -> dict[int, tuple[str, str, str]]:
    """status -> (Mastodon's words, the shop's stable code, the shop's words for people)."""
    return {
        400: ("Bad request", "bad_request", _("The request could not be read.")),
        401: ("The access token is invalid", "unauthorized", _("The access token is invalid.")),
        403: ("Forbidden", "forbidden", _("This is not allowed.")),
        404: ("Record not found", "not_found", _("Record not found.")),
        405: ("Method not allowed", "method_not_allowed", _("This method is not allowed here.")),
        413: ("Request body too large", "too_large", _("The request body is too large.")),
        429: ("Too many requests", "rate_limited", _("Too many requests.")),
    }


def json_error(request: HttpRequest, status: int) -> JsonResponse:
    """The error answer for `status` in the shape of the API `request` went to."""
    words, code, message = _messages().get(
        status, ("Internal server error", "server_error", _("Something went wrong on our side."))
    )
    if request.path.startswith(SHOP_PREFIX):
        return JsonResponse({"error": message, "code": code}, status=status)
    return JsonResponse({"error": words}, status=status)


def _is_json(response: HttpResponse) -> bool:
    return str(response.get("Content-Type", "")).startswith("application/json")


class ApiErrorsMiddleware:
    """Turns error answers under /api/ that are not JSON into JSON ones, keeping their status
    and headers (Allow on a 405); answers a body too large to read with 413."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith(API_PREFIX)
            and not _is_json(response)
        ):
            replacement = json_error(request, response.status_code)
            for name in ("Allow", "Retry-After", "WWW-Authenticate"):
                if name in response:
                    replacement[name] = response[name]
            return replacement
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if isinstance(exception, RequestDataTooBig) and request.path.startswith(API_PREFIX):
            return json_error(request, 413)
        return None
