"""Reads a list of 1177 interest registrations (CSV or xlsx) that a secretary pasted together.

CSV files come from many programs: UTF-8 (with or without BOM) or Windows-1252, separated by ``;``,
``,`` or tab. The header row may be any of the first rows; columns are matched by name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..domain.cells import as_text, cell_address
from ..domain.errors import UnusableWorkbook
from ..domain.interest import import_column

MAX_LIST_BYTES = 20 * 1024 * 1024
HEADER_ROWS = 10


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv_rows(path: Path) -> list[list[object]]:
    text = _decode(path.read_bytes())
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";"
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_rows(path: Path) -> list[list[object]]:
    from .reader import read_grids

    grids, _tables = read_grids(path)
    for grid in grids.values():
        if grid.rows:
            return [list(row) for row in grid.rows]
    return []


def read_interest_list(path: Path) -> tuple[str, list[tuple[str, Mapping[str, object]]]]:
    """(the list's name for messages, [(cell address of the row, values by Intresse column)])."""
    path = Path(path)
    if not path.is_file():
        raise UnusableWorkbook(f"Listan {path.name} finns inte.")
    if path.stat().st_size > MAX_LIST_BYTES:
        raise UnusableWorkbook(f"Listan {path.name} är för stor för att vara en lista med anmälningar.")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        rows = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    else:
        raise UnusableWorkbook(f"Listan {path.name} ska vara en .csv- eller .xlsx-fil.")
    header_index, columns = _header(rows)
    if header_index is None:
        raise UnusableWorkbook(
            f"Hittar ingen rubrikrad i {path.name}. Listan behöver minst kolumnerna Inkom, Personnummer och Önskad grupp."
        )
    result = []
    for index in range(header_index + 1, len(rows)):
        cells = rows[index]
        values = {column: cells[position] for position, column in columns.items() if position < len(cells)}
        if all(not as_text(value) for value in values.values()):
            continue
        result.append((cell_address(index + 1, 1), values))
    return path.name, result


def _header(rows: Sequence[Sequence[object]]) -> tuple[int | None, dict[int, str]]:
    from ..domain import layout as L

    needed = {L.RECEIVED, L.PERSONAL_NUMBER, L.WISHED_GROUP}
    for index, cells in enumerate(rows[:HEADER_ROWS]):
        columns: dict[int, str] = {}
        for position, value in enumerate(cells):
            column = import_column(as_text(value))
            if column is not None and column not in columns.values():
                columns[position] = column
        if needed <= set(columns.values()):
            return index, columns
    return None, {}
