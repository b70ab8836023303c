"""The xlwings edge: reads a live workbook into grids for the parser and applies an ``Outcome`` in bulk.

The mirror image of ``files/reader.py`` + ``files/apply.py``, with no rules of its own. Every sheet is
read in one call; writes are planned completely before the first one and go out as rectangular
blocks, one per family of changed cells with the cells it must not change left alone, so the number
of Excel calls depends on how many sheets and tables a click writes, never on how many rows. Works with any xlwings engine that has the classic API (Excel on
Windows/macOS; the remote engine in the tests).

Privacy: messages and the local error log carry no cell contents. The log records the exception
type and the file/line/function of each stack frame, never exception messages or local variables.
"""

from __future__ import annotations

import enum
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from .domain.records import Record, field

from .diagnostics import describe_exception, log_exception, log_path
from .domain import layout as L
from .domain.cells import CellError, as_text, cell_address, is_blank
from .domain.model import Link, NewGroupSheet, Outcome, PersonalNumber, TableRows
from .domain.parsing import SheetGrid, TableLocation
from .domain.writes import same_value

TITLE = L.WORKBOOK_TITLE

# Excel's error values as xlwings reports them with ``err_to_str=True``.
ERROR_CODES = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
    "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#DATA!", "#PYTHON!",
})
# Text Excel would turn into something else when written as a value: formulas, numbers, dates,
# booleans. Such text is written with Excel's text prefix (an apostrophe that is not part of the value).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_COERCED_TEXT = re.compile(r"^[\s\d.,:;/%()$€£+-]*\d[\s\d.,:;/%()$€£+-]*$|^(?:true|false|sant|falskt)$", re.I)
_PERSONAL_NUMBER_LIKE = re.compile(r"(?<!\d)(\d{6}|\d{8})[-+]?\d{4}(?!\d)")


# -- Swedish text the user sees (no cell contents, no personal data) ---------------------------------
_APPENDED_PREFIX = "nya rader i "  # how an append step is described; a failure after one warns


def _refused_read_only() -> str:
    return ("Arbetsboken är skrivskyddad här, så ändringarna skulle inte kunna sparas. Öppna den för "
            "redigering (till exempel Redigera arbetsbok i Sofia) och klicka igen. Inget har ändrats.")


def _refused_protected(sheets: Sequence[str]) -> str:
    names = ", ".join(sheets)
    return (f"Bladet {names} är skyddat och kan inte skrivas. Ta bort bladskyddet (Granska > Ta bort "
            "skydd för blad) och klicka igen. Inget har ändrats." if len(sheets) == 1 else
            f"Bladen {names} är skyddade och kan inte skrivas. Ta bort bladskyddet (Granska > Ta bort "
            "skydd för blad) och klicka igen. Inget har ändrats.")


def _refused_structure() -> str:
    return ("Arbetsbokens struktur är skyddad, så nya blad kan inte läggas till. Ta bort skyddet "
            "(Granska > Skydda arbetsbok) och klicka igen. Inget har ändrats.")


def _refused_no_template() -> str:
    return (f"Bladet {L.GROUP_TEMPLATE} saknas eller har fel layout, så inga gruppblad kan skapas. "
            "Be IT-kontakten om en ny mall. Inget har ändrats.")


def unexpected_message(error: BaseException, *, written: Sequence[str] = (), remaining: Sequence[str] = ()) -> str:
    """The Swedish message for a failure that is not the user's: what happened, what was written."""
    kind = type(error).__name__
    where = (" Tekniska detaljer står i panelen till höger." if lacks_message_boxes() else
             f" Tekniska detaljer finns i {log_path()}.")
    if not written:
        return (f"Ett oväntat fel inträffade ({kind}). Inget har ändrats i arbetsboken.{where} "
                "Kontakta IT-kontakten och berätta vilken knapp du klickade på.")
    text = (f"Ett fel inträffade medan resultatet skrevs ({kind}). Detta hann skrivas: {'; '.join(written)}. "
            f"Detta skrevs inte: {'; '.join(remaining) or 'inget'}.")
    appended = [step[len(_APPENDED_PREFIX):].split(" (")[0] for step in written if step.startswith(_APPENDED_PREFIX)]
    # Att göra's rows are keyed and Logg/Knappminne are the buttons' own: a second click adds no duplicates there.
    appended = [sheet for sheet in appended if sheet not in (L.LOG, L.TASKS, L.MEMORY)]
    if appended:
        tables = " och ".join(appended)
        text += (f" Obs: de nya raderna i {tables} är redan tillagda; om du klickar igen kan de komma med två "
                 f"gånger. Titta i {tables} först.")
    return text + where + " Kontakta IT-kontakten om felet kommer igen."


class Refused(Exception):
    """The workbook cannot be written as it is (protected, read-only); ``str()`` is the Swedish reason."""


# -- reading ----------------------------------------------------------------------------------------
def _cell(value: object) -> object:
    if isinstance(value, str) and value in ERROR_CODES:
        return CellError(value)
    return value


def _as_rows(values: object) -> list[list[object]]:
    if not isinstance(values, list):
        return [[values]]
    return [row if isinstance(row, list) else [row] for row in values]


