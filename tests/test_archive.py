"""Arkivera avslutade grupper: the rule (which group may leave, and why not), and the round trip through
real files (archive file + slimmed workbook hold every value of the input; the input is unchanged)."""

from __future__ import annotations

import hashlib
import io
import json
from xl_addin.domain.records import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from xl_addin import cli, services
from xl_addin.domain import layout as L
from xl_addin.domain.archive import archive_verdicts, removal_runs
from xl_addin.domain.model import Settings
from xl_addin.domain.statistics import compute_statistics
from xl_addin.files.archive_file import same_cell
from xl_addin.files.reader import read_grids, read_workbook_file
from xl_addin.template import GroupSheetContent, WorkbookContent, write_workbook

from .builders import group, participant, person, sheet, weekly, workbook
from .test_interest import registration

TODAY = date(2026, 12, 1)
DATES = weekly(date(2026, 9, 2), 3)  # last session 2026-09-16: 76 days before TODAY
REGISTERED = [day + timedelta(days=1) for day in DATES]


def _done_book(**changes):
    """A guardian group with a no-show, a cancellation and a closing journal note, everything done: every
    task the rules want is in Att göra and Klar, every session registered, every journal text written."""
    g = group("Klar-2609", start=DATES[0], ready=date(2026, 8, 1), booked=date(2026, 8, 3), journal=True)
    people = [
        participant(1, "DDD", journal_text="BUP Vårdplan\nText"),
        participant(2, "DUD", journal_text="BUP Vårdplan\nText"),
        participant(3, "DDA", journal_text="BUP Vårdplan\nText"),
    ]
    book = workbook([g], [sheet(g.group_id, DATES, people, registered=REGISTERED)])
    book = replace(book, interest=(registration(7, date(2026, 8, 1), group_id=g.group_id, planning=date(2026, 8, 2)),))
    tasks = services.tasks(book, TODAY).tasks
    assert {task.kind for task in tasks} == {"U2", "AVBOK", "JOURNAL"}
    book = replace(book, tasks=tuple(replace(task, done="x") for task in tasks))
    return replace(book, **changes) if changes else book


def _open(book, kind: str, *, drop: bool = False):
    tasks = [task for task in book.tasks if not (drop and task.kind == kind)]
    return replace(book, tasks=tuple(replace(task, done=None) if task.kind == kind else task for task in tasks))


def _sheet_with(book, **changes):
    (only,) = book.group_sheets.values()
    return replace(book, group_sheets={only.name: replace(only, **changes)})


def _participants(book, index: int, **changes):
    (only,) = book.group_sheets.values()
    people = list(only.participants)
    people[index] = replace(people[index], **changes)
    return _sheet_with(book, participants=tuple(people))


def _not_booked(book):
    (g,) = book.groups
    book = replace(book, groups=(replace(g, booked_in_elvis=None),))
    return book  # the BOKA task the rule now wants is not in Att göra


def _sessions(book, index: int, **changes):
    (only,) = book.group_sheets.values()
    sessions = list(only.sessions)
    sessions[index] = replace(sessions[index], **changes)
    return _sheet_with(book, sessions=tuple(sessions))


