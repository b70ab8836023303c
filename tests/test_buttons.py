"""The buttons, driven through xlwings' real API on Linux, compared with the command line.

xlwings' remote engine (``xw.Book(json=...)``) holds a workbook as the JSON an Office.js client
sends, and records every write as an action a client would apply: the same xlwings API the buttons
use in desktop Excel, without Excel. Each test turns a real workbook file into that JSON, clicks a
button, applies the recorded actions to a copy of the file (``ActionApplier`` below, openpyxl), reads
the copy back with the command line's own reader, and compares with what the command line computes.

The remote engine is part of xlwings PRO; it runs here under ``XLWINGS_LICENSE_KEY=noncommercial``
(PolyForm Noncommercial), in these tests only. The product itself runs on classic (BSD) xlwings.
"""

from __future__ import annotations

from xl_addin.domain.records import replace
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableColumn

from xl_addin import buttons, cli, diagnostics, excel_edge, services
from xl_addin.demo import DEMO_TODAY, build_demo
from xl_addin.domain import layout as L
from xl_addin.domain.cells import CellError
from xl_addin.domain.personal_number import make_personal_number
from xl_addin.files.reader import read_grids, read_workbook_file
from xl_addin.template import GroupSheetContent, WorkbookContent, write_workbook

ROOT = Path(__file__).resolve().parents[1]
KNAPPAR = ROOT / "xl_addin" / "vba" / "Knappar.bas"
BUTTONS = [function for _caption, _sub, function in buttons.MACROS]
EXCEL_MAX_ROWS = 1_048_576


# -- the remote engine ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def xw():
    """xlwings with its remote engine, licensed for these tests only; skips when it is unavailable."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
        try:
            import xlwings
            from xlwings.pro import _xlremote
        except Exception as problem:  # no PRO part, or a licence check that refuses
            pytest.skip(f"xlwings' remote engine is unavailable: {type(problem).__name__}")
        if "remote" not in [engine.name for engine in xlwings.engines]:
            xlwings.engines.add(xlwings.main.Engine(impl=_xlremote.engine))
        yield xlwings


def _json_value(value: object) -> object:
    """A cell value as Office.js sends it: dates as ISO text with Z, blanks as empty strings."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00.000Z"
    return value


def _absolute(row: int, column: int) -> str:
    return f"${get_column_letter(column)}${row}"


def book_json(path: Path, version: str) -> dict[str, object]:
    """The payload an Office.js client sends for the workbook file at ``path`` (as xlwings reads it)."""
    book = openpyxl.load_workbook(path)
    sheets = []
    for sheet in book.worksheets:
        values = [
            [_json_value(sheet.cell(row, column).value) for column in range(1, sheet.max_column + 1)]
            for row in range(1, sheet.max_row + 1)
        ]
        tables = []
        for table in sheet.tables.values():
            c1, r1, c2, r2 = range_boundaries(table.ref)
            tables.append({
                "name": table.displayName,
                "range_address": f"{_absolute(r1, c1)}:{_absolute(r2, c2)}",
                "header_row_range_address": f"{_absolute(r1, c1)}:{_absolute(r1, c2)}",
                "data_body_range_address": f"{_absolute(r1 + 1, c1)}:{_absolute(r2, c2)}",
                "total_row_range_address": None,
                "show_headers": True,
                "show_totals": False,
                "table_style": "TableStyleLight9",
                "show_autofilter": True,
                "show_table_style_first_column": False,
                "show_table_style_last_column": False,
                "show_table_style_row_stripes": True,
                "show_table_style_column_stripes": False,
                "columns": [column.name for column in table.tableColumns],
                "row_count": r2 - r1 + 1,
                "column_count": c2 - c1 + 1,
            })
        sheets.append({
            "name": sheet.title,
            "values": values,
            "used_range_address": f"A1:{get_column_letter(sheet.max_column)}{sheet.max_row}",
            "visibility": "Visible" if sheet.sheet_state == "visible" else "Hidden",
            "pictures": [], "shapes": [], "charts": [], "notes": [], "tables": tables,
            "print_area": None, "show_gridlines": True, "pivot_tables": [],
        })
    positions = {sheet.title: index for index, sheet in enumerate(book.worksheets)}
    names = []
    for name, definition in book.defined_names.items():
        for sheet, reference in definition.destinations:
            names.append({
                "name": name, "sheet_index": positions[sheet], "address": reference.replace("$", ""),
                "refers_to": "=" + definition.attr_text, "scope_sheet_name": None, "scope_sheet_index": None,
                "book_scope": True,
            })
    return {
        "client": "Office.js",
        "version": version,
        "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
        "names": names,
        "sheets": sheets,
    }


# -- applying recorded actions to a copy of the file ----------------------------------------------
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_LINK_FORMULA = re.compile(r"""^=HYPERLINK\("#('(?:[^']|'')+'![A-Z]+\d+(?::[A-Z]+\d+)?)","([A-Z]+\d+(?::[A-Z]+\d+)?)"\)$""")


def excel_typed(value: object) -> object:
    """What Excel stores when a client writes ``value``: it parses text the way typing would."""
    if value == "" or value is None:
        return None
    if not isinstance(value, str):
        return value
    if value.startswith("'"):
        return value[1:]  # the text prefix: stored as text, without the apostrophe
    if _LINK_FORMULA.match(value):
        return value  # the one formula a button writes (Kontroll's Cell): the applier turns it into a link
    if value.startswith("="):
        raise AssertionError("a button wrote a formula")
    if _ISO_DATE.match(value):
        return datetime.fromisoformat(value)
    if _ISO_DATETIME.match(value):
        return datetime.fromisoformat(value)
    if _NUMBER.match(value.strip()):
        return float(value.strip().replace(",", "."))
    if value.strip().upper() in ("TRUE", "FALSE"):
        return value.strip().upper() == "TRUE"
    return value


