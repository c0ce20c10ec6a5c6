"""Every write of the seller program: apply, approve, reject, suspend, reinstate."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from storefeed.accounts.models import ExpertField, User
from storefeed.accounts.search import account_index
from storefeed.core import events
from storefeed.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from storefeed.core.parse import id_or_none, lookup_id
from storefeed.core.text import clean_plain
from storefeed.notifications.services import notify_shop
from storefeed.notifications.shop import shop_text
from storefeed.sellers.errors import NotEligible
from storefeed.sellers.models import (
    APPLICATION_TRANSITIONS,
    SELLER_TRANSITIONS,
    ApplicationState,
    DecisionAction,
    PersonalDataView,
    Seller,
    SellerApplication,
    SellerDecision,
    SellerState,
)

PHONE_RE = re.compile(r"^\+?[0-9]{6,20}$")
ID_NUMBER_RE = re.compile(r"^[0-9A-Z]{6,30}$")
REASON_MAX = 1000
# Where the applicant reads about their application (the web page's path).
APPLICATION_URL = "/seller/apply"


def min_followers() -> int:
    return int(getattr(settings, "SELLER_MIN_FOLLOWERS", 1000))


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    followers_count: int
    min_followers: int
    message: str  # why not (empty when eligible)


def transition(
    obj: Any, to: str, *, legal: dict[str, frozenset[str]], field: str = "state"
) -> None:
    """Move `obj` (a row locked by the caller) to state `to`, or refuse: the one place where
    the declared maps are enforced. Saves only the state field; callers save the rest."""
    current = getattr(obj, field)
    if to not in legal.get(current, frozenset()):
        raise Conflict(
            _("This cannot go from “%(current)s” to “%(to)s”.")
            % {"current": _label(obj, field, current), "to": _label(obj, field, to)},
            current=current,
            to=to,
        )
    setattr(obj, field, to)


def _label(obj: Any, field: str, value: str) -> str:
    choices = dict(obj._meta.get_field(field).choices or [])
    return str(choices.get(value, value))


def seller_eligibility(*, account: User) -> Eligibility:
    """Whether `account` may apply: an active account with enough followers."""
    needed = min_followers()
    count = account.followers_count
    if not account.is_active:
        return Eligibility(False, count, needed, _("This account is not in good standing."))
    if count < needed:
        return Eligibility(
            False,
            count,
            needed,
            ngettext(
                "You have %(count)s follower; the seller program needs at least %(needed)s. "
                "%(missing)s to go.",
                "You have %(count)s followers; the seller program needs at least %(needed)s. "
                "%(missing)s to go.",
                count,
            )
            % {"count": f"{count:,}", "needed": f"{needed:,}", "missing": f"{needed - count:,}"},
        )
    return Eligibility(True, count, needed, "")


def _expert_field(value: ExpertField | str | int | None) -> ExpertField:
    if isinstance(value, ExpertField):
        return value
    found = None
    if id_or_none(value) is not None:
        found = ExpertField.objects.filter(pk=lookup_id(value)).first()
    elif isinstance(value, str) and value:
        found = ExpertField.objects.filter(slug=value).first()
    if found is None:
        raise ValidationFailed(_("Choose the field you sell in."), field="field")
    return found


def _required(value: str | None, *, field: str, max_length: int, message: str) -> str:
    cleaned = clean_plain(value or "", multiline=field == "sells")
    if not cleaned:
        raise ValidationFailed(message, field=field)
    if len(cleaned) > max_length:
        raise ValidationFailed(
            _("This can be at most %(max)s characters.") % {"max": max_length}, field=field
        )
    return cleaned


def seller_application_submit(
    *,
    account: User,
    shop_name: str,
    field: ExpertField | str | int | None,
    sells: str,
    contact_phone: str,
    real_name: str,
    id_number: str,
    agreed: bool,
) -> SellerApplication:
    """Apply to the seller program. Checks eligibility and every field before writing."""
    eligibility = seller_eligibility(account=account)
    if not eligibility.eligible:
        raise NotEligible(
            eligibility.message,
            followers_count=eligibility.followers_count,
            min_followers=eligibility.min_followers,
        )
    shop_name = _required(
        shop_name, field="shop_name", max_length=60, message=_("Give your shop a name.")
    )
    expert_field = _expert_field(field)
    sells = _required(
        sells, field="sells", max_length=1000, message=_("Tell us what you will sell.")
    )
    phone = re.sub(r"[\s\-()]", "", contact_phone or "")
    if not PHONE_RE.match(phone):
        raise ValidationFailed(
            _("Enter a phone number we can reach you on (digits, 6 to 20)."),
            field="contact_phone",
        )
    real_name = _required(
        real_name, field="real_name", max_length=60, message=_("Enter your real name.")
    )
    id_number = re.sub(r"\s", "", id_number or "").upper()
    if not ID_NUMBER_RE.match(id_number):
        raise ValidationFailed(
            _("Enter your ID number (6 to 30 letters and digits)."), field="id_number"
        )
    if agreed is not True:
        raise ValidationFailed(_("You need to agree to the seller rules."), field="agreed")
    try:
        with transaction.atomic(durable=True):
            # Lock the applicant so two submissions at once are decided one after the other.
            User.objects.select_for_update().filter(pk=account.pk).first()
            if Seller.objects.filter(account_id=account.pk).exists():
                raise Conflict(_("You are already a seller."), field="account")
            if SellerApplication.objects.filter(
                account_id=account.pk, state=ApplicationState.PENDING
            ).exists():
                raise Conflict(
                    _("Your application is already waiting for review."), field="account"
                )
            return SellerApplication.objects.create(
                account=account,
                shop_name=shop_name,
                field=expert_field,
                sells=sells,
                contact_phone=phone,
                real_name=real_name,
                id_number=id_number,
                agreed_at=timezone.now(),
            )
    except IntegrityError:
        # The unique "one pending application" constraint caught a concurrent submission.
        raise Conflict(
            _("Your application is already waiting for review."), field="account"
        ) from None


def _require_staff(by: User) -> None:
    if not (by.is_active and by.is_staff):
        raise Forbidden(_("Only staff can decide on sellers."))


def _reason(reason: str | None, *, required: bool) -> str:
    cleaned = clean_plain(reason or "", multiline=True)
    if required and not cleaned:
        raise ValidationFailed(_("Give a reason; the seller will read it."), field="reason")
    if len(cleaned) > REASON_MAX:
        raise ValidationFailed(
            _("A reason can be at most %(max)s characters.") % {"max": REASON_MAX},
            field="reason",
        )
    return cleaned


def _locked_application(application_id: int | str) -> SellerApplication:
    try:
        pk = lookup_id(application_id)
    except (TypeError, ValueError):
        pk = 0
    application = SellerApplication.objects.select_for_update().filter(pk=pk).first()
    if application is None:
        raise NotFound(_("There is no such application."))
    return application


def _record(
    *,
    account_id: int,
    action: str,
    by: User,
    reason: str,
    application: SellerApplication | None,
    message: dict[str, Any],
) -> SellerDecision:
    """Record the decision and tell the account; `message` (a `shop_text`) is translated when
    read, in the account's language."""
    decision = SellerDecision.objects.create(
        account_id=account_id, application=application, action=action, by=by, reason=reason
    )
    notify_shop(
        recipient_id=account_id,
        actor_id=by.pk,
        event=f"seller_{action}",
        message=message,
        url=APPLICATION_URL,
        reason=reason,
    )
    return decision


