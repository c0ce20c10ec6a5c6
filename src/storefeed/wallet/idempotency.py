"""Idempotency keys for money-moving requests, usable by the API layer and by orders.

    with idempotent(key=key, account=user, scope="topup", fingerprint=fingerprint_of(body)) as slot:
        if slot.replayed:
            return JsonResponse(slot.body, status=slot.status_code)
        topup = topup_create(account=user, amount=body["amount"])
        slot.store(201, render(topup))

- The first request inserts a "running" row in its own committed transaction, so a second
  request with the key while the first works sees it and is refused (IdempotencyInProgress,
  409) instead of waiting on a row lock.
- `slot.store(status, body)` records the response; every later request with the same key and
  the same fingerprint gets it back (`slot.replayed`) and moves nothing.
- The same key with another fingerprint is refused (IdempotencyKeyReused, 422).
- A refusal (any DomainError) raised inside the block releases the key: nothing moved, and
  the client may retry with it (after a top-up, say). To have a refusal replayed instead,
  `store()` it before raising. Any other exception marks the key failed (409 on reuse):
  the outcome is unknown, so the client must look before trying again with a new key.
- A process that dies inside the block leaves the key "running" only for its lease
  (STOREFEED_IDEMPOTENCY_LEASE, 60 s). The service that moves the money calls
  `bind_outcome("topup:<id>")` in the transaction that moves it, so the key names what was
  made exactly when it was made. A retry after the lease then replays that outcome (the
  caller's `recover(outcome)` renders it), or, if nothing was committed, takes the key over
  with a new lease token and runs the work once. The old request, if it was only slow, is
  fenced out: its `bind_outcome` finds another token and raises IdempotencyLeaseLost inside
  its transaction, which rolls back. So a payment is never made twice.
- Keys are per (account, scope) and live 24 hours.

A service whose work is one transaction can instead claim the key *inside* it
(`Idempotency.claim`, then `keep`): the claim, the work and the stored response commit
together, in one commit and with no crash window (a request that dies leaves nothing, so
its key is free). A second request with the key waits on the first one's unique-index entry
for the few milliseconds until it commits, then gets its answer replayed (or, if the first
was refused and rolled back, does the work itself).
"""

import contextvars
import datetime as dt
import json
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.core import sql
from storefeed.core.errors import DomainError, ValidationFailed
from storefeed.wallet.errors import (
    IdempotencyInProgress,
    IdempotencyKeyFailed,
    IdempotencyKeyReused,
    IdempotencyLeaseLost,
)
from storefeed.wallet.models import IdempotencyKey, IdempotencyState

KEY_LIFETIME = dt.timedelta(hours=24)
KEY_MAX_LENGTH = 255


def fingerprint_of(value: Any) -> str:
    """A stable, keyed SHA-256 HMAC of a request body: raw bytes as they are, anything else as
    canonical JSON (sorted keys), so {"a": 1, "b": 2} and {"b": 2, "a": 1} match. Keyed with
    the site's secret because a body may hold a PIN: a plain hash of a 6-digit PIN is undone
    by trying all million of them."""
    if isinstance(value, bytes | bytearray):
        data = bytes(value)
    else:
        data = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).encode()
    return salted_hmac("storefeed.wallet.idempotency", data, algorithm="sha256").hexdigest()


# What `recover` gets: the outcome a dead request bound; what it gives: (status, body).
Recover = Callable[[str], tuple[int, Any]]


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.IDEMPOTENCY_LEASE_SECONDS)


@dataclass
class IdempotencySlot:
    record_id: int
    replayed: bool
    status_code: int | None = None
    body: Any = None
    stored: bool = field(default=False)
    lease_token: str = ""

    def store(self, status_code: int, body: Any) -> None:
        """Record the response of the first request (status code and JSON body)."""
        statement = self.store_statement(status_code, body)
        self.stored = False  # until the row says so
        sql.execute(*statement)
        self.stored = True

    def store_statement(self, status_code: int, body: Any) -> sql.Statement:
        """`store()` as a statement for the caller to run (in a `sql.batch` of its own)."""
        if self.replayed:
            raise RuntimeError("a replayed request has its response already")
        self.status_code, self.body, self.stored = status_code, body, True
        return sql.update_statement(
            IdempotencyKey,
            {
                "state": IdempotencyState.DONE,
                "status_code": status_code,
                "response": body,
                "finished_at": timezone.now(),
            },
            {
                "id": self.record_id,
                "state": IdempotencyState.RUNNING,
                **({"lease_token": self.lease_token} if self.lease_token else {}),
            },
        )


# The slot of the `idempotent()` block running in this thread (or task), for bind_outcome.
_running: contextvars.ContextVar[IdempotencySlot | None] = contextvars.ContextVar(
    "storefeed_idempotency_running", default=None
)


