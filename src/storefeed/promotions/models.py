"""Promotions' rows: the promotion with its budget and what it spent, one placement per
audience member (the post on top of their home once), and who hides a seller's promotions.

Money is never kept here: the budget is held in escrow by the ledger under the reference
("promotion", id), and `spent_fen` mirrors what the ledger moved to the platform (both
written in the same transaction)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from storefeed.core.ids import new_id
from storefeed.core.money import DEFAULT_CURRENCY


class Audience(models.TextChoices):
    FOLLOWERS = "followers", _("My followers")
    FIELD = "field", _("People interested in my field")


class PromotionState(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXHAUSTED = "exhausted", _("Budget used up")
    STOPPED = "stopped", _("Stopped")


class Promotion(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="promotions"
    )
    # A plain id: a deleted post ends its promotion (the worker sees it gone), the record stays.
    status_id = models.BigIntegerField()
    audience = models.CharField(max_length=10, choices=Audience.choices)
    field_id = models.IntegerField(null=True, blank=True)  # the seller's field, for "field"
    budget_fen = models.BigIntegerField()
    spent_fen = models.BigIntegerField(default=0)
    # The price per thousand impressions when it was bought (settings.PROMOTION_CPM_FEN).
    cpm_fen = models.BigIntegerField()
    currency = models.CharField(max_length=3, default=DEFAULT_CURRENCY)
    state = models.CharField(
        max_length=10, choices=PromotionState.choices, default=PromotionState.ACTIVE
    )
    impressions = models.PositiveIntegerField(default=0)  # placements shown, as last charged
    placed = models.BooleanField(default=False)  # the worker has written the placements
    audience_size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_fen__gt=0), name="promotions_budget_positive"
            ),
            models.CheckConstraint(
                condition=Q(spent_fen__gte=0, spent_fen__lte=models.F("budget_fen")),
                name="promotions_spent_within_budget",
            ),
            models.CheckConstraint(condition=Q(cpm_fen__gt=0), name="promotions_cpm_positive"),
        ]
        indexes = [
            models.Index(fields=["seller", "-id"], name="promotions_seller"),
            models.Index(fields=["state"], name="promotions_state"),
            models.Index(fields=["status_id"], name="promotions_status"),
        ]

    def __str__(self) -> str:
        return f"promotion {self.pk} of post {self.status_id} ({self.state})"


class Placement(models.Model):
    """The promoted post waiting on top of one person's home (`shown_at` null), then shown
    there once; `tapped_at` when that person opened one of its cards afterwards."""

    id = models.BigAutoField(primary_key=True)
    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="placements")
    owner_id = models.BigIntegerField()
    shown_at = models.DateTimeField(null=True, blank=True)
    tapped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["promotion", "owner_id"], name="promotions_place_once")
        ]
        indexes = [
            # The home read's one lookup: this owner's placements still waiting.
            models.Index(
                fields=["owner_id"],
                condition=Q(shown_at__isnull=True),
                name="promotions_waiting",
            ),
            models.Index(fields=["promotion", "shown_at"], name="promotions_shown"),
        ]


class HiddenSeller(models.Model):
    """`account` does not want promoted posts from `seller`."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "seller"], name="promotions_hide_once")
        ]
