"""What the secretary sees: Att göra's columns, Kontroll's links, Start's live summary, Swedish words.

Read back from the generated template, the demo and the result workbooks the command line writes;
the summary's formulas and the links are computed and read by LibreOffice (a real spreadsheet
engine), and compared with what the command line reports on the same files.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from xl_addin.cli import WORKBOOK_COMMANDS, main
from xl_addin.demo import DEMO_TODAY, build_demo
from xl_addin.demo_run import run_demo
from xl_addin.domain import layout as L
from xl_addin.domain.model import Link
from xl_addin.files.reader import read_workbook_file
from xl_addin.template import (
    DEFAULT_ROW_HEIGHT, WorkbookContent, build_templates, summary_formulas, text_height, write_workbook,
)

from . import libreoffice as lo

TODAY = DEMO_TODAY.isoformat()
# The order of SPEC §4.8 as the secretary reads it (issue 16); pinned here on purpose, not read from layout.
TASK_COLUMNS = ("Förfaller", "Uppgift", "GruppID", "Tillfälle", "Datum", "Namn", "Klar", "Personnummer",
                "Anmärkning", "Skapad", "Nyckel")


def cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main([*args], out=out, err=io.StringIO())
    return code, out.getvalue()


def cli_json(command: str, path: Path) -> dict[str, object]:
    code, text = cli(command, str(path), "--today", TODAY, "--json")
    assert code in (0, 1), (command, code)
    return json.loads(text)


@dataclass(frozen=True)
class Built:
    template: Path
    xlsm: Path
    demo: Path
    results: dict[str, Path]  # command → the result workbook of that command on the demo
    registration: Path  # the Registrering workbook export-registrations writes
    demo_folder: Path  # what `bup-grupper demo --out` writes (demo and resultat/)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    root = tmp_path_factory.mktemp("ytor")
    built = build_templates(root / "mallar")
    template = next(path for path in built if path.suffix == ".xlsx")
    xlsm = next(path for path in built if path.suffix == ".xlsm")
    demo = build_demo(root / "Gruppbokningar-demo.xlsx")
    out = root / "resultat"
    for command in WORKBOOK_COMMANDS:
        code, _ = cli(command, str(demo), "--today", TODAY, "--out", str(out))
        assert code in (0, 1), command
    results = {command: next(out.glob(f"* ({command} {TODAY}).xlsx")) for command in WORKBOOK_COMMANDS}
    run_demo(root / "demo", out=io.StringIO(), err=io.StringIO())
    return Built(template, xlsm, demo, results, next(out.glob("Registrering *.xlsx")), root / "demo")


# -- Att göra for people ---------------------------------------------------------------------------
def _tasks_sheet(path: Path):
    sheet = openpyxl.load_workbook(path)[L.TASKS]
    table = sheet.tables[L.TASKS_TABLE.name]
    first, last = table.ref.split(":")
    header = [sheet.cell(sheet[first].row, column).value for column in range(sheet[first].column, sheet[last].column + 1)]
    return sheet, table, header


def test_the_contract_order_of_att_gora_is_the_one_a_secretary_reads():
    assert L.TASKS_TABLE.columns == TASK_COLUMNS
    assert set(L.TASKS_TABLE.columns) - set(L.TASKS_TABLE.button_owned) == {L.DONE}


@pytest.mark.parametrize("which", ["template", "demo", "tasks", "mark-no-shows"])
def test_att_gora_reads_back_in_order_with_widths_wrap_and_a_hidden_key(built, which):
    path = {"template": built.template, "demo": built.demo}.get(which) or built.results[which]
    sheet, table, header = _tasks_sheet(path)
    assert tuple(header) == TASK_COLUMNS
    assert table.autoFilter is not None, "sort and filter need the table's autofilter"
    letter = {name: get_column_letter(index) for index, name in enumerate(header, start=1)}
    width = {name: sheet.column_dimensions[letter[name]].width for name in header}
    assert sheet.column_dimensions[letter[L.KEY]].hidden, "Nyckel is kept for the buttons, not for reading"
    assert width[L.TASK] >= 40 and width[L.DUE] >= 11 and width[L.DATE] >= 11 and width[L.DONE] >= 8
    shown = [name for name in header if not sheet.column_dimensions[letter[name]].hidden]
    assert shown[:7] == list(TASK_COLUMNS[:7])
    assert sheet["B1"].value == L.TASK and sheet.freeze_panes == "A2"
    rows = range(2, sheet.max_row + 1)
    texts = [(row, sheet[f"{letter[L.TASK]}{row}"]) for row in rows if sheet[f"{letter[L.TASK]}{row}"].value]
    assert sheet.column_dimensions[letter[L.TASK]].alignment.wrap_text, "Uppgift's column format wraps"
    if which in ("template", "demo"):  # no tasks before a button has run: new rows take the column's format
        assert not texts
        return
    assert len(texts) >= 10
    for row, cell in texts:
        assert cell.alignment.wrap_text, f"{L.TASKS}!{cell.coordinate} does not wrap"
        needed = text_height(cell.value, width[L.TASK])
        height = sheet.row_dimensions[row].height or DEFAULT_ROW_HEIGHT
        assert height >= needed, f"row {row} is {height} pt for {needed} pt of text"
    assert any((sheet.row_dimensions[row].height or 0) > DEFAULT_ROW_HEIGHT for row, _ in texts)


def test_klar_is_a_dropdown_with_ja_that_accepts_anything_else(built):
    sheet, _, header = _tasks_sheet(built.template)
    letter = get_column_letter(header.index(L.DONE) + 1)
    (validation,) = [dv for dv in sheet.data_validations.dataValidation if f"{letter}2" in dv.sqref]
    assert validation.type == "list" and validation.formula1 == f'"{L.DONE_YES}"'
    assert validation.errorStyle == "information", "initials and dates must still be accepted"
    assert "allt som inte är tomt räknas som klart" in validation.error


def test_att_gora_is_read_by_header_name_whatever_the_column_order(built, tmp_path):
    """A workbook whose Att göra still has the 1.1 order (Nyckel first) gives the same tasks."""
    old_order = (L.KEY, L.DUE, L.TASK, L.GROUP_ID, L.SESSION, L.DATE, L.PERSONAL_NUMBER, L.NAME, L.DONE, L.CREATED,
                 L.REMARK)
    book = openpyxl.load_workbook(built.results["tasks"])
    sheet = book[L.TASKS]
    table = sheet.tables[L.TASKS_TABLE.name]
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row,
                                                                       max_col=len(TASK_COLUMNS))]
    for r, row in enumerate(values, start=1):
        by_name = dict(zip(values[0], row))
        for c, name in enumerate(old_order, start=1):
            sheet.cell(r, c).value = by_name[name]
    for column, name in zip(table.tableColumns, old_order):
        column.name = name
    for r in range(2, sheet.max_row + 1):  # the first row is marked done by hand
        if sheet.cell(r, old_order.index(L.KEY) + 1).value:
            sheet.cell(r, old_order.index(L.DONE) + 1).value = "AB"
            break
    moved = tmp_path / "gammal ordning.xlsx"
    book.save(moved)
    before = cli_json("tasks", built.results["tasks"])
    after = cli_json("tasks", moved)
    assert [task[L.KEY] for task in after["tasks"]] == [task[L.KEY] for task in before["tasks"]]
    assert sum(1 for task in after["tasks"] if task[L.DONE] == "AB") == 1
    code, _ = cli("tasks", str(moved), "--today", TODAY, "--out", str(tmp_path / "ut"))
    _, _, header = _tasks_sheet(next((tmp_path / "ut").glob("*.xlsx")))
    assert tuple(header) == old_order, "a user's column order is kept"


def test_a_task_no_longer_needed_is_neither_open_nor_overdue(tmp_path):
    rows = [
        {L.KEY: "U2:G-1:T1:aaaaaaaaaa", L.DUE: DEMO_TODAY.replace(day=1), L.TASK: "Ta bort sekundärbokning",
         L.GROUP_ID: "G-1", L.REMARK: L.REMARK_NOT_NEEDED},
        {L.KEY: "U2:G-1:T2:aaaaaaaaaa", L.DUE: DEMO_TODAY.replace(day=2), L.TASK: "Ta bort sekundärbokning",
         L.GROUP_ID: "G-1"},
        {L.KEY: "U2:G-1:T3:aaaaaaaaaa", L.DUE: DEMO_TODAY.replace(day=3), L.TASK: "Ta bort sekundärbokning",
         L.GROUP_ID: "G-1", L.DONE: "2026-10-05"},
    ]
    path = write_workbook(tmp_path / "uppgifter.xlsx", WorkbookContent(tasks=rows))
    tasks = read_workbook_file(path, today=DEMO_TODAY).workbook.tasks
    from xl_addin.domain.tasks import is_overdue

    assert [task.is_open for task in tasks] == [False, True, False]
    assert [is_overdue(task, DEMO_TODAY) for task in tasks] == [False, True, False]
    if lo.SOFFICE is None:
        pytest.skip("LibreOffice is needed for the summary's formulas")
    counts = _summary(_csv(path, L.START, tmp_path / "csv"))
    assert counts[L.SUMMARY_OPEN_TASKS] == 1 and counts[L.SUMMARY_OVERDUE_TASKS] == 1


# -- Kontroll links --------------------------------------------------------------------------------
def test_a_link_is_a_hyperlink_formula_and_plain_text_elsewhere():
    link = Link("ADHDUng-2609", "F12")
    assert link.formula == "=HYPERLINK(\"#'ADHDUng-2609'!F12\",\"F12\")"
    assert str(link) == "F12"
    assert Link("Bo's \"blad\"", "A1").formula == "=HYPERLINK(\"#'Bo''s \"\"blad\"\"'!A1\",\"A1\")"
    assert Link.to(L.GROUPS, "A1:B2") == Link(L.GROUPS, "A1:B2")
    assert Link.to(L.GROUPS, "") == "" and Link.to(L.GROUPS, "rad 3") == "rad 3"


def test_kontroll_in_the_result_file_links_every_cell_to_where_the_problem_is(built):
    sheet = openpyxl.load_workbook(built.results["check"])[L.CHECK]
    problems = cli_json("check", built.demo)["problems"]
    assert problems
    for row, problem in enumerate(problems, start=2):
        cell = sheet.cell(row, L.CHECK_TABLE.columns.index(L.CELL) + 1)
        assert cell.value == problem[L.CELL]
        assert cell.hyperlink is not None and cell.hyperlink.location == f"'{problem[L.SHEET]}'!{problem[L.CELL]}"


@lo.requires_libreoffice
def test_libreoffice_follows_the_links_and_computes_the_link_formula(built, tmp_path):
    """Calc keeps each Cell's link to its own sheet and cell, and computes a button's HYPERLINK formula."""
    problems = cli_json("check", built.demo)["problems"]
    rows = [{**p, L.CELL: Link(p[L.SHEET], p[L.CELL])} for p in problems]  # as a button writes them
    formulas = write_workbook(tmp_path / "formler.xlsx", WorkbookContent(check=rows))
    lo.convert([built.results["check"], formulas], lo.ODS, tmp_path / "ods")
    expected = [f"#{p[L.SHEET]}.{p[L.CELL]}" for p in problems]
    for path in (built.results["check"], formulas):
        content = zipfile.ZipFile(tmp_path / "ods" / f"{path.stem}.ods").read("content.xml").decode("utf-8")
        table = re.search(r'<table:table table:name="Kontroll".*?</table:table>', content, re.S).group(0)
        if path == formulas:
            assert table.count("of:=HYPERLINK(") == len(problems)
            shown = re.findall(r'office:string-value="([^"]*)"[^>]*><text:p>', table)
            assert [p[L.CELL] for p in problems] == [v for v in shown if v in {p[L.CELL] for p in problems}]
        else:
            links = [href.replace("&apos;", "'").replace("'", "") for href in re.findall(r'xlink:href="([^"]+)"', table)]
            assert links == expected


# -- Start's live summary --------------------------------------------------------------------------
def _csv(path: Path, sheet: str, folder: Path) -> list[list[str]]:
    lo.convert(path, lo.CSV_EXPORT_EVERY_SHEET, folder, fake_today=TODAY if lo.FAKETIME else None)
    return list(csv.reader(lo.csv_for_sheet(folder, path, sheet).read_text(encoding="utf-8").splitlines()))


def _summary(rows: list[list[str]]) -> dict[str, int]:
    labels = {label for label, _, _ in summary_formulas()}
    found = {}
    for row in rows:
        for index, value in enumerate(row[:-1]):
            if value in labels:
                found[value] = int(row[index + 1])
    assert set(found) == labels, rows
    return found


def _cli_counts(path: Path) -> dict[str, int]:
    """The same counts as the command line gives them for the workbook file ``path``."""
    tasks = cli_json("tasks", path)
    rosters = cli_json("flag-late-rosters", path)
    exported = re.search(r"(\d+) tillfällen? exporter", cli_json("export-registrations", path)["summary"])
    waiting = re.search(r"(\d+) tillfällen? väntar", cli_json("export-registrations", path)["summary"])
    open_tasks, overdue = re.search(r"(\d+) öppna uppgifter, varav (\d+) försenade", tasks["summary"]).groups()
    # The summary shows the sheet as it is: Grupper's Status as the last Flagga sena listor wrote it.
    status = [row[L.STATUS] for row in read_status(path)]
    assert rosters["rows"], "the command line sees the groups"
    return {
        L.SUMMARY_OPEN_TASKS: int(open_tasks),
        L.SUMMARY_OVERDUE_TASKS: int(overdue),
        L.SUMMARY_SESSIONS_TO_REGISTER: int(exported.group(1) if exported else 0) + int(waiting.group(1) if waiting else 0),
        L.SUMMARY_LISTS_AT_RISK: status.count(L.ROSTER_AT_RISK),
        L.SUMMARY_LATE_LISTS: status.count(L.ROSTER_LATE) + status.count(L.ROSTER_INCOMPLETE),
    }


def read_status(path: Path) -> list[dict[str, object]]:
    sheet = openpyxl.load_workbook(path)[L.GROUPS]
    header = [cell.value for cell in sheet[1]]
    return [dict(zip(header, row)) for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]


@lo.requires_libreoffice
@pytest.mark.parametrize("which", ["tasks", "flag-late-rosters", "export-registrations", "new-groups", "demo"])
def test_the_start_summary_computed_by_libreoffice_equals_the_command_lines_counts(built, which, tmp_path):
    path = built.demo if which == "demo" else built.results[which]
    computed = _summary(_csv(path, L.START, tmp_path / "csv"))
    expected = _cli_counts(path)
    if which != "tasks":  # only a workbook whose Att göra is up to date has the tasks the command computes
        rows = cli_json("tasks", path)["tasks"]
        del expected[L.SUMMARY_OPEN_TASKS], expected[L.SUMMARY_OVERDUE_TASKS]
        del computed[L.SUMMARY_OPEN_TASKS], computed[L.SUMMARY_OVERDUE_TASKS]
        assert rows
    assert computed == expected


def test_the_tasks_result_has_the_summary_the_cli_reports_in_numbers(built):
    counts = _cli_counts(built.results["tasks"])
    assert counts[L.SUMMARY_OPEN_TASKS] == 30 and counts[L.SUMMARY_OVERDUE_TASKS] == 25
    assert _cli_counts(built.results["flag-late-rosters"])[L.SUMMARY_LISTS_AT_RISK] == 1
    assert _cli_counts(built.demo)[L.SUMMARY_SESSIONS_TO_REGISTER] == 3


def test_every_group_sheet_and_gruppmall_count_their_sessions_in_a_fixed_cell_nobody_types_in(built):
    book = openpyxl.load_workbook(built.results["new-groups"])
    names = book.sheetnames
    group_sheets = names[names.index(L.GROUPS) + 1:names.index(L.INTEREST)]
    assert "ADHDUng-2701" in group_sheets  # the one new-groups created
    for name in [*group_sheets, L.GROUP_TEMPLATE]:
        sheet = book[name]
        assert sheet[L.GROUP_SHEET_PENDING_LABEL_CELL].value == L.GROUP_SHEET_PENDING_LABEL, name
        formula = sheet[L.GROUP_SHEET_PENDING_CELL].value
        assert isinstance(formula, str) and formula.startswith("=IF(COUNTA(A5:A200)=0,0,COUNTIFS("), name
        table = next(iter(sheet.tables.values()))
        assert int(table.ref.split(":")[0][1:]) == L.GROUP_SHEET_HEADER_ROW, "the cell is outside the table"
    start = book[L.START]
    texts = [cell.value for row in start.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert any(f"{L.GROUPS}:{L.INTEREST}!{L.GROUP_SHEET_PENDING_CELL}" in text for text in texts)


def test_every_summary_label_links_to_its_sheet(built):
    start = openpyxl.load_workbook(built.template)[L.START]
    links = {cell.value: cell.hyperlink.location for row in start.iter_rows() for cell in row if cell.hyperlink}
    for label, target, _ in summary_formulas():
        assert links[label].replace("'", "") == f"{target}!A1"


# -- Swedish everywhere a user looks ----------------------------------------------------------------
# English and technical words that must never reach a cell a user sees. Chosen so that no Swedish word
# collides ("Status", "Cell" and "Version" are Swedish headers of the contract; "data" is Swedish too).
TECHNICAL_WORDS = (
    "True", "False", "None", "null", "NaN", "undefined", "Error", "Exception", "Traceback", "KeyError",
    "ValueError", "TypeError", "key", "keys", "task", "tasks", "row", "rows", "sheet", "sheets", "table",
    "tables", "column", "columns", "value", "values", "missing", "invalid", "unknown", "warning", "today",
    "python", "xlwings", "openpyxl", "calamine", "pandas", "json", "csv",
)
_TECHNICAL = re.compile(r"(?<![\w-])(?:" + "|".join(TECHNICAL_WORDS) + r")(?![\w-])", re.IGNORECASE)
_PRODUCT_NAMES = ("bup-grupper", "xl_addin")
# Columns left out of the scan (none: Logg's Funktion is the button's caption from both edges).
_OWNED_ELSEWHERE: set[tuple[str, str]] = set()


def _visible_texts(path: Path) -> list[tuple[str, str]]:
    """(where, text) of every cell, sheet name and validation message a user can see in ``path``."""
    book = openpyxl.load_workbook(path)
    found = []
    for sheet in book.worksheets:
        found.append((sheet.title, sheet.title))
        hidden = {key for key, dimension in sheet.column_dimensions.items() if dimension.hidden}
        skipped = set()
        for table in sheet.tables.values():
            first = table.ref.split(":")[0]
            start = sheet[first]
            for offset, column in enumerate(table.tableColumns):
                if (sheet.title, column.name) in _OWNED_ELSEWHERE:
                    skipped.add(get_column_letter(start.column + offset))
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None or cell.column_letter in hidden:
                    continue
                if cell.column_letter in skipped and cell.row > 1:
                    continue
                text = str(cell.value)
                if cell.data_type == "f":
                    if not text.upper().startswith("=HYPERLINK("):
                        continue  # a formula shows its result (a count), not its text
                    text = text.rsplit(",", 1)[-1]  # what a HYPERLINK shows
                found.append((f"{sheet.title}!{cell.coordinate}", text))
        for validation in sheet.data_validations.dataValidation:
            for text in (validation.error, validation.errorTitle, validation.prompt, validation.promptTitle):
                if text:
                    found.append((f"{sheet.title} (validering {validation.sqref})", text))
    return found


def _offending(paths: list[Path]) -> list[tuple[str, str, str]]:
    bad = []
    for path in paths:
        for where, text in _visible_texts(path):
            if any(name in text.casefold() for name in _PRODUCT_NAMES) or _TECHNICAL.search(text):
                bad.append((path.name, where, text))
    return bad


def test_the_technical_word_list_does_not_hit_swedish_words():
    swedish = " ".join([*L.TASKS_TABLE.columns, *L.GROUPS_TABLE.columns, *L.CHECK_TABLE.columns, L.VERSION,
                        "Status Cell Version data Registrera tabellen raden bladet kolumnen värdet nyckel"])
    assert not _TECHNICAL.findall(swedish)
    assert _TECHNICAL.findall("KeyError: 'row' None True table") == ["KeyError", "row", "None", "True", "table"]


def test_no_cell_a_user_sees_in_the_templates_or_the_demo_results_is_technical(built):
    demo_results = sorted((built.demo_folder / "resultat").glob("*.xlsx"))
    assert len(demo_results) >= len(WORKBOOK_COMMANDS)
    paths = [built.template, built.xlsm, built.demo, *built.results.values(), built.registration,
             built.demo_folder / "Gruppbokningar-demo.xlsx", *demo_results]
    assert _offending(paths) == []


def test_the_word_check_finds_a_planted_english_word(tmp_path):
    path = write_workbook(tmp_path / "engelska.xlsx", WorkbookContent(
        check=[{L.SHEET: L.GROUPS, L.CELL: "A2", L.SEVERITY: L.ERROR, L.MESSAGE: "KeyError: row 3"}]))
    assert [text for _, _, text in _offending([path])] == ["KeyError: row 3"]


def test_koder_headers_are_unique_on_the_sheet_and_the_earlier_one_is_still_read(built, tmp_path):
    sheet = openpyxl.load_workbook(built.template)[L.CODES]
    headers = [cell.value for cell in sheet[1] if cell.value]
    assert len(headers) == len(set(headers)), headers
    assert L.VISIT_TYPE_CODE in headers
    book = openpyxl.load_workbook(built.demo)
    codes = book[L.CODES]
    cell = next(cell for cell in codes[1] if cell.value == L.VISIT_TYPE_CODE)
    cell.value = L.VISIT_TYPE  # a workbook made before the header was renamed
    table = codes.tables[L.VISIT_TYPES_TABLE.name]
    table.tableColumns[0].name = L.VISIT_TYPE
    old = tmp_path / "gamla rubriker.xlsx"
    book.save(old)
    now = read_workbook_file(built.demo, today=DEMO_TODAY).workbook
    before = read_workbook_file(old, today=DEMO_TODAY).workbook
    assert before.visit_types == now.visit_types and now.visit_types
    assert [p for p in before.problems if p.sheet == L.CODES] == [p for p in now.problems if p.sheet == L.CODES]


@lo.requires_libreoffice
@lo.requires_poppler
def test_a_task_no_longer_needed_is_grey_and_an_open_overdue_one_red_in_libreoffice(tmp_path):
    rows = [
        {L.DUE: DEMO_TODAY.replace(day=1), L.TASK: "Uppgift ett", L.REMARK: L.REMARK_NOT_NEEDED, L.KEY: "U2:a"},
        {L.DUE: DEMO_TODAY.replace(day=2), L.TASK: "Uppgift två", L.KEY: "U2:b"},
        {L.DUE: DEMO_TODAY.replace(day=3), L.TASK: "Uppgift tre", L.DONE: L.DONE_YES, L.KEY: "U2:c"},
    ]
    path = write_workbook(tmp_path / "färger.xlsx", WorkbookContent(tasks=rows))
    (pdf,) = lo.convert(path, lo.PDF_ONE_PAGE_PER_SHEET, tmp_path / "pdf", fake_today=TODAY if lo.FAKETIME else None)
    page = openpyxl.load_workbook(path, read_only=True).sheetnames.index(L.TASKS) + 1
    words, raster = lo.pdf_words(pdf, page), lo.rasterise(pdf, page)
    colours = {}
    for word in words:
        if word.text in ("ett", "två", "tre"):
            colours[word.text] = raster.background(word.x_min, word.y_min, word.x_max, word.y_max)
    assert colours == {"ett": L.FILL_GREY, "två": L.FILL_RED, "tre": "#FFFFFF"}