def read_sheet(sheet) -> SheetGrid:
    """One sheet as a grid from A1: a single read of its used range (padded when it starts later).
    Visibility is asked of the contract's sheets only, as on the COM path: a group sheet's is used by
    nothing, and counts as shown."""
    used = sheet.used_range
    top, left = used.row, used.column
    rows = _as_rows(used.options(ndim=2, err_to_str=True).value)
    grid = [[None] * (left - 1) + [_cell(value) for value in row] for row in rows]
    if top > 1:
        grid = [[] for _ in range(top - 1)] + grid
    while grid and all(is_blank(value) for value in grid[-1]):
        grid.pop()  # an empty sheet reports A1 as its used range
    name = sheet.name
    return SheetGrid(name, grid, (), _is_visible(sheet) if name in _FIXED_SHEETS else True)


def _is_visible(sheet) -> bool:
    """Whether the sheet is shown; older Office.js clients send no visibility (xlwings then raises
    KeyError), and such a sheet counts as shown: only Gruppmall is hidden, and nothing depends on it."""
    try:
        return bool(sheet.visible)
    except KeyError:
        return True


def _address_box(address: str) -> tuple[int, int, int, int]:
    """``$A$4:$K$9`` → (first row, first column, last row, last column), 1-based."""
    cells = address.replace("$", "").split("!")[-1].split(":")
    first = _split_cell(cells[0])
    last = _split_cell(cells[-1])
    return first[0], first[1], last[0], last[1]


def _split_cell(cell: str) -> tuple[int, int]:
    match = re.fullmatch(r"([A-Za-z]{1,3})(\d+)", cell)
    if match is None:
        raise ValueError("not a cell address")
    column = 0
    for char in match.group(1).upper():
        column = column * 26 + ord(char) - 64
    return int(match.group(2)), column


# The sheets whose Excel tables are read: those of the workbook contract's tables. A group sheet's own
# table is not (the parser reads a group sheet from its header row and no write resizes it), which
# saves a handful of Excel calls per group sheet.
_TABLE_SHEETS = frozenset(table.sheet for table in L.TABLES)
_FIXED_SHEETS = frozenset(L.FIXED_SHEETS)


def read_book(book) -> tuple[dict[str, SheetGrid], dict[str, TableLocation]]:
    """Every worksheet as a grid and the contract's Excel tables' locations.

    Through the engine's own objects where that is cheapest (``_read_book_native``): xlwings Lite and
    the remote engine hold the whole workbook as JSON already, and on Windows the COM objects answer
    a sheet's name, used range and values in a few calls, where xlwings' API adds its own bookkeeping
    calls per access. Any surprise there falls back to the portable xlwings API below.
    """
    native = _read_book_native(book)
    if native is not None:
        return native
    grids: dict[str, SheetGrid] = {}
    tables: dict[str, TableLocation] = {}
    for sheet in book.sheets:
        grid = read_sheet(sheet)
        grids[grid.name] = grid
        if grid.name not in _TABLE_SHEETS:
            continue
        for table in sheet.tables:
            table_range = table.range
            if table_range is None:
                continue
            _add_table(tables, grid, table.name, table_range.address)
    return grids, tables


def _add_table(tables: dict[str, TableLocation], grid: SheetGrid, name: str, address: str) -> None:
    first_row, first_column, last_row, last_column = _address_box(address)
    headers = tuple(as_text(grid.value(first_row, column)) for column in range(first_column, last_column + 1))
    tables[name] = TableLocation(
        name=name, sheet=grid.name, header_row=first_row, first_column=first_column,
        last_row=last_row, columns=headers,
    )


def _grid(name: str, values: object, top: int, left: int, visible: bool) -> SheetGrid:
    """A sheet's grid from A1, from the cleaned values of its used range starting at (top, left)."""
    rows = _as_rows(values)
    grid = [[None] * (left - 1) + [_cell(value) for value in row] for row in rows]
    if top > 1:
        grid = [[] for _ in range(top - 1)] + grid
    while grid and all(is_blank(value) for value in grid[-1]):
        grid.pop()  # an empty sheet reports A1 as its used range
    return SheetGrid(name, grid, (), visible)


def _read_book_native(book) -> tuple[dict[str, SheetGrid], dict[str, TableLocation]] | None:
    """``read_book`` through the engine's native objects, or None (then the portable path runs)."""
    try:
        impl = getattr(book, "impl", None)
        module = type(impl).__module__
        if module.endswith("_xlremote"):
            return _read_remote(book.api, book.app.engine.impl.clean_value_data)
        if module.endswith("_xlwindows"):
            return _read_com(book.api, book.app.engine.impl.clean_value_data, _com_wrapper(sys.modules[module]))
    except Exception:  # an engine that behaves unexpectedly: the portable path reads the same
        return None
    return None


