"""The seller program: applications, sellers and every staff decision about them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from storefeed.core.ids import new_id


class ApplicationState(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class SellerState(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


# The declared life cycles; `services.transition()` refuses every move not listed here.
# A decided application is final: a rejected applicant applies again with a new application.
APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    ApplicationState.PENDING: frozenset({ApplicationState.APPROVED, ApplicationState.REJECTED}),
    ApplicationState.APPROVED: frozenset(),
    ApplicationState.REJECTED: frozenset(),
}
SELLER_TRANSITIONS: dict[str, frozenset[str]] = {
    SellerState.ACTIVE: frozenset({SellerState.SUSPENDED}),
    SellerState.SUSPENDED: frozenset({SellerState.ACTIVE}),
}


def mask(value: str, *, keep_start: int = 1, keep_end: int = 2) -> str:
    """ "110101199003074578" -> "1***************78": enough to recognise, not to reuse."""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    end = value[len(value) - keep_end :]  # not value[-keep_end:], which is everything for 0
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + end


class SellerApplication(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seller_applications"
    )
    shop_name = models.CharField(_("shop name"), max_length=60)
    field = models.ForeignKey(
        "accounts.ExpertField", on_delete=models.PROTECT, related_name="+", verbose_name=_("field")
    )
    sells = models.TextField(_("what you will sell"), max_length=1000)
    contact_phone = models.CharField(_("contact phone"), max_length=24)
    real_name = models.CharField(_("real name"), max_length=60)
    # Personal data: shown to staff (the admin, the review queue) and masked everywhere else.
    id_number = models.CharField(_("ID number"), max_length=30)
    agreed_at = models.DateTimeField(_("agreed to the seller rules at"))
    state = models.CharField(
        max_length=10, choices=ApplicationState.choices, default=ApplicationState.PENDING
    )
    # The reason given with the decision (a rejection's reason is shown to the applicant).
    reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # At most one application waiting per account, and at most one approved.
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(state="pending"),
                name="sellers_one_pending_application",
            ),
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(state="approved"),
                name="sellers_one_approved_application",
            ),
        ]
        indexes = [models.Index(fields=["state", "id"])]

    def __str__(self) -> str:
        return f"{self.shop_name} ({self.get_state_display()})"

    @property
    def masked_id_number(self) -> str:
        return mask(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask(self.contact_phone, keep_start=3, keep_end=4)

    @property
    def masked_real_name(self) -> str:
        """ "Li Ai" -> "L****": the first character only."""
        return self.real_name[:1] + "*" * max(len(self.real_name) - 1, 1)


class Seller(models.Model):
    """An account approved in the seller program. Suspension keeps the row (and the shop)."""

    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="seller_profile",
    )
    application = models.ForeignKey(SellerApplication, on_delete=models.PROTECT, related_name="+")
    shop_name = models.CharField(_("shop name"), max_length=60)
    field = models.ForeignKey("accounts.ExpertField", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=SellerState.choices, default=SellerState.ACTIVE)
    state_changed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.shop_name

    @property
    def is_active(self) -> bool:
        return self.state == SellerState.ACTIVE


class DecisionAction(models.TextChoices):
    APPROVE = "approve", _("approved the application")
    REJECT = "reject", _("rejected the application")
    SUSPEND = "suspend", _("suspended the seller")
    REINSTATE = "reinstate", _("reinstated the seller")


class SellerDecision(models.Model):
    """Append-only record of every staff decision: who, when, what, why."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seller_decisions"
    )
    application = models.ForeignKey(
        SellerApplication,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    action = models.CharField(max_length=10, choices=DecisionAction.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.account_id}"


class PersonalDataView(models.Model):
    """Append-only record of every time staff revealed an applicant's personal data (real
    name, ID number, phone), which staff pages otherwise show masked: who, when, why."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    application = models.ForeignKey(
        SellerApplication, on_delete=models.CASCADE, related_name="personal_data_views"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.by_id} viewed {self.application_id}"
