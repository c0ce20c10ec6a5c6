"""Safe fetching: redirect cap and loops, size cap, timeouts, and no private addresses.

Private-address tests fake name resolution and fail if any connection is attempted: nothing
here sends traffic beyond loopback (the autouse `no_egress` guard makes sure of it)."""

import gzip
import socket
from http.server import BaseHTTPRequestHandler

import pytest

from storefeed.catalog.importers import ImportFailed, resolve
from storefeed.catalog.importers import fetch as fetch_module
from storefeed.catalog.importers.fetch import fetch
from storefeed.core import safehttp
from storefeed.core.safehttp import address_allowed
from tests.catalog.importers.conftest import BIG_SIZE

PRODUCT = (
    '<html><head><meta property="og:type" content="product">'
    '<meta property="og:title" content="Tea"><meta property="product:price:amount" '
    'content="10.00"></head></html>'
)
PUBLIC_IP = "93.184.216.34"
_REAL_CREATE_CONNECTION = socket.create_connection


def _reason(text: str) -> ImportFailed:
    with pytest.raises(ImportFailed) as caught:
        resolve(text)
    return caught.value


# Redirects


def test_redirect_loop_is_refused_after_the_cap(shop):
    shop.redirect("shop.example.com", "/loop/a", "/loop/b")
    shop.redirect("shop.example.com", "/loop/b", "https://shop.example.com/loop/a")
    error = _reason("https://shop.example.com/loop/a")
    assert error.reason == "too_many_redirects"
    assert "redirects too many times" in error.message
    # The first request and five redirects followed: the sixth is not.
    assert len(shop.hits) == 6


def _chain(shop, length: int) -> None:
    for step in range(length):
        shop.redirect("redirect.example.com", f"/{step}", f"/{step + 1}", status=307)
    shop.html("redirect.example.com", f"/{length}", PRODUCT)


def test_five_redirects_are_followed(shop):
    _chain(shop, 5)
    assert resolve("https://redirect.example.com/0").title == "Tea"


def test_six_redirects_are_refused(shop):
    _chain(shop, 6)
    assert _reason("https://redirect.example.com/0").reason == "too_many_redirects"
    assert shop.hits_for("redirect.example.com")[-1] == "/5"


def test_short_link_chain_beyond_the_cap_is_refused(shop):
    for step in range(6):
        shop.redirect("m.tb.cn", f"/h.{step}", f"https://m.tb.cn/h.{step + 1}")
    error = _reason("【茶】https://m.tb.cn/h.0?tk=1 ￥AbCd1234￥")
    assert error.reason == "too_many_redirects"
    assert error.partial is not None and error.partial.title == "茶"


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "ftp://shop.example.com/x", "gopher://shop.example.com/"]
)
def test_redirect_to_another_scheme_is_refused(shop, location):
    shop.redirect("shop.example.com", "/p", location)
    assert _reason("https://shop.example.com/p").reason == "bad_scheme"


# Size