def _read_remote(api: Mapping, clean) -> tuple[dict[str, SheetGrid], dict[str, TableLocation]] | None:
    """The remote engine (xlwings Lite, and the tests): the Office.js client sent the whole workbook
    as JSON (``book.api``), so reading it costs no call into Excel; values are cleaned by the engine's
    own function, as ``Range.options(ndim=2, err_to_str=True).value`` would. Sheets without values
    (an asynchronous book) or a shape this code does not know fall back to the portable path."""
    import datetime as dt

    grids: dict[str, SheetGrid] = {}
    tables: dict[str, TableLocation] = {}
    for sheet in api["sheets"]:
        values = sheet.get("values")
        if not isinstance(values, list):
            return None
        name = sheet["name"]
        address = sheet.get("used_range_address")
        if address:  # the values are anchored at A1; the used range may start later
            top, left, bottom, right = _address_box(address)
            used = [row[left - 1:right] for row in values[top - 1:bottom]]
        else:  # an empty sheet (None), or an older client that sends no address: the values as they are
            top, left, used = 1, 1, values
        cleaned = clean(used, dt.datetime, None, None, True) if used else [[None]]
        grid = _grid(name, cleaned, top, left, sheet.get("visibility", "Visible") == "Visible")
        grids[name] = grid
        if name in _TABLE_SHEETS:
            for table in sheet.get("tables") or ():
                if table.get("range_address"):
                    _add_table(tables, grid, table["name"], table["range_address"])
    return grids, tables


_COM_VISIBLE = -1  # xlSheetVisible
_COM_BATCH = 256  # items asked of a COM enumerator per call: every sheet of a workbook in one


def _read_com(api, clean, wrap: Callable[[object], object] = lambda item: item
              ) -> tuple[dict[str, SheetGrid], dict[str, TableLocation]]:
    """Desktop Excel on Windows, through its COM objects (pywin32), three calls per sheet: the used
    range, its external address (``[Bok.xlsx]Blad!$A$1:$K$20``: the sheet's name and the range's place
    in one answer) and its values. The sheets themselves come from the collection's enumerator, many
    per call (``_com_items``). Visibility and ListObjects are asked only of the contract's sheets (a
    group sheet's are used by nothing). Values are cleaned by xlwings' own function for COM (dates,
    error codes), as ``Range.options(...).value`` would. ``wrap`` makes an enumerated item like the
    objects xlwings hands out (``_com_wrapper``)."""
    import datetime as dt

    grids: dict[str, SheetGrid] = {}
    tables: dict[str, TableLocation] = {}
    for sheet in _com_items(api.Worksheets, wrap):
        used = sheet.UsedRange
        name, address = _split_external(str(used.GetAddress(True, True, 1, True)))
        top, left = _address_box(address)[:2]
        raw = used.Value
        values = [list(row) for row in raw] if isinstance(raw, tuple) else [[raw]]
        visible = sheet.Visible == _COM_VISIBLE if name in _FIXED_SHEETS else True
        grid = _grid(name, clean(values, dt.datetime, None, None, True), top, left, visible)
        grids[name] = grid
        if name in _TABLE_SHEETS:
            for table in _com_items(sheet.ListObjects, wrap):
                _add_table(tables, grid, str(table.Name), str(table.Range.Address))
    return grids, tables


def _com_items(collection, wrap: Callable[[object], object]) -> list:
    """Every item of a COM collection, up to ``_COM_BATCH`` per call: its enumerator's ``Next(n)`` is one
    ``IEnumVARIANT::Next`` that returns up to n items, fewer only at the end; iterating the collection
    costs one ``Next(1)`` per item. Without an enumerator (pywin32's ``_NewEnum`` then returns None), or
    when it fails (it has no retry wrapper: a call Excel rejects while busy fails), the collection is
    iterated as before, through xlwings' retries; nothing is written, so starting over is safe."""
    # pywin32, win32com/client: dynamic.py CDispatch._NewEnum → util.py WrapEnum/EnumVARIANT.Next (items wrapped).
    try:
        enumerator = collection._NewEnum()
        items: list = []
        while True:
            batch = enumerator.Next(_COM_BATCH)
            items.extend(batch)
            if len(batch) < _COM_BATCH:
                return [wrap(item) for item in items]
    except Exception:  # no enumerator, or one that behaves unexpectedly: one step per item
        return list(collection)


def _com_wrapper(xlwindows) -> Callable[[object], object]:
    """An enumerated COM item as xlwings hands its objects out (``COMRetryObjectWrapper.__iter__``): a
    pywin32 Dispatch object (``EnumVARIANT.Next`` wraps already; a bare PyIDispatch is wrapped here)
    inside xlwings' ``COMRetryObjectWrapper``, which retries a call that Excel rejects while busy."""
    from win32com.client import Dispatch  # pywin32: only where xlwings' COM engine runs

    dispatch = (xlwindows.CDispatch, xlwindows.CoClassBaseClass, xlwindows.DispatchBaseClass)
    retry = xlwindows.COMRetryObjectWrapper
    return lambda item: retry(item if isinstance(item, dispatch) else Dispatch(item))


def _split_external(text: str) -> tuple[str, str]:
    """``'[Bok 1.xlsx]Grupp''s'!$A$1:$K$9`` → (``Grupp's``, ``$A$1:$K$9``). Sheet names cannot hold
    ``]``, so the sheet's name is what follows the last one."""
    reference, cells = text.rsplit("!", 1)
    if reference.startswith("'") and reference.endswith("'"):
        reference = reference[1:-1].replace("''", "'")
    return reference[reference.rindex("]") + 1:] if "]" in reference else reference, cells


