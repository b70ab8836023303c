"""Exportera registreringslista: scope by registration day, rows, marks, holds, and the CSV golden."""

from datetime import date
from pathlib import Path

import pytest

from xl_addin.domain import layout as L
from xl_addin.domain.calendar import next_working_day
from xl_addin.domain.model import CellWrite, Outcome
from xl_addin.domain.registrations import export_registrations, registration_day
from xl_addin.files.writer import write_csv

from .builders import group, participant, person, sheet, weekly, workbook

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


def _exported(book, *visits):
    """``book`` whose Registrering holds ``visits`` (session number, participant serial) of G1."""
    from xl_addin.domain.records import replace

    from .builders import person

    return replace(book, exported_visits=frozenset(("G1", number, person(serial).digits) for number, serial in visits))


def test_missing_attendance_holds_back_only_that_visit():
    dates = weekly(date(2026, 9, 2), 2)
    decision = export_registrations(_book(dates, [participant(1, "DD"), participant(2, "D-")]), date(2026, 9, 14))
    assert [(row[L.SESSION], row[L.PERSONAL_NUMBER]) for row in decision.rows] == [
        (1, person(1)), (1, person(2)), (2, person(1)),
    ]
    assert decision.writes == [CellWrite("G1", 2, "T1", date(2026, 9, 14)), CellWrite("G1", 2, "T2", date(2026, 9, 14))]
    assert [(p.cell, p.message) for p in decision.problems] == [
        ("E2", "G1 tillfälle 2 (2026-09-09): 1 besök väntar, närvaro saknas på rad 7. "
               "Det exporteras vid nästa export när det är rättat; de andra besöken påverkas inte."),
    ]


def test_a_faulty_participant_row_holds_back_only_its_visits():
    people = [participant(1, "D"), participant(2, "D", has_errors=True), participant(3, "U")]
    decision = export_registrations(_book([date(2026, 9, 2)], people), date(2026, 9, 3))
    assert [row[L.PERSONAL_NUMBER] for row in decision.rows] == [person(1), person(3)]
    assert decision.writes == [CellWrite("G1", 2, "T1", date(2026, 9, 3))]
    assert [p.message for p in decision.problems] == [
        "G1 tillfälle 1 (2026-09-02): 1 besök väntar, rad 7 har fel (se Kontroll). "
        "Det exporteras vid nästa export när det är rättat; de andra besöken påverkas inte.",
    ]


def test_a_held_visit_is_exported_once_its_row_is_fixed_and_the_mark_is_kept():
    people = [participant(1, "D"), participant(2, "U"), participant(3, "D")]
    book = _exported(_book([date(2026, 9, 2)], people, [date(2026, 9, 3)]), (1, 1), (1, 3))
    decision = export_registrations(book, date(2026, 9, 10))
    assert [(row[L.PERSONAL_NUMBER], row[L.ATTENDANCE]) for row in decision.rows] == [(person(2), L.NO_SHOW)]
    assert decision.writes == [] and decision.problems == []  # Registrerad keeps the first export's date


def test_a_visit_in_registrering_is_never_exported_again():
    book = _exported(_book([date(2026, 9, 2)], [participant(1, "D")]), (1, 1))  # the mark was cleared by hand
    decision = export_registrations(book, date(2026, 9, 10))
    assert (decision.rows, decision.writes, decision.problems) == ([], [], [])


def test_a_mark_without_rows_in_registrering_holds_the_session():
    """Typed by hand: the reader reports it at the Registrerad cell; the rule exports nothing of it."""
    decision = export_registrations(_book([date(2026, 9, 2)], [participant(1, "D")], [date(2026, 9, 3)]), date(2026, 9, 10))
    assert (decision.rows, decision.writes, decision.problems) == ([], [], [])


def test_exported_sessions_are_not_exported_again():
    book = _exported(_book([date(2026, 9, 2)], [participant(1, "D")], [date(2026, 9, 3)]), (1, 1))
    decision = export_registrations(book, date(2026, 9, 10))
    assert (decision.rows, decision.writes, decision.problems) == ([], [], [])


def test_a_chosen_date_exports_only_that_session_even_before_its_registration_day():
    dates = weekly(date(2026, 9, 2), 3)
    decision = export_registrations(_book(dates, [participant(1, "DDD")]), date(2026, 9, 16), session_date=date(2026, 9, 16))
    assert [row[L.SESSION] for row in decision.rows] == [3]


def test_a_chosen_date_already_exported_is_reported():
    book = _exported(_book([date(2026, 9, 2)], [participant(1, "D")], [date(2026, 9, 3)]), (1, 1))
    decision = export_registrations(book, date(2026, 9, 10), session_date=date(2026, 9, 2))
    assert decision.rows == [] and "redan exporterat" in decision.problems[0].message


def test_group_type_without_codes_holds_back_its_sessions():
    from xl_addin.domain.model import GroupType

    book = workbook([group(start=date(2026, 9, 2), sessions=1)], [sheet("G1", [date(2026, 9, 2)], [participant(1, "D")])],
                    group_types={"ADHD Ung": GroupType("ADHD Ung", "Patient", "Gruppbesök", "")})
    decision = export_registrations(book, date(2026, 9, 3))
    assert decision.rows == [] and decision.problems == []  # the reader reports the Koder cell, once
    assert decision.counts == {"tillfälle väntar|tillfällen väntar": 1}


def test_an_error_in_grupper_the_export_does_not_need_holds_nothing():
    from xl_addin.domain.records import replace

    book = _book([date(2026, 9, 2)], [participant(1, "D")])
    broken = replace(book.groups[0], start_date=None, has_errors=True, error_columns=frozenset({L.START_DATE}))
    decision = export_registrations(replace(book, groups=(broken,)), date(2026, 9, 3))
    assert len(decision.rows) == 1 and decision.problems == []


def test_nothing_is_exported_without_the_registrering_sheet():
    from xl_addin.domain.records import replace

    book = replace(_book([date(2026, 9, 2)], [participant(1, "D")]), registration_missing=True)
    decision = export_registrations(book, date(2026, 9, 3))
    assert (decision.rows, decision.writes) == ([], [])


def test_a_session_first_exported_before_registrerings_oldest_row_is_left_alone():
    """The clinic may clear old Registrering rows: a visit missing from that time is not exported again."""
    from xl_addin.domain.records import replace

    people = [participant(1, "D"), participant(2, "D")]
    book = _exported(_book([date(2025, 9, 2)], people, [date(2025, 9, 3)]), (1, 1))
    book = replace(book, registration_kept_from=date(2025, 10, 1))
    decision = export_registrations(book, date(2026, 9, 10))
    assert (decision.rows, decision.writes, decision.problems) == ([], [], [])
