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
- Keys are per (account, scope) and live 24 hours.

A service whose work is one transaction can instead claim the key *inside* it
(`Idempotency.claim`, then `keep`): the claim, the work and the stored response commit
together, in one commit and with no crash window (a request that dies leaves nothing, so
its key is free). A second request with the key waits on the first one's unique-index entry
for the few milliseconds until it commits, then gets its answer replayed (or, if the first
was refused and rolled back, does the work itself).
"""

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

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


@dataclass
class IdempotencySlot:
    record_id: int
    replayed: bool
    status_code: int | None = None
    body: Any = None
    stored: bool = field(default=False)

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
            {"id": self.record_id, "state": IdempotencyState.RUNNING},
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


def _claim(*, key: str, account: User, scope: str, fingerprint: str) -> IdempotencySlot:
    with transaction.atomic(durable=True):
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    account=account, scope=scope, key=key, fingerprint=fingerprint
                )
            return IdempotencySlot(record_id=record.pk, replayed=False)
        except IntegrityError:
            pass
        existing = IdempotencyKey.objects.select_for_update().get(
            account=account, scope=scope, key=key
        )
        if existing.created_at < timezone.now() - KEY_LIFETIME:
            # An expired key is free again: the old row makes way for this request.
            existing.delete()
            record = IdempotencyKey.objects.create(
                account=account, scope=scope, key=key, fingerprint=fingerprint
            )
            return IdempotencySlot(record_id=record.pk, replayed=False)
        return _replay(existing, fingerprint)


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
    *, key: str, account: User, scope: str, fingerprint: str
) -> Iterator[IdempotencySlot]:
    """Run a money-moving request at most once per key; see the module's docstring. Call it
    outside any transaction (its "running" row must commit before the work starts)."""
    slot = _claim(key=_clean_key(key), account=account, scope=scope, fingerprint=fingerprint)
    if slot.replayed:
        yield slot
        return
    try:
        yield slot
    except DomainError:
        if not slot.stored:
            IdempotencyKey.objects.filter(
                pk=slot.record_id, state=IdempotencyState.RUNNING
            ).delete()
        raise
    except BaseException:
        if not slot.stored:
            _mark_failed(slot.record_id)
        raise
    if not slot.stored:
        _mark_failed(slot.record_id)
        raise RuntimeError("store() the response before leaving an idempotent() block")


def _mark_failed(record_id: int) -> None:
    IdempotencyKey.objects.filter(pk=record_id, state=IdempotencyState.RUNNING).update(
        state=IdempotencyState.FAILED, finished_at=timezone.now()
    )


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