def bind_outcome(outcome: str) -> None:
    """Record, inside the transaction that moves the money, what this request made
    ("topup:<id>"), so a retry after a crash replays it instead of doing it again. Raises
    IdempotencyLeaseLost (rolling the caller's transaction back) if a retry has taken the key
    over. Does nothing outside an `idempotent()` block."""
    slot = _running.get()
    if slot is None or slot.replayed:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("bind_outcome() runs inside the transaction that moves the money")
    bound = IdempotencyKey.objects.filter(
        pk=slot.record_id, state=IdempotencyState.RUNNING, lease_token=slot.lease_token
    ).update(outcome=outcome[:80])
    if not bound:
        raise IdempotencyLeaseLost(
            _("This request took too long and was retried; the retry answers it."),
            field="idempotency_key",
        )


def _clean_key(key: object) -> str:
    if not isinstance(key, str) or not key.strip():
        raise ValidationFailed(_("The Idempotency-Key is empty."), field="idempotency_key")
    key = key.strip()
    if len(key) > KEY_MAX_LENGTH or not key.isprintable():
        raise ValidationFailed(
            _("The Idempotency-Key must be at most %(max)d printable characters.")
            % {"max": KEY_MAX_LENGTH},
            field="idempotency_key",
        )
    return key


def _claim(
    *, key: str, account: User, scope: str, fingerprint: str, recover: Recover | None
) -> IdempotencySlot:
    now = timezone.now()
    token = secrets.token_hex(16)

    def create() -> IdempotencySlot:
        record = IdempotencyKey.objects.create(
            account=account,
            scope=scope,
            key=key,
            fingerprint=fingerprint,
            lease_token=token,
            leased_until=now + lease(),
        )
        return IdempotencySlot(record_id=record.pk, replayed=False, lease_token=token)

    with transaction.atomic(durable=True):
        try:
            with transaction.atomic():
                return create()
        except IntegrityError:
            pass
        existing = IdempotencyKey.objects.select_for_update().get(
            account=account, scope=scope, key=key
        )
        if existing.created_at < now - KEY_LIFETIME:
            # An expired key is free again: the old row makes way for this request.
            existing.delete()
            return create()
        if (
            existing.state == IdempotencyState.RUNNING
            and existing.fingerprint == fingerprint
            # (a row from before leases: its lease counts from its start)
            and (existing.leased_until or existing.created_at + lease()) < now
        ):
            return _after_lease(existing, token=token, now=now, recover=recover)
        return _replay(existing, fingerprint)


def _after_lease(
    existing: IdempotencyKey, *, token: str, now: dt.datetime, recover: Recover | None
) -> IdempotencySlot:
    """A running key whose request outlived its lease (it died, or hangs); the row is
    locked. What it committed is replayed; if it committed nothing, this request takes the
    key over (a new token fences the old request out) and does the work."""
    if existing.outcome:
        if recover is None:
            raise IdempotencyKeyFailed(
                _(
                    "The request with this Idempotency-Key failed unexpectedly; check the "
                    "result and retry with a new key."
                ),
                field="idempotency_key",
            )
        status, body = recover(existing.outcome)
        existing.state = IdempotencyState.DONE
        existing.status_code, existing.response, existing.finished_at = status, body, now
        existing.save(update_fields=["state", "status_code", "response", "finished_at"])
        return IdempotencySlot(record_id=existing.pk, replayed=True, status_code=status, body=body)
    existing.lease_token, existing.leased_until = token, now + lease()
    existing.save(update_fields=["lease_token", "leased_until"])
    return IdempotencySlot(record_id=existing.pk, replayed=False, lease_token=token)


def _replay(existing: IdempotencyKey, fingerprint: str) -> IdempotencySlot:
    """The answer to a request whose key is taken by a live row: its response, or why not."""
    if existing.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            _("This Idempotency-Key was used for a different request."),
            field="idempotency_key",
        )
    if existing.state == IdempotencyState.RUNNING:
        raise IdempotencyInProgress(
            _("A request with this Idempotency-Key is still being processed."),
            field="idempotency_key",
        )
    if existing.state == IdempotencyState.FAILED:
        raise IdempotencyKeyFailed(
            _(
                "The request with this Idempotency-Key failed unexpectedly; check the "
                "result and retry with a new key."
            ),
            field="idempotency_key",
        )
    return IdempotencySlot(
        record_id=existing.pk,
        replayed=True,
        status_code=existing.status_code,
        body=existing.response,
    )