CASES = [
    ("a fully done group leaves", lambda b: b, TODAY, []),
    ("session 1 unregistered", lambda b: _sessions(b, 0, registered=None), TODAY,
     ["T1 (2026-09-02) är inte registrerad (D2 tom)."]),
    ("session 2 unregistered", lambda b: _sessions(b, 1, registered=None), TODAY,
     ["T2 (2026-09-09) är inte registrerad (E2 tom)."]),
    ("session 3 unregistered", lambda b: _sessions(b, 2, registered=None), TODAY,
     ["T3 (2026-09-16) är inte registrerad (F2 tom)."]),
    ("a session without a date", lambda b: _sessions(b, 2, date=None), TODAY, ["T3 har inget datum (F3)."]),
    ("a session still to come", lambda b: _sessions(b, 2, date=TODAY), TODAY,
     [f"T3 ({TODAY.isoformat()}) har inte varit än."]),
    ("two sessions still to come", lambda b: _sessions(_sessions(b, 1, date=TODAY), 2, date=TODAY + timedelta(7)),
     TODAY, [f"2 tillfällen har inte varit än (T2–T3, det sista {(TODAY + timedelta(7)).isoformat()})."]),
    ("a missing journal text", lambda b: _participants(b, 1, journal_text=""), TODAY,
     ["Journaltext saknas för deltagaren på rad 7 (I7)."]),
    ("a participant row with an error", lambda b: _participants(b, 0, has_errors=True), TODAY,
     ["Deltagarraden 6 har fel (se Kontroll)."]),
    ("an open U2 task", lambda b: _open(b, "U2"), TODAY,
     ["Öppen uppgift i Att göra: Ta bort sekundärbokning (X) och ändra besökstyp till U2 – Uteblivet besök, "
      "ska betala (T2, förfaller 2026-09-10)."]),
    ("a U2 task the rules want that Att göra lacks", lambda b: _open(b, "U2", drop=True), TODAY,
     ["Öppen uppgift som ännu inte står i Att göra: Ta bort sekundärbokning (X) och ändra besökstyp till U2 – "
      "Uteblivet besök, ska betala (T2, förfaller 2026-09-10). Klicka på Uppdatera allt."]),
    ("an open cancellation task", lambda b: _open(b, "AVBOK"), TODAY,
     ["Öppen uppgift i Att göra: Avboka i Elvis och notera besöksavvikelse i journal (T3, förfaller 2026-09-16)."]),
    ("an open journal task", lambda b: _open(b, "JOURNAL"), TODAY,
     ["Öppen uppgift i Att göra: Skriv journalanteckning (BUP Vårdplan) (förfaller 2026-09-17)."] * 3),
    ("an open booking task (not booked in Elvis)", _not_booked, TODAY,
     ["Öppen uppgift som ännu inte står i Att göra: Boka in gruppen i Elvis (förfaller 2026-08-03). "
      "Klicka på Uppdatera allt."]),
    ("a placed registration without planning entry",
     lambda b: replace(b, interest=(replace(b.interest[0], planning_entry=None),)), TODAY,
     ["Öppen uppgift som ännu inte står i Att göra: Lägg upp planeringsunderlag med vårdgaranti "
      "(förfaller 2026-08-03). Klicka på Uppdatera allt.",
      "Intresseanmälan på rad 7 (placerad i gruppen) saknar Planeringsunderlag."]),
    ("too recent", lambda b: b, date(2026, 10, 15),
     ["Sista tillfället var 2026-09-16; gruppen kan arkiveras från 2026-10-16 (Arkivera efter dagar = 30)."]),
    ("old enough on the day the setting allows", lambda b: b, date(2026, 10, 16), []),
    ("a setting of 90 days", lambda b: replace(b, settings=Settings(archive_after_days=90)), TODAY,
     ["Sista tillfället var 2026-09-16; gruppen kan arkiveras från 2026-12-15 (Arkivera efter dagar = 90)."]),
    ("a Grupper row with an error", lambda b: replace(b, groups=(replace(b.groups[0], has_errors=True),)), TODAY,
     ["Raden i Grupper har fel (se Kontroll)."]),
    ("no group sheet", lambda b: replace(b, group_sheets={}), TODAY, ["Gruppbladet saknas."]),
    ("Att göra cannot be read", lambda b: replace(b, tasks_readable=False), TODAY,
     ["Att göra kan inte läsas (se Kontroll); ingen grupp arkiveras förrän det är rättat."]),
]


@pytest.mark.parametrize(("description", "change", "today", "reasons"), CASES, ids=[case[0] for case in CASES])
def test_what_may_be_archived(description, change, today, reasons):
    book = change(_done_book())
    (verdict,) = archive_verdicts(book, today)
    assert list(verdict.reasons) == reasons
    assert verdict.leaves is (not reasons)


def test_a_task_marked_no_longer_needed_is_finished_but_one_whose_cause_is_back_is_open():
    book = _done_book()
    not_needed = replace(book, tasks=tuple(replace(t, done=None, remark=L.REMARK_NOT_NEEDED) for t in book.tasks))
    (verdict,) = archive_verdicts(not_needed, TODAY)
    # every task here is still wanted by the rules: its cause is back, so it is open
    assert len(verdict.reasons) == len(book.tasks)
    stale = replace(book, tasks=book.tasks + (replace(book.tasks[0], key="U2:Klar-2609:T9:x", done=None,
                                                       remark=L.REMARK_NOT_NEEDED),))
    (verdict,) = archive_verdicts(stale, TODAY)
    assert verdict.leaves


