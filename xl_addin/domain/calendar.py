"""The Swedish working-day calendar: the only module that asks ``holidays`` which days are off.

A working day is Monday–Friday except the public holidays (SFS 1989:253) and midsommarafton,
julafton and nyårsafton, which the annual leave act (SFS 1977:480, 7 §) treats like Sundays
("söndagsregeln"). holidays >= 0.88 files those three eves under ``DE_FACTO``, not ``PUBLIC``; the
version is pinned in ``pyproject.toml`` and ``tests/test_calendar.py`` lists whole years, so a change
in categories shows up as a failing golden date, not as a silently wrong deadline. Saturdays and
Sundays are non-working by weekday: whether ``holidays`` lists all Sundays is not relied on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType

from .errors import InvalidDate

# The years holidays' Sweden knows; outside them it silently returns no holidays at all. Fixed here
# (and checked against holidays by a test) so that importing this module does not import holidays:
# a button click starts a fresh Python, and holidays alone takes ~75 ms to import.
FIRST_YEAR = 1953
LAST_YEAR = 2100

_ONE_DAY = timedelta(days=1)
_ONE_WEEK = timedelta(days=7)
_SATURDAY, _SUNDAY = 5, 6
_WEEKDAY_REASONS = {_SATURDAY: "lördag", _SUNDAY: "söndag"}
# holidays writes names sentence-initially capitalised; mid-sentence only proper nouns keep theirs.
_PROPER_NOUN_PREFIXES = ("Kristi ",)


@lru_cache(maxsize=None)
def _days_off(year: int) -> Mapping[date, str]:
    """Public and de-facto holidays of ``year`` by date, with holidays' Swedish names.

    2000–2060 come from a table generated from holidays (``scripts/generate_days_off.py``; a test
    compares the two), because a button click starts a fresh Python and importing holidays takes
    ~120 ms; other years ask holidays itself.
    """
    from .swedish_days_off import DAYS_OFF

    if year in DAYS_OFF:
        return MappingProxyType(DAYS_OFF[year])
    return MappingProxyType(days_off_from_holidays(year))


def days_off_from_holidays(year: int) -> dict[date, str]:
    """What holidays says for ``year``: the one place the library is asked."""
    import holidays

    calendar = holidays.Sweden(
        years=year,
        categories=(holidays.PUBLIC, holidays.DE_FACTO),
        # Explicit: without it the names follow the process locale (English under LANG=C).
        language="sv",
    )
    return dict(calendar.items())


def _checked(day: date) -> date:
    # A datetime never compares equal to a date, so every holiday lookup would silently miss.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"expected a datetime.date, got {type(day).__name__}")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidDate(
            f"Datumet {day.isoformat()} ligger utanför helgdagskalendern "
            f"({FIRST_YEAR}–{LAST_YEAR})."
        )
    return day


def _holiday_names(day: date) -> str | None:
    return _days_off(day.year).get(day)


def is_working_day(day: date) -> bool:
    """True for Monday–Friday that is no public holiday and not midsommar-, jul- or nyårsafton."""
    _checked(day)
    return day.weekday() < _SATURDAY and _holiday_names(day) is None


def non_working_reason(day: date) -> str | None:
    """Why ``day`` is not a working day, in Swedish for the user; ``None`` on a working day.

    A holiday's name wins over the weekday ("nationaldagen" on Saturday 2026-06-06 rather than
    "lördag"); two holidays on one date are joined with "och" ("första maj och Kristi
    himmelsfärdsdag", 2008).
    """
    _checked(day)
    names = _holiday_names(day)
    if names is not None:
        return " och ".join(_mid_sentence(name) for name in names.split("; "))
    return _WEEKDAY_REASONS.get(day.weekday())


def _mid_sentence(name: str) -> str:
    if name.startswith(_PROPER_NOUN_PREFIXES):
        return name
    return name[:1].lower() + name[1:]


def next_working_day(day: date) -> date:
    """The first working day strictly after ``day`` (exclusive of ``day``, whatever ``day`` is).

    Friday → Monday; Thursday 2025-06-19 → Monday 2025-06-23 (midsommarafton and the weekend).
    """
    candidate = _checked(day) + _ONE_DAY
    while not is_working_day(candidate):
        candidate += _ONE_DAY
    return candidate


def _previous_working_day(day: date) -> date:
    candidate = _checked(day) - _ONE_DAY
    while not is_working_day(candidate):
        candidate -= _ONE_DAY
    return candidate


def add_working_days(day: date, count: int) -> date:
    """The date ``count`` working days from ``day``; ``day`` itself is never counted.

    - ``count > 0``: the count-th working day strictly after ``day``, so
      ``add_working_days(d, 1) == next_working_day(d)``.
    - ``count < 0``: the |count|-th working day strictly before ``day``.
    - ``count == 0``: ``day`` if it is a working day, else the next working day ("due the same day,
      moved forward to a working day"). The result is therefore always a working day, and for a
      working ``d``: ``add_working_days(add_working_days(d, n), -n) == d``.
    """
    _checked(day)
    if count == 0:
        return day if is_working_day(day) else next_working_day(day)
    step = next_working_day if count > 0 else _previous_working_day
    for _ in range(abs(count)):
        day = step(day)
    return day


def weekly_dates(start: date, count: int) -> list[tuple[date, date | None]]:
    """Dates of ``count`` weekly sessions from ``start``: ``(date used, planned date or None)``.

    Session k (0-based) is planned on ``start + 7k``. A week whose date is not a working day is
    skipped: that session and every later one move one week on, so the sessions are the first
    ``count`` working days of the series ``start, start + 7, start + 14, …``. Later sessions cannot
    keep their planned dates: a move of one week always lands on the next session's planned date,
    and this is the simplest rule that never gives two sessions one date, keeps them in order and
    keeps one weekday. The second item is the planned date ``start + 7k`` of a session that moved,
    ``None`` otherwise; a planned date that is itself non-working marks the session that caused the
    move, a working one a session pushed along. ``start`` is session 0 and may move too;
    ``count == 0`` gives ``[]``.

    Raises ``InvalidDate`` when ``start`` is a Saturday or Sunday (no weekly date would ever work).
    """
    _checked(start)
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    if start.weekday() >= _SATURDAY:
        raise InvalidDate(
            f"Startdatumet {start.isoformat()} är en {_WEEKDAY_REASONS[start.weekday()]}. "
            "Välj en vardag."
        )
    sessions: list[tuple[date, date | None]] = []
    candidate = start
    for k in range(count):
        # Terminates: the same weekday is never a holiday more than two weeks running (jul/nyår).
        while not is_working_day(candidate):
            candidate += _ONE_WEEK
        planned = start + k * _ONE_WEEK
        sessions.append((candidate, planned if candidate != planned else None))
        candidate += _ONE_WEEK
    return sessions
