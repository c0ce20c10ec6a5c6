"""A post's page with its thread, the composer, and the buttons on a post."""

from collections.abc import Callable

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storefeed.core.errors import DomainError, NotFound, ValidationFailed
from storefeed.core.parse import id_or_none
from storefeed.posts import selectors as post_selectors
from storefeed.posts import services as post_services
from storefeed.posts.models import Status
from storefeed.web import fragments
from storefeed.web.errors import show_error
from storefeed.web.forms import ComposeForm, StatusEditForm
from storefeed.web.views.helpers import (
    JUST_POSTED,
    AuthedRequest,
    HtmxRequest,
    redirect_back,
    safe_next,
    status_or_404,
    status_url,
    viewer,
)


def status_detail(request: HtmxRequest, username: str, status_id: int) -> HttpResponse:
    status = status_or_404(request, status_id)
    if status.account.username.lower() != username.lower():
        raise Http404("Wrong author for this post")
    if status.reblog_of_id:
        # A repost has no page of its own: show the original.
        assert status.reblog_of is not None
        return redirect(status_url(status.reblog_of))
    ancestors, descendants = post_selectors.status_context(viewer=viewer(request), status=status)
    thread = fragments.render(
        request, [s.pk for s in (*ancestors, status, *descendants)], highlight=status.pk
    )
    reply_form = ComposeForm(initial={"in_reply_to_id": status.pk, "visibility": status.visibility})
    return render(
        request,
        "web/status.html",
        {
            "status": status,
            "ancestors": thread[: len(ancestors)],
            "focus": thread[len(ancestors)] if len(thread) > len(ancestors) else "",
            "descendants": thread[len(ancestors) + 1 :],
            "reply_form": reply_form,
        },
    )


def status_redirect(request: HtmxRequest, status_id: int) -> HttpResponse:
    """/statuses/<id> leads to the post's canonical address."""
    return redirect(status_url(status_or_404(request, status_id)))


@login_required
def compose(request: AuthedRequest) -> HttpResponse:
    """The full composer; the compact one on home and the reply form post here too."""
    if request.method == "POST":
        form = ComposeForm(request.POST, request.FILES)
    else:
        form = ComposeForm(
            initial={
                "in_reply_to_id": _digits(request.GET.get("in_reply_to")),
                "quote_of_id": _digits(request.GET.get("quote")),
            }
        )
    context_status = _context_status(request, form)
    if request.method == "POST" and form.is_valid():
        try:
            status = _post(request, form)
        except DomainError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("Posted."))
            # The next home page shows it on top even before delivery reaches the home.
            request.session[JUST_POSTED] = status.pk
            return redirect(safe_next(request, status_url(status)))
    return render(
        request,
        "web/compose.html",
        {"form": form, "context_status": context_status, "tab": "compose"},
        status=400 if form.errors else 200,
    )


@login_required
def status_edit(request: AuthedRequest, status_id: int) -> HttpResponse:
    """Edit one's own post: a form with its text and content warning (posts.status_update;
    images and poll stay). Someone else's post, or a repost, is not found."""
    try:
        status = post_selectors.status_for_editor(account=request.user, status_id=status_id)
    except DomainError:
        raise Http404("Not your post") from None
    if request.method == "POST":
        form = StatusEditForm(request.POST)
    else:
        form = StatusEditForm(
            initial={
                "text": status.text,
                "spoiler_text": status.spoiler_text,
                "sensitive": status.sensitive,
            }
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            post_services.status_update(
                account=request.user,
                status_id=status.pk,
                text=data["text"],
                spoiler_text=data["spoiler_text"],
                sensitive=data["sensitive"],
            )
        except NotFound as missing:
            raise Http404(missing.message) from None
        except DomainError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("Your post was edited."))
            return redirect(status_url(status))
    return render(
        request,
        "web/status_edit.html",
        {"form": form, "status": status},
        status=400 if form.errors else 200,
    )


def _digits(value: str | None) -> str | None:
    return value if id_or_none(value) is not None else None


def _context_status(request: HtmxRequest, form: ComposeForm) -> fragments.Shown | None:
    """The post being replied to or quoted, shown above the composer (if it is visible)."""
    source = form.data if form.is_bound else form.initial
    raw = source.get("in_reply_to_id") or source.get("quote_of_id")
    pk = id_or_none(raw)
    if pk is None:
        return None
    try:
        status = post_selectors.status_for_viewer(viewer=viewer(request), status_id=pk)
    except NotFound:
        return None
    shown = fragments.render(request, [status.pk])
    return shown[0] if shown else None


