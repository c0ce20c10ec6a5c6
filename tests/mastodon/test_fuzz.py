"""Property-based fuzzing of the Mastodon API Storefeed serves (hypothesis): requests to every
route and method of the URL map, with real ids and hostile ones in the path (Unicode digits,
2^63 and beyond, text), and parameters as Mastodon clients send them (query string, form,
multipart or JSON) with hostile values (lone surrogates, NUL, huge numbers, deep nesting,
wrong types). No answer may be a 5xx, and every answer under /api/ is JSON.

Bounded for CI: STOREFEED_FUZZ_EXAMPLES x 50 requests (600 by default, about 20 s per database
pass on the CI machine). The totals are printed."""

import json
import os
import re
import time
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from storefeed.api.mastodon.urls import urlpatterns
from storefeed.posts import services as posts
from tests.mastodon.conftest import Api
from tests.posts.conftest import image_file

EXAMPLES = int(os.environ.get("STOREFEED_FUZZ_EXAMPLES", "12")) * 50
OAUTH_ROUTES = [
    ("oauth/token", ("POST",)),
    ("oauth/revoke", ("POST",)),
    ("oauth/authorize", ("GET",)),
]


def _routes() -> list[tuple[str, tuple[str, ...]]]:
    """(regex of the path, methods) of every Mastodon endpoint, and the OAuth ones."""
    found = []
    for pattern in urlpatterns:
        methods = getattr(pattern.callback, "methods", None)
        if methods:
            found.append((str(pattern.pattern), tuple(methods)))
    return found + [(f"^{path}/?$", methods) for path, methods in OAUTH_ROUTES]


ROUTES = _routes()
GROUP = re.compile(r"\(\?P<(\w+)>\[\^/\]\+\)")

HOSTILE_TEXT = st.sampled_from(
    ["²", "①", "٣", "３", str(2**63), str(2**64), "9" * 40, "-1", "0", "1e3", "+1", " 1", "",
     "\x00", "a\x00b", "\ud800", "x\udfff", "2027-02-30T10:00:00Z", "2027-02-03T12:99:00Z",
     "true", "null", "[]", "{}", "%00", "../", "é" * 600, "1.5", "NaN"]
)  # fmt: skip
# What an id in a path was mistaken for: digits str.isdigit() takes and int() does not (or
# does), numbers past a 64-bit column, and other near misses.
HOSTILE_IDS = st.sampled_from(
    ["²", "①", "٣", "３", str(2**63), str(2**64), "9" * 40, "-1", "0", "1e3", " 1", "abc", "%00"]
)
SCALARS = st.one_of(
    HOSTILE_TEXT,
    st.text(max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
NAMES = st.sampled_from(
    ["status", "media_ids", "media_ids[]", "poll", "poll[options][]", "poll[expires_in]",
     "scheduled_at", "in_reply_to_id", "quote_id", "visibility", "sensitive", "spoiler_text",
     "language", "limit", "max_id", "min_id", "since_id", "offset", "id", "id[]", "q", "type",
     "acct", "resolve", "following", "display_name", "note", "locked", "bot", "avatar",
     "fields_attributes", "fields_attributes[0][name]", "source[privacy]", "source[note]",
     "choices", "choices[]", "home[last_read_id]", "notifications[last_read_id]", "home",
     "timeline[]", "title", "replies_policy", "exclusive", "account_ids[]", "types[]",
     "exclude_types[]", "focus", "description", "file", "reblogs", "notify", "duration", "name",
     "grant_type", "client_id", "client_secret", "username", "password", "scope", "code",
     "redirect_uri", "token", "code_challenge", "code_challenge_method", "product_ids[]",
     "external_item_ids[]", "email", "agreement", "locale", "reason", "local", "remote",
     "only_media", "any[]", "all[]", "none[]"]
)  # fmt: skip
PARAMS = st.dictionaries(st.one_of(NAMES, st.text(max_size=10)), VALUES, max_size=6)


def _form_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@st.composite
def requests(draw, real_ids: dict[str, list[str]]) -> dict[str, Any]:
    pattern, methods = draw(st.sampled_from(ROUTES))
    # Mostly a method the route takes (the others only meet the 405).
    method = draw(
        st.one_of(
            st.sampled_from(methods),
            st.sampled_from(methods),
            st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]),
        )
    )

    def fill(match: re.Match) -> str:
        name = match.group(1)
        value = draw(st.one_of(st.sampled_from(real_ids.get(name, ["1"])), HOSTILE_IDS))
        return quote(value.encode("utf-8", "surrogatepass"), safe="") or "x"

    path = "/" + GROUP.sub(fill, pattern).strip("^$").removesuffix("/?")
    params = draw(PARAMS)
    encoding = draw(st.sampled_from(["query", "form", "multipart", "json", "raw"]))
    return {
        "method": method,
        "path": path,
        "params": params,
        "encoding": encoding,
        "raw": draw(st.sampled_from(["[" * 5000, "{", "[1]", '"x"', "\ufeff{}", "--x"])),
        "anonymous": draw(st.sampled_from([False, False, False, True])),
    }


