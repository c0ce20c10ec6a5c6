"""The buyer's address book."""

from django.db import transaction
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.core import sql
from storefeed.core.errors import NotFound, ValidationFailed
from storefeed.core.text import clean_plain
from storefeed.orders.models import (
    MAX_ADDRESSES,
    Address,
)
from storefeed.orders.services.common import PHONE_RE, POSTCODE_RE, _pk, _text


def _address_fields(
    *,
    recipient: object,
    phone: object,
    region: object,
    city: object,
    street: object,
    postcode: object,
) -> dict[str, str]:
    fields = {
        "recipient": _text(
            recipient,
            field="recipient",
            max_length=60,
            required=True,
            missing=_("Who receives the parcel? Enter a name."),
        ),
        "region": _text(
            region,
            field="region",
            max_length=60,
            required=True,
            missing=_("Enter the province or region."),
        ),
        "city": _text(
            city, field="city", max_length=60, required=True, missing=_("Enter the city.")
        ),
        "street": _text(
            street,
            field="street",
            max_length=200,
            required=True,
            missing=_("Enter the street address."),
        ),
    }
    phone_text = clean_plain(str(phone or ""))
    if not PHONE_RE.fullmatch(phone_text) or sum(ch.isdigit() for ch in phone_text) < 6:
        raise ValidationFailed(
            _("Enter a phone number of digits, like 138 0013 8000."), field="phone"
        )
    fields["phone"] = phone_text
    code = clean_plain(str(postcode or ""))
    if code and not POSTCODE_RE.fullmatch(code):
        raise ValidationFailed(
            _("Enter a postcode like 100020, or leave it empty."), field="postcode"
        )
    fields["postcode"] = code
    return fields


def _lock_account(account: User) -> None:
    # Serialises one account's address-book writes (the 20-address cap, the one default).
    User.objects.select_for_update().filter(pk=account.pk).values_list("pk", flat=True).first()


def _own_address(account: User, address_id: object) -> Address:
    # Plain SQL (core/sql.py): every checkout reads it.
    rows = sql.rows(
        f"SELECT {sql.columns(Address, 'a')} FROM {sql.table(Address)} a "  # noqa: S608
        "WHERE a.id = %s AND a.owner_id = %s",
        [_pk(address_id), account.pk],
    )
    if not rows:
        raise NotFound(_("This address does not exist."), field="address_id")
    return sql.instance(Address, rows[0])


def address_create(
    *,
    account: User,
    recipient: str,
    phone: str,
    region: str,
    city: str,
    street: str,
    postcode: str = "",
    is_default: bool = False,
) -> Address:
    """Add a shipping address (at most 20). The first one is the default."""
    fields = _address_fields(
        recipient=recipient, phone=phone, region=region, city=city, street=street, postcode=postcode
    )
    with transaction.atomic(durable=True):
        _lock_account(account)
        count = Address.objects.filter(owner_id=account.pk).count()
        if count >= MAX_ADDRESSES:
            raise ValidationFailed(
                _("You can keep at most %(max)s addresses; delete one first.")
                % {"max": MAX_ADDRESSES},
                field="address",
            )
        make_default = bool(is_default) or count == 0
        if make_default:
            Address.objects.filter(owner_id=account.pk, is_default=True).update(is_default=False)
        return Address.objects.create(owner=account, is_default=make_default, **fields)


def address_update(
    *,
    account: User,
    address_id: object,
    recipient: str | None = None,
    phone: str | None = None,
    region: str | None = None,
    city: str | None = None,
    street: str | None = None,
    postcode: str | None = None,
    is_default: bool | None = None,
) -> Address:
    """Change what is given. Orders already placed keep the address they were placed with."""
    with transaction.atomic(durable=True):
        _lock_account(account)
        address = _own_address(account, address_id)
        fields = _address_fields(
            recipient=address.recipient if recipient is None else recipient,
            phone=address.phone if phone is None else phone,
            region=address.region if region is None else region,
            city=address.city if city is None else city,
            street=address.street if street is None else street,
            postcode=address.postcode if postcode is None else postcode,
        )
        if is_default and not address.is_default:
            Address.objects.filter(owner_id=account.pk, is_default=True).update(is_default=False)
            fields["is_default"] = True  # type: ignore[assignment]
        for name, value in fields.items():
            setattr(address, name, value)
        address.save(update_fields=list(fields))
        return address


def address_delete(*, account: User, address_id: object) -> None:
    """Delete an address; if it was the default, the newest remaining one becomes it."""
    with transaction.atomic(durable=True):
        _lock_account(account)
        address = _own_address(account, address_id)
        was_default = address.is_default
        address.delete()
        if was_default:
            newest = Address.objects.filter(owner_id=account.pk).order_by("-id").first()
            if newest is not None:
                Address.objects.filter(pk=newest.pk).update(is_default=True)
