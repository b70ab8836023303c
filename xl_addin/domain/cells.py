"""Raw cell values as every reader delivers them (a 2-D list), turned into typed values or problems.

Both edges hand the core plain 2-D lists of cell values: ``None``/``""`` for blank, ``str``, ``int``,
``float``, ``bool``, ``date``/``datetime`` and :class:`CellError` for Excel error values. This module
is the one place that decides what such a value means.
"""

from __future__ import annotations

import re
from .records import Record
from datetime import date, datetime, timedelta

from .errors import InvalidDate

EXCEL_EPOCH = date(1899, 12, 30)
# Serial numbers of 1990-01-01 and 2100-12-31: a number outside is not a plausible date here.
_SERIAL_MIN, _SERIAL_MAX = 32874, 73415

_MONTHS = {
    "jan": 1, "januari": 1, "feb": 2, "februari": 2, "mar": 3, "mars": 3, "apr": 4, "april": 4,
    "maj": 5, "jun": 6, "juni": 6, "jul": 7, "juli": 7, "aug": 8, "augusti": 8, "sep": 9, "sept": 9,
    "september": 9, "okt": 10, "oktober": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})(?:[ -]+|/)(\d{4})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_WORDED = re.compile(r"^(\d{1,2})\.?\s+([a-zåäö]+)\.?\s+(\d{4})$")
# Day and month without a year (``3/9``, ``30/9``, ``3.9``, ``30 sep``): which year is not guessed.
_NO_YEAR = re.compile(r"^(\d{1,2})\s*[/.-]\s*(\d{1,2})\.?$")
_NO_YEAR_WORDED = re.compile(r"^(\d{1,2})\.?\s*([a-zåäö]+)\.?$")
_SHORT_YEAR = re.compile(r"^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{2})$")


class CellError(Record):
    """An Excel error value (``#N/A``, ``#REF!`` …) found in a cell."""

    code: str = "#N/A"

    def __str__(self) -> str:
        return self.code


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_address(row: int, column: int) -> str:
    """``cell_address(7, 4) == "D7"`` (both 1-based)."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def as_text(value: object) -> str:
    """A cell as text: numbers without a spurious ``.0``, dates as ÅÅÅÅ-MM-DD, blanks as ``""``."""
    if type(value) is str:  # most cells: the same as below, without the other tests
        return value.strip()
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _checked_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidDate("Datumet finns inte. Skriv datum som ÅÅÅÅ-MM-DD.") from None


def as_date(value: object) -> date | None:
    """A cell as a date, ``None`` when blank; raises ``InvalidDate`` with a Swedish reason.

    Accepted: real dates, Excel serial numbers 1990–2100, and text in the unambiguous forms
    ``2026-09-02``, ``20260902``, ``2 sep 2026``/``2 september 2026``, and ``d/m ÅÅÅÅ`` or
    ``d.m.ÅÅÅÅ`` when the day is over 12. ``2/9 2026`` could be 2 September or 9 February and is
    reported, never guessed; so are a day and month without a year (``30/9``: which year?) and a
    two-digit year. Every message says how to write the date.
    """
    if type(value) is date:  # most date cells, as calamine reads them
        return value
    if type(value) is datetime:  # … and as xlwings reads them
        return value.date()
    if is_blank(value):
        return None
    if isinstance(value, CellError):
        raise InvalidDate(f"Cellen innehåller felvärdet {value.code}. Skriv in datumet som ÅÅÅÅ-MM-DD.")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise InvalidDate("Cellen ska innehålla ett datum (ÅÅÅÅ-MM-DD).")
    if isinstance(value, (int, float)):
        if _SERIAL_MIN <= value <= _SERIAL_MAX and float(value).is_integer():
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise InvalidDate("Talet går inte att tolka som ett datum. Skriv datum som ÅÅÅÅ-MM-DD.")
    text = str(value).strip().lower()
    if match := _ISO.match(text) or _COMPACT.match(text):
        year, month, day = (int(part) for part in match.groups())
        return _checked_date(year, month, day)
    if match := _WORDED.match(text):
        day, month_name, year = match.groups()
        if month_name not in _MONTHS:
            raise InvalidDate("Okänt månadsnamn. Skriv datum som ÅÅÅÅ-MM-DD.")
        return _checked_date(int(year), _MONTHS[month_name], int(day))
    if match := _NO_YEAR.match(text):
        first, second = (int(part) for part in match.groups())
        if first <= 12 and second <= 12 and first != second:
            raise InvalidDate(
                "Datumet är tvetydigt och saknar år (dag och månad kan förväxlas). Skriv det som ÅÅÅÅ-MM-DD."
            )
        raise InvalidDate("Datumet är ofullständigt: året saknas. Skriv det som ÅÅÅÅ-MM-DD.")
    if (match := _NO_YEAR_WORDED.match(text)) and match.group(2) in _MONTHS:
        raise InvalidDate("Datumet är ofullständigt: året saknas. Skriv det som ÅÅÅÅ-MM-DD.")
    if _SHORT_YEAR.match(text):
        raise InvalidDate("Året har bara två siffror och kan misstolkas. Skriv datumet som ÅÅÅÅ-MM-DD.")
    if match := _SLASHED.match(text) or _DOTTED.match(text):
        first, second, year = (int(part) for part in match.groups())
        if first <= 12 and second <= 12 and first != second:
            raise InvalidDate(
                "Datumet är tvetydigt (dag och månad kan förväxlas). Skriv det som ÅÅÅÅ-MM-DD."
            )
        return _checked_date(year, second, first)
    raise InvalidDate("Cellen ska innehålla ett datum. Skriv datum som ÅÅÅÅ-MM-DD.")


def as_int(value: object) -> int | None:
    """A cell as a whole number, ``None`` when blank; numbers stored as text are accepted."""
    if is_blank(value):
        return None
    if isinstance(value, CellError):
        raise ValueError(f"Cellen innehåller felvärdet {value.code}.")
    if isinstance(value, bool):
        raise ValueError("Cellen ska innehålla ett heltal.")
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            return int(value)
        raise ValueError("Cellen ska innehålla ett heltal.")
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"\d+", text):
        return int(text)
    raise ValueError("Cellen ska innehålla ett heltal.")
