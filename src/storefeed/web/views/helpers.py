"""Small helpers the page views share: cursors, safe redirects, 404s for unknown things."""

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

from storefeed.accounts import selectors as account_selectors
from storefeed.accounts.models import User
from storefeed.core.errors import NotFound
from storefeed.core.parse import id_or_none
from storefeed.filters import selectors as filter_selectors
from storefeed.posts import selectors as post_selectors
from storefeed.posts.models import Status

PAGE_SIZE = 20
# The session key of one's newest post: the next home page shows it on top at once.
JUST_POSTED = "just_posted"


class HtmxRequest(HttpRequest):
    htmx: HtmxDetails


class AuthedRequest(HtmxRequest):
    """A request behind login_required."""

    user: User  # type: ignore[assignment]


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in staff only; anyone else signed in gets 403 (visitors go to sign in)."""

    @login_required
    @functools.wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied("Staff only")
        return view(request, *args, **kwargs)

    return wrapped


def viewer(request: HttpRequest) -> User | None:
    user = request.user
    return None if isinstance(user, AnonymousUser) or not user.is_authenticated else user  # type: ignore[return-value]


def cursor(request: HttpRequest, name: str = "max_id") -> int | None:
    """A cursor from the query string; anything that is not a positive integer is ignored."""
    value = request.GET.get(name, "")
    return id_or_none(value)


def next_cursor(items: list, limit: int = PAGE_SIZE) -> int | None:
    """The max_id of the next page, or None when this page was the last."""
    if len(items) < limit:
        return None
    # Lists ordered by something else (bookmarks by when they were made, people by when the
    # follow was made) carry their own cursor.
    last = items[-1]
    return getattr(last, "page_cursor", None) or getattr(last, "edge_id", None) or last.pk


def account_or_404(username: str) -> User:
    account = account_selectors.account_by_username(username)
    if account is None:
        raise Http404("No such account")
    return account


def status_or_404(request: HttpRequest, status_id: int | str) -> Status:
    if id_or_none(status_id) is None:
        raise Http404("No such post")
    try:
        return post_selectors.status_for_viewer(viewer=viewer(request), status_id=status_id)
    except NotFound as error:
        raise Http404(error.message) from None


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The `next` the form carried (or the referring page), if it is on this site."""
    for candidate in (
        request.POST.get("next"),
        request.GET.get("next"),
        request.headers.get("referer"),
    ):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return fallback


def redirect_back(request: HttpRequest, fallback: str | None = None) -> HttpResponseRedirect:
    return HttpResponseRedirect(safe_next(request, fallback or reverse("web:home")))


def status_url(status: Status) -> str:
    return reverse("web:status", args=[status.account.username, status.pk])


def filtered(request: HttpRequest, shown: list[Any], context: str) -> list[Any]:
    """A page of posts (web.fragments.Shown) through the reader's filters for `context`, as
    the API applies them: a post a `hide` filter matches is left out; one a `warn` or `blur`
    filter matches is folded under "Filtered: <title>" (the web folds the whole post for
    `blur` too). One query when the reader has no filters for `context`."""
    user = viewer(request)
    if user is None or not shown:
        return shown
    active = filter_selectors.active_filters(user.pk)
    if not active.for_context(context):
        return shown
    ids = [s.pk for s in shown]
    carried = dict(
        Status.objects.filter(pk__in=ids, reblog_of__isnull=False).values_list("pk", "reblog_of_id")
    )
    found = filter_selectors.status_matches(
        viewer_id=user.pk,
        status_ids=[carried.get(pk, pk) for pk in ids],
        context=context,
        filters=active,
    )
    out = []
    for entry in shown:
        hits = found.get(carried.get(entry.pk, entry.pk), [])
        if any(h.filter.action == "hide" for h in hits):
            continue
        if hits:
            titles = ", ".join(h.filter.title for h in hits)
            label = _("Filtered: %(titles)s") % {"titles": titles}
            entry.html = format_html(
                '<details class="filtered" data-testid="filtered"><summary>{}</summary>{}</details>',
                label,
                entry.html,
            )
        out.append(entry)
    return out
