"""Exportera registreringslista: scope by registration day, rows, marks, holds, and the CSV golden."""

from datetime import date
from pathlib import Path

import pytest

from xl_addin.domain import layout as L
from xl_addin.domain.calendar import next_working_day
from xl_addin.domain.model import CellWrite, Outcome
from xl_addin.domain.registrations import export_registrations, registration_day
from xl_addin.files.writer import write_csv

from .builders import group, participant, sheet, weekly, workbook

GOLDEN = Path(__file__).parent / "golden"


def _book(dates, people, registered=()):
    return workbook([group(start=dates[0], sessions=len(dates))], [sheet("G1", dates, people, registered)])


def test_registration_day_is_the_next_working_day():
    """The calendar's golden dates are in test_calendar.py; here only that the rule uses them."""
    for session in (date(2026, 9, 2), date(2026, 9, 4), date(2026, 6, 18), date(2026, 12, 23), date(2026, 12, 30)):
        assert registration_day(session) == next_working_day(session) > session


@pytest.mark.parametrize(
    "session, today, exported",
    [
        (date(2026, 6, 18), date(2026, 6, 19), False),  # midsommarafton is not a working day
        (date(2026, 6, 18), date(2026, 6, 21), False),
        (date(2026, 6, 18), date(2026, 6, 22), True),
        (date(2026, 12, 23), date(2026, 12, 24), False),
        (date(2026, 12, 23), date(2026, 12, 28), True),
        (date(2026, 9, 4), date(2026, 9, 7), True),
        (date(2026, 9, 4), date(2026, 9, 5), False),
    ],
)
def test_a_session_is_in_scope_from_its_registration_day(session, today, exported):
    decision = export_registrations(_book([session], [participant(1, "D")]), today)
    assert bool(decision.rows) is exported


def test_rows_per_attendance_and_the_registered_mark():
    dates = [date(2026, 9, 2)]
    people = [participant(1, "D"), participant(2, "U"), participant(3, "A"), participant(4, "", cancelled=date(2026, 9, 1))]
    decision = export_registrations(_book(dates, people), date(2026, 9, 3))
    assert [(r[L.ATTENDANCE], r[L.VISIT_TYPE], r[L.ACTION_CODE]) for r in decision.rows] == [
        ("Deltog", "Gruppbesök", "DU011"), ("Uteblev", "U2", ""), ("Avbokad", "Avbokad", ""), ("Avbokad", "Avbokad", ""),
    ]
    assert decision.writes == [CellWrite("G1", 2, "T1", date(2026, 9, 3))]
    assert decision.appended == decision.rows


def test_golden_csv_of_registration_rows(tmp_path):
    dates = weekly(date(2026, 9, 2), 2)
    people = [participant(1, "DU", name="Testa Testsson"), participant(2, "UA", name="=Exempel Exempelsson"),
              participant(3, "DD", name="Påhittad Fiktivsdotter")]
    decision = export_registrations(_book(dates, people), date(2026, 9, 14))
    path = write_csv(tmp_path / "r.csv", L.REGISTRATION_TABLE.columns, decision.rows)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig") == (GOLDEN / "registrering.csv").read_bytes().decode("utf-8-sig")


def test_missing_attendance_holds_back_the_whole_session():
    dates = weekly(date(2026, 9, 2), 2)
    decision = export_registrations(_book(dates, [participant(1, "DD"), participant(2, "D-")]), date(2026, 9, 14))
    assert {row[L.SESSION] for row in decision.rows} == {1}
    assert [CellWrite("G1", 2, "T1", date(2026, 9, 14))] == decision.writes
    assert [(p.cell, p.message) for p in decision.problems] == [
        ("E3", "G1 tillfälle 2 (2026-09-09) exporteras inte: närvaro saknas för 1 deltagare. Rätta och exportera igen."),
    ]


def test_a_faulty_participant_row_holds_back_the_session():
    decision = export_registrations(_book([date(2026, 9, 2)], [participant(1, "D"), participant(2, "D", has_errors=True)]), date(2026, 9, 3))
    assert decision.rows == [] and decision.writes == []
    assert "1 deltagarrad har fel" in decision.problems[0].message


def test_exported_sessions_are_not_exported_again():
    decision = export_registrations(_book([date(2026, 9, 2)], [participant(1, "D")], [date(2026, 9, 3)]), date(2026, 9, 10))
    assert (decision.rows, decision.writes, decision.problems) == ([], [], [])


def test_a_chosen_date_exports_only_that_session_even_before_its_registration_day():
    dates = weekly(date(2026, 9, 2), 3)
    decision = export_registrations(_book(dates, [participant(1, "DDD")]), date(2026, 9, 16), session_date=date(2026, 9, 16))
    assert [row[L.SESSION] for row in decision.rows] == [3]


def test_a_chosen_date_already_exported_is_reported():
    decision = export_registrations(_book([date(2026, 9, 2)], [participant(1, "D")], [date(2026, 9, 3)]), date(2026, 9, 10), session_date=date(2026, 9, 2))
    assert decision.rows == [] and "redan exporterat" in decision.problems[0].message


def test_group_type_without_codes_holds_back_its_sessions():
    from xl_addin.domain.model import GroupType

    book = workbook([group(start=date(2026, 9, 2), sessions=1)], [sheet("G1", [date(2026, 9, 2)], [participant(1, "D")])],
                    group_types={"ADHD Ung": GroupType("ADHD Ung", "Patient", "Gruppbesök", "")})
    decision = export_registrations(book, date(2026, 9, 3))
    assert decision.rows == [] and "saknar besökstyp/åtgärdskod" in decision.problems[0].message