def seller_application_approve(*, application_id: int | str, by: User, reason: str = "") -> Seller:
    """Staff approve a pending application: the applicant becomes an active seller."""
    _require_staff(by)
    reason = _reason(reason, required=False)
    with transaction.atomic(durable=True):
        application = _locked_application(application_id)
        transition(application, ApplicationState.APPROVED, legal=APPLICATION_TRANSITIONS)
        now = timezone.now()
        application.decided_at, application.decided_by, application.reason = now, by, reason
        application.save(update_fields=["state", "decided_at", "decided_by", "reason"])
        seller = Seller.objects.create(
            account_id=application.account_id,
            application=application,
            shop_name=application.shop_name,
            field_id=application.field_id,
            state=SellerState.ACTIVE,
            state_changed_at=now,
        )
        account_index([application.account_id])  # the shop is found by its name from now
        _record(
            account_id=application.account_id,
            action=DecisionAction.APPROVE,
            by=by,
            reason=reason,
            application=application,
            message=shop_text(
                gettext_noop("Your seller application for “%(shop)s” was approved. Welcome!"),
                shop=application.shop_name,
            ),
        )
    return seller


def seller_application_reject(
    *, application_id: int | str, by: User, reason: str
) -> SellerApplication:
    """Staff reject a pending application with a reason the applicant reads; they may apply
    again."""
    _require_staff(by)
    reason = _reason(reason, required=True)
    with transaction.atomic(durable=True):
        application = _locked_application(application_id)
        transition(application, ApplicationState.REJECTED, legal=APPLICATION_TRANSITIONS)
        application.decided_at, application.decided_by, application.reason = (
            timezone.now(),
            by,
            reason,
        )
        application.save(update_fields=["state", "decided_at", "decided_by", "reason"])
        _record(
            account_id=application.account_id,
            action=DecisionAction.REJECT,
            by=by,
            reason=reason,
            application=application,
            message=shop_text(
                gettext_noop("Your seller application was not approved: %(reason)s"),
                reason=reason,
            ),
        )
    return application


