"""Ny grupp: sheets for new Grupper rows, weekly dates moved off holidays with the move reported."""

from datetime import date

import pytest

from xl_addin import services
from xl_addin.domain.new_groups import plan_new_groups

from .builders import group, sheet, weekly, workbook


def _dates(start: date, count: int):
    decision, sheets = plan_new_groups(workbook([group("NY", start=start, sessions=count)]), date(2026, 1, 1))
    return [row["Datum"] for row in decision.rows], [row["Flyttad"] for row in decision.rows], sheets


@pytest.mark.parametrize(
    "description, start, count, expected_dates, moved",
    [
        ("midsommar week: Friday 2026-06-19 is midsommarafton", date(2026, 6, 12), 3,
         [date(2026, 6, 12), date(2026, 6, 26), date(2026, 7, 3)], [1, 2]),  # the third is pushed along
        ("Christmas: two Thursdays in a row are julafton and nyårsafton", date(2026, 12, 17), 3,
         [date(2026, 12, 17), date(2027, 1, 7), date(2027, 1, 14)], [1, 2]),
        ("Easter 2027: Good Friday 2027-03-26", date(2027, 3, 19), 2, [date(2027, 3, 19), date(2027, 4, 2)], [1]),
        ("Easter Monday 2027-03-29", date(2027, 3, 22), 2, [date(2027, 3, 22), date(2027, 4, 5)], [1]),
        ("an ordinary autumn", date(2026, 9, 2), 3, weekly(date(2026, 9, 2), 3), []),
    ],
)
def test_weekly_dates_move_off_non_working_days(description, start, count, expected_dates, moved):
    dates, moves, sheets = _dates(start, count)
    assert dates == expected_dates, description
    assert [index for index, text in enumerate(moves) if text] == moved
    assert sheets[0].session_dates == tuple(expected_dates)


def test_the_move_says_why():
    _dates_, moves, _ = _dates(date(2026, 6, 12), 3)
    assert moves[1] == "flyttad från 2026-06-19 (midsommarafton)"


def test_the_sheet_gets_the_title_and_name():
    *_, sheets = _dates(date(2026, 9, 2), 2)
    assert (sheets[0].name, sheets[0].title) == ("NY", "ADHD Ung – NY")


def test_groups_with_a_sheet_or_errors_get_none():
    book = workbook(
        [group("HAR", start=date(2026, 9, 2)), group("FEL", start=date(2026, 9, 2), has_errors=True, row=3)],
        [sheet("HAR", weekly(date(2026, 9, 2), 3))],
    )
    decision, sheets = plan_new_groups(book, date(2026, 9, 1))
    assert sheets == ()
    assert decision.problems == [] and decision.counts == {"hoppades över": 1}  # the reader reports the row


def test_a_group_whose_sheet_was_renamed_gets_no_new_sheet():
    from xl_addin.domain.records import replace

    book = replace(workbook([group("G1", start=date(2026, 9, 2))]), renamed_sheets={"G1 ht26": "G1"})
    decision, sheets = plan_new_groups(book, date(2026, 9, 1))
    assert sheets == () and decision.problems == []


def test_the_service_hands_the_sheets_to_the_edge():
    outcome = services.new_groups(workbook([group("NY", start=date(2026, 9, 2))]), date(2026, 9, 1))
    assert [sheet.name for sheet in outcome.new_sheets] == ["NY"]
    assert outcome.summary.startswith("Ny grupp 2026-09-01: 1 nytt gruppblad")
