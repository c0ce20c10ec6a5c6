"""HTTP to addresses that users give us (shop pages, Web Push endpoints) without letting them
reach inside the network: no private addresses, no DNS rebinding, no proxies.

Every connection goes through `GuardedBackend`, which resolves the host name itself
(socket.getaddrinfo), refuses the connection unless every address is public, and connects to
the address it checked, so a second DNS answer (rebinding) cannot slip past. Callers build an
`httpx.Client(transport=GuardedTransport(allow_private=...), trust_env=False)`: a proxy from
the environment would make the address check meaningless. `allow_private` is read when a
connection is made (tests and development let loopback through with a setting).
"""

import ipaddress
import socket
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpcore
import httpx

# A name with more addresses than this is tried on the first few only.
MAX_ADDRESSES = 4


class AddressNotAllowed(Exception):
    """Raised inside the connection path; callers turn it into their own refusal."""


def address_allowed(address: str) -> bool:
    """Whether an IP address is on the public internet (not private, loopback, link-local,
    multicast, reserved or unspecified, including IPv4 hidden in IPv6 forms)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in ipaddress.IPv6Network("64:ff9b::/96"):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return address_allowed(str(embedded))
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def checked_addresses(host: str, port: int, *, allow_private: bool = False) -> list[str]:
    """The addresses `host` resolves to, all of them allowed (any, with `allow_private`), or
    AddressNotAllowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}") from exc
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise httpcore.ConnectError(f"cannot resolve {host}")
    if not allow_private:
        refused = [a for a in addresses if not address_allowed(a)]
        if refused:
            # One bad address is enough: a name pointing inside is not a shop page.
            raise AddressNotAllowed(host)
    return addresses[:MAX_ADDRESSES]


class GuardedBackend(httpcore.SyncBackend):
    def __init__(self, allow_private: Callable[[], bool]) -> None:
        self._allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        last_error: Exception | None = None
        for address in checked_addresses(host, port, allow_private=self._allow_private()):
            try:
                # An IP literal: create_connection does no further name lookup.
                return super().connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise AddressNotAllowed("unix socket")


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, response: httpcore.Response) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        yield from self._response.iter_stream()

    def close(self) -> None:
        self._response.close()


class GuardedTransport(httpx.BaseTransport):
    """httpx on an httpcore pool whose every connection goes through `GuardedBackend`."""

    def __init__(self, *, allow_private: Callable[[], bool] = lambda: False) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            network_backend=GuardedBackend(allow_private),
            max_connections=4,
            retries=0,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        response = self._pool.handle_request(core_request)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()
