"""Reading what real users do to a workbook: grids in, records and precise problems out."""

from datetime import date, datetime

import pytest

from xl_addin.domain import layout as L
from xl_addin.domain.cells import CellError, as_date
from xl_addin.domain.errors import InvalidDate, UnusableWorkbook
from xl_addin.domain.model import SETTING_FIELDS, Attendance, Settings
from xl_addin.domain.parsing import SheetGrid, TableLocation, read_workbook
from xl_addin.domain.personal_number import make_personal_number

TODAY = date(2026, 10, 14)
P1 = str(make_personal_number(date(2012, 3, 15), 901))
P2 = str(make_personal_number(date(2011, 5, 2), 902))
SETTINGS = [list(L.SETTINGS_TABLE.columns)] + [
    [name, getattr(Settings(), attribute), ""] for name, attribute, _ in SETTING_FIELDS
]
# The three Koder tables side by side at A1, G1 and J1, as in the template.
CODES = [
    [*L.GROUP_TYPES_TABLE.columns, None, None, *L.VISIT_TYPES_TABLE.columns, None, *L.CANCELLATION_REASONS_TABLE.columns],
    ["ADHD Ung", "Patient", "Gruppbesök", "DU011", None, None, "U2", "Uteblivet besök, ska betala", None, "Sjukdom"],
    [None] * 6 + ["Gruppbesök", "Besök i grupp"],
]


def group_row(**values):
    row = {L.GROUP_ID: "G1", L.GROUP_TYPE: "ADHD Ung", L.START_DATE: datetime(2026, 9, 2), L.SESSION_COUNT: 2,
           L.MAX_PARTICIPANTS: 8, L.JOURNAL_AT_END: "Nej"}
    row.update(values)
    return row


def grid(name, header, rows):
    return SheetGrid(name, [list(header)] + [[row.get(column) for column in header] for row in rows])


def group_sheet(rows, header=None, dates=(datetime(2026, 9, 2), datetime(2026, 9, 9)), merged=()):
    header = header or L.participant_columns(len(dates))
    first_session = header.index("T1") if "T1" in header else 3
    title = ["ADHD Ung – G1"]
    registered = [None] * first_session + [None] * len(dates)
    registered[first_session - 1] = "Registrerad"
    date_row = [None] * first_session + list(dates)
    date_row[first_session - 1] = "Datum"
    body = [[row.get(column) for column in header] for row in rows]
    return SheetGrid("G1", [title, registered, date_row, list(header)] + body, merged)


def read(groups=(), sheet=None, *, groups_header=L.GROUPS_TABLE.columns, extra=None):
    grids = {
        L.SETTINGS: SheetGrid(L.SETTINGS, SETTINGS),
        L.CODES: SheetGrid(L.CODES, CODES),
        L.GROUPS: grid(L.GROUPS, groups_header, groups),
    }
    grids[L.INTEREST] = SheetGrid(L.INTEREST, [list(L.INTEREST_TABLE.columns)])
    grids[L.TASKS] = SheetGrid(L.TASKS, [list(L.TASKS_TABLE.columns)])
    grids[L.REGISTRATION] = SheetGrid(L.REGISTRATION, [list(L.REGISTRATION_TABLE.columns)])
    if sheet is not None:
        grids["G1"] = sheet
    grids.update(extra or {})
    return read_workbook(grids, {}, today=TODAY)


def problems(workbook):
    return [(p.sheet, p.cell, p.severity) for p in workbook.problems]


def test_a_clean_group_reads_without_problems():
    book = read([group_row()], group_sheet([{L.PERSONAL_NUMBER: P1, "T1": "Deltog", "T2": "u"}]))
    assert problems(book) == []
    (participant,) = book.group_sheets["G1"].participants
    assert participant.attendance == (Attendance.ATTENDED, Attendance.NO_SHOW)
    assert book.groups[0].start_date == date(2026, 9, 2)


