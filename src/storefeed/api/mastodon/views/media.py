"""Mastodon API: media attachments."""

from django.http import HttpResponse

from storefeed.api.mastodon.base import ApiError, ApiRequest, endpoint, ok
from storefeed.api.mastodon.entities import Renderer
from storefeed.api.mastodon.params import Invalid
from storefeed.api.mastodon.routing import route
from storefeed.posts import services
from storefeed.posts.models import MediaAttachment


def _focus(value: str | None) -> tuple[float, float] | None:
    if not value:
        return None
    try:
        x, y = (float(v) for v in value.split(","))
    except ValueError:
        raise Invalid("focus must be two numbers like 0.5,-0.2") from None
    return x, y


@endpoint("POST", scope="write:media")
def upload(api: ApiRequest) -> HttpResponse:
    file = api.params.file("file")
    if file is None:
        raise Invalid("File can't be blank")
    media = services.media_create(
        account=api.user,
        file=file,
        description=api.params.str("description", "") or "",
        focus=_focus(api.params.str("focus")) or (0.0, 0.0),
    )
    # Images are processed at once, so even /api/v2/media answers 200 with the final URLs.
    return ok(Renderer(api.request).media(media))


@endpoint("GET", "PUT", scope={"GET": "write:media", "PUT": "write:media"})
def one(api: ApiRequest, media_id: int) -> HttpResponse:
    r = Renderer(api.request)
    if api.request.method == "PUT":
        media = services.media_update(
            account=api.user,
            media_id=media_id,
            description=api.params.str("description"),
            focus=_focus(api.params.str("focus")),
        )
        return ok(r.media(media))
    found = MediaAttachment.objects.filter(pk=media_id, account=api.user).first()
    if found is None:
        raise ApiError(404, "Record not found")
    return ok(r.media(found))


urlpatterns = [
    route("api/v1/media", upload),
    route("api/v2/media", upload),
    route("api/v1/media/<id:media_id>", one),
]
