"""Parsing personnummer and samordningsnummer in every form a user or Excel gives them."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_addin.domain.errors import InvalidPersonalNumber
from xl_addin.domain.personal_number import (
    PersonalNumber,
    luhn_check_digit,
    make_personal_number,
    parse_personal_number,
)

TODAY = date(2026, 3, 1)


def luhn_valid(ten_digits: str) -> bool:
    """Textbook Luhn, not the code under test's: double every second digit from the right."""
    total = 0
    for position, char in enumerate(reversed(ten_digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def with_check_digit(nine_digits: str) -> str:
    """``YYMMDDNNN`` plus the one check digit that makes it Luhn-valid."""
    (digit,) = [d for d in "0123456789" if luhn_valid(nine_digits + d)]
    return nine_digits + digit


def test_the_independent_luhn_agrees_with_skatteverkets_example():
    assert luhn_valid("8112189876")
    assert with_check_digit("811218987") == "8112189876"


def _ten_form(ten_digits: str, separator: str = "-") -> str:
    return f"{ten_digits[:6]}{separator}{ten_digits[6:]}"


CHILD = with_check_digit("120315000")  # born 2012-03-15
BORN_2005 = with_check_digit("050714123")  # loses one leading zero as a number
BORN_2000_JAN = with_check_digit("000105123")  # loses three: 7 digits as a number
BORN_2000_NOV = with_check_digit("001105123")  # loses two: 8 digits as a number
COORDINATION = with_check_digit("811278987")  # day 18 + 60
LEAP_2000 = with_check_digit("000229123")


@pytest.mark.parametrize(
    "description, value, expected",
    [
        ("12 digits with hyphen", "19811218-9876", "198112189876"),
        ("12 digits without separator", "198112189876", "198112189876"),
        ("10 digits with hyphen", "811218-9876", "198112189876"),
        ("10 digits without separator", "8112189876", "198112189876"),
        ("10 digits with plus: 100 or older", "811218+9876", "188112189876"),
        ("surrounding spaces", "  811218-9876 ", "198112189876"),
        ("surrounding tab and newline", "\t19811218-9876\n", "198112189876"),
        ("a child, 12 digits", f"2012{CHILD[2:6]}-{CHILD[6:]}", "20" + CHILD),
        ("a child, 10 digits", _ten_form(CHILD), "20" + CHILD),
        ("12 digits stored as an Excel number", float("20" + CHILD), "20" + CHILD),
        ("12 digits as an int", int("20" + CHILD), "20" + CHILD),
        ("10 digits as an Excel number", float("8112189876"), "198112189876"),
        ("10 digits that lost one leading zero", float(BORN_2005), "20" + BORN_2005),
        ("10 digits that lost one leading zero, int", int(BORN_2005), "20" + BORN_2005),
        ("born January 2000, three zeros lost", float(BORN_2000_JAN), "20" + BORN_2000_JAN),
        ("born November 2000, two zeros lost", int(BORN_2000_NOV), "20" + BORN_2000_NOV),
        ("samordningsnummer, 10 digits", _ten_form(COORDINATION), "19" + COORDINATION),
        ("samordningsnummer, 12 digits", "19" + COORDINATION, "19" + COORDINATION),
        ("leap day 2000", _ten_form(LEAP_2000), "20" + LEAP_2000),
    ],
)
def test_valid_numbers_parse_to_twelve_digits(description, value, expected):
    assert parse_personal_number(value, today=TODAY).digits == expected


def _ten(nine: str, separator: str = "-") -> str:
    """The 10-digit text form of ``YYMMDDNNN`` with its check digit."""
    return _ten_form(with_check_digit(nine), separator)


@pytest.mark.parametrize(
    "description, value, today, expected_year",
    [
        ("born today", _ten("260301123"), date(2026, 3, 1), 2026),
        ("yy above this year's means last century", _ten("270101123"), date(2026, 3, 1), 1927),
        ("yy 99 in 2026", _ten("991231123"), date(2026, 3, 1), 1999),
        ("yy 00 in 2026", _ten("000101123"), date(2026, 3, 1), 2000),
        ("yy 99 at the end of 2099", _ten("991231123"), date(2099, 12, 31), 2099),
        ("yy 00 in 2099", _ten("000101123"), date(2099, 12, 31), 2000),
        ("plus: one more century back", _ten("120315123", "+"), date(2026, 3, 1), 1912),
        ("plus in 2099: 1900s", _ten("991231123", "+"), date(2099, 12, 31), 1999),
        ("turning 100 this year uses plus", _ten("261231123", "+"), date(2026, 3, 1), 1926),
    ],
)
def test_ten_digits_take_their_century_from_today(description, value, today, expected_year):
    assert parse_personal_number(value, today=today).birth_date.year == expected_year


@pytest.mark.parametrize(
    "description, value, reason",
    [
        ("bad check digit", "811218-9875", "kontrollsiffra"),
        ("bad check digit, 12 digits", "19811218-9870", "kontrollsiffra"),
        ("February 30", _ten("810230123"), "datum som inte finns"),
        ("month 13", _ten("811318123"), "datum som inte finns"),
        ("month 00", _ten("810018123"), "datum som inte finns"),
        ("day 00", _ten("811200123"), "datum som inte finns"),
        ("day 32", _ten("811232123"), "datum som inte finns"),
        ("samordningsnummer February 30 (day 90)", _ten("810290123"), "datum som inte finns"),
        ("day 60 is neither kind", _ten("811260123"), "datum som inte finns"),
        ("February 29 in 1900", "19" + with_check_digit("000229123"), "datum som inte finns"),
        ("12 digits with plus", "19811218+9876", "'+'"),
        ("letters in the serial, reserve-number-like", "811218-98A6", "fel form"),
        ("letters first", "R811218-9876", "fel form"),
        ("a regional reserve number", "99RES0012345", "fel form"),
        ("too short", "811218-987", "fel form"),
        ("nine digits as text", "811218987", "fel form"),
        ("eleven digits", "19811218987", "fel form"),
        ("too long", "19811218-98765", "fel form"),
        ("two separators", "811218--9876", "fel form"),
        ("separator in the wrong place", "81121-89876", "fel form"),
        ("slash as separator", "811218/9876", "fel form"),
        ("full-width digits", "８１１２１８-９８７６", "fel form"),
        ("empty text", "", "fel form"),
        ("only spaces", "   ", "fel form"),
        ("an empty cell", None, "fel form"),
        ("a boolean cell", True, "fel form"),
        ("a fraction", 8112189876.5, "fel form"),
        ("a negative number", -8112189876, "fel form"),
        ("a short number", 123456, "fel form"),
    ],
)
def test_invalid_numbers_are_reported_with_a_reason(description, value, reason):
    with pytest.raises(InvalidPersonalNumber, match=re.escape(reason)) as raised:
        parse_personal_number(value, today=TODAY)
    assert_message_hides_the_number(str(raised.value), value)


def assert_message_hides_the_number(message: str, value: object) -> None:
    # The fixed wording has "12 siffror"; no run of three digits can belong to it.
    assert not re.search(r"\d{3,}", message), message
    digits = re.sub(r"\D", "", str(value))
    if len(digits) >= 4:
        assert digits[-4:] not in message


def test_the_number_knows_its_birth_date_and_kind():
    number = parse_personal_number(_ten_form(COORDINATION), today=TODAY)
    assert number.is_coordination_number
    assert number.birth_date == date(1981, 12, 18)
    plain = parse_personal_number("811218-9876", today=TODAY)
    assert not plain.is_coordination_number
    assert str(plain) == "19811218-9876"
    assert plain.masked == "19811218-****"
    assert plain == PersonalNumber("198112189876")


def test_make_personal_number_refuses_a_four_digit_serial():
    with pytest.raises(ValueError):
        make_personal_number(date(2012, 3, 15), 1000)


# -- properties ------------------------------------------------------------------------------------
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31))
serials = st.integers(min_value=0, max_value=999)