def test_nothing_leaves_while_a_table_is_not_an_excel_table(finished):
    from xl_addin.domain.archive import plan_archive
    from xl_addin.domain.parsing import read_workbook

    grids, tables = read_grids(finished)
    del tables[L.TASKS_TABLE.name]
    plan = plan_archive(read_workbook(grids, tables, today=TODAY), grids, tables, TODAY)
    assert plan.leaving == () and not plan.tables
    assert all("AttGora på bladet Att göra är ingen Excel-tabell" in v.reasons[-1] for v in plan.verdicts)


def test_removal_runs_go_bottom_up():
    assert removal_runs([2, 3, 4, 9, 7, 8, 12]) == [(12, 12), (7, 9), (2, 4)]


# -- real files -----------------------------------------------------------------------------------
def finished_term_content(today: date = TODAY) -> WorkbookContent:
    """A workbook after a term: one group done in every respect (with a no-show, a cancellation, closing
    journal texts, registrations, a placed registration), one still running, and a user's own column."""
    done, running = "Klar-2609", "Pagar-2611"
    running_dates = weekly(date(2026, 11, 4), 4)
    groups = [
        {L.GROUP_ID: done, L.GROUP_TYPE: "ADHD Ung", L.ATTENDEE: L.ATTENDEE_PATIENT, L.START_DATE: DATES[0],
         L.SESSION_COUNT: 3, L.MAX_PARTICIPANTS: 8, L.GROUP_LEADER: "Behandlare Testsson", L.JOURNAL_AT_END: L.YES,
         L.ROSTER_READY: date(2026, 8, 1), L.BOOKED_IN_ELVIS: date(2026, 8, 3), "Egen anteckning": "lokal A"},
        {L.GROUP_ID: running, L.GROUP_TYPE: "ADHD Ung", L.ATTENDEE: L.ATTENDEE_PATIENT,
         L.START_DATE: running_dates[0], L.SESSION_COUNT: 4, L.MAX_PARTICIPANTS: 8, L.JOURNAL_AT_END: L.NO,
         L.ROSTER_READY: date(2026, 10, 1), L.BOOKED_IN_ELVIS: date(2026, 10, 2), "Egen anteckning": "lokal B"},
    ]

    def people(offset: int, codes: list[str], journal: bool) -> list[dict[str, object]]:
        rows = []
        for index, code in enumerate(codes):
            row = {L.PERSONAL_NUMBER: str(person(offset + index)), L.NAME: f"Testa Testsson {offset + index}",
                   L.GUARDIAN: "Testförälder", L.COMMENT: f"kommentar {index}" if index == 0 else None}
            for number, letter in enumerate(code, start=1):
                row[f"T{number}"] = {"D": "Deltog", "U": "Uteblev", "A": "Avbokad", "-": None}[letter]
            if journal:
                row[L.JOURNAL_TEXT] = "BUP Vårdplan\nPatienten har deltagit."
            rows.append(row)
        return rows

    content = WorkbookContent(
        groups=groups,
        group_sheets=[
            GroupSheetContent(done, f"ADHD Ung – {done}", DATES, registered=REGISTERED,
                              participants=people(1, ["DDD", "DUD", "DDA"], True)),
            GroupSheetContent(running, f"ADHD Ung – {running}", running_dates,
                              registered=[running_dates[0] + timedelta(days=1)],
                              participants=people(20, ["DD--", "D---"], False)),
        ],
        interest=[
            {L.RECEIVED: date(2026, 8, 1), L.PERSONAL_NUMBER: str(person(1)), L.NAME: "Testa Testsson 1",
             L.WISHED_GROUP: "ADHD Ung", L.SENT_BY: L.ATTENDEE_GUARDIAN, L.PLANNING_ENTRY: date(2026, 8, 2),
             L.GROUP_ID: done},
            {L.RECEIVED: date(2026, 11, 20), L.PERSONAL_NUMBER: str(person(40)), L.NAME: "Testa Väntar",
             L.WISHED_GROUP: "ADHD Ung", L.SENT_BY: L.ATTENDEE_PATIENT, L.PLANNING_ENTRY: date(2026, 11, 21)},
        ],
        group_types=[{L.GROUP_TYPE: "ADHD Ung", L.ATTENDEE: L.ATTENDEE_PATIENT, L.VISIT_TYPE: "Gruppbesök",
                      L.ACTION_CODE: "DU011"}],
        visit_types=[{L.VISIT_TYPE: "U2", L.DESCRIPTION: "Uteblivet besök, ska betala"},
                     {L.VISIT_TYPE: "Gruppbesök", L.DESCRIPTION: "Besök i grupp"}],
        extra_columns={L.GROUPS_TABLE.name: ["Egen anteckning"]},
    )
    return content


