"""Turns the sheets of a workbook (plain 2-D lists from either edge) into validated records.

Every edge reads each sheet in one go and hands its grid here, so the command line and the buttons
see exactly the same records and the same problems, with the same cell addresses.
"""

from __future__ import annotations

import re
import unicodedata
import string
from collections.abc import Iterator, Mapping, Sequence
from .records import Record, field, replace
from datetime import date
from operator import itemgetter

from . import layout as L
from .cells import CellError, as_date, as_int, as_text, cell_address, is_blank
from .errors import InvalidDate, InvalidPersonalNumber, UnusableWorkbook
from .model import (
    Attendance,
    Group,
    GroupSheet,
    GroupType,
    InterestRegistration,
    Participant,
    PersonalNumber,
    Problem,
    Session,
    Settings,
    Task,
    Workbook,
    SETTING_FIELDS,
    error,
    warning,
)
from .personal_number import parse_personal_number, usual_personal_number

HEADER_SEARCH_ROWS = 20
# Settings newer than some workbooks in use: a workbook without the row uses the default silently
# (Uppgradera adds the row; docs/workbook.md, version rules).
SETTINGS_ADDED_LATER = frozenset({L.ARCHIVE_AFTER_DAYS})
MISSING_GROUP_SHEET = "Gruppbladet saknas. Klicka på Ny grupp för att skapa det."
CODES_HOLD = "Till dess exporteras inga besök av grupptypen."
MISSING_GROUP_SHEET_ROW_FIRST = "Gruppbladet saknas. Rätta först felen på raden och klicka sedan på Ny grupp."


class SheetGrid(Record):
    """A sheet's values from A1: ``rows[0][0]`` is A1. Merged ranges as 1-based (r1, c1, r2, c2)."""

    name: str
    rows: Sequence[Sequence[object]]
    merged: tuple[tuple[int, int, int, int], ...] = ()
    visible: bool = True

    def value(self, row: int, column: int) -> object:
        """The value at 1-based ``row``/``column`` (blank outside the grid)."""
        if row > 0 and column > 0:
            try:  # the hottest call of parsing: no length checks on the usual path
                return self.rows[row - 1][column - 1]
            except IndexError:
                pass
        return None


class TableLocation(Record):
    """Where an Excel table sits: header row and columns (1-based), and its last row."""

    name: str
    sheet: str
    header_row: int
    first_column: int
    last_row: int
    columns: tuple[str, ...]


class _Rows(Record, frozen=False):
    """A located table: column name → 1-based column, and the data rows to read."""

    sheet: str
    header_row: int
    columns: dict[str, int]
    data_rows: range
    grid: SheetGrid
    extra_columns: dict[str, int] = field(default_factory=dict)  # headers users added
    missing: frozenset[str] = frozenset()  # the table's columns whose header is not there (reported once)

    def get(self, row: int, name: str) -> object:
        column = self.columns.get(name)
        return None if column is None else self.grid.value(row, column)

    def address(self, row: int, name: str) -> str:
        column = self.columns.get(name)
        return cell_address(row, column) if column else cell_address(row, 1)

    def non_blank_rows(self) -> Iterator[int]:
        for row, _values in self.records(()):
            yield row

    def records(self, names: Sequence[str]) -> Iterator[tuple[int, tuple[object, ...]]]:
        """``(row, the values of names)`` for every data row with a value in any of the table's columns.

        A name whose header is missing, and a cell beyond the end of a short row, read as blank. The
        values of a row come out in one step (the reader's hottest loop: ten years of Att göra)."""
        wanted = list(names) + [name for name in self.columns if name not in names]
        count = len(names)
        indices = [self.columns.get(name) for name in wanted]
        if not indices:
            return  # no column to read: every row is blank
        trim = count < len(indices)  # the other columns only tell whether a row is blank
        if None in indices:
            pick = None
        elif len(indices) == 1:
            only = indices[0] - 1
            pick = lambda cells: (cells[only],)  # noqa: E731
        else:
            pick = itemgetter(*(index - 1 for index in indices))
        width = max((index for index in indices if index is not None), default=0)
        first_row, end = self.data_rows.start, self.data_rows.stop
        # Rows beyond the last row read are blank in every cell: the slice ends there.
        for row, cells in enumerate(self.grid.rows[first_row - 1:end - 1], first_row):
            if pick is not None and len(cells) >= width:
                values = pick(cells)
            else:
                values = tuple(
                    None if index is None or index > len(cells) else cells[index - 1] for index in indices
                )
            first = values[0]  # most rows start with a text, which alone makes them not blank
            if not (type(first) is str and first and not first.isspace()) and _blank_values(values):
                continue
            yield row, (values[:count] if trim else values)


def _blank_values(values: Sequence[object]) -> bool:
    """Whether every value is blank (``is_blank``), the usual text cells tested without a call."""
    for value in values:
        if value is None:
            continue
        if type(value) is str:
            if value and not value.isspace():  # the same as ``value.strip()`` being non-empty
                return False
        elif not isinstance(value, str) or value.strip():  # a date, a number …: not blank
            return False
    return True


def _normalise_header(value: object) -> str:
    return " ".join(as_text(value).split()).casefold()


