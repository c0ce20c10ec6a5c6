"""Discovery pages: Discover, the hot list, experts by field, who to follow, and the fields
a new account picks after signing up. Every page reads rows the worker precomputed, in a
fixed small number of queries."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storefeed.accounts.models import ExpertField
from storefeed.core.errors import DomainError
from storefeed.discovery import selectors as discovery
from storefeed.discovery import services
from storefeed.web import fragments
from storefeed.web.errors import show_error
from storefeed.web.views.helpers import (
    AuthedRequest,
    HtmxRequest,
    account_or_404,
    redirect_back,
    viewer,
)

EXPERTS_PAGE = 20
HOT_SIZE = 10
DISCOVER_SIZE = 5
BOX_SIZE = 3


def _offset(request: HtmxRequest) -> int:
    value = request.GET.get("offset", "")
    return min(int(value), 10_000) if value.isdigit() and len(value) < 7 else 0


def _field_or_404(slug: str) -> ExpertField:
    field = discovery.field_by_slug(slug)
    if field is None:
        raise Http404("No such field")
    return field


def experts_index(request: HtmxRequest) -> HttpResponse:
    return render(
        request,
        "web/discovery/experts_index.html",
        {"fields": discovery.fields_with_counts(), "tab": "discover"},
    )


def experts_field(request: HtmxRequest, slug: str) -> HttpResponse:
    field = _field_or_404(slug)
    offset = _offset(request)
    experts = discovery.field_experts(field=field, offset=offset, limit=EXPERTS_PAGE)
    return render(
        request,
        "web/discovery/experts_field.html",
        {
            "field": field,
            "experts": experts,
            "offset": offset,
            "next_offset": offset + EXPERTS_PAGE if len(experts) == EXPERTS_PAGE else None,
            "tab": "discover",
        },
    )


def _hot_lists(request: HtmxRequest, field_id: int, size: int) -> dict:
    found = discovery.trending_status_ids(viewer=viewer(request), field_id=field_id, limit=size)
    reasons = dict(found)
    posts = fragments.render(request, [pk for pk, _reason in found])
    return {
        "hot_tags": discovery.trending_tags(field_id=field_id, limit=size),
        "hot_posts": [(post, reasons.get(post.pk, "")) for post in posts],
        "hot_products": discovery.trending_products(field_id=field_id, limit=size),
    }


def hot(request: HtmxRequest) -> HttpResponse:
    """The hot list (热门): tags, posts and products trending now, overall or in one field."""
    slug = request.GET.get("field", "")
    field = _field_or_404(slug) if slug else None
    return render(
        request,
        "web/discovery/hot.html",
        {
            "fields": discovery.fields_with_counts(),
            "field": field,
            **_hot_lists(request, field.pk if field else 0, HOT_SIZE),
            "tab": "discover",
        },
    )


@login_required
@require_POST
def hot_hide(request: AuthedRequest) -> HttpResponse:
    """Staff take an entry off the hot list (in every field)."""
    kind = request.POST.get("kind", "")
    item = request.POST.get("item_id", "")
    try:
        if not item.isdigit() or len(item) > 19:
            raise Http404("No such entry")
        services.trend_hide(staff=request.user, kind=kind, item_id=int(item))
    except DomainError as refused:
        if refused.http_status == 403:
            return HttpResponse(refused.message, status=403)
        show_error(request, refused)
    else:
        messages.success(request, _("The entry is hidden from the hot list."))
    return redirect_back(request, reverse("web:hot"))


def discover(request: HtmxRequest) -> HttpResponse:
    """Discover, phone first: what is hot, who to follow, the fields and their experts."""
    user = viewer(request)
    suggestions = discovery.suggestions_for(viewer=user, limit=BOX_SIZE) if user else []
    return render(
        request,
        "web/discovery/discover.html",
        {
            "fields": discovery.fields_with_counts(),
            "suggestions": suggestions,
            **_hot_lists(request, 0, DISCOVER_SIZE),
            "tab": "discover",
        },
    )


@login_required
def suggestions(request: AuthedRequest) -> HttpResponse:
    """Who to follow: the whole page, or (htmx, `?box=1`) the home page's box."""
    box = request.GET.get("box") == "1"
    found = discovery.suggestions_for(viewer=request.user, limit=BOX_SIZE if box else 30)
    template = "web/discovery/_suggestions_box.html" if box else "web/discovery/suggestions.html"
    return render(
        request,
        template,
        {"suggestions": found, "welcome": request.GET.get("welcome") == "1", "tab": "discover"},
    )


@login_required
@require_POST
def suggestion_dismiss(request: AuthedRequest, username: str) -> HttpResponse:
    target = account_or_404(username)
    services.suggestion_dismiss(account=request.user, target_id=target.pk)
    if request.htmx:
        return HttpResponse("")
    return redirect_back(request, reverse("web:suggestions"))


@login_required
def interests(request: AuthedRequest) -> HttpResponse:
    """The fields one cares about: a step after signing up (skippable), and later in the
    settings. Then on to who to follow."""
    welcome = request.GET.get("welcome") == "1" or request.POST.get("welcome") == "1"
    fields = discovery.fields_with_counts()
    chosen = {f.pk for f in discovery.interests_of(request.user)}
    status = 200
    if request.method == "POST":
        try:
            services.interests_set(account=request.user, field_slugs=request.POST.getlist("field"))
        except DomainError as refused:
            show_error(request, refused)
            status = 400
        else:
            if welcome:
                return redirect(reverse("web:suggestions") + "?welcome=1")
            messages.success(request, _("Your fields are saved."))
            return redirect("web:interests")
    return render(
        request,
        "web/discovery/interests.html",
        {"fields": fields, "chosen": chosen, "welcome": welcome, "tab": "me"},
        status=status,
    )