def _big(shop, *, declare: bool):
    """A handler sending 50 MB (counted) until the importer hangs up."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        if declare:
            request.send_header("Content-Length", str(BIG_SIZE))
        request.end_headers()
        chunk = b"<p>" + b"x" * (64 * 1024 - 3)
        try:
            while shop.big_sent < BIG_SIZE:
                request.wfile.write(chunk)
                shop.big_sent += len(chunk)
        except OSError:  # the importer hung up
            pass
        finally:
            shop.big_done.set()

    return handler


@pytest.mark.parametrize("declare", [False, True], ids=["streamed", "content-length"])
def test_a_50_mb_page_is_refused_without_reading_it_all(shop, declare):
    shop.handler("shop.example.com", "/huge", _big(shop, declare=declare))
    error = _reason("https://shop.example.com/huge")
    assert error.reason == "too_large"
    assert "larger than 2 MB" in error.message
    assert shop.big_done.wait(10)
    # The connection was dropped early: what was sent is the 2 MB cap plus socket buffers.
    assert shop.big_sent < 16 * 1024 * 1024


def test_a_compressed_page_is_capped_on_its_decoded_size(shop):
    shop.html("shop.example.com", "/bomb", "")
    body = gzip.compress(b" " * (3 * 1024 * 1024))
    route = shop.routes[("shop.example.com", "/bomb")]
    route.body = body
    route.headers = {"Content-Encoding": "gzip"}
    assert len(body) < 100_000
    assert _reason("https://shop.example.com/bomb").reason == "too_large"


# Time


def test_a_stalled_server_times_out(shop, settings):
    settings.FETCH_TIMEOUT_SECONDS = 0.3

    def stall(request: BaseHTTPRequestHandler) -> None:
        shop.release.wait(10)

    shop.handler("shop.example.com", "/slow", stall)
    error = _reason("https://shop.example.com/slow")
    assert error.reason == "timeout"
    assert "took too long" in error.message


def test_a_page_that_trickles_past_the_total_deadline_is_dropped(shop, settings, monkeypatch):
    settings.FETCH_TOTAL_SECONDS = 20
    ticks = iter(range(0, 10_000, 15))  # every look at the clock is 15 s later
    monkeypatch.setattr(fetch_module, "clock", lambda: next(ticks))
    shop.html("shop.example.com", "/trickle", "<p>" + "x" * 300_000)
    assert _reason("https://shop.example.com/trickle").reason == "timeout"


# Addresses


def test_loopback_is_refused_without_the_setting(shop, settings):
    settings.FETCH_ALLOW_PRIVATE = False
    shop.html("shop.example.com", "/p", PRODUCT)
    error = _reason("https://shop.example.com/p")
    assert error.reason == "address_not_allowed"
    assert "not allowed" in error.message
    assert shop.hits == []


def test_a_literal_loopback_url_is_refused(shop, settings):
    settings.FETCH_ALLOW_PRIVATE = False
    settings.FETCH_HOST_OVERRIDES = {}
    shop.html("127.0.0.1", "/p", PRODUCT)
    assert _reason(f"http://127.0.0.1:{shop.port}/p").reason == "address_not_allowed"
    assert shop.hits == []


@pytest.fixture
def fake_dns(monkeypatch, settings):
    """Resolve chosen names to chosen addresses (loopback literals resolve for real), and
    record any connection attempt instead of making it."""
    settings.FETCH_ALLOW_PRIVATE = False
    settings.FETCH_HOST_OVERRIDES = {}
    answers: dict[str, list[list[str]]] = {}
    lookups: list[str] = []
    connects: list[tuple] = []
    guarded_getaddrinfo = socket.getaddrinfo  # the no_egress guard

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            lookups.append(host)
            # Each lookup takes the next answer (the last one repeats): DNS rebinding.
            addresses = answers[host][0] if len(answers[host]) == 1 else answers[host].pop(0)
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port, 0, 0) if ":" in a else (a, port),
                )
                for a in addresses
            ]
        return guarded_getaddrinfo(host, port, *args, **kwargs)

    def create_connection(address, *args, **kwargs):
        connects.append(address)
        raise ConnectionRefusedError("connection attempts are recorded, never made")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)

    class Fake:
        pass

    fake = Fake()
    fake.answers, fake.lookups, fake.connects = answers, lookups, connects  # type: ignore[attr-defined]
    return fake


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.5",
        "192.168.1.2",
        "172.16.3.4",
        "169.254.169.254",
        "127.0.0.1",
        "0.0.0.0",
        "100.64.0.1",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:10.0.0.5",
        "64:ff9b::a00:5",
    ],
)
def test_a_name_resolving_to_a_private_address_is_never_connected(fake_dns, no_egress, address):
    fake_dns.answers["shop.example.com"] = [[address]]
    error = _reason("https://shop.example.com/p/1")
    assert error.reason == "address_not_allowed"
    assert fake_dns.lookups == ["shop.example.com"]
    assert fake_dns.connects == []
    assert no_egress == []


def test_one_private_address_among_public_ones_is_enough_to_refuse(fake_dns, no_egress):
    fake_dns.answers["shop.example.com"] = [[PUBLIC_IP, "10.0.0.5"]]
    assert _reason("https://shop.example.com/p/1").reason == "address_not_allowed"
    assert fake_dns.connects == []
    assert no_egress == []


def test_the_checked_address_is_the_one_connected(fake_dns, no_egress):
    """DNS rebinding: the name answers public first and loopback after; the connection goes
    to the address that was checked, and the name is looked up once."""
    fake_dns.answers["shop.example.com"] = [[PUBLIC_IP], ["127.0.0.1"]]
    error = _reason("https://shop.example.com/p/1")
    assert error.reason == "unreachable"  # the recorded "connection" was refused
    assert fake_dns.lookups == ["shop.example.com"]
    assert fake_dns.connects == [(PUBLIC_IP, 443)]
    assert no_egress == []


@pytest.mark.parametrize(
    ("location", "answers"),
    [
        ("http://intranet.example.com/admin", {"intranet.example.com": [["10.0.0.5"]]}),
        ("http://169.254.169.254/latest/meta-data/", {}),
        ("http://[::1]:8080/", {}),
    ],
)
def test_every_redirect_hop_is_checked(
    shop, settings, monkeypatch, fake_dns, no_egress, location, answers
):
    """The fixture server plays a public shop (its loopback address is let through here);
    its redirect to an inside address is refused before any connection."""
    settings.FETCH_ALLOW_PRIVATE = False
    settings.FETCH_HOST_OVERRIDES = {"shop.example.com": f"127.0.0.1:{shop.port}"}
    monkeypatch.setattr(
        safehttp, "address_allowed", lambda a: a == "127.0.0.1" or address_allowed(a)
    )
    # The fixture server itself must still be reachable: connect for real to it only.
    monkeypatch.setattr(socket, "create_connection", _loopback_only(fake_dns.connects))
    fake_dns.answers.update(answers)
    shop.redirect("shop.example.com", "/go", location)
    error = _reason("https://shop.example.com/go")
    assert error.reason == "address_not_allowed"
    assert shop.hits == [("shop.example.com", "/go")]
    assert fake_dns.connects == []
    assert no_egress == []


def _loopback_only(record: list):
    def create_connection(address, *args, **kwargs):
        if address[0] != "127.0.0.1":
            record.append(address)
            raise ConnectionRefusedError("recorded, never made")
        return _REAL_CREATE_CONNECTION(address, *args, **kwargs)

    return create_connection


def test_proxy_settings_in_the_environment_are_ignored(shop, monkeypatch, no_egress):
    """A proxy would connect for us to anywhere: the importer never uses one."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "http://10.0.0.9:3128")
    shop.html("shop.example.com", "/p", PRODUCT)
    assert resolve("https://shop.example.com/p").title == "Tea"
    assert no_egress == []


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        (PUBLIC_IP, True),
        ("2606:4700:4700::1111", True),
        ("10.1.2.3", False),
        ("172.31.255.255", False),
        ("192.168.0.1", False),
        ("127.8.8.8", False),
        ("169.254.0.1", False),
        ("100.100.100.200", False),  # carrier-grade NAT (and Alibaba Cloud's metadata service)
        ("0.0.0.0", False),
        ("255.255.255.255", False),
        ("239.1.2.3", False),
        ("192.0.2.1", False),  # documentation
        ("198.18.0.1", False),  # benchmarking
        ("::", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:" + PUBLIC_IP, True),
        ("2002:0a00:0005::1", False),  # 6to4 wrapping 10.0.0.5
        ("64:ff9b::7f00:1", False),  # NAT64 wrapping 127.0.0.1
        ("not an address", False),
    ],
)
def test_address_allowed(address, allowed):
    assert address_allowed(address) is allowed


def test_fetch_records_the_chain(shop):
    shop.redirect("shop.example.com", "/a", "/b", status=308)
    shop.html("shop.example.com", "/b", PRODUCT)
    page = fetch("https://shop.example.com/a")
    assert page.chain == ["https://shop.example.com/a", "https://shop.example.com/b"]
    assert (page.url, page.status, page.redirects) == ("https://shop.example.com/b", 200, 1)