def _with_derived_rows(path: Path, content: WorkbookContent, today: date) -> Path:
    """The file again with Att göra (all Klar) and Registrering as the buttons would have made them."""
    book = read_workbook_file(path, today=today).workbook
    tasks = [dict(task.as_row(), **{L.DONE: "x"}) for task in services.tasks(book, today).tasks]
    registration_rows = []
    # every session marked Registrerad has its rows (the running group's T1 too: the export reads them)
    for group_id in ("Klar-2609", "Pagar-2611"):
        sheet = book.group_sheets[group_id]
        for participant in sheet.participants:
            for session in sheet.sessions:
                if session.registered in (None, ""):
                    continue
                attendance = participant.attendance_at(session).value
                registration_rows.append({
                    L.EXPORTED: session.registered, L.VISIT_DATE: session.date, L.GROUP_ID: group_id,
                    L.GROUP_TYPE: "ADHD Ung", L.SESSION: session.number,
                    L.PERSONAL_NUMBER: str(participant.personal_number),
                    L.NAME: participant.name, L.ATTENDANCE: attendance,
                    L.VISIT_TYPE: "Gruppbesök" if attendance == L.ATTENDED else attendance,
                    L.ACTION_CODE: "DU011" if attendance == L.ATTENDED else None,
                })
    content = replace(content, tasks=tasks, registration=registration_rows)
    write_workbook(path, content)
    import openpyxl

    book = openpyxl.load_workbook(path)  # a note typed beside the table, on the row of the group that leaves
    book[L.GROUPS]["P2"] = NOTE
    book.save(path)
    return path


NOTE = "anteckning bredvid tabellen"


@pytest.fixture
def finished(tmp_path) -> Path:
    path = write_workbook(tmp_path / "termin.xlsx", finished_term_content())
    return _with_derived_rows(path, finished_term_content(), TODAY)


def _table_values(path: Path, table: str) -> list[tuple]:
    grids, tables = read_grids(path)
    location = tables[table]
    grid = grids[location.sheet]
    rows = []
    for row in range(location.header_row + 1, location.last_row + 1):
        values = tuple(grid.value(row, location.first_column + i) for i in range(len(location.columns)))
        if any(value not in (None, "") for value in values):
            rows.append(tuple(_key(value) for value in values))
    return rows


