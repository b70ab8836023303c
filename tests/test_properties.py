"""Properties over generated workbooks (issues 3 and 6): reading never crashes, every command writes only
button-owned cells and never over what a user typed, a command applied twice equals once, and the input
file is byte-identical afterwards.

Workbooks are real files written by the template builder, with groups, group sheets, participants with
random attendance (aliases, typos, blanks), interest registrations, and user text (marked ``Egen …``)
in the cells the buttons own. Examples are few and small so the file runs in seconds.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xl_addin import cli, services
from xl_addin.domain import layout as L
from xl_addin.domain.cells import as_text, cell_address, is_blank
from xl_addin.domain.errors import UserError
from xl_addin.domain.parsing import read_workbook
from xl_addin.domain.personal_number import make_personal_number
from xl_addin.files.reader import read_grids, read_workbook_file
from xl_addin.template import GroupSheetContent, WorkbookContent, write_workbook

@pytest.fixture(autouse=True, scope="module")
def _error_log_in_tmp(tmp_path_factory) -> Iterator[None]:
    """A caught bug would be logged in the user's profile (``xl_addin.diagnostics``): not the tests'."""
    try:
        from xl_addin import diagnostics
    except ImportError:
        yield
        return
    patch = pytest.MonkeyPatch()
    folder = tmp_path_factory.mktemp("felogg")
    patch.setattr(diagnostics, "log_directory", lambda: folder)
    yield
    patch.undo()


USER = "Egen "  # every value a "user" typed into a button-owned cell starts with this
FEW = settings(max_examples=30, deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Tables a button replaces, or appends to (Att göra and Registrering: only appends; see test_coauthoring.py).
WHOLE_TABLES = {L.TASKS_TABLE.name, L.CHECK_TABLE.name, L.REGISTRATION_TABLE.name} | {
    table.name for table in L.TABLES if table.button_owned and set(table.button_owned) == set(table.columns)
} - {L.LOG_TABLE.name}
WHOLE_SHEETS = {table.sheet for table in L.TABLES if table.name in WHOLE_TABLES} | {L.LOG}

PEOPLE = tuple(make_personal_number(date(2010 + index % 6, 1 + index % 12, 1 + index * 3 % 28), 900 + index)
               for index in range(8))
NAMES = ("Testa Testsson", "Prova Provsdotter", "Låtsas Låtsasberg", "Exempel Exempelsson", "Demo Demoström",
         '=HYPERLINK("http://exempel.invalid","Klicka")', "+46 Fiktiv", "-Minus Testsson", "@Snabel Testsson")

user_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Co")), min_size=1, max_size=10
).map(lambda text: USER + text.strip() + ".")
days = st.dates(date(2026, 7, 1), date(2026, 12, 31))
VALID_ATTENDANCE = (L.ATTENDED, L.NO_SHOW, L.CANCELLED, "D", "d", "N", "U", "u", "a", " Deltog ", "UTEBLEV")
attendance = st.one_of(
    st.none(),
    st.sampled_from(VALID_ATTENDANCE),
    st.sampled_from(["x", "?", "Delt0g", "", "  "]),
    user_text,
)
personal_number = st.one_of(
    st.sampled_from(PEOPLE),
    st.sampled_from(PEOPLE).map(lambda number: number.digits[2:8] + "-" + number.digits[8:]),  # 10 digits
    st.sampled_from(PEOPLE).map(lambda number: int(number.digits)),  # stored as a number
    st.sampled_from(["19121212-1213", "20260230-1234", "123", ""]),  # wrong check digit, no such date, junk
)


@st.composite
def group_sheets(draw, group_id: str, start: date, count: int) -> GroupSheetContent:
    """A group sheet; a "clean" one (half of them) has only valid numbers and attendance, so that the
    rules that need a whole session or a whole group (export, journal texts) have something to do."""
    clean = draw(st.booleans())
    dates = [start + timedelta(weeks=week) for week in range(count)]
    registered = [draw(st.one_of(st.none(), st.none(), days, user_text)) if not clean else None for _ in dates]
    people = draw(st.permutations(PEOPLE))
    participants = []
    for index in range(draw(st.integers(0, 4))):
        row: dict[str, object] = {
            L.PERSONAL_NUMBER: people[index] if clean else draw(personal_number),
            L.NAME: draw(st.sampled_from(NAMES)),
            L.GUARDIAN: draw(st.one_of(st.none(), st.sampled_from(NAMES))),
            L.JOURNAL_TEXT: draw(st.one_of(st.none(), st.none(), user_text.map(lambda t: t + "\nrad 2")) if clean
                                 else st.one_of(st.none(), user_text)),
            L.COMMENT: draw(st.one_of(st.none(), user_text)),
        }
        values = st.sampled_from(VALID_ATTENDANCE) if clean else attendance
        row.update({L.session_column(number): draw(values) for number in range(1, count + 1)})
        if draw(st.integers(0, 4)) == 0:
            row[L.CANCELLED_DATE] = draw(days)
            row[L.CANCELLATION_REASON] = draw(st.sampled_from(L.CANCELLATION_REASON_SEED + ("", "Egen orsak.")))
        participants.append(row)
    return GroupSheetContent(group_id, f"Grupp {group_id}", dates, registered=registered, participants=participants)


@st.composite
def workbooks(draw) -> tuple[WorkbookContent, date]:
    groups, sheets = [], []
    owned = st.one_of(st.none(), st.none(), user_text, st.sampled_from([L.ROSTER_OK, L.ROSTER_LATE, "Risk"]), days)
    for index in range(draw(st.integers(1, 3))):
        group_id = f"G{index + 1}-2609"
        group_type = draw(st.sampled_from(["ADHD Ung", "Mitt barn har autism"]))
        start = draw(st.dates(date(2026, 8, 3), date(2026, 11, 30)))
        count = draw(st.integers(1, 4))
        groups.append({
            L.GROUP_ID: group_id, L.GROUP_TYPE: group_type,
            L.ATTENDEE: draw(st.sampled_from(L.ATTENDEE_VALUES + (None,))),
            L.START_DATE: start, L.SESSION_COUNT: count, L.MAX_PARTICIPANTS: draw(st.integers(1, 8)),
            L.JOURNAL_AT_END: draw(st.sampled_from([L.YES, L.NO])),
            L.ROSTER_READY: draw(st.one_of(st.none(), days)), L.BOOKED_IN_ELVIS: draw(st.one_of(st.none(), days)),
            L.ROSTER_DEADLINE: draw(owned), L.STATUS: draw(owned),
        })
        if index == 0 or draw(st.booleans()):
            sheets.append(draw(group_sheets(group_id, start, count)))
    interest = [{
        L.RECEIVED: draw(st.one_of(days, st.sampled_from(["2/9 2026", "2026-09-14", "14 sep 2026"]))),
        L.PERSONAL_NUMBER: draw(personal_number), L.NAME: draw(st.sampled_from(NAMES)),
        L.WISHED_GROUP: draw(st.sampled_from(["ADHD Ung", "Mitt barn har autism", "Okänd grupp"])),
        L.SENT_BY: draw(st.sampled_from(L.SENDER_VALUES)),
        L.EXEMPTION: draw(st.sampled_from([None, None, "PVV", "MOV"])),
        L.PLANNING_ENTRY: draw(st.one_of(st.none(), days)),
        L.CARE_GUARANTEE_DEADLINE: draw(st.one_of(st.none(), st.none(), user_text, days)),
        L.SUGGESTION: draw(st.one_of(st.none(), st.none(), user_text)),
        L.STATUS: draw(st.one_of(st.none(), st.none(), user_text, st.just(L.INTEREST_PLACED))),
    } for _ in range(draw(st.integers(0, 3)))]
    content = WorkbookContent(
        groups=groups, group_sheets=sheets, interest=interest,
        group_types=(
            {L.GROUP_TYPE: "ADHD Ung", L.ATTENDEE: L.ATTENDEE_PATIENT, L.VISIT_TYPE: "Gruppbesök", L.ACTION_CODE: "DU011"},
            {L.GROUP_TYPE: "Mitt barn har autism", L.ATTENDEE: L.ATTENDEE_GUARDIAN, L.VISIT_TYPE: "Gruppbesök",
             L.ACTION_CODE: "GB009"},
        ),
        visit_types=({L.VISIT_TYPE_CODE: "U2", L.DESCRIPTION: "Uteblivet besök, ska betala"},
                     {L.VISIT_TYPE_CODE: "Gruppbesök", L.DESCRIPTION: "Besök i grupp"}),
    )
    today = draw(st.sampled_from([date(2026, 9, 1), date(2026, 10, 14), date(2026, 12, 21), date(2027, 1, 11)]))
    return content, today


def _is_user_text(value: object) -> bool:
    return isinstance(value, str) and value.startswith(USER)


def _button_owned(sheet: str, row: int, column: str, header_row: int | None) -> bool:
    """Whether a write to ``column`` of ``row`` on ``sheet`` is one the buttons may make."""
    if sheet == L.GROUPS:
        return column in L.GROUPS_TABLE.button_owned
    if sheet == L.INTEREST:
        return column in L.INTEREST_TABLE.button_owned
    if sheet == L.TASKS:
        return column in L.TASKS_TABLE.button_owned  # never Klar or a column a user added
    if header_row is not None:  # a group sheet
        if column == L.JOURNAL_TEXT:
            return row > header_row
        return row == header_row - 2 and L.SESSION_COLUMN.match(column) is not None  # Registrerad
    return False


@FEW
@given(workbooks())
def test_every_command_writes_only_button_owned_cells_and_never_over_user_text(generated):
    content, today = generated
    with tempfile.TemporaryDirectory() as folder:
        path = write_workbook(Path(folder) / "bok.xlsx", content)
        try:
            grids, tables = read_grids(path)
            workbook = read_workbook(grids, tables, today=today)
        except UserError:
            return  # a clear Swedish refusal is an allowed end; anything else fails the test
    for name, (_command, service) in services.SERVICES.items():
        outcome = service(workbook, today)
        for write in outcome.writes:
            sheet = workbook.group_sheets.get(write.sheet)
            assert _button_owned(write.sheet, write.row, write.column, sheet.header_row if sheet else None), (name, write)
            column = workbook.columns[write.sheet][write.column]
            current = grids[write.sheet].value(write.row, column)
            assert not _is_user_text(current), (name, write, current)
            if write.column == L.JOURNAL_TEXT:
                assert is_blank(current), (name, write, current)
        assert {table.table for table in outcome.tables} <= WHOLE_TABLES, name
        existing = set(workbook.group_sheets) | set(grids)
        assert not {sheet.name for sheet in outcome.new_sheets} & existing, name


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cells(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Every value a person or a button wrote; formula cells (the template's live counts) are left out:
    their shown value is the engine's result, which a result file leaves to be computed again."""
    grids, _ = read_grids(path)
    formulas = {
        sheet.title: {(cell.row, cell.column) for row in sheet.iter_rows() for cell in row if cell.data_type == "f"}
        for sheet in openpyxl.load_workbook(path).worksheets
    }
    return {
        name: {(r, c): as_text(value) for r, row in enumerate(grid.rows, 1) for c, value in enumerate(row, 1)
               if not is_blank(value) and (r, c) not in formulas.get(name, set())}
        for name, grid in grids.items()
    }


