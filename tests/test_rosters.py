"""Flagga sena listor: status table with its boundaries, writes, and the booking task."""

from datetime import date

import pytest

from xl_addin.domain import layout as L
from xl_addin.domain.model import CellWrite, Settings
from xl_addin.domain.rosters import find_late_rosters, roster_deadline, roster_status

from .builders import group, participant, sheet, weekly, workbook

START = date(2026, 11, 2)  # Monday; deadline = 2026-10-19
DEADLINE = date(2026, 10, 19)
FULL = sheet("G1", weekly(START, 3), [participant(1), participant(2)])


def test_deadline_is_fourteen_calendar_days_before_start():
    assert roster_deadline(START, Settings()) == DEADLINE
    assert roster_deadline(START, Settings(days_before_start=21)) == date(2026, 10, 12)


@pytest.mark.parametrize(
    "description, ready, today, roster_sheet, expected, explanation",
    [
        ("reported on the deadline day is on time", DEADLINE, date(2026, 10, 25), FULL, "OK", "meddelad i tid"),
        ("reported a day early is on time", date(2026, 10, 18), date(2026, 10, 25), FULL, "OK", "meddelad i tid"),
        ("reported one day late", date(2026, 10, 20), date(2026, 10, 25), FULL, "Sen", "meddelad 1 dag för sent"),
        ("reported five days late", date(2026, 10, 24), date(2026, 10, 25), FULL, "Sen", "meddelad 5 dagar för sent"),
        ("not reported, deadline passed yesterday", None, date(2026, 10, 20), FULL, "Sen",
         "sista dag passerades för 1 dag sedan"),
        ("not reported, deadline today", None, DEADLINE, FULL, "Risk", "sista dag är i dag"),
        ("not reported, deadline exactly Varning dagar away", None, date(2026, 10, 12), FULL, "Risk",
         "7 dagar kvar till sista dag"),
        ("not reported, one day more than Varning dagar", None, date(2026, 10, 11), FULL, "Ej klar",
         "8 dagar kvar till sista dag"),
        ("ready but the sheet has no participants", DEADLINE, DEADLINE, sheet("G1", weekly(START, 3)), "Ofullständig",
         "listan är markerad klar men gruppbladet har inga deltagare"),
        ("ready but a participant row has errors", DEADLINE, DEADLINE,
         sheet("G1", weekly(START, 3), [participant(1), participant(2, has_errors=True)]), "Ofullständig",
         "listan är markerad klar men 1 deltagarrad har fel"),
        ("ready but the sheet is missing", DEADLINE, DEADLINE, None, "Ofullständig",
         "listan är markerad klar men gruppbladet saknas"),
    ],
)
def test_roster_status(description, ready, today, roster_sheet, expected, explanation):
    status, why = roster_status(group(start=START, ready=ready), roster_sheet, Settings(), today)
    assert (status, why) == (expected, explanation), description


def test_warning_days_come_from_settings():
    status, _ = roster_status(group(start=START), FULL, Settings(warning_days=3), date(2026, 10, 15))
    assert status == "Ej klar"
    status, _ = roster_status(group(start=START), FULL, Settings(warning_days=3), date(2026, 10, 16))
    assert status == "Risk"


def test_writes_deadline_and_status_and_only_what_changes():
    book = workbook([group(start=START, ready=DEADLINE, row=7)], [FULL])
    decision = find_late_rosters(book, date(2026, 10, 25))
    assert decision.writes == [
        CellWrite(L.GROUPS, 7, L.ROSTER_DEADLINE, DEADLINE),
        CellWrite(L.GROUPS, 7, L.STATUS, "OK"),
    ]
    again = workbook([group(start=START, ready=DEADLINE, row=7,
                           current={L.ROSTER_DEADLINE: DEADLINE, L.STATUS: "OK"})], [FULL])
    assert find_late_rosters(again, date(2026, 10, 25)).writes == []


def test_a_status_typed_by_hand_is_left_and_reported():
    book = workbook([group(start=START, ready=DEADLINE, current={L.STATUS: "fråga Anna"})], [FULL])
    decision = find_late_rosters(book, date(2026, 10, 25))
    assert [write.column for write in decision.writes] == [L.ROSTER_DEADLINE]
    assert [(p.cell, p.severity) for p in decision.problems] == [("L2", "Varning")]
    assert "ändrats för hand" in decision.problems[0].message


def test_an_earlier_status_word_is_replaced():
    book = workbook([group(start=START, ready=DEADLINE, current={L.ROSTER_DEADLINE: DEADLINE, L.STATUS: "Risk"})], [FULL])
    assert find_late_rosters(book, date(2026, 10, 25)).writes == [CellWrite(L.GROUPS, 2, L.STATUS, "OK")]


def test_booking_task_for_a_complete_list_not_yet_booked():
    book = workbook([
        group("G1", start=START, ready=date(2026, 10, 16)),  # Friday → due Monday
        group("G2", start=START, ready=date(2026, 10, 16), booked=date(2026, 10, 19), row=3),
        group("G3", start=START, row=4),
    ], [FULL, sheet("G2", weekly(START, 3), [participant(3)]), sheet("G3", weekly(START, 3), [participant(4)])])
    tasks = find_late_rosters(book, date(2026, 10, 20)).tasks
    assert [(task.key, task.due, task.text, task.group_id) for task in tasks] == [
        ("BOKA:G1", date(2026, 10, 19), "Boka in gruppen i Elvis", "G1"),
    ]


def test_no_booking_task_for_an_incomplete_list():
    book = workbook([group(start=START, ready=DEADLINE)], [sheet("G1", weekly(START, 3))])
    assert find_late_rosters(book, DEADLINE).tasks == []


def test_a_group_row_with_errors_is_refused_and_counted_but_not_reported_twice():
    book = workbook([group("G1", start=START, has_errors=True), group("G2", start=START, row=3)],
                    [FULL, sheet("G2", weekly(START, 3), [participant(3)])])
    decision = find_late_rosters(book, date(2026, 10, 1))
    assert [row[L.GROUP_ID] for row in decision.rows] == ["G2"]
    assert decision.problems == [] and decision.counts["hoppades över"] == 1  # the reader reported the row
    assert all(write.row == 3 for write in decision.writes)
