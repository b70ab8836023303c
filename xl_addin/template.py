"""Builds the Sofia workbook (the empty template and the demo) with XlsxWriter; never on the button path.

The layout follows ``domain/layout.py`` and is documented in ``docs/workbook.md``. Colours are
conditional formats driven by the values the buttons write, so they are never stale and cost the
buttons no Excel calls. Two builds with the same content are byte-identical.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Mapping, Sequence
from .domain.records import Record
from datetime import date, datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name, xl_rowcol_to_cell

from .domain import layout as L
from .domain.model import SETTING_FIELDS, Link, Settings
from .domain.personal_number import PersonalNumber

TEMPLATE_NAME = "Gruppbokningar-mall.xlsx"
MACRO_TEMPLATE_NAME = "Gruppbokningar-mall.xlsm"
VBA_SOURCE = Path(__file__).parent / "vba" / "Knappar.bas"
CREATED = datetime(2026, 1, 1)  # fixed, so that two builds are byte-identical
DATE_FORMAT = "yyyy-mm-dd"  # shown as ÅÅÅÅ-MM-DD whatever the user's locale
TIMESTAMP_FORMAT = "yyyy-mm-dd hh:mm"
TABLE_STYLE = "Table Style Light 9"
LAST_TABLE_ROW = 2000  # dropdowns and colours reach this sheet row on table sheets (room to grow)
LAST_GROUP_ROW = 200  # … and this row on group sheets
STATISTICS_CHART_ROWS = 40  # the chart shows the first rows of Statistik (one per term and group type)
LIST_LAST_ROW = 200  # the dropdown lists on Koder reach this row
GROUP_TEMPLATE_TITLE = "Gruppnamn – GruppID"
SHEET_CODE_NAME_PREFIX = "Sheet"  # VBA code names Sheet1, Sheet2 … in workbook order
GROUP_SHEET_BUTTON_OWNED = (L.JOURNAL_TEXT,)  # filled by Skapa journaltexter when empty

# Swedish text that only the template shows.
_DATE_MESSAGE = "Skriv ett datum som ÅÅÅÅ-MM-DD, till exempel 2026-09-02."
_LIST_MESSAGE = "Välj ett värde i listan."
_DONE_MESSAGE = (
    f"Välj {L.DONE_YES} när steget är gjort, eller skriv datum eller dina initialer: allt som inte är tomt "
    "räknas som klart."
)
_ATTENDANCE_MESSAGE = (
    "Närvaro skrivs Deltog, Uteblev eller Avbokad (eller D, U, A). Tomt = inte ifyllt ännu."
)
_HEADER = f"&L&A&R{L.WORKBOOK_TITLE}"
_FOOTER = "&LUtskriven &D&RSida &P av &N"
_START_NOTES = (
    "Gruppledare: fyll i deltagare och närvaro på gruppens eget blad (Deltog, Uteblev, Avbokad – eller D, U, A).",
    "Kolumner med grå rubrik fylls i av knapparna. Skriv inte i dem; knapparna skriver aldrig över det du skrivit.",
    "Skriv datum som ÅÅÅÅ-MM-DD och personnummer som ÅÅÅÅMMDD-NNNN.",
    "Sekreterare: bladet Att göra listar varje steg i Elvis och journalen. "
    "Skriv i kolumnen Klar när steget är gjort.",
    "Resultatet av den senaste körningen står i Status ovan; varje körning loggas på bladet Logg.",
)
_NO_BUTTONS_NOTE = (
    "Knapparna finns i den makroaktiverade mallen (.xlsm)."
)
_LITE_BUTTONS_NOTE = (
    "Klicka på en knapp till vänster. Första klicket tar en halv minut. Svaret står i Status och i panelen till höger."
)
_WORKBOOK_SUBJECT = "Gruppbokningar för BUP:s behandlingsgrupper: deltagare, närvaro, registrering och vårdgaranti"

_DATE_COLUMNS = frozenset({
    L.START_DATE, L.ROSTER_READY, L.BOOKED_IN_ELVIS, L.ROSTER_DEADLINE, L.RECEIVED, L.CARE_GUARANTEE_FROM,
    L.PLANNING_ENTRY, L.CARE_GUARANTEE_DEADLINE, L.DUE, L.DATE, L.CREATED, L.EXPORTED, L.VISIT_DATE,
    L.CANCELLED_DATE,
})
_USER_DATE_COLUMNS = (  # user-typed dates get date validation
    L.START_DATE, L.ROSTER_READY, L.BOOKED_IN_ELVIS, L.RECEIVED, L.CARE_GUARANTEE_FROM, L.PLANNING_ENTRY,
)
_TIMESTAMP_COLUMNS = frozenset({L.TIMESTAMP})
_TEXT_COLUMNS = frozenset({L.PERSONAL_NUMBER})  # text format, so a typed number keeps its zeros
WRAP_COLUMNS = frozenset({L.JOURNAL_TEXT, L.TASK})  # wrapped, and rows made tall enough to read them
_WRAP_COLUMNS = WRAP_COLUMNS
_HIDDEN_COLUMNS = frozenset({L.KEY})  # Att göra's stable key: button-owned, kept for the code, not for reading
_WIDTHS = {
    L.GROUP_ID: 18, L.GROUP_TYPE: 22, L.ATTENDEE: 26, L.START_DATE: 12, L.SESSION_COUNT: 10,
    L.MAX_PARTICIPANTS: 10, L.GROUP_LEADER: 28, L.JOURNAL_AT_END: 14, L.ROSTER_READY: 12,
    L.BOOKED_IN_ELVIS: 12, L.ROSTER_DEADLINE: 12, L.STATUS: 28, L.PERSONAL_NUMBER: 16, L.NAME: 26,
    L.GUARDIAN: 26, L.CANCELLED_DATE: 12, L.CANCELLATION_REASON: 20, L.JOURNAL_TEXT: 60, L.COMMENT: 30,
    L.RECEIVED: 12, L.WISHED_GROUP: 22, L.SENT_BY: 16, L.CARE_GUARANTEE_FROM: 12, L.EXEMPTION: 10,
    L.PLANNING_ENTRY: 12, L.CARE_GUARANTEE_DEADLINE: 12, L.SUGGESTION: 20, L.KEY: 34, L.DUE: 12,
    L.TASK: 60, L.SESSION: 10, L.DATE: 12, L.DONE: 11, L.CREATED: 12, L.REMARK: 40, L.EXPORTED: 12,
    L.VISIT_DATE: 12, L.ATTENDANCE: 10, L.VISIT_TYPE: 12, L.ACTION_CODE: 11, L.ELVIS_ACTION: 50,
    L.SHEET: 20, L.CELL: 10, L.SEVERITY: 9, L.MESSAGE: 90, L.SETTING: 28, L.VALUE: 60,
    L.DESCRIPTION: 80, L.REASON: 24, L.TIMESTAMP: 17, L.USER: 16, L.FUNCTION: 28, L.RESULT: 70,
}
LINK_COLOUR = "0563C1"  # Excel's own hyperlink blue
_LINK_COLUMNS = frozenset({L.CELL})  # Kontroll's Cell: a link that jumps to the cell
_SESSION_WIDTH = 11
START_HELP_WIDTH = 80  # Start's column B: one button's line (wrapped), leaving room for the summary
SUMMARY_ANCHOR = "D3"  # the summary block's title; labels below it, counts in the next column

# Start's button column and rows; a Lite button's shape covers its cell exactly (XlsxWriter's pixels:
# a width of w characters is 7w + 5 pixels, a row of h points is 4h/3 pixels).
START_BUTTON_COLUMN_WIDTH = 34
START_ROW_HEIGHT = 30
START_BUTTON_WIDTH_PX = 7 * START_BUTTON_COLUMN_WIDTH + 5
START_ROW_HEIGHT_PX = START_ROW_HEIGHT * 4 // 3
LITE_BUTTON_FILL = "#2F5597"
LITE_BUTTON_LINE = "#1F3864"
_MAX_WIDTH = 32  # a long header may not push a column wider than this (its width list wins)
_MAX_CONTENT_WIDTH = 90  # nor may a long value (wider text is cut at the next filled cell)
_NUMBER_COLUMNS = frozenset({  # counts, centred so that they do not run into the text beside them
    L.SESSION_COUNT, L.MAX_PARTICIPANTS, L.SESSION, L.GROUPS_COUNT, L.PARTICIPANTS, L.ATTENDANCE_RATE,
    L.NO_SHOW_RATE, L.LATE_LISTS, L.PAST_GUARANTEE,
})
_TOP_ALIGNED_TABLES = frozenset({L.TASKS_TABLE.name})
_LEFT_COLUMNS = frozenset({L.VALUE})  # Inställningar's Värde mixes numbers and text: all read from the left


class GroupSheetContent(Record):
    """One group sheet: its id (= sheet name), title, session dates and participant rows."""

    group_id: str
    title: str
    session_dates: Sequence[date | None]  # row 3, one per session column T1..Tn
    registered: Sequence[date | None] = ()  # row 2
    participants: Sequence[Mapping[str, object]] = ()  # rows keyed by the sheet's column names
    extra_columns: Sequence[str] = ()  # columns users added, after Kommentar (carried by Uppgradera)


class WorkbookContent(Record):
    """What goes into the workbook besides its fixed layout; empty = the template teams receive."""

    groups: Sequence[Mapping[str, object]] = ()
    interest: Sequence[Mapping[str, object]] = ()
    tasks: Sequence[Mapping[str, object]] = ()
    registration: Sequence[Mapping[str, object]] = ()
    check: Sequence[Mapping[str, object]] = ()
    log: Sequence[Mapping[str, object]] = ()
    statistics: Sequence[Mapping[str, object]] = ()
    memory: Sequence[Mapping[str, object]] = ()  # Knappminne rows (hidden)
    group_sheets: Sequence[GroupSheetContent] = ()
    settings: Mapping[str, object] | None = None  # overrides of Inställningar values by setting name
    group_types: Sequence[Mapping[str, object]] | None = None  # None = the seed
    visit_types: Sequence[Mapping[str, object]] | None = None  # None = the seed (U2)
    cancellation_reasons: Sequence[str] | None = None  # None = the seed
    archived_statistics: Sequence[Mapping[str, object]] = ()  # Arkivstatistik rows (counts)
    # table name → columns users added to it, written after the contract's columns (Uppgradera)
    extra_columns: Mapping[str, Sequence[str]] | None = None


def sheet_names(content: WorkbookContent = WorkbookContent()) -> list[str]:
    """Every sheet of the workbook in order: the fixed sheets, group sheets right after Grupper."""
    names: list[str] = []
    for sheet in L.FIXED_SHEETS:
        names.append(sheet)
        if sheet == L.GROUPS:
            names.extend(group.group_id for group in content.group_sheets)
    return names


def sheet_code_names(content: WorkbookContent = WorkbookContent()) -> dict[str, str]:
    """The VBA code name of each sheet (``Sheet1`` …), which a ``vbaProject.bin`` must match."""
    return {name: f"{SHEET_CODE_NAME_PREFIX}{index}" for index, name in enumerate(sheet_names(content), start=1)}


def write_workbook(
    path: Path | str,
    content: WorkbookContent = WorkbookContent(),
    *,
    vba_project: bytes | None = None,
    buttons: Sequence[tuple[str, str]] = (),
    lite: bool | None = None,
) -> Path:
    """Write the Sofia workbook to ``path`` (via a temporary name, then renamed) and return the path.

    ``buttons`` are ``(caption, macro)`` pairs placed on ``Start``; they need ``vba_project`` (the
    bytes of a ``vbaProject.bin``), and then ``path`` must end in ``.xlsm``. ``lite`` (default: every
    workbook without a VBA project) makes it an xlwings Lite workbook: a sheet button per
    ``layout.BUTTONS`` on ``Start`` and Lite's code in the web-extension part (``lite.py``).
    """
    path = Path(path)
    if vba_project is not None and path.suffix.lower() != ".xlsm":
        raise ValueError(f"A workbook with a VBA project must be saved as .xlsm, not {path.name}")
    if buttons and vba_project is None:
        raise ValueError("Buttons call macros: pass vba_project as well")
    lite = vba_project is None if lite is None else lite
    buffer = io.BytesIO()
    _Builder(buffer, content, vba_project, buttons, lite=lite).build()
    data = buffer.getvalue()
    if lite:
        from .lite import add_lite_parts

        shapes = [L.button_shape_name(sub) for _caption, sub, _function in L.BUTTONS]
        data = add_lite_parts(data, start_sheet_index=sheet_names(content).index(L.START) + 1, shape_names=shapes)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return path


def build_templates(directory: Path | str) -> list[Path]:
    """Write the templates teams receive into ``directory``: ``Gruppbokningar-mall.xlsx`` (no macros;
    sheet buttons for xlwings Lite) and ``Gruppbokningar-mall.xlsm`` (form buttons for classic xlwings)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return [write_workbook(directory / TEMPLATE_NAME), write_macro_template(directory / MACRO_TEMPLATE_NAME)]


