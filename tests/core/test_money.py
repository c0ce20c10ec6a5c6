import pytest
from hypothesis import given
from hypothesis import strategies as st

from storefeed.core.errors import ValidationFailed
from storefeed.core.money import MAX_AMOUNT_MINOR, display, format_amount, parse_amount


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("199.00", 19900),
        ("199", 19900),
        ("0.01", 1),
        ("12.5", 1250),
        (3, 300),
    ],
)
def test_parse(text, fen):
    assert parse_amount(text) == fen


@pytest.mark.parametrize(
    "bad", ["0", "-1", "1.234", "abc", "", None, True, "NaN", "Infinity", "10000000.01"]
)
def test_refused(bad):
    with pytest.raises(ValidationFailed):
        parse_amount(bad)


def test_thousands_separators_and_a_third_decimal_are_refused():
    # One strict form for money everywhere (core.parse.parse_money): "1,299.90" and "5.100"
    # are for people to type into a form that shows the price back, not for the parser.
    for text in ("1,299.90", "5.100"):
        with pytest.raises(ValidationFailed):
            parse_amount(text)


def test_display():
    assert display(129990) == "¥1,299.90"
    assert format_amount(5) == "0.05"


@given(st.integers(min_value=1, max_value=MAX_AMOUNT_MINOR))
def test_round_trip(fen):
    assert parse_amount(format_amount(fen)) == fen