def test_extra_and_reordered_columns_are_fine():
    header = ("Egen kolumn", *reversed(L.GROUPS_TABLE.columns))
    book = read([group_row(**{"Egen kolumn": "anteckning"})], group_sheet([{L.PERSONAL_NUMBER: P1}]),
                groups_header=header)
    assert book.groups[0].group_id == "G1" and problems(book) == []


def test_a_renamed_header_is_reported_once_at_the_renamed_cell_with_the_exact_name():
    header = tuple("Start" if column == L.START_DATE else column for column in L.GROUPS_TABLE.columns)
    book = read([group_row(), group_row(**{L.GROUP_ID: "G2"})], group_sheet([{L.PERSONAL_NUMBER: P1}]),
                groups_header=header)
    assert [(p.cell, p.message) for p in book.problems if "Start" in p.message] == [
        ("D1", "Rubriken Start ska heta Startdatum. Skriv tillbaka den exakt så: Startdatum"),
    ]  # not one line per row as well
    assert all(group.start_date is None and group.has_errors for group in book.groups)  # nothing recomputed


def test_a_missing_header_nothing_resembles_is_reported_at_the_first_header_cell():
    header = tuple(column for column in L.GROUPS_TABLE.columns if column != L.START_DATE) + ("Anteckning",)
    book = read([group_row()], group_sheet([{L.PERSONAL_NUMBER: P1}]), groups_header=header)
    assert [(p.cell, p.message) for p in book.problems if p.sheet == L.GROUPS] == [
        ("A1", "Kolumnen Startdatum saknas i tabellen Grupper. Lägg tillbaka rubriken exakt så: Startdatum"),
    ]


def test_blank_rows_inside_a_table_are_skipped():
    book = read([group_row(), {}, group_row(**{L.GROUP_ID: "G2"})])
    assert [group.group_id for group in book.groups] == ["G1", "G2"]
    assert [group.row for group in book.groups] == [2, 4]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-09-02", date(2026, 9, 2)),
        (" 2026-9-2 ", date(2026, 9, 2)),
        ("20260902", date(2026, 9, 2)),
        ("2 sep 2026", date(2026, 9, 2)),
        ("2 september 2026", date(2026, 9, 2)),
        ("13/9 2026", date(2026, 9, 13)),
        ("13.9.2026", date(2026, 9, 13)),
        (46267, date(2026, 9, 2)),  # an Excel serial number
        (46267.0, date(2026, 9, 2)),
        (datetime(2026, 9, 2, 0, 0), date(2026, 9, 2)),
    ],
)
def test_dates_in_the_forms_swedish_users_type(value, expected):
    assert as_date(value) == expected


@pytest.mark.parametrize("value", ["2/9 2026", "2.9.2026", "31 feb 2026", "2026-13-01", "nästa vecka", 12, True,
                                   CellError("#N/A")])
def test_ambiguous_or_impossible_dates_are_reported_not_guessed(value):
    with pytest.raises(InvalidDate):
        as_date(value)


def test_numbers_stored_as_text_and_personnummer_stored_as_numbers():
    book = read([group_row(**{L.SESSION_COUNT: " 2 ", L.MAX_PARTICIPANTS: "8"})],
                group_sheet([{L.PERSONAL_NUMBER: float(P1.replace("-", ""))}]))
    assert book.groups[0].session_count == 2 and book.groups[0].max_participants == 8
    (participant,) = book.group_sheets["G1"].participants
    assert str(participant.personal_number) == P1
    assert [(p.cell, p.severity) for p in book.problems] == [("A5", "Varning")]  # "skriv det som text"


def test_error_values_and_formulas_results_give_precise_messages():
    book = read([group_row(**{L.START_DATE: CellError("#REF!")})],
                group_sheet([{L.PERSONAL_NUMBER: P1, "T1": CellError("#N/A")}]))
    assert ("Grupper", "D2", "Fel") in problems(book)
    assert ("G1", "D5", "Fel") in problems(book)
    messages = " ".join(p.message for p in book.problems)
    assert "#REF!" in messages and "#N/A" in messages