def write_macro_template(path: Path | str, content: WorkbookContent = WorkbookContent()) -> Path:
    """The macro-enabled workbook: the VBA project built from ``vba/Knappar.bas`` and a form button
    on ``Start`` per button, each assigned to its Sub."""
    from .vba_project import build_vba_project

    vba = build_vba_project(
        [("Knappar", VBA_SOURCE.read_text(encoding="utf-8"))],
        sheet_code_names=list(sheet_code_names(content).values()),
    )
    return write_workbook(path, content, vba_project=vba, buttons=[(caption, sub) for caption, sub, _ in L.BUTTONS])


def _starts_with(reference: str, text: str) -> str:
    """An Excel condition: the cell's text begins with ``text`` (so "Sen – 3 dagar" still counts)."""
    return f'LEFT({reference},{len(text)})="{text}"'


class _Builder:
    """One build of one workbook; holds the XlsxWriter workbook and its shared formats."""

    def __init__(
        self,
        target: io.BytesIO,
        content: WorkbookContent,
        vba_project: bytes | None,
        buttons: Sequence[tuple[str, str]],
        *,
        lite: bool = False,
    ) -> None:
        self.content = content
        self.vba_project = vba_project
        self.buttons = tuple(buttons)
        self.lite = lite
        self.book = xlsxwriter.Workbook(target, {
            "in_memory": True,
            "default_date_format": DATE_FORMAT,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "remove_timezone": True,
        })
        add = self.book.add_format
        self.title = add({"bold": True, "font_size": 16})
        self.group_title = add({"bold": True, "font_size": 14})
        self.bold = add({"bold": True})
        self.label = add({"bold": True, "align": "right"})
        self.status = add({"border": 1, "bg_color": "#F2F2F2"})
        self.formats: dict[tuple, object] = {}  # column formats by their properties (see _column_format)
        self.date = add({"num_format": DATE_FORMAT})
        self.session_date = add({"num_format": DATE_FORMAT, "bold": True, "align": "center"})
        self.registered = add({"num_format": DATE_FORMAT, "bg_color": L.FILL_BUTTON_OWNED_HEADER,
                               "align": "center", "font_color": "#404040"})
        self.timestamp = add({"num_format": TIMESTAMP_FORMAT})
        self.text = add({"num_format": "@"})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.center = add({"align": "center"})
        self.link = add({"font_color": f"#{LINK_COLOUR}", "underline": 1})
        self.summary_title = add({"bold": True, "font_size": 12, "bottom": 1})
        self.summary_link = add({"font_color": f"#{LINK_COLOUR}", "underline": 1})
        self.summary_count = add({"bold": True, "align": "right", "num_format": "0"})
        self.summary_note = add({"italic": True, "font_color": "#595959"})
        self.pending = add({"bold": True, "align": "left", "num_format": '[=1]0" tillfälle";0" tillfällen"'})
        self.owned_header = add({"bold": True, "bg_color": L.FILL_BUTTON_OWNED_HEADER, "font_color": "#000000",
                                 "bottom": 1})
        self.fill = {
            colour: add({"bg_color": colour})
            for colour in (L.FILL_GREEN, L.FILL_RED, L.FILL_YELLOW, L.FILL_GREY)
        }

    # -- the whole workbook ------------------------------------------------------------------------
    def build(self) -> None:
        book = self.book
        book.set_properties({
            "title": L.WORKBOOK_TITLE,
            "subject": _WORKBOOK_SUBJECT,
            "author": L.WORKBOOK_TITLE,
            "manager": "",
            "company": "",
            "category": "Gruppbokningar",
            "keywords": "BUP, grupper, närvaro, Elvis, vårdgaranti",
            "comments": f"Skapad av xl_addin. Layoutversion {L.CONTRACT_VERSION}.",
            "created": CREATED,
        })
        book.set_custom_property("Layoutversion", L.CONTRACT_VERSION)
        if self.vba_project is not None:
            book.add_vba_project(io.BytesIO(self.vba_project), is_stream=True)
            book.set_vba_name("ThisWorkbook")
        codes_range = self._list_range(L.GROUP_TYPES_TABLE)
        book.define_name(L.STATUS_NAME, f"={_quoted(L.START)}!{_absolute(L.STATUS_CELL)}")
        book.define_name(L.GROUP_TYPE_LIST_NAME, codes_range)
        book.define_name(L.CANCELLATION_REASON_LIST_NAME, self._list_range(L.CANCELLATION_REASONS_TABLE))

        code_names = sheet_code_names(self.content)
        groups = {group.group_id: group for group in self.content.group_sheets}
        for name in sheet_names(self.content):
            sheet = book.add_worksheet(name)
            if self.vba_project is not None:
                sheet.set_vba_name(code_names[name])
            self._print_setup(sheet)
            if name == L.START:
                self._start(sheet)
            elif name == L.GROUPS:
                self._groups(sheet)
            elif name == L.INTEREST:
                self._interest(sheet)
            elif name == L.TASKS:
                self._tasks(sheet)
            elif name == L.REGISTRATION:
                self._table(sheet, L.REGISTRATION_TABLE, self.content.registration)
                self._freeze_header(sheet)
            elif name == L.CHECK:
                self._check(sheet)
            elif name == L.STATISTICS:
                self._statistics(sheet)
            elif name == L.SETTINGS:
                self._settings(sheet)
            elif name == L.CODES:
                self._codes(sheet)
            elif name == L.LOG:
                self._table(sheet, L.LOG_TABLE, self.content.log)
                self._freeze_header(sheet)
            elif name == L.MEMORY:
                self._table(sheet, L.MEMORY_TABLE, self.content.memory)
                self._freeze_header(sheet)
                sheet.hide()
            elif name == L.GROUP_TEMPLATE:
                self._group_sheet(sheet, GroupSheetContent(
                    group_id=L.GROUP_TEMPLATE, title=GROUP_TEMPLATE_TITLE, session_dates=(None,) * L.MAX_SESSIONS,
                ))
                sheet.hide()
            else:
                self._group_sheet(sheet, groups[name])
        book.close()

    def _list_range(self, table: L.Table) -> str:
        row, col = xl_cell_to_rowcol(table.anchor)
        letter = xl_col_to_name(col)
        return f"={_quoted(table.sheet)}!${letter}${row + 2}:${letter}${LIST_LAST_ROW}"

    def _print_setup(self, sheet) -> None:
        sheet.set_paper(9)  # A4
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.set_header(_HEADER)
        sheet.set_footer(_FOOTER)

    # -- Start -----------------------------------------------------------------------------------
    def _start(self, sheet) -> None:
        sheet.set_column(0, 0, START_BUTTON_COLUMN_WIDTH)
        sheet.set_column(1, 1, START_HELP_WIDTH)
        sheet.write_string(0, 0, L.WORKBOOK_TITLE, self.title)
        sheet.set_row(0, 26)
        sheet.write_string(2, 0, L.STATUS, self.bold)
        row, col = xl_cell_to_rowcol(L.STATUS_CELL)
        sheet.write_blank(row, col, None, self.status)
        first = L.START_FIRST_BUTTON_ROW - 1  # 0-based row of the first button
        captions = [caption for caption, _ in L.BUTTON_HELP]
        for index, (caption, text) in enumerate(L.BUTTON_HELP):
            sheet.set_row(first + index, START_ROW_HEIGHT, None)
            sheet.write_rich_string(first + index, 1, self.bold, caption, f" – {text}", self.wrap)
        extra = 0
        for caption, macro in self.buttons:
            if caption in captions:
                button_row = first + captions.index(caption)
            else:
                button_row = first + len(captions) + extra
                sheet.set_row(button_row, START_ROW_HEIGHT, None)
                extra += 1
            sheet.insert_button(button_row, 0, {
                "macro": macro, "caption": caption, "width": 230, "height": 34,
                "x_offset": 4, "y_offset": 3,
            })
        if self.lite:
            extra = max(extra, self._lite_buttons(sheet, len(captions)))
        notes_row = first + len(captions) + extra + 1
        if self.lite:
            notes = (_LITE_BUTTONS_NOTE, *_START_NOTES)
        else:
            notes = _START_NOTES if self.buttons else (*_START_NOTES, _NO_BUTTONS_NOTE)
        for offset, note in enumerate(notes):
            sheet.write_string(notes_row + offset, 1, note)
        self._start_summary(sheet)
        sheet.activate()

    # -- Start: the live summary, a block of its own right of the buttons' lines --------------------
    def _start_summary(self, sheet) -> None:
        """Counts computed by formulas from the sheets (no click needed), each label a link to its sheet.

        Only functions LibreOffice 7.4 also has; ranges are the tables' columns by header name.
        """
        top, left = xl_cell_to_rowcol(SUMMARY_ANCHOR)
        sheet.set_column(left - 1, left - 1, 2)
        sheet.set_column(left, left, 34)
        sheet.set_column(left + 1, left + 1, 8)
        sheet.write_string(top, left, L.SUMMARY_TITLE, self.summary_title)
        for offset, (label, target, formula) in enumerate(summary_formulas(), start=1):
            sheet.write_url(top + offset, left, f"internal:{_quoted(target)}!A1", self.summary_link, label)
            sheet.write_formula(top + offset, left + 1, formula, self.summary_count, 0)
        for offset, note in enumerate(L.SUMMARY_NOTES, start=len(summary_formulas()) + 1):
            sheet.write_string(top + offset, left, note, self.summary_note)

    def _lite_buttons(self, sheet, helped: int) -> int:
        """xlwings Lite's sheet buttons: a text box over each button's cell, linked to that cell (the
        shapes are renamed after the build, see ``lite.py``); returns the rows added below the help."""
        added = 0
        for caption, _sub, _function in L.BUTTONS:
            cell = L.START_BUTTON_CELLS[caption]
            row, col = xl_cell_to_rowcol(cell)
            if row - (L.START_FIRST_BUTTON_ROW - 1) >= helped:
                sheet.set_row(row, START_ROW_HEIGHT, None)
                added += 1
            sheet.insert_textbox(row, col, caption, {
                "width": START_BUTTON_WIDTH_PX, "height": START_ROW_HEIGHT_PX,
                "x_offset": 0, "y_offset": 0,
                "url": f"internal:{_quoted(L.START)}!{cell}",
                "tip": caption,
                "font": {"bold": True, "color": "#FFFFFF", "size": 11},
                "align": {"vertical": "middle", "horizontal": "center"},
                "fill": {"color": LITE_BUTTON_FILL},
                "line": {"color": LITE_BUTTON_LINE},
                "object_position": 1,
            })
        return added

    # -- table sheets ----------------------------------------------------------------------------
    def _table(self, sheet, table: L.Table, rows: Sequence[Mapping[str, object]],
               *, columns: Sequence[str] | None = None, header_row: int | None = None,
               button_owned: Sequence[str] | None = None, name: str | None = None) -> tuple[int, int, int]:
        """Add ``table`` with ``rows`` (at least one, empty, row); return (header row, first col, last row)."""
        columns = tuple(columns or table.columns)
        if name is None:
            columns += tuple(c for c in (self.content.extra_columns or {}).get(table.name, ()) if c not in columns)
        owned = set(table.button_owned if button_owned is None else button_owned)
        anchor_row, first_col = xl_cell_to_rowcol(table.anchor)
        if header_row is not None:
            anchor_row = header_row
        if table.aliases:  # content under an earlier header (an upgraded workbook, older callers)
            renamed = dict(table.aliases)
            rows = [{renamed.get(key, key): value for key, value in row.items()} for row in rows]
        for row in rows:
            unknown = set(row) - set(columns)
            if unknown:
                raise ValueError(f"Unknown columns for table {name or table.name}: {sorted(unknown)}")
        last_row = anchor_row + max(1, len(rows))
        top = table.name in _TOP_ALIGNED_TABLES  # rows taller than one line read best from the top
        sheet.add_table(anchor_row, first_col, last_row, first_col + len(columns) - 1, {
            "name": name or table.name,
            "style": TABLE_STYLE,
            "columns": [
                {"header": column, "header_format": self.owned_header if column in owned else None,
                 "format": self._column_format(column, top)}
                for column in columns
            ],
        })
        for offset, column in enumerate(columns):
            width = _WIDTHS.get(column, _SESSION_WIDTH if L.SESSION_COLUMN.match(column) else 14)
            width = max(width, min(len(column) + 3, _MAX_WIDTH))
            if column not in _WRAP_COLUMNS:  # the content fits, up to a limit (wrapped columns keep theirs)
                longest = max((len(_shown(row.get(column))) for row in rows), default=0)
                width = max(width, min(longest + 2, _MAX_CONTENT_WIDTH))
            sheet.set_column(first_col + offset, first_col + offset, width, self._column_format(column, top),
                             {"hidden": True} if column in _HIDDEN_COLUMNS and table is L.TASKS_TABLE else None)
        for index, row in enumerate(rows, start=anchor_row + 1):
            for offset, column in enumerate(columns):
                self._write(sheet, index, first_col + offset, row.get(column), column, top)
            height = max(
                (text_height(value, _WIDTHS.get(column, 14)) for column, value in row.items()
                 if column in _WRAP_COLUMNS and isinstance(value, str)),
                default=0,
            )
            if height > DEFAULT_ROW_HEIGHT:  # a journal text or a task needs a taller row to be read and printed
                sheet.set_row(index, height)
        return anchor_row, first_col, last_row

    def _column_format(self, column: str, top: bool = False):
        """The format of a column's cells; ``top`` aligns them to the top (a table with wrapped rows)."""
        if column in _DATE_COLUMNS:
            props: dict[str, object] = {"num_format": DATE_FORMAT, "align": "center"}
        elif column in _TIMESTAMP_COLUMNS:
            props = {"num_format": TIMESTAMP_FORMAT}
        elif column in _TEXT_COLUMNS:
            props = {"num_format": "@"}
        elif column in _WRAP_COLUMNS:
            props = {"text_wrap": True, "valign": "top"}
        elif L.SESSION_COLUMN.match(column) or column in _NUMBER_COLUMNS:
            props = {"align": "center"}
        elif column in _LINK_COLUMNS:
            props = {"font_color": f"#{LINK_COLOUR}", "underline": 1}
        elif column in _LEFT_COLUMNS:
            props = {"align": "left"}
        else:
            props = {}
        if top:
            props["valign"] = "top"
        if not props:
            return None
        key = tuple(sorted(props.items()))
        if key not in self.formats:
            self.formats[key] = self.book.add_format(props)
        return self.formats[key]

    def _write(self, sheet, row: int, col: int, value: object, column: str, top: bool = False) -> None:
        cell_format = self._column_format(column, top)
        if value is None or value == "":
            return
        if isinstance(value, Link):
            sheet.write_formula(row, col, value.formula, self.link, str(value))
        elif isinstance(value, PersonalNumber):
            sheet.write_string(row, col, str(value), cell_format)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value, cell_format)
        elif isinstance(value, datetime):
            if value.time() == datetime.min.time() and column not in _TIMESTAMP_COLUMNS:
                sheet.write_datetime(row, col, value, self._column_format(L.DUE, top))
            else:
                sheet.write_datetime(row, col, value, self._column_format(L.TIMESTAMP, top))
        elif isinstance(value, date):
            sheet.write_datetime(row, col, value, self._column_format(L.DUE, top))
        elif isinstance(value, (int, float)):
            sheet.write_number(row, col, value, cell_format)
        else:
            sheet.write_string(row, col, str(value), cell_format)

    def _column_range(self, table: L.Table, column: str, first_row: int, last_row: int,
                      columns: Sequence[str] | None = None) -> tuple[int, int, int, int]:
        _, first_col = xl_cell_to_rowcol(table.anchor)
        col = first_col + tuple(columns or table.columns).index(column)
        return first_row, col, last_row, col

    def _validate(self, sheet, cells: tuple[int, int, int, int], options: Mapping[str, object]) -> None:
        result = sheet.data_validation(*cells, dict(options))
        if result != 0:  # XlsxWriter only warns; a silent gap in the contract is worse
            raise ValueError(f"Invalid data validation {options!r}")

    def _freeze_header(self, sheet) -> None:
        sheet.freeze_panes(1, 0)
        sheet.repeat_rows(0)

    def _groups(self, sheet) -> None:
        table = L.GROUPS_TABLE
        self._table(sheet, table, self.content.groups)
        self._freeze_header(sheet)
        last = LAST_TABLE_ROW - 1
        for column in (c for c in _USER_DATE_COLUMNS if c in table.columns):
            self._validate(sheet, self._column_range(table, column, 1, last), _date_validation())
        self._validate(sheet, self._column_range(table, L.GROUP_TYPE, 1, last),
                       _list_validation(f"={L.GROUP_TYPE_LIST_NAME}",
                                        "Välj en grupp i listan. Nya grupptyper läggs till på bladet Koder."))
        self._validate(sheet, self._column_range(table, L.ATTENDEE, 1, last),
                       _list_validation(list(L.ATTENDEE_VALUES)))
        self._validate(sheet, self._column_range(table, L.SESSION_COUNT, 1, last),
                       _whole_validation(1, L.MAX_SESSIONS))
        self._validate(sheet, self._column_range(table, L.MAX_PARTICIPANTS, 1, last), _whole_validation(1, 50))
        self._validate(sheet, self._column_range(table, L.JOURNAL_AT_END, 1, last),
                       _list_validation([L.YES, L.NO]))
        status = f"${_column_letter(table, L.STATUS)}2"
        self._row_colours(sheet, table, (
            (L.FILL_GREEN, _starts_with(status, L.ROSTER_OK)),
            (L.FILL_RED, f"OR({_starts_with(status, L.ROSTER_LATE)},{_starts_with(status, L.ROSTER_INCOMPLETE)})"),
            (L.FILL_YELLOW, _starts_with(status, L.ROSTER_AT_RISK)),
        ))

    def _interest(self, sheet) -> None:
        table = L.INTEREST_TABLE
        self._table(sheet, table, self.content.interest)
        self._freeze_header(sheet)
        last = LAST_TABLE_ROW - 1
        for column in (c for c in _USER_DATE_COLUMNS if c in table.columns):
            self._validate(sheet, self._column_range(table, column, 1, last), _date_validation())
        self._validate(sheet, self._column_range(table, L.WISHED_GROUP, 1, last),
                       _list_validation(f"={L.GROUP_TYPE_LIST_NAME}",
                                        "Välj en grupp i listan. Nya grupptyper läggs till på bladet Koder."))
        self._validate(sheet, self._column_range(table, L.SENT_BY, 1, last),
                       _list_validation(list(L.SENDER_VALUES)))
        self._validate(sheet, self._column_range(table, L.EXEMPTION, 1, last),
                       _list_validation(list(L.EXEMPTION_VALUES), "Lämna tomt, eller välj PVV (patientvald "
                                        "väntan) eller MOV (medicinskt orsakad väntan)."))
        status = f"${_column_letter(table, L.STATUS)}2"
        # The longer "Placerad efter vårdgarantin" comes before "Placerad", which it starts with.
        self._row_colours(sheet, table, (
            (L.FILL_YELLOW, _starts_with(status, L.INTEREST_PLACED_LATE)),
            (L.FILL_GREEN, _starts_with(status, L.INTEREST_PLACED)),
            (L.FILL_YELLOW, _starts_with(status, L.INTEREST_AT_RISK)),
            (L.FILL_RED, _starts_with(status, L.INTEREST_OVERDUE)),
            (L.FILL_GREY, _starts_with(status, L.INTEREST_EXEMPT)),
        ))

    def _tasks(self, sheet) -> None:
        table = L.TASKS_TABLE
        self._table(sheet, table, self.content.tasks)
        self._freeze_header(sheet)
        self._validate(sheet, self._column_range(table, L.DONE, 1, LAST_TABLE_ROW - 1), {
            **_list_validation([L.DONE_YES], _DONE_MESSAGE, "information"), "error_title": L.DONE,
        })
        remark = _column_letter(table, L.REMARK)
        not_needed = _starts_with(f"${remark}2", L.REMARK_NOT_NEEDED)
        # A task whose cause is gone is greyed whole and is never overdue; it goes first and stops.
        self._row_colours(sheet, table, ((L.FILL_GREY, not_needed),))
        sheet.conditional_format(f"{remark}2:{remark}{LAST_TABLE_ROW}", {
            "type": "formula", "criteria": f'=TRIM(${remark}2)<>""', "format": self.fill[L.FILL_YELLOW],
            "stop_if_true": True,
        })
        done, due = _column_letter(table, L.DONE), _column_letter(table, L.DUE)
        self._row_colours(sheet, table, (
            (L.FILL_RED, f'AND(TRIM(${done}2)="",ISNUMBER(${due}2),${due}2<TODAY(),NOT({not_needed}))'),
        ))

    def _check(self, sheet) -> None:
        table = L.CHECK_TABLE
        self._table(sheet, table, self.content.check)
        self._freeze_header(sheet)
        severity = _column_letter(table, L.SEVERITY)
        cells = f"{severity}2:{severity}{LAST_TABLE_ROW}"
        for colour, value in ((L.FILL_RED, L.ERROR), (L.FILL_YELLOW, L.WARNING)):
            sheet.conditional_format(cells, {
                "type": "formula", "criteria": f'=${severity}2="{value}"', "format": self.fill[colour],
            })

    def _statistics(self, sheet) -> None:
        """The Statistik table and one chart: attendance and no-shows per term and group type."""
        table = L.STATISTICS_TABLE
        self._table(sheet, table, self.content.statistics)
        self._table(sheet, L.ARCHIVED_STATISTICS_TABLE, self.content.archived_statistics)
        self._freeze_header(sheet)
        last = STATISTICS_CHART_ROWS + 1
        # Horizontal bars: the term and group labels read across instead of being broken into
        # slivers, and rows the table does not fill yet stay as empty space below the bars.
        chart = self.book.add_chart({"type": "bar"})
        categories = [L.STATISTICS, 1, 0, last - 1, 1]
        for column in (L.ATTENDANCE_RATE, L.NO_SHOW_RATE):
            index = table.columns.index(column)
            chart.add_series({
                "name": [L.STATISTICS, 0, index],
                "categories": categories,
                "values": [L.STATISTICS, 1, index, last - 1, index],
                "fill": {"color": L.FILL_GREEN if column == L.ATTENDANCE_RATE else L.FILL_RED},
                "border": {"color": "#808080"},
            })
        chart.set_title({"name": "Närvaro och uteblivanden per termin och grupp (%)", "name_font": {"size": 12}})
        chart.set_x_axis({"min": 0, "max": 100, "major_unit": 20, "major_gridlines": {"visible": True}})
        chart.set_y_axis({"reverse": True, "num_font": {"size": 8}})  # the table's first row at the top
        chart.set_legend({"position": "top"})
        chart.set_size({"width": 720, "height": 900})
        sheet.insert_chart(1, len(table.columns) + 1, chart)

    def _row_colours(self, sheet, table: L.Table, rules: Sequence[tuple[str, str]]) -> None:
        first = xl_col_to_name(xl_cell_to_rowcol(table.anchor)[1])
        last = xl_col_to_name(xl_cell_to_rowcol(table.anchor)[1] + len(table.columns) - 1)
        for colour, condition in rules:
            sheet.conditional_format(f"{first}2:{last}{LAST_TABLE_ROW}", {
                "type": "formula", "criteria": f"={condition}", "format": self.fill[colour], "stop_if_true": True,
            })

    # -- Inställningar and Koder ---------------------------------------------------------------
    def _settings(self, sheet) -> None:
        defaults = Settings()
        overrides = dict(self.content.settings or {})
        known = {name for name, _, _ in SETTING_FIELDS}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"Unknown settings: {sorted(unknown)}")
        rows = [
            {L.SETTING: name, L.VALUE: overrides.get(name, getattr(defaults, field)), L.DESCRIPTION: text}
            for name, field, text in SETTING_FIELDS
        ]
        self._table(sheet, L.SETTINGS_TABLE, rows)
        self._freeze_header(sheet)
        value = _column_letter(L.SETTINGS_TABLE, L.VALUE)
        sheet.ignore_errors({"number_stored_as_text": f"{value}2:{value}{len(rows) + 1}"})

    def _codes(self, sheet) -> None:
        defaults = Settings()
        group_types = self.content.group_types
        if group_types is None:
            group_types = [{L.GROUP_TYPE: name, L.ATTENDEE: attendee} for name, attendee in L.GROUP_TYPE_SEED]
        visit_types = self.content.visit_types
        if visit_types is None:
            visit_types = [{L.VISIT_TYPE_CODE: defaults.no_show_visit_type, L.DESCRIPTION: defaults.no_show_text}]
        reasons = self.content.cancellation_reasons
        if reasons is None:
            reasons = L.CANCELLATION_REASON_SEED
        self._table(sheet, L.GROUP_TYPES_TABLE, group_types)
        self._table(sheet, L.VISIT_TYPES_TABLE, visit_types)
        self._table(sheet, L.CANCELLATION_REASONS_TABLE, [{L.REASON: reason} for reason in reasons])
        for column in range(xl_cell_to_rowcol(L.VISIT_TYPES_TABLE.anchor)[1]):
            if column >= len(L.GROUP_TYPES_TABLE.columns):
                sheet.set_column(column, column, 3)
        for column in range(len(L.VISIT_TYPES_TABLE.columns) + xl_cell_to_rowcol(L.VISIT_TYPES_TABLE.anchor)[1],
                            xl_cell_to_rowcol(L.CANCELLATION_REASONS_TABLE.anchor)[1]):
            sheet.set_column(column, column, 3)
        self._freeze_header(sheet)
        self._validate(sheet, self._column_range(L.GROUP_TYPES_TABLE, L.ATTENDEE, 1, LIST_LAST_ROW - 1),
                       _list_validation(list(L.ATTENDEE_VALUES)))

    # -- a group sheet and Gruppmall ---------------------------------------------------------------
    def _group_sheet(self, sheet, group: GroupSheetContent) -> None:
        count = len(group.session_dates)
        columns = L.participant_columns(count)
        columns += tuple(column for column in group.extra_columns if column not in columns)
        header = L.GROUP_SHEET_HEADER_ROW - 1
        first_session = len(L.PARTICIPANT_LEADING_COLUMNS)
        label_col = first_session - 1
        sheet.write_string(L.GROUP_SHEET_TITLE_ROW - 1, 0, group.title, self.group_title)
        sheet.set_row(L.GROUP_SHEET_TITLE_ROW - 1, 22)
        sheet.write_string(L.GROUP_SHEET_REGISTERED_ROW - 1, label_col, L.GROUP_SHEET_REGISTERED_LABEL, self.label)
        sheet.write_string(L.GROUP_SHEET_DATE_ROW - 1, label_col, L.GROUP_SHEET_DATE_LABEL, self.label)
        for index in range(count):
            col = first_session + index
            registered = group.registered[index] if index < len(group.registered) else None
            if registered is None:
                sheet.write_blank(L.GROUP_SHEET_REGISTERED_ROW - 1, col, None, self.registered)
            elif isinstance(registered, date):
                sheet.write_datetime(L.GROUP_SHEET_REGISTERED_ROW - 1, col, registered, self.registered)
            else:
                sheet.write_string(L.GROUP_SHEET_REGISTERED_ROW - 1, col, str(registered), self.registered)
            session_date = group.session_dates[index]
            if isinstance(session_date, date):
                sheet.write_datetime(L.GROUP_SHEET_DATE_ROW - 1, col, session_date, self.session_date)
            elif session_date is None:
                sheet.write_blank(L.GROUP_SHEET_DATE_ROW - 1, col, None, self.session_date)
            else:
                sheet.write_string(L.GROUP_SHEET_DATE_ROW - 1, col, str(session_date), self.session_date)
        if count:
            sheet.write_string(L.GROUP_SHEET_PENDING_LABEL_CELL, L.GROUP_SHEET_PENDING_LABEL, self.label)
            sheet.write_formula(L.GROUP_SHEET_PENDING_CELL, pending_formula(first_session, count), self.pending, 0)
        table = L.Table(name=L.group_table_name(group.group_id), sheet=group.group_id, columns=columns,
                        button_owned=GROUP_SHEET_BUTTON_OWNED)
        self._table(sheet, table, group.participants, header_row=header)
        sheet.freeze_panes(L.GROUP_SHEET_HEADER_ROW, L.PARTICIPANT_LEADING_COLUMNS.index(L.NAME) + 1)
        sheet.repeat_rows(0, header)

        last = LAST_GROUP_ROW - 1
        first_row = header + 1
        last_session = first_session + count - 1
        if count:
            self._validate(sheet, (first_row, first_session, last, last_session), {
                "validate": "list", "source": list(L.ATTENDANCE_VALUES), "error_type": "information",
                "error_title": "Närvaro", "error_message": _ATTENDANCE_MESSAGE,
            })
            self._validate(sheet, (L.GROUP_SHEET_DATE_ROW - 1, first_session, L.GROUP_SHEET_DATE_ROW - 1,
                                   last_session), _date_validation())
        self._validate(sheet, self._column_range(table, L.CANCELLED_DATE, first_row, last), _date_validation())
        self._validate(sheet, self._column_range(table, L.CANCELLATION_REASON, first_row, last),
                       _list_validation(f"={L.CANCELLATION_REASON_LIST_NAME}",
                                        "Välj en orsak i listan. Listan finns på bladet Koder.", "warning"))
        if count:
            self._attendance_colours(sheet, columns, first_row, first_session, last_session)

    def _attendance_colours(self, sheet, columns: Sequence[str], first_row: int, first_col: int,
                            last_col: int) -> None:
        cells = f"{xl_rowcol_to_cell(first_row, first_col)}:{xl_rowcol_to_cell(LAST_GROUP_ROW - 1, last_col)}"
        cell = xl_rowcol_to_cell(first_row, first_col)  # the top-left cell; Excel shifts it per cell
        row = first_row + 1
        value = f"UPPER(TRIM({cell}))"
        date_ref = f"{xl_col_to_name(first_col)}${L.GROUP_SHEET_DATE_ROW}"
        number = f"${xl_col_to_name(columns.index(L.PERSONAL_NUMBER))}{row}"
        cancelled = f"${xl_col_to_name(columns.index(L.CANCELLED_DATE))}{row}"
        after_cancel = f"AND(ISNUMBER({cancelled}),ISNUMBER({date_ref}),{date_ref}>={cancelled})"

        def one_of(*texts: str) -> str:
            return "OR(" + ",".join(f'{value}="{text.upper()}"' for text in texts) + ")"

        aliases = {canonical: sorted(a for a, c in L.ATTENDANCE_ALIASES.items() if c == canonical)
                   for canonical in L.ATTENDANCE_VALUES}
        rules = (
            (L.FILL_RED, one_of(*aliases[L.NO_SHOW])),
            (L.FILL_GREY, one_of(*aliases[L.CANCELLED])),
            (L.FILL_GREEN, one_of(*aliases[L.ATTENDED])),
            (L.FILL_GREY, f'AND(TRIM({cell})="",{after_cancel})'),
            (L.FILL_YELLOW, f'AND(TRIM({cell})="",TRIM({number})<>"",ISNUMBER({date_ref}),'
                            f'{date_ref}<=TODAY(),NOT({after_cancel}))'),
        )
        for colour, condition in rules:
            sheet.conditional_format(cells, {
                "type": "formula", "criteria": f"={condition}", "format": self.fill[colour], "stop_if_true": True,
            })