# -- planning the writes ----------------------------------------------------------------------------
def excel_value(value: object) -> object:
    """A value as it goes into a cell: personnummer and enums as text, text that Excel would reinterpret
    (a formula, a number, a date, TRUE) with the text prefix; a ``Link`` as its HYPERLINK formula (the
    only formula a button writes)."""
    if isinstance(value, Link):
        return value.formula
    if isinstance(value, PersonalNumber):
        value = str(value)
    elif isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, str):
        if value == "":
            return None
        if value.startswith(_FORMULA_PREFIXES) or _COERCED_TEXT.match(value):
            return "'" + value
    return value


def plan_blocks(cells: Mapping[tuple[int, int], object]) -> list[tuple[int, int, list[list[object]]]]:
    """Rectangles of cells, as (top row, left column, 2-D values), that together cover exactly ``cells``.

    Changed cells next to each other in a row form a run; runs with the same columns in consecutive
    rows form one rectangle. A column filled from top to bottom is one block whatever its length.
    """
    runs: dict[int, list[list[int]]] = {}
    for row, column in sorted(cells):
        row_runs = runs.setdefault(row, [])
        if row_runs and row_runs[-1][1] == column - 1:
            row_runs[-1][1] = column
        else:
            row_runs.append([column, column])
    rectangles: list[list[int]] = []  # [top, bottom, left, right]
    open_by_span: dict[tuple[int, int], list[int]] = {}
    for row in sorted(runs):
        still_open: dict[tuple[int, int], list[int]] = {}
        for left, right in runs[row]:
            rectangle = open_by_span.get((left, right))
            if rectangle is not None and rectangle[1] == row - 1:
                rectangle[1] = row
            else:
                rectangle = [row, row, left, right]
                rectangles.append(rectangle)
            still_open[(left, right)] = rectangle
        open_by_span = still_open
    return [
        (top, left, [[cells[(row, column)] for column in range(left, right + 1)] for row in range(top, bottom + 1)])
        for top, bottom, left, right in rectangles
    ]


class _Leave:
    """A cell inside a write rectangle that must keep what it holds: a person's, or not the click's."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "LEAVE"


LEAVE = _Leave()


class Block(Record):
    """One rectangle to write: values from (top, left), ``LEAVE`` where a cell must keep what it
    holds, and ``fill``: cells left alone that are the button's own and unchanged, which an engine that
    cannot leave a cell inside a rectangle alone may rewrite with the snapshot's value instead."""

    top: int
    left: int
    values: list[list[object]]
    fill: Mapping[tuple[int, int], object] = field(default_factory=dict)

    @property
    def bottom(self) -> int:
        return self.top + len(self.values) - 1

    @property
    def right(self) -> int:
        return self.left + len(self.values[0]) - 1

    def cells(self) -> dict[tuple[int, int], object]:
        """The cells this block changes, by (row, column)."""
        return {(self.top + r, self.left + c): value for r, row in enumerate(self.values)
                for c, value in enumerate(row) if value is not LEAVE}


class _Writer:
    """A click's writes through the cheapest path its engine has, each sheet's object taken once.

    - The remote engine (xlwings Lite, and the tests): a rectangle is one ``setValues`` action whatever
      it holds; a ``LEAVE`` cell goes out as ``null``, which Office.js leaves unchanged ("Use null in
      2-D arrays to leave specific cells unchanged", learn.microsoft.com, *Blank and null values in
      Excel add-ins*). Values are prepared with the engine's own function, as ``Range.value`` would.
    - Any other engine (COM, macOS): COM has no such value, so a rectangle is split into the fewest
      rectangles that avoid its ``LEAVE`` cells, the button's own unchanged cells (``fill``) rewritten
      with the snapshot's value, each written through the xlwings API.
    """

    def __init__(self, book) -> None:
        self.book = book
        self._sheets: dict[str, object] = {}
        impl = getattr(book, "impl", None)
        self.leaves_cells = type(impl).__module__.endswith("_xlremote")
        self._prepare = None
        if self.leaves_cells:
            prepare = book.app.engine.impl.prepare_xl_data_element
            self._prepare = lambda value: "" if value is None else prepare(value, {})

    def sheet(self, name: str):
        sheet = self._sheets.get(name)
        if sheet is None:
            sheet = self._sheets[name] = self.book.sheets[name]
        return sheet

    def remember(self, name: str, sheet) -> None:
        """A sheet this click created, so it is not looked up by name again."""
        self._sheets[name] = sheet

    def pieces(self, block: Block) -> list[tuple[int, int, list[list[object]]]]:
        """(top, left, values) of the writes ``block`` becomes on this engine; values without ``LEAVE``."""
        if self.leaves_cells:
            return [(block.top, block.left, block.values)]
        cells = {**block.fill, **block.cells()}
        return plan_blocks(cells)

    def written(self, block: Block) -> dict[tuple[int, int], object]:
        """The cells ``block`` writes on this engine: its changes, and the fill where the engine needs it."""
        return block.cells() if self.leaves_cells else {**block.fill, **block.cells()}

    def write(self, sheet: str, block: Block) -> None:
        target = self.sheet(sheet)
        if self.leaves_cells:
            prepare = self._prepare
            values = [[None if value is LEAVE else prepare(value) for value in row] for row in block.values]
            target.range((block.top, block.left), (block.bottom, block.right)).raw_value = values
            return
        for top, left, values in self.pieces(block):
            target.range((top, left)).value = values

    def clear(self, sheet: str, top: int, left: int, bottom: int, right: int) -> None:
        self.sheet(sheet).range((top, left), (bottom, right)).clear_contents()

    def resize(self, sheet: str, table: str, address: str) -> None:
        target = self.sheet(sheet)
        target.tables[table].resize(target.range(address))