@given(births, serials)
def test_a_made_number_is_luhn_valid_by_the_textbook_method(birth, serial):
    number = make_personal_number(birth, serial)
    assert luhn_valid(number.digits[2:])
    assert number.birth_date == birth


@given(births, serials)
def test_a_made_number_parses_back_from_twelve_digits(birth, serial):
    number = make_personal_number(birth, serial)
    assert parse_personal_number(str(number), today=TODAY) == number
    assert parse_personal_number(number.digits, today=TODAY) == number
    assert parse_personal_number(int(number.digits), today=TODAY) == number
    assert parse_personal_number(float(number.digits), today=TODAY) == number


@given(births, serials, st.data())
def test_a_made_number_parses_back_from_ten_digits(birth, serial, data):
    number = make_personal_number(birth, serial)
    today = data.draw(st.dates(min_value=birth, max_value=date(birth.year + 199, 12, 31)))
    separator = "+" if today.year - birth.year >= 100 else "-"
    ten = number.digits[2:]
    assert parse_personal_number(f"{ten[:6]}{separator}{ten[6:]}", today=today) == number
    if separator == "-":
        assert parse_personal_number(ten, today=today) == number
        assert parse_personal_number(float(ten), today=today) == number


positions = st.integers(min_value=0, max_value=9)
shifts = st.integers(min_value=1, max_value=9)