def pending_formula(first_session: int, count: int) -> str:
    """A group sheet's count of sessions waiting for registration (``Exportera registreringslista``).

    A session waits when its date (row 3) is before the last working day up to today, i.e. its
    registration day (the next working day after it) has come, and its ``Registrerad`` cell (row 2) is
    empty; a sheet without participants has none. WORKDAY counts Monday–Friday: on a weekday holiday
    the count may show a session one day before the button exports it.
    """
    first, last = xl_col_to_name(first_session), xl_col_to_name(first_session + count - 1)
    dates = f"{first}{L.GROUP_SHEET_DATE_ROW}:{last}{L.GROUP_SHEET_DATE_ROW}"
    marks = f"{first}{L.GROUP_SHEET_REGISTERED_ROW}:{last}{L.GROUP_SHEET_REGISTERED_ROW}"
    people = f"A{L.GROUP_SHEET_HEADER_ROW + 1}:A{LAST_GROUP_ROW}"
    return f'=IF(COUNTA({people})=0,0,COUNTIFS({dates},"<"&WORKDAY(TODAY()+1,-1),{marks},""))'


def _table_column(table: L.Table, column: str) -> str:
    """A whole table column as a plain range below the header (``'Att göra'!$H$2:$H$2000``).

    Plain ranges rather than structured references, as for the dropdowns: every engine reads them."""
    letter = _column_letter(table, column)
    row = xl_cell_to_rowcol(table.anchor)[0] + 2
    return f"{_quoted(table.sheet)}!${letter}${row}:${letter}${LAST_TABLE_ROW}"


