"""Money: integers of minor units (fen) with a currency code. Decimal only at the edges."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from storefeed.core.errors import ValidationFailed
from storefeed.core.parse import parse_money

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
    """ "199.00", "199.5", "199" (or the JSON numbers 199 and 199.5) -> minor units, through
    the one strict money parser (core.parse.parse_money: ASCII digits, at most two decimals,
    no sign, exponent, separator or space); zero only when allowed, nothing above `maximum`."""
    if isinstance(value, Decimal):
        value = str(value) if value.is_finite() else "NaN"
    if isinstance(value, str) and value.startswith("-") and value[1:2].isascii():
        parse_money(value[1:], field=field)  # a negative amount: say what is wrong with it
        raise ValidationFailed(_("The amount must be more than zero."), field=field)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        raise ValidationFailed(_("The amount must be more than zero."), field=field)
    whole, fen = parse_money(value, field=field)
    minor = whole * 100 + fen  # every currency here has two minor digits (MINOR_DIGITS)
    if minor == 0 and not allow_zero:
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
