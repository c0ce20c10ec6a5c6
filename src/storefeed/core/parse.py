"""The strict parsers every edge shares (Mastodon API, shop API, web forms): ids, counts,
datetimes, money and storable text. Each takes what a request carried (a string, or a JSON
number) and gives a typed value, or raises `ValidationFailed` naming the field.

Strict means ASCII only: `str.isdigit()` and `int()` accept "²", "①", "٣" and "３", and
`Decimal()` accepts "1e3", "1_000" and " +1"; none of those is an id, a count or a price."""

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.core.errors import ValidationFailed

ID_MAX = 2**63 - 1  # a signed 64-bit column holds no more
_DIGITS = re.compile(r"[0-9]+")
_MONEY = re.compile(r"([0-9]+)(?:\.([0-9]+))?")
# ISO 8601 / RFC 3339 as clients send it: a date, optionally a time (":" separated, seconds and
# fractions optional) and an offset. fromisoformat then refuses impossible dates and times.
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]{1,9})?)?"
    r"(?:Z|z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
)
# Text a database cannot store (PostgreSQL refuses NUL; no encoding holds a lone surrogate).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MAX_JSON_DEPTH = 32


def _text_of(value: object) -> str | None:
    """The string a scalar was sent as: a str, or an int sent as a JSON number."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def id_or_none(value: object) -> int | None:
    """An id (ASCII digits, 1 to 2^63-1) or None for anything else: for lookups, where a
    malformed id simply matches nothing."""
    text = _text_of(value)
    if text is None or not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number <= ID_MAX else None


def lookup_id(value: object) -> int:
    """An id to look a row up by: the id, or 0 (which no row has) when `value` is not one."""
    return id_or_none(value) or 0


def parse_id(value: object, *, field: str = "id") -> int:
    """An id, or ValidationFailed naming `field`."""
    number = id_or_none(value)
    if number is None:
        raise ValidationFailed(
            _("“%(value)s” is not an id.") % {"value": _shown(value)}, field=field
        )
    return number


def parse_count(value: object, *, field: str, minimum: int = 0, maximum: int = 1_000_000) -> int:
    """A whole number of things (stock, quantity, a limit): ASCII digits (or a JSON integer)
    between `minimum` and `maximum`."""
    text = _text_of(value)
    if text is None or not _DIGITS.fullmatch(text) or len(text) > 18:
        raise ValidationFailed(_("Enter a whole number."), field=field)
    number = int(text)
    if not minimum <= number <= maximum:
        raise ValidationFailed(
            _("Enter a whole number from %(min)s to %(max)s.") % {"min": minimum, "max": maximum},
            field=field,
        )
    return number


def parse_datetime(value: object, *, field: str) -> dt.datetime:
    """An ISO 8601 date-time ("2027-02-03T12:30:00Z"; a date alone is its midnight), as an
    aware datetime; a time without an offset is UTC. Impossible dates and times are refused."""
    text = value if isinstance(value, str) else None
    if text is None or not _DATETIME.fullmatch(text):
        raise ValidationFailed(_("Enter a date and time like 2027-02-03T12:30:00Z."), field=field)
    try:
        parsed = dt.datetime.fromisoformat(text.replace(",", ".").replace("z", "Z"))
    except ValueError:
        raise ValidationFailed(
            _("“%(value)s” is not a real date and time.") % {"value": _shown(text)}, field=field
        ) from None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def parse_money(value: object, *, field: str) -> tuple[int, int]:
    """Yuan as "199", "199.5" or "199.00" (a JSON integer too) -> (whole yuan, fen). Nothing
    else: no sign, exponent, separator, space or non-ASCII digit. Range checks are the caller's
    (core.money.parse_amount)."""
    text = _text_of(value)
    if isinstance(value, float):
        # A JSON number with a fraction; repr keeps 1.999 as 1.999, so it is refused below.
        text = repr(value)
    match = _MONEY.fullmatch(text) if text is not None and len(text) <= 24 else None
    if match is None:
        raise ValidationFailed(_("Enter an amount like 199.00."), field=field)
    whole, fraction = match.group(1), (match.group(2) or "")
    if len(fraction) > 2:
        raise ValidationFailed(
            _("Amounts have at most %(digits)s decimals.") % {"digits": 2}, field=field
        )
    return int(whole), int(fraction.ljust(2, "0"))


def unstorable(text: str) -> bool:
    return _UNSTORABLE.search(text) is not None


def check_text(value: str, *, field: str) -> str:
    """`value` unchanged, or ValidationFailed when it holds a character no database stores (a
    NUL, a lone surrogate as JSON's "\\ud800" makes)."""
    if unstorable(value):
        raise ValidationFailed(
            _("%(field)s contains characters that cannot be stored.") % {"field": field},
            field=field,
        )
    return value


def strings_in(data: Any, *, prefix: str = "") -> Iterator[tuple[str, str, int]]:
    """Every value in a parsed JSON or form value, with the path of the field it sits in
    ("poll[options][]") and its depth: strings (keys included) as they are, anything else as
    "". Iterative, so no depth overflows the stack."""
    stack: list[tuple[str, Any, int]] = [(prefix, data, 0)]
    while stack:
        path, node, depth = stack.pop()
        if isinstance(node, str):
            yield path, node, depth
        elif isinstance(node, dict):
            yield path, "", depth
            for key, item in node.items():
                name = f"{path}[{key}]" if path else str(key)
                if isinstance(key, str):
                    yield name, key, depth + 1
                stack.append((name, item, depth + 1))
        elif isinstance(node, list):
            yield path, "", depth
            for item in node:
                stack.append((f"{path}[]", item, depth + 1))
        else:
            yield path, "", depth


def check_payload(data: Any, *, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """None when every string of `data` can be stored and it nests at most `max_depth` deep;
    else the problem: "depth", or the name of the first field holding unstorable text."""
    for path, text, depth in strings_in(data):
        if depth > max_depth:
            return "depth"
        if text and unstorable(text):
            return path or "body"
    return None


def _shown(value: object) -> str:
    """A refused value as it may be echoed in a message: short, and storable."""
    text = value if isinstance(value, str) else repr(value)
    text = _UNSTORABLE.sub("\ufffd", text)
    return text if len(text) <= 40 else text[:39] + "…"
