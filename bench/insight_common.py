"""Shared set-up of the insight benchmarks: Django on a fresh SQLite database in a temporary
directory (or STOREFEED_DATABASE_URL's), and a seller with product posts followed by a reader.
"""

import os
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

from timeline_store import loopback  # noqa: F401 (re-exported: only loopback addresses)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefeed.config.settings")
os.environ.setdefault("STOREFEED_TASKS", "immediate")  # fan-out inline: the homes are full
os.environ.setdefault("STOREFEED_STATIC_MANIFEST", "0")  # pages render without collectstatic
os.environ.setdefault("STOREFEED_API_RATE_LIMIT", "10000000")  # one reader, many reads
os.environ.setdefault("STOREFEED_ALLOWED_HOSTS", "testserver")  # Django's test client
if not os.environ.get("STOREFEED_DATABASE_URL"):
    os.environ["STOREFEED_VAR_DIR"] = tempfile.mkdtemp(prefix="storefeed-bench-")

BROWSER = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126 Mobile Safari/537.36"


def setup_django(redis_url: str = "") -> None:
    if redis_url:
        os.environ["STOREFEED_REDIS_URL"] = redis_url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seller_with_posts(posts: int, products_per_post: int = 3) -> tuple[Any, list[int], list[int]]:
    """A new active seller (a random name) with `posts` product posts; (seller, post ids,
    product ids)."""
    from storefeed.accounts.models import User
    from storefeed.catalog import services as catalog
    from storefeed.sellers import services as sellers

    tag = secrets.token_hex(3)
    staff = User.objects.create_user(username=f"b{tag}staff", password=None, is_staff=True)
    seller = User.objects.create_user(username=f"b{tag}shop", password=None)
    User.objects.filter(pk=seller.pk).update(followers_count=1000)
    seller.refresh_from_db()
    submitted = sellers.seller_application_submit(
        account=seller,
        shop_name=f"Bench shop {tag}",
        field="food",
        sells="Tea.",
        contact_phone="138 0013 8000",
        real_name="Li Ai",
        id_number="11010519491231002x",
        agreed=True,
    )
    sellers.seller_application_approve(application_id=submitted.pk, by=staff)
    products = [
        catalog.product_create(account=seller, title=f"Tea {n}", price="88.00", stock=1000).pk
        for n in range(max(products_per_post, 9))
    ]
    post_ids = []
    for n in range(posts):
        chosen = [products[(n + k) % len(products)] for k in range(products_per_post)]
        post_ids.append(
            catalog.product_post_create(account=seller, text=f"Post {n}", product_ids=chosen).pk
        )
    return seller, post_ids, products


def reader_clients(seller: Any) -> tuple[Any, Any, Any]:
    """A new reader who follows `seller`, with a signed-in browser and an API client holding a
    read token: (reader, web client, API client)."""
    import datetime as dt

    from django.test import Client
    from django.utils import timezone
    from oauth2_provider.models import AccessToken, Application

    from storefeed.accounts.models import User
    from storefeed.social.services import follow_create

    reader = User.objects.create_user(username=f"reader{seller.pk % 100000}", password=None)
    follow_create(follower=reader, target=seller)
    web = Client(HTTP_USER_AGENT=BROWSER)
    web.force_login(reader)
    app = Application.objects.create(
        name="bench",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="urn:ietf:wg:oauth:2.0:oob",
    )
    token = AccessToken.objects.create(
        user=reader,
        application=app,
        token=f"bench-{seller.pk}",
        scope="read",
        expires=timezone.now() + dt.timedelta(days=1),
    )
    api = Client(HTTP_USER_AGENT=BROWSER, HTTP_AUTHORIZATION=f"Bearer {token.token}")
    return reader, web, api
