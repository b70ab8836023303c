"""The records the rules work on: a snapshot of the workbook as frozen records, and their results.

Each is a ``records.Record``: declared and behaving as a frozen dataclass (see records.py for why not one)."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from .records import Record, field
from datetime import date

from . import layout as L
from .personal_number import PersonalNumber


class Problem(Record):
    """One finding for the ``Kontroll`` sheet: where, how serious, and what to do (in Swedish).

    Its ``__init__`` is written out as ``Task``'s is (see there): thousands per ten-year workbook."""

    sheet: str
    cell: str
    severity: str  # layout.ERROR or layout.WARNING
    message: str

    def __init__(self, sheet: str, cell: str, severity: str, message: str) -> None:
        self.__dict__.update(sheet=sheet, cell=cell, severity=severity, message=message)

    def as_row(self) -> dict[str, object]:
        return {L.SHEET: self.sheet, L.CELL: self.cell, L.SEVERITY: self.severity, L.MESSAGE: self.message}


_CELL_REFERENCE = re.compile(r"^[A-Z]{1,3}[1-9]\d{0,6}(?::[A-Z]{1,3}[1-9]\d{0,6})?$")


class Link(Record):
    """A cell that shows ``cell`` and jumps to it on ``sheet`` when clicked (Kontroll's ``Cell``).

    The edges write it as the formula ``formula``; anywhere else it is just its text (``str``).
    """

    sheet: str
    cell: str

    def __str__(self) -> str:
        return self.cell

    @property
    def location(self) -> str:
        """The target as a workbook-internal reference: ``'Blad'!C5``."""
        return "'" + self.sheet.replace("'", "''") + "'!" + self.cell

    @property
    def formula(self) -> str:
        """``=HYPERLINK("#'Blad'!C5","C5")``: only functions LibreOffice and every Excel have."""
        return f'=HYPERLINK("#{_quoted(self.location)}","{_quoted(self.cell)}")'

    @staticmethod
    def to(sheet: str, cell: str) -> Link | str:
        """A link to ``cell`` of ``sheet``, or the plain text when ``cell`` is no cell address."""
        return Link(sheet, cell) if sheet and _CELL_REFERENCE.match(cell) else cell


def _quoted(text: str) -> str:
    return text.replace('"', '""')


def error(sheet: str, cell: str, message: str) -> Problem:
    return Problem(sheet, cell, L.ERROR, message)


def warning(sheet: str, cell: str, message: str) -> Problem:
    return Problem(sheet, cell, L.WARNING, message)


class Settings(Record):
    """The clinic's settings from ``Inställningar`` (defaults are BUP Skaraborg's routine)."""

    days_before_start: int = 14
    warning_days: int = 7
    care_guarantee_days: int = 30
    no_show_visit_type: str = "U2"
    no_show_text: str = "Uteblivet besök, ska betala"
    secondary_booking: str = "X"
    journal_heading: str = "BUP Vårdplan"
    journal_phrase: str = "{Subjekt} har deltagit vid följande tillfällen av {Grupp}. {Datum}."
    journal_phrase_none: str = "{Subjekt} har inte deltagit vid något av tillfällena i {Grupp}."
    archive_after_days: int = 30  # see docs/decisions.md (Arkivera avslutade grupper)
    version: str = L.CONTRACT_VERSION


# (setting name, Settings field, description shown in the sheet)
SETTING_FIELDS: tuple[tuple[str, str, str], ...] = (
    (L.DAYS_BEFORE_START, "days_before_start",
     "Listan ska vara klar och meddelad sekreteraren senast så många kalenderdagar före start."),
    (L.WARNING_DAYS, "warning_days",
     "Status blir Risk när sista dag för listan är högst så många dagar bort."),
    (L.CARE_GUARANTEE_DAYS, "care_guarantee_days",
     "Vårdgaranti i kalenderdagar (BUP:s förstärkta vårdgaranti 30; lagens gräns är 90)."),
    (L.NO_SHOW_VISIT_TYPE, "no_show_visit_type", "Besökstyp för uteblivet besök i Elvis."),
    (L.NO_SHOW_TEXT, "no_show_text", "Besökstypens text i Elvis."),
    (L.SECONDARY_BOOKING, "secondary_booking", "Sekundärbokningen som tas bort vid uteblivet besök."),
    (L.JOURNAL_HEADING, "journal_heading", "Rubrik (sökord) för journalanteckningen vid avslut."),
    (L.JOURNAL_PHRASE, "journal_phrase",
     "Frasen när minst ett tillfälle har deltagits. {Subjekt}, {Grupp} och {Datum} fylls i."),
    (L.JOURNAL_PHRASE_NONE, "journal_phrase_none",
     "Frasen när inget tillfälle har deltagits. {Subjekt} och {Grupp} fylls i."),
    (L.ARCHIVE_AFTER_DAYS, "archive_after_days",
     "Arkivera avslutade grupper flyttar en grupp först när sista tillfället var minst så många dagar sedan."),
    (L.VERSION, "version", "Arbetsbokens layoutversion. Ändra inte."),
)


