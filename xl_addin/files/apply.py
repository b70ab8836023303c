"""Applies an ``Outcome`` to a copy of a workbook file with openpyxl, for headless result files.

This mirrors what the xlwings edge does in Excel: cell writes by header name, whole-table
replacement for ``AttGora``/``Kontroll``, appends for ``Registrering`` and ``Logg``, and the
``Status`` cell. It returns the new file's bytes; the source file is only read.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

from ..domain import layout as L
from ..domain.cells import cell_address
from ..domain.errors import UnusableWorkbook
from ..domain.model import Link, Outcome, PersonalNumber
from ..template import DEFAULT_ROW_HEIGHT, LINK_COLOUR, WRAP_COLUMNS, text_height

_TABLE_SHEETS = {table.name: table for table in L.TABLES}


def _excel_value(value: object) -> object:
    if isinstance(value, PersonalNumber):
        return str(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, datetime.min.time())
    return value


def _set(cell, value: object, *, wrap: bool = False, top: bool = False) -> None:
    """Set a cell like Excel's edge does: text is always text (openpyxl would run ``=…`` as a formula),
    and a multi-line text gets a row tall enough to show it (Excel grows such rows by itself); a cell of
    a wrapped column (``wrap``) wraps, as the template's column format does in Excel."""
    if cell.hyperlink is not None:
        cell.hyperlink = None
    if isinstance(value, Link):
        # Excel's edge writes a HYPERLINK formula; openpyxl cannot store its result (so the reader and
        # an engine without recalculation would see an empty cell): a cell hyperlink jumps the same way.
        from openpyxl.styles import Font
        from openpyxl.worksheet.hyperlink import Hyperlink

        cell.value = value.cell
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=value.location, display=value.cell)
        cell.font = Font(color=LINK_COLOUR, underline="single")
        return
    cell.value = _excel_value(value)
    if wrap or top:  # as the template's column format (Att göra reads from the top of each row)
        from openpyxl.styles import Alignment

        number = isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool)
        cell.alignment = Alignment(wrap_text=wrap or None, vertical="top", horizontal="center" if number else None)
    if isinstance(cell.value, str):
        if cell.value.startswith("="):
            cell.data_type = "s"
        if "\n" in cell.value or wrap:
            width = cell.parent.column_dimensions[cell.column_letter].width or 13
            dimension = cell.parent.row_dimensions[cell.row]
            height = text_height(cell.value, width)
            if height > (dimension.height or DEFAULT_ROW_HEIGHT):
                dimension.height = height
    if isinstance(cell.value, datetime):
        from copy import copy

        cell.number_format = "yyyy-mm-dd"
        if cell.alignment.horizontal is None:  # centred, as the template's date columns are
            alignment = copy(cell.alignment)
            alignment.horizontal = "center"
            cell.alignment = alignment


def _find_table(book, name: str):
    for worksheet in book.worksheets:
        if name in worksheet.tables:
            return worksheet, worksheet.tables[name]
    return None, None


def _set_table_body(book, name: str, rows: Sequence[Mapping[str, object]], append: bool) -> None:
    from openpyxl.utils.cell import range_boundaries

    worksheet, table = _find_table(book, name)
    if table is None:
        return
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    headers = [worksheet.cell(min_row, column).value for column in range(min_col, max_col + 1)]
    existing_last = max_row
    if append:
        # the first row after the last non-blank body row
        start = min_row + 1
        for row in range(min_row + 1, max_row + 1):
            if any(worksheet.cell(row, column).value not in (None, "") for column in range(min_col, max_col + 1)):
                start = row + 1
    else:
        start = min_row + 1
        for row in range(min_row + 1, max_row + 1):
            for column in range(min_col, max_col + 1):
                cell = worksheet.cell(row, column)
                cell.value = None
                if cell.hyperlink is not None:
                    cell.hyperlink = None
    for offset, values in enumerate(rows):
        for index, header in enumerate(headers):
            if header in values:
                _set(worksheet.cell(start + offset, min_col + index), values[header], wrap=header in WRAP_COLUMNS,
                     top=name == L.TASKS_TABLE.name)
    last = max(start + len(rows) - 1, min_row + 1, existing_last if append else min_row + 1)
    table.ref = f"{cell_address(min_row, min_col)}:{cell_address(last, max_col)}"
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref


def _copy_sheet(source, book, position: int):
    """Copy a worksheet from another workbook: values, styles, sizes, validations, colours, table."""
    from copy import copy

    from openpyxl.worksheet.table import Table, TableStyleInfo

    target = book.create_sheet(source.title, position)
    for row in source.iter_rows():
        for cell in row:
            copied = target.cell(cell.row, cell.column, cell.value)
            if cell.has_style:
                copied.font = copy(cell.font)
                copied.fill = copy(cell.fill)
                copied.border = copy(cell.border)
                copied.alignment = copy(cell.alignment)
                copied.protection = copy(cell.protection)
                copied.number_format = cell.number_format
    for key, dimension in source.column_dimensions.items():
        copied = target.column_dimensions[key]
        copied.width, copied.min, copied.max = dimension.width, dimension.min, dimension.max
    for key, dimension in source.row_dimensions.items():
        target.row_dimensions[key].height = dimension.height
    target.freeze_panes = source.freeze_panes
    target.print_title_rows = source.print_title_rows
    target.page_setup.orientation = source.page_setup.orientation
    target.page_setup.paperSize = source.page_setup.paperSize
    target.sheet_properties.pageSetUpPr = copy(source.sheet_properties.pageSetUpPr)
    target.page_setup.fitToWidth = source.page_setup.fitToWidth
    target.page_setup.fitToHeight = source.page_setup.fitToHeight
    for validation in source.data_validations.dataValidation:
        target.add_data_validation(copy(validation))
    for formatting in source.conditional_formatting:
        for rule in formatting.rules:
            target.conditional_formatting.add(str(formatting.sqref), copy(rule))
    for table in source.tables.values():
        style = table.tableStyleInfo
        target.add_table(Table(
            displayName=table.displayName, ref=table.ref,
            tableStyleInfo=TableStyleInfo(name=style.name, showRowStripes=style.showRowStripes) if style else None,
        ))
    return target


def _add_group_sheets(book, sheets) -> None:
    """New group sheets, built by the template builder (the one definition of a group sheet)."""
    import tempfile

    import openpyxl

    from ..template import GroupSheetContent, WorkbookContent, write_workbook

    content = WorkbookContent(group_sheets=[
        GroupSheetContent(group_id=sheet.name, title=sheet.title, session_dates=sheet.session_dates)
        for sheet in sheets
    ])
    with tempfile.TemporaryDirectory() as folder:
        built = openpyxl.load_workbook(write_workbook(Path(folder) / "nya.xlsx", content))
    names = book.sheetnames
    fixed = set(L.FIXED_SHEETS)
    position = max(
        (index for index, name in enumerate(names) if name == L.GROUPS or name not in fixed), default=1
    ) + 1
    for offset, sheet in enumerate(sheets):
        _copy_sheet(built[sheet.name], book, position + offset)


_EMPTY_ROW = re.compile(rb"<row\b[^>]*/>")


def _without_empty_rows(source: bytes) -> io.BytesIO:
    """``source`` without worksheet rows that hold nothing (``<row …/>``): openpyxl would build an object
    for each, and a sheet formatted down to row 1 048 576 then takes a minute and a gigabyte. Only the
    formatting of such empty rows is lost in the result file."""
    result = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as archive, zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in archive.infolist():
            data = archive.read(info)
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml") and b"/>" in data:
                data = _EMPTY_ROW.sub(b"", data)
            copy.writestr(info, data)
    result.seek(0)
    return result


def apply_outcome(
    source: bytes, outcome: Outcome, columns: Mapping[str, Mapping[str, int]], log_row: Mapping[str, object],
    *, name: str = "arbetsboken",
) -> bytes:
    """The workbook ``source`` (the bytes the reader read) with ``outcome`` applied and one ``Logg`` row."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(_without_empty_rows(source), rich_text=True)
    except Exception:  # openpyxl's schema refuses things Excel accepts; the reader has read it already
        raise UnusableWorkbook(
            f"Resultatfilen kan inte skapas: {name} innehåller något som inte går att skriva om utan Excel. "
            "Öppna arbetsboken i Excel, spara den och försök igen. Inget har skrivits."
        ) from None
    if outcome.new_sheets:
        _add_group_sheets(book, outcome.new_sheets)
    for write in outcome.writes:
        column = columns.get(write.sheet, {}).get(write.column)
        if column is None or write.sheet not in book.sheetnames:
            continue
        _set(book[write.sheet].cell(write.row, column), write.value)
    for table in outcome.tables:
        _set_table_body(book, table.table, table.rows, table.append)
    _set_table_body(book, L.LOG_TABLE.name, [log_row], True)
    status = book.defined_names.get(L.STATUS_NAME)
    if status is not None:
        for sheet, reference in status.destinations:
            if sheet in book.sheetnames:
                book[sheet][reference.replace("$", "")].value = outcome.summary
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