def _send(client: Client, request: dict[str, Any]):
    method, path, params = request["method"].lower(), request["path"], request["params"]
    call = getattr(client, method)
    flat = {k: _form_value(v) for k, v in params.items()}
    encoding = request["encoding"]
    if encoding == "query" or method == "get":
        return call(f"{path}?{_urlencode(flat)}")
    if encoding == "json":
        body = json.dumps(params)
        return call(path, body, content_type="application/json")
    if encoding == "raw":
        return call(path, request["raw"], content_type="application/json")
    if encoding == "multipart" and method == "post":
        return call(path, {k: v.encode("utf-8", "surrogatepass") for k, v in flat.items()})
    return call(path, _urlencode(flat), content_type="application/x-www-form-urlencoded")


def _urlencode(data: dict[str, str]) -> str:
    return urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in data.items()})


@pytest.mark.django_db
def test_no_request_to_the_mastodon_api_gets_a_5xx(alice, bob, settings):
    """One generated request after another; the database keeps what they did."""
    settings.API_RATE_LIMIT = 10**9  # one token makes every request
    status = posts.status_create(account=alice, text="fuzz me")
    poll_post = posts.status_create(
        account=bob, text="vote", poll=posts.PollSpec(options=["a", "b"], expires_in=3600)
    )
    media = posts.media_create(account=alice, file=image_file("f.jpg"))
    real_ids = {
        "status_id": [str(status.pk), str(poll_post.pk)],
        "account_id": [str(alice.pk), str(bob.pk)],
        "poll_id": [str(poll_post.poll.pk)],
        "media_id": [str(media.pk)],
    }
    api = Api(alice)
    anonymous = Client()
    totals = {"requests": 0, "5xx": 0}
    failures: list[str] = []
    started = time.monotonic()

    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(request=requests(real_ids))
    def run(request):
        totals["requests"] += 1
        try:
            response = _send(anonymous if request["anonymous"] else api.client, request)
        except Exception as error:  # the test client re-raises what a view raised: a 500
            totals["5xx"] += 1
            failures.append(f"{error!r} {request!r}"[:1500])
            return
        content_type = response.get("Content-Type", "")
        if response.status_code >= 500:
            totals["5xx"] += 1
        if response.status_code >= 500 or (
            request["path"].startswith("/api/") and not content_type.startswith("application/json")
        ):
            failures.append(f"{response.status_code} {request!r}"[:1500])

    try:
        run()
    finally:
        print(
            f"\nMastodon API fuzz: {totals['requests']} requests, {totals['5xx']} 5xx, "
            f"{time.monotonic() - started:.1f} s"
        )
    assert not failures, "\n".join(failures[:20])