class GroupType(Record):
    """A row of ``Grupptyper``: the codes a group type is registered with."""

    name: str
    attendee: str = ""
    visit_type: str = ""
    action_code: str = ""


class Group(Record):
    """A row of ``Grupper``. ``row`` is the Excel row number; unreadable values are ``None``."""

    row: int
    group_id: str
    group_type: str = ""
    attendee: str = ""
    start_date: date | None = None
    session_count: int | None = None
    max_participants: int | None = None
    group_leader: str = ""
    journal_at_end: bool = False
    roster_ready: date | None = None
    booked_in_elvis: date | None = None
    current: Mapping[str, object] = field(default_factory=dict)  # button-owned cells as they are now
    has_errors: bool = False
    error_columns: frozenset[str] = frozenset()  # the columns whose cells have errors, when known

    def usable_for(self, *columns: str) -> bool:
        """Whether a rule that needs only ``columns`` of this row can act on it: an error elsewhere
        on the row (say a typo in ``Lista klar``) does not hold back, for example, the export."""
        if not self.has_errors:
            return True
        if not self.error_columns:
            return False
        return not self.error_columns & {L.GROUP_ID, *columns}


class Attendance(enum.Enum):
    """What an attendance cell says."""

    ATTENDED = L.ATTENDED
    NO_SHOW = L.NO_SHOW
    CANCELLED = L.CANCELLED
    UNKNOWN = "?"  # a value that is none of the above (reported by the reader)


class Session(Record):
    """A session column ``T<number>`` of a group sheet, with its date and export mark.

    Its ``__init__`` is written out as ``Task``'s is (see there): one per session of every group."""

    number: int
    date: date | None
    registered: object = None  # the Registrerad cell as it is (a date once exported)

    def __init__(self, number: int, date: date | None, registered: object = None) -> None:
        self.__dict__.update(number=number, date=date, registered=registered)

    @property
    def column(self) -> str:
        return L.session_column(self.number)


class Participant(Record):
    """A participant row of a group sheet.

    Its ``__init__`` is written out as ``Task``'s is (see there): one per row of every group sheet."""

    row: int
    personal_number: PersonalNumber | None
    name: str = ""
    guardian: str = ""
    attendance: tuple[Attendance | None, ...] = ()  # per session; None = blank
    cancelled_date: date | None = None
    cancellation_reason: str = ""
    journal_text: str = ""
    has_errors: bool = False
    error_columns: frozenset[str] = frozenset()  # the columns whose cells have errors, when known

    def __init__(
        self, row: int, personal_number: PersonalNumber | None, name: str = "", guardian: str = "",
        attendance: tuple[Attendance | None, ...] = (), cancelled_date: date | None = None,
        cancellation_reason: str = "", journal_text: str = "", has_errors: bool = False,
        error_columns: frozenset[str] = frozenset(),
    ) -> None:
        self.__dict__.update(
            row=row, personal_number=personal_number, name=name, guardian=guardian, attendance=attendance,
            cancelled_date=cancelled_date, cancellation_reason=cancellation_reason, journal_text=journal_text,
            has_errors=has_errors, error_columns=error_columns,
        )

    def usable_for(self, session: Session) -> bool:
        """Whether this row can be acted on for ``session``: an error elsewhere on the row (say in
        another session's cell) does not hold back this session; one in the personnummer does."""
        if self.personal_number is None:
            return False
        if not self.has_errors:
            return True
        if not self.error_columns:
            return False
        return not self.error_columns & {L.PERSONAL_NUMBER, L.CANCELLED_DATE, session.column}

    def attendance_at(self, session: Session) -> Attendance | None:
        """The effective attendance: the cell, else ``Avbokad`` from ``Avbokad datum`` on, else blank."""
        index = session.number - 1
        value = self.attendance[index] if index < len(self.attendance) else None
        if value is not None:
            return value
        if self.cancelled_date is not None and session.date is not None and session.date >= self.cancelled_date:
            return Attendance.CANCELLED
        return None


