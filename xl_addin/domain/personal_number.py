"""Swedish personnummer and samordningsnummer: parsing, validation and masking.

Rules (Skatteverket, SKV 704): ``YYMMDD-NNNC`` with ``+`` instead of ``-`` from the year the person
turns 100, or the 12-digit form ``YYYYMMDD-NNNC``. ``C`` is a Luhn check digit over the nine digits
``YYMMDDNNN``. A samordningsnummer adds 60 to the day. Anything else (regional reserve numbers,
typos) is reported, never silently corrected.
"""

from __future__ import annotations

import re
from datetime import date

from .errors import InvalidPersonalNumber
from .records import Record

# ASCII only: ``\d`` alone also matches full-width and other Unicode digits, which ``int()`` accepts.
_SHAPE = re.compile(r"^(\d{2})?(\d{6})([-+]?)(\d{4})$", re.ASCII)
COORDINATION_DAY_OFFSET = 60


class PersonalNumber(Record):
    """A validated number, always held in its 12-digit form ``YYYYMMDDNNNC``.

    Ordered by its digits (as ``@dataclass(order=True)`` orders it); its hash is the digits' (a person is
    looked up by it in every task key, set and JSON value of a click)."""

    digits: str

    def __init__(self, digits: str) -> None:
        self.__dict__["digits"] = digits

    def __eq__(self, other: object) -> bool:
        if other.__class__ is PersonalNumber:
            return self.digits == other.digits
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.digits)

    def __lt__(self, other: object) -> bool:
        if other.__class__ is PersonalNumber:
            return self.digits < other.digits
        return NotImplemented

    def __le__(self, other: object) -> bool:
        if other.__class__ is PersonalNumber:
            return self.digits <= other.digits
        return NotImplemented

    def __gt__(self, other: object) -> bool:
        if other.__class__ is PersonalNumber:
            return self.digits > other.digits
        return NotImplemented

    def __ge__(self, other: object) -> bool:
        if other.__class__ is PersonalNumber:
            return self.digits >= other.digits
        return NotImplemented

    @property
    def is_coordination_number(self) -> bool:
        return int(self.digits[6:8]) > COORDINATION_DAY_OFFSET

    @property
    def birth_date(self) -> date:
        day = int(self.digits[6:8])
        if day > COORDINATION_DAY_OFFSET:
            day -= COORDINATION_DAY_OFFSET
        return date(int(self.digits[0:4]), int(self.digits[4:6]), day)

    def __str__(self) -> str:
        return f"{self.digits[:8]}-{self.digits[8:]}"

    @property
    def masked(self) -> str:
        """The form shown in terminals: ``20120315-****``."""
        return f"{self.digits[:8]}-****"


# A digit's character code → the digit sum of the digit doubled (7 → 14 → 5).
_DOUBLED_DIGIT_SUM = bytes.maketrans(b"0123456789", bytes([0, 2, 4, 6, 8, 1, 3, 5, 7, 9]))


def _check_digit(digits: bytes) -> int:
    """The Luhn check digit over the first nine of ``digits`` (ASCII digits): weights 2,1,2,…, the
    doubled ones by a table; the undoubled ones' character codes summed, less ``"0"``'s (48) four times."""
    total = sum(digits[0:9:2].translate(_DOUBLED_DIGIT_SUM)) + sum(digits[1:9:2]) - 4 * 48
    return -total % 10


def luhn_check_digit(nine_digits: str) -> int:
    """The check digit for ``YYMMDDNNN``: weights 2,1,2,…; digit sums of the products."""
    if not (nine_digits.isascii() and nine_digits.isdigit() and len(nine_digits) == 9):
        raise ValueError("a check digit is computed over nine ASCII digits")
    return _check_digit(nine_digits.encode("ascii"))


def _valid_birth_date(year: int, month: int, day: int) -> bool:
    if day > COORDINATION_DAY_OFFSET:
        day -= COORDINATION_DAY_OFFSET
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def normalise_input(value: object) -> str:
    """The text a user meant: numbers typed into Excel come back as floats without leading zeros."""
    if type(value) is str:  # the usual cell: the same as the last line
        return value.strip().replace(" ", "")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        text = str(value)
        # A 10-digit number born 2000–2009 loses its leading zeros when stored as a number: one for
        # 2001–2009, two or three for 2000 (``000105…`` becomes 7 digits, ``001105…`` 8).
        return text.zfill(10) if 7 <= len(text) <= 9 else text
    return str(value).strip().replace(" ", "")