def summary_formulas() -> tuple[tuple[str, str, str], ...]:
    """Start's live summary: (label, sheet the label links to, formula of the count), in order."""
    tasks, groups = L.TASKS_TABLE, L.GROUPS_TABLE
    key, done = _table_column(tasks, L.KEY), _table_column(tasks, L.DONE)
    due, remark = _table_column(tasks, L.DUE), _table_column(tasks, L.REMARK)
    needed = f'{remark},"<>{L.REMARK_NOT_NEEDED}"'  # a task whose cause is gone is not open (Task.is_open)
    status = _table_column(groups, L.STATUS)
    # Every group sheet sits between Grupper and Intresseanmälningar; the two ends' own cells are
    # data of theirs, so they are taken away again (N() of a text is 0). Unquoted: LibreOffice 7.4
    # reads no quoted sheet span, and both names are letters only.
    span = f"{L.GROUPS}:{L.INTEREST}!{L.GROUP_SHEET_PENDING_CELL}"
    ends = "".join(f"-N({_quoted(name)}!{L.GROUP_SHEET_PENDING_CELL})" for name in (L.GROUPS, L.INTEREST))
    return (
        (L.SUMMARY_OPEN_TASKS, L.TASKS, f'=COUNTIFS({key},"<>",{done},"",{needed})'),
        (L.SUMMARY_OVERDUE_TASKS, L.TASKS, f'=COUNTIFS({key},"<>",{done},"",{due},"<"&TODAY(),{needed})'),
        (L.SUMMARY_SESSIONS_TO_REGISTER, L.REGISTRATION, f"=SUM({span}){ends}"),
        (L.SUMMARY_LISTS_AT_RISK, L.GROUPS, f'=COUNTIF({status},"{L.ROSTER_AT_RISK}")'),
        (L.SUMMARY_LATE_LISTS, L.GROUPS,
         f'=COUNTIF({status},"{L.ROSTER_LATE}")+COUNTIF({status},"{L.ROSTER_INCOMPLETE}")'),
    )