class ActionApplier:
    """Applies the actions the buttons emit to an openpyxl workbook, as an Excel client would."""

    HANDLED = ("setValues", "rangeClearContents", "resizeTable", "copySheet", "setSheetName",
               "setSheetVisibility", "rangeDelete", "setTableName", "alert", "sheetDelete")

    def __init__(self, book) -> None:
        self.book = book
        self.alerts: list[str] = []
        self.links: list[tuple[str, str, str]] = []  # (sheet, cell, target) of every HYPERLINK written

    def apply(self, actions: list[Mapping[str, object]]) -> None:
        for action in actions:
            handler = getattr(self, f"_{action['func']}", None)
            if handler is None:
                raise AssertionError(f"unhandled action {action['func']}")
            handler(action)

    def _sheet(self, action):
        return self.book.worksheets[action["sheet_position"]]

    def _cells(self, action) -> Iterator[tuple[int, int]]:
        for row in range(action["start_row"] + 1, action["start_row"] + action["row_count"] + 1):
            for column in range(action["start_column"] + 1, action["start_column"] + action["column_count"] + 1):
                yield row, column

    def _setValues(self, action) -> None:
        sheet = self._sheet(action)
        for r, row in enumerate(action["values"]):
            for c, value in enumerate(row):
                if value is None:  # Office.js leaves a cell given null unchanged (Blank and null values in Excel add-ins)
                    continue
                cell = sheet.cell(action["start_row"] + 1 + r, action["start_column"] + 1 + c)
                cell.value = excel_typed(value)
                link = _LINK_FORMULA.match(cell.value) if isinstance(cell.value, str) else None
                cell.hyperlink = None
                if link:  # Excel shows the formula's text and jumps on a click: as a cell hyperlink does
                    cell.value = link.group(2)
                    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=link.group(1), display=link.group(2))
                    self.links.append((sheet.title, cell.coordinate, link.group(1)))
                if isinstance(cell.value, datetime):
                    cell.number_format = "yyyy-mm-dd"

    def _rangeClearContents(self, action) -> None:
        sheet = self._sheet(action)
        for row, column in self._cells(action):
            sheet.cell(row, column).value = None

    def _table(self, action, index: int):
        return list(self._sheet(action).tables.values())[index]

    def _resizeTable(self, action) -> None:
        index, address = action["args"]
        table = self._table(action, int(index))
        table.ref = address.replace("$", "")
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref

    def _copySheet(self, action) -> None:
        position, target, name = action["args"]
        source = self._sheet(action)
        copy = self.book.copy_worksheet(source)
        copy.title = name
        copy.sheet_state = source.sheet_state  # Excel copies a hidden sheet as hidden
        copy.freeze_panes = source.freeze_panes
        for number, table in enumerate(source.tables.values(), start=2):
            twin = Table(displayName=f"{table.displayName}{number}", ref=table.ref)
            twin.tableColumns = [TableColumn(id=i, name=c.name) for i, c in enumerate(table.tableColumns, start=1)]
            copy.add_table(twin)
        self.book._sheets.remove(copy)
        self.book._sheets.insert(target if position == "Before" else target + 1, copy)

    def _setSheetName(self, action) -> None:
        self._sheet(action).title = action["args"][0]

    def _setSheetVisibility(self, action) -> None:
        self._sheet(action).sheet_state = "visible" if action["args"][0] == "Visible" else "hidden"

    def _sheetDelete(self, action) -> None:
        self.book.remove(self._sheet(action))

    def _delete_table_rows(self, action) -> None:
        """Cells deleted with shift up over a table's whole width: Excel deletes those table rows."""
        sheet = self._sheet(action)
        first, count = action["start_row"] + 1, action["row_count"]
        last = first + count - 1
        left, right = action["start_column"] + 1, action["start_column"] + action["column_count"]
        (table,) = [t for t in sheet.tables.values()
                    if range_boundaries(t.ref)[0] == left and range_boundaries(t.ref)[2] == right]
        c1, r1, c2, r2 = range_boundaries(table.ref)
        assert r1 < first and last <= r2, "only body rows of a table are deleted"
        for row in range(first, last + 1):
            for column in range(left, right + 1):
                sheet._cells.pop((row, column), None)
        if sheet.max_row > last:  # the cells below in the table's columns move up; beside it nothing moves
            sheet.move_range(f"{get_column_letter(left)}{last + 1}:{get_column_letter(right)}{sheet.max_row}",
                             rows=-count)
        table.ref = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{max(r1 + 1, r2 - count)}"
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref

    def _rangeDelete(self, action) -> None:
        if action["args"] == ["up"]:
            self._delete_table_rows(action)
            return
        assert action["args"] == ["left"], action["args"]
        assert action["row_count"] == EXCEL_MAX_ROWS, "only whole columns are deleted"
        sheet = self._sheet(action)
        first, count = action["start_column"] + 1, action["column_count"]
        last = first + count - 1
        sheet.delete_cols(first, count)
        for table in sheet.tables.values():  # Excel shrinks a table whose columns are deleted
            c1, r1, c2, r2 = range_boundaries(table.ref)
            gone = max(0, min(c2, last) - max(c1, first) + 1)
            keep = [column for i, column in enumerate(table.tableColumns, start=c1) if not first <= i <= last]
            table.tableColumns = [TableColumn(id=i, name=c.name) for i, c in enumerate(keep, start=1)]
            table.ref = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2 - gone)}{r2}"
            table.autoFilter = None

    def _setTableName(self, action) -> None:
        index, name = action["args"]
        sheet = self._sheet(action)
        table = self._table(action, int(index))
        del sheet.tables[table.displayName]
        table.displayName = name
        table.name = name
        sheet.tables[name] = table

    def _alert(self, action) -> None:
        self.alerts.append(action["args"][0])


class Clicked:
    """A button clicked on a workbook file: the outcome, the actions, and the file after applying them."""

    def __init__(self, xw, source: Path, function: str, today: date, tmp_path: Path) -> None:
        self.book = xw.Book(json=book_json(source, xw.__version__))
        self.outcome = getattr(buttons, function)(self.book, today=today)
        self.actions = self.book.json()["actions"]
        workbook = openpyxl.load_workbook(source)
        self.applier = ActionApplier(workbook)
        self.applier.apply(self.actions)
        self.path = tmp_path / f"{source.stem}-{function}-{len(list(tmp_path.iterdir()))}.xlsx"
        workbook.save(self.path)

    def funcs(self) -> list[str]:
        return [action["func"] for action in self.actions]

    def read(self, today: date):
        return read_workbook_file(self.path, today=today).workbook


