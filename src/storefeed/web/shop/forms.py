"""Commerce web forms: they check what a browser gets wrong cheaply (required fields, lengths,
counts) and leave amounts, stock and every rule to the services, whose errors come back through
web.errors onto the field they name."""

import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from storefeed.web.forms import MultipleImageField, MultipleImageInput

MAX_PRODUCT_IMAGES = 9
# Amounts stay text until the services parse them (core.money refuses 0, negatives, 3 decimals).
AMOUNT_ATTRS = {"inputmode": "decimal", "placeholder": "199.00", "autocomplete": "off"}
PIN_ATTRS = {
    "inputmode": "numeric",
    "pattern": "[0-9]{6}",
    "maxlength": "6",
    "autocomplete": "one-time-code",
    "placeholder": "••••••",
}


def six_digits(pin: str) -> str:
    """A PIN of 5 digits or with letters is refused here, before anything is placed."""
    if not re.fullmatch(r"[0-9]{6}", pin):
        raise forms.ValidationError(_("The payment PIN is exactly 6 digits."))
    return pin


class SellerApplicationForm(forms.Form):
    shop_name = forms.CharField(label=_("Shop name"), max_length=60)
    field = forms.ChoiceField(label=_("Your field"), choices=())
    sells = forms.CharField(
        label=_("What you will sell"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    real_name = forms.CharField(
        label=_("Real name"),
        max_length=60,
        help_text=_("Shown to Storefeed staff only."),
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        help_text=_("Shown to Storefeed staff only; masked everywhere else."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    agreed = forms.BooleanField(
        label=_("I agree to the seller rules: genuine goods only, honest descriptions."),
        required=False,
    )

    def __init__(self, *args, fields: Sequence = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Choose…"))] + [(f.slug, f.name) for f in fields]
        self.fields["field"].choices = choices  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProductForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    price = forms.CharField(
        label=_("Price (¥)"),
        max_length=20,
        widget=forms.TextInput(attrs=AMOUNT_ATTRS),
        help_text=_("In yuan, with at most two decimals."),
    )
    stock = forms.CharField(
        label=_("Stock"),
        max_length=12,
        initial="0",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    images = MultipleImageField(
        label=_("Images (up to 9)"),
        widget=MultipleImageInput(
            attrs={
                "accept": "image/jpeg,image/png,image/gif,image/webp",
                # app.js turns it into a drop zone with previews in order (first is the cover).
                "data-image-picker": "",
                "data-drop-label": _("Drop images here, or tap to choose"),
                "data-remove-label": _("Remove"),
                "data-earlier-label": _("Move earlier"),
                "data-later-label": _("Move later"),
                "data-max": "9",
            }
        ),
    )

    def __init__(self, *args, editing: bool = False, has_variants: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["images"].help_text = _("Choosing images replaces all the current ones.")
            # Stock is changed with "Restock" on the product's page (one conditional update).
            del self.fields["stock"]
        if has_variants:
            # The variants hold the prices; the product shows the lowest.
            del self.fields["price"]

    def clean_images(self) -> list[UploadedFile]:
        images: list[UploadedFile] = self.cleaned_data["images"]
        if len(images) > MAX_PRODUCT_IMAGES:
            raise forms.ValidationError(
                ngettext(
                    "A product can have at most %(limit)d image.",
                    "A product can have at most %(limit)d images.",
                    MAX_PRODUCT_IMAGES,
                )
                % {"limit": MAX_PRODUCT_IMAGES}
            )
        for image in images:
            if image.size is not None and image.size > settings.MEDIA_MAX_IMAGE_BYTES:
                raise forms.ValidationError(
                    _("“%(name)s” is too large: an image can be at most %(mb)d MB.")
                    % {"name": image.name, "mb": settings.MEDIA_MAX_IMAGE_BYTES // (1024 * 1024)}
                )
        return images


class RestockForm(forms.Form):
    quantity = forms.CharField(
        label=_("Units to add"),
        max_length=12,
        help_text=_("A negative number takes units off (never below zero)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "10"}),
    )
    variant_id = forms.CharField(required=False, widget=forms.HiddenInput)


class VariantForm(forms.Form):
    name = forms.CharField(
        label=_("Variant"),
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("Red / M")}),
    )
    price = forms.CharField(
        label=_("Price (¥)"), max_length=20, widget=forms.TextInput(attrs=AMOUNT_ATTRS)
    )
    stock = forms.CharField(
        label=_("Stock"),
        max_length=12,
        initial="0",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


class ManualItemForm(forms.Form):
    url = forms.CharField(label=_("Link to the item"), max_length=2000)
    title = forms.CharField(label=_("Title"), max_length=200)
    price = forms.CharField(
        label=_("Price (¥)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs=AMOUNT_ATTRS),
    )
    image_url = forms.CharField(label=_("Image address"), max_length=2000, required=False)
    image = forms.FileField(
        label=_("Or upload an image"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*"}),
    )


class PinForm(forms.Form):
    pin = forms.CharField(
        label=_("Payment PIN"),
        max_length=6,
        strip=False,
        widget=forms.PasswordInput(attrs=PIN_ATTRS),
    )


class PinSetForm(forms.Form):
    pin = forms.CharField(
        label=_("New payment PIN (6 digits)"),
        max_length=6,
        strip=False,
        widget=forms.PasswordInput(attrs=PIN_ATTRS),
    )
    pin2 = forms.CharField(
        label=_("The PIN again"),
        max_length=6,
        strip=False,
        widget=forms.PasswordInput(attrs=PIN_ATTRS),
    )
    password = forms.CharField(
        label=_("Your sign-in password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("pin") and data.get("pin2") and data["pin"] != data["pin2"]:
            self.add_error("pin2", _("The two PINs do not match."))
        return data


class PinChangeForm(forms.Form):
    old_pin = forms.CharField(
        label=_("Current PIN"),
        max_length=6,
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs=PIN_ATTRS),
    )
    password = forms.CharField(
        label=_("Or your sign-in password (forgot the PIN?)"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_pin = forms.CharField(
        label=_("New PIN (6 digits)"),
        max_length=6,
        strip=False,
        widget=forms.PasswordInput(attrs=PIN_ATTRS),
    )


class AmountForm(forms.Form):
    amount = forms.CharField(
        label=_("Amount (¥)"), max_length=20, widget=forms.TextInput(attrs=AMOUNT_ATTRS)
    )
    # One key per form shown: a double submit (or a reload) moves the money once.
    idempotency_key = forms.CharField(required=False, max_length=255, widget=forms.HiddenInput)


class WithdrawForm(AmountForm):
    pin = forms.CharField(
        label=_("Payment PIN"),
        max_length=6,
        strip=False,
        widget=forms.PasswordInput(attrs=PIN_ATTRS),
    )


class AddressForm(forms.Form):
    recipient = forms.CharField(label=_("Recipient"), max_length=60, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    region = forms.CharField(label=_("Province or region"), max_length=60, required=False)
    city = forms.CharField(label=_("City"), max_length=60, required=False)
    street = forms.CharField(label=_("Street address"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)

    ADDRESS_FIELDS = ("recipient", "phone", "region", "city", "street", "postcode")

    def address_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name, "") for name in self.ADDRESS_FIELDS}

    def has_address(self) -> bool:
        return any(self.cleaned_data.get(name) for name in self.ADDRESS_FIELDS)


class CheckoutForm(AddressForm):
    """Buy now: quantity (and variant), where to ship, and the PIN, in one step."""

    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=99,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    variant_id = forms.CharField(required=False, widget=forms.HiddenInput)
    source = forms.CharField(required=False, widget=forms.HiddenInput)
    address_id = forms.CharField(required=False)
    pin = forms.CharField(
        label=_("Payment PIN"),
        max_length=6,
        min_length=6,
        strip=False,
        widget=forms.PasswordInput(attrs=PIN_ATTRS),
    )
    idempotency_key = forms.CharField(required=False, max_length=255, widget=forms.HiddenInput)

    def clean_pin(self) -> str:
        return six_digits(self.cleaned_data["pin"])


class CartCheckoutForm(CheckoutForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("quantity", "variant_id", "source"):
            del self.fields[name]


class PayForm(forms.Form):
    pin = forms.CharField(
        label=_("Payment PIN"),
        max_length=6,
        min_length=6,
        strip=False,
        widget=forms.PasswordInput(attrs=PIN_ATTRS),
    )
    idempotency_key = forms.CharField(required=False, max_length=255, widget=forms.HiddenInput)

    def clean_pin(self) -> str:
        return six_digits(self.cleaned_data["pin"])


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=60)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=40)


class PromoteForm(PayForm):
    """Promote a post (粉丝头条): a budget from the wallet and an audience, with the payment
    PIN (and the form's idempotency key) as for paying."""

    budget = forms.CharField(
        label=_("Budget (¥)"), max_length=20, widget=forms.TextInput(attrs=AMOUNT_ATTRS)
    )
    audience = forms.ChoiceField(
        label=_("Show it to"),
        choices=[
            ("followers", _("My followers")),
            ("field", _("People interested in my field")),
        ],
        widget=forms.RadioSelect,
        initial="followers",
    )
