"""Co-authoring (issue 12, SPEC §6): a click writes only cells its button owns and appends rows, and a
value typed while it runs survives it.

Through the real xlwings API (the remote engine of tests/test_buttons.py): every action a click emits
is checked against the owner of each cell it touches, on generated workbooks where causes appear and
disappear between two clicks (a no-show corrected, a cancellation added, a participant removed, a task
ticked Klar, days passing). And a live edit is injected between the click's read and its write.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.cell import range_boundaries

from xl_addin import buttons, excel_edge
from xl_addin.demo import DEMO_TODAY, build_demo
from xl_addin.domain import layout as L
from xl_addin.domain.cells import is_blank
from xl_addin.files.reader import read_workbook_file
from xl_addin.template import write_workbook

from .test_buttons import ActionApplier, Clicked, book_json, click, table_rows, xw  # noqa: F401  (xw: fixture)
from .test_properties import workbooks

BUTTONS = [function for _caption, _sub, function in buttons.MACROS]
TABLE_BY_NAME = {table.name: table for table in L.TABLES}
# Sheets whose every cell is a button's: nothing a person types there.
BUTTON_SHEETS = {L.CHECK, L.STATISTICS, L.LOG, L.MEMORY, L.REGISTRATION}
EXCEL_MAX_ROWS = 1_048_576


def _touched(action) -> list[tuple[int, int]]:
    if action["func"] not in ("setValues", "rangeClearContents", "rangeClear", "rangeDelete"):
        return []
    rows = range(action["start_row"] + 1, action["start_row"] + action["row_count"] + 1)
    columns = range(action["start_column"] + 1, action["start_column"] + action["column_count"] + 1)
    if action["func"] == "rangeDelete":
        return [(1, column) for column in columns]  # whole columns: judged by the sheet
    if action["func"] == "setValues":  # a null value leaves its cell as it is (Office.js)
        return [(row, column) for row, line in zip(rows, action["values"]) for column, value in zip(columns, line)
                if value is not None]
    return [(row, column) for row in rows for column in columns]


def person_owned_writes(snapshot: Path, actions) -> list[str]:
    """Every cell an action writes that belongs to a person in a row that had data in ``snapshot``."""
    book = openpyxl.load_workbook(snapshot)
    names: list[str | None] = list(book.sheetnames)  # the order as the actions see it; None = created now
    bad = []
    for action in actions:
        if action["func"] == "copySheet":
            position, target, _name = action["args"]
            names.insert(target + 1 if position == "After" else target, None)
            continue
        if action["func"] == "addSheet":
            names.insert(action["args"][0], None)
            continue
        if action["func"] in ("alert", "resizeTable", "setSheetName", "setSheetVisibility", "setTableName"):
            continue
        position = action["sheet_position"]
        if position is None or position >= len(names) or names[position] is None:
            continue  # a sheet this click created
        sheet = book[names[position]]
        for row, column in _touched(action):
            if action["func"] == "rangeDelete" or not _button_cell(sheet, row, column):
                bad.append(f"{sheet.title}!{sheet.cell(row, column).coordinate} ({action['func']})")
    return bad


def _button_cell(sheet, row: int, column: int) -> bool:
    if sheet.title in BUTTON_SHEETS:
        return True
    if sheet.title == L.START:
        return sheet.cell(row, column).coordinate == L.STATUS_CELL
    for table in sheet.tables.values():
        c1, r1, c2, r2 = range_boundaries(table.ref)
        if not c1 <= column <= c2 or row < r1:
            continue
        if row == r1:
            return False  # a header
        header = sheet.cell(r1, column).value
        has_data = any(not is_blank(sheet.cell(row, c).value) for c in range(c1, c2 + 1))
        contract = TABLE_BY_NAME.get(table.displayName)
        if contract is not None:
            return not has_data or header in contract.button_owned
        # a group sheet's participant table: Journaltext only where it was empty
        if header == L.JOURNAL_TEXT:
            return is_blank(sheet.cell(row, column).value)
        return not has_data and row > r2  # below the table: an append
    if sheet.title not in L.FIXED_SHEETS:  # a group sheet outside its table: the Registrerad row
        return row == L.GROUP_SHEET_REGISTERED_ROW and L.SESSION_COLUMN.match(
            str(sheet.cell(L.GROUP_SHEET_HEADER_ROW, column).value or "")) is not None
    return False


# -- what people do between two clicks ------------------------------------------------------------
def _edit_between_clicks(path: Path, edits: list[str], target: Path) -> None:
    book = openpyxl.load_workbook(path)
    group_sheets = [ws for ws in book.worksheets if ws.title not in L.FIXED_SHEETS]
    for edit in edits:
        if edit == "rätta uteblivande":  # the first no-show found becomes Deltog
            cells = (cell for ws in group_sheets for row in ws.iter_rows(min_row=L.GROUP_SHEET_HEADER_ROW + 1)
                     for cell in row)
            found = next((cell for cell in cells
                          if isinstance(cell.value, str) and cell.value.strip().casefold() in ("uteblev", "u")), None)
            if found is not None:
                found.value = L.ATTENDED
        elif edit in ("ny avbokning", "ta bort deltagare") and group_sheets:
            ws = group_sheets[0]
            headers = {ws.cell(L.GROUP_SHEET_HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
            row = L.GROUP_SHEET_HEADER_ROW + 1
            if ws.cell(row, 1).value in (None, ""):
                continue
            if edit == "ny avbokning":
                ws.cell(row, headers[L.CANCELLED_DATE]).value = ws.cell(L.GROUP_SHEET_DATE_ROW, headers["T1"]).value
                ws.cell(row, headers[L.CANCELLATION_REASON]).value = "Sjukdom"
            else:
                for c in range(1, ws.max_column + 1):
                    ws.cell(row, c).value = None
        elif edit == "bocka klar":
            ws = book[L.TASKS]
            headers = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1)}
            if ws.cell(2, headers[L.KEY]).value:
                ws.cell(2, headers[L.DONE]).value = "x"
    book.save(target)


EDITS = st.lists(st.sampled_from(["rätta uteblivande", "ny avbokning", "ta bort deltagare", "bocka klar"]),
                 max_size=3)


def two_clicks(xw, content, today: date, first: str, second: str, edits: list[str], later: int, folder: Path):
    """The first button clicked on a generated workbook, a person's ``edits``, the second button ``later``
    days on: [(the file each click read, the click)], or [] when the workbook is refused as a whole."""
    path = write_workbook(folder / "bok.xlsx", content)
    try:
        read_workbook_file(path, today=today)
    except Exception:
        return []  # refused as a whole (another test covers the message)
    one = Clicked(xw, path, first, today, folder)
    edited = folder / "redigerad.xlsx"
    _edit_between_clicks(one.path, edits, edited)
    return [(path, one), (edited, Clicked(xw, edited, second, today + timedelta(days=later), folder))]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                  HealthCheck.function_scoped_fixture])
@given(workbooks(), st.sampled_from(BUTTONS), st.sampled_from(BUTTONS), EDITS, st.integers(0, 40))
def test_no_click_writes_a_cell_a_person_owns_in_a_row_that_has_data(xw, generated, first, second, edits, later):
    content, today = generated
    with tempfile.TemporaryDirectory() as folder:
        for snapshot, clicked in two_clicks(xw, content, today, first, second, edits, later, Path(folder)):
            assert person_owned_writes(snapshot, clicked.actions) == [], (first, edits, second)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo") / "demo.xlsx")


@pytest.mark.parametrize("function", BUTTONS)
def test_every_button_on_the_demo_writes_only_cells_it_owns_after_a_no_show_is_corrected(xw, demo, tmp_path, function):
    first = click(xw, demo, "refresh_all", tmp_path)
    edited = tmp_path / "rättad.xlsx"
    _edit_between_clicks(first.path, ["rätta uteblivande", "bocka klar"], edited)
    second = click(xw, edited, function, tmp_path, today=DEMO_TODAY + timedelta(days=1))
    assert person_owned_writes(edited, second.actions) == []
    klar_before = [row[L.DONE] for row in table_rows(edited, L.TASKS_TABLE.name)]
    klar_after = [row[L.DONE] for row in table_rows(second.path, L.TASKS_TABLE.name)][: len(klar_before)]
    assert klar_after == klar_before


def test_a_corrected_no_show_marks_its_task_instead_of_rewriting_att_gora(xw, demo, tmp_path):
    first = click(xw, demo, "mark_no_shows", tmp_path)
    edited = tmp_path / "rättad.xlsx"
    _edit_between_clicks(first.path, ["rätta uteblivande"], edited)
    second = click(xw, edited, "mark_no_shows", tmp_path)
    rows_before = table_rows(edited, L.TASKS_TABLE.name)
    rows_after = table_rows(second.path, L.TASKS_TABLE.name)
    assert [row[L.KEY] for row in rows_after] == [row[L.KEY] for row in rows_before]  # no row moved or went
    changed = [(before, after) for before, after in zip(rows_before, rows_after) if before != after]
    assert [after[L.REMARK] for _before, after in changed] == [L.REMARK_NOT_NEEDED]
    assert [{k for k in before if before[k] != after[k]} for before, after in changed] == [{L.REMARK}]
    task_writes = [a for a in second.actions if a["func"] == "setValues"
                   and a["sheet_position"] == openpyxl.load_workbook(edited).sheetnames.index(L.TASKS)]
    assert len(task_writes) == 1  # one block over button-owned cells; Klar and the other rows untouched


# -- a live edit between the read and the write ------------------------------------------------------
def _click_with_live_edit(xw, source: Path, function: str, edit, tmp_path: Path) -> tuple[list, ActionApplier, Path]:
    """Click ``function``; right after ``read_book`` a person changes the live book (``edit(snapshot)``
    gives the cells they type). Returns the click's actions, the applier (its alerts) and the file as it
    is afterwards: the person's edit plus the click's actions."""
    payload = book_json(source, xw.__version__)
    book = xw.Book(json=payload)
    real = excel_edge.read_book
    positions = {sheet["name"]: index for index, sheet in enumerate(payload["sheets"])}
    typed: list[tuple[str, int, int, object]] = []

    def read_then_someone_types(live):
        snapshot = real(live)
        for sheet, row, column, value in edit(snapshot):
            values = payload["sheets"][positions[sheet]]["values"]
            while len(values) < row:
                values.append([""] * len(values[0]))
            for line in values:
                line.extend([""] * (column - len(line)))
            values[row - 1][column - 1] = value
            typed.append((sheet, row, column, value))
        return snapshot

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(excel_edge, "read_book", read_then_someone_types)
        getattr(buttons, function)(book, today=DEMO_TODAY)
    actions = book.json()["actions"]
    workbook = openpyxl.load_workbook(source)
    for sheet, row, column, value in typed:  # what the person typed is in the real workbook too
        workbook[sheet].cell(row, column).value = value
    applier = ActionApplier(workbook)
    applier.apply(actions)
    after = tmp_path / f"live-{function}.xlsx"
    workbook.save(after)
    return actions, applier, after


def _first_empty_journal_cell(snapshot):
    grids, tables = snapshot
    workbook_sheet = "MittBarn-2608"
    grid = grids[workbook_sheet]
    header = [str(value or "") for value in grid.rows[L.GROUP_SHEET_HEADER_ROW - 1]]
    column = header.index(L.JOURNAL_TEXT) + 1
    for row in range(L.GROUP_SHEET_HEADER_ROW + 1, len(grid.rows) + 1):
        if grid.value(row, 1) and is_blank(grid.value(row, column)):
            return workbook_sheet, row, column
    raise AssertionError("the demo has an empty journal text in MittBarn-2608")


def test_a_journal_text_typed_while_the_click_runs_survives_it(xw, demo, tmp_path):
    def someone_writes_a_note(snapshot):
        sheet, row, column = _first_empty_journal_cell(snapshot)
        return [(sheet, row, column, "Egen anteckning skriven under klicket.")]

    actions, applier, after = _click_with_live_edit(xw, demo, "journal_phrases", someone_writes_a_note, tmp_path)
    assert [a["func"] for a in actions] == ["alert"]  # refused before the first write
    assert "medan knappen arbetade" in applier.alerts[0] and "Klicka på knappen igen" in applier.alerts[0]
    book = openpyxl.load_workbook(after)
    sheet, row, column = _first_empty_journal_cell(excel_edge.read_book(xw.Book(json=book_json(demo, xw.__version__))))
    assert book[sheet].cell(row, column).value == "Egen anteckning skriven under klicket."
    # The next click, on the workbook as it now is, writes the other texts and keeps the typed one.
    again = click(xw, after, "journal_phrases", tmp_path)
    assert openpyxl.load_workbook(again.path)[sheet].cell(row, column).value == "Egen anteckning skriven under klicket."
    assert "setValues" in [a["func"] for a in again.actions]


@pytest.mark.parametrize("function", BUTTONS)
def test_klar_ticked_while_any_click_runs_survives_it(xw, demo, tmp_path, function):
    start = click(xw, demo, "refresh_all", tmp_path)

    def secretary_ticks_klar(snapshot):
        grids, tables = snapshot
        location = tables[L.TASKS_TABLE.name]
        column = location.first_column + location.columns.index(L.DONE)
        return [(location.sheet, row, column, "x") for row in range(location.header_row + 1, location.last_row + 1)
                if grids[location.sheet].value(row, location.first_column)]

    _actions, _applier, after = _click_with_live_edit(xw, start.path, function, secretary_ticks_klar, tmp_path)
    rows = table_rows(after, L.TASKS_TABLE.name)
    ticked = [row for row in rows if row[L.DONE] == "x"]
    before = [row for row in table_rows(start.path, L.TASKS_TABLE.name)]
    assert len(ticked) == len(before) > 0  # every tick survived (the click wrote no Klar cell)


def test_a_row_typed_below_att_gora_while_a_click_appends_there_makes_it_refuse(xw, demo, tmp_path):
    def someone_adds_a_row(snapshot):
        grids, tables = snapshot
        location = tables[L.TASKS_TABLE.name]
        grid = grids[location.sheet]
        last = max((row for row in range(location.header_row + 1, len(grid.rows) + 1)
                    if any(grid.value(row, c) for c in range(1, len(location.columns) + 1))), default=location.header_row)
        column = location.first_column + location.columns.index(L.TASK)
        return [(location.sheet, last + 1, column, "Ring familjen (egen rad)")]

    actions, _applier, after = _click_with_live_edit(xw, demo, "mark_no_shows", someone_adds_a_row, tmp_path)
    assert [a["func"] for a in actions] == ["alert"]
    assert any(row[L.TASK] == "Ring familjen (egen rad)" for row in table_rows(after, L.TASKS_TABLE.name))
