"""Profiles, followers and following, the follow button, follow requests."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from storefeed.core.errors import DomainError, NotFound
from storefeed.posts import selectors as post_selectors
from storefeed.social import selectors as social_selectors
from storefeed.social import services as social_services
from storefeed.web import fragments
from storefeed.web.errors import show_error
from storefeed.web.views.helpers import (
    PAGE_SIZE,
    AuthedRequest,
    HtmxRequest,
    account_or_404,
    cursor,
    filtered,
    next_cursor,
    redirect_back,
    safe_next,
    viewer,
)

PROFILE_TABS = ("posts", "replies", "media")
ACCOUNTS_PAGE = 40


def _relationship(request: HtmxRequest, account: Any) -> Any:
    me = viewer(request)
    if me is None or me.pk == account.pk:
        return None
    return social_selectors.relationship(viewer=me, target=account)


def profile(request: HtmxRequest, username: str) -> HttpResponse:
    account = account_or_404(username)
    tab = request.GET.get("tab", "posts")
    if tab not in PROFILE_TABS:
        tab = "posts"
    max_id = cursor(request)
    ids = post_selectors.account_statuses_ids(
        viewer=viewer(request),
        account=account,
        max_id=max_id,
        limit=PAGE_SIZE,
        exclude_replies=tab == "posts",
        only_media=tab == "media",
    )
    pinned: list[fragments.Shown] = []
    if tab == "posts" and max_id is None:
        pinned_ids = post_selectors.account_statuses_ids(
            viewer=viewer(request), account=account, pinned=True
        )
        pinned = fragments.render(request, pinned_ids)
    context = {
        "account": account,
        "relationship": _relationship(request, account),
        "statuses": filtered(request, fragments.render(request, ids), "account"),
        "pinned": pinned,
        "profile_tab": tab,
        "next_max_id": ids[-1] if len(ids) >= PAGE_SIZE else None,
        "tab": "me" if viewer(request) == account else "",
    }
    template = "web/profile.html#feed" if request.htmx and max_id else "web/profile.html"
    return render(request, template, context)


def _account_list(request: HtmxRequest, username: str, which: str) -> HttpResponse:
    account = account_or_404(username)
    selector = social_selectors.followers if which == "followers" else social_selectors.following
    hidden = not social_selectors.collections_visible(account=account, viewer=viewer(request))
    accounts = (
        [] if hidden else selector(account=account, max_id=cursor(request), limit=ACCOUNTS_PAGE)
    )
    return render(
        request,
        "web/account_list.html",
        {
            "account": account,
            "which": which,
            "hidden": hidden,
            "accounts": accounts,
            "next_max_id": next_cursor(accounts, ACCOUNTS_PAGE),
        },
    )


def followers(request: HtmxRequest, username: str) -> HttpResponse:
    return _account_list(request, username, "followers")


def following(request: HtmxRequest, username: str) -> HttpResponse:
    return _account_list(request, username, "following")


ACCOUNT_ACTIONS: dict[str, Callable[..., Any]] = {
    "follow": lambda me, target: social_services.follow_create(follower=me, target=target),
    "unfollow": lambda me, target: social_services.follow_delete(follower=me, target=target),
    "notify": lambda me, target: social_services.follow_update(
        follower=me, target=target, notify=True
    ),
    "unnotify": lambda me, target: social_services.follow_update(
        follower=me, target=target, notify=False
    ),
    "block": lambda me, target: social_services.block_create(account=me, target=target),
    "unblock": lambda me, target: social_services.block_delete(account=me, target=target),
    "mute": lambda me, target: social_services.mute_create(account=me, target=target),
    "unmute": lambda me, target: social_services.mute_delete(account=me, target=target),
}


@login_required
@require_POST
def account_action(request: AuthedRequest, username: str, action: str) -> HttpResponse:
    """Follow, unfollow, block, mute, be notified of new posts (and undoing them). Redirects
    back without JavaScript; with htmx it answers with the new follow button."""
    run = ACCOUNT_ACTIONS.get(action)
    if run is None:
        raise Http404("No such action")
    target = account_or_404(username)
    error: DomainError | None = None
    try:
        result = run(request.user, target)
    except NotFound as missing:
        raise Http404(missing.message) from None
    except DomainError as refused:
        error = refused
        result = None
    if not request.htmx:
        if error is not None:
            show_error(request, error)
        elif result == "requested":
            messages.info(
                request,
                _("Follow request sent: @%(name)s approves followers by hand.")
                % {"name": target.username},
            )
        elif action in DONE_MESSAGES:
            messages.success(request, DONE_MESSAGES[action] % {"name": target.username})
        return redirect_back(request, reverse("web:profile", args=[target.username]))
    target.refresh_from_db(fields=["followers_count", "following_count"])
    html = render_to_string(
        "web/_follow_button.html",
        {
            "account": target,
            "relationship": social_selectors.relationship(viewer=request.user, target=target),
            "action_error": error.message if error else "",
            "next": safe_next(request, ""),
        },
        request=request,
    )
    return HttpResponse(html)


DONE_MESSAGES = {
    "block": gettext_lazy("You blocked @%(name)s."),
    "unblock": gettext_lazy("You unblocked @%(name)s."),
    "mute": gettext_lazy("You muted @%(name)s."),
    "unmute": gettext_lazy("You unmuted @%(name)s."),
    "notify": gettext_lazy("You will be notified when @%(name)s posts."),
    "unnotify": gettext_lazy("You will no longer be notified when @%(name)s posts."),
}


@login_required
def me(request: AuthedRequest) -> HttpResponse:
    """Every page of one's own, as a menu: a phone has no sidebar."""
    return render(request, "web/me.html", {"tab": "me"})


@login_required
def follow_requests(request: AuthedRequest) -> HttpResponse:
    pending = social_selectors.follow_requests(target=request.user)
    return render(request, "web/follow_requests.html", {"requests": pending, "tab": "me"})


@login_required
@require_POST
def follow_request_action(request: AuthedRequest, username: str, action: str) -> HttpResponse:
    if action not in ("authorize", "reject"):
        raise Http404("No such action")
    account = account_or_404(username)
    service = (
        social_services.follow_request_authorize
        if action == "authorize"
        else social_services.follow_request_reject
    )
    try:
        service(target=request.user, account=account)
    except DomainError as error:
        show_error(request, error)
    else:
        if action == "authorize":
            messages.success(request, _("@%(name)s now follows you.") % {"name": account.username})
        else:
            messages.info(
                request, _("You rejected @%(name)s's request.") % {"name": account.username}
            )
    return redirect_back(request, reverse("web:follow_requests"))
