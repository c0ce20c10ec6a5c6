"""Who is connecting and to which streams: the access token (Authorization header,
`access_token` in the query, or Sec-WebSocket-Protocol, as Mastodon takes it), a web page's
session cookie, and the stream names and parameters, checked as Mastodon checks them. Runs in
a worker thread (it reads the database); refusals are `Refused` with Mastodon's status and
words."""

from dataclasses import dataclass
from http.cookies import SimpleCookie
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user
from django.http import HttpRequest
from django.http.request import split_domain_port, validate_host
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header
from oauth2_provider.models import AccessToken

from storefeed.accounts.models import User
from storefeed.accounts.selectors import account_entry_refusal
from storefeed.api.mastodon.base import scope_allows
from storefeed.api.tokens import bearer_token
from storefeed.core.text import is_valid_tag, normalize_tag
from storefeed.notifications.models import Notification
from storefeed.streaming.route import (
    HASHTAG,
    LIST,
    NAMES,
    NEEDS_USER,
    NOTIFICATIONS,
    PUBLIC,
    USER,
    Stream,
)
from storefeed.timelines.models import List

# Mastodon's streaming paths (after /api/v1/streaming/) and their stream names.
PATHS = {
    "user": USER,
    "user/notification": NOTIFICATIONS,
    "public": "public",
    "public/local": "public:local",
    "public/remote": "public:remote",
    "hashtag": "hashtag",
    "hashtag/local": "hashtag:local",
    "list": LIST,
    "direct": "direct",
    "storefeed/products": "storefeed:products",
}


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Client:
    """Who connected: the account (None: anonymous), its token's scopes (None for a web
    session, which may read everything its owner may), language and site address."""

    user: User | None
    scopes: list[str] | None
    lang: str
    base: str
    web: bool = False


def _language(accept: str, user: User | None, asked: str = "") -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    for candidate in [asked, *(lang for lang, _q in parse_accept_lang_header(accept or ""))]:
        if not candidate:
            continue
        try:
            found = translation.get_supported_language_variant(candidate.lower())
        except LookupError:
            continue
        if found in supported:
            return found
    if user is not None and user.locale:
        return str(user.locale)
    return settings.LANGUAGE_CODE


def web_base(scheme: str, host: str) -> str:
    """The web site's address for the entities' URLs: STOREFEED_SITE_URL, else the host the
    client reached, with the web server's port where it reached the streaming port."""
    if settings.SITE_URL:
        return settings.SITE_URL
    _name, port = split_domain_port(host)
    if port == str(settings.STREAMING_PORT):
        host = host[: -len(port)] + str(settings.PORT)
    return f"{'https' if scheme in ('https', 'wss') else 'http'}://{host}"


def origin_allowed(origin: str) -> bool:
    """Whether a browser page at `origin` is one of ours (it may then stream with its
    session cookie)."""
    _scheme, _sep, rest = origin.partition("://")
    host, _port = split_domain_port(rest)
    return bool(host) and validate_host(host, settings.ALLOWED_HOSTS)


def authenticate(
    *,
    headers: dict[str, str],
    query_token: str,
    protocol_token: str,
    scheme: str,
    lang: str = "",
    cookies_allowed: bool = False,
) -> Client:
    """The client of a connection, or Refused(401)."""
    token = query_token or protocol_token
    authorization = headers.get("authorization", "")
    if authorization[:7].lower() == "bearer ":
        token = authorization[7:].strip()
    host = headers.get("host", "")
    base = web_base(headers.get("x-forwarded-proto", scheme), host)
    accept = headers.get("accept-language", "")
    if token:
        request = HttpRequest()
        request.META["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        access: AccessToken | None = bearer_token(request, token)
        if access is None:
            raise Refused(401, "Invalid access token")
        user = access.user if access.user_id else None
        if user is not None and account_entry_refusal(user) is not None:
            raise Refused(401, "Invalid access token")
        return Client(user, access.scope.split(), _language(accept, user, lang), base)
    if cookies_allowed and (user := _session_user(headers.get("cookie", ""))) is not None:
        return Client(user, None, _language(accept, user, lang), base, web=True)
    return Client(None, [], _language(accept, None, lang), base)


def _session_user(cookie_header: str) -> User | None:
    cookies = SimpleCookie()
    try:
        cookies.load(cookie_header)
    except Exception:
        return None
    morsel = cookies.get(settings.SESSION_COOKIE_NAME)
    if morsel is None:
        return None
    engine = import_module(settings.SESSION_ENGINE)
    request = HttpRequest()
    request.session = engine.SessionStore(morsel.value)
    user = get_user(request)
    return user if isinstance(user, User) and user.is_active else None


def stream_for(client: Client, name: str, *, tag: str = "", list_id: str = "") -> Stream:
    """A stream the client asked for, or Refused with Mastodon's status and words."""
    if name not in NAMES:
        raise Refused(400, "Unknown stream type")
    if name in NEEDS_USER:
        if client.user is None:
            raise Refused(401, "Missing access token")
        needed = "read:notifications" if name == NOTIFICATIONS else "read:statuses"
        if name == LIST:
            needed = "read:lists"
        if client.scopes is not None and not scope_allows(client.scopes, needed):
            raise Refused(401, "Access token does not have the required scopes")
    if name in HASHTAG:
        if not tag or not is_valid_tag(tag):
            raise Refused(400, "No tag for stream provided")
        return Stream(name, tag=normalize_tag(tag))
    if name == LIST:
        try:
            pk = int(list_id)
        except (TypeError, ValueError):
            pk = 0
        assert client.user is not None
        if not List.objects.filter(pk=pk, owner_id=client.user.pk).exists():
            raise Refused(401, "Not authorized to stream this list")
        return Stream(name, list_id=pk)
    return Stream(name)


def media_variant(name: str, only_media: str) -> str:
    """`public` with `only_media=true` is Mastodon's `public:media` (and so on)."""
    if only_media.lower() in ("1", "true") and name in (*PUBLIC, "public:remote"):
        return name if name.endswith(":media") else f"{name}:media"
    return name


def latest_notification(user: User) -> int:
    """Where a new connection's notifications start: after the newest one there is."""
    found = (
        Notification.objects.filter(recipient_id=user.pk)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return found or 0