def click(xw, source: Path, function: str, tmp_path: Path, today: date = DEMO_TODAY) -> Clicked:
    return Clicked(xw, source, function, today, tmp_path)


def cli_json(command: str, path: Path, today: date = DEMO_TODAY) -> dict[str, object]:
    out = io.StringIO()
    cli.main([command, str(path), "--today", today.isoformat(), "--json"], out=out, err=io.StringIO())
    return json.loads(out.getvalue())


def _plain(value: object) -> object:
    """A read-back cell in the command line's JSON form."""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return "" if value is None else value


def table_rows(path: Path, name: str) -> list[dict[str, object]]:
    grids, tables = read_grids(path)
    location = tables[name]
    grid = grids[location.sheet]
    rows = []
    for row in range(location.header_row + 1, location.last_row + 1):
        values = {
            header: _plain(grid.value(row, location.first_column + offset))
            for offset, header in enumerate(location.columns)
        }
        if any(value != "" for value in values.values()):
            rows.append(values)
    return rows


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo") / "demo.xlsx")


# -- each button against the command line ---------------------------------------------------------
def test_flag_late_rosters_writes_what_the_command_line_reports(xw, demo, tmp_path):
    clicked = click(xw, demo, "flag_late_rosters", tmp_path)
    expected = {row[L.GROUP_ID]: row for row in cli_json("flag-late-rosters", demo)["rows"]}
    written = {row[L.GROUP_ID]: row for row in table_rows(clicked.path, L.GROUPS_TABLE.name)}
    assert expected
    for group_id, row in expected.items():
        assert written[group_id][L.ROSTER_DEADLINE] == row[L.ROSTER_DEADLINE], group_id
        assert written[group_id][L.STATUS] == row[L.STATUS], group_id
    tasks = {row[L.KEY] for row in table_rows(clicked.path, L.TASKS_TABLE.name)}
    assert tasks == {task[L.KEY] for task in cli_json("flag-late-rosters", demo)["tasks"]}


def test_journal_phrases_fills_the_texts_the_command_line_reports(xw, demo, tmp_path):
    before = read_workbook_file(demo, today=DEMO_TODAY).workbook
    clicked = click(xw, demo, "journal_phrases", tmp_path)
    after = clicked.read(DEMO_TODAY)
    rows = cli_json("journal-phrases", demo)["rows"]
    filled = 0
    for row in rows:
        if not row.get(L.JOURNAL_TEXT):
            continue
        old = next(p for p in before.group_sheets[row[L.GROUP_ID]].participants
                   if str(p.personal_number) == row[L.PERSONAL_NUMBER])
        new = next(p for p in after.group_sheets[row[L.GROUP_ID]].participants
                   if str(p.personal_number) == row[L.PERSONAL_NUMBER])
        if not old.journal_text:
            assert new.journal_text == row[L.JOURNAL_TEXT]
            filled += 1
        else:
            assert new.journal_text == old.journal_text  # a user's text is never overwritten
    assert filled >= 3


def test_export_registrations_appends_the_command_lines_rows_and_marks_the_sessions(xw, demo, tmp_path):
    before = table_rows(demo, L.REGISTRATION_TABLE.name)
    clicked = click(xw, demo, "export_registrations", tmp_path)
    expected = cli_json("export-registrations", demo)["rows"]
    after = table_rows(clicked.path, L.REGISTRATION_TABLE.name)
    assert expected
    assert after[: len(before)] == before
    assert after[len(before):] == expected
    workbook = clicked.read(DEMO_TODAY)
    exported = {(row[L.GROUP_ID], row[L.SESSION]) for row in expected}
    for group_id, number in exported:
        session = workbook.group_sheets[group_id].sessions[number - 1]
        assert session.registered == DEMO_TODAY


def test_plan_interest_writes_the_command_lines_columns(xw, demo, tmp_path):
    clicked = click(xw, demo, "plan_interest", tmp_path)
    expected = cli_json("plan-interest", demo)["rows"]
    written = table_rows(clicked.path, L.INTEREST_TABLE.name)
    assert expected
    for row in expected:
        match = [r for r in written if r[L.PERSONAL_NUMBER] == row[L.PERSONAL_NUMBER] and r[L.RECEIVED] == row[L.RECEIVED]]
        assert len(match) == 1, row[L.RECEIVED]
        for column in L.INTEREST_TABLE.button_owned:
            assert match[0][column] == row[column], column


def test_check_fills_kontroll_with_the_command_lines_problems(xw, demo, tmp_path):
    clicked = click(xw, demo, "check", tmp_path)
    expected = cli_json("check", demo)["problems"]
    assert table_rows(clicked.path, L.CHECK_TABLE.name) == expected
    assert expected


def test_check_writes_each_problems_cell_as_a_link_that_jumps_to_it(xw, demo, tmp_path):
    clicked = click(xw, demo, "check", tmp_path)
    problems = cli_json("check", demo)["problems"]
    targets = [target for sheet, _cell, target in clicked.applier.links if sheet == L.CHECK]
    assert targets == ["'" + p[L.SHEET].replace("'", "''") + "'!" + p[L.CELL] for p in problems]
    again = click(xw, clicked.path, "check", tmp_path)
    assert L.CHECK_TABLE.name not in [a.get("args", [None])[0] for a in again.actions if a["func"] == "resizeTable"]
    assert not [link for link in again.applier.links if link[0] == L.CHECK], "an unchanged Kontroll is not rewritten"


