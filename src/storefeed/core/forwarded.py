"""The client's address behind reverse proxies: X-Forwarded-For, believed only from proxies
the site lists (STOREFEED_TRUSTED_PROXIES), so that per-address limits (the API rate limit
without a token, sign-in throttling, password-reset mail) count the client, not the proxy.

A client may send X-Forwarded-For itself; each proxy appends the address it heard from. So
the header is read from the right: past every listed proxy, the first address that is not
one is the client. From an address not listed the header is ignored (a client that talks to
the site directly cannot choose the address it is counted under)."""

import ipaddress
from collections.abc import Callable, Sequence
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(listed: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in listed)
    except ValueError as error:
        raise ImproperlyConfigured(f"STOREFEED_TRUSTED_PROXIES: {error}") from error


def parse_networks(listed: Sequence[str]) -> tuple[Network, ...]:
    """Addresses and networks ("10.0.0.0/8") as written in the setting; refuses a bad one."""
    return _networks(tuple(listed))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.5:51000"
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_address(remote: str, forwarded: str, trusted: Sequence[Network]) -> str:
    """The client's address given the peer's (`remote`) and the X-Forwarded-For header."""
    peer = _address(remote)
    if not trusted or peer is None or not any(peer in n for n in trusted):
        return remote
    client = remote
    for hop in reversed([h for h in forwarded.split(",") if h.strip()]):
        address = _address(hop)
        if address is None:
            break  # garbage: believe nothing further left of it
        client = str(address)
        if not any(address in n for n in trusted):
            break
    return client


class ForwardedForMiddleware:
    """Puts the client's address in REMOTE_ADDR when the request came through a listed
    proxy. First in the chain, so everything after it sees the client."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.trusted = parse_networks(settings.TRUSTED_PROXIES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.trusted:
            request.META["REMOTE_ADDR"] = client_address(
                request.META.get("REMOTE_ADDR", ""),
                request.META.get("HTTP_X_FORWARDED_FOR", ""),
                self.trusted,
            )
        return self.get_response(request)
