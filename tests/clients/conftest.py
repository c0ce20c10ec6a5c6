"""Fixtures for driving the Mastodon API through the real client libraries (Mastodon.py, toot)
against a live server: Django's threaded test server on 127.0.0.1 (pytest-django's
`live_server`), one per test session, with a transactional database flushed after each test.

Every socket this process opens must go to a loopback address: the `loopback_only` guard turns
any other connection into an error, so a URL a library got from the server and followed can
never reach the outside world unnoticed.
"""

import base64
import hashlib
import io
import ipaddress
import re
import secrets
import socket
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from mastodon import Mastodon
from PIL import Image

SCOPES = ["read", "write", "follow", "push"]
OOB = "urn:ietf:wg:oauth:2.0:oob"
PASSWORD = "correct-horse-9"  # the password tests/conftest.py gives alice, bob and carol
# A loopback redirect URI: the code comes back in a Location header the test reads; nothing
# listens there and nothing follows it.
CALLBACK = "http://127.0.0.1:9/callback"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse any connection from this process to a non-loopback address."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(str(address[0])):
            raise AssertionError(f"a client tried to reach {address!r}, outside loopback")

    def connect(sock: socket.socket, address: Any) -> None:
        check(sock, address)
        return real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        check(sock, address)
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    # requests honours proxy variables; a loopback server is always reached directly.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,::1")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost,::1")


@pytest.fixture
def base_url(live_server: Any) -> str:
    """The live server's root, e.g. http://localhost:41234 (no trailing slash)."""
    return str(live_server.url).rstrip("/")


_open_sessions: list[requests.Session] = []


@pytest.fixture(autouse=True)
def close_client_sessions() -> Iterator[None]:
    """Close every client's keep-alive connections after the test: the live server holds a
    thread, and on PostgreSQL a database connection, for each one left open."""
    yield
    while _open_sessions:
        _open_sessions.pop().close()


def mastodon_for(base_url: str, **kwargs: Any) -> Mastodon:
    """A Mastodon.py client that checks endpoint versions against the server's (4.3.0) and
    raises on a 429 rather than sleeping."""
    kwargs.setdefault("version_check_mode", "created")
    kwargs.setdefault("ratelimit_method", "throw")
    kwargs.setdefault("request_timeout", 30)
    masto = Mastodon(api_base_url=base_url, **kwargs)
    _open_sessions.append(masto.session)
    return masto


class ClientApp:
    """An app registered through Mastodon.py's create_app: its id and secret."""

    def __init__(self, base_url: str, client_id: str, client_secret: str) -> None:
        self.base_url = base_url
        self.client_id = client_id
        self.client_secret = client_secret

    def client(self, **kwargs: Any) -> Mastodon:
        return mastodon_for(
            self.base_url, client_id=self.client_id, client_secret=self.client_secret, **kwargs
        )

    def log_in(self, login: str, password: str = PASSWORD, scopes: list[str] = SCOPES) -> Mastodon:
        """A client signed in with the password grant (`login` is a username or an email)."""
        masto = self.client()
        masto.log_in(login, password, scopes=scopes, allow_http=True)
        return masto


@pytest.fixture
def client_app(base_url: str) -> ClientApp:
    client_id, client_secret = Mastodon.create_app(
        "Storefeed client tests",
        scopes=SCOPES,
        redirect_uris=[OOB, CALLBACK],
        website="http://127.0.0.1/",
        api_base_url=base_url,
    )
    return ClientApp(base_url, client_id, client_secret)


@pytest.fixture
def masto_for(client_app: ClientApp):
    """masto_for(user, scopes=[...]) -> a Mastodon.py client signed in as `user` (password grant)."""

    def make(user: Any, scopes: list[str] = SCOPES) -> Mastodon:
        return client_app.log_in(user.username, scopes=scopes)

    return make


# Images ----------------------------------------------------------------------------------


def png_bytes(
    color: tuple[int, int, int] = (220, 40, 90), size: tuple[int, int] = (96, 64)
) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def png_file(tmp_path: Path):
    """png_file(name, color) -> the path of a small PNG written under tmp_path."""

    def make(name: str = "photo.png", color: tuple[int, int, int] = (220, 40, 90)) -> Path:
        path = tmp_path / name
        path.write_bytes(png_bytes(color))
        return path

    return make


# The web sign-in and the consent page, over real HTTP -------------------------------------


class _Forms(HTMLParser):
    """The <form>s of a page: action, method and their <input>/<button> name=value pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {"action": a.get("action", ""), "testid": a.get("data-testid", ""), "fields": {}}
            )
        elif (
            tag in ("input", "textarea")
            and self.forms
            and a.get("name")
            and (a.get("type") not in ("submit", "checkbox") or "checked" in a)
        ):
            self.forms[-1]["fields"][a["name"]] = a.get("value", "")


def page_forms(html: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def page_form(response: requests.Response, testid: str) -> dict[str, Any]:
    for form in page_forms(response.text):
        if form["testid"] == testid:
            return form
    raise AssertionError(f"no form {testid!r} on {response.url}: {response.text[:500]}")


class Browser:
    """A requests session that signs in through the web form at /login, as a person would."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        _open_sessions.append(self.session)

    def sign_in(
        self, login: str, password: str = PASSWORD, next_url: str = "/"
    ) -> requests.Response:
        """Sign in and follow the redirect to `next_url` (a path); returns the final page."""
        page = self.session.get(f"{self.base_url}/login", params={"next": next_url}, timeout=30)
        form = page_form(page, "login-form")
        fields = {**form["fields"], "username": login, "password": password}
        return self.session.post(urljoin(page.url, form["action"]), data=fields, timeout=30)

    def consent(self, page: requests.Response, *, allow: bool = True) -> requests.Response:
        """Answer the consent page; the answer (a redirect or the code page) is not followed."""
        form = page_form(page, "oauth-form")
        fields = dict(form["fields"])
        if allow:
            fields["allow"] = "on"
        return self.session.post(
            urljoin(page.url, form["action"]), data=fields, allow_redirects=False, timeout=30
        )


@pytest.fixture
def browser(base_url: str) -> Browser:
    return Browser(base_url)


def shown_code(page: requests.Response) -> str:
    """The code on the out-of-band page (the readonly input marked oauth-code)."""
    match = re.search(r'<input[^>]*value="([^"]+)"[^>]*data-testid="oauth-code"', page.text)
    assert match, page.text[:800]
    return match.group(1)


def redirect_query(response: requests.Response) -> dict[str, list[str]]:
    assert response.status_code == 302, (response.status_code, response.text[:500])
    return parse_qs(urlsplit(response.headers["Location"]).query)


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


class PkceSession(requests.Session):
    """Mastodon.py's log_in(code=...) knows nothing of PKCE; this session adds the verifier to
    the authorization-code token request it sends, as a PKCE-aware client would."""

    code_verifier: str | None = None

    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        data = kwargs.get("data")
        if (
            self.code_verifier
            and str(url).endswith("/oauth/token")
            and isinstance(data, dict)
            and data.get("grant_type") == "authorization_code"
        ):
            kwargs["data"] = {**data, "code_verifier": self.code_verifier}
        return super().request(method, url, *args, **kwargs)
