"""The strict parsers every edge shares (core.parse): what each accepts and refuses."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storefeed.core.errors import ValidationFailed
from storefeed.core.money import parse_amount
from storefeed.core.parse import (
    ID_MAX,
    check_payload,
    check_text,
    id_or_none,
    parse_count,
    parse_datetime,
    parse_id,
)

# Digits that str.isdigit() or int() accept and that are not ASCII: superscript, circled,
# Arabic-Indic, full-width, Devanagari.
UNICODE_DIGITS = ["²", "①", "٣", "３", "१२"]


@pytest.mark.parametrize("good", ["1", "123", str(ID_MAX), 7])
def test_ids(good):
    assert parse_id(good) == int(good)


@pytest.mark.parametrize(
    "bad",
    [
        *UNICODE_DIGITS,
        "0",
        "-1",
        "+1",
        " 1",
        "1 ",
        "1.0",
        "1e3",
        "1_000",
        str(ID_MAX + 1),
        "9" * 40,
        "",
        None,
        True,
        1.0,
        [1],
        {"a": 1},
        0,
        -5,
        ID_MAX + 1,
    ],
)
def test_bad_ids_are_refused_or_match_nothing(bad):
    assert id_or_none(bad) is None
    with pytest.raises(ValidationFailed) as refused:
        parse_id(bad, field="media_ids")
    assert refused.value.field == "media_ids"


@pytest.mark.parametrize(
    "bad", [*UNICODE_DIGITS, "٣", "+3", "-3", " 3", "3.0", "1e3", "1_0", "", None, True, 3.0]
)
def test_counts_are_ascii_digits(bad):
    with pytest.raises(ValidationFailed):
        parse_count(bad, field="stock")


def test_counts_are_bounded():
    assert parse_count("0", field="stock") == 0
    assert parse_count(12, field="stock") == 12
    with pytest.raises(ValidationFailed):
        parse_count("1000001", field="stock")
    with pytest.raises(ValidationFailed):
        parse_count("0", field="quantity", minimum=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-02-03T12:30:00Z", dt.datetime(2027, 2, 3, 12, 30, tzinfo=dt.UTC)),
        (
            "2027-02-03T12:30:00.123456+08:00",
            dt.datetime(2027, 2, 3, 4, 30, 0, 123456, tzinfo=dt.UTC),
        ),
        ("2027-02-03T12:30", dt.datetime(2027, 2, 3, 12, 30, tzinfo=dt.UTC)),
        ("2027-02-03", dt.datetime(2027, 2, 3, tzinfo=dt.UTC)),
    ],
)
def test_datetimes(text, expected):
    assert parse_datetime(text, field="scheduled_at") == expected


@pytest.mark.parametrize(
    "bad",
    [
        "2027-02-30T10:00:00Z",
        "2027-02-03T12:99:00Z",
        "2027-13-01",
        "2027-02-03T25:00:00Z",
        "２０２７-02-03",
        "tomorrow",
        "",
        None,
        1700000000,
        "2027-02-03T12:30:00Z junk",
    ],
)
def test_impossible_or_malformed_datetimes_are_refused(bad):
    with pytest.raises(ValidationFailed) as refused:
        parse_datetime(bad, field="scheduled_at")
    assert refused.value.field == "scheduled_at"


@pytest.mark.parametrize(
    ("text", "fen"),
    [("199.00", 19900), ("199", 19900), ("0.01", 1), ("12.5", 1250), (3, 300), (1.5, 150)],
)
def test_money(text, fen):
    assert parse_amount(text) == fen


@pytest.mark.parametrize(
    "bad",
    [
        "1e3",
        "1_000.00",
        "+1.00",
        " 1.00",
        "1.00 ",
        ".5",
        "1.",
        "-1",
        "1,299.90",
        "١٢",
        "１２.００",
        "NaN",
        "Infinity",
        "1.234",
        "5.100",
        "",
        None,
        True,
        [1],
        "²",
    ],
)
def test_loose_money_is_refused(bad):
    with pytest.raises(ValidationFailed) as refused:
        parse_amount(bad, field="price")
    assert refused.value.field == "price"


@given(st.text())
def test_money_accepts_exactly_the_documented_form(text):
    import re

    if re.fullmatch(r"[0-9]+(\.[0-9]{1,2})?", text) and 0 < int(text.split(".")[0] or 0) < 1000:
        assert parse_amount(text) > 0
    elif not re.fullmatch(r"[0-9]+(\.[0-9]{1,2})?", text):
        with pytest.raises(ValidationFailed):
            parse_amount(text)


@pytest.mark.parametrize("bad", ["a\x00b", "a\ud800", "\udfff"])
def test_unstorable_text_is_refused_naming_the_field(bad):
    with pytest.raises(ValidationFailed) as refused:
        check_text(bad, field="note")
    assert refused.value.field == "note"


def test_payload_checks_name_the_field_and_bound_the_depth():
    assert check_payload({"status": "hello", "poll": {"options": ["a", "b"]}}) is None
    assert check_payload({"poll": {"options": ["a", "b\ud800"]}}) == "poll[options][]"
    assert check_payload({"a\x00": 1}) == "a\x00"
    deep: list = []
    node = deep
    for _ in range(100):
        node.append([])
        node = node[0]
    assert check_payload(deep) == "depth"
