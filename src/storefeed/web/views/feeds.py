"""Timelines: home (or the landing page for visitors), public, tag, bookmarks."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from storefeed.core.text import is_valid_tag
from storefeed.posts import selectors as post_selectors
from storefeed.timelines import selectors as timeline_selectors
from storefeed.web.forms import ComposeForm
from storefeed.web.views.helpers import (
    PAGE_SIZE,
    AuthedRequest,
    HtmxRequest,
    cursor,
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


def home(request: HtmxRequest) -> HttpResponse:
    user = viewer(request)
    if user is None:
        statuses = post_selectors.public_timeline(
            viewer=None, max_id=cursor(request), limit=PAGE_SIZE
        )
        return _feed(request, "web/landing.html", {"statuses": statuses})
    statuses = timeline_selectors.home_timeline(
        viewer=user, max_id=cursor(request), limit=PAGE_SIZE
    )
    return _feed(
        request,
        "web/home.html",
        {"statuses": statuses, "compose_form": ComposeForm(), "tab": "home"},
    )


def public(request: HtmxRequest) -> HttpResponse:
    statuses = post_selectors.public_timeline(
        viewer=viewer(request), max_id=cursor(request), limit=PAGE_SIZE
    )
    return _feed(request, "web/public.html", {"statuses": statuses, "tab": "public"})


def tag(request: HtmxRequest, name: str) -> HttpResponse:
    if not is_valid_tag(name):
        return _feed(
            request,
            "web/tag.html",
            {"statuses": [], "tag": name, "invalid_tag": True, "http_status": 404},
        )
    statuses = post_selectors.tag_timeline(
        viewer=viewer(request), tag=name, max_id=cursor(request), limit=PAGE_SIZE
    )
    return _feed(request, "web/tag.html", {"statuses": statuses, "tag": name})


@login_required
def bookmarks(request: AuthedRequest) -> HttpResponse:
    statuses = post_selectors.bookmarks_for(
        viewer=request.user, max_id=cursor(request), limit=PAGE_SIZE
    )
    return _feed(request, "web/bookmarks.html", {"statuses": statuses, "tab": "me"})
