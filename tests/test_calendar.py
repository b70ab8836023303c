"""The Swedish working-day calendar: golden years 2025–2027, boundaries, and invariants."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_addin.domain.calendar import (
    add_working_days,
    is_working_day,
    next_working_day,
    non_working_reason,
    weekly_dates,
)
from xl_addin.domain.errors import InvalidDate

# Every Monday–Friday that is not a working day, from the official list (Easter Sunday 2025-04-20,
# 2026-04-05, 2027-03-28). Holidays that fall on a weekend are in WEEKEND_HOLIDAYS below.
NON_WORKING_WEEKDAYS = {
    2025: {
        date(2025, 1, 1): "nyårsdagen",
        date(2025, 1, 6): "trettondedag jul",
        date(2025, 4, 18): "långfredagen",
        date(2025, 4, 21): "annandag påsk",
        date(2025, 5, 1): "första maj",
        date(2025, 5, 29): "Kristi himmelsfärdsdag",
        date(2025, 6, 6): "nationaldagen",
        date(2025, 6, 20): "midsommarafton",
        date(2025, 12, 24): "julafton",
        date(2025, 12, 25): "juldagen",
        date(2025, 12, 26): "annandag jul",
        date(2025, 12, 31): "nyårsafton",
    },
    2026: {
        date(2026, 1, 1): "nyårsdagen",
        date(2026, 1, 6): "trettondedag jul",
        date(2026, 4, 3): "långfredagen",
        date(2026, 4, 6): "annandag påsk",
        date(2026, 5, 1): "första maj",
        date(2026, 5, 14): "Kristi himmelsfärdsdag",
        date(2026, 6, 19): "midsommarafton",
        date(2026, 12, 24): "julafton",
        date(2026, 12, 25): "juldagen",
        date(2026, 12, 31): "nyårsafton",
    },
    2027: {
        date(2027, 1, 1): "nyårsdagen",
        date(2027, 1, 6): "trettondedag jul",
        date(2027, 3, 26): "långfredagen",
        date(2027, 3, 29): "annandag påsk",
        date(2027, 5, 6): "Kristi himmelsfärdsdag",
        date(2027, 6, 25): "midsommarafton",
        date(2027, 12, 24): "julafton",
        date(2027, 12, 31): "nyårsafton",
    },
}

# Holidays on a Saturday or Sunday: the holiday's name is the reason given, not the weekday.
WEEKEND_HOLIDAYS = {
    date(2025, 4, 20): "påskdagen",
    date(2025, 6, 8): "pingstdagen",
    date(2025, 6, 21): "midsommardagen",
    date(2025, 11, 1): "alla helgons dag",
    date(2026, 4, 5): "påskdagen",
    date(2026, 5, 24): "pingstdagen",
    date(2026, 6, 6): "nationaldagen",  # Saturday
    date(2026, 6, 20): "midsommardagen",
    date(2026, 10, 31): "alla helgons dag",
    date(2026, 12, 26): "annandag jul",  # Saturday
    date(2027, 3, 28): "påskdagen",
    date(2027, 5, 1): "första maj",  # Saturday
    date(2027, 5, 16): "pingstdagen",
    date(2027, 6, 6): "nationaldagen",  # Sunday
    date(2027, 6, 26): "midsommardagen",
    date(2027, 11, 6): "alla helgons dag",
    date(2027, 12, 25): "juldagen",  # Saturday
    date(2027, 12, 26): "annandag jul",  # Sunday
}


def _days_of(year: int) -> list[date]:
    day, days = date(year, 1, 1), []
    while day.year == year:
        days.append(day)
        day += timedelta(days=1)
    return days


@pytest.mark.parametrize("year", sorted(NON_WORKING_WEEKDAYS))
def test_the_non_working_weekdays_of_a_year_are_exactly_the_official_list(year):
    found = {
        day: non_working_reason(day)
        for day in _days_of(year)
        if day.weekday() < 5 and not is_working_day(day)
    }
    assert found == NON_WORKING_WEEKDAYS[year]


@pytest.mark.parametrize("year", sorted(NON_WORKING_WEEKDAYS))
def test_every_saturday_and_sunday_is_non_working_with_a_reason(year):
    for day in _days_of(year):
        if day.weekday() >= 5:
            assert not is_working_day(day)
            expected = WEEKEND_HOLIDAYS.get(day, "lördag" if day.weekday() == 5 else "söndag")
            assert non_working_reason(day) == expected, day


@pytest.mark.parametrize(
    "description, day",
    [
        ("skärtorsdagen", date(2027, 3, 25)),
        ("trettondagsafton (a bank half day only)", date(2026, 1, 5)),
        ("valborgsmässoafton", date(2026, 4, 30)),
        ("the day before midsommarafton", date(2026, 6, 18)),
        ("the day before julafton", date(2026, 12, 23)),
        ("the day before nyårsafton", date(2026, 12, 30)),
        ("annandag pingst, no holiday since 2005", date(2026, 5, 25)),
    ],
)
def test_eves_and_half_days_are_working_days(description, day):
    assert is_working_day(day)
    assert non_working_reason(day) is None


@pytest.mark.parametrize(
    "description, day, expected",
    [
        ("Thursday before midsommarafton 2025", date(2025, 6, 19), date(2025, 6, 23)),
        ("an ordinary Friday registers the following Monday", date(2025, 3, 14), date(2025, 3, 17)),
        ("an ordinary Tuesday", date(2025, 3, 11), date(2025, 3, 12)),
        ("a Saturday", date(2025, 3, 15), date(2025, 3, 17)),
        ("Thursday before midsommarafton 2026", date(2026, 6, 18), date(2026, 6, 22)),
        ("Wednesday before julafton 2026", date(2026, 12, 23), date(2026, 12, 28)),
        ("nyårsafton, nyårsdagen and a weekend", date(2026, 12, 30), date(2027, 1, 4)),
        ("skärtorsdagen: långfredagen to annandag påsk", date(2027, 3, 25), date(2027, 3, 30)),
        ("from a holiday itself", date(2027, 3, 26), date(2027, 3, 30)),
        ("Wednesday before Kristi himmelsfärdsdag 2026", date(2026, 5, 13), date(2026, 5, 15)),
    ],
)
def test_next_working_day(description, day, expected):
    assert next_working_day(day) == expected
    assert add_working_days(day, 1) == expected


@pytest.mark.parametrize(
    "description, day, count, expected",
    [
        ("zero on a working day is the day itself", date(2025, 6, 19), 0, date(2025, 6, 19)),
        ("zero on midsommarafton moves forward", date(2025, 6, 20), 0, date(2025, 6, 23)),
        ("zero on a Sunday moves forward", date(2025, 3, 16), 0, date(2025, 3, 17)),
        ("three across midsommar", date(2025, 6, 19), 3, date(2025, 6, 25)),
        ("seven across Christmas and nyår 2026", date(2026, 12, 21), 7, date(2027, 1, 5)),
        ("back one across midsommar", date(2025, 6, 23), -1, date(2025, 6, 19)),
        ("back one across nyår", date(2027, 1, 4), -1, date(2026, 12, 30)),
        ("back one from a Saturday", date(2025, 3, 15), -1, date(2025, 3, 14)),
        ("back two from annandag påsk", date(2027, 3, 29), -2, date(2027, 3, 24)),
    ],
)
def test_add_working_days(description, day, count, expected):
    assert add_working_days(day, count) == expected


S = None  # readability in the weekly tables: the session kept its planned date


@pytest.mark.parametrize(
    "description, start, count, expected",
    [
        (
            "no holidays: every session on its planned date",
            date(2026, 9, 2),
            3,
            [(date(2026, 9, 2), S), (date(2026, 9, 9), S), (date(2026, 9, 16), S)],
        ),
        (
            "midsommarafton skips a week, later sessions follow",
            date(2026, 6, 5),
            4,
            [
                (date(2026, 6, 5), S),
                (date(2026, 6, 12), S),
                (date(2026, 6, 26), date(2026, 6, 19)),
                (date(2026, 7, 3), date(2026, 6, 26)),
            ],
        ),
        (
            "julafton and nyårsafton on two Thursdays running",
            date(2026, 12, 10),
            5,
            [
                (date(2026, 12, 10), S),
                (date(2026, 12, 17), S),
                (date(2027, 1, 7), date(2026, 12, 24)),
                (date(2027, 1, 14), date(2026, 12, 31)),
                (date(2027, 1, 21), date(2027, 1, 7)),
            ],
        ),
        (
            "the last session moves two weeks, past julafton and nyårsafton 2025",
            date(2025, 12, 10),
            3,
            [
                (date(2025, 12, 10), S),
                (date(2025, 12, 17), S),
                (date(2026, 1, 7), date(2025, 12, 24)),
            ],
        ),
        (
            "annandag påsk on a Monday group",
            date(2027, 3, 22),
            3,
            [
                (date(2027, 3, 22), S),
                (date(2027, 4, 5), date(2027, 3, 29)),
                (date(2027, 4, 12), date(2027, 4, 5)),
            ],
        ),
        (
            "långfredagen on a Friday group",
            date(2027, 3, 19),
            2,
            [(date(2027, 3, 19), S), (date(2027, 4, 2), date(2027, 3, 26))],
        ),
        (
            "skärtorsdagen is a working day",
            date(2027, 3, 18),
            2,
            [(date(2027, 3, 18), S), (date(2027, 3, 25), S)],
        ),
        (
            "a start on Kristi himmelsfärdsdag moves the first session",
            date(2026, 5, 14),
            2,
            [(date(2026, 5, 21), date(2026, 5, 14)), (date(2026, 5, 28), date(2026, 5, 21))],
        ),
        ("no sessions", date(2026, 9, 2), 0, []),
    ],
)
def test_weekly_dates(description, start, count, expected):
    assert weekly_dates(start, count) == expected


def test_weekly_dates_refuses_a_weekend_start():
    with pytest.raises(InvalidDate, match="lördag"):
        weekly_dates(date(2026, 9, 5), 3)


def test_weekly_dates_refuses_a_negative_count():
    with pytest.raises(ValueError):
        weekly_dates(date(2026, 9, 2), -1)


def test_a_datetime_is_refused_rather_than_silently_missing_every_holiday():
    with pytest.raises(TypeError):
        is_working_day(datetime(2025, 12, 24, 0, 0))


@pytest.mark.parametrize("day", [date(1952, 12, 31), date(2101, 1, 1)])
def test_a_year_the_holiday_calendar_does_not_know_is_a_user_error(day):
    with pytest.raises(InvalidDate, match="utanför helgdagskalendern"):
        is_working_day(day)


def test_only_the_calendar_module_uses_holidays():
    package = Path(__file__).resolve().parents[1] / "xl_addin"
    users = {
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if "import holidays" in path.read_text(encoding="utf-8")
        or "from holidays" in path.read_text(encoding="utf-8")
    }
    assert users == {"domain/calendar.py"}


# -- invariants ------------------------------------------------------------------------------------
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
working_days = days.filter(is_working_day)
weekdays = days.filter(lambda day: day.weekday() < 5)


@given(days)
def test_next_working_day_is_the_first_working_day_strictly_after(day):
    result = next_working_day(day)
    assert result > day
    assert is_working_day(result)
    between = day + timedelta(days=1)
    while between < result:
        assert not is_working_day(between)
        between += timedelta(days=1)


@given(days)
def test_adding_zero_gives_the_first_working_day_on_or_after(day):
    result = add_working_days(day, 0)
    assert is_working_day(result)
    assert result == (day if is_working_day(day) else next_working_day(day))


@given(days, st.integers(min_value=1, max_value=60))
def test_adding_n_working_days_passes_exactly_n_working_days(day, count):
    forward = add_working_days(day, count)
    backward = add_working_days(day, -count)
    assert is_working_day(forward) and is_working_day(backward)
    assert backward < day < forward
    assert _working_days_in(day + timedelta(days=1), forward) == count
    assert _working_days_in(backward, day - timedelta(days=1)) == count


@given(working_days, st.integers(min_value=-60, max_value=60))
def test_adding_then_subtracting_returns_to_a_working_day(day, count):
    assert add_working_days(add_working_days(day, count), -count) == day


@given(days, st.integers(min_value=1, max_value=30), st.integers(min_value=1, max_value=30))
def test_adding_in_two_steps_equals_adding_at_once(day, first, second):
    in_two_steps = add_working_days(add_working_days(day, first), second)
    assert in_two_steps == add_working_days(day, first + second)


@given(weekdays, st.integers(min_value=0, max_value=20))
def test_weekly_dates_are_count_increasing_working_days_on_the_start_weekday(start, count):
    sessions = weekly_dates(start, count)
    used = [session for session, _ in sessions]
    assert len(sessions) == count
    assert all(a < b for a, b in zip(used, used[1:]))
    assert all(is_working_day(day) and day.weekday() == start.weekday() for day in used)
    for k, (session, planned) in enumerate(sessions):
        regular = start + timedelta(weeks=k)
        assert planned == (None if session == regular else regular)
    # Nothing skipped but non-working weeks: the sessions are the first `count` working weeks.
    week, expected = start, []
    while len(expected) < count:
        if is_working_day(week):
            expected.append(week)
        week += timedelta(weeks=1)
    assert used == expected


def _working_days_in(first: date, last: date) -> int:
    """Working days in the inclusive interval [first, last]."""
    total, day = 0, first
    while day <= last:
        total += is_working_day(day)
        day += timedelta(days=1)
    return total


def test_the_fixed_year_range_is_the_one_holidays_knows():
    import holidays

    from xl_addin.domain import calendar

    assert (calendar.FIRST_YEAR, calendar.LAST_YEAR) == (holidays.Sweden.start_year, holidays.Sweden.end_year)


def test_the_generated_table_is_what_holidays_says():
    """``swedish_days_off.py`` saves a click the holidays import; it must never drift from holidays."""
    from xl_addin.domain.calendar import days_off_from_holidays
    from xl_addin.domain.swedish_days_off import DAYS_OFF

    assert sorted(DAYS_OFF) == list(range(2000, 2061))
    for year, days in DAYS_OFF.items():
        assert days == days_off_from_holidays(year), f"run scripts/generate_days_off.py ({year})"
