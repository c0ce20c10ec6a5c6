"""Starting the streaming process (uvicorn serving storefeed.streaming.asgi, as `storefeed
serve` starts it) alone, on the test database, for tests that drive it from this process:
the browser test (Django's live server serves the pages) and the Redis path."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.serving import free_port, stop


@contextmanager
def streaming_process(
    database_url: str, secret_key: str, var: Path, redis_url: str = ""
) -> Iterator[str]:
    """Yields the process's root, http://127.0.0.1:<port>, once /health answers."""
    port = free_port()
    log = (var / "streaming.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "storefeed.streaming.asgi:application",
         "--host", "127.0.0.1", "--port", str(port), "--lifespan", "on", "--no-access-log"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "storefeed.config.settings",
            "STOREFEED_DATABASE_URL": database_url,
            "STOREFEED_SECRET_KEY": secret_key,
            "STOREFEED_VAR_DIR": str(var),
            "STOREFEED_REDIS_URL": redis_url,
            "STOREFEED_STREAMING_PORT": str(port),
            "STOREFEED_STREAMING_POLL": "0.05",
        },
        stdout=log,
        stderr=subprocess.STDOUT,
        process_group=0,
    )  # fmt: skip
    root = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{root}/api/v1/streaming/health", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((var / "streaming.log").read_text())
            time.sleep(0.1)
        yield root
    finally:
        stop(process)
        log.close()


def make_shop(stock: int = 3):
    """Staff, an active seller "teashop" with a product (`stock` left) and a post carrying it
    (also on a flushed database, where the migrations' expert fields are gone)."""
    from storefeed.accounts.models import ExpertField
    from storefeed.catalog import services as catalog
    from tests.conftest import make_user
    from tests.sellers.conftest import make_seller

    ExpertField.objects.get_or_create(
        slug="food", defaults={"name_en": "Food", "name_zh": "美食", "position": 1}
    )
    staff = make_user("staffer", is_staff=True)
    seller = make_seller("teashop", staff)
    product = catalog.product_create(account=seller, title="Oolong tea", price="88.00", stock=stock)
    post = catalog.product_post_create(
        account=seller, text="Spring oolong, three tins left", product_ids=[product.pk]
    )
    return staff, seller, product, post
