"""Timelines: home (or the landing page for visitors), public, tag, bookmarks.

Pages read the ids of their posts from a selector and draw the posts from cached fragments
(web/fragments.py)."""

from collections.abc import Sequence

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from storefeed.core.text import is_valid_tag
from storefeed.posts import selectors as post_selectors
from storefeed.timelines import selectors as timeline_selectors
from storefeed.web import fragments
from storefeed.web.forms import ComposeForm
from storefeed.web.views.helpers import (
    JUST_POSTED,
    PAGE_SIZE,
    AuthedRequest,
    HtmxRequest,
    cursor,
    filtered,
    next_cursor,
    viewer,
)


def _feed(request: HtmxRequest, template: str, context: dict) -> HttpResponse:
    """A timeline page; an htmx "Load more" asks only for the feed partial."""
    statuses = context["statuses"]
    context.setdefault("next_max_id", next_cursor(statuses))
    if request.htmx and request.GET.get("max_id"):
        template = f"{template}#feed"
    return render(request, template, context, status=context.pop("http_status", 200))


def _posts(request: HtmxRequest, ids: Sequence[int], context: str = "home") -> dict:
    """The page's posts (through the reader's filters for `context`) and the cursor of the
    next page (from the ids, so a post deleted or hidden meanwhile does not end the timeline
    early)."""
    return {
        "statuses": filtered(request, fragments.render(request, ids), context),
        "next_max_id": ids[-1] if len(ids) >= PAGE_SIZE else None,
    }


def home(request: HtmxRequest) -> HttpResponse:
    user = viewer(request)
    if user is None:
        ids = post_selectors.public_timeline_ids(
            viewer=None, max_id=cursor(request), limit=PAGE_SIZE
        )
        return _feed(request, "web/landing.html", _posts(request, ids, "public"))
    ids = timeline_selectors.home_timeline_ids(viewer=user, max_id=cursor(request), limit=PAGE_SIZE)
    posted = request.session.pop(JUST_POSTED, None)
    if isinstance(posted, int) and cursor(request) is None and posted not in ids:
        # One's own new post, on top, though delivery to the home may still be on its way
        # (render_statuses drops it if it is gone or not one's own to see).
        ids = [posted, *ids][:PAGE_SIZE]
    # The form's class, not a form: the template calls it only where it draws the composer,
    # which is a cached {% fragment %} for most readers (building the form is not free).
    return _feed(
        request,
        "web/home.html",
        {**_posts(request, ids), "compose_form": ComposeForm, "tab": "home"},
    )


def public(request: HtmxRequest) -> HttpResponse:
    ids = post_selectors.public_timeline_ids(
        viewer=viewer(request), max_id=cursor(request), limit=PAGE_SIZE
    )
    return _feed(request, "web/public.html", {**_posts(request, ids, "public"), "tab": "public"})


def tag(request: HtmxRequest, name: str) -> HttpResponse:
    if not is_valid_tag(name):
        return _feed(
            request,
            "web/tag.html",
            {"statuses": [], "tag": name, "invalid_tag": True, "http_status": 404},
        )
    ids = post_selectors.tag_timeline_ids(
        viewer=viewer(request), tag=name, max_id=cursor(request), limit=PAGE_SIZE
    )
    return _feed(request, "web/tag.html", {**_posts(request, ids, "public"), "tag": name})


@login_required
def bookmarks(request: AuthedRequest) -> HttpResponse:
    # Who may see each bookmarked post is checked on the hydrated posts (posts.can_view).
    marked = post_selectors.bookmarks_for(
        viewer=request.user, max_id=cursor(request), limit=PAGE_SIZE
    )
    statuses = fragments.render(
        request,
        [s.pk for s in marked],
        cursors={s.pk: s.page_cursor for s in marked},  # type: ignore[attr-defined]
    )
    return _feed(
        request,
        "web/bookmarks.html",
        {"statuses": statuses, "next_max_id": next_cursor(marked), "tab": "me"},
    )