# Packages above sellers that keep something per seller state (catalog: the search rows of a
# seller's products) register here, and are called in the transaction that changes it.
_state_listeners: list[Callable[[int], None]] = []


def on_seller_state_change(listener: Callable[[int], None]) -> None:
    """Call `listener(account_id)` whenever a seller is suspended or reinstated."""
    if listener not in _state_listeners:
        _state_listeners.append(listener)


def _seller_move(
    *, account_id: int | str, by: User, reason: str, to: str, action: str, msgid: str
) -> Seller:
    _require_staff(by)
    reason = _reason(reason, required=True)
    try:
        pk = lookup_id(account_id)
    except (TypeError, ValueError):
        pk = 0
    with transaction.atomic(durable=True):
        seller = Seller.objects.select_for_update().filter(account_id=pk).first()
        if seller is None:
            raise NotFound(_("This account is not a seller."))
        transition(seller, to, legal=SELLER_TRANSITIONS)
        seller.state_changed_at = timezone.now()
        seller.save(update_fields=["state", "state_changed_at"])
        _record(
            account_id=seller.account_id,
            action=action,
            by=by,
            reason=reason,
            application=None,
            message=shop_text(msgid, reason=reason),
        )
        # Live shop windows: every card of this seller now says so (or is on sale again).
        events.publish("product", seller=seller.account_id)
        for listener in _state_listeners:
            listener(seller.account_id)
    return seller


def seller_suspend(*, account_id: int | str, by: User, reason: str) -> Seller:
    """Staff suspend a seller: their products cannot be bought, their cards say so."""
    return _seller_move(
        account_id=account_id,
        by=by,
        reason=reason,
        to=SellerState.SUSPENDED,
        action=DecisionAction.SUSPEND,
        msgid=gettext_noop("Your shop has been suspended: %(reason)s"),
    )


def seller_reinstate(*, account_id: int | str, by: User, reason: str) -> Seller:
    """Staff lift a suspension."""
    return _seller_move(
        account_id=account_id,
        by=by,
        reason=reason,
        to=SellerState.ACTIVE,
        action=DecisionAction.REINSTATE,
        msgid=gettext_noop("Your shop is open again: %(reason)s"),
    )


def application_personal_data_reveal(
    *, application_id: int | str, by: User, reason: str
) -> SellerApplication:
    """Staff see an applicant's personal data unmasked, saying why; every look is recorded
    (PersonalDataView) and shown beside the application."""
    _require_staff(by)
    why = clean_plain(reason or "", multiline=True)
    if not why:
        raise ValidationFailed(
            _("Say why you need to see this applicant's personal data."), field="reason"
        )
    if len(why) > REASON_MAX:
        raise ValidationFailed(
            _("A reason can be at most %(max)s characters.") % {"max": REASON_MAX},
            field="reason",
        )
    with transaction.atomic(durable=True):
        application = _locked_application(application_id)
        PersonalDataView.objects.create(application=application, by=by, reason=why)
    return application
