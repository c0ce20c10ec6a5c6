"""Discovery's rows: the fields a person cares about, dismissed suggestions, the experts'
ranking and the hot list, all written by the worker or a service and read as they are."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from storefeed.accounts.models import ExpertField


class Interest(models.Model):
    """A field a person picked (at sign-up or later): who to follow starts from its experts."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interests"
    )
    field = models.ForeignKey(ExpertField, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "field"], name="discovery_interest_once")
        ]


class SuggestionDismissal(models.Model):
    """An account someone asked not to be suggested again (DELETE /api/v1/suggestions/:id)."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    target = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target"], name="discovery_dismissal_once")
        ]


class ExpertRank(models.Model):
    """One verified expert's place in their field, computed by the worker (never on read)."""

    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    field = models.ForeignKey(ExpertField, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    score = models.FloatField()
    followers = models.PositiveIntegerField(default=0)
    recent_posts = models.PositiveIntegerField(default=0)  # in the last 7 days
    orders_completed = models.PositiveIntegerField(default=0)  # 0 without commerce
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["field", "position"])]


class PopularAccount(models.Model):
    """The most followed active accounts, kept by the worker with the experts' ranking, so
    that who to follow never sorts the whole account table on read."""

    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    position = models.PositiveIntegerField(db_index=True)
    followers = models.PositiveIntegerField()


class TrendKind(models.TextChoices):
    TAG = "tag", _("Tag")
    STATUS = "status", _("Post")
    PRODUCT = "product", _("Product")


class Signal(models.TextChoices):
    """What an account did to an item; each account counts once per item (its first signal)."""

    USE = "use", _("used")
    LIKE = "like", _("liked")
    REBLOG = "reblog", _("reposted")
    REPLY = "reply", _("replied")
    PURCHASE = "purchase", _("bought")


class TrendContribution(models.Model):
    """One account's part in one item's trend. The unique key is what makes one account count
    once per item however often it acts; rows older than the window are pruned."""

    kind = models.CharField(max_length=10, choices=TrendKind.choices)
    item_id = models.BigIntegerField()
    account_id = models.BigIntegerField()
    field_id = models.IntegerField(null=True)  # the item's field, if any
    signal = models.CharField(max_length=10, choices=Signal.choices)
    amount = models.PositiveIntegerField(default=1)  # units bought, for purchases
    at = models.DateTimeField()
    run = models.BigIntegerField()  # the refresh that folded it in

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "item_id", "account_id"], name="discovery_contribution_once"
            )
        ]
        indexes = [
            models.Index(fields=["run"]),
            models.Index(fields=["at"]),
            models.Index(fields=["kind", "item_id", "at"]),
        ]


class Trend(models.Model):
    """One item's standing overall (field 0) or in one field. `score` is the decayed sum kept
    as a base-2 logarithm measured from a fixed epoch (see discovery/trends.py), so rows
    nobody touched need no rewrite to stay comparable. The reason is stored as values and
    worded when read, in the reader's language."""

    kind = models.CharField(max_length=10, choices=TrendKind.choices)
    item_id = models.BigIntegerField()
    field_id = models.IntegerField(default=0)  # 0: overall
    score = models.FloatField()
    accounts = models.PositiveIntegerField(default=0)  # distinct accounts in the window
    reason_signal = models.CharField(max_length=10, choices=Signal.choices, blank=True)
    reason_count = models.PositiveIntegerField(default=0)
    reason_hours = models.PositiveSmallIntegerField(default=0)
    history = models.JSONField(default=list, blank=True)  # tags: [{day, uses, accounts}]
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "item_id", "field_id"], name="discovery_trend_once"
            )
        ]
        indexes = [models.Index(fields=["kind", "field_id", "-score"])]


class TrendHide(models.Model):
    """An entry staff took off the hot list, in every field; the worker keeps scoring it."""

    kind = models.CharField(max_length=10, choices=TrendKind.choices)
    item_id = models.BigIntegerField()
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "item_id"], name="discovery_trendhide_once")
        ]


class TrendState(models.Model):
    """The single row saying how far the worker has folded activity into the trends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    run = models.BigIntegerField(default=0)
    folded_until = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="discovery_trendstate_one")]