def _key(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value


def _archive(path: Path, out: Path, today: date = TODAY, *extra: str) -> tuple[int, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = cli.main(["archive", str(path), "--out", str(out), "--today", today.isoformat(), *extra],
                    out=stdout, err=stderr)
    return code, stdout.getvalue() + stderr.getvalue()


def test_the_archive_file_and_the_slimmed_workbook_together_hold_every_value_exactly(finished, tmp_path):
    before = hashlib.sha256(finished.read_bytes()).hexdigest()
    original = read_workbook_file(finished, today=TODAY).workbook
    out = tmp_path / "ut"
    code, text = _archive(finished, out)
    assert code == 0, text
    assert hashlib.sha256(finished.read_bytes()).hexdigest() == before  # the input is unchanged
    (archive,) = out.glob("Arkiv *.xlsx")
    (slim,) = out.glob("termin (archive *.xlsx")
    assert "patientuppgifter" in text and "slutna yta" in text

    source_grids, _ = read_grids(finished)
    archive_grids, _ = read_grids(archive)
    slim_grids, _ = read_grids(slim)
    # the group sheet left whole: every cell at its own address
    assert "Klar-2609" not in slim_grids and "Pagar-2611" in slim_grids
    expected, found = source_grids["Klar-2609"], archive_grids["Klar-2609"]
    for row in range(1, len(expected.rows) + 1):
        for column in range(1, len(expected.rows[row - 1]) + 1):
            assert same_cell(expected.value(row, column), found.value(row, column)), (row, column)
    assert source_grids["Pagar-2611"].rows == slim_grids["Pagar-2611"].rows
    # every table row is in exactly one of the two files
    for table, sheet in ((L.GROUPS_TABLE.name, L.GROUPS), (L.TASKS_TABLE.name, L.TASKS),
                         (L.REGISTRATION_TABLE.name, L.REGISTRATION), (L.INTEREST_TABLE.name, L.INTEREST)):
        source_rows = _table_values(finished, table)
        archived = _table_values(archive, table)
        kept = _table_values(slim, table)
        assert archived, table
        assert sorted(archived + kept, key=repr) == sorted(source_rows, key=repr), table
    assert [row[0] for row in _table_values(archive, L.GROUPS_TABLE.name)] == ["Klar-2609"]
    assert all(row[2] == "Klar-2609" for row in _table_values(archive, L.REGISTRATION_TABLE.name))
    assert {row[2] for row in _table_values(slim, L.REGISTRATION_TABLE.name)} == {"Pagar-2611"}  # the running group keeps its rows
    # a note beside the table is not lost with the row: it stays where it was (as in Excel)
    assert slim_grids[L.GROUPS].value(2, 16) == NOTE
    # Inställningar and Koder stay as they were
    for sheet in (L.SETTINGS, L.CODES):
        assert source_grids[sheet].rows == slim_grids[sheet].rows
    # the slimmed workbook passes check with no new problems, and the statistics of the term survive
    after = read_workbook_file(slim, today=TODAY).workbook
    assert set(after.problems) <= set(original.problems)
    assert compute_statistics(after, TODAY).rows == compute_statistics(original, TODAY).rows
    assert after.archived_statistics and after.archived_statistics[0][L.GROUPS_COUNT] == 1
    assert [g.group_id for g in after.groups] == ["Pagar-2611"]


def test_a_second_archive_run_moves_nothing_and_writes_no_file(finished, tmp_path):
    out = tmp_path / "ut"
    _archive(finished, out)
    (slim,) = out.glob("termin (archive *.xlsx")
    again = tmp_path / "igen"
    code, text = _archive(slim, again)
    assert code == 0 and "Ingen grupp kan arkiveras" in text
    assert not again.exists() or not list(again.iterdir())


def test_an_archive_file_is_never_written_over(finished, tmp_path):
    out = tmp_path / "ut"
    _archive(finished, out)
    (archive,) = out.glob("Arkiv *.xlsx")
    before = archive.read_bytes()
    code, text = _archive(finished, out, TODAY, "--force")
    assert code == 2 and "finns redan" in text
    assert archive.read_bytes() == before


def test_the_json_preview_says_which_groups_leave_and_why_the_others_stay(finished):
    out = io.StringIO()
    code = cli.main(["archive", str(finished), "--today", TODAY.isoformat(), "--json"], out=out, err=io.StringIO())
    result = json.loads(out.getvalue())
    assert code == 0 and result["command"] == "archive"
    rows = {row[L.GROUP_ID]: row for row in result["rows"]}
    assert rows["Klar-2609"]["Arkiveras"] == L.YES and rows["Klar-2609"]["Skäl"] == ""
    assert rows["Pagar-2611"]["Arkiveras"] == L.NO
    assert "T2 (2026-11-11) är inte registrerad" in rows["Pagar-2611"]["Skäl"]
    assert "T4 (2026-11-25) är inte registrerad" in rows["Pagar-2611"]["Skäl"]


def test_an_archive_file_that_does_not_read_back_the_same_is_removed_and_nothing_else_is_written(
        finished, tmp_path, monkeypatch):
    from xl_addin.files import archive_file

    real = archive_file.build_archive

    def damaged(plan, name):
        grid = plan.sheets[0]
        return real(replace(plan, sheets=(replace(grid, rows=[list(row) for row in grid.rows][:-1]),)), name)

    monkeypatch.setattr(archive_file, "build_archive", damaged)
    out = tmp_path / "ut"
    code, text = _archive(finished, out)
    assert code == 2 and "höll inte exakt" in text and "Inget har tagits bort" in text
    assert not out.exists() or not list(out.iterdir())