@contextmanager
def idempotent(
    *, key: str, account: User, scope: str, fingerprint: str, recover: Recover | None = None
) -> Iterator[IdempotencySlot]:
    """Run a money-moving request at most once per key; see the module's docstring. Call it
    outside any transaction (its "running" row must commit before the work starts).
    `recover(outcome)` renders what a request that died after moving the money had bound."""
    slot = _claim(
        key=_clean_key(key),
        account=account,
        scope=scope,
        fingerprint=fingerprint,
        recover=recover,
    )
    if slot.replayed:
        yield slot
        return
    running = _running.set(slot)
    try:
        yield slot
    except DomainError:
        if not slot.stored:
            _mine(slot).delete()
        raise
    except BaseException:
        if not slot.stored:
            _mark_failed(slot)
        raise
    finally:
        _running.reset(running)
    if not slot.stored:
        _mark_failed(slot)
        raise RuntimeError("store() the response before leaving an idempotent() block")


def _mine(slot: IdempotencySlot) -> Any:
    """The slot's row while it is still running under this request's lease (not a retry's
    that took it over)."""
    return IdempotencyKey.objects.filter(
        pk=slot.record_id, state=IdempotencyState.RUNNING, lease_token=slot.lease_token
    )


def _mark_failed(slot: IdempotencySlot) -> None:
    _mine(slot).update(state=IdempotencyState.FAILED, finished_at=timezone.now())


def idempotency_keys_purge(*, older_than: dt.timedelta = KEY_LIFETIME) -> int:
    """Delete keys past their lifetime (a periodic task may call this)."""
    with transaction.atomic(durable=True):
        deleted, _rows = IdempotencyKey.objects.filter(
            created_at__lt=timezone.now() - max(older_than, KEY_LIFETIME)
        ).delete()
        return deleted


def _insert_unless_taken(*, key: str, account: User, scope: str, fingerprint: str) -> int | None:
    """INSERT the running row, or nothing if the key is taken (ON CONFLICT DO NOTHING: on
    PostgreSQL this waits for an uncommitted holder of the key to commit or roll back); its
    id, or None. One statement and no savepoint, so it can run inside a transaction."""
    table = connection.ops.quote_name(IdempotencyKey._meta.db_table)
    created = IdempotencyKey._meta.get_field("created_at").get_db_prep_value(
        timezone.now(), connection
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (account_id, scope, {connection.ops.quote_name('key')}, "  # noqa: S608
            "fingerprint, state, created_at) VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT DO NOTHING RETURNING id",
            [account.pk, scope, key, fingerprint, IdempotencyState.RUNNING, created],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


@dataclass
class Idempotency:
    """An Idempotency-Key that a service claims inside its own transaction (see the module's
    docstring). `respond(result)` gives the (status, JSON body) to keep for replays; the
    default keeps `{"ok": true}`. After the service returns, `slot` says whether it was a
    replay and holds the response."""

    key: str
    scope: str
    fingerprint: str
    respond: Callable[[Any], tuple[int, Any]] | None = None
    slot: IdempotencySlot | None = None

    def claim(self, *, account: User) -> IdempotencySlot:
        """Take the key in the caller's transaction, or find the answer already given
        (`slot.replayed`). Refusals as for `idempotent()`."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("Idempotency.claim() runs inside the service's transaction")
        key = _clean_key(self.key)

        def insert() -> int | None:
            return _insert_unless_taken(
                key=key, account=account, scope=self.scope, fingerprint=self.fingerprint
            )

        record_id = insert()
        if record_id is None:
            existing = IdempotencyKey.objects.select_for_update().get(
                account=account, scope=self.scope, key=key
            )
            if existing.created_at < timezone.now() - KEY_LIFETIME:
                existing.delete()
                record_id = insert()
                if record_id is None:  # taken again meanwhile: the newer request answers
                    raise IdempotencyInProgress(
                        _("A request with this Idempotency-Key is still being processed."),
                        field="idempotency_key",
                    )
            else:
                self.slot = _replay(existing, self.fingerprint)
                return self.slot
        self.slot = IdempotencySlot(record_id=record_id, replayed=False)
        return self.slot

    def keep(self, result: Any) -> None:
        """Store the response to `result` in the same transaction as the work."""
        sql.execute(*self.keep_statement(result))

    def keep_statement(self, result: Any) -> sql.Statement:
        """`keep()` as a statement for the service to run with its others (`sql.batch`)."""
        if self.slot is None or self.slot.replayed:
            raise RuntimeError("keep() follows a claim() that was not a replay")
        status, body = self.respond(result) if self.respond else (200, {"ok": True})
        return self.slot.store_statement(status, body)

    def release(self) -> None:
        """Give the key back (a refusal that still commits something, like a counted PIN)."""
        if self.slot is not None and not self.slot.replayed:
            IdempotencyKey.objects.filter(pk=self.slot.record_id).delete()
            self.slot = None
