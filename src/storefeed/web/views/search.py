"""Search: one page with tabs for posts, products (when commerce is on), people and tags,
the searched words marked in what is found."""

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render

from storefeed.accounts import selectors as account_selectors
from storefeed.core import fulltext
from storefeed.core.errors import ValidationFailed
from storefeed.core.text import is_valid_tag, normalize_tag
from storefeed.posts.models import Tag
from storefeed.posts.search import status_search_ids
from storefeed.web import fragments
from storefeed.web.forms import SearchForm
from storefeed.web.highlight import mark_post
from storefeed.web.views.helpers import PAGE_SIZE, HtmxRequest, cursor, viewer


def _default_tab(query: str) -> str:
    if query.startswith(("#", "＃")):
        return "tags"
    if query.startswith("@"):
        return "people"
    return "posts"


def _posts(request: HtmxRequest, query: fulltext.Query) -> dict[str, Any]:
    # Visitors find public posts; people signed in what they may see (posts/search.py).
    ids = status_search_ids(
        viewer=viewer(request), query=query, max_id=cursor(request), limit=PAGE_SIZE
    )
    shown = fragments.render(request, ids)
    words = fulltext.highlight_terms(query)
    for post in shown:
        post.html = mark_post(post.html, words)
    return {"statuses": shown, "next_max_id": ids[-1] if len(ids) >= PAGE_SIZE else None}


def _tags(text: str) -> dict[str, Any]:
    """The tag typed (a link even before anyone used it), then the tags starting with it."""
    name = text.lstrip("#＃").strip()
    if not is_valid_tag(name):
        return {"tags": [], "tag_error": True}
    key = normalize_tag(name)
    known = Tag.objects.filter(key__startswith=key).order_by("key")[:40]
    return {"tags": [name, *(t.name for t in known if t.key != key)], "tag_error": False}


def search(request: HtmxRequest) -> HttpResponse:
    form = SearchForm(request.GET if "q" in request.GET else None)
    context: dict[str, Any] = {"form": form, "tab": "search", "commerce": settings.COMMERCE}
    text = ""
    if form.is_bound:
        form.is_valid()
        try:
            text = fulltext.parse(form.cleaned_data.get("q")).text
        except ValidationFailed as refused:
            form.add_error("q", str(refused.message))
    tab = form.cleaned_data.get("tab") if form.is_bound else ""
    tab = tab or _default_tab(text)
    if tab == "products" and not settings.COMMERCE:
        tab = "posts"
    context.update(search_tab=tab, q=text, words=[])
    status = 400 if form.is_bound and form.errors else 200
    if text and status == 200:
        query = fulltext.parse(text)
        context["words"] = fulltext.highlight_terms(query)
        if tab == "posts":
            context.update(_posts(request, query))
        elif tab == "people":
            context["accounts"] = account_selectors.account_search(query=text, limit=40)
        elif tab == "tags":
            context.update(_tags(text))
        else:
            from storefeed.web.shop.search import product_results  # commerce is on

            context.update(product_results(query, form.cleaned_data))
            status = 400 if context.get("filter_error") else 200
    elif tab == "products" and text:
        from storefeed.web.shop.search import product_fields

        context["fields"] = product_fields()
    template = "web/search.html"
    if request.htmx and request.GET.get("max_id"):
        template = "web/search.html#more"
    return render(request, template, context, status=status)
