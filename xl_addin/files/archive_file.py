"""The archive file of Arkivera avslutade grupper: written new, read back and compared before anything
leaves the live workbook; and the headless copy of the workbook without what left.

The archive file holds patient data (personnummer, names, attendance): it belongs on Sofia's closed
area (Sluten yta), like the live workbook, and is never written over an existing file.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

from ..domain import layout as L
from ..domain.archive import ArchivePlan, removal_runs
from ..domain.cells import CellError, is_blank
from ..domain.errors import UserError
from ..domain.parsing import SheetGrid

ABOUT_SHEET = "Om arkivet"
ARCHIVE_TITLE = "BUP Gruppbokningar – arkiv"
PATIENT_DATA_NOTICE = (
    "Filen innehåller patientuppgifter (personnummer, namn, närvaro och journaltexter). Den hör hemma på "
    "Sofias slutna yta enligt regionens regler för bevarande och gallring – inte på en egen dator, ett "
    "USB-minne eller i e-post."
)


class ArchiveNotVerified(UserError):
    """The archive file, read back, does not hold exactly what was meant to be in it."""


def archive_file_name(source_stem: str, today: date, stamp: str = "") -> str:
    suffix = f" {stamp}" if stamp else ""
    return f"Arkiv {source_stem} {today.isoformat()}{suffix}.xlsx"


def _is_plain_header(columns: Sequence[str]) -> bool:
    names = [" ".join(str(column).split()).casefold() for column in columns]
    return all(names) and len(set(names)) == len(names)


def build_archive(plan: ArchivePlan, source_name: str) -> bytes:
    """The archive workbook (XlsxWriter, in memory): a page about the archive, every table's rows that
    left (the table's own header on row 1) and every group sheet cell for cell at its own address."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
        "remove_timezone": True,
    })
    book.set_properties({"title": ARCHIVE_TITLE, "subject": PATIENT_DATA_NOTICE, "created": datetime(2026, 1, 1)})
    formats = {
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "time": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "bold": book.add_format({"bold": True}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }
    about = book.add_worksheet(ABOUT_SHEET)
    about.set_column(0, 0, 26)
    about.set_column(1, 1, 100)
    about.write_string(0, 0, ARCHIVE_TITLE, formats["title"])
    lines = [
        ("Arkiverat", plan.today.isoformat()),
        ("Från arbetsboken", source_name),
        ("Grupper", ", ".join(plan.leaving)),
        ("Obs", PATIENT_DATA_NOTICE),
    ]
    for offset, (label, text) in enumerate(lines, start=2):
        about.write_string(offset, 0, label, formats["bold"])
        about.write_string(offset, 1, text, formats["wrap"])
    if plan.archived_counts:
        top = len(lines) + 3
        about.write_string(top, 0, "Räknat i Statistik (Arkivstatistik) för de här grupperna", formats["bold"])
        columns = L.ARCHIVED_STATISTICS_TABLE.columns
        for index, column in enumerate(columns):
            about.write_string(top + 1, index, column, formats["bold"])
        for offset, row in enumerate(plan.archived_counts, start=top + 2):
            for index, column in enumerate(columns):
                _write(about, offset, index, row.get(column), formats)
    for extract in plan.tables:
        sheet = book.add_worksheet(extract.sheet[:31])
        for index, column in enumerate(extract.columns):
            sheet.write_string(0, index, column, formats["bold"])
            sheet.set_column(index, index, max(12, min(40, len(column) + 4)))
        for offset, values in enumerate(extract.values, start=1):
            for index, value in enumerate(values):
                _write(sheet, offset, index, value, formats)
        if _is_plain_header(extract.columns):
            sheet.add_table(0, 0, max(1, len(extract.values)), len(extract.columns) - 1, {
                "name": extract.table, "style": "Table Style Light 9",
                "columns": [{"header": column} for column in extract.columns],
            })
        sheet.freeze_panes(1, 0)
    for grid in plan.sheets:
        sheet = book.add_worksheet(grid.name)
        for row_index, cells in enumerate(grid.rows):
            for column_index, value in enumerate(cells):
                _write(sheet, row_index, column_index, value, formats)
        sheet.set_column(0, 2, 22)
    book.close()
    return buffer.getvalue()


def _write(sheet, row: int, column: int, value: object, formats: Mapping[str, object]) -> None:
    if value is None or value == "":
        return
    if isinstance(value, CellError):
        result = sheet.write_string(row, column, value.code)
    elif isinstance(value, bool):
        result = sheet.write_boolean(row, column, value)
    elif isinstance(value, datetime):
        chosen = formats["date"] if value.time() == datetime.min.time() else formats["time"]
        result = sheet.write_datetime(row, column, value, chosen)
    elif isinstance(value, date):
        result = sheet.write_datetime(row, column, datetime.combine(value, datetime.min.time()), formats["date"])
    elif isinstance(value, (int, float)):
        result = sheet.write_number(row, column, value)
    else:
        result = sheet.write_string(row, column, str(value))
    if result not in (0, None):  # e.g. a text longer than Excel allows: the check afterwards refuses
        raise ArchiveNotVerified(
            f"Arkivfilen kan inte skrivas: cell {row + 1}:{column + 1} på bladet {sheet.name} går inte att "
            "spara i Excel-format. Inget har flyttats."
        )


# -- reading back ---------------------------------------------------------------------------------
def _normal(value: object) -> object:
    if is_blank(value):
        return None
    if isinstance(value, CellError):
        return value.code
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value.replace(microsecond=0)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    return value


def same_cell(first: object, second: object) -> bool:
    """Whether two readings of a cell hold the same value (a date read as a date or as midnight, a number
    as int or float, a blank as None or "")."""
    return _normal(first) == _normal(second)


def _grid_differences(expected: SheetGrid, found: SheetGrid | None, sheet: str) -> list[str]:
    if found is None:
        return [f"bladet {sheet} saknas"]
    height = max(len(expected.rows), len(found.rows))
    for row in range(1, height + 1):
        width = max(len(expected.rows[row - 1]) if row <= len(expected.rows) else 0,
                    len(found.rows[row - 1]) if row <= len(found.rows) else 0)
        for column in range(1, width + 1):
            if not same_cell(expected.value(row, column), found.value(row, column)):
                from ..domain.cells import cell_address

                return [f"{sheet}!{cell_address(row, column)}"]
    return []


def verify_archive(path: Path, plan: ArchivePlan) -> None:
    """Read the archive file back from disk and compare every value with what was meant to be in it.
    Raises ``ArchiveNotVerified`` naming the first cell that differs (never its content)."""
    from .reader import read_grids

    grids, _tables = read_grids(Path(path))
    differences: list[str] = []
    for extract in plan.tables:
        expected = SheetGrid(extract.sheet, [list(extract.columns)] + [list(values) for values in extract.values])
        differences += _grid_differences(expected, grids.get(extract.sheet[:31]), extract.sheet)
    for grid in plan.sheets:
        differences += _grid_differences(grid, grids.get(grid.name), grid.name)
    if differences:
        raise ArchiveNotVerified(
            f"Arkivfilen {Path(path).name} höll inte exakt det som skulle arkiveras (först skiljer "
            f"{differences[0]}). Inget har tagits bort ur arbetsboken. Kontakta IT-kontakten."
        )


def write_verified(path: Path, data: bytes, plan: ArchivePlan) -> Path:
    """Write the archive file as a new file (never over one) and read it back; a file that does not
    hold exactly what it should is deleted again (it is ours, just made) and ``ArchiveNotVerified`` raised."""
    from .writer import atomic_write

    path = atomic_write(Path(path), lambda stream: stream.write(data))
    try:
        verify_archive(path, plan)
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return path


# -- the headless copy without what left -------------------------------------------------------------
def _delete_cells_shift_up(worksheet, first: int, last: int, left: int, right: int) -> None:
    """Excel's "delete cells, shift up" on rows ``first``–``last`` of columns ``left``–``right``: the
    cells below in those columns move up; cells beside them stay (as in Excel when table rows go)."""
    from openpyxl.worksheet.cell_range import CellRange

    for row in range(first, last + 1):
        for column in range(left, right + 1):
            worksheet._cells.pop((row, column), None)
    bottom = worksheet.max_row
    if bottom > last:
        worksheet.move_range(CellRange(min_col=left, min_row=last + 1, max_col=right, max_row=bottom),
                             rows=-(last - first + 1))


def remove_archived(source: bytes, plan: ArchivePlan) -> bytes:
    """The workbook ``source`` (the bytes that were read) without the rows and sheets that ``plan``
    moves out: table rows deleted (the rows below move up; each table shrinks by as many rows) and the
    group sheets deleted. Everything else is as openpyxl reads and writes it (see files/apply.py)."""
    # Rows are deleted within the table's columns only, as the button does in Excel: a note typed
    # beside the table is not lost with an archived row.
    import openpyxl
    from openpyxl.utils.cell import range_boundaries

    from ..domain.cells import cell_address
    from ..domain.errors import UnusableWorkbook
    from .apply import _without_empty_rows

    try:
        book = openpyxl.load_workbook(_without_empty_rows(source), rich_text=True)
    except Exception:
        raise UnusableWorkbook(
            "Resultatfilen kan inte skapas: arbetsboken innehåller något som inte går att skriva om utan Excel. "
            "Öppna den i Excel, spara den och försök igen. Inget har skrivits."
        ) from None
    for extract in plan.tables:
        if extract.sheet not in book.sheetnames:
            continue
        worksheet = book[extract.sheet]
        left, right = extract.first_column, extract.first_column + len(extract.columns) - 1
        for first, last in removal_runs(extract.rows):
            _delete_cells_shift_up(worksheet, first, last, left, right)
            for table in worksheet.tables.values():
                min_col, min_row, max_col, max_row = range_boundaries(table.ref)
                inside = max(0, min(last, max_row) - max(first, min_row + 1) + 1)
                if not inside or (min_col, max_col) != (left, right):
                    continue
                new_last = max(min_row + 1, max_row - inside)
                table.ref = f"{cell_address(min_row, min_col)}:{cell_address(new_last, max_col)}"
                if table.autoFilter is not None:
                    table.autoFilter.ref = table.ref
    for name in plan.leaving:
        if name in book.sheetnames:
            del book[name]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