class GroupSheet(Record):
    """A group's own sheet: its sessions and participants."""

    name: str
    sessions: tuple[Session, ...]
    participants: tuple[Participant, ...]
    header_row: int = L.GROUP_SHEET_HEADER_ROW

    @property
    def date_row(self) -> int:
        return self.header_row - 1

    @property
    def registered_row(self) -> int:
        return self.header_row - 2


class InterestRegistration(Record):
    """A row of ``Intresse`` (a 1177 interest registration)."""

    row: int
    received: date | None
    personal_number: PersonalNumber | None
    name: str = ""
    wished_group: str = ""
    sent_by: str = ""
    care_guarantee_from: date | None = None
    exemption: str = ""
    planning_entry: date | None = None
    group_id: str = ""
    current: Mapping[str, object] = field(default_factory=dict)
    has_errors: bool = False


class Task(Record):
    """A row of ``AttGora``. ``done`` is whatever the user wrote in ``Klar`` (blank = open).

    Its ``__init__`` is written out (the same parameters, in the fields' order, with their defaults):
    the records' shared one binds its arguments by name in Python, and ten years of rows make tens of
    thousands of tasks per click. Equality, hash, repr, immutability and ``replace`` are the records'.
    """

    key: str
    due: date | None
    text: str
    group_id: str = ""
    session: int | None = None
    date: date | None = None
    personal_number: PersonalNumber | None = None
    name: str = ""
    done: object = None
    created: date | None = None
    remark: str = ""
    extra: tuple[tuple[str, object], ...] = ()  # columns a user added to the table, carried along
    row: int | None = None  # its row on Att göra when read from there; None for a task not yet written

    def __init__(
        self, key: str, due: date | None, text: str, group_id: str = "", session: int | None = None,
        date: date | None = None, personal_number: PersonalNumber | None = None, name: str = "",
        done: object = None, created: date | None = None, remark: str = "",
        extra: tuple[tuple[str, object], ...] = (), row: int | None = None,
    ) -> None:
        # the instance's __dict__ filled in one call (frozen: there is no __setattr__ to go through)
        self.__dict__.update(
            key=key, due=due, text=text, group_id=group_id, session=session, date=date,
            personal_number=personal_number, name=name, done=done, created=created, remark=remark,
            extra=extra, row=row,
        )

    @property
    def is_done(self) -> bool:
        return self.done not in (None, "")

    @property
    def is_open(self) -> bool:
        """Something is still to be done: not ``Klar``, and not marked as no longer needed."""
        return not self.is_done and self.remark != L.REMARK_NOT_NEEDED

    @property
    def kind(self) -> str:
        return self.key.split(":", 1)[0]

    def as_row(self) -> dict[str, object]:
        """The row as Att göra's columns say it, in the table's order (checked below), then the users'
        own columns. Written as one dict display: half the time of zipping the columns with the values,
        for every task of ten years, once or twice a command."""
        row = {
            L.DUE: self.due, L.TASK: self.text, L.GROUP_ID: self.group_id, L.SESSION: self.session,
            L.DATE: self.date, L.NAME: self.name, L.DONE: self.done, L.PERSONAL_NUMBER: self.personal_number,
            L.REMARK: self.remark, L.CREATED: self.created, L.KEY: self.key,
        }
        if self.extra:
            row.update(self.extra)
        return row


if tuple(Task("", None, "").as_row()) != L.TASKS_TABLE.columns:  # the display above follows the table
    raise AssertionError("Task.as_row: the columns are not in Att göra's order")


