"""Fixtures for the importers: a real HTTP server on 127.0.0.1 playing Taobao, Tmall, Weimai and
a shop (routed by the Host header, reached through FETCH_HOST_OVERRIDES), and a guard that
fails any test which would resolve a real name or connect beyond loopback."""

import ipaddress
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

PAGES = Path(__file__).parent / "pages"
# Host names the fixture server plays; requests for them go to the loopback server.
PLAYED_HOSTS = [
    "item.taobao.com",
    "login.taobao.com",
    "detail.tmall.com",
    "m.tb.cn",
    "s.click.taobao.com",
    "weidian.com",
    "shop.example.com",
    "redirect.example.com",
]
BIG_SIZE = 50 * 1024 * 1024

_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect


def _is_loopback(host: Any) -> bool:
    if host in (None, "localhost", b"localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _is_ip(host: Any) -> bool:
    try:
        ipaddress.ip_address(str(host).split("%", 1)[0])
    except ValueError:
        return False
    return True


@pytest.fixture(autouse=True)
def no_egress(monkeypatch):
    """Nothing in these tests may look up a real name or connect beyond loopback: a name
    lookup or a connection elsewhere fails the test (tests that fake resolution patch over
    the lookup guard, never over the connect guard)."""
    attempts: list[Any] = []

    def getaddrinfo(host, port, *args, **kwargs):
        # An IP literal resolves without the network; a name other than localhost would not.
        if not (_is_loopback(host) or _is_ip(host)):
            attempts.append(("getaddrinfo", host))
            raise AssertionError(f"test tried to resolve {host!r}")
        return _real_getaddrinfo(host, port, *args, **kwargs)

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if not _is_loopback(host):
            attempts.append(("connect", address))
            raise AssertionError(f"test tried to connect to {address!r}")
        return _real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the fully qualified name: no lookups here.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "localhost", self.server_address[1]


class ShopServer:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Route] = {}
        self.hits: list[tuple[str, str]] = []
        self.release = threading.Event()  # stalled handlers wait for this
        self.big_done = threading.Event()
        self.big_sent = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]")
                owner.hits.append((host, self.path))
                route = owner.routes.get((host, self.path)) or owner.routes.get(
                    (host, self.path.split("?", 1)[0])
                )
                if route is None:
                    route = Route(404, b"<html><body>not here</body></html>")
                if route.handler:
                    route.handler(self)
                    return
                self.send_response(route.status)
                headers = {"Content-Type": "text/html; charset=utf-8", **route.headers}
                headers.setdefault("Content-Length", str(len(route.body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    # Routes
    def page(self, host: str, path: str, name: str, *, encoding: str = "utf-8", **kw: Any):
        text = (PAGES / name).read_text(encoding="utf-8")
        self.routes[(host, path)] = Route(body=text.encode(encoding), **kw)

    def html(self, host: str, path: str, text: str, **kw: Any) -> None:
        self.routes[(host, path)] = Route(body=text.encode("utf-8"), **kw)

    def redirect(self, host: str, path: str, location: str, status: int = 302) -> None:
        self.routes[(host, path)] = Route(status, b"", {"Location": location})

    def handler(self, host: str, path: str, handler: Callable[..., None]) -> None:
        self.routes[(host, path)] = Route(handler=handler)

    def hits_for(self, host: str) -> list[str]:
        return [path for h, path in self.hits if h == host]


@pytest.fixture(scope="session")
def _shop_server() -> Iterator[ShopServer]:
    server = ShopServer()
    server.thread.start()
    yield server
    server.release.set()
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def shop(_shop_server, settings) -> Iterator[ShopServer]:
    """The fixture server, emptied, with the settings that let the importer reach it."""
    server = _shop_server
    server.routes.clear()
    server.hits.clear()
    server.release.clear()
    server.big_done.clear()
    server.big_sent = 0
    settings.FETCH_ALLOW_PRIVATE = True
    settings.FETCH_HOST_OVERRIDES = dict.fromkeys(PLAYED_HOSTS, f"127.0.0.1:{server.port}")
    settings.FETCH_TIMEOUT_SECONDS = 5
    settings.FETCH_MAX_BYTES = 2 * 1024 * 1024
    settings.FETCH_MAX_REDIRECTS = 5
    yield server
    server.release.set()  # let any stalled handler finish