@given(births, serials, positions, shifts)
def test_changing_any_one_of_the_ten_digits_is_caught(birth, serial, position, shift):
    ten = make_personal_number(birth, serial).digits[2:]
    changed = ten[:position] + str((int(ten[position]) + shift) % 10) + ten[position + 1 :]
    century = str(birth.year)[:2]
    for value in (f"{changed[:6]}-{changed[6:]}", changed, century + changed):
        with pytest.raises(InvalidPersonalNumber) as raised:
            parse_personal_number(value, today=TODAY)
        assert_message_hides_the_number(str(raised.value), value)


def test_ten_digits_born_later_this_year_belong_to_the_last_century():
    from datetime import date

    from xl_addin.domain.personal_number import make_personal_number, parse_personal_number

    later = make_personal_number(date(1926, 12, 1), 123)
    earlier = make_personal_number(date(2026, 2, 1), 123)
    ten = lambda number: f"{number.digits[2:8]}-{number.digits[8:]}"  # noqa: E731
    assert parse_personal_number(ten(later), today=date(2026, 3, 1)) == later
    assert parse_personal_number(ten(earlier), today=date(2026, 3, 1)) == earlier
    assert parse_personal_number(ten(earlier), today=date(2026, 2, 1)) == earlier  # born today


def _made(birth: date, serial: int, coordination: bool) -> str:
    """``ÅÅÅÅMMDD-NNNN`` of a valid number, or of the samordningsnummer of that birth date (day + 60)."""
    if not coordination:
        return str(make_personal_number(birth, serial))
    yymmdd = f"{birth:%y%m}{birth.day + 60:02d}"
    return f"{birth:%Y%m}{birth.day + 60:02d}-{serial:03d}{luhn_check_digit(yymmdd + f'{serial:03d}')}"


# ÅÅÅÅMMDD?NNNN: made numbers (valid, samordningsnummer too), one digit changed, or any digits
_THIRTEEN = st.one_of(
    st.builds(_made, births, serials, st.booleans()),
    st.builds(lambda birth, serial, at, digit: (lambda t: t[:at] + digit + t[at + 1:])(str(make_personal_number(birth, serial))),
              births, serials, st.sampled_from([0, 2, 4, 6, 7, 9, 12]), st.sampled_from("0123456789")),
    st.builds(lambda first, last: first + "-" + last, st.text("0123456789", min_size=8, max_size=8),
              st.text("0123456789", min_size=4, max_size=4)),
)


@given(_THIRTEEN, st.sampled_from("-+ 0"), st.sampled_from([date(2026, 10, 14), date(2001, 1, 1)]))
def test_the_usual_form_is_read_as_any_form_is(thirteen, separator, today):
    """``ÅÅÅÅMMDD-NNNN`` takes a shorter way (most cells): the same number, or the same refusal, as the
    way every other form takes, for valid and invalid dates and check digits alike."""
    from xl_addin.domain.personal_number import _parse_any_form

    text = thirteen[:8] + separator + thirteen[9:]

    def outcome(parse):
        try:
            return parse().digits
        except InvalidPersonalNumber as refused:
            return str(refused)

    assert outcome(lambda: parse_personal_number(text, today=today)) == outcome(lambda: _parse_any_form(text, today))