@FEW
@given(workbooks(), st.sampled_from(sorted(services.SERVICES)))
def test_a_command_applied_twice_equals_once_and_the_input_file_is_untouched(generated, command):
    content, today = generated
    with tempfile.TemporaryDirectory() as folder:
        path = write_workbook(Path(folder) / "bok.xlsx", content)
        before = _digest(path)
        out, err = io.StringIO(), io.StringIO()
        code = cli.main([command, str(path), "--today", today.isoformat(), "--out", str(Path(folder) / "ut")],
                        out=out, err=err)
        assert _digest(path) == before
        if code == 2:  # refused as a whole: one Swedish line, no result file
            assert len(err.getvalue().strip().splitlines()) == 1 and "oväntat" not in err.getvalue()
            assert not (Path(folder) / "ut").exists() or not list((Path(folder) / "ut").iterdir())
            return
        assert code in (0, 1) and err.getvalue() == "", err.getvalue()
        (result,) = (Path(folder) / "ut").glob("*.xlsx") if command != "export-registrations" else [
            p for p in (Path(folder) / "ut").glob("*.xlsx") if "(" in p.name]

        # Once more on its own result: nothing left to do.
        again = read_workbook_file(result, today=today).workbook
        _command, service = services.SERVICES[command]
        outcome = service(again, today)
        assert outcome.writes == () and outcome.new_sheets == (), (outcome.writes, outcome.new_sheets)
        assert [table.table for table in outcome.tables] == []

        # The result differs from the input only in cells the buttons own, and keeps every user text.
        source, target = read_workbook_file(path, today=today).workbook, _cells(result)
        original = _cells(path)
        new_sheets = set(target) - set(original)
        assert command == "new-groups" or not new_sheets
        for sheet, cells in original.items():
            if sheet in WHOLE_SHEETS:
                continue
            group = source.group_sheets.get(sheet)
            columns = {index: name for name, index in source.columns.get(sheet, {}).items()}
            for (row, column) in set(cells) | set(target.get(sheet, {})):
                old, new = cells.get((row, column), ""), target.get(sheet, {}).get((row, column), "")
                if old == new:
                    continue
                assert not old.startswith(USER), (sheet, cell_address(row, column), old, new)
                if sheet == L.START and cell_address(row, column) == L.STATUS_CELL:
                    continue
                name = columns.get(column, "")
                assert _button_owned(sheet, row, name, group.header_row if group else None), (
                    sheet, cell_address(row, column), old, new)
