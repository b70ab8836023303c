"""The file edge's reader: checks an untrusted workbook file, then reads every sheet with calamine.

The file is opened read-only and never written. Checks before parsing keep hostile files cheap:
not a zip, encrypted, zip bombs (declared and actual expansion), and XML with a DTD (entity bombs).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

from ..domain.cells import CellError
from ..domain.errors import UnusableWorkbook
from ..domain.model import Workbook
from ..domain.parsing import SheetGrid, TableLocation, read_workbook

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_UNPACKED_BYTES = 500 * 1024 * 1024
MAX_PART_RATIO = 200  # uncompressed/compressed; ordinary sheet XML compresses about 10–30×
MAX_CELLS = 5_000_000
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ERROR_CELL = re.compile(rb"<c\b([^>]*)>")
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_TYPE_ERROR = re.compile(rb'\bt="e"')
_ERROR_VALUE = re.compile(rb"<v>([^<]*)</v>")


@dataclass(frozen=True)
class WorkbookFile:
    """What was read from a file, and whether Excel has it open (a ``~$`` owner file beside it)."""

    workbook: Workbook
    open_in_excel: bool


def open_in_excel(path: Path) -> bool:
    """Excel writes ``~$name`` (short names) or ``~$`` + name minus two characters beside an open file."""
    candidates = {path.with_name("~$" + path.name), path.with_name("~$" + path.name[2:])}
    return any(candidate.exists() for candidate in candidates)


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + (char - 64)
    return number


def _preflight(path: Path) -> dict[str, dict[tuple[int, int], CellError]]:
    """Refuse files that are not safe to parse; return error-valued cells per worksheet part."""
    if not path.exists():
        raise UnusableWorkbook(f"Filen {path.name} finns inte.")
    if not path.is_file():
        raise UnusableWorkbook(f"{path.name} är ingen fil.")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise UnusableWorkbook(f"Filen {path.name} är för stor ({size // 1_000_000} MB) för en Sofia-arbetsbok.")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head == _CFB_MAGIC:
        raise UnusableWorkbook(
            f"Filen {path.name} är lösenordsskyddad (krypterad) eller i det gamla .xls-formatet. "
            "Ta bort lösenordet eller spara den som .xlsx/.xlsm i Excel och försök igen."
        )
    if not head.startswith(b"PK"):
        raise UnusableWorkbook(f"Filen {path.name} är ingen Excel-arbetsbok (.xlsx eller .xlsm).")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise UnusableWorkbook(f"Filen {path.name} är skadad eller ofullständig och kan inte läsas.") from None
    errors: dict[str, dict[tuple[int, int], CellError]] = {}
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if "xl/workbook.xml" not in names:
            raise UnusableWorkbook(f"Filen {path.name} är ingen Excel-arbetsbok (.xlsx eller .xlsm).")
        if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
            raise UnusableWorkbook(f"Filen {path.name} packas upp till orimligt mycket data och läses inte.")
        for info in infos:
            if not info.filename.endswith((".xml", ".rels")):
                continue
            if info.compress_size and info.file_size / info.compress_size > MAX_PART_RATIO and info.file_size > 10_000_000:
                raise UnusableWorkbook(f"Filen {path.name} packas upp till orimligt mycket data och läses inte.")
            try:
                data = _read_bounded(archive, info)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError):
                raise UnusableWorkbook(f"Filen {path.name} är skadad eller ofullständig och kan inte läsas.") from None
            head = data[:2048]
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise UnusableWorkbook(f"Filen {path.name} innehåller otillåten XML (DTD) och läses inte.")
            if info.filename.startswith("xl/worksheets/") and _TYPE_ERROR.search(data):
                errors[info.filename] = _error_cells(data)
    return errors


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Read a part, but never more than its declared size (the declared size may lie)."""
    with archive.open(info) as stream:
        data = stream.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise ValueError("part larger than declared")
    return data


