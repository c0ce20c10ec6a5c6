"""Mastodon API: timelines (home, public, tag, list), bookmarks, favourites, followed and
featured tags."""

import datetime as dt

from django.db.models import Count, Max
from django.http import HttpResponse

from storefeed.api.mastodon.base import ApiError, ApiRequest, endpoint, ok
from storefeed.api.mastodon.entities import Renderer
from storefeed.api.mastodon.filtering import filtered_page
from storefeed.api.mastodon.pagination import cursors, link_header
from storefeed.api.mastodon.routing import route
from storefeed.core.text import is_valid_tag, normalize_tag
from storefeed.posts import selectors, services
from storefeed.posts.models import FeaturedTag, Status, Tag, TagFollow
from storefeed.timelines.lists import list_timeline_ids
from storefeed.timelines.selectors import home_timeline_ids


def _page(api: ApiRequest, ids: list[int], context: str) -> HttpResponse:
    shown, page = filtered_page(api.request, api.account, ids, context)
    return ok(page, headers=link_header(api, shown))


@endpoint("GET", scope="read:statuses")
def home(api: ApiRequest) -> HttpResponse:
    return _page(api, home_timeline_ids(viewer=api.user, **cursors(api)), "home")


@endpoint("GET", scope="read:statuses", auth="optional")
def public(api: ApiRequest) -> HttpResponse:
    if api.params.bool("remote"):
        return ok([])  # Storefeed is one server: nothing is remote
    ids = selectors.public_timeline_ids(
        viewer=api.account, only_media=api.params.bool("only_media"), **cursors(api)
    )
    return _page(api, ids, "public")


@endpoint("GET", scope="read:statuses", auth="optional")
def tag(api: ApiRequest, hashtag: str) -> HttpResponse:
    if not is_valid_tag(hashtag) or api.params.bool("remote"):
        return ok([])
    p = api.params
    ids = selectors.tag_timeline_ids(
        viewer=api.account,
        tag=hashtag,
        any_tags=[str(t) for t in p.list("any")],
        all_tags=[str(t) for t in p.list("all")],
        none_tags=[str(t) for t in p.list("none")],
        only_media=p.bool("only_media"),
        **cursors(api),
    )
    return _page(api, ids, "public")


@endpoint("GET", scope="read:lists")
def list_(api: ApiRequest, list_id: int) -> HttpResponse:
    ids = list_timeline_ids(viewer=api.user, list_id=list_id, **cursors(api))
    return _page(api, ids, "home")  # Mastodon: lists are filtered as the home timeline


def _rows_page(api: ApiRequest, statuses: list[Status]) -> HttpResponse:
    """Bookmarks and favourites page on the row's id, not the status's."""
    headers = link_header(api, [s.page_cursor for s in statuses])  # type: ignore[attr-defined]
    return ok(Renderer(api.request).statuses(statuses), headers=headers)


@endpoint("GET", scope="read:bookmarks")
def bookmarks(api: ApiRequest) -> HttpResponse:
    page = cursors(api)
    return _rows_page(
        api, selectors.bookmarks_for(viewer=api.user, max_id=page["max_id"], limit=page["limit"])
    )


@endpoint("GET", scope="read:favourites")
def favourites(api: ApiRequest) -> HttpResponse:
    page = cursors(api)
    return _rows_page(
        api, selectors.favourites_for(viewer=api.user, max_id=page["max_id"], limit=page["limit"])
    )


# Tags -------------------------------------------------------------------------------------


@endpoint("GET", scope="read:follows")
def followed_tags(api: ApiRequest) -> HttpResponse:
    r = Renderer(api.request)
    page = cursors(api, default_limit=100, max_limit=200)
    qs = TagFollow.objects.filter(account=api.user).select_related("tag")
    if page["max_id"] is not None:
        qs = qs.filter(pk__lt=page["max_id"])
    rows = list(qs.order_by("-pk")[: page["limit"]])
    return ok(
        [r.tag(row.tag, following=True) for row in rows],
        headers=link_header(api, [row.pk for row in rows]),
    )


@endpoint("GET", scope="read:statuses", auth="optional")
def tag_info(api: ApiRequest, name: str) -> HttpResponse:
    found = Tag.objects.filter(key=normalize_tag(name)).first() if is_valid_tag(name) else None
    if found is None:
        raise ApiError(404, "Record not found")
    following = (
        TagFollow.objects.filter(account=api.account, tag=found).exists() if api.account else None
    )
    return ok(Renderer(api.request).tag(found, following=following))


def _tag_toggle(follow: bool) -> object:
    @endpoint("POST", scope="write:follows")
    def view(api: ApiRequest, name: str) -> HttpResponse:
        service = services.tag_follow if follow else services.tag_unfollow
        found = service(account=api.user, name=name)
        return ok(Renderer(api.request).tag(found, following=follow))

    return view


def featured_entity(r: Renderer, row: FeaturedTag) -> dict[str, object]:
    """Mastodon's FeaturedTag: the count as a string, the last post's day (not its time)."""
    mine = row.tag.statuses.filter(account=row.account).aggregate(
        count=Count("pk"), last=Max("created_at")
    )
    last = mine["last"]
    return {
        "id": str(row.pk),
        "name": row.tag.name,
        "url": r.url(f"/@{row.account.username}/tagged/{row.tag.name}"),
        "statuses_count": str(mine["count"]),
        "last_status_at": last.astimezone(dt.UTC).date().isoformat() if last else None,
    }


@endpoint("GET", "POST", scope={"GET": "read:accounts", "POST": "write:accounts"})
def featured_tags(api: ApiRequest) -> HttpResponse:
    r = Renderer(api.request)
    if api.request.method == "POST":
        row = services.featured_tag_create(account=api.user, name=api.params.str("name", "") or "")
        return ok(featured_entity(r, row))
    rows = FeaturedTag.objects.filter(account=api.user).select_related("tag", "account")
    return ok([featured_entity(r, row) for row in rows.order_by("-pk")])


@endpoint("DELETE", scope="write:accounts")
def featured_tag(api: ApiRequest, featured_id: int) -> HttpResponse:
    services.featured_tag_delete(account=api.user, featured_id=featured_id)
    return ok({})


@endpoint("GET", scope="read:accounts")
def featured_suggestions(api: ApiRequest) -> HttpResponse:
    r = Renderer(api.request)
    used = Tag.objects.filter(statuses__account=api.user).distinct()[:10]
    return ok([r.tag(t) for t in used])


urlpatterns = [
    route("api/v1/timelines/home", home),
    route("api/v1/timelines/public", public),
    route("api/v1/timelines/tag/<str:hashtag>", tag),
    route("api/v1/timelines/list/<id:list_id>", list_),
    route("api/v1/bookmarks", bookmarks),
    route("api/v1/favourites", favourites),
    route("api/v1/followed_tags", followed_tags),
    route("api/v1/tags/<str:name>", tag_info),
    route("api/v1/tags/<str:name>/follow", _tag_toggle(True)),  # type: ignore[arg-type]
    route("api/v1/tags/<str:name>/unfollow", _tag_toggle(False)),  # type: ignore[arg-type]
    route("api/v1/featured_tags", featured_tags),
    route("api/v1/featured_tags/suggestions", featured_suggestions),
    route("api/v1/featured_tags/<id:featured_id>", featured_tag),
]
