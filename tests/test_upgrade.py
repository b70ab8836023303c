"""Uppgradera: every value a person typed in a 1.0 or a 1.1 workbook appears in the upgraded one at its
place (same table, same column header, same row order), and the result has the current layout and its
buttons. The older workbooks are the demo made older the way those versions were: 1.1 without
Knappminne, Arkivstatistik and the setting Arkivera efter dagar, 1.0 also without the Statistik sheet."""

from __future__ import annotations

import io
import json
import zipfile
from xl_addin.domain.records import replace
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.table import TableColumn

from xl_addin import cli, services
from xl_addin.demo import DEMO_TODAY, demo_content
from xl_addin.domain import layout as L
from xl_addin.files.reader import read_grids, read_workbook_file
from xl_addin.template import sheet_names, write_workbook

GROUP = "MittBarn-2608"
USER_COLUMN = "Egen anteckning"


def _add_column(sheet, table_name: str, header: str, values: dict[int, object]) -> None:
    table = sheet.tables[table_name]
    c1, r1, c2, r2 = range_boundaries(table.ref)
    column = c2 + 1
    sheet.cell(r1, column, header)
    for row, value in values.items():
        sheet.cell(r1 + row, column, value)
    table.tableColumns.append(TableColumn(id=len(table.tableColumns) + 1, name=header))
    table.ref = f"{get_column_letter(c1)}{r1}:{get_column_letter(column)}{r2}"
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref


def _older(path: Path, version: str) -> Path:
    """The demo as a workbook of ``version`` would be, with what users add: a column of their own in
    Grupper and on a group sheet, tasks marked Klar, and a note outside the tables."""
    content = demo_content()
    book = read_workbook_file(write_workbook(path, content), today=DEMO_TODAY).workbook
    tasks = [dict(task.as_row(), **{L.DONE: "x" if index % 2 else None})
             for index, task in enumerate(services.tasks(book, DEMO_TODAY).tasks)]
    write_workbook(path, replace(content, tasks=tasks))
    workbook = openpyxl.load_workbook(path)
    statistics = workbook[L.STATISTICS]
    c1, r1, c2, r2 = range_boundaries(statistics.tables[L.ARCHIVED_STATISTICS_TABLE.name].ref)
    del statistics.tables[L.ARCHIVED_STATISTICS_TABLE.name]
    for row in range(r1, r2 + 1):
        for column in range(c1, c2 + 1):
            statistics.cell(row, column).value = None
    settings = workbook[L.SETTINGS]
    for row in range(2, settings.max_row + 1):
        if settings.cell(row, 1).value == L.ARCHIVE_AFTER_DAYS:
            settings.delete_rows(row)
            table = settings.tables[L.SETTINGS_TABLE.name]
            c1, r1, c2, r2 = range_boundaries(table.ref)
            table.ref = f"A{r1}:{get_column_letter(c2)}{r2 - 1}"
            table.autoFilter.ref = table.ref
            break
    for row in range(2, settings.max_row + 1):
        if settings.cell(row, 1).value == L.VERSION:
            settings.cell(row, 2).value = version
    del workbook[L.MEMORY]  # 1.2
    if version == "1.0":
        del workbook[L.STATISTICS]
    _add_column(workbook[L.GROUPS], L.GROUPS_TABLE.name, USER_COLUMN, {1: "rum 3", 4: 17})
    _add_column(workbook[GROUP], L.group_table_name(GROUP), "Egen kolumn", {1: "tolk"})
    workbook[L.GROUPS]["P3"] = "Glöm inte lokalen"
    workbook.save(path)
    return path


def _normal(value):
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None if value in (None, "") else value


def _tables(path: Path) -> dict[str, list[dict[str, object]]]:
    grids, tables = read_grids(path)
    result = {}
    for name, location in tables.items():
        grid = grids[location.sheet]
        rows = []
        for row in range(location.header_row + 1, location.last_row + 1):
            values = {header: _normal(grid.value(row, location.first_column + offset))
                      for offset, header in enumerate(location.columns)}
            if any(value is not None for value in values.values()):
                rows.append(values)
        result[name] = rows
    return result


def _session_rows(path: Path, sheet: str) -> tuple[object, list[tuple[str, object, object]]]:
    grids, tables = read_grids(path)
    location = tables[L.group_table_name(sheet)]
    grid = grids[sheet]
    cells = []
    for offset, header in enumerate(location.columns):
        if L.SESSION_COLUMN.match(header):
            column = location.first_column + offset
            cells.append((header, _normal(grid.value(location.header_row - 1, column)),
                          _normal(grid.value(location.header_row - 2, column))))
    return grid.value(1, 1), cells