def test_merged_cells_across_data_are_reported():
    sheet = group_sheet([{L.PERSONAL_NUMBER: P1}, {L.PERSONAL_NUMBER: P2}], merged=((5, 4, 6, 4),))
    book = read([group_row()], sheet)
    assert ("G1", "D5:D6", "Varning") in problems(book)


def test_a_missing_sheet_is_reported_and_the_rest_is_read():
    grids = {L.GROUPS: grid(L.GROUPS, L.GROUPS_TABLE.columns, [group_row()])}
    book = read_workbook(grids, {}, today=TODAY)
    assert book.groups[0].group_id == "G1"
    assert (L.SETTINGS, "A1", "Fel") in problems(book)


def test_a_workbook_from_another_program_is_unusable():
    with pytest.raises(UnusableWorkbook, match="följer inte Sofia-mallen"):
        read_workbook({"Blad1": SheetGrid("Blad1", [["a", "b"]])}, {}, today=TODAY)


def test_duplicated_headers_use_the_first_and_warn():
    header = (*L.GROUPS_TABLE.columns, L.GROUP_LEADER)
    book = read([group_row()], group_sheet([{L.PERSONAL_NUMBER: P1}]), groups_header=header)
    assert (L.GROUPS, "M1", "Varning") in problems(book)


def test_a_table_location_from_excel_wins_over_searching():
    rows = [[None] * 3, [None, *L.GROUPS_TABLE.columns], [None, *[group_row().get(c) for c in L.GROUPS_TABLE.columns]]]
    grids = {L.SETTINGS: SheetGrid(L.SETTINGS, SETTINGS), L.CODES: SheetGrid(L.CODES, CODES),
             L.GROUPS: SheetGrid(L.GROUPS, rows)}
    tables = {"Grupper": TableLocation("Grupper", L.GROUPS, 2, 2, 3, L.GROUPS_TABLE.columns)}
    book = read_workbook(grids, tables, today=TODAY)
    assert book.groups[0].row == 3 and book.address(L.GROUPS, 3, L.GROUP_ID) == "B3"


def test_sessions_out_of_order_and_a_gap_in_t_columns():
    book = read([group_row()], group_sheet([{L.PERSONAL_NUMBER: P1}], dates=(datetime(2026, 9, 9), datetime(2026, 9, 2))))
    assert ("G1", "E3", "Fel") in problems(book)
    header = (L.PERSONAL_NUMBER, L.NAME, L.GUARDIAN, "T1", "T3", *L.PARTICIPANT_TRAILING_COLUMNS)
    book = read([group_row()], group_sheet([{L.PERSONAL_NUMBER: P1}], header=header))
    assert any("utan luckor" in p.message for p in book.problems)


@pytest.mark.parametrize(("dates", "cells", "warned"), [
    ((datetime(2026, 10, 7), datetime(2026, 10, 21), datetime(2026, 10, 28)), {"T1": "D", "T3": "U"}, ["F5"]),
    ((datetime(2026, 10, 7), datetime(2026, 10, 21), datetime(2026, 10, 28)), {"T2": "A", "T3": "D"}, ["E5", "F5"]),
    ((datetime(2026, 10, 7), datetime(2026, 10, 21), datetime(2026, 10, 28)), {"T1": "D"}, []),
    ((datetime(2026, 10, 7), datetime(2026, 10, 14), datetime(2026, 10, 21)), {"T2": "D", "T3": "D"}, ["F5"]),
    ((datetime(2026, 10, 7), datetime(2026, 10, 14), datetime(2026, 10, 15)), {"T3": "Deltog"}, ["F5"]),
    ((datetime(2026, 9, 2), datetime(2026, 9, 9), datetime(2026, 9, 16)), {"T1": "D", "T2": "D", "T3": "D"}, []),
])
def test_attendance_for_a_session_still_to_come_is_warned_about_at_its_cell(dates, cells, warned):
    """Today (2026-10-14) has been: only a later session's filled-in cell is warned about, each one,
    with one session to come or several."""
    book = read([group_row(**{L.SESSION_COUNT: 3})], group_sheet([{L.PERSONAL_NUMBER: P1, **cells}], dates=dates))
    assert [p.cell for p in book.problems if "som inte har varit ännu" in p.message] == warned
    assert all(p.severity == L.WARNING for p in book.problems if "som inte har varit ännu" in p.message)


