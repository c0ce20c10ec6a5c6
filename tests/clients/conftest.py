"""Fixtures for driving the Mastodon API through the real client libraries (Mastodon.py, toot)
against `storefeed serve`, the server `make run` starts: gunicorn with the production settings,
the background worker and the periodic scheduler, as separate processes. One server runs for
this package's tests, on the test database itself, so that tests can set up accounts and
check rows through the ORM; each test runs on a transactional database flushed afterwards.

What the worker does (fan-out to home and list timelines, ...) happens in the background, as on
a real site: `settle()` waits until the queue holds nothing due, and after every test the
fixtures check that no background task failed.

Every socket this process opens must go to a loopback address: the `loopback_only` guard turns
any other connection into an error, so a URL a library got from the server and followed can
never reach the outside world unnoticed.
"""

import base64
import functools
import hashlib
import io
import ipaddress
import re
import secrets
import socket
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urljoin, urlsplit

import pytest
import requests
from mastodon import Mastodon
from PIL import Image

from tests.conftest import make_user
from tests.serving import serving

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


def database_url(settings_dict: dict[str, Any]) -> str:
    """A STOREFEED_DATABASE_URL for the database this test run uses (the test database)."""
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(settings_dict['NAME'], safe='')}"


def _vapid_env() -> dict[str, str]:
    from storefeed.api.push import generate_server_key

    key = generate_server_key()
    return {
        "STOREFEED_VAPID_PRIVATE_KEY": key.private_key,
        "STOREFEED_VAPID_PUBLIC_KEY": key.public_key,
    }


@pytest.fixture(scope="package")
def storefeed_server(
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """`storefeed serve` on the test database while this package's tests run (pytest-django
    runs the transactional tests last, in order, so they run together); yields its root URL.

    Only while they run: the server's worker takes any task queued in that database, and
    other packages' tests of the queue expect their own workers to."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    var = tmp_path_factory.mktemp("serve-var")
    env = {
        "STOREFEED_VAR_DIR": str(var),
        "STOREFEED_DATABASE_URL": database_url(connection.settings_dict),
        "STOREFEED_TASKS": "database",
        "WEB_CONCURRENCY": "2",
        # One token and one address (127.0.0.1) serve every test here; the limit itself is
        # tested in tests/api/test_rate_limit.py.
        "STOREFEED_API_RATE_LIMIT": "1000000",
        # Web Push goes to a push service the tests run on loopback (tests/push_service.py).
        "STOREFEED_PUSH_ALLOW_PRIVATE": "1",
        # One VAPID key for the whole run: the key generated on first use lives in a table
        # that each test's flush empties, while the server's processes remember its public half.
        **_vapid_env(),
    }
    with serving(env, "--worker-interval", "0.05", log=var / "serve.log") as (_process, url):
        yield url
    with django_db_blocker.unblock():
        # The scheduler may have queued a periodic sweep after the last test's flush.
        DBTaskResult.objects.all().delete()


def settle(timeout: float = 30) -> None:
    """Wait until the background worker has run every task that is due."""
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + timeout
    while DBTaskResult.objects.ready().exists() or DBTaskResult.objects.running().exists():
        if time.monotonic() > deadline:
            stuck = list(DBTaskResult.objects.values_list("task_path", "status"))
            raise AssertionError(f"the worker did not finish in {timeout}s: {stuck}")
        time.sleep(0.02)


@pytest.fixture
def base_url(storefeed_server: str, transactional_db: None) -> Iterator[str]:
    """The server's root, e.g. http://127.0.0.1:41234 (no trailing slash).

    Afterwards (before the database is flushed): let the worker finish, and fail the test if
    a background task failed."""
    yield storefeed_server
    from django_tasks_db.models import DBTaskResult

    settle()
    failed = list(DBTaskResult.objects.failed().values_list("task_path", "traceback"))
    assert not failed, f"background tasks failed: {failed}"


def _signs_in_on_the_server(user: Any) -> Any:
    """Give a user made by the tests' fixtures (MD5 hashes, for speed) a password hash that
    the server's production settings accept."""
    user.password = _production_hash()
    user.save(update_fields=["password"])
    return user


@functools.cache
def _production_hash() -> str:
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hasher = PBKDF2PasswordHasher()
    return hasher.encode(PASSWORD, hasher.salt())


@pytest.fixture
def alice(base_url: str) -> Any:
    return _signs_in_on_the_server(make_user("alice", display_name="Alice"))


@pytest.fixture
def bob(base_url: str) -> Any:
    return _signs_in_on_the_server(make_user("bob", display_name="Bob"))


@pytest.fixture
def carol(base_url: str) -> Any:
    return _signs_in_on_the_server(make_user("carol", display_name="Carol"))


_open_sessions: list[requests.Session] = []


@pytest.fixture(autouse=True)
def close_client_sessions() -> Iterator[None]:
    """Close every client's keep-alive connections after the test: the server holds a
    thread for each one left open."""
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
    """masto_for(user, scopes=[...]) -> a Mastodon.py client holding a token for `user`.

    The token is issued by the API's own service, as the password grant would issue it: the
    sign-in flows have tests of their own (test_mastodonpy_auth.py), and a real password check
    costs the server most of a CPU-second each time."""
    from oauth2_provider.models import Application

    from storefeed.api.services import access_token_issue

    def make(user: Any, scopes: list[str] = SCOPES) -> Mastodon:
        application = Application.objects.get(client_id=client_app.client_id)
        token = access_token_issue(application=application, account=user, scopes=scopes)
        return client_app.client(access_token=token)

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
