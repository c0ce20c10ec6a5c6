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
"""

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
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
        if self.replayed:
            raise RuntimeError("a replayed request has its response already")
        IdempotencyKey.objects.filter(pk=self.record_id, state=IdempotencyState.RUNNING).update(
            state=IdempotencyState.DONE,
            status_code=status_code,
            response=body,
            finished_at=timezone.now(),
        )
        self.status_code, self.body, self.stored = status_code, body, True


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