class _Step(Record, frozen=False):
    """One bulk write: a Swedish description without personal data, and the call that does it."""

    description: str
    run: Callable[[], None]


class _Plan(Record, frozen=False):
    steps: list[_Step] = field(default_factory=list)
    sheets: set[str] = field(default_factory=set)  # existing sheets that get written
    # Per sheet, the cells a click writes that a person could also have typed into meanwhile, with
    # what the snapshot read there: they must still hold it when the writes begin.
    checks: dict[str, list[Block]] = field(default_factory=dict)

    def check(self, sheet: str, block: Block) -> None:
        self.checks.setdefault(sheet, []).append(block)

    def add(self, description: str, run: Callable[[], None], sheet: str | None = None) -> None:
        self.steps.append(_Step(description, run))
        if sheet is not None:
            self.sheets.add(sheet)


def _last_used_row(grid: SheetGrid, location: TableLocation) -> int:
    """The last body row with any value in the table's columns (the header row when there is none)."""
    columns = range(location.first_column, location.first_column + len(location.columns))
    for row in range(min(location.last_row, len(grid.rows)), location.header_row, -1):
        if any(not is_blank(grid.value(row, column)) for column in columns):
            return row
    return location.header_row


def _header_key(header: object) -> str:
    return " ".join(as_text(header).split()).casefold()


def _table_body(rows: Sequence[Mapping[str, object]], headers: Sequence[str]) -> list[list[object]]:
    """Rows' values in the table's own column order; headers match as the parser matches them.

    The match is worked out once per set of row keys (all rows of a table share one, or a few when
    a user added columns), not once per row: ten years of Att göra rows are 100 000 cells.
    """
    wanted = [_header_key(header) for header in headers]
    orders: dict[tuple[str, ...], list[str | None]] = {}
    body = []
    for row in rows:
        names = tuple(row)
        order = orders.get(names)
        if order is None:
            by_header = {_header_key(name): name for name in names}
            order = orders[names] = [by_header.get(key) for key in wanted]
        body.append([excel_value(None if name is None else row[name]) for name in order])
    return body


def _plan_table(plan: _Plan, writer: _Writer, grids: Mapping[str, SheetGrid], tables: Mapping[str, TableLocation],
                rows: TableRows) -> None:
    location = tables.get(rows.table)
    if location is None or location.sheet not in grids:
        return  # the parser has reported the missing table; the file edge skips it too
    sheet, header, first = location.sheet, location.header_row, location.first_column
    width = len(location.columns)
    last_column = first + width - 1
    body = _table_body(rows.rows, location.columns)
    if rows.append:
        start = _last_used_row(grids[sheet], location) + 1
        new_last = max(location.last_row, start + len(body) - 1)
        description = f"{_APPENDED_PREFIX}{sheet} ({len(body)})"
    else:
        start = header + 1
        new_last = header + max(1, len(body))
        description = f"bladet {sheet} ({len(body)} rader)"
    block = Block(start, first, body) if body else None

    def run() -> None:
        if block is not None:
            writer.write(sheet, block)
        if not rows.append and start + len(body) <= location.last_row:
            writer.clear(sheet, start + len(body), first, location.last_row, last_column)
        if new_last != location.last_row:
            writer.resize(sheet, rows.table, f"{cell_address(header, first)}:{cell_address(new_last, last_column)}")

    if body or new_last != location.last_row or not rows.append:
        plan.add(description, run, sheet)
        if rows.append and block is not None and rows.table not in _UNCHECKED_TABLES:
            plan.check(sheet, block)


# Tables whose cells only buttons write, so nobody's typing can be lost there: not re-read before writing.
_UNCHECKED_TABLES = frozenset({L.CHECK_TABLE.name, L.STATISTICS_TABLE.name, L.LOG_TABLE.name, L.MEMORY_TABLE.name})
# Per table sheet, the columns a button owns: a click writes them as whole blocks (see _plan_writes).
_OWNED_COLUMNS = {table.sheet: frozenset(table.button_owned) for table in L.TABLES if table.button_owned}


