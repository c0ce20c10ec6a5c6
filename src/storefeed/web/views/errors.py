"""Error pages Django's defaults do not tell apart: a body too large to read (413) is a
"bad request" (400) to Django; people get a page that says what happened, in their language.
Under /api/ the same status goes out as JSON (api/errors.py turns any non-JSON error there)."""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.defaults import bad_request


def bad_request_or_too_large(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's handler400, with 413 and its own page for a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE (raised wherever the body is first read: a view, or the
    CSRF check before it)."""
    if isinstance(exception, RequestDataTooBig):
        return render(request, "413.html", status=413)
    return bad_request(request, exception)