def _upgrade(path: Path, out: Path, *extra: str) -> tuple[int, dict]:
    stdout = io.StringIO()
    code = cli.main(["upgrade", str(path), "--out", str(out), "--json", *extra], out=stdout, err=io.StringIO())
    return code, json.loads(stdout.getvalue()) if stdout.getvalue() else {}


_NOT_TYPED = {L.CHECK_TABLE.name, L.STATISTICS_TABLE.name}  # button output, recomputed by the next click


@pytest.mark.parametrize("version", ["1.0", "1.1"])
@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_every_typed_value_of_an_older_workbook_appears_at_its_place(tmp_path, version, suffix):
    source = _older(tmp_path / "gammal.xlsx", version)
    if suffix == ".xlsm":
        source = source.rename(source.with_suffix(".xlsm"))
    before = source.read_bytes()
    code, report = _upgrade(source, tmp_path / "ny")
    assert source.read_bytes() == before
    target = Path(report["target"])
    assert target.suffix == suffix and report["from_version"] == version
    assert code == 1  # the note outside the tables is reported, with its cell
    assert report["problems"] == [{L.SHEET: L.GROUPS, L.CELL: "P3",
                                   L.MESSAGE: "cellen ligger utanför tabellerna och flyttades inte"}]
    old, new = _tables(source), _tables(target)
    for name, rows in old.items():
        if name in _NOT_TYPED:
            continue
        if name == L.SETTINGS_TABLE.name:
            rows = [row for row in rows if row[L.SETTING] != L.VERSION]
            by_name = {row[L.SETTING]: row[L.VALUE] for row in new[name]}
            assert all(by_name[row[L.SETTING]] == row[L.VALUE] for row in rows)
            assert by_name[L.VERSION] == L.CONTRACT_VERSION
            continue
        assert [{header: row.get(header) for header in rows[0]} for row in new[name]] == rows, name
    assert new[L.GROUPS_TABLE.name][0][USER_COLUMN] == "rum 3" and new[L.GROUPS_TABLE.name][3][USER_COLUMN] == 17
    assert any(row.get("Egen kolumn") == "tolk" for row in new[L.group_table_name(GROUP)])
    assert any(row[L.DONE] == "x" for row in new[L.TASKS_TABLE.name])
    for sheet in read_workbook_file(source, today=DEMO_TODAY).workbook.group_sheets:
        assert _session_rows(target, sheet) == _session_rows(source, sheet), sheet


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_the_upgraded_workbook_has_the_current_layout_and_its_buttons(tmp_path, version):
    source = _older(tmp_path / "gammal.xlsx", version)
    source = source.rename(source.with_suffix(".xlsm"))
    _code, report = _upgrade(source, tmp_path / "ny")
    target = Path(report["target"])
    workbook = read_workbook_file(target, today=DEMO_TODAY).workbook
    original = read_workbook_file(source, today=DEMO_TODAY).workbook
    assert workbook.settings.version == L.CONTRACT_VERSION
    assert set(workbook.problems) == set(original.problems)  # the same findings, nothing new
    book = openpyxl.load_workbook(target)
    groups = [sheet for sheet in book.sheetnames if sheet in workbook.group_sheets]
    assert sorted(groups) == sorted(original.group_sheets)
    fixed = sheet_names()
    position = fixed.index(L.GROUPS) + 1
    assert book.sheetnames == fixed[:position] + groups + fixed[position:]
    assert L.ARCHIVED_STATISTICS_TABLE.name in book[L.STATISTICS].tables
    with zipfile.ZipFile(target) as archive:
        assert "xl/vbaProject.bin" in archive.namelist()
        vml = "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".vml"))
    for _caption, sub, _function in L.BUTTONS:
        assert f"[0]!{sub}<" in vml, sub


def test_upgrading_a_workbook_of_the_current_version_changes_no_value(tmp_path):
    source = write_workbook(tmp_path / "ny.xlsx", demo_content())
    code, report = _upgrade(source, tmp_path / "ut")
    assert code == 0 and report["problems"] == []
    old, new = _tables(source), _tables(Path(report["target"]))
    assert {name: rows for name, rows in old.items()} == new


def test_a_workbook_of_another_major_version_is_refused(tmp_path):
    source = write_workbook(tmp_path / "x.xlsx", replace(demo_content(), settings={L.VERSION: "2.0"}))
    stderr = io.StringIO()
    assert cli.main(["upgrade", str(source), "--out", str(tmp_path / "ut")], out=io.StringIO(), err=stderr) == 2
    assert "layoutversion 2.0" in stderr.getvalue()