def _error_cells(data: bytes) -> dict[tuple[int, int], CellError]:
    cells: dict[tuple[int, int], CellError] = {}
    for match in _ERROR_CELL.finditer(data):
        attributes = match.group(1)
        if not _TYPE_ERROR.search(attributes):
            continue
        ref = _REF.search(attributes)
        if ref is None:
            continue
        value = _ERROR_VALUE.search(data, match.end(), match.end() + 200)
        code = value.group(1).decode("utf-8", "replace") if value else "#N/A"
        cells[(int(ref.group(2)), _column_number(ref.group(1)))] = CellError(code)
    return cells


def _sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name → worksheet part, from workbook.xml and its relationships (parsed with defusedxml)."""
    from defusedxml import ElementTree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    with zipfile.ZipFile(path) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        try:
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        except KeyError:
            return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        targets[rel.get("Id")] = target
    parts = {}
    for sheet in workbook.iter(f"{main}sheet"):
        parts[sheet.get("name")] = targets.get(sheet.get(f"{rel_ns}id"), "")
    return parts


def read_grids(path: Path) -> tuple[dict[str, SheetGrid], dict[str, TableLocation]]:
    """Every worksheet as a grid from A1, and every Excel table's location."""
    import python_calamine

    errors = _preflight(path)
    parts = _sheet_parts(path) if errors else {}
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path), load_tables=True)
    except python_calamine.PasswordError:
        raise UnusableWorkbook(f"Filen {path.name} är lösenordsskyddad. Ta bort lösenordet och försök igen.") from None
    except (python_calamine.CalamineError, OSError, ValueError):
        raise UnusableWorkbook(f"Filen {path.name} är skadad och kan inte läsas som Excel-arbetsbok.") from None
    grids: dict[str, SheetGrid] = {}
    tables: dict[str, TableLocation] = {}
    cells = 0
    with book:
        for meta in book.sheets_metadata:
            if str(meta.typ) != str(python_calamine.SheetTypeEnum.WorkSheet):
                continue
            try:
                sheet = book.get_sheet_by_name(meta.name)
            except python_calamine.CalamineError:
                raise UnusableWorkbook(f"Bladet {meta.name} i {path.name} är skadat och kan inte läsas.") from None
            end = sheet.end
            if end is not None:
                cells += (end[0] + 1) * (end[1] + 1)
                if cells > MAX_CELLS:
                    raise UnusableWorkbook(
                        f"Bladet {meta.name} är orimligt stort (över {MAX_CELLS:,} celler). "
                        "Ta bort tomma rader och kolumner längst ned och till höger.".replace(",", " ")
                    )
            rows = sheet.to_python(skip_empty_area=False) if end is not None else []
            sheet_errors = errors.get(parts.get(meta.name, ""), {})
            if sheet_errors:
                rows = [list(row) for row in rows]
                for (row, column), value in sheet_errors.items():
                    if row - 1 < len(rows) and column - 1 < len(rows[row - 1]):
                        rows[row - 1][column - 1] = value
            merged = tuple(
                (r1 + 1, c1 + 1, r2 + 1, c2 + 1) for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])
            )
            visible = str(meta.visible) == str(python_calamine.SheetVisibleEnum.Visible)
            grids[meta.name] = SheetGrid(meta.name, rows, merged, visible)
        for name in book.table_names or []:
            try:
                table = book.get_table_by_name(name)
            except python_calamine.CalamineError:
                continue
            if table.start is None:
                continue
            (first_row, first_column) = table.start
            (last_row, _last_column) = table.end or table.start
            tables[name] = TableLocation(
                name=name,
                sheet=table.sheet,
                header_row=first_row,  # start is the first data row (0-based) = the header's 1-based row
                first_column=first_column + 1,
                last_row=last_row + 1,
                columns=tuple(str(column) for column in table.columns),
            )
    return grids, tables


def read_workbook_file(path: Path, *, today: date) -> WorkbookFile:
    """Read and validate a workbook file for the command line (the file is never written)."""
    path = Path(path)
    grids, tables = read_grids(path)
    return WorkbookFile(read_workbook(grids, tables, today=today), open_in_excel(path))
