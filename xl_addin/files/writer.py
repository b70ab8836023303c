"""The file edge's writers: new files only, written to a temporary name and then moved into place.

A user's workbook is never saved over (SPEC §6). Results go to new files in a folder the user names;
an existing file is replaced only with ``--force``; a failure mid-write leaves no partial file.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from ..domain import layout as L
from ..domain.errors import OutputExists
from ..domain.model import Outcome, PersonalNumber

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def atomic_write(path: Path, write: Callable[[BinaryIO], None], *, force: bool = False) -> Path:
    """Write ``path`` through a temporary file in the same folder; never a partial or clobbered file."""
    path = Path(path)
    if path.exists() and not force:
        raise OutputExists(f"Filen {path.name} finns redan i {path.parent}. Ange --force för att ersätta den.")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; colleagues on a shared folder need to read it
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        if force:
            os.replace(temporary, path)
        else:
            try:
                os.link(temporary, path)  # fails if someone created the file meanwhile
            except FileExistsError:
                raise OutputExists(f"Filen {path.name} finns redan i {path.parent}. Ange --force för att ersätta den.") from None
            except OSError:
                os.replace(temporary, path)  # file systems without hard links
            else:
                os.unlink(temporary)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return path


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def plain(value: object) -> object:
    """A value as it goes into a file: dates as dates, personnummer as 12-digit text."""
    if isinstance(value, PersonalNumber):
        return str(value)
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    return value


def _csv_text(value: object) -> str:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(neutralise(value))


def write_csv(path: Path, columns: Sequence[str], rows: Sequence[Mapping[str, object]], *, force: bool = False) -> Path:
    """CSV for Swedish Excel: ``;`` separator, UTF-8 with BOM, CRLF, formula-like text neutralised."""

    def write(stream: BinaryIO) -> None:
        text = io.StringIO(newline="")
        writer = csv.writer(text, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_text(row.get(column)) for column in columns])
        stream.write(text.getvalue().encode("utf-8-sig"))

    return atomic_write(path, write, force=force)


def write_xlsx(
    path: Path, sheet: str, columns: Sequence[str], rows: Sequence[Mapping[str, object]], *, force: bool = False
) -> Path:
    """A one-table workbook (XlsxWriter): real dates as ÅÅÅÅ-MM-DD, text cells never run as formulas."""
    import xlsxwriter

    def write(stream: BinaryIO) -> None:
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False})
        book.set_properties({"created": datetime(2026, 1, 1)})
        dates = book.add_format({"num_format": "yyyy-mm-dd"})
        worksheet = book.add_worksheet(sheet[:31])
        data = []
        for row in rows:
            data.append([plain(row.get(column)) for column in columns])
        for row_index, values in enumerate(data, start=1):
            for column_index, value in enumerate(values):
                if isinstance(value, date):
                    worksheet.write_datetime(row_index, column_index, datetime.combine(value, datetime.min.time()) if not isinstance(value, datetime) else value, dates)
                elif isinstance(value, str) and value:
                    worksheet.write_string(row_index, column_index, value)
                elif value is not None and value != "":
                    worksheet.write(row_index, column_index, value)
        worksheet.add_table(0, 0, max(len(data), 1), len(columns) - 1, {
            "name": "Registrering" if sheet == L.REGISTRATION else "Data",
            "columns": [{"header": column} for column in columns],
            "style": "Table Style Light 9",
        })
        for column_index, column in enumerate(columns):
            worksheet.set_column(column_index, column_index, max(12, min(60, len(column) + 4)))
        worksheet.freeze_panes(1, 0)
        book.close()
        stream.write(buffer.getvalue())

    return atomic_write(path, write, force=force)


def registration_files(directory: Path, outcome: Outcome, *, force: bool = False) -> list[Path]:
    """``Registrering ÅÅÅÅ-MM-DD.xlsx`` and ``.csv`` with the exported rows."""
    xlsx, csv_name = registration_file_names(outcome)
    columns = L.REGISTRATION_TABLE.columns
    rows = [{column: row.get(column) for column in columns} for row in outcome.rows]
    return [
        write_xlsx(Path(directory) / xlsx, L.REGISTRATION, columns, rows, force=force),
        write_csv(Path(directory) / csv_name, columns, rows, force=force),
    ]


def result_workbook_name(source: Path, outcome: Outcome) -> str:
    return f"{source.stem} ({outcome.command} {outcome.today.isoformat()}).xlsx"


def registration_file_names(outcome: Outcome) -> list[str]:
    stem = f"Registrering {outcome.today.isoformat()}"
    return [f"{stem}.xlsx", f"{stem}.csv"]


def refuse_existing(paths: Sequence[Path]) -> None:
    """Refuse before writing anything when one of several outputs exists (without ``--force``)."""
    for path in paths:
        if path.exists():
            raise OutputExists(f"Filen {path.name} finns redan i {path.parent}. Ange --force för att ersätta den.")


def write_result_workbook(
    source: bytes,
    destination: Path,
    outcome: Outcome,
    columns: Mapping[str, Mapping[str, int]],
    log_row: Mapping[str, object],
    *,
    force: bool = False,
) -> Path:
    """The workbook ``source`` (the bytes that were read) with the outcome applied, as a new ``.xlsx``.

    openpyxl drops buttons, shapes and VBA: the copy is a result to read or keep, not a replacement
    for the clinic's workbook (that one changes only through Excel).
    """
    from .apply import apply_outcome

    data = apply_outcome(source, outcome, columns, log_row)  # before the file exists: no partial file
    return atomic_write(destination, lambda stream: stream.write(data), force=force)