def test_new_groups_copies_gruppmall_with_the_sessions_and_dates(xw, demo, tmp_path):
    clicked = click(xw, demo, "new_groups", tmp_path)
    rows = cli_json("new-groups", demo)["rows"]
    assert rows
    assert "copySheet" in clicked.funcs()
    workbook = clicked.read(DEMO_TODAY)
    for group_id in {row[L.GROUP_ID] for row in rows}:
        sheet = workbook.group_sheets[group_id]
        dates = [row[L.DATE] for row in rows if row[L.GROUP_ID] == group_id]
        assert [session.date.isoformat() for session in sheet.sessions] == dates
        assert sheet.participants == ()
        assert workbook.group(group_id).session_count == len(dates)
        assert not any(p.sheet == group_id for p in workbook.problems), group_id
    book = openpyxl.load_workbook(clicked.path)
    for group_id in {row[L.GROUP_ID] for row in rows}:
        sheet = book[group_id]
        assert sheet.sheet_state == "visible"
        assert list(sheet.tables) == [L.group_table_name(group_id)]
        assert sheet.cell(1, 1).value.endswith(group_id)
        position = book.sheetnames.index(group_id)
        assert book.sheetnames[position + 1] == L.INTEREST  # group sheets stay before Intresseanmälningar
    assert book[L.GROUP_TEMPLATE].sheet_state == "hidden"


def test_refresh_all_applies_every_rule_on_one_snapshot(xw, demo, tmp_path):
    clicked = click(xw, demo, "refresh_all", tmp_path)
    keys = {row[L.KEY] for row in table_rows(clicked.path, L.TASKS_TABLE.name)}
    assert keys == {task[L.KEY] for task in cli_json("tasks", demo)["tasks"]}
    groups = {row[L.GROUP_ID]: row for row in table_rows(clicked.path, L.GROUPS_TABLE.name)}
    for row in cli_json("flag-late-rosters", demo)["rows"]:
        assert groups[row[L.GROUP_ID]][L.STATUS] == row[L.STATUS]
    assert clicked.funcs().count("alert") == 1


def test_status_and_one_logg_row_are_written(xw, demo, tmp_path):
    clicked = click(xw, demo, "check", tmp_path)
    book = openpyxl.load_workbook(clicked.path)
    assert book[L.START][L.STATUS_CELL].value == clicked.outcome.summary
    log = table_rows(clicked.path, L.LOG_TABLE.name)
    assert [(row[L.FUNCTION], row[L.RESULT]) for row in log] == [(L.BUTTON_CHECK, clicked.outcome.summary)]
    assert clicked.applier.alerts and clicked.applier.alerts[0].startswith(clicked.outcome.summary)


# -- idempotency and the number of Excel calls ---------------------------------------------------
@pytest.mark.parametrize("function", BUTTONS)
def test_a_second_click_changes_nothing_but_status_and_logg(xw, demo, tmp_path, function):
    first = click(xw, demo, function, tmp_path)
    second = click(xw, first.path, function, tmp_path)
    book = openpyxl.load_workbook(first.path)
    positions = {name: index for index, name in enumerate(book.sheetnames)}
    status_row, status_column = 3, 2  # Start!B3, where the template's Status name points
    assert book.defined_names[L.STATUS_NAME].attr_text == "Start!$B$3"
    for action in second.actions:
        if action["func"] == "alert":
            continue
        if action["sheet_position"] == positions[L.LOG]:
            assert action["func"] in ("setValues", "resizeTable")
            continue
        assert action["func"] == "setValues", action
        assert (action["sheet_position"], action["start_row"] + 1, action["start_column"] + 1) == (
            positions[L.START], status_row, status_column), action
    assert len(table_rows(second.path, L.LOG_TABLE.name)) == 2


def _scaled_content(per_group: int) -> WorkbookContent:
    """Two groups of ``per_group`` participants in every state the buttons act on, plus a future group."""
    finished = [date(2026, 8, 19) + timedelta(weeks=week) for week in range(4)]
    ongoing = [date(2026, 9, 23) + timedelta(weeks=week) for week in range(6)]
    upcoming = [date(2026, 11, 2) + timedelta(weeks=week) for week in range(4)]

    def people(offset: int) -> list[dict[str, object]]:
        rows = []
        for index in range(per_group):
            birth = date(2010, 1, 1) + timedelta(days=index + offset)
            rows.append({L.PERSONAL_NUMBER: make_personal_number(birth, 900 + index % 100),
                         L.NAME: f"Testbarn Nummer{offset + index}", L.GUARDIAN: "Testförälder"})
        return rows

    finished_people = [{**row, "T1": "Deltog", "T2": "Deltog", "T3": "Deltog", "T4": "Deltog"} for row in people(0)]
    ongoing_people = [{**row, "T1": "Deltog", "T2": "Uteblev", "T3": "Deltog"} for row in people(per_group)]
    group = {L.GROUP_TYPE: "ADHD Ung", L.ATTENDEE: L.ATTENDEE_PATIENT, L.MAX_PARTICIPANTS: 500,
             L.GROUP_LEADER: "Behandlare Testsson"}
    return WorkbookContent(
        groups=(
            {**group, L.GROUP_ID: "Avslut-2608", L.START_DATE: finished[0], L.SESSION_COUNT: 4,
             L.JOURNAL_AT_END: L.YES, L.ROSTER_READY: date(2026, 8, 1), L.BOOKED_IN_ELVIS: date(2026, 8, 3)},
            {**group, L.GROUP_ID: "Pagar-2609", L.START_DATE: ongoing[0], L.SESSION_COUNT: 6,
             L.JOURNAL_AT_END: L.NO, L.ROSTER_READY: date(2026, 9, 1)},
            {**group, L.GROUP_ID: "Kommer-2611", L.START_DATE: upcoming[0], L.SESSION_COUNT: 4,
             L.JOURNAL_AT_END: L.NO},
        ),
        group_sheets=(
            GroupSheetContent("Avslut-2608", "ADHD Ung – Avslut-2608", finished, participants=finished_people),
            GroupSheetContent("Pagar-2609", "ADHD Ung – Pagar-2609", ongoing, participants=ongoing_people),
            GroupSheetContent("Kommer-2611", "ADHD Ung – Kommer-2611", upcoming),
        ),
        interest=(
            {L.RECEIVED: date(2026, 10, 1), L.PERSONAL_NUMBER: make_personal_number(date(2015, 3, 3), 950),
             L.NAME: "Anmäld Testsson", L.WISHED_GROUP: "SKILLS", L.SENT_BY: L.ATTENDEE_GUARDIAN},
        ),
        group_types=(
            {L.GROUP_TYPE: "ADHD Ung", L.ATTENDEE: L.ATTENDEE_PATIENT, L.VISIT_TYPE: "Gruppbesök", L.ACTION_CODE: "DU011"},
            {L.GROUP_TYPE: "SKILLS", L.ATTENDEE: L.ATTENDEE_PATIENT, L.VISIT_TYPE: "Gruppbesök", L.ACTION_CODE: "DU021"},
        ),
        visit_types=({L.VISIT_TYPE_CODE: "U2", L.DESCRIPTION: "Uteblivet besök, ska betala"},
                     {L.VISIT_TYPE_CODE: "Gruppbesök", L.DESCRIPTION: "Besök i grupp"}),
    )


