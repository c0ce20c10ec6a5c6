"""Mastodon API: media attachments."""

from django.http import HttpResponse

from storefeed.api.mastodon.base import ApiError, ApiRequest, endpoint, ok
from storefeed.api.mastodon.entities import Renderer
from storefeed.api.mastodon.params import Invalid
from storefeed.api.mastodon.routing import route
from storefeed.posts import services
from storefeed.posts.models import MediaAttachment, MediaState


def _focus(value: str | None) -> tuple[float, float] | None:
    if not value:
        return None
    try:
        x, y = (float(v) for v in value.split(","))
    except ValueError:
        raise Invalid("focus must be two numbers like 0.5,-0.2") from None
    return x, y


def _upload(api: ApiRequest, *, v2: bool) -> HttpResponse:
    file = api.params.file("file")
    if file is None:
        raise Invalid("File can't be blank")
    media = services.media_create(
        account=api.user,
        file=file,
        description=api.params.str("description", "") or "",
        focus=_focus(api.params.str("focus")) or (0.0, 0.0),
    )
    # Images are processed at once and answer 200 with their URLs. A video is transcoded by
    # the worker: /api/v2/media answers 202 with url null until then (v1 answers 200 anyway,
    # as Mastodon's did when it processed synchronously).
    processing = media.state == MediaState.PROCESSING
    return ok(Renderer(api.request).media(media), status=202 if v2 and processing else 200)


@endpoint("POST", scope="write:media")
def upload(api: ApiRequest) -> HttpResponse:
    return _upload(api, v2=False)


@endpoint("POST", scope="write:media")
def upload_v2(api: ApiRequest) -> HttpResponse:
    return _upload(api, v2=True)


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
    if found.state == MediaState.FAILED:
        raise ApiError(422, "Error processing thumbnail for uploaded media")
    # 206 Partial Content while the worker transcodes, 200 once ready (Mastodon's convention).
    return ok(r.media(found), status=206 if found.state == MediaState.PROCESSING else 200)


urlpatterns = [
    route("api/v1/media", upload),
    route("api/v2/media", upload_v2),
    route("api/v1/media/<id:media_id>", one),
]