def test_a_phrase_with_an_unknown_field_falls_back_to_the_default():
    settings = [row if row[0] != L.JOURNAL_PHRASE else [L.JOURNAL_PHRASE, "{Subjekt} deltog {Namn}", ""]
                for row in SETTINGS]
    grids = {L.SETTINGS: SheetGrid(L.SETTINGS, settings), L.CODES: SheetGrid(L.CODES, CODES),
             L.GROUPS: grid(L.GROUPS, L.GROUPS_TABLE.columns, [])}
    book = read_workbook(grids, {}, today=TODAY)
    assert book.settings.journal_phrase == "{Subjekt} har deltagit vid följande tillfällen av {Grupp}. {Datum}."
    row = 2 + [name for name, _, _ in SETTING_FIELDS].index(L.JOURNAL_PHRASE)
    assert any("okända fält {Namn}" in p.message and p.cell == f"B{row}" for p in book.problems)


def test_group_sheet_and_grupper_row_must_match():
    book = read([group_row(**{L.SESSION_COUNT: 3})], group_sheet([{L.PERSONAL_NUMBER: P1}]))
    assert (L.GROUPS, "E2", "Fel") in problems(book) and book.groups[0].has_errors
    book = read([], group_sheet([{L.PERSONAL_NUMBER: P1}]))
    assert ("G1", "A1", "Fel") in problems(book)


def test_columns_a_user_added_to_att_gora_are_read_with_the_task():
    header = [*L.TASKS_TABLE.columns, "Min kommentar"]
    row = {L.KEY: "U2:G1:T1:abc", L.DUE: datetime(2026, 9, 3), L.TASK: "text", "Min kommentar": "ringt"}
    book = read(extra={L.TASKS: grid(L.TASKS, header, [row])})
    assert book.tasks[0].extra == (("Min kommentar", "ringt"),)
    assert book.tasks[0].as_row()["Min kommentar"] == "ringt"


def _registration_grid(*rows):
    header = list(L.REGISTRATION_TABLE.columns)
    return SheetGrid(L.REGISTRATION, [header] + [[row.get(column) for column in header] for row in rows])


@pytest.mark.parametrize("mark, exported, reported", [
    (datetime(2026, 9, 10), datetime(2026, 9, 3), True),  # rows from that time are there: typed by hand
    (datetime(2026, 9, 1), datetime(2026, 9, 3), False),  # older than every row: the rows may have been cleared
    ("klart", datetime(2026, 9, 3), True),  # not a date at all
])
def test_a_registrerad_mark_without_rows_is_reported_unless_its_rows_may_have_been_cleared(mark, exported, reported):
    sheet = group_sheet([{L.PERSONAL_NUMBER: P1, "T1": "Deltog", "T2": "Deltog"}])
    rows = [list(row) for row in sheet.rows]
    rows[1][4] = mark  # T2's Registrerad cell, E2
    other = {L.EXPORTED: exported, L.GROUP_ID: "G0", L.SESSION: 1, L.PERSONAL_NUMBER: P2}
    book = read([group_row()], SheetGrid("G1", rows), extra={L.REGISTRATION: _registration_grid(other)})
    found = [(p.cell, p.message) for p in book.problems if "Registrering" in p.message]
    assert found == ([("E2", "T2 är markerad som registrerad men finns inte i Registrering. Tillfället exporteras "
                             "inte; töm cellen om besöken ska exporteras.")] if reported else [])
    assert book.registration_kept_from == date(2026, 9, 3)


