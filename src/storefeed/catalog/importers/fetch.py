"""Fetching a shop page safely: timeouts, a size cap, a redirect cap, and no private addresses.

Every connection goes through core.safehttp's guarded transport, which resolves the host name
itself, refuses the connection unless every address is public, and connects to the address it
checked, so a second DNS answer (rebinding) cannot slip past. Redirects are
followed here one hop at a time, each hop checked the same way. Proxies from the environment
are ignored (trust_env=False): a proxy would make the address check meaningless.

Settings (read when a fetch starts):
- FETCH_ALLOW_PRIVATE (env STOREFEED_FETCH_ALLOW_PRIVATE, default off): allow private,
  loopback, link-local and reserved addresses. For tests and development only.
- FETCH_TIMEOUT_SECONDS (env STOREFEED_FETCH_TIMEOUT, default 5): connect and read timeout.
- FETCH_TOTAL_SECONDS (default 20): a whole fetch, redirects included, never takes longer.
- FETCH_MAX_BYTES (default 2 MiB): a page (decoded) larger than this is refused; the body is
  streamed and the connection dropped as soon as the cap is passed.
- FETCH_MAX_REDIRECTS (default 5).
- FETCH_HOST_OVERRIDES (default {}): TEST/DEV ONLY. {"item.taobao.com": "127.0.0.1:8001"}
  sends requests for that host name to plain http on that host:port, with the original Host
  header, so fixture pages can play Taobao. The target address is still checked (so loopback
  needs FETCH_ALLOW_PRIVATE too).

Call it outside any database transaction: it waits on the network.
"""

import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from storefeed.catalog.importers.data import ImportFailed
from storefeed.core.parse import id_or_none
from storefeed.core.safehttp import AddressNotAllowed, GuardedTransport

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
USER_AGENT = "Mozilla/5.0 (compatible; StorefeedBot/0.1; product card preview)"
CHUNK = 64 * 1024

# The clock a fetch's total deadline is measured with (tests replace it).
clock = time.monotonic

_NETWORK_ERRORS: tuple[type[Exception], ...] = (
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
    httpx.TransportError,
    httpx.DecodingError,
    httpx.InvalidURL,
    OSError,
)
_TIMEOUTS: tuple[type[Exception], ...] = (httpcore.TimeoutException, httpx.TimeoutException)


@dataclass
class Fetched:
    url: str  # the final URL, as the site names it (host overrides undone)
    chain: list[str] = field(default_factory=list)  # every URL requested, in order
    status: int = 0
    content_type: str = ""
    charset: str = ""
    body: bytes = b""

    @property
    def redirects(self) -> int:
        return len(self.chain) - 1


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def max_redirects() -> int:
    return int(_setting("FETCH_MAX_REDIRECTS", 5))


def _target(url: httpx.URL) -> tuple[httpx.URL, dict[str, str]]:
    """Where a request for `url` really goes (host overrides, test/dev only), and headers."""
    overrides: dict[str, str] = _setting("FETCH_HOST_OVERRIDES", {}) or {}
    target = overrides.get(url.host)
    if not target:
        return url, {}
    host, _sep, port = target.rpartition(":")
    return url.copy_with(scheme="http", host=host, port=int(port)), {"Host": url.netloc.decode()}


def fetch(url: str, *, redirect_cap: int | None = None) -> Fetched:
    """GET `url`, following redirects, and return the final page (any status below 400)."""
    timeout = float(_setting("FETCH_TIMEOUT_SECONDS", 5.0))
    max_bytes = int(_setting("FETCH_MAX_BYTES", 2 * 1024 * 1024))
    redirect_cap = max_redirects() if redirect_cap is None else redirect_cap
    deadline = clock() + float(_setting("FETCH_TOTAL_SECONDS", 20.0))
    result = Fetched(url=url)
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
        "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8",
    }
    with httpx.Client(
        transport=GuardedTransport(allow_private=lambda: _setting("FETCH_ALLOW_PRIVATE", False)),
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        trust_env=False,
        headers=headers,
    ) as client:
        current = url
        while True:
            if clock() > deadline:
                raise ImportFailed(
                    _("Could not reach the page: the site took too long to answer."),
                    reason="timeout",
                )
            parsed = _checked_url(current)
            result.chain.append(current)
            result.url = current
            target, extra = _target(parsed)
            try:
                with client.stream("GET", target, headers=extra) as response:
                    location = response.headers.get("location")
                    if response.status_code in REDIRECT_STATUSES and location:
                        if result.redirects >= redirect_cap:
                            raise ImportFailed(
                                _("The page redirects too many times (or in a loop)."),
                                reason="too_many_redirects",
                            )
                        current = urljoin(current, location.strip())
                        continue
                    if response.status_code >= 400:
                        raise ImportFailed(
                            _(
                                "The page could not be read: the site answered with error %(status)s."
                            )
                            % {"status": response.status_code},
                            reason="http_error",
                            status=response.status_code,
                        )
                    result.status = response.status_code
                    result.content_type = response.headers.get("content-type", "")
                    result.charset = response.charset_encoding or ""
                    result.body = _read_capped(response, max_bytes, deadline)
                    return result
            except AddressNotAllowed:
                raise ImportFailed(
                    _(
                        "That address is not allowed: links to private, local or reserved "
                        "network addresses cannot be imported."
                    ),
                    reason="address_not_allowed",
                ) from None
            except _TIMEOUTS:
                raise ImportFailed(
                    _("Could not reach the page: the site took too long to answer."),
                    reason="timeout",
                ) from None
            except _NETWORK_ERRORS:
                raise ImportFailed(
                    _("Could not reach the page. Check the link, or fill in the item by hand."),
                    reason="unreachable",
                ) from None


def _checked_url(url: str) -> httpx.URL:
    try:
        scheme = urlsplit(url).scheme.lower()
        parsed = httpx.URL(url)
    except (ValueError, httpx.InvalidURL):
        raise ImportFailed(_("That link is not a valid web address."), reason="bad_url") from None
    if scheme not in ("http", "https") or not parsed.host:
        raise ImportFailed(_("Only http and https links can be imported."), reason="bad_scheme")
    return parsed


def _read_capped(response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    too_large = ImportFailed(
        _("The page is larger than %(size)s MB, so it was not read.")
        % {"size": _megabytes(max_bytes)},
        reason="too_large",
    )
    declared = response.headers.get("content-length", "")
    if id_or_none(declared) is not None and int(declared) > max_bytes:
        raise too_large
    received = bytearray()
    # Decoded bytes are counted, so a small compressed body cannot inflate past the cap.
    for chunk in response.iter_bytes(CHUNK):
        received += chunk
        if len(received) > max_bytes:
            raise too_large
        if clock() > deadline:
            raise ImportFailed(
                _("Could not reach the page: the site took too long to answer."),
                reason="timeout",
            )
    return bytes(received)


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value >= 1 and value == int(value) else f"{value:.1f}"
