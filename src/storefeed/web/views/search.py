"""Search for people and tags."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from storefeed.accounts import selectors as account_selectors
from storefeed.core.text import is_valid_tag
from storefeed.web.forms import SearchForm
from storefeed.web.views.helpers import HtmxRequest


def search(request: HtmxRequest) -> HttpResponse:
    form = SearchForm(request.GET if "q" in request.GET else None)
    accounts: list = []
    tag = ""
    tag_error = ""
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"].strip()
        term = query.lstrip("#＃").strip()
        if query.startswith(("#", "＃")) or " " not in term:
            if is_valid_tag(term):
                tag = term
            elif query.startswith(("#", "＃")):
                tag_error = _("A tag needs at least one letter or digit, like #beauty or #美妆.")
        if not query.startswith(("#", "＃")):
            accounts = account_selectors.account_search(query=query.lstrip("@"), limit=20)
    return render(
        request,
        "web/search.html",
        {
            "form": form,
            "accounts": accounts,
            "tag": tag,
            "tag_error": tag_error,
            "tab": "search",
        },
        status=400 if form.is_bound and form.errors else 200,
    )
