"""Idempotency keys with a lease: a key left "running" by a request that died is free for a
retry after STOREFEED_IDEMPOTENCY_LEASE seconds; the retry replays what the dead request
committed, or does the work once; a request that was only slow is fenced out. Never a double
payment. A real killed process on PostgreSQL, and retries racing for an abandoned key."""

import datetime as dt
import os
import subprocess
import sys
import threading
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from storefeed.core.money import format_amount
from storefeed.wallet.errors import IdempotencyInProgress, IdempotencyLeaseLost
from storefeed.wallet.idempotency import _claim, _running, fingerprint_of, idempotent
from storefeed.wallet.models import IdempotencyKey, TopUp
from storefeed.wallet.selectors import wallet_balance
from storefeed.wallet.services import topup_create
from tests.clients.conftest import database_url

BODY = {"amount": "50.00"}
LATER = dt.timedelta(seconds=61)


def render(topup: TopUp) -> dict[str, Any]:
    return {"id": str(topup.pk), "amount": format_amount(topup.amount), "state": topup.state}


def topup_view(user, key: str) -> tuple[int, Any]:
    """What the API's top-up endpoint does (api/shop/common.money_moving)."""

    def recover(outcome: str) -> tuple[int, Any]:
        return 201, render(TopUp.objects.get(pk=outcome.removeprefix("topup:")))

    with idempotent(
        key=key, account=user, scope="topup", fingerprint=fingerprint_of(BODY), recover=recover
    ) as slot:
        if slot.replayed:
            return slot.status_code, slot.body
        made = topup_create(account=user, amount=BODY["amount"])
        slot.store(201, render(made))
        return 201, render(made)


def claim(user, key: str):
    """A request's claim of the key, as `idempotent()` takes it."""
    return _claim(
        key=key, account=user, scope="topup", fingerprint=fingerprint_of(BODY), recover=None
    )


def work_under(slot, user) -> TopUp:
    """The request's work, under its claim (what runs inside the `idempotent()` block)."""
    running = _running.set(slot)
    try:
        return topup_create(account=user, amount=BODY["amount"])
    finally:
        _running.reset(running)


@pytest.mark.django_db
def test_a_request_that_died_after_paying_is_replayed_after_the_lease(alice):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        made = work_under(claim(alice, "k"), alice)  # ... and the process dies: no answer kept
        assert IdempotencyKey.objects.get().outcome == f"topup:{made.pk}"
        with pytest.raises(IdempotencyInProgress):
            topup_view(alice, "k")  # within the lease: still running
        clock.shift(LATER)
        status, body = topup_view(alice, "k")
    assert (status, body["id"]) == (201, str(made.pk))
    assert TopUp.objects.count() == 1
    assert wallet_balance(account=alice) == 5_000
    assert topup_view(alice, "k") == (status, body)  # and from then on, as any replay
    assert IdempotencyKey.objects.get().state == "done"


@pytest.mark.django_db
def test_a_request_that_died_before_paying_is_run_once_after_the_lease(alice):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        claim(alice, "k")  # ... and the process dies before its work commits
        clock.shift(LATER)
        status, body = topup_view(alice, "k")
        again = topup_view(alice, "k")
    assert status == 201 and again == (status, body)
    assert TopUp.objects.count() == 1
    assert wallet_balance(account=alice) == 5_000


@pytest.mark.django_db
def test_a_slow_request_overtaken_by_a_retry_moves_nothing(alice):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        slow = claim(alice, "k")
        clock.shift(LATER)
        status, _body = topup_view(alice, "k")  # the retry takes the key over and pays
        assert status == 201
        with pytest.raises(IdempotencyLeaseLost):
            work_under(slow, alice)  # the slow request wakes up: refused, rolled back
    assert TopUp.objects.count() == 1
    assert wallet_balance(account=alice) == 5_000


@pytest.mark.django_db
def test_the_lease_is_a_setting(alice, settings):
    settings.IDEMPOTENCY_LEASE_SECONDS = 600
    with time_machine.travel(timezone.now(), tick=False) as clock:
        claim(alice, "k")
        clock.shift(LATER)
        with pytest.raises(IdempotencyInProgress):
            topup_view(alice, "k")
        clock.shift(dt.timedelta(seconds=600))
        assert topup_view(alice, "k")[0] == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_retries_racing_for_an_abandoned_key_pay_once(alice):
    claim(alice, "k")  # a request that died before paying
    answers: list[Any] = []
    start = threading.Barrier(6)

    def retry() -> None:
        start.wait()
        try:
            answers.append(topup_view(alice, "k"))
        except IdempotencyInProgress:
            answers.append("in progress")
        finally:
            connection.close()

    with time_machine.travel(timezone.now() + LATER):
        threads = [threading.Thread(target=retry) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    paid = [a for a in answers if a != "in progress"]
    assert paid and all(a == paid[0] for a in paid), answers
    assert TopUp.objects.count() == 1
    assert wallet_balance(account=alice) == 5_000


KILLED_MIDWAY = """
import os, signal
from storefeed.accounts.models import User
from storefeed.wallet.idempotency import _claim, _running, fingerprint_of
from storefeed.wallet.services import topup_create
alice = User.objects.get(username="alice")
slot = _claim(key="k", account=alice, scope="topup", fingerprint=fingerprint_of({BODY!r}),
              recover=None)
_running.set(slot)
topup_create(account=alice, amount="50.00")
os.kill(os.getpid(), signal.SIGKILL)  # killed before the answer is kept
"""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_request_killed_midway_is_replayed_after_the_lease(alice, tmp_path, settings):
    killed = subprocess.run(
        [sys.executable, "-m", "storefeed", "shell", "-c", KILLED_MIDWAY.format(BODY=BODY)],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "storefeed.config.settings",
            "STOREFEED_DATABASE_URL": database_url(connection.settings_dict),
            "STOREFEED_VAR_DIR": str(tmp_path),
            "STOREFEED_SECRET_KEY": settings.SECRET_KEY,  # the same keyed fingerprints
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -9, killed.stderr
    record = IdempotencyKey.objects.get()
    assert record.state == "running" and record.outcome.startswith("topup:")
    with pytest.raises(IdempotencyInProgress):
        topup_view(alice, "k")
    with time_machine.travel(timezone.now() + LATER):
        status, body = topup_view(alice, "k")
    assert (status, f"topup:{body['id']}") == (201, record.outcome)
    assert TopUp.objects.count() == 1
    assert wallet_balance(account=alice) == 5_000