@pytest.fixture(scope="module")
def scaled(tmp_path_factory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("scaled")
    return {n: write_workbook(folder / f"{n}.xlsx", _scaled_content(n // 2)) for n in (10, 1000)}


@pytest.mark.parametrize("function", BUTTONS)
def test_the_number_of_excel_calls_does_not_grow_with_participants(xw, scaled, tmp_path, function):
    small = click(xw, scaled[10], function, tmp_path)
    large = click(xw, scaled[1000], function, tmp_path)
    assert small.funcs() == large.funcs()
    assert len(large.actions) <= 20


def test_the_scaled_workbook_really_has_a_thousand_participants_with_work_to_do(xw, scaled, tmp_path):
    workbook = read_workbook_file(scaled[1000], today=DEMO_TODAY).workbook
    assert sum(len(sheet.participants) for sheet in workbook.group_sheets.values()) == 1000
    assert not [p for p in workbook.problems if p.severity == L.ERROR]
    export = click(xw, scaled[1000], "export_registrations", tmp_path)
    assert len(export.outcome.tables[-1].rows) == 500 * 4 + 500 * 3
    journal = click(xw, scaled[1000], "journal_phrases", tmp_path)
    assert len(journal.outcome.writes) == 500


def _typed_every_third(content: WorkbookContent) -> WorkbookContent:
    """``content`` with a hand-typed Journaltext in every third participant row of the finished group."""
    sheets = []
    for sheet in content.group_sheets:
        if sheet.group_id == "Avslut-2608":
            people = tuple({**row, L.JOURNAL_TEXT: f"Egen text {index}"} if index % 3 == 1 else row
                           for index, row in enumerate(sheet.participants))
            sheet = replace(sheet, participants=people)
        sheets.append(sheet)
    return replace(content, group_sheets=tuple(sheets))


@pytest.fixture(scope="module")
def typed_texts(tmp_path_factory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("typed")
    return {n: write_workbook(folder / f"{n}.xlsx", _typed_every_third(_scaled_content(n // 2))) for n in (12, 1200)}


def _actions_on(clicked: Clicked, sheet: str) -> list[dict]:
    position = [s["name"] for s in clicked.book.api["sheets"]].index(sheet)
    return [a for a in clicked.actions if a["func"] == "setValues" and a["sheet_position"] == position]


def test_hand_typed_journal_texts_between_empty_ones_cost_no_extra_calls(xw, typed_texts, tmp_path):
    small = click(xw, typed_texts[12], "journal_phrases", tmp_path)
    large = click(xw, typed_texts[1200], "journal_phrases", tmp_path)
    assert small.funcs() == large.funcs()  # 200 typed texts among 600 rows: the calls of 2 among 6
    (column,) = _actions_on(large, "Avslut-2608")
    assert (column["row_count"], column["column_count"]) == (600, 1)
    values = [value for (value,) in column["values"]]
    assert [index for index, value in enumerate(values) if value is None] == list(range(1, 600, 3))
    after = large.read(DEMO_TODAY).group_sheets["Avslut-2608"].participants
    assert [p.journal_text for p in after[1::3]] == [f"Egen text {index}" for index in range(1, 600, 3)]
    filled = [p.journal_text for index, p in enumerate(after) if index % 3 != 1]
    assert filled == [value for value in values if value is not None] and all(filled)


def test_without_null_cells_the_writes_go_around_typed_texts_and_give_the_same_workbook(xw, typed_texts, tmp_path,
                                                                                       monkeypatch):
    """An engine that has no "leave this cell" value (COM) gets each rectangle split around what it must
    not write; the workbook comes out the same."""
    remote = click(xw, typed_texts[12], "journal_phrases", tmp_path)
    pieces: list[tuple[str, int, int, list]] = []
    real_init, real_write = excel_edge._Writer.__init__, excel_edge._Writer.write

    def without_null(writer, book):
        real_init(writer, book)
        writer.leaves_cells = False

    def recording(writer, sheet, block):
        pieces.extend((sheet, top, left, values) for top, left, values in writer.pieces(block))
        real_write(writer, sheet, block)

    monkeypatch.setattr(excel_edge._Writer, "__init__", without_null)
    monkeypatch.setattr(excel_edge._Writer, "write", recording)
    split = click(xw, typed_texts[12], "journal_phrases", tmp_path)
    assert not [a for a in split.actions if a["func"] == "setValues" and any(v is None for r in a["values"] for v in r)]
    for sheet in (L.GROUPS, "Avslut-2608", L.TASKS):
        assert _grid_rows(remote.path, sheet) == _grid_rows(split.path, sheet), sheet
    journal = [values for sheet, _top, _left, values in pieces if sheet == "Avslut-2608"]
    assert [len(values) for values in journal] == [1, 2, 1]  # six rows around two typed texts: three runs
    assert _actions_on(remote, "Avslut-2608")[0]["row_count"] == 6


def _grid_rows(path: Path, sheet: str) -> list[list[object]]:
    grids, _tables = read_grids(path)
    return grids[sheet].rows


# -- the edge's pieces -----------------------------------------------------------------------------
@given(st.sets(st.tuples(st.integers(1, 30), st.integers(1, 8)), max_size=80))
def test_planned_blocks_cover_exactly_the_changed_cells(cells):
    values = {cell: f"{cell[0]}:{cell[1]}" for cell in cells}
    covered: dict[tuple[int, int], object] = {}
    for top, left, block in excel_edge.plan_blocks(values):
        assert block and len({len(row) for row in block}) == 1
        for r, row in enumerate(block):
            for c, value in enumerate(row):
                assert (top + r, left + c) not in covered
                covered[(top + r, left + c)] = value
    assert covered == values


def test_a_filled_column_is_one_block_whatever_its_length():
    cells = {(row, 12): "OK" for row in range(2, 2002)} | {(row, 11): date(2026, 1, 1) for row in range(2, 2002)}
    assert len(excel_edge.plan_blocks(cells)) == 1


@pytest.mark.parametrize(("value", "written"), [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
    ("-1", "'-1"),
    ("20120315-1234", "'20120315-1234"),
    ("2026-10-14", "'2026-10-14"),
    ("TRUE", "'TRUE"),
    ("D7", "D7"),
    ("Sen – meddelad 3 dagar för sent", "Sen – meddelad 3 dagar för sent"),
    ("", None),
    (date(2026, 10, 14), date(2026, 10, 14)),
    (3, 3),
])
def test_text_that_excel_would_reinterpret_is_written_as_text(value, written):
    assert excel_edge.excel_value(value) == written


@pytest.mark.parametrize(("address", "expected"), [
    ("[Bok.xlsx]Grupper!$A$1:$K$9", ("Grupper", "$A$1:$K$9")),
    ("'[Bok 1.xlsx]Att göra'!$A$4", ("Att göra", "$A$4")),
    ("'[Bok.xlsx]Grupp''s!'!$B$2:$C$3", ("Grupp's!", "$B$2:$C$3")),
])
def test_the_com_path_takes_the_sheet_name_and_range_from_an_external_address(address, expected):
    # Excel quotes a sheet name with spaces or punctuation and doubles its apostrophes; sheet names
    # cannot hold "]", so the name is what follows the last one.
    assert excel_edge._split_external(address) == expected


def test_read_book_pads_a_used_range_that_starts_below_a1_and_marks_error_values(xw):
    payload = {
        "client": "Office.js", "version": xw.__version__,
        "book": {"name": "liten.xlsx", "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": [{
            "name": "Blad", "visibility": "Hidden", "used_range_address": "C3:D4",
            "values": [["", "", "", ""], ["", "", "", ""], ["", "", "a", "#N/A"],
                       ["", "", "2026-10-14T00:00:00.000Z", 5]],
            "pictures": [], "shapes": [], "charts": [], "notes": [], "tables": [], "print_area": None,
            "show_gridlines": True, "pivot_tables": [],
        }],
    }
    grids, tables = excel_edge.read_book(xw.Book(json=payload))
    grid = grids["Blad"]
    assert grid.value(3, 3) == "a" and grid.value(1, 1) is None
    assert grid.value(3, 4) == CellError("#N/A")
    assert grid.value(4, 3) == datetime(2026, 10, 14)
    assert grid.visible is False and tables == {}


def _snapshot_key(snapshot):
    grids, tables = snapshot
    return ({name: [list(row) for row in grid.rows] for name, grid in grids.items()},
            {name: (t.sheet, t.header_row, t.first_column, t.last_row, t.columns) for name, t in tables.items()})


def test_the_native_read_and_the_portable_xlwings_api_read_the_same(xw, demo, monkeypatch):
    native = excel_edge.read_book(xw.Book(json=book_json(demo, xw.__version__)))
    with monkeypatch.context() as patch:
        patch.setattr(excel_edge, "_read_book_native", lambda book: None)
        portable = excel_edge.read_book(xw.Book(json=book_json(demo, xw.__version__)))
    assert _snapshot_key(native) == _snapshot_key(portable)
    assert {n: g.visible for n, g in native[0].items()} == {n: g.visible for n, g in portable[0].items()}
    # An older Office.js client sends neither visibility nor the used range's address: read all the same.
    old = book_json(demo, xw.__version__)
    for sheet in old["sheets"]:
        del sheet["visibility"], sheet["used_range_address"]
    assert _snapshot_key(excel_edge.read_book(xw.Book(json=old))) == _snapshot_key(native)


def test_read_book_gives_the_parser_the_same_records_as_the_file_reader(xw, demo):
    grids, tables = excel_edge.read_book(xw.Book(json=book_json(demo, xw.__version__)))
    file_grids, file_tables = read_grids(demo)
    # The buttons read the Excel tables of the contract's sheets only (a group sheet is read by its header row).
    contract_sheets = {table.sheet for table in L.TABLES}
    assert {name: (t.sheet, t.header_row, t.first_column, t.last_row, t.columns) for name, t in tables.items()} == {
        name: (t.sheet, t.header_row, t.first_column, t.last_row, t.columns) for name, t in file_tables.items()
        if t.sheet in contract_sheets}
    from xl_addin.domain.parsing import read_workbook

    mine = read_workbook(grids, tables, today=DEMO_TODAY)
    theirs = read_workbook(file_grids, file_tables, today=DEMO_TODAY)
    assert mine.problems == theirs.problems
    assert _blank_as_none(mine.groups) == _blank_as_none(theirs.groups)
    assert _sessions_blank_as_none(mine.group_sheets) == _sessions_blank_as_none(theirs.group_sheets)
    assert _blank_as_none(mine.interest) == _blank_as_none(theirs.interest)
    assert mine.tasks == theirs.tasks and mine.settings == theirs.settings


def _sessions_blank_as_none(sheets):
    return {
        name: replace(sheet, sessions=tuple(
            replace(session, registered=session.registered if session.registered != "" else None)
            for session in sheet.sessions))
        for name, sheet in sheets.items()
    }


def _blank_as_none(records):
    """calamine reads a blank cell as "", xlwings as None: the same to the rules (``is_blank``)."""
    return [replace(record, current={k: v if v != "" else None for k, v in record.current.items()})
            for record in records]


# -- refusing, failing, logging ---------------------------------------------------------------------
@pytest.fixture
def log_folder(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "logg"
    monkeypatch.setattr(diagnostics, "log_directory", lambda: folder)
    return folder


def test_a_protected_target_sheet_is_refused_and_nothing_is_written(xw, demo, tmp_path, monkeypatch, log_folder):
    monkeypatch.setattr(excel_edge, "is_sheet_protected", lambda sheet: sheet.name == L.GROUPS)
    clicked = click(xw, demo, "flag_late_rosters", tmp_path)
    assert clicked.funcs() == ["alert"]
    assert "Grupper är skyddat" in clicked.applier.alerts[0] and "Inget har ändrats" in clicked.applier.alerts[0]


def test_a_read_only_workbook_is_refused_and_nothing_is_written(xw, demo, tmp_path, monkeypatch, log_folder):
    monkeypatch.setattr(excel_edge, "is_read_only", lambda book: True)
    clicked = click(xw, demo, "check", tmp_path)
    assert clicked.funcs() == ["alert"]
    assert "skrivskyddad" in clicked.applier.alerts[0]


def _personal_data(path: Path) -> tuple[list[str], list[str]]:
    workbook = read_workbook_file(path, today=DEMO_TODAY).workbook
    people = [p for sheet in workbook.group_sheets.values() for p in sheet.participants if p.personal_number]
    numbers = [str(p.personal_number) for p in people] + [p.personal_number.digits for p in people]
    numbers += [str(p.personal_number)[2:] for p in people]
    names = [p.name for p in people if p.name] + [p.guardian for p in people if p.guardian]
    return numbers, names


def test_a_failing_button_logs_no_personal_data_and_tells_the_user_in_swedish(xw, demo, tmp_path, monkeypatch,
                                                                            log_folder):
    workbook = read_workbook_file(demo, today=DEMO_TODAY).workbook
    person = next(iter(workbook.group_sheets.values())).participants[0]

    def broken(workbook, today):
        secret = f"{person.personal_number} {person.name}"
        raise ValueError(secret)

    monkeypatch.setattr(services, "journal_phrases", broken)
    clicked = click(xw, demo, "journal_phrases", tmp_path)
    log = (log_folder / diagnostics.LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "builtins.ValueError" in log and "test_buttons.py" in log and "broken" in log
    numbers, names = _personal_data(demo)
    for text in [log, *clicked.applier.alerts, clicked.outcome.summary]:
        assert not [number for number in numbers if number in text]
        assert not [name for name in names if name in text]
    assert "Ett oväntat fel inträffade (ValueError). Inget har ändrats" in clicked.applier.alerts[0]
    status = openpyxl.load_workbook(clicked.path)[L.START][L.STATUS_CELL].value
    assert status.startswith(f"{L.BUTTON_JOURNAL_PHRASES} {DEMO_TODAY.isoformat()}: avbröts av ett fel (ValueError)")


def test_a_write_that_fails_midway_says_what_was_written(xw, demo, tmp_path, monkeypatch, log_folder):
    real = excel_edge._Writer.write

    def flaky(writer, sheet, block):
        if sheet == L.GROUPS:
            raise OSError("Excel svarar inte")
        real(writer, sheet, block)

    monkeypatch.setattr(excel_edge._Writer, "write", flaky)
    clicked = click(xw, demo, "flag_late_rosters", tmp_path)
    message = clicked.applier.alerts[-1]
    assert "Detta hann skrivas: nya rader i Att göra (2); bladet Kontroll" in message
    assert "kan de komma med två gånger" not in message  # Att göra's rows are keyed: no duplicates
    assert "Detta skrevs inte: Grupper:" in message and "Logg" in message
    assert "OSError" in (log_folder / diagnostics.LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "Excel svarar inte" not in (log_folder / diagnostics.LOG_FILE_NAME).read_text(encoding="utf-8")


def test_a_failed_export_warns_that_registrering_rows_may_come_twice(xw, demo, tmp_path, monkeypatch, log_folder):
    real = excel_edge._Writer.write

    def flaky(writer, sheet, block):
        if sheet not in (L.REGISTRATION, L.CHECK, L.TASKS, L.LOG):
            raise OSError
        real(writer, sheet, block)

    monkeypatch.setattr(excel_edge._Writer, "write", flaky)
    clicked = click(xw, demo, "export_registrations", tmp_path)
    assert "de nya raderna i Registrering är redan tillagda; om du klickar igen kan de komma med två gånger" in (
        clicked.applier.alerts[-1])


def test_a_workbook_of_another_layout_version_gets_the_parsers_message(xw, tmp_path, log_folder):
    path = write_workbook(tmp_path / "gammal.xlsx", WorkbookContent(settings={L.VERSION: "0.9"}))
    clicked = click(xw, path, "check", tmp_path)
    assert "layoutversion 0.9" in clicked.applier.alerts[0]
    assert not (log_folder / diagnostics.LOG_FILE_NAME).exists()  # the user's problem, not a bug


def test_summaries_shaped_like_personnummer_are_masked_before_status_and_logg():
    assert excel_edge.scrub("fel i 20120315-1234 och 120315-1234") == "fel i 20120315-**** och 120315-****"
    assert excel_edge.scrub("Kontrollera 2026-10-14: 3 OK.") == "Kontrollera 2026-10-14: 3 OK."


# -- the VBA module and the import budget ---------------------------------------------------------
_SUB = re.compile(r"^Sub (\w+)\(\)\r?\n    RunPython \"import xl_addin\.buttons as b; b\.(\w+)\(\)\"\r?\nEnd Sub",
                  re.MULTILINE)


def test_every_sub_in_knappar_calls_a_button_function_that_exists():
    text = KNAPPAR.read_text(encoding="cp1252")
    subs = _SUB.findall(text)
    assert len(subs) == text.count("\nSub ")
    assert subs == [(sub, function) for _caption, sub, function in buttons.MACROS]
    for _sub, function in subs:
        assert callable(getattr(buttons, function))
    assert text.isascii()
    assert "Application.Run \"'xlwings.xlam'!RunPython\", PythonCommand" in text


def test_every_button_on_the_start_sheet_has_a_macro():
    assert [caption for caption, _sub, _function in buttons.MACROS] == [caption for caption, _ in L.BUTTON_HELP]


def test_importing_the_buttons_loads_none_of_the_file_side_libraries():
    forbidden = ("openpyxl", "xlsxwriter", "python_calamine", "xl_addin.template", "xl_addin.files", "xlwings")
    code = (
        "import sys, xl_addin.buttons; "
        f"print(sorted(m for m in sys.modules if m.startswith({forbidden!r})))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"


def test_every_button_takes_the_book_and_an_injectable_day():
    import inspect

    for function in BUTTONS:
        signature = inspect.signature(getattr(buttons, function))
        assert list(signature.parameters) == ["book", "today"]
        assert signature.parameters["today"].kind is inspect.Parameter.KEYWORD_ONLY


def test_excel_keeps_every_text_the_buttons_write_as_that_text(xw, demo, tmp_path):
    clicked = click(xw, demo, "refresh_all", tmp_path)
    texts = [value for action in clicked.actions for row in action.get("values") or [] for value in row
             if isinstance(value, str) and value and not value.startswith("'")]
    assert texts
    for text in texts:  # dates are written as dates: the remote engine sends them as ISO text
        assert excel_typed(text) == text or _ISO_DATE.match(text) or _ISO_DATETIME.match(text), text


# -- Arkivera avslutade grupper --------------------------------------------------------------------
@pytest.fixture
def archive_folder(tmp_path, monkeypatch) -> Path:
    from xl_addin import excel_archive

    folder = tmp_path / "arkiv"
    monkeypatch.setattr(excel_archive, "archive_folder", lambda: folder)
    return folder


@pytest.fixture
def finished_term(tmp_path) -> Path:
    from .test_archive import TODAY, _with_derived_rows, finished_term_content

    path = write_workbook(tmp_path / "termin.xlsx", finished_term_content())
    return _with_derived_rows(path, finished_term_content(), TODAY)


def test_the_archive_button_removes_only_what_its_verified_archive_file_holds(xw, finished_term, archive_folder,
                                                                             tmp_path):
    from .test_archive import TODAY, _archive, _table_values

    clicked = click(xw, finished_term, "archive", tmp_path, today=TODAY)
    (archive,) = archive_folder.glob("Arkiv termin *.xlsx")
    assert "sheetDelete" in clicked.funcs() and "rangeDelete" in clicked.funcs()
    message = clicked.applier.alerts[-1]
    assert str(archive) in message and "patientuppgifter" in message and "Sofias slutna yta" in message
    # the same as the command line: the archive file's rows and the workbook left behind
    out = tmp_path / "cli"
    assert _archive(finished_term, out)[0] == 0
    (cli_archive,) = out.glob("Arkiv *.xlsx")
    (cli_slim,) = out.glob("termin (archive *.xlsx")
    for table in (L.GROUPS_TABLE.name, L.TASKS_TABLE.name, L.REGISTRATION_TABLE.name, L.INTEREST_TABLE.name):
        assert _table_values(archive, table) == _table_values(cli_archive, table), table
        assert _table_values(clicked.path, table) == _table_values(cli_slim, table), table
    for table in (L.ARCHIVED_STATISTICS_TABLE.name, L.STATISTICS_TABLE.name, L.CHECK_TABLE.name):
        assert table_rows(clicked.path, table) == table_rows(cli_slim, table), table
    book = openpyxl.load_workbook(clicked.path)
    assert "Klar-2609" not in book.sheetnames and "Pagar-2611" in book.sheetnames
    from .test_archive import NOTE

    assert book[L.GROUPS]["P2"].value == NOTE  # beside the deleted table row, it stays
    assert clicked.read(TODAY).groups[0].group_id == "Pagar-2611"
    log = table_rows(clicked.path, L.LOG_TABLE.name)
    assert [row[L.FUNCTION] for row in log] == [L.BUTTON_ARCHIVE] and "Klar-2609" in log[0][L.RESULT]


def test_the_archive_button_under_xlwings_lite_writes_only_status_and_says_what_to_do(xw, finished_term, archive_folder,
                                                                                tmp_path, monkeypatch):
    from .test_archive import TODAY

    monkeypatch.setattr(excel_edge, "lacks_local_files", lambda: True)  # what Pyodide says by itself
    clicked = click(xw, finished_term, "archive", tmp_path, today=TODAY)
    assert clicked.funcs() == ["setValues", "alert"]  # only Status, and the message
    assert "Excel på webben" in clicked.applier.alerts[0] and "Inget har ändrats" in clicked.applier.alerts[0]
    assert not archive_folder.exists()


def test_the_archive_button_removes_nothing_when_the_file_cannot_be_written(xw, finished_term, tmp_path,
                                                                          monkeypatch, log_folder):
    from xl_addin import excel_archive

    from .test_archive import TODAY

    blocked = tmp_path / "fil"
    blocked.write_text("inte en mapp")
    monkeypatch.setattr(excel_archive, "archive_folder", lambda: blocked / "arkiv")
    clicked = click(xw, finished_term, "archive", tmp_path, today=TODAY)
    assert clicked.funcs() == ["alert"]
    assert "Arkivfilen kunde inte sparas" in clicked.applier.alerts[0]


def test_the_archive_button_removes_nothing_when_the_file_read_back_differs(xw, finished_term, archive_folder,
                                                                          tmp_path, monkeypatch):
    from xl_addin.files import archive_file

    from .test_archive import TODAY

    real = archive_file.build_archive

    def damaged(plan, name):
        plan = replace(plan, sheets=tuple(
            replace(grid, rows=[list(row) for row in grid.rows][:-1]) for grid in plan.sheets))
        return real(plan, name)

    monkeypatch.setattr(archive_file, "build_archive", damaged)
    clicked = click(xw, finished_term, "archive", tmp_path, today=TODAY)
    assert clicked.funcs() == ["alert"]
    assert "höll inte exakt" in clicked.applier.alerts[0] and "Inget har tagits bort" in clicked.applier.alerts[0]