def _folded(text: str) -> str:
    """A name without case, accents, spaces or punctuation: ``Att gora`` and ``Att göra`` fold alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if char.isalnum())


def _similar(one: str, other: str, least: float) -> bool:
    """Whether the folded names match with a ``difflib`` ratio of at least ``least``; the cheap upper
    bounds first (as ``difflib.get_close_matches`` does), since most names are nowhere near: a group
    sheet's name against each missing fixed sheet's. The first bound (``real_quick_ratio``, from the
    lengths alone) is taken before the matcher is made, since making one indexes ``other``."""
    folded, folded_other = _folded(one), _folded(other)
    total = len(folded) + len(folded_other)
    if total and 2.0 * min(len(folded), len(folded_other)) / total < least:
        return False
    from difflib import SequenceMatcher  # only for a sheet name near a missing one: not on every command's path

    matcher = SequenceMatcher(None, folded, folded_other)
    return matcher.quick_ratio() >= least and matcher.ratio() >= least


def _renamed_header(name: str, candidates: Mapping[str, int]) -> str | None:
    """The header in ``candidates`` (headers the table does not know) that ``name`` was renamed to."""
    if not candidates:
        return None
    from difflib import SequenceMatcher  # only when a table has headers it does not know

    scored = sorted(
        ((SequenceMatcher(None, _folded(name), _folded(header)).ratio(), header) for header in candidates),
        reverse=True,
    )
    best_score, best = scored[0]
    return best if best_score >= 0.6 else None  # a user's own column is not taken for a renamed one


def _contiguous(headers: Sequence[str], start: int) -> list[str]:
    """The headers from ``start`` up to the first blank one."""
    run = []
    for header in headers[start:]:
        if not header:
            break
        run.append(header)
    return run


class _Reader(Record, frozen=False):
    grids: Mapping[str, SheetGrid]
    tables: Mapping[str, TableLocation]
    today: date
    problems: list[Problem] = field(default_factory=list)
    located: dict[str, _Rows | None] = field(default_factory=dict)
    missing_sheets: set[str] = field(default_factory=set)
    # personnummer text → parsed (or the error): a person recurs in many Att göra rows and groups
    numbers: dict[str, PersonalNumber | InvalidPersonalNumber] = field(default_factory=dict)
    # an attendance cell's text → what it says (Deltog, D, d, …: a few values fill every sheet)
    attendance_codes: dict[object, Attendance | None] = field(default_factory=lambda: {None: None, "": None})
    # a group sheet's header text → what it is (``_group_sheet_header``): the same few on every sheet
    group_sheet_headers: dict[str, tuple[str, int | None, str | None]] = field(default_factory=dict)
    # fixed sheet → the sheet it was renamed to (read as the fixed sheet; no single cells written there)
    renamed_fixed: dict[str, str] = field(default_factory=dict)
    # Grupper rows whose GruppID an earlier row has: (GruppID casefolded, row, Startdatum, Antal tillfällen)
    duplicate_rows: list[tuple[str, int, date | None, int | None]] = field(default_factory=list)

    def parse_number(self, value: object) -> PersonalNumber:
        """``parse_personal_number`` with ``today``, remembered per text."""
        if not isinstance(value, str):
            return parse_personal_number(value, today=self.today)
        found = self.numbers.get(value)
        if found is None:
            try:
                found = parse_personal_number(value, today=self.today)
            except InvalidPersonalNumber as problem:
                found = problem
            self.numbers[value] = found
        if isinstance(found, InvalidPersonalNumber):
            raise InvalidPersonalNumber(found.message)  # a fresh one: a re-raised one keeps growing its traceback
        return found

    def attendance_code(self, value: object) -> Attendance | None:
        """``_attendance(value)``, remembered per text."""
        code = _attendance(value)
        if type(value) is str:
            self.attendance_codes[value] = code
        return code

    # -- locating tables ---------------------------------------------------------------------
    def locate(self, table: L.Table, *, required: bool = True) -> _Rows | None:
        if table.name not in self.located:
            self.located[table.name] = self._locate(table, required)
        return self.located[table.name]

    def _locate(self, table: L.Table, required: bool) -> _Rows | None:
        grid = self.grids.get(table.sheet)
        if grid is None and table.sheet in self.renamed_fixed:  # reported once as renamed
            grid = self.grids[self.renamed_fixed[table.sheet]]
        if grid is None:
            if required and table.sheet not in self.missing_sheets:  # Koder has three tables: say it once
                self.missing_sheets.add(table.sheet)
                self.problems.append(error(table.sheet, "A1", f"Bladet {table.sheet} saknas i arbetsboken."))
            return None
        location = self.tables.get(table.name)
        if location is not None and location.sheet == grid.name:
            header_row, first, last_row = location.header_row, location.first_column, location.last_row
            width = len(location.columns)
        else:
            found = self._search_header(grid, table)
            if found is None:
                self.problems.append(error(
                    table.sheet, "A1",
                    f"Hittar inte tabellen {table.name} (rubrikraden med {', '.join(table.columns[:3])} …) "
                    f"på bladet {table.sheet}.",
                ))
                return None
            header_row, first = found
            normalised = [_normalise_header(value) for value in grid.rows[header_row - 1]]
            width = len(_contiguous(normalised, first - 1))
            last_row = len(grid.rows)
        columns: dict[str, int] = {}
        extra: dict[str, int] = {}
        seen: dict[str, int] = {}
        wanted = {column.casefold(): column for column in table.columns}
        for earlier, column in table.aliases:  # a workbook made before a header was renamed
            wanted.setdefault(earlier.casefold(), column)
        for column in range(first, first + width):
            header = _normalise_header(grid.value(header_row, column))
            if not header:
                continue
            if header in seen:
                self.problems.append(warning(
                    table.sheet, cell_address(header_row, column),
                    f"Rubriken finns två gånger i tabellen {table.name}; den första används.",
                ))
                continue
            seen[header] = column
            if header in wanted:
                columns[wanted[header]] = column
            else:
                extra[as_text(grid.value(header_row, column))] = column
        missing = [name for name in table.columns if name not in columns]
        self._report_missing_columns(table.sheet, header_row, first, missing, extra, f"i tabellen {table.name}")
        rows = _Rows(table.sheet, header_row, columns, range(header_row + 1, last_row + 1), grid, extra,
                     frozenset(missing))
        self._report_merged(grid, rows)
        return rows

    def _report_missing_columns(
        self, sheet: str, header_row: int, first: int, missing: Sequence[str], extra: Mapping[str, int], where: str,
    ) -> None:
        """One line per missing header, at the header cell that was renamed from it when one looks like
        it, else at the table's first header cell.
        The rows are not reported again for the empty column: one cause, one message."""
        unused = dict(extra)
        for name in missing:
            renamed = _renamed_header(name, unused)
            if renamed is not None:
                column = unused.pop(renamed)
                self.problems.append(error(
                    sheet, cell_address(header_row, column),
                    f"Rubriken {renamed} ska heta {name}. Skriv tillbaka den exakt så: {name}",
                ))
            else:
                self.problems.append(error(
                    sheet, cell_address(header_row, first),
                    f"Kolumnen {name} saknas {where}. Lägg tillbaka rubriken exakt så: {name}",
                ))

    def _search_header(self, grid: SheetGrid, table: L.Table) -> tuple[int, int] | None:
        """The header row and first column of a table that is not an Excel table (any more).

        Several tables may share a row (``Koder``), so the header is the run of adjacent non-blank
        cells that holds most of the table's names (in any order), at least half of them.
        """
        wanted = {column.casefold() for column in table.columns} | {earlier.casefold() for earlier, _ in table.aliases}
        best: tuple[int, int, int] | None = None  # (hits, row, first column)
        for row_index, cells in enumerate(grid.rows[:HEADER_SEARCH_ROWS], start=1):
            normalised = [_normalise_header(value) for value in cells]
            start = 0
            while start < len(normalised):
                run = _contiguous(normalised, start)
                hits = sum(1 for header in run if header in wanted)
                if hits * 2 >= len(wanted) and (best is None or hits > best[0]):
                    best = (hits, row_index, start + 1)
                start += len(run) + 1
        return None if best is None else (best[1], best[2])

    def _report_merged(self, grid: SheetGrid, rows: _Rows) -> None:
        columns = set(rows.columns.values())
        for r1, c1, r2, c2 in grid.merged:
            if r2 >= rows.header_row and any(c1 <= column <= c2 for column in columns) and (r1, c1) != (r2, c2):
                self.problems.append(warning(
                    grid.name, f"{cell_address(r1, c1)}:{cell_address(r2, c2)}",
                    "Sammanfogade celler i tabellen: bara den första cellen har ett värde. Dela upp dem.",
                ))

    # -- typed values with problems -------------------------------------------------------------
    def text(self, rows: _Rows, row: int, name: str) -> str:
        return self.text_of(rows, row, name, rows.get(row, name))

    def text_of(self, rows: _Rows, row: int, name: str, value: object) -> str:
        """``value``, read from ``name`` in ``row``, as text; an error value is reported and reads as blank."""
        if type(value) is str:
            return value.strip()
        if isinstance(value, CellError):
            self.problems.append(error(
                rows.sheet, rows.address(row, name),
                f"Cellen innehåller felvärdet {value.code}. Rätta formeln eller skriv in värdet.",
            ))
            return ""
        return as_text(value)

    def date(self, rows: _Rows, row: int, name: str, flags: list[str]) -> date | None:
        return self.date_of(rows, row, name, rows.get(row, name), flags)

    def date_of(self, rows: _Rows, row: int, name: str, value: object, flags: list[str]) -> date | None:
        """``value``, read from ``name`` in ``row``, as a date; what is not one is reported and flagged."""
        if type(value) is date:  # most date cells, as calamine reads them
            return value
        try:
            return as_date(value)
        except InvalidDate as problem:
            self.problems.append(error(rows.sheet, rows.address(row, name), f"{name}: {problem.message}"))
            flags.append(name)
            return None

    def integer(self, rows: _Rows, row: int, name: str, flags: list[str], low: int, high: int) -> int | None:
        return self.integer_of(rows, row, name, rows.get(row, name), flags, low, high)

    def integer_of(
        self, rows: _Rows, row: int, name: str, value: object, flags: list[str], low: int, high: int,
    ) -> int | None:
        """``value``, read from ``name`` in ``row``, as a whole number from ``low`` to ``high``; else reported."""
        try:
            number = as_int(value)
        except ValueError as problem:
            self.problems.append(error(rows.sheet, rows.address(row, name), f"{name}: {problem}"))
            flags.append(name)
            return None
        if number is not None and not low <= number <= high:
            self.problems.append(error(
                rows.sheet, rows.address(row, name), f"{name} ska vara mellan {low} och {high}."
            ))
            flags.append(name)
            return None
        return number

    def personal_number(self, rows: _Rows, row: int, flags: list[str]) -> PersonalNumber | None:
        return self.personal_number_of(rows, row, rows.get(row, L.PERSONAL_NUMBER), flags)

    def personal_number_of(self, rows: _Rows, row: int, value: object, flags: list[str]) -> PersonalNumber | None:
        """``value``, read from ``Personnummer`` in ``row``, as a personnummer; what is not one is reported."""
        if type(value) is str:  # the usual cell: a known text costs one look-up, a new one in the usual form little more
            found = self.numbers.get(value)
            if type(found) is PersonalNumber:
                return found
            if found is None:
                found = usual_personal_number(value)
                if found is not None:
                    self.numbers[value] = found
                    return found
        if L.PERSONAL_NUMBER in rows.missing:  # reported once, at the header
            flags.append(L.PERSONAL_NUMBER)
            return None
        if is_blank(value):
            self.problems.append(error(rows.sheet, rows.address(row, L.PERSONAL_NUMBER), "Personnummer saknas."))
            flags.append(L.PERSONAL_NUMBER)
            return None
        if isinstance(value, CellError):
            self.problems.append(error(
                rows.sheet, rows.address(row, L.PERSONAL_NUMBER), f"Cellen innehåller felvärdet {value.code}.",
            ))
            flags.append(L.PERSONAL_NUMBER)
            return None
        try:
            number = self.parse_number(value)
        except InvalidPersonalNumber as problem:
            self.problems.append(error(rows.sheet, rows.address(row, L.PERSONAL_NUMBER), problem.message))
            flags.append(L.PERSONAL_NUMBER)
            return None
        if isinstance(value, (int, float)):
            self.problems.append(warning(
                rows.sheet, rows.address(row, L.PERSONAL_NUMBER),
                "Personnumret är sparat som tal. Skriv det som text (ÅÅÅÅMMDD-NNNN) så att inga nollor försvinner.",
            ))
        return number

    def choice(self, rows: _Rows, row: int, name: str, allowed: Sequence[str], flags: list[str]) -> str:
        return self.choice_of(rows, row, name, rows.get(row, name), allowed, flags)

    def choice_of(
        self, rows: _Rows, row: int, name: str, value: object, allowed: Sequence[str], flags: list[str],
    ) -> str:
        """``value``, read from ``name`` in ``row``, as one of ``allowed`` (any case); else reported."""
        text = self.text_of(rows, row, name, value)
        if not text:
            return ""
        for option in allowed:
            if text.casefold() == option.casefold():
                return option
        self.problems.append(error(
            rows.sheet, rows.address(row, name), f"{name} ska vara {_one_of(allowed)}."
        ))
        flags.append(name)
        return ""

    def current(self, rows: _Rows, row: int, names: Sequence[str]) -> dict[str, object]:
        return {name: rows.get(row, name) for name in names}


def _one_of(options: Sequence[str]) -> str:
    quoted = [f"{option}" for option in options]
    return ", ".join(quoted[:-1]) + " eller " + quoted[-1] if len(quoted) > 1 else quoted[0]


def _read_settings(reader: _Reader) -> Settings:
    rows = reader.locate(L.SETTINGS_TABLE)
    if rows is None:
        return Settings()
    values: dict[str, object] = {}
    addresses: dict[str, str] = {}
    for row in rows.non_blank_rows():
        name = as_text(rows.get(row, L.SETTING))
        values[name.casefold()] = rows.get(row, L.VALUE)
        addresses[name.casefold()] = rows.address(row, L.VALUE)
    version = as_text(values.get(L.VERSION.casefold()))
    if version and version.split(".")[0] != L.CONTRACT_VERSION.split(".")[0]:
        raise UnusableWorkbook(
            f"Arbetsboken har layoutversion {version}, men programmet kräver version {L.CONTRACT_VERSION}. "
            "Be IT-kontakten om en ny mall eller en uppdatering av programmet."
        )
    defaults = Settings()
    chosen: dict[str, object] = {}
    for setting, attribute, _description in SETTING_FIELDS:
        key = setting.casefold()
        default = getattr(defaults, attribute)
        if key not in values or is_blank(values[key]):
            if setting != L.VERSION and setting not in SETTINGS_ADDED_LATER:
                reader.problems.append(warning(
                    L.SETTINGS, addresses.get(key, "A1"),
                    f"Inställningen {setting} saknas; standardvärdet {default} används.",
                ))
            continue
        raw = values[key]
        if isinstance(default, int):
            try:
                number = as_int(raw)
            except ValueError:
                number = None
            if number is None or number < 0 or number > 365:
                reader.problems.append(error(
                    L.SETTINGS, addresses[key],
                    f"{setting} ska vara ett heltal mellan 0 och 365; standardvärdet {default} används.",
                ))
                continue
            chosen[attribute] = number
        else:
            chosen[attribute] = as_text(raw)
    settings = Settings(**chosen)
    for setting, attribute, allowed in (
        (L.JOURNAL_PHRASE, "journal_phrase", {"Subjekt", "Grupp", "Datum"}),
        (L.JOURNAL_PHRASE_NONE, "journal_phrase_none", {"Subjekt", "Grupp"}),
    ):
        unknown = _placeholders(getattr(settings, attribute)) - allowed
        if unknown:
            reader.problems.append(error(
                L.SETTINGS, addresses.get(setting.casefold(), "A1"),
                f"{setting} innehåller okända fält {{{', '.join(sorted(unknown))}}}; "
                f"tillåtna är {', '.join('{' + name + '}' for name in sorted(allowed))}. Standardfrasen används.",
            ))
            settings = replace(settings, **{attribute: getattr(defaults, attribute)})
    return settings


def _placeholders(phrase: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(phrase) if name is not None}
    except ValueError:
        return {"?"}


def _read_codes(reader: _Reader) -> tuple[dict[str, GroupType], dict[str, str], tuple[str, ...]]:
    group_types: dict[str, GroupType] = {}
    rows = reader.locate(L.GROUP_TYPES_TABLE)
    if rows is not None:
        for row in rows.non_blank_rows():
            name = reader.text(rows, row, L.GROUP_TYPE)
            if not name:
                continue
            if name in group_types:
                reader.problems.append(error(L.CODES, rows.address(row, L.GROUP_TYPE), "Grupptypen finns två gånger."))
                continue
            flags: list[str] = []
            group_types[name] = GroupType(
                name=name,
                attendee=reader.choice(rows, row, L.ATTENDEE, L.ATTENDEE_VALUES, flags),
                visit_type=reader.text(rows, row, L.VISIT_TYPE),
                action_code=reader.text(rows, row, L.ACTION_CODE).upper(),
            )
            _check_codes(reader, rows, row, group_types[name])
    visit_types: dict[str, str] = {}
    rows = reader.locate(L.VISIT_TYPES_TABLE)
    if rows is not None:
        for row in rows.non_blank_rows():
            code = reader.text(rows, row, L.VISIT_TYPE_CODE)
            if code:
                visit_types[code] = reader.text(rows, row, L.DESCRIPTION)
    reasons: list[str] = []
    rows = reader.locate(L.CANCELLATION_REASONS_TABLE)
    if rows is not None:
        reasons = [text for row in rows.non_blank_rows() if (text := reader.text(rows, row, L.REASON))]
    return group_types, visit_types, tuple(reasons)


def _check_codes(reader: _Reader, rows: _Rows, row: int, group_type: GroupType) -> None:
    if not group_type.visit_type:
        reader.problems.append(error(
            L.CODES, rows.address(row, L.VISIT_TYPE),
            f"Besökstyp saknas för grupptypen {group_type.name}. Fyll i den besökstyp som registreras i Elvis. "
            f"{CODES_HOLD}",
        ))
    if not group_type.action_code:
        reader.problems.append(error(
            L.CODES, rows.address(row, L.ACTION_CODE),
            f"Åtgärdskod saknas för grupptypen {group_type.name}. Fyll i KVÅ-koden (två bokstäver och tre siffror). "
            f"{CODES_HOLD}",
        ))
    elif not re.fullmatch(r"[A-Z]{2}\d{3}", group_type.action_code):
        reader.problems.append(error(
            L.CODES, rows.address(row, L.ACTION_CODE),
            "Åtgärdskoden ska vara två bokstäver och tre siffror, till exempel DU011.",
        ))


# A Grupper row's values in the order the reader takes them, before the button's own columns.
_GROUP_VALUES = (
    L.GROUP_ID, L.GROUP_TYPE, L.ATTENDEE, L.START_DATE, L.SESSION_COUNT, L.MAX_PARTICIPANTS, L.GROUP_LEADER,
    L.JOURNAL_AT_END, L.ROSTER_READY, L.BOOKED_IN_ELVIS,
)
_FIXED_SHEETS_FOLDED = frozenset(sheet.casefold() for sheet in L.FIXED_SHEETS)


def _read_groups(reader: _Reader, group_types: Mapping[str, GroupType]) -> tuple[Group, ...]:
    rows = reader.locate(L.GROUPS_TABLE)
    if rows is None:
        return ()
    groups: list[Group] = []
    if L.GROUP_ID in rows.missing:  # no row can be told apart: reported once, at the header
        return ()
    seen: set[str] = set()
    text, day, choice, integer = reader.text_of, reader.date_of, reader.choice_of, reader.integer_of
    owned = L.GROUPS_TABLE.button_owned
    for row, values in rows.records(_GROUP_VALUES + owned):
        (group_id, group_type, attendee, start_date, session_count, max_participants, leader, journal, roster_ready,
         booked) = values[:10]
        flags: list[str] = []
        group_id = text(rows, row, L.GROUP_ID, group_id)
        if not group_id:
            reader.problems.append(error(L.GROUPS, rows.address(row, L.GROUP_ID), "GruppID saknas."))
            continue
        bad = L.SHEET_NAME_FORBIDDEN.intersection(group_id)
        if len(group_id) > L.SHEET_NAME_MAX or bad or group_id.startswith("'"):
            reader.problems.append(error(
                L.GROUPS, rows.address(row, L.GROUP_ID),
                f"GruppID blir bladets namn: högst {L.SHEET_NAME_MAX} tecken och inga av tecknen [ ] : * ? / \\.",
            ))
            flags.append(L.GROUP_ID)
        folded_id = group_id.casefold()
        if folded_id in seen:  # reported on every row with it once the sheets are known
            reader.duplicate_rows.append((folded_id, row, _quiet_date(start_date), _optional_int(session_count)))
            continue
        if folded_id in _FIXED_SHEETS_FOLDED:
            reader.problems.append(error(
                L.GROUPS, rows.address(row, L.GROUP_ID),
                "GruppID får inte vara samma som ett av arbetsbokens fasta blad.",
            ))
            continue
        seen.add(folded_id)
        group_type = text(rows, row, L.GROUP_TYPE, group_type)
        if not group_type:
            reader.problems.append(error(L.GROUPS, rows.address(row, L.GROUP_TYPE), "Grupp saknas."))
            flags.append(L.GROUP_TYPE)
        elif group_types and group_type not in group_types:
            reader.problems.append(error(
                L.GROUPS, rows.address(row, L.GROUP_TYPE),
                "Gruppen finns inte bland grupptyperna på bladet Koder. Välj i listan eller lägg till den i Koder.",
            ))
            flags.append(L.GROUP_TYPE)
        attendee = choice(rows, row, L.ATTENDEE, attendee, L.ATTENDEE_VALUES, flags)
        if not attendee and group_type in group_types:
            attendee = group_types[group_type].attendee
        start_date = day(rows, row, L.START_DATE, start_date, flags)
        if start_date is None and L.START_DATE not in flags:
            if L.START_DATE not in rows.missing:  # a missing column is reported once, at the header
                reader.problems.append(error(
                    L.GROUPS, rows.address(row, L.START_DATE),
                    "Startdatum saknas. Skriv gruppens första datum som ÅÅÅÅ-MM-DD.",
                ))
            flags.append(L.START_DATE)
        journal = choice(rows, row, L.JOURNAL_AT_END, journal, (L.YES, L.NO), flags)
        groups.append(Group(
            row=row,
            group_id=group_id,
            group_type=group_type,
            attendee=attendee,
            start_date=start_date,
            session_count=integer(rows, row, L.SESSION_COUNT, session_count, flags, 1, L.MAX_SESSIONS),
            max_participants=integer(rows, row, L.MAX_PARTICIPANTS, max_participants, flags, 1, 500),
            group_leader=text(rows, row, L.GROUP_LEADER, leader),
            journal_at_end=journal == L.YES,
            roster_ready=day(rows, row, L.ROSTER_READY, roster_ready, flags),
            booked_in_elvis=day(rows, row, L.BOOKED_IN_ELVIS, booked, flags),
            current=dict(zip(owned, values[10:])),
            has_errors=bool(flags),
            error_columns=frozenset(flags),
        ))
    held = {group_id for group_id, _row, _start, _count in reader.duplicate_rows}
    return tuple(
        replace(group, has_errors=True, error_columns=group.error_columns | {L.GROUP_ID})
        if group.group_id.casefold() in held else group
        for group in groups
    )


_ATTENDANCE_BY_ALIAS = {alias: Attendance(canonical) for alias, canonical in L.ATTENDANCE_ALIASES.items()}


def _attendance(value: object) -> Attendance | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return _ATTENDANCE_BY_ALIAS.get(text.casefold(), Attendance.UNKNOWN) if text else None
    return Attendance.UNKNOWN


# A participant row's values in the order the reader takes them, before the session cells.
_PARTICIPANT_VALUES = (L.PERSONAL_NUMBER, L.NAME, L.GUARDIAN, L.CANCELLED_DATE, L.CANCELLATION_REASON, L.JOURNAL_TEXT)

_PARTICIPANT_COLUMN_BY_FOLDED = {
    name.casefold(): name for name in L.PARTICIPANT_LEADING_COLUMNS + L.PARTICIPANT_TRAILING_COLUMNS
}

_PARTICIPANT_HEADERS = frozenset(
    name.casefold() for name in L.PARTICIPANT_LEADING_COLUMNS + L.PARTICIPANT_TRAILING_COLUMNS
)


def _find_participant_header(grid: SheetGrid) -> int | None:
    """The header row of a group sheet's table: the row with ``Personnummer``, or (when that header
    was renamed) a row with session columns and at least two of the other participant headers."""
    target = L.PERSONAL_NUMBER.casefold()
    for row_index, cells in enumerate(grid.rows[:10], start=1):
        # Headers are text. The row's text cells joined and casefolded (case folding goes character by
        # character) hold the name whenever one of the cells does: most rows are skipped in one step.
        if target not in "\t".join([value for value in cells if isinstance(value, str)]).casefold():
            continue
        if any(isinstance(value, str) and target in value.casefold() and _normalise_header(value) == target
               for value in cells):
            return row_index
    for row_index, cells in enumerate(grid.rows[:10], start=1):
        headers = [_normalise_header(value) for value in cells]
        sessions = sum(1 for header in headers if L.SESSION_COLUMN.match(header.upper()))
        if sessions and sum(1 for header in headers if header in _PARTICIPANT_HEADERS) >= 2:
            return row_index
    return None


def _group_sheet_header(value: object) -> tuple[str, int | None, str | None]:
    """A group sheet's header cell: its text, the session number of ``T<n>``, else the participant
    column it names (``None`` for a header of the user's own)."""
    header = as_text(value)
    match = L.SESSION_COLUMN.match(header.upper())
    if match:
        return header, int(match.group(1)), None
    return header, None, _PARTICIPANT_COLUMN_BY_FOLDED.get(header.casefold()) if header else None


_NO_COLUMNS: frozenset[str] = frozenset()


def _read_group_sheet(reader: _Reader, grid: SheetGrid, reasons: Sequence[str]) -> GroupSheet | None:
    header_row = _find_participant_header(grid)
    if header_row is None:
        return None
    name = grid.name
    columns: dict[str, int] = {}
    session_columns: dict[int, int] = {}
    unknown: dict[str, int] = {}
    kinds = reader.group_sheet_headers
    for column, value in enumerate(grid.rows[header_row - 1], start=1):
        kind = kinds.get(value) if type(value) is str else None
        if kind is None:
            kind = _group_sheet_header(value)
            if type(value) is str:
                kinds[value] = kind
        header, session_number, wanted = kind
        if session_number in session_columns:
            reader.problems.append(warning(
                name, cell_address(header_row, column),
                f"Rubriken {header.upper()} finns två gånger på gruppbladet; den första används.",
            ))
        elif session_number is not None:
            session_columns[session_number] = column
        elif header:
            if wanted is None:
                unknown.setdefault(header, column)
            elif wanted not in columns:  # a second one is left alone
                columns[wanted] = column
    missing = [
        wanted for wanted in L.PARTICIPANT_LEADING_COLUMNS + L.PARTICIPANT_TRAILING_COLUMNS if wanted not in columns
    ]
    reader._report_missing_columns(name, header_row, 1, missing, unknown, "på gruppbladet")
    numbers = sorted(session_columns)
    if numbers != list(range(1, len(numbers) + 1)):
        reader.problems.append(error(
            name, cell_address(header_row, 1),
            "Tillfällenas kolumner ska heta T1, T2, T3 … utan luckor.",
        ))
    all_columns = dict(columns)
    all_columns.update({L.session_column(n): column for n, column in session_columns.items()})
    rows = _Rows(name, header_row, all_columns, range(header_row + 1, len(grid.rows) + 1), grid,
                 missing=frozenset(missing))
    reader.located[f"sheet:{name}"] = rows
    reader._report_merged(grid, rows)

    sessions: list[Session] = []
    previous: date | None = None
    date_cells = grid.rows[header_row - 2] if header_row > 1 else ()
    registered_cells = grid.rows[header_row - 3] if header_row > 2 else ()
    for number in numbers:
        column = session_columns[number]
        date_value = date_cells[column - 1] if column <= len(date_cells) else None
        registered = registered_cells[column - 1] if column <= len(registered_cells) else None
        session_date: date | None = None
        if type(date_value) is date:  # most sessions: as_date would give the value itself
            session_date = date_value
        else:
            try:
                session_date = as_date(date_value)
            except InvalidDate as problem:
                reader.problems.append(error(
                    name, cell_address(header_row - 1, column),
                    f"Datum för T{number}: {problem.message} {session_held(number)}",
                ))
        if session_date is None and is_blank(date_value):
            reader.problems.append(warning(
                name, cell_address(header_row - 1, column),
                f"Datum saknas för tillfälle T{number}. Skriv det som ÅÅÅÅ-MM-DD.",
            ))
        if session_date is not None and previous is not None and session_date <= previous:
            reader.problems.append(error(
                name, cell_address(header_row - 1, column),
                f"Tillfälle T{number} ligger inte efter föregående tillfälle. Kontrollera datumen i rad {header_row - 1}.",
            ))
        previous = session_date or previous
        if type(registered) is not date and not is_blank(registered):
            try:
                registered = as_date(registered)
            except InvalidDate:
                pass  # reported with what Registrering says (_check_registered)
        sessions.append(Session(number=number, date=session_date, registered=registered))

    participants: list[Participant] = []
    seen: dict[str, int] = {}
    labels = tuple(session.column for session in sessions)
    # The sessions still to come (by position): attendance there is reported.
    future = [index for index, session in enumerate(sessions)
              if session.date is not None and session.date > reader.today]
    codes_of, known = reader.attendance_codes, reader.numbers
    text, day = reader.text_of, reader.date_of
    unknown_code = Attendance.UNKNOWN
    # a row's codes at the sessions still to come, in one step (when there are any)
    future_codes = (itemgetter(*future) if len(future) > 1 else itemgetter(slice(future[0], future[0] + 1))
                    if future else None)
    for row, values in rows.records(_PARTICIPANT_VALUES + labels):
        number_value, participant_name, guardian, cancelled, reason, journal_text = values[:6]
        cells = values[6:]
        flags: list[str] = []
        number = known.get(number_value) if type(number_value) is str else None
        if type(number) is not PersonalNumber:  # not a text read before as a valid number
            number = reader.personal_number_of(rows, row, number_value, flags)
        if number is not None:
            if number.digits in seen:
                reader.problems.append(error(
                    name, rows.address(row, L.PERSONAL_NUMBER),
                    f"Deltagaren finns redan på rad {seen[number.digits]} i samma grupp.",
                ))
                flags.append(L.PERSONAL_NUMBER)
            else:
                seen[number.digits] = row
        try:  # a row's cells at once: the few values typed (Deltog, D, …) are each looked up once
            attendance = tuple(map(codes_of.__getitem__, cells))
        except (KeyError, TypeError):  # a value not seen before (or one that cannot be looked up)
            attendance = tuple(map(reader.attendance_code, cells))
        if unknown_code in attendance or future_codes is not None and (
                future_codes(attendance).count(None) != len(future)):  # attendance given for a session to come
            for session, label, value, code in zip(sessions, labels, cells, attendance):
                if code is Attendance.UNKNOWN:
                    detail = f"felvärdet {value.code}" if isinstance(value, CellError) else "ett okänt närvarovärde"
                    reader.problems.append(error(
                        name, rows.address(row, label),
                        f"Cellen har {detail}. Använd Deltog, Uteblev eller Avbokad (eller D, U, A).",
                    ))
                    flags.append(label)
                elif code is not None and session.date is not None and session.date > reader.today:
                    reader.problems.append(warning(
                        name, rows.address(row, label), f"Närvaro är ifylld för T{session.number}, som inte har varit ännu.",
                    ))
        cancelled = None if cancelled == "" else day(rows, row, L.CANCELLED_DATE, cancelled, flags)
        reason = reason.strip() if type(reason) is str else text(rows, row, L.CANCELLATION_REASON, reason)
        if cancelled is not None and not reason:
            reader.problems.append(warning(
                name, rows.address(row, L.CANCELLATION_REASON), "Avbokningsorsak saknas för en avbokad deltagare."
            ))
        elif reason and reasons and reason not in reasons:
            reader.problems.append(warning(
                name, rows.address(row, L.CANCELLATION_REASON),
                "Avbokningsorsaken finns inte i listan på bladet Koder.",
            ))
        participants.append(Participant(  # by position (a row each): row, personnummer, name, guardian, …
            row,
            number,
            participant_name.strip() if type(participant_name) is str else text(rows, row, L.NAME, participant_name),
            guardian.strip() if type(guardian) is str else text(rows, row, L.GUARDIAN, guardian),
            attendance,
            cancelled,
            reason,
            journal_text.strip() if type(journal_text) is str else as_text(journal_text),
            bool(flags),
            frozenset(flags) if flags else _NO_COLUMNS,
        ))
    return GroupSheet(name=name, sessions=tuple(sessions), participants=tuple(participants), header_row=header_row)


_INTEREST_VALUES = (
    L.RECEIVED, L.WISHED_GROUP, L.PERSONAL_NUMBER, L.NAME, L.SENT_BY, L.CARE_GUARANTEE_FROM, L.EXEMPTION,
    L.PLANNING_ENTRY, L.GROUP_ID,
)


def _read_interest(reader: _Reader, group_types: Mapping[str, GroupType]) -> tuple[InterestRegistration, ...]:
    rows = reader.locate(L.INTEREST_TABLE)
    if rows is None:
        return ()
    registrations = []
    text, day, choice = reader.text_of, reader.date_of, reader.choice_of
    owned = L.INTEREST_TABLE.button_owned
    for row, values in rows.records(_INTEREST_VALUES + owned):
        received, wished, number, name, sent_by, guarantee_from, exemption, planning, group_id = values[:9]
        flags: list[str] = []
        received = day(rows, row, L.RECEIVED, received, flags)
        if received is None and not flags:
            if L.RECEIVED not in rows.missing:
                reader.problems.append(error(
                    L.INTEREST, rows.address(row, L.RECEIVED), "Inkom saknas. Skriv datumet som ÅÅÅÅ-MM-DD.",
                ))
            flags.append(L.RECEIVED)
        wished = text(rows, row, L.WISHED_GROUP, wished)
        if wished and group_types and wished not in group_types:
            reader.problems.append(error(
                L.INTEREST, rows.address(row, L.WISHED_GROUP),
                "Önskad grupp finns inte bland grupptyperna på bladet Koder.",
            ))
            flags.append(L.WISHED_GROUP)
        registrations.append(InterestRegistration(
            row=row,
            received=received,
            personal_number=reader.personal_number_of(rows, row, number, flags),
            name=text(rows, row, L.NAME, name),
            wished_group=wished,
            sent_by=choice(rows, row, L.SENT_BY, sent_by, L.SENDER_VALUES, flags),
            care_guarantee_from=day(rows, row, L.CARE_GUARANTEE_FROM, guarantee_from, flags),
            exemption=choice(rows, row, L.EXEMPTION, exemption, L.EXEMPTION_VALUES, flags),
            planning_entry=day(rows, row, L.PLANNING_ENTRY, planning, flags),
            group_id=text(rows, row, L.GROUP_ID, group_id),
            current=dict(zip(owned, values[9:])),
            has_errors=bool(flags),
        ))
    return tuple(registrations)


def session_held(number: int) -> str:
    """What an unreadable session date holds back, in the words of its message."""
    return f"Uppgifterna för tillfälle {number} väntar tills datumet är rättat."


_REGISTRATION_VALUES = (L.EXPORTED, L.GROUP_ID, L.SESSION, L.NAME, L.PERSONAL_NUMBER)


def _read_registration(
    reader: _Reader,
) -> tuple[frozenset[tuple[str, int, str]], frozenset[tuple[str, int, str]], date | None, bool]:
    """The visits already exported, by (GruppID, Tillfälle, personnummer digits) and by (GruppID,
    Tillfälle, name casefolded), the oldest ``Exporterad`` date, and whether the table exists.

    Registrering is written by the button only; a row it cannot read is not counted (it is the
    button's own record, so nothing is reported for it)."""
    rows = reader.locate(L.REGISTRATION_TABLE)
    if rows is None:
        return frozenset(), frozenset(), None, False
    visits, names = set(), set()
    oldest: date | None = None
    numbers = reader.numbers
    for _row, (exported, group_id, session, name, value) in rows.records(_REGISTRATION_VALUES):
        exported = exported if type(exported) is date else _quiet_date(exported)
        if exported is not None and (oldest is None or exported < oldest):
            oldest = exported
        group_id = group_id.strip() if type(group_id) is str else as_text(group_id)
        session = int(session) if type(session) is float and session.is_integer() else _optional_int(session)
        if not group_id or session is None:
            continue
        name = (name.strip() if type(name) is str else as_text(name)).casefold()
        if name:
            names.add((group_id, session, name))
        if type(value) is str and type(number := numbers.get(value)) is PersonalNumber:
            visits.add((group_id, session, number.digits))  # a person read before (on a group sheet)
            continue
        if is_blank(value) or isinstance(value, CellError):
            continue
        try:
            number = reader.parse_number(value)
        except InvalidPersonalNumber:
            continue
        visits.add((group_id, session, number.digits))
    return frozenset(visits), frozenset(names), oldest, True


def _check_registered(
    reader: _Reader, sheets: Mapping[str, GroupSheet], kept_from: date | None,
    *visits: frozenset[tuple[str, int, str]],
) -> None:
    """A ``Registrerad`` mark the button did not write: no visit of that session is in Registrering,
    though Registrering still holds rows from that time (a mark older than its oldest row may simply
    have had its rows cleared by the clinic: that is not reported)."""
    exported = {(group_id, session) for found in visits for group_id, session, _who in found}
    for sheet in sheets.values():
        name = sheet.name
        for session in sheet.sessions:
            registered = session.registered
            is_date = isinstance(registered, date)
            if not is_date and is_blank(registered):
                continue
            in_registration = (name, session.number) in exported
            if is_date and (in_registration or kept_from is not None and registered < kept_from):
                continue  # exported and marked by the button (most sessions), or its rows cleared since
            address = cell_address(sheet.registered_row, reader.located[f"sheet:{name}"].columns[session.column])
            if not in_registration:
                reader.problems.append(warning(
                    name, address,
                    f"{session.column} är markerad som registrerad men finns inte i Registrering. "
                    "Tillfället exporteras inte; töm cellen om besöken ska exporteras.",
                ))
            else:  # and not a date
                reader.problems.append(warning(
                    name, address,
                    "Registrerad ska vara ett datum (fylls i av knappen Exportera registreringslista).",
                ))


def _find_renamed_fixed_sheets(reader: _Reader) -> None:
    """A fixed sheet that is missing while another sheet holds its table or nearly its name."""
    fixed = {name.casefold() for name in L.FIXED_SHEETS}
    others = [name for name in reader.grids if name.casefold() not in fixed]
    claimed: set[str] = set()
    for sheet in L.FIXED_SHEETS:
        if sheet in reader.grids:
            continue
        own_tables = {table.name for table in L.TABLES if table.sheet == sheet}
        if any(reader.tables[name].sheet == sheet for name in own_tables if name in reader.tables):
            continue  # it is there, only not read (the file edge does not read Logg)
        holders = {location.sheet for name, location in reader.tables.items()
                   if name in own_tables and location.sheet in others}
        if not holders:
            holders = {name for name in others if _similar(name, sheet, 0.85)}
        holders -= claimed
        if len(holders) == 1:
            (holder,) = holders
            claimed.add(holder)
            reader.renamed_fixed[sheet] = holder
            reader.problems.append(error(
                holder, "A1", f"Bladet {holder} verkar vara bladet {sheet}: byt tillbaka namnet till {sheet}.",
            ))


def _find_renamed_group_sheets(
    reader: _Reader, groups: tuple[Group, ...], sheets: dict[str, GroupSheet],
    interest: tuple[InterestRegistration, ...],
) -> dict[str, str]:
    """Group sheets renamed by hand, matched to the ``Grupper`` row that has no sheet: by the table the
    sheet was made with or the GruppID in its title, else (when only one fits) by its number of
    sessions, its first date and the children placed in the group."""
    by_id = {group.group_id for group in groups}
    orphans = [name for name in sheets if name not in by_id]
    waiting = [group for group in groups if group.group_id not in sheets]
    if not orphans or not waiting:
        return {}
    renamed: dict[str, str] = {}
    for name in orphans:
        sheet = sheets[name]
        grid = reader.grids[name]
        title = _folded(as_text(grid.value(L.GROUP_SHEET_TITLE_ROW, 1)))
        table_names = {location.name for location in reader.tables.values() if location.sheet == name}
        free = [group for group in waiting if group.group_id not in renamed.values()]
        strong = [
            group for group in free
            if L.group_table_name(group.group_id) in table_names
            or (_folded(group.group_id) and title.endswith(_folded(group.group_id)))  # "ADHD Ung – <GruppID>"
            or _folded(group.group_id) == _folded(name)
        ]
        if len(strong) != 1:
            people = {p.personal_number.digits for p in sheet.participants if p.personal_number is not None}
            first = sheet.sessions[0].date if sheet.sessions else None
            strong = [
                group for group in free
                if group.session_count == len(sheet.sessions) and first is not None and group.start_date == first
                and _placed_match(group, people, interest)
            ] if not strong else []
        if len(strong) == 1:
            renamed[name] = strong[0].group_id
    for name, group_id in renamed.items():
        del sheets[name]
        reader.problems.append(error(
            name, "A1",
            f"Bladet {name} verkar vara gruppen {group_id}: byt tillbaka namnet till {group_id}. "
            "Till dess väntar gruppens uppgifter.",
        ))
    return renamed


def _placed_match(group: Group, people: set[str], interest: tuple[InterestRegistration, ...]) -> bool:
    """True unless children are placed in ``group`` (Intresse) and none of them is on the sheet."""
    placed = {r.personal_number.digits for r in interest if r.group_id == group.group_id and r.personal_number}
    return not placed or bool(placed & people)


_TASK_COLUMNS = (
    L.KEY, L.DUE, L.TASK, L.GROUP_ID, L.SESSION, L.DATE, L.PERSONAL_NUMBER, L.NAME, L.DONE, L.CREATED, L.REMARK,
)


def _read_tasks(reader: _Reader) -> tuple[Task, ...]:
    rows = reader.locate(L.TASKS_TABLE)
    if rows is None:
        return ()
    tasks = []
    text, day = reader.text_of, reader.date_of
    extra_columns = tuple(rows.extra_columns.items())
    grid = rows.grid
    for row, values in rows.records(_TASK_COLUMNS):
        key_value, due, task_text, group_id, session, task_date, number_value, name, done, created, remark = values
        key = key_value.strip() if type(key_value) is str else text(rows, row, L.KEY, key_value)
        if not key:
            continue
        flags: list[str] = []
        if type(number_value) is str and type(found := reader.numbers.get(number_value)) is PersonalNumber:
            number = found  # a person recurs in many rows: parsed once
        else:
            try:
                number = None if is_blank(number_value) else reader.parse_number(number_value)
            except InvalidPersonalNumber:
                number = None
        # In the order of the row's cells, so that problems are listed as before: Förfaller, Uppgift …
        due = due if type(due) is date else day(rows, row, L.DUE, due, flags)
        task_text = task_text.strip() if type(task_text) is str else text(rows, row, L.TASK, task_text)
        group_id = group_id.strip() if type(group_id) is str else text(rows, row, L.GROUP_ID, group_id)
        session = int(session) if type(session) is float and session.is_integer() else _optional_int(session)
        task_date = task_date if type(task_date) is date else day(rows, row, L.DATE, task_date, flags)
        name = name.strip() if type(name) is str else text(rows, row, L.NAME, name)
        created = created if type(created) is date else day(rows, row, L.CREATED, created, flags)
        remark = remark.strip() if type(remark) is str else text(rows, row, L.REMARK, remark)
        tasks.append(Task(
            key=key,
            due=due,
            text=task_text,
            group_id=group_id,
            session=session,
            date=task_date,
            personal_number=number,
            name=name,
            done=done if type(done) is date else None if is_blank(done) else (
                as_text(done) if not isinstance(done, (date, bool)) else done),
            created=created,
            remark=remark,
            extra=tuple((header, grid.value(row, column)) for header, column in extra_columns) if extra_columns else (),
            row=row,
        ))
    from .tasks import duplicate_rows

    reader.problems.extend(duplicate_rows(tasks, lambda row: rows.address(row, L.KEY)))
    return tuple(tasks)


def _read_check_rows(reader: _Reader) -> tuple[tuple[str, ...], ...]:
    rows = reader.locate(L.CHECK_TABLE, required=False)
    if rows is None:
        return ()
    return tuple(
        tuple(as_text(rows.get(row, name)) for name in L.CHECK_TABLE.columns) for row in rows.non_blank_rows()
    )


def _read_statistics_rows(reader: _Reader) -> tuple[dict[str, object], ...]:
    rows = reader.locate(L.STATISTICS_TABLE, required=False)
    if rows is None:
        return ()
    result = []
    for row in rows.non_blank_rows():
        values: dict[str, object] = {}
        for name in L.STATISTICS_TABLE.columns:
            value = rows.get(row, name)
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            values[name] = None if is_blank(value) else value
        result.append(values)
    return tuple(result)


def _quiet_date(value: object) -> date | None:
    try:
        return as_date(value)
    except InvalidDate:
        return None


def _read_archived_statistics(reader: _Reader) -> tuple[dict[str, object], ...]:
    """The Arkivstatistik table (counts of archived groups), when the workbook has it.

    Read only as a real Excel table: it shares its sheet, and most of its headers, with Statistik, so a
    header search could mistake one for the other. Not remembered in ``located`` for the same reason
    (``Workbook.columns`` is per sheet). A count that is not a whole number is reported and left out.
    """
    table = L.ARCHIVED_STATISTICS_TABLE
    location = reader.tables.get(table.name)
    if location is None or location.sheet != table.sheet or table.sheet not in reader.grids:
        return ()
    rows = reader._locate(table, False)
    if rows is None:
        return ()
    counted = table.columns[2:]
    result = []
    for row in rows.non_blank_rows():
        values: dict[str, object] = {
            L.TERM: as_text(rows.get(row, L.TERM)), L.GROUP_TYPE: as_text(rows.get(row, L.GROUP_TYPE)),
        }
        bad = False
        for name in counted:
            try:
                number = as_int(rows.get(row, name))
            except ValueError:
                number = -1
            if number is None:
                number = 0
            if number < 0:
                reader.problems.append(error(
                    table.sheet, rows.address(row, name),
                    f"{name} i tabellen {table.name} ska vara ett heltal; raden räknas inte med i Statistik.",
                ))
                bad = True
            values[name] = number
        if not bad and values[L.TERM]:
            result.append(values)
    return tuple(result)


def _optional_int(value: object) -> int | None:
    try:
        return as_int(value)
    except ValueError:
        return None


def _report_duplicate_ids(reader: _Reader, groups: tuple[Group, ...], sheets: Mapping[str, GroupSheet]) -> set[str]:
    """Every row of a GruppID that several rows have, each saying which rows; the sheets explained."""
    rows = reader.locate(L.GROUPS_TABLE, required=False)
    if rows is None or not reader.duplicate_rows:
        return set()
    by_id = {group.group_id.casefold(): group for group in groups}
    orphans = {name: sheet for name, sheet in sheets.items() if name.casefold() not in by_id}
    explained: set[str] = set()
    clashes: dict[str, list[tuple[int, date | None, int | None]]] = {}
    for group_id, row, start, count in reader.duplicate_rows:
        if group_id not in clashes:
            first = by_id[group_id]
            clashes[group_id] = [(first.row, first.start_date, first.session_count)]
        clashes[group_id].append((row, start, count))
    for group_id, clash in clashes.items():
        shown = by_id[group_id].group_id
        hints: dict[int, str] = {}
        for row, start, count in clash:
            fits = [name for name, sheet in orphans.items() if name not in explained and sheet.sessions
                    and sheet.sessions[0].date == start and start is not None and len(sheet.sessions) == count]
            if len(fits) == 1:
                hints[row] = fits[0]
                explained.add(fits[0])
        for row, _start, _count in clash:
            others = [str(other) for other, _s, _c in clash if other != row]
            message = f"GruppID {shown} finns också på rad {' och '.join(others)}."
            if row in hints:
                message += f" Raden verkar höra till bladet {hints[row]}: skriv {hints[row]} som GruppID."
            elif hints:
                message += " Rätta GruppID på den andra raden."
            else:
                message += (" Ge den rad som är fel ett eget GruppID (det blir gruppbladets namn); "
                            "till dess räknas ingen av raderna om.")
            reader.problems.append(error(L.GROUPS, rows.address(row, L.GROUP_ID), message))
    return explained


def _cross_check(
    reader: _Reader, groups: tuple[Group, ...], sheets: Mapping[str, GroupSheet], renamed: Mapping[str, str],
) -> tuple[Group, ...]:
    """Checks that need both Grupper and the group sheets; a group that fails them is refused."""
    rows = reader.locate(L.GROUPS_TABLE, required=False)
    by_id = {group.group_id: group for group in groups}
    explained = _report_duplicate_ids(reader, groups, sheets)
    for name in sheets:
        if name not in by_id and name not in explained:
            reader.problems.append(error(
                name, "A1", "Gruppbladet har ingen rad i tabellen Grupper. Lägg till gruppen där (GruppID = bladets namn).",
            ))
    renamed_groups = set(renamed.values())
    checked = []
    for group in groups:
        sheet = sheets.get(group.group_id)
        address = (lambda name: rows.address(group.row, name)) if rows else (lambda name: "A1")
        bad = group.has_errors
        columns = set(group.error_columns)
        if sheet is None and group.group_id in renamed_groups:
            pass  # reported once, at the renamed sheet
        elif sheet is None:
            reader.problems.append(warning(
                L.GROUPS, address(L.GROUP_ID), MISSING_GROUP_SHEET_ROW_FIRST if bad else MISSING_GROUP_SHEET,
            ))
        else:
            if group.session_count is not None and group.session_count != len(sheet.sessions):
                reader.problems.append(error(
                    L.GROUPS, address(L.SESSION_COUNT),
                    f"Antal tillfällen är {group.session_count}, men gruppbladet har {len(sheet.sessions)} "
                    "tillfällen (T-kolumner). Rätta det ena så att de stämmer.",
                ))
                bad = True
                columns.add(L.SESSION_COUNT)
            first = sheet.sessions[0].date if sheet.sessions else None
            if group.start_date and first and first != group.start_date:
                reader.problems.append(warning(
                    L.GROUPS, address(L.START_DATE),
                    f"Startdatum skiljer sig från datumet för T1 på gruppbladet ({first.isoformat()}).",
                ))
        if bad == group.has_errors and columns == group.error_columns:
            checked.append(group)  # most groups: nothing found here
        else:
            checked.append(replace(group, has_errors=bad, error_columns=frozenset(columns)))
    return tuple(checked)


def read_workbook(
    grids: Mapping[str, SheetGrid], tables: Mapping[str, TableLocation], *, today: date
) -> Workbook:
    """Read every sheet of the contract into records; problems found on the way are collected.

    Raises ``UnusableWorkbook`` when the file is not a Sofia workbook at all (neither ``Grupper``
    nor ``Inställningar`` exists) or has another layout version.
    """
    if L.GROUPS not in grids and L.SETTINGS not in grids:
        raise UnusableWorkbook(
            "Arbetsboken följer inte Sofia-mallen: bladen Grupper och Inställningar saknas. "
            "Be IT-kontakten om en ny arbetsbok från mallen."
        )
    reader = _Reader(grids, tables, today)
    _find_renamed_fixed_sheets(reader)
    settings = _read_settings(reader)
    group_types, visit_types, reasons = _read_codes(reader)
    groups = _read_groups(reader, group_types)
    group_sheets: dict[str, GroupSheet] = {}
    renamed_fixed = set(reader.renamed_fixed.values())
    for name, grid in grids.items():
        if name in L.FIXED_SHEETS or name in renamed_fixed:
            continue
        sheet = _read_group_sheet(reader, grid, reasons)
        if sheet is not None:
            group_sheets[name] = sheet
    before = len(reader.problems)
    interest = _read_interest(reader, group_types)  # read first: who is placed helps match a renamed sheet …
    interest_problems = reader.problems[before:]
    del reader.problems[before:]
    renamed = _find_renamed_group_sheets(reader, groups, group_sheets, interest)
    groups = _cross_check(reader, groups, group_sheets, renamed)
    reader.problems.extend(interest_problems)  # … but Kontroll lists the groups' problems first
    exported_visits, exported_names, kept_from, registration_read = _read_registration(reader)
    if registration_read:
        _check_registered(reader, group_sheets, kept_from, exported_visits, exported_names)
    tasks = _read_tasks(reader)
    check_rows = _read_check_rows(reader)
    statistics_rows = _read_statistics_rows(reader)
    memory = _read_memory(reader)
    archived_statistics = _read_archived_statistics(reader)
    return Workbook(
        settings=settings,
        group_types=group_types,
        visit_types=visit_types,
        cancellation_reasons=reasons,
        groups=groups,
        group_sheets=group_sheets,
        interest=interest,
        tasks=tasks,
        check_rows=check_rows,
        statistics_rows=statistics_rows,
        archived_statistics=archived_statistics,
        problems=tuple(reader.problems),
        # a renamed fixed sheet is read, but no single cell is written into it until it is renamed back
        columns={rows.sheet: dict(rows.columns) for rows in reader.located.values()
                 if rows is not None and rows.grid.name == rows.sheet},
        groups_readable=_readable(reader, L.GROUPS_TABLE, (L.GROUP_ID,)),
        interest_readable=_readable(reader, L.INTEREST_TABLE, (L.PERSONAL_NUMBER, L.NAME, L.RECEIVED, L.WISHED_GROUP)),
        # a renamed Att göra is read (its tasks are reported) but held: nothing added, changed or marked
        tasks_readable=_readable(reader, L.TASKS_TABLE, (L.KEY, L.DONE)) and L.TASKS not in reader.renamed_fixed,
        memory=memory,
        exported_visits=exported_visits,
        exported_names=exported_names,
        registration_missing=not registration_read,
        registration_kept_from=kept_from,
        renamed_sheets=renamed,
    )


def _readable(reader: _Reader, table: L.Table, identifying: Sequence[str]) -> bool:
    rows = reader.located.get(table.name)
    return rows is not None and all(name in rows.columns for name in identifying)


def _read_memory(reader: _Reader) -> dict[tuple[str, str, str], str]:
    """Knappminne: what the buttons last wrote, keyed by (table, row key, column). Missing in older
    workbooks (contract < 1.2): then buttons fall back to recognising their own values by their form."""
    rows = reader.locate(L.MEMORY_TABLE, required=False)
    if rows is None:
        return {}
    memory: dict[tuple[str, str, str], str] = {}
    for row in rows.non_blank_rows():
        key = tuple(as_text(rows.get(row, name)) for name in (L.MEMORY_TABLE_COLUMN, L.MEMORY_KEY, L.MEMORY_COLUMN))
        memory.setdefault(key, as_text(rows.get(row, L.MEMORY_VALUE)))  # type: ignore[arg-type]
    return memory