def _runs(numbers: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted column numbers as runs of neighbours: [2, 3, 4, 7] → [(2, 4), (7, 7)]."""
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and runs[-1][1] == number - 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return [(first, last) for first, last in runs]


def _blocks(
    cells: Mapping[tuple[int, int], object], families: Mapping[tuple[int, int], tuple],
    grid: SheetGrid | None, fixed: set[tuple[int, int]],
) -> list[Block]:
    """The writes of one sheet as rectangles whose number does not depend on the rows.

    Cells of one *family* go out as one rectangle from the first to the last changed cell: a run of
    neighbouring button-owned columns of a table, the Registrerad row of a group sheet, or else one
    column (a Journaltext column, whose filled cells are a person's). Inside it every cell the click
    does not change is ``LEAVE``. Those of a table's button-owned run or the Registrerad row are also
    offered as ``fill`` (the snapshot's value), so that an engine that cannot leave a cell alone
    still writes few rectangles — except a cell a person typed into (``fixed``) or an error value,
    which nothing rewrites.
    """
    grouped: dict[tuple, dict[tuple[int, int], object]] = {}
    for cell, value in cells.items():
        grouped.setdefault(families.get(cell, ("column", cell[1])), {})[cell] = value
    blocks = []
    for family, members in grouped.items():
        rows = [row for row, _ in members]
        columns = [column for _, column in members]
        top, bottom, left, right = min(rows), max(rows), min(columns), max(columns)
        values: list[list[object]] = []
        fill: dict[tuple[int, int], object] = {}
        for row in range(top, bottom + 1):
            line: list[object] = []
            for column in range(left, right + 1):
                cell = (row, column)
                if cell in members:
                    line.append(members[cell])
                    continue
                line.append(LEAVE)
                if family[0] != "column" and grid is not None and cell not in fixed:
                    held = grid.value(row, column)
                    if not isinstance(held, CellError):
                        fill[cell] = excel_value(held)
            values.append(line)
        blocks.append(Block(top, left, values, fill))
    return blocks


def _plan_writes(plan: _Plan, writer: _Writer, outcome: Outcome, columns: Mapping[str, Mapping[str, int]],
                 grids: Mapping[str, SheetGrid]) -> None:
    per_sheet: dict[str, dict[tuple[int, int], object]] = {}
    families: dict[str, dict[tuple[int, int], tuple]] = {}
    for write in outcome.writes:
        headers = columns.get(write.sheet, {})
        column = headers.get(write.column)
        if column is None:
            continue  # a missing column is reported by the parser; the file edge skips it too
        cell = (write.row, column)
        per_sheet.setdefault(write.sheet, {})[cell] = excel_value(write.value)
        owned = _OWNED_COLUMNS.get(write.sheet)
        if owned is not None and write.column in owned:
            for left, right in _runs([headers[name] for name in owned if name in headers]):
                if left <= column <= right:
                    families.setdefault(write.sheet, {})[cell] = ("run", left, right)
        elif owned is None and L.SESSION_COLUMN.match(write.column):
            families.setdefault(write.sheet, {})[cell] = ("row", write.row)  # Registrerad on a group sheet
    fixed: dict[str, set[tuple[int, int]]] = {}
    for sheet, row, header in outcome.kept:
        column = columns.get(sheet, {}).get(header)
        if column is not None:
            fixed.setdefault(sheet, set()).add((row, column))
    for sheet, cells in per_sheet.items():
        for block in _blocks(cells, families.get(sheet, {}), grids.get(sheet), fixed.get(sheet, set())):
            count = len(block.cells())
            plan.add(
                f"{sheet}: {count} {'cell' if count == 1 else 'celler'}",
                lambda block=block, sheet=sheet: writer.write(sheet, block),
                sheet,
            )
            if sheet in grids:
                plan.check(sheet, block)


def _changed_meanwhile(writer: _Writer, grids: Mapping[str, SheetGrid], checks: Mapping[str, Sequence[Block]]
                       ) -> tuple[str, str] | None:
    """(sheet, cell) of the first cell the click is about to write that no longer holds what the
    snapshot read — someone typed there (or sorted the table) while the click ran. One read per sheet,
    of the rectangle around the cells this engine will write (a ``LEAVE`` cell is not one of them)."""
    for sheet, blocks in checks.items():
        grid = grids[sheet]
        cells: dict[tuple[int, int], object] = {}
        for block in blocks:
            cells.update(writer.written(block))
        if not cells:
            continue
        top, left = min(row for row, _ in cells), min(column for _, column in cells)
        bottom, right = max(row for row, _ in cells), max(column for _, column in cells)
        live = _as_rows(writer.sheet(sheet).range((top, left), (bottom, right)).options(ndim=2, err_to_str=True).value)
        for row, column in sorted(cells):
            line = live[row - top] if row - top < len(live) else []
            now = _cell(line[column - left]) if column - left < len(line) else None
            if not same_value(now, grid.value(row, column)):
                return sheet, cell_address(row, column)
    return None


def _refused_changed(sheet: str, cell: str) -> str:
    return (f"Någon ändrade på bladet {sheet} (till exempel i cell {cell}) medan knappen arbetade. Knappen har "
            "därför inte skrivit något, så det som ändrades finns kvar. Klicka på knappen igen.")


def _template_columns(grid: SheetGrid) -> tuple[int, int] | None:
    """(first session column, number of session columns) of ``Gruppmall``'s participant header."""
    header = grid.rows[L.GROUP_SHEET_HEADER_ROW - 1] if len(grid.rows) >= L.GROUP_SHEET_HEADER_ROW else []
    sessions = [column for column, value in enumerate(header, start=1) if L.SESSION_COLUMN.match(as_text(value))]
    if not sessions or sessions != list(range(sessions[0], sessions[0] + len(sessions))):
        return None
    return sessions[0], len(sessions)


def _column_letters(column: int) -> str:
    return re.sub(r"\d", "", cell_address(1, column))


# -- what xlwings Lite's client may lack ----------------------------------------------------------------
LITE_TABLE_STYLE = "TableStyleLight9"  # the template's table style, as Office.js names it


def lacks_message_boxes() -> bool:
    """xlwings Lite (Pyodide): ``App.alert`` is not supported in Wasm mode; messages are printed to
    Lite's task pane instead (and the summary is in Status)."""
    return sys.platform == "emscripten"


def lacks_sheet_copy() -> bool:
    """xlwings Lite (Pyodide): the Office.js client may have no handler for copying or hiding sheets
    (the public client has none), so a new group sheet is added and filled with basic actions only."""
    return sys.platform == "emscripten"


def lacks_local_files() -> bool:
    """xlwings Lite (Pyodide): the browser's Python cannot save a file on the PC (the archive file)."""
    return sys.platform == "emscripten"


def new_sheet_note() -> str:
    """Said after Ny grupp when the sheet was built without copying Gruppmall."""
    return ("Det nya gruppbladet har rubriker, datum och tabell men inte listrutor och färger för "
            "närvaro. Skriv Deltog, Uteblev eller Avbokad (eller D, U, A); Kontrollera visar felskrivningar.")


def _plan_added_sheets(plan: _Plan, writer: _Writer, grids: Mapping[str, SheetGrid], sheets: Sequence[NewGroupSheet]) -> None:
    """New group sheets from actions every Office.js client has (addSheet, setValues, addTable)."""
    names = list(grids)
    fixed = set(L.FIXED_SHEETS)
    anchor = max((index for index, name in enumerate(names) if name == L.GROUPS or name not in fixed), default=None)
    after = [names[anchor] if anchor is not None else names[-1]]
    leading = len(L.PARTICIPANT_LEADING_COLUMNS)
    for new in sheets:
        sessions = len(new.session_dates)
        columns = L.participant_columns(sessions)
        top = [[None] * len(columns) for _ in range(L.GROUP_SHEET_HEADER_ROW - 1)]
        top[L.GROUP_SHEET_TITLE_ROW - 1][0] = excel_value(new.title)
        top[L.GROUP_SHEET_REGISTERED_ROW - 1][leading - 1] = L.GROUP_SHEET_REGISTERED_LABEL
        top[L.GROUP_SHEET_DATE_ROW - 1][leading - 1] = L.GROUP_SHEET_DATE_LABEL
        for index, session_date in enumerate(new.session_dates):
            top[L.GROUP_SHEET_DATE_ROW - 1][leading + index] = session_date
        rows = [*top, list(columns)]

        def create(new: NewGroupSheet = new) -> None:
            writer.remember(new.name, writer.book.sheets.add(name=new.name, after=writer.sheet(after[0])))
            after[0] = new.name

        def fill(new: NewGroupSheet = new, rows: list[list[object]] = rows, width: int = len(columns)) -> None:
            created = writer.sheet(new.name)
            created.range((1, 1)).value = rows
            header = L.GROUP_SHEET_HEADER_ROW
            created.tables.add(source=created.range((header, 1), (header + 1, width)), name=L.group_table_name(new.name),
                               has_headers=True, table_style_name=LITE_TABLE_STYLE)

        plan.add(f"nytt gruppblad {new.name}", create)
        plan.add(f"gruppbladet {new.name}: rubrik, datum och {sessions} tillfällen", fill)


def _plan_new_sheets(plan: _Plan, writer: _Writer, grids: Mapping[str, SheetGrid],
                     sheets: Sequence[NewGroupSheet]) -> None:
    if lacks_sheet_copy():
        _plan_added_sheets(plan, writer, grids, sheets)
        return
    template = grids.get(L.GROUP_TEMPLATE)
    layout = _template_columns(template) if template is not None else None
    if layout is None:
        raise Refused(_refused_no_template())
    first_session, count = layout
    names = list(grids)
    fixed = set(L.FIXED_SHEETS)
    anchor = max((index for index, name in enumerate(names) if name == L.GROUPS or name not in fixed), default=None)
    after = [names[anchor] if anchor is not None else names[-1]]
    for new in sheets:
        sessions = len(new.session_dates)

        def create(new: NewGroupSheet = new) -> None:
            source = writer.sheet(L.GROUP_TEMPLATE)
            created = source.copy(after=writer.sheet(after[0]), name=new.name)
            writer.remember(new.name, created)
            after[0] = new.name
            created.visible = True

        def fill(new: NewGroupSheet = new, sessions: int = sessions) -> None:
            created = writer.sheet(new.name)
            created.range((L.GROUP_SHEET_TITLE_ROW, 1)).value = new.title
            if sessions:
                created.range((L.GROUP_SHEET_DATE_ROW, first_session)).value = [list(new.session_dates)]
            if sessions < count:
                first = _column_letters(first_session + sessions)
                last = _column_letters(first_session + count - 1)
                created.range(f"{first}:{last}").delete(shift="left")
            created.tables[0].name = L.group_table_name(new.name)

        plan.add(f"nytt gruppblad {new.name} (kopia av {L.GROUP_TEMPLATE})", create)
        plan.add(f"gruppbladet {new.name}: rubrik, datum och {sessions} tillfällen", fill)


def _status_range(book):
    try:
        return book.names[L.STATUS_NAME].refers_to_range
    except Exception:  # no such name, or a name that is not one range: the run still completes
        return None


def _plan_status(plan: _Plan, book, grids: Mapping[str, SheetGrid], summary: str) -> None:
    target = _status_range(book)
    if target is None:
        return
    sheet = target.sheet.name
    grid = grids.get(sheet)
    if grid is not None and as_text(grid.value(target.row, target.column)) == summary:
        return
    plan.add("Status", lambda: setattr(target, "value", excel_value(summary)), sheet)


def scrub(text: str) -> str:
    """Status and Logg text with anything shaped like a personnummer masked (a second line of defence)."""
    return _PERSONAL_NUMBER_LIKE.sub(lambda match: match.group(1) + "-****", text)


# -- refusing before writing ------------------------------------------------------------------------
def _flag(obj, windows: str, mac: str) -> bool | None:
    """A boolean property of the native object (COM on Windows, appscript on macOS); None = cannot tell."""
    api = getattr(obj, "api", None)
    try:
        return bool(getattr(api, windows))
    except Exception:
        pass
    try:
        return bool(getattr(api, mac).get())
    except Exception:
        return None


def is_read_only(book) -> bool | None:
    return _flag(book, "ReadOnly", "read_only")


def is_structure_protected(book) -> bool | None:
    return _flag(book, "ProtectStructure", "protect_structure")


def is_sheet_protected(sheet) -> bool | None:
    return _flag(sheet, "ProtectContents", "protect_contents")


def _check_writable(writer: _Writer, sheets: set[str], new_sheets: bool) -> None:
    book = writer.book
    if is_read_only(book):
        raise Refused(_refused_read_only())
    if new_sheets and is_structure_protected(book):
        raise Refused(_refused_structure())
    protected = sorted(name for name in sheets if is_sheet_protected(writer.sheet(name)))
    if protected:
        raise Refused(_refused_protected(protected))


# -- applying ---------------------------------------------------------------------------------------
class WriteFailed(Exception):
    """A write failed after others had succeeded; ``str()`` says in Swedish what was and was not written."""

    def __init__(self, message: str, written: Sequence[str], remaining: Sequence[str]) -> None:
        super().__init__(message)
        self.written = tuple(written)
        self.remaining = tuple(remaining)


def apply(
    book,
    outcome: Outcome,
    columns: Mapping[str, Mapping[str, int]],
    log_row: Mapping[str, object],
    *,
    snapshot: tuple[Mapping[str, SheetGrid], Mapping[str, TableLocation]] | None = None,
) -> list[str]:
    """Write ``outcome`` into ``book``: new group sheets, tables, changed cells, ``Status``, one ``Logg`` row.

    ``snapshot`` is what ``read_book`` returned for the same click (read again when missing). Every write
    is planned before the first one; then the cells about to be written that a person could have typed
    into meanwhile (button-owned cells of tables and group sheets, the rows an append fills) are read
    again, one read per sheet, and must still hold what the snapshot read. Raises ``Refused``
    (nothing written) when they do not, when a target sheet is protected or the workbook is read-only,
    and ``WriteFailed`` when a write fails midway (logged).
    Returns the descriptions of what was written.
    """
    grids, tables = snapshot if snapshot is not None else read_book(book)
    plan = _Plan()
    writer = _Writer(book)
    if outcome.new_sheets:
        _plan_new_sheets(plan, writer, grids, outcome.new_sheets)
    for rows in outcome.tables:
        _plan_table(plan, writer, grids, tables, rows)
    _plan_writes(plan, writer, outcome, columns, grids)
    _plan_status(plan, book, grids, scrub(outcome.summary))
    log = {name: scrub(value) if isinstance(value, str) else value for name, value in log_row.items()}
    _plan_table(plan, writer, grids, tables, TableRows(L.LOG_TABLE.name, (log,), append=True))
    _check_writable(writer, {sheet for sheet in plan.sheets if sheet in grids}, bool(outcome.new_sheets))
    changed = _changed_meanwhile(writer, grids, plan.checks)
    if changed is not None:
        raise Refused(_refused_changed(*changed))

    written: list[str] = []
    for index, step in enumerate(plan.steps):
        try:
            step.run()
        except Exception as error:
            log_exception(f"skrivning ({outcome.command})", error)
            remaining = [later.description for later in plan.steps[index:]]
            raise WriteFailed(unexpected_message(error, written=written, remaining=remaining), written, remaining) from error
        written.append(step.description)
    return written


# -- telling the user -------------------------------------------------------------------------------
def show_message(book, message: str, *, critical: bool = False) -> None:
    """A message box where the engine has one (in xlwings Lite: the task pane); never fails the button."""
    if lacks_message_boxes():
        print(message)  # Lite shows what a script prints in its task pane, which the button opens
        return
    try:
        book.app.alert(message, title=TITLE, mode="critical" if critical else "info")
    except Exception as error:  # a message box is a courtesy: log why it failed and go on
        log_exception("meddelanderuta", error)


def write_status(book, message: str) -> None:
    """Best effort: the one-line ``Status`` cell, e.g. after a failure."""
    target = _status_range(book)
    if target is None:
        return
    try:
        target.value = excel_value(scrub(message))
    except Exception as error:
        log_exception("Status", error)


__all__ = [
    "Refused",
    "WriteFailed",
    "apply",
    "describe_exception",
    "excel_value",
    "log_exception",
    "log_path",
    "plan_blocks",
    "read_book",
    "read_sheet",
    "scrub",
    "show_message",
    "unexpected_message",
    "write_status",
]