def parse_personal_number(value: object, *, today: date) -> PersonalNumber:
    """Parse a personnummer typed in any accepted form; ``today`` decides the century of 10 digits.

    Raises ``InvalidPersonalNumber`` with a Swedish reason; the message never repeats the number.
    """
    if type(value) is str:
        number = usual_personal_number(value)
        if number is not None:
            return number
    return _parse_any_form(value, today)


def usual_personal_number(text: str) -> PersonalNumber | None:
    """``text`` in the form nearly every cell has, ``ÅÅÅÅMMDD-NNNN``, when it is a valid number: what
    ``parse_personal_number`` gives it, with less work (a sheet of new participants is mostly this).
    ``None`` for anything else, valid or not: the general way decides (and says why not)."""
    if len(text) != 13 or text[8] != "-":
        return None
    digits = text[:8] + text[9:]
    if not (digits.isascii() and digits.isdigit()) or digits[4:8] not in _MONTH_DAYS:
        return None
    if digits[4:8] in _LEAP_DAYS or digits[0:4] == "0000":  # whether the year has the day: as date() says
        if not _valid_birth_date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8])):
            return None
    if _check_digit(digits[2:11].encode("ascii")) == ord(digits[11]) - 48:
        return PersonalNumber(digits)
    return None


# Every MMDD a date can have, and a samordningsnummer's (the day plus 60); 29 February is checked against
# the year where it is read (_LEAP_DAYS).
_MONTH_DAYS = frozenset(
    f"{month:02d}{day + offset:02d}"
    for month, days in enumerate((31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31), start=1)
    for day in range(1, days + 1) for offset in (0, COORDINATION_DAY_OFFSET)
)
_LEAP_DAYS = frozenset({"0229", f"02{29 + COORDINATION_DAY_OFFSET}"})


def _parse_any_form(value: object, today: date) -> PersonalNumber:
    text = normalise_input(value)
    match = _SHAPE.match(text)
    if not match:
        raise InvalidPersonalNumber(
            "Personnumret har fel form. Skriv ÅÅÅÅMMDD-NNNN (12 siffror) eller ÅÅMMDD-NNNN."
        )
    century, yymmdd, separator, last_four = match.groups()
    yy, month_day = divmod(int(yymmdd), 10000)
    month, day = divmod(month_day, 100)
    if century is None:
        year = (today.year // 100) * 100 + yy
        if separator == "+":  # from the year the person turns 100: counted in whole years
            year -= 100 if year <= today.year else 200
        else:
            birth_day = day - COORDINATION_DAY_OFFSET if day > COORDINATION_DAY_OFFSET else day
            if (year, month, birth_day) > (today.year, today.month, today.day):  # not born yet: last century
                year -= 100
    else:
        if separator == "+":
            raise InvalidPersonalNumber(
                "Personnumret har 12 siffror och '+'. Använd '-' i 12-siffrig form."
            )
        year = int(century) * 100 + yy
    if not _valid_birth_date(year, month, day):
        raise InvalidPersonalNumber("Personnumret innehåller ett datum som inte finns.")
    ten = (yymmdd + last_four).encode("ascii")  # ASCII digits: the shape says so
    if _check_digit(ten) != ten[9] - 48:
        raise InvalidPersonalNumber("Personnumrets kontrollsiffra stämmer inte. Kontrollera siffrorna.")
    if century is not None:
        return PersonalNumber(century + yymmdd + last_four)  # the year as written
    return PersonalNumber(f"{year:04d}{yymmdd[2:]}{last_four}")


def make_personal_number(birth: date, serial: int) -> PersonalNumber:
    """A valid number for ``birth`` with the three-digit ``serial``; used for fictional data."""
    if not 0 <= serial <= 999:
        raise ValueError(f"serial must be 0..999, got {serial}")
    yymmdd = birth.strftime("%y%m%d")
    nine = f"{yymmdd}{serial:03d}"
    return PersonalNumber(f"{birth:%Y%m%d}{serial:03d}{luhn_check_digit(nine)}")
