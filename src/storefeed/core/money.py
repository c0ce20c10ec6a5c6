"""Money: integers of minor units (fen) with a currency code. Decimal only at the edges."""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from storefeed.core.errors import ValidationFailed

DEFAULT_CURRENCY = "CNY"
MINOR_DIGITS = {"CNY": 2}
# A sensible ceiling for one price or one payment: ¥1,000,000.00.
MAX_AMOUNT_MINOR = 100_000_000


@dataclass(frozen=True)
class Money:
    amount: int  # minor units
    currency: str = DEFAULT_CURRENCY

    def __str__(self) -> str:
        return format_amount(self.amount, self.currency)

    def __add__(self, other: "Money") -> "Money":
        if other.currency != self.currency:
            raise ValueError("cannot add different currencies")
        return Money(self.amount + other.amount, self.currency)


def parse_amount(
    value: object,
    *,
    currency: str = DEFAULT_CURRENCY,
    field: str = "amount",
    allow_zero: bool = False,
    maximum: int = MAX_AMOUNT_MINOR,
) -> int:
    """ "199.00", "199", 199 or Decimal -> minor units, refusing floats' imprecision, more
    decimals than the currency has, zero (unless allowed), negatives and absurd amounts."""
    if isinstance(value, bool) or value is None:
        raise ValidationFailed(_("Enter an amount like 199.00."), field=field)
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip()
    if "," in text:
        # Commas only as thousands separators ("1,299.90"); "1,99" is not ¥199.
        if not re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?", text):
            raise ValidationFailed(_("Enter an amount like 199.00."), field=field)
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("Enter an amount like 199.00."), field=field) from None
    if not number.is_finite():
        raise ValidationFailed(_("Enter an amount like 199.00."), field=field)
    digits = MINOR_DIGITS.get(currency, 2)
    exponent = number.as_tuple().exponent
    if (
        isinstance(exponent, int)
        and -exponent > digits
        and number != number.quantize(Decimal(1).scaleb(-digits))
    ):
        raise ValidationFailed(
            _("Amounts have at most %(digits)s decimals.") % {"digits": digits}, field=field
        )
    minor = int(number.scaleb(digits))
    if minor < 0 or (minor == 0 and not allow_zero):
        raise ValidationFailed(_("The amount must be more than zero."), field=field)
    if minor > maximum:
        raise ValidationFailed(
            _("The amount can be at most %(max)s.") % {"max": format_amount(maximum, currency)},
            field=field,
        )
    return minor


def format_amount(minor: int, currency: str = DEFAULT_CURRENCY) -> str:
    """Minor units -> "199.00" (the API's decimal strings)."""
    digits = MINOR_DIGITS.get(currency, 2)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**digits)
    return f"{sign}{whole}.{frac:0{digits}d}" if digits else f"{sign}{whole}"


def display(minor: int, currency: str = DEFAULT_CURRENCY) -> str:
    """For people: "¥199.00" (thousands separated)."""
    symbol = {"CNY": "¥"}.get(currency, f"{currency} ")
    digits = MINOR_DIGITS.get(currency, 2)
    whole, frac = divmod(abs(minor), 10**digits)
    sign = "-" if minor < 0 else ""
    return f"{sign}{symbol}{whole:,}.{frac:0{digits}d}"
