"""Storefeed Pay's tables: the double-entry ledger (accounts, transactions, entries), payment
PINs, top-ups and withdrawals, provider-callback nonces and idempotency keys.

The ledger is append-only. There are no database triggers (they would differ between SQLite
and PostgreSQL); instead, ledger rows can only be inserted through `transfer()`, and the model
and queryset refuse every update and delete made through the ORM (see docs/wallet.md).
"""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from storefeed.core.ids import new_id
from storefeed.core.money import DEFAULT_CURRENCY


class AccountKind(models.TextChoices):
    USER_WALLET = "user_wallet", _("Wallet")
    ESCROW = "escrow", _("Escrow")
    PLATFORM_FEES = "platform_fees", _("Platform fees")
    # Mirrors money in the outside world (banks, payment providers): it may go negative.
    EXTERNAL = "external", _("External")


class TransactionKind(models.TextChoices):
    TOPUP = "topup", _("Top-up")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    WITHDRAWAL_REVERSAL = "withdrawal_reversal", _("Withdrawal returned")
    PAYMENT = "payment", _("Payment")
    RELEASE = "release", _("Payment released")
    REFUND = "refund", _("Refund")
    SELLER_REFUND = "seller_refund", _("Refund from seller")


class LedgerAccount(models.Model):
    """One account of the ledger. `balance` is the sum of the account's entries, kept in the
    row and moved only by `transfer()` with conditional UPDATEs."""

    kind = models.CharField(max_length=20, choices=AccountKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # money history outlives nothing by accident
        related_name="ledger_accounts",
    )
    currency = models.CharField(max_length=3, default=DEFAULT_CURRENCY)
    balance = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "currency"],
                condition=Q(kind="user_wallet"),
                name="wallet_one_wallet_per_owner_currency",
            ),
            models.UniqueConstraint(
                fields=["kind", "currency"],
                condition=Q(owner__isnull=True),
                name="wallet_one_system_account_per_kind_currency",
            ),
            models.CheckConstraint(
                condition=Q(kind="user_wallet", owner__isnull=False)
                | (~Q(kind="user_wallet") & Q(owner__isnull=True)),
                name="wallet_owner_iff_user_wallet",
            ),
            # Only the outside world may owe money; the services check first, this is the net.
            models.CheckConstraint(
                condition=Q(kind="external") | Q(balance__gte=0),
                name="wallet_balance_not_negative",
            ),
        ]

    def __str__(self) -> str:
        if self.owner_id:
            return f"wallet of {self.owner_id} ({self.currency})"
        return f"{self.kind} ({self.currency})"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("the ledger is append-only: rows are never updated")

    def delete(self) -> NoReturn:
        raise TypeError("the ledger is append-only: rows are never deleted")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("the ledger is append-only: rows are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("the ledger is append-only: rows are never deleted")


class LedgerTransaction(AppendOnlyModel):
    """One movement of money: its entries sum to zero. `ref_type`/`ref_id` name what it
    belongs to ("order", "topup", "withdrawal") without importing those packages."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    kind = models.CharField(max_length=24, choices=TransactionKind.choices)
    currency = models.CharField(max_length=3, default=DEFAULT_CURRENCY)
    ref_type = models.CharField(max_length=20, blank=True)
    ref_id = models.CharField(max_length=64, blank=True)
    memo = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["ref_type", "ref_id"], name="wallet_tx_ref")]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


class Entry(AppendOnlyModel):
    """One leg of a transaction: a signed amount in fen on one account (credit > 0)."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, default=DEFAULT_CURRENCY)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="wallet_entry_not_zero"),
        ]
        indexes = [models.Index(fields=["account", "-id"], name="wallet_entry_account_id")]

    def __str__(self) -> str:
        return f"{self.amount:+d} on {self.account_id}"


class PaymentPin(models.Model):
    """The 6-digit payment PIN, hashed with Django's password hashers, and its lockout."""

    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="payment_pin",
    )
    pin_hash = models.CharField(max_length=256)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    set_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"PIN of {self.account_id}"


class TopUpState(models.TextChoices):
    PENDING = "pending", _("Waiting for the bank")
    CONFIRMED = "confirmed", _("Confirmed")
    FAILED = "failed", _("Failed")


class TopUp(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="topups"
    )
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, default=DEFAULT_CURRENCY)
    provider = models.CharField(max_length=40)
    provider_reference = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=12, choices=TopUpState.choices, default="pending")
    failure_reason = models.CharField(max_length=200, blank=True)
    transaction = models.OneToOneField(
        LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="wallet_topup_positive"),
        ]

    def __str__(self) -> str:
        return f"top-up {self.pk} ({self.state})"


class WithdrawalState(models.TextChoices):
    PROCESSING = "processing", _("Processing")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed, money returned")


class Withdrawal(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="withdrawals"
    )
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, default=DEFAULT_CURRENCY)
    provider = models.CharField(max_length=40)
    provider_reference = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=12, choices=WithdrawalState.choices, default="processing")
    failure_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="wallet_withdrawal_positive"),
        ]

    def __str__(self) -> str:
        return f"withdrawal {self.pk} ({self.state})"


class ProviderNonce(models.Model):
    """A nonce of a provider callback already accepted: each is used once."""

    provider = models.CharField(max_length=40)
    nonce = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "nonce"], name="wallet_nonce_once"),
        ]


class IdempotencyState(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class IdempotencyKey(models.Model):
    """One money-moving request by key: running while the first request works, then the
    response it gave (status code and JSON body), replayed to every retry."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=IdempotencyState.choices, default="running")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The lease of a running request taken with `idempotent()`: past `leased_until` a retry
    # may take the key over (a new `lease_token`, which fences the old request out), unless
    # the work already committed: then `outcome` names what it made ("topup:<id>"), written
    # in the same transaction, and the retry replays that.
    lease_token = models.CharField(max_length=32, blank=True, default="", db_default="")
    leased_until = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=80, blank=True, default="", db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "scope", "key"], name="wallet_idempotency_key_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key} ({self.state})"