DEFAULT_ROW_HEIGHT = 15.0  # points


def text_height(text: str, width: float) -> float:
    """Row height in points that shows ``text`` wrapped in a column ``width`` characters wide.

    An estimate (proportional fonts vary): each line takes ceil(length / width) rows, with 10 % room.
    """
    rows = sum(max(1, math.ceil(len(line) * 1.1 / max(width, 1))) for line in text.splitlines() or [""])
    return DEFAULT_ROW_HEIGHT * rows


def _shown(value: object) -> str:
    """Roughly what a cell shows, for its width: dates as ÅÅÅÅ-MM-DD, the longest line of a text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != datetime.min.time() else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return max(str(value).splitlines() or [""], key=len)


def _quoted(sheet: str) -> str:
    """A sheet name as a formula needs it: quoted when it is not a plain identifier."""
    if sheet.isascii() and sheet.replace("_", "").isalnum() and not sheet[0].isdigit():
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


def _absolute(cell: str) -> str:
    row, col = xl_cell_to_rowcol(cell)
    return xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)


def _column_letter(table: L.Table, column: str) -> str:
    return xl_col_to_name(xl_cell_to_rowcol(table.anchor)[1] + table.columns.index(column))


def _date_validation() -> dict[str, object]:
    return {
        "validate": "date", "criteria": "between", "minimum": date(2000, 1, 1), "maximum": date(2100, 12, 31),
        "error_title": "Datum", "error_message": _DATE_MESSAGE,
    }


def _whole_validation(low: int, high: int) -> dict[str, object]:
    return {
        "validate": "integer", "criteria": "between", "minimum": low, "maximum": high,
        "error_title": "Heltal", "error_message": f"Skriv ett heltal från {low} till {high}.",
    }


def _list_validation(source: str | list[str], message: str = _LIST_MESSAGE,
                     error_type: str = "stop") -> dict[str, object]:
    return {
        "validate": "list", "source": source, "error_type": error_type,
        "error_title": "Välj i listan", "error_message": message,
    }
