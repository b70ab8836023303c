"""Uppgradera: a workbook of an older layout version (or the current one) becomes a new workbook from the
current template, with every value a person typed carried over, and a report of what moved and of
anything that could not be placed (sheet and cell).

Everything is found by header NAMES, never by position, so the upgrade follows whatever the current
template is (a column moved, a column added). Values are taken raw from the cells, typos included:
an upgrade moves what people typed, it does not correct it (Kontrollera reports it afterwards).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from ..domain.records import Record, field
from pathlib import Path

from ..domain import layout as L
from ..domain.cells import CellError, as_text, cell_address, is_blank
from ..domain.errors import UnusableWorkbook
from ..domain.model import SETTING_FIELDS
from ..domain.parsing import SheetGrid, TableLocation

HEADER_SEARCH_ROWS = 20
# Tables on a sheet of their own: columns users added there are carried over, after the contract's.
_EXTENDABLE = (L.GROUPS_TABLE, L.INTEREST_TABLE, L.TASKS_TABLE, L.REGISTRATION_TABLE, L.LOG_TABLE)
_VERSIONS_READ = ("1.0", "1.1", "1.2")  # docs/workbook.md, "Versions and upgrading" (any 1.x is read)


class UpgradeReport(Record, frozen=False):
    """What an upgrade moved, and every cell it could not place."""

    source: Path
    target: Path | None = None
    from_version: str = ""
    moved: list[tuple[str, str]] = field(default_factory=list)  # (what, how much)
    not_placed: list[tuple[str, str, str]] = field(default_factory=list)  # (sheet, cell, why)

    def text(self) -> str:
        lines = [f"Uppgradera {self.source.name}: layoutversion {self.from_version or 'okänd'} → "
                 f"{L.CONTRACT_VERSION}."]
        if self.target is not None:
            lines.append(f"Skrev {self.target}")
        lines.append("\nFlyttat:")
        lines += [f"  {what}: {amount}" for what, amount in self.moved]
        if self.not_placed:
            lines.append(f"\nKunde inte placeras ({len(self.not_placed)}):")
            lines += [f"  {sheet}!{cell}: {why}" for sheet, cell, why in self.not_placed]
        else:
            lines.append("\nAllt kunde placeras.")
        return "\n".join(lines)

    def as_json(self) -> dict[str, object]:
        return {
            "command": "upgrade",
            "source": self.source.name,
            "target": str(self.target) if self.target else None,
            "from_version": self.from_version,
            "to_version": L.CONTRACT_VERSION,
            "moved": [{"Vad": what, "Antal": amount} for what, amount in self.moved],
            "problems": [{L.SHEET: sheet, L.CELL: cell, L.MESSAGE: why} for sheet, cell, why in self.not_placed],
        }


class _Found(Record):
    header_row: int
    first_column: int
    headers: tuple[str, ...]  # as written in the sheet
    last_row: int


def _normal(header: object) -> str:
    return " ".join(as_text(header).split()).casefold()


def _locate(grid: SheetGrid, table: L.Table, tables: Mapping[str, TableLocation]) -> _Found | None:
    location = tables.get(table.name)
    if location is not None and location.sheet == grid.name:
        return _Found(location.header_row, location.first_column, tuple(location.columns),
                      max(location.last_row, len(grid.rows)) if table.anchor == "A1" else location.last_row)
    wanted = {column.casefold() for column in table.columns}
    best: tuple[int, int, int, int] | None = None  # hits, row, first column, width
    for row_index, cells in enumerate(grid.rows[:HEADER_SEARCH_ROWS], start=1):
        normalised = [_normal(value) for value in cells]
        start = 0
        while start < len(normalised):
            width = 0
            while start + width < len(normalised) and normalised[start + width]:
                width += 1
            hits = sum(1 for header in normalised[start:start + width] if header in wanted)
            if width and hits * 2 >= len(wanted) and (best is None or hits > best[0]):
                best = (hits, row_index, start + 1, width)
            start += width + 1
    if best is None:
        return None
    _, row, first, width = best
    headers = tuple(as_text(grid.value(row, first + offset)) for offset in range(width))
    return _Found(row, first, headers, len(grid.rows))


class _Upgrade:
    def __init__(self, grids: Mapping[str, SheetGrid], tables: Mapping[str, TableLocation], report: UpgradeReport):
        self.grids = grids
        self.tables = tables
        self.report = report
        self.used: dict[str, set[tuple[int, int]]] = {}  # sheet → cells carried over

    def use(self, sheet: str, row: int, column: int) -> None:
        self.used.setdefault(sheet, set()).add((row, column))

    def value(self, grid: SheetGrid, row: int, column: int) -> object:
        value = grid.value(row, column)
        if isinstance(value, CellError):
            self.report.not_placed.append((grid.name, cell_address(row, column),
                                           f"felvärdet {value.code} flyttades som text"))
            return value.code
        return None if is_blank(value) and not (isinstance(value, str) and value) else value

    def table(self, table: L.Table, *, extendable: bool) -> tuple[list[dict[str, object]], list[str]]:
        grid = self.grids.get(table.sheet)
        if grid is None:
            return [], []
        found = _locate(grid, table, self.tables)
        if found is None:
            return [], []
        canonical = {column.casefold(): column for column in table.columns}
        names: list[str | None] = []
        extra: list[str] = []
        for offset, header in enumerate(found.headers):
            column = found.first_column + offset
            key = _normal(header)
            if key in canonical:
                names.append(canonical[key])
                self.use(grid.name, found.header_row, column)
            elif key and extendable and header not in extra:
                names.append(header)
                extra.append(header)
                self.use(grid.name, found.header_row, column)
            else:
                names.append(None)
        rows: list[dict[str, object]] = []
        for row in range(found.header_row + 1, found.last_row + 1):
            values = {}
            for offset, name in enumerate(names):
                column = found.first_column + offset
                raw = grid.value(row, column)
                if is_blank(raw) and not isinstance(raw, CellError):
                    continue
                if name is None:
                    continue  # left for the not-placed scan
                values[name] = self.value(grid, row, column)
                self.use(grid.name, row, column)
            if values:
                rows.append(values)
        return rows, extra

    def group_sheet(self, grid: SheetGrid):
        from ..template import GroupSheetContent

        header_row = next((index for index, cells in enumerate(grid.rows[:10], start=1)
                           if any(_normal(value) == L.PERSONAL_NUMBER.casefold() for value in cells)), None)
        if header_row is None:
            return None
        known = {column.casefold(): column for column in L.PARTICIPANT_LEADING_COLUMNS + L.PARTICIPANT_TRAILING_COLUMNS}
        names: dict[int, str] = {}
        sessions: dict[int, int] = {}
        extra: list[str] = []
        for column, value in enumerate(grid.rows[header_row - 1], start=1):
            header = as_text(value)
            match = L.SESSION_COLUMN.match(header.upper())
            if match and int(match.group(1)) not in sessions:
                sessions[int(match.group(1))] = column
                names[column] = L.session_column(int(match.group(1)))
            elif header.casefold() in known and known[header.casefold()] not in names.values():
                names[column] = known[header.casefold()]
            elif header and header not in extra and header not in names.values():
                names[column] = header
                extra.append(header)
            else:
                continue
            self.use(grid.name, header_row, column)
        count = max(sessions) if sessions else 0
        dates, registered = [], []
        for number in range(1, count + 1):
            column = sessions.get(number)
            if column is None:  # a gap in T1…Tn: the session column is made, empty
                dates.append(None)
                registered.append(None)
                continue
            for target, row in ((dates, header_row - 1), (registered, header_row - 2)):
                if row >= 1:
                    target.append(self.value(grid, row, column))
                    self.use(grid.name, row, column)
                else:
                    target.append(None)
        title_value = grid.value(1, 1)
        label_row, label_column = _cell(L.GROUP_SHEET_PENDING_LABEL_CELL)
        if as_text(grid.value(label_row, label_column)) == L.GROUP_SHEET_PENDING_LABEL:
            # the template's own count of sessions to register (contract 1.2): the new template writes it
            self.use(grid.name, label_row, label_column)
            self.use(grid.name, *_cell(L.GROUP_SHEET_PENDING_CELL))
        if header_row > 1:
            self.use(grid.name, 1, 1)
            for label_row in (header_row - 1, header_row - 2):  # the labels Datum / Registrerad
                if label_row >= 1 and sessions:
                    self.use(grid.name, label_row, min(sessions.values()) - 1)
        participants = []
        for row in range(header_row + 1, len(grid.rows) + 1):
            values = {}
            for column, name in names.items():
                raw = grid.value(row, column)
                if is_blank(raw) and not isinstance(raw, CellError):
                    continue
                values[name] = self.value(grid, row, column)
                self.use(grid.name, row, column)
            if values:
                participants.append(values)
        return GroupSheetContent(
            group_id=grid.name, title=as_text(title_value) or f"– {grid.name}", session_dates=dates,
            registered=registered, participants=participants, extra_columns=tuple(extra),
        )

    def not_placed_cells(self, sheet: str, ignore: set[tuple[int, int]] = frozenset()) -> None:
        grid = self.grids.get(sheet)
        if grid is None:
            return
        used = self.used.get(sheet, set()) | ignore
        for row_index, cells in enumerate(grid.rows, start=1):
            for column_index, value in enumerate(cells, start=1):
                if not is_blank(value) and (row_index, column_index) not in used:
                    self.report.not_placed.append((sheet, cell_address(row_index, column_index),
                                                   "cellen ligger utanför tabellerna och flyttades inte"))


def _cell(address: str) -> tuple[int, int]:
    """``B2`` → (2, 2)."""
    letters = address.rstrip("0123456789")
    column = 0
    for char in letters:
        column = column * 26 + ord(char) - 64
    return int(address[len(letters):]), column


def _version(grids: Mapping[str, SheetGrid], tables: Mapping[str, TableLocation]) -> str:
    grid = grids.get(L.SETTINGS)
    if grid is None:
        return ""
    found = _locate(grid, L.SETTINGS_TABLE, tables)
    if found is None:
        return ""
    names = [_normal(header) for header in found.headers]
    if L.SETTING.casefold() not in names or L.VALUE.casefold() not in names:
        return ""
    setting, value = names.index(L.SETTING.casefold()), names.index(L.VALUE.casefold())
    for row in range(found.header_row + 1, found.last_row + 1):
        if _normal(grid.value(row, found.first_column + setting)) == L.VERSION.casefold():
            return as_text(grid.value(row, found.first_column + value))
    return ""


def upgrade_content(grids: Mapping[str, SheetGrid], tables: Mapping[str, TableLocation], report: UpgradeReport):
    """The ``WorkbookContent`` of the new workbook: every value people typed, at its table and column."""
    from ..template import WorkbookContent

    if L.GROUPS not in grids and L.SETTINGS not in grids:
        raise UnusableWorkbook(
            "Arbetsboken följer inte Sofia-mallen: bladen Grupper och Inställningar saknas, så den kan inte "
            "uppgraderas."
        )
    version = _version(grids, tables)
    report.from_version = version
    if version and version.split(".")[0] != L.CONTRACT_VERSION.split(".")[0]:
        raise UnusableWorkbook(
            f"Arbetsboken har layoutversion {version}; programmet kan uppgradera version "
            f"{', '.join(_VERSIONS_READ)}. Be IT-kontakten om en nyare version av programmet."
        )
    work = _Upgrade(grids, tables, report)
    parts: dict[str, object] = {}
    extra_columns: dict[str, list[str]] = {}
    for table, attribute in ((L.GROUPS_TABLE, "groups"), (L.INTEREST_TABLE, "interest"), (L.TASKS_TABLE, "tasks"),
                             (L.REGISTRATION_TABLE, "registration"), (L.LOG_TABLE, "log"),
                             (L.CHECK_TABLE, "check"), (L.STATISTICS_TABLE, "statistics"),
                             (L.ARCHIVED_STATISTICS_TABLE, "archived_statistics"), (L.MEMORY_TABLE, "memory")):
        if table is L.ARCHIVED_STATISTICS_TABLE and table.name not in tables:
            continue  # a header search would find Statistik's headers
        if table is L.MEMORY_TABLE and table.sheet not in grids:
            continue  # before 1.2
        rows, extra = work.table(table, extendable=table in _EXTENDABLE)
        parts[attribute] = rows
        if extra:
            extra_columns[table.name] = extra
            report.moved.append((f"Egna kolumner i {table.sheet}", ", ".join(extra)))
        report.moved.append((table.sheet if table.sheet != L.STATISTICS else table.name, f"{len(rows)} rader"))
    settings, _ = work.table(L.SETTINGS_TABLE, extendable=False)
    known = {name.casefold(): name for name, _, _ in SETTING_FIELDS}
    overrides: dict[str, object] = {}
    grid = grids.get(L.SETTINGS)
    for row in settings:
        name = known.get(_normal(row.get(L.SETTING)))
        if name is None:
            report.not_placed.append((L.SETTINGS, "", f"inställningen {as_text(row.get(L.SETTING))} finns inte "
                                                      "i den nya mallen"))
            continue
        if name != L.VERSION and L.VALUE in row:
            overrides[name] = row[L.VALUE]
    if grid is not None:  # descriptions are the template's own text: not a person's value
        found = _locate(grid, L.SETTINGS_TABLE, tables)
        if found is not None:
            for offset, header in enumerate(found.headers):
                if _normal(header) == L.DESCRIPTION.casefold():
                    for row in range(found.header_row, found.last_row + 1):
                        work.use(L.SETTINGS, row, found.first_column + offset)
    report.moved.append((L.SETTINGS, f"{len(overrides)} värden"))
    group_types, _ = work.table(L.GROUP_TYPES_TABLE, extendable=False)
    visit_types, _ = work.table(L.VISIT_TYPES_TABLE, extendable=False)
    reasons, _ = work.table(L.CANCELLATION_REASONS_TABLE, extendable=False)
    report.moved.append((L.CODES, f"{len(group_types)} grupptyper, {len(visit_types)} besökstyper, "
                                  f"{len(reasons)} avbokningsorsaker"))
    group_sheets = []
    other_sheets = []
    for name, sheet_grid in grids.items():
        if name in L.FIXED_SHEETS:
            continue
        content = work.group_sheet(sheet_grid)
        if content is None:
            other_sheets.append(name)
        else:
            group_sheets.append(content)
    order = [as_text(row.get(L.GROUP_ID)) for row in parts["groups"]]  # type: ignore[union-attr]
    group_sheets.sort(key=lambda sheet: (order.index(sheet.group_id) if sheet.group_id in order else len(order),
                                         list(grids).index(sheet.group_id)))
    report.moved.append(("Gruppblad", f"{len(group_sheets)} ({sum(len(s.participants) for s in group_sheets)} "
                                      "deltagarrader)"))
    for sheet in group_sheets:
        if sheet.extra_columns:
            report.moved.append((f"Egna kolumner på {sheet.group_id}", ", ".join(sheet.extra_columns)))
    for sheet in (L.GROUPS, L.INTEREST, L.TASKS, L.REGISTRATION, L.CHECK, L.STATISTICS, L.SETTINGS, L.CODES, L.LOG,
                  L.MEMORY,
                  *(content.group_id for content in group_sheets)):
        work.not_placed_cells(sheet)
    for name in other_sheets:
        grid = grids[name]
        filled = sum(1 for cells in grid.rows for value in cells if not is_blank(value))
        if filled:
            report.not_placed.append((name, "A1", f"bladet hör inte till mallen ({filled} ifyllda celler) och "
                                                  "flyttades inte; kopiera det för hand"))
    content = WorkbookContent(
        groups=parts["groups"], interest=parts["interest"], tasks=parts["tasks"],  # type: ignore[arg-type]
        registration=parts["registration"], log=parts["log"], check=parts["check"],  # type: ignore[arg-type]
        statistics=parts["statistics"], archived_statistics=parts.get("archived_statistics", []),  # type: ignore[arg-type]
        memory=parts.get("memory", []),  # type: ignore[arg-type]
        group_sheets=group_sheets, settings=overrides,
        group_types=group_types or None, visit_types=visit_types or None,
        cancellation_reasons=[as_text(row.get(L.REASON)) for row in reasons if row.get(L.REASON)] or None,
        extra_columns=extra_columns,
    )
    return content


def upgraded_name(source: Path) -> str:
    suffix = ".xlsm" if source.suffix.lower() == ".xlsm" else ".xlsx"
    return f"{source.stem} (version {L.CONTRACT_VERSION}){suffix}"


def upgrade_workbook(path: Path, out: Path, *, force: bool = False) -> UpgradeReport:
    """Read ``path`` (never written), write the upgraded workbook into the folder ``out``."""
    from ..template import write_macro_template, write_workbook
    from .reader import _snapshot, read_grids
    from .writer import atomic_write

    path = Path(path)
    report = UpgradeReport(source=path)
    snapshot = _snapshot(path)
    grids, tables = read_grids(path, snapshot)
    content = upgrade_content(grids, tables, report)
    target = Path(out) / upgraded_name(path)
    if target.resolve() == path.resolve():
        raise UnusableWorkbook("Den nya arbetsboken skulle skrivas över den gamla. Välj en annan mapp med --out.")
    with tempfile.TemporaryDirectory() as folder:
        built = Path(folder) / target.name
        if target.suffix == ".xlsm":
            write_macro_template(built, content)
        else:
            write_workbook(built, content)
        data = built.read_bytes()
    report.target = atomic_write(target, lambda stream: stream.write(data), force=force)
    return report


__all__: Sequence[str] = ("UpgradeReport", "upgrade_content", "upgrade_workbook", "upgraded_name")
