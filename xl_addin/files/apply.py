"""Applies an ``Outcome`` to a copy of a workbook file with openpyxl, for headless result files.

This mirrors what the xlwings edge does in Excel: cell writes by header name, whole-table
replacement for ``AttGora``/``Kontroll``, appends for ``Registrering`` and ``Logg``, and the
``Status`` cell. It returns the new file's bytes; the source file is only read.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

from ..domain import layout as L
from ..domain.cells import cell_address
from ..domain.model import Outcome
from .writer import neutralise, plain

_TABLE_SHEETS = {table.name: table for table in L.TABLES}


def _excel_value(value: object) -> object:
    value = plain(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, datetime.min.time())
    return neutralise(value)


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
                worksheet.cell(row, column).value = None
    for offset, values in enumerate(rows):
        for index, header in enumerate(headers):
            cell = worksheet.cell(start + offset, min_col + index)
            cell.value = _excel_value(values.get(header)) if header in values else cell.value
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd"
    last = max(start + len(rows) - 1, min_row + 1, existing_last if append else min_row + 1)
    table.ref = f"{cell_address(min_row, min_col)}:{cell_address(last, max_col)}"
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref


def apply_outcome(
    source: Path, outcome: Outcome, columns: Mapping[str, Mapping[str, int]], log_row: Mapping[str, object]
) -> bytes:
    """The bytes of ``source`` with ``outcome`` applied and one ``Logg`` row appended."""
    import openpyxl

    book = openpyxl.load_workbook(source, rich_text=True)
    for write in outcome.writes:
        column = columns.get(write.sheet, {}).get(write.column)
        if column is None or write.sheet not in book.sheetnames:
            continue
        cell = book[write.sheet].cell(write.row, column)
        cell.value = _excel_value(write.value)
        if isinstance(cell.value, datetime):
            cell.number_format = "yyyy-mm-dd"
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