class Workbook(Record):
    """Everything the rules read from one workbook, already validated cell by cell."""

    settings: Settings = Settings()
    group_types: Mapping[str, GroupType] = field(default_factory=dict)
    visit_types: Mapping[str, str] = field(default_factory=dict)
    cancellation_reasons: tuple[str, ...] = ()
    groups: tuple[Group, ...] = ()
    group_sheets: Mapping[str, GroupSheet] = field(default_factory=dict)
    interest: tuple[InterestRegistration, ...] = ()
    tasks: tuple[Task, ...] = ()
    problems: tuple[Problem, ...] = ()  # found while reading
    check_rows: tuple[tuple[str, ...], ...] = ()  # the Kontroll table as it is now
    statistics_rows: tuple[Mapping[str, object], ...] = ()  # the Statistik table as it is now
    archived_statistics: tuple[Mapping[str, object], ...] = ()  # the Arkivstatistik table (counts)
    # sheet name → column header → 1-based column, for every table and group sheet that was found
    columns: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    # Whether Grupper, Intresse and Att göra could be read with the columns that identify their rows;
    # when not, nothing derived from them is added, removed or marked (it is held until fixed).
    groups_readable: bool = True
    interest_readable: bool = True
    tasks_readable: bool = True
    # What the buttons last wrote into button-owned cells (Knappminne): (Tabell, Nyckel, Kolumn) → text.
    memory: Mapping[tuple[str, str, str], str] = field(default_factory=dict)
    # the visits already in Registrering: (GruppID, Tillfälle, personnummer's 12 digits)
    exported_visits: frozenset[tuple[str, int, str]] = frozenset()
    # … and by name, for a participant whose personnummer has since become unreadable: (GruppID, Tillfälle, Namn)
    exported_names: frozenset[tuple[str, int, str]] = frozenset()
    registration_missing: bool = False  # the Registrering table was not found (nothing can be exported)
    # the oldest Exporterad in Registrering: rows exported before it may have been cleared by the clinic
    registration_kept_from: date | None = None
    # group sheets renamed by hand: sheet name → the GruppID whose sheet it is (its tasks are held)
    renamed_sheets: Mapping[str, str] = field(default_factory=dict)

    def sheet_renamed(self, group_id: str) -> str | None:
        """The name a group's sheet was renamed to, or ``None``."""
        return next((name for name, owner in self.renamed_sheets.items() if owner == group_id), None)

    def address(self, sheet: str, row: int, column: str) -> str:
        """The A1 address of ``column`` in ``row`` of ``sheet`` (column A if the header is missing)."""
        from .cells import cell_address

        return cell_address(row, self.columns.get(sheet, {}).get(column, 1))

    def group(self, group_id: str) -> Group | None:
        return next((group for group in self.groups if group.group_id == group_id), None)


class CellWrite(Record):
    """Set one cell of a table row (``column`` is its header) or of a group sheet's rows 2–3."""

    sheet: str
    row: int
    column: str
    value: object


class TableRows(Record):
    """Replace (``append=False``) or extend a table's body with rows keyed by its headers."""

    table: str
    rows: tuple[Mapping[str, object], ...]
    append: bool = False


class NewGroupSheet(Record):
    """A group sheet to create from ``Gruppmall``: its name, title row and session dates (row 3)."""

    name: str
    title: str
    session_dates: tuple[date, ...]


class Outcome(Record):
    """What one button decided: the rows it reports, and the writes that make the workbook say so."""

    command: str
    today: date
    summary: str
    rows: tuple[Mapping[str, object], ...] = ()
    tasks: tuple[Task, ...] = ()
    problems: tuple[Problem, ...] = ()
    writes: tuple[CellWrite, ...] = ()
    tables: tuple[TableRows, ...] = ()
    new_sheets: tuple[NewGroupSheet, ...] = ()  # created before the writes are applied
    # Button-owned cells a person typed into, left as they are: (sheet, row, column header).
    kept: frozenset[tuple[str, int, str]] = frozenset()
    # Set by the tasks command, whose rows are its tasks: each row is the task's ``as_row()`` with this
    # one column added last, so the JSON text of a row gives the task's too (written once, not twice).
    rows_add_to_tasks: str | None = None

    @property
    def found_problems(self) -> bool:
        return bool(self.problems)
