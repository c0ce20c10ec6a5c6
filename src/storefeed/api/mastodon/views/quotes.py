"""Mastodon API: quote posts (Mastodon 4.5): the quotes of one's post, revoking one, and
changing who may quote a post."""

from django.http import HttpResponse

from storefeed.api.mastodon.base import ApiError, ApiRequest, endpoint, not_found, ok
from storefeed.api.mastodon.entities import Renderer
from storefeed.api.mastodon.pages import render_statuses
from storefeed.api.mastodon.pagination import cursors, link_header
from storefeed.api.mastodon.routing import route
from storefeed.posts import quotes, selectors
from storefeed.posts.models import Status


@endpoint("GET", scope="read:statuses")
def index(api: ApiRequest, status_id: int) -> HttpResponse:
    """The posts quoting one of one's own posts, newest first (only its author may list
    them, as in Mastodon)."""
    quoted = selectors.status_for_viewer(viewer=api.user, status_id=status_id)
    if quoted.account_id != api.user.pk:
        raise ApiError(403, "This action is not allowed")
    page = cursors(api, default_limit=20, max_limit=40)
    qs = Status.objects.filter(quote_of_id=quoted.pk)
    if page["max_id"] is not None:
        qs = qs.filter(pk__lt=page["max_id"])
    if page["since_id"] is not None:
        qs = qs.filter(pk__gt=page["since_id"])
    if page["min_id"] is not None:
        ids = list(
            qs.filter(pk__gt=page["min_id"])
            .order_by("pk")
            .values_list("pk", flat=True)[: page["limit"]]
        )[::-1]
    else:
        ids = list(qs.order_by("-pk").values_list("pk", flat=True)[: page["limit"]])
    # Those the author may see (a quote's own visibility still applies).
    visible = {s.pk for s in selectors.statuses_hydrate(viewer=api.user, ids=ids)
               if selectors.can_view(api.user, s)}  # fmt: skip
    shown = [i for i in ids if i in visible]
    return ok(render_statuses(api.request, api.user, shown), headers=link_header(api, ids))


@endpoint("POST", scope="write:statuses")
def revoke(api: ApiRequest, status_id: int, quoting_status_id: int) -> HttpResponse:
    quoting = quotes.quote_revoke(
        account=api.user, status_id=status_id, quoting_status_id=quoting_status_id
    )
    found = render_statuses(api.request, api.user, [quoting.pk])
    if not found:
        raise not_found()
    return ok(found[0])


@endpoint("PUT", scope="write:statuses")
def interaction_policy(api: ApiRequest, status_id: int) -> HttpResponse:
    value = api.params.str("quote_approval_policy")
    if value is None:
        raise ApiError(422, "Validation failed: quote_approval_policy is missing")
    quotes.status_quote_policy_update(account=api.user, status_id=status_id, policy=value)
    return ok(Renderer(api.request).status(_hydrated(api, status_id)))


def _hydrated(api: ApiRequest, status_id: int) -> Status:
    found = selectors.statuses_hydrate(viewer=api.user, ids=[status_id])
    if not found:
        raise not_found()
    return found[0]


urlpatterns = [
    route("api/v1/statuses/<id:status_id>/quotes", index),
    route("api/v1/statuses/<id:status_id>/quotes/<id:quoting_status_id>/revoke", revoke),
    route("api/v1/statuses/<id:status_id>/interaction_policy", interaction_policy),
]