MAX_DESCRIPTION = 1500


def _descriptions(request: AuthedRequest, count: int) -> list[str]:
    """Each image's description (alt text), in order: a field per image beside its preview,
    or, without JavaScript, one line per image."""
    given = request.POST.getlist("descriptions")
    if not given and request.POST.get("descriptions_text"):
        given = request.POST["descriptions_text"].splitlines()
    if any(len(text) > MAX_DESCRIPTION for text in given):
        # Refused before any image is stored.
        raise ValidationFailed(
            _("Image descriptions can be at most 1,500 characters."), field="description"
        )
    return [*given[:count], *[""] * (count - len(given))]


def _post(request: AuthedRequest, form: ComposeForm) -> Status:
    data = form.cleaned_data
    chosen = None
    if apps.is_installed("storefeed.catalog"):
        # Commerce may be switched off: its product picker is imported only when it is on.
        from storefeed.web.shop import compose as shop_compose

        chosen = shop_compose.picked(request) or None
        if chosen is not None:
            # A pasted link is read before anything is written (a network call).
            chosen = shop_compose.resolve_link(account=request.user, chosen=chosen)
    # Images are uploaded first (as the API does), then attached by the post.
    descriptions = _descriptions(request, len(data["images"]))
    media_ids = [
        post_services.media_create(account=request.user, file=image, description=described).pk
        for image, described in zip(data["images"], descriptions, strict=True)
    ]
    fields = {
        "text": data["text"],
        "media_ids": media_ids,
        "visibility": data["visibility"],
        "spoiler_text": data["spoiler_text"],
        "sensitive": data["sensitive"],
        "in_reply_to_id": data["in_reply_to_id"],
        "quote_of_id": data["quote_of_id"],
        # A video uploaded here is transcoded by the worker; the post shows it once ready.
        "allow_processing": True,
    }
    if chosen is not None:
        return shop_compose.post(account=request.user, chosen=chosen, **fields)
    return post_services.status_create(account=request.user, **fields)


ACTIONS: dict[str, Callable[..., Status]] = {
    "favourite": post_services.status_favourite,
    "unfavourite": post_services.status_unfavourite,
    "reblog": post_services.status_reblog,
    "unreblog": post_services.status_unreblog,
    "bookmark": post_services.status_bookmark,
    "unbookmark": post_services.status_unbookmark,
    "pin": post_services.status_pin,
    "unpin": post_services.status_unpin,
    "delete": post_services.status_delete,
}


@login_required
@require_POST
def poll_vote(request: AuthedRequest, status_id: int) -> HttpResponse:
    """Vote in a post's poll (the choices' indexes), then back to where the reader was."""
    poll_id = post_selectors.poll_id_of(status_id)
    if poll_id is None:
        raise Http404("No poll")
    try:
        post_services.poll_vote(
            account=request.user, poll_id=poll_id, choices=request.POST.getlist("choices")
        )
    except NotFound as missing:
        raise Http404(missing.message) from None
    except DomainError as refused:
        show_error(request, refused)
    else:
        messages.success(request, _("Your vote is counted."))
    return redirect_back(request)


@login_required
@require_POST
def status_action(request: AuthedRequest, status_id: int, action: str) -> HttpResponse:
    """Like, repost, bookmark, pin, delete (and their undoing). Without JavaScript it redirects
    back; with htmx it answers with the post's action bar (or nothing, for a delete)."""
    service = ACTIONS.get(action)
    if service is None:
        raise Http404("No such action")
    error: DomainError | None = None
    try:
        service(account=request.user, status_id=status_id)
    except NotFound as missing:
        raise Http404(missing.message) from None
    except DomainError as refused:
        error = refused
    if not request.htmx:
        if error is not None:
            show_error(request, error)
        elif action == "delete":
            messages.success(request, _("Your post was deleted."))
            next_url = safe_next(request, reverse("web:home"))
            # The page of the deleted post is gone; go home rather than to a 404.
            if f"/{status_id}" in next_url:
                next_url = reverse("web:home")
            return redirect(next_url)
        return redirect_back(request)
    if action == "delete" and error is None:
        return HttpResponse("")
    html = fragments.actions(
        request,
        status_id,
        error=error.message if error else "",
        back=safe_next(request, "") or request.get_full_path(),
    )
    return HttpResponse(html)
