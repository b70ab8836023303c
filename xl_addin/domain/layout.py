"""The workbook contract: every sheet, table, column and fixed value a user can see (SPEC §3).

Everything here is Swedish text used as data; the identifiers are English. Changing a name here is a
change of the contract: bump ``CONTRACT_VERSION`` and update ``docs/workbook.md``.
"""

from __future__ import annotations

import re
from .records import Record

CONTRACT_VERSION = "1.2"  # 1.1: the Statistik sheet; 1.2: Knappminne (and Att göra for people)

# Sheet names, in workbook order (group sheets go between GROUPS and INTEREST).
START = "Start"
GROUPS = "Grupper"
INTEREST = "Intresseanmälningar"
TASKS = "Att göra"
REGISTRATION = "Registrering"
CHECK = "Kontroll"
STATISTICS = "Statistik"
SETTINGS = "Inställningar"
CODES = "Koder"
LOG = "Logg"
MEMORY = "Knappminne"  # hidden: what the buttons last wrote into button-owned cells (contract 1.2)
GROUP_TEMPLATE = "Gruppmall"

FIXED_SHEETS = (
    START, GROUPS, INTEREST, TASKS, REGISTRATION, CHECK, STATISTICS, SETTINGS, CODES, LOG, MEMORY, GROUP_TEMPLATE,
)

STATUS_NAME = "Status"  # workbook-level defined name of the one-line status cell on Start
STATUS_CELL = "B3"  # where the template puts it (the code always goes through the name)


class Table(Record):
    """An Excel table of the contract: its name, sheet and header row, in order."""

    name: str
    sheet: str
    columns: tuple[str, ...]
    button_owned: tuple[str, ...] = ()
    anchor: str = "A1"  # top-left cell of the header row in the template
    aliases: tuple[tuple[str, str], ...] = ()  # (an earlier header, the column it now is), still read


# -- Grupper -------------------------------------------------------------------------------------
GROUP_ID = "GruppID"
GROUP_TYPE = "Grupp"
ATTENDEE = "Deltar"
START_DATE = "Startdatum"
SESSION_COUNT = "Antal tillfällen"
MAX_PARTICIPANTS = "Max deltagare"
GROUP_LEADER = "Gruppledare"
JOURNAL_AT_END = "Journalanteckning vid avslut"
ROSTER_READY = "Lista klar"
BOOKED_IN_ELVIS = "Bokad i Elvis"
ROSTER_DEADLINE = "Sista dag för lista"
STATUS = "Status"

GROUPS_TABLE = Table(
    name="Grupper",
    sheet=GROUPS,
    columns=(
        GROUP_ID, GROUP_TYPE, ATTENDEE, START_DATE, SESSION_COUNT, MAX_PARTICIPANTS, GROUP_LEADER,
        JOURNAL_AT_END, ROSTER_READY, BOOKED_IN_ELVIS, ROSTER_DEADLINE, STATUS,
    ),
    button_owned=(ROSTER_DEADLINE, STATUS),
)

# Values of Deltar (who attends the sessions) and the journal subject each one gives.
ATTENDEE_PATIENT = "Patient"
ATTENDEE_GUARDIAN = "Vårdnadshavare"
ATTENDEE_BOTH = "Patient och vårdnadshavare"
ATTENDEE_VALUES = (ATTENDEE_PATIENT, ATTENDEE_GUARDIAN, ATTENDEE_BOTH)

YES = "Ja"
NO = "Nej"

# Status values of Grupper.
ROSTER_OK = "OK"
ROSTER_LATE = "Sen"
ROSTER_AT_RISK = "Risk"
ROSTER_NOT_READY = "Ej klar"
ROSTER_INCOMPLETE = "Ofullständig"

# -- A group sheet -------------------------------------------------------------------------------
MAX_SESSIONS = 20
GROUP_SHEET_REGISTERED_LABEL = "Registrerad"  # row 2
GROUP_SHEET_DATE_LABEL = "Datum"  # row 3
GROUP_SHEET_TITLE_ROW = 1
GROUP_SHEET_REGISTERED_ROW = 2
GROUP_SHEET_DATE_ROW = 3
GROUP_SHEET_HEADER_ROW = 4
PERSONAL_NUMBER = "Personnummer"
NAME = "Namn"
GUARDIAN = "Vårdnadshavare"
CANCELLED_DATE = "Avbokad datum"
CANCELLATION_REASON = "Avbokningsorsak"
JOURNAL_TEXT = "Journaltext"
COMMENT = "Kommentar"
PARTICIPANT_LEADING_COLUMNS = (PERSONAL_NUMBER, NAME, GUARDIAN)
PARTICIPANT_TRAILING_COLUMNS = (CANCELLED_DATE, CANCELLATION_REASON, JOURNAL_TEXT, COMMENT)
SESSION_COLUMN = re.compile(r"^T([1-9]\d?)$")


def session_column(number: int) -> str:
    """The header of session ``number`` (1-based): ``T1`` … ``T20``."""
    return f"T{number}"


def participant_columns(session_count: int) -> tuple[str, ...]:
    """The header row of a group sheet's table with ``session_count`` session columns."""
    sessions = tuple(session_column(n) for n in range(1, session_count + 1))
    return PARTICIPANT_LEADING_COLUMNS + sessions + PARTICIPANT_TRAILING_COLUMNS


def group_table_name(group_id: str) -> str:
    """An Excel table name for a group sheet (letters, digits and underscores only)."""
    cleaned = re.sub(r"[^0-9A-Za-z_]", "_", group_id)
    return f"Deltagare_{cleaned}"


# Attendance values (the dropdown) and the short forms users type.
ATTENDED = "Deltog"
NO_SHOW = "Uteblev"
CANCELLED = "Avbokad"
ATTENDANCE_VALUES = (ATTENDED, NO_SHOW, CANCELLED)
ATTENDANCE_ALIASES = {
    "deltog": ATTENDED, "d": ATTENDED, "n": ATTENDED,
    "uteblev": NO_SHOW, "u": NO_SHOW,
    "avbokad": CANCELLED, "a": CANCELLED,
}

# -- Intresseanmälningar -------------------------------------------------------------------------
RECEIVED = "Inkom"
WISHED_GROUP = "Önskad grupp"
SENT_BY = "Anmälan från"
CARE_GUARANTEE_FROM = "Vårdgaranti från"
EXEMPTION = "Undantag"
PLANNING_ENTRY = "Planeringsunderlag"
CARE_GUARANTEE_DEADLINE = "Vårdgaranti senast"
SUGGESTION = "Förslag"

INTEREST_TABLE = Table(
    name="Intresse",
    sheet=INTEREST,
    columns=(
        RECEIVED, PERSONAL_NUMBER, NAME, WISHED_GROUP, SENT_BY, CARE_GUARANTEE_FROM, EXEMPTION,
        PLANNING_ENTRY, GROUP_ID, CARE_GUARANTEE_DEADLINE, SUGGESTION, STATUS,
    ),
    button_owned=(CARE_GUARANTEE_DEADLINE, SUGGESTION, STATUS),
)
SENDER_VALUES = (ATTENDEE_PATIENT, ATTENDEE_GUARDIAN)
EXEMPTION_VALUES = ("PVV", "MOV")

# -- Att göra ------------------------------------------------------------------------------------
KEY = "Nyckel"
DUE = "Förfaller"
TASK = "Uppgift"
SESSION = "Tillfälle"
DATE = "Datum"
DONE = "Klar"
CREATED = "Skapad"
REMARK = "Anmärkning"

# Anmärkning when a task's cause is gone: an open task is kept and marked (never removed, so a click
# never moves rows a co-author works in); a finished one is flagged, since Elvis may already be changed.
REMARK_NOT_NEEDED = "Behövs inte längre: orsaken finns inte längre"
REMARK_CAUSE_GONE = "Kontrollera: orsaken finns inte längre"

TASKS_TABLE = Table(
    name="AttGora",
    sheet=TASKS,
    # What a secretary reads first leads; the stable key stays, button-owned and hidden, at the end.
    columns=(DUE, TASK, GROUP_ID, SESSION, DATE, NAME, DONE, PERSONAL_NUMBER, REMARK, CREATED, KEY),
    button_owned=(DUE, TASK, GROUP_ID, SESSION, DATE, NAME, PERSONAL_NUMBER, REMARK, CREATED, KEY),
)
# The value the Klar dropdown offers; anything non-blank (a date, initials, x) also means done.
DONE_YES = "Ja"


# -- Registrering --------------------------------------------------------------------------------
EXPORTED = "Exporterad"
VISIT_DATE = "Besöksdatum"
ATTENDANCE = "Närvaro"
VISIT_TYPE = "Besökstyp"
ACTION_CODE = "Åtgärdskod"
ELVIS_ACTION = "Åtgärd i Elvis"

REGISTRATION_TABLE = Table(
    name="Registrering",
    sheet=REGISTRATION,
    columns=(
        EXPORTED, VISIT_DATE, GROUP_ID, GROUP_TYPE, SESSION, PERSONAL_NUMBER, NAME, ATTENDANCE,
        VISIT_TYPE, ACTION_CODE, ELVIS_ACTION,
    ),
    button_owned=(
        EXPORTED, VISIT_DATE, GROUP_ID, GROUP_TYPE, SESSION, PERSONAL_NUMBER, NAME, ATTENDANCE,
        VISIT_TYPE, ACTION_CODE, ELVIS_ACTION,
    ),
)

# -- Kontroll ------------------------------------------------------------------------------------
SHEET = "Blad"
CELL = "Cell"
SEVERITY = "Allvar"
MESSAGE = "Meddelande"
ERROR = "Fel"
WARNING = "Varning"

CHECK_TABLE = Table(
    name="Kontroll",
    sheet=CHECK,
    columns=(SHEET, CELL, SEVERITY, MESSAGE),
    button_owned=(SHEET, CELL, SEVERITY, MESSAGE),
)

# -- Statistik ----------------------------------------------------------------------------------
TERM = "Termin"
GROUPS_COUNT = "Grupper"
PARTICIPANTS = "Deltagare"
ATTENDANCE_RATE = "Närvaro %"
NO_SHOW_RATE = "Uteblivna %"
LATE_LISTS = "Sena listor"
PAST_GUARANTEE = "Över vårdgarantin"
_STATISTICS_COLUMNS = (
    TERM, GROUP_TYPE, GROUPS_COUNT, PARTICIPANTS, ATTENDANCE_RATE, NO_SHOW_RATE, LATE_LISTS, PAST_GUARANTEE,
)
STATISTICS_TABLE = Table(
    name="Statistik", sheet=STATISTICS, columns=_STATISTICS_COLUMNS, button_owned=_STATISTICS_COLUMNS,
)

# -- Arkivstatistik (on the Statistik sheet): raw counts of archived groups, no personal data ------
# Counts, not rates, so that Statistik can add live and archived groups of one term and recompute
# the rates (Närvaro % = Deltog / (Deltog + Uteblev + Avbokad)).
ARCHIVED_ATTENDED = "Deltog"
ARCHIVED_NO_SHOWS = "Uteblev"
ARCHIVED_CANCELLED = "Avbokad"
_ARCHIVED_STATISTICS_COLUMNS = (
    TERM, GROUP_TYPE, GROUPS_COUNT, PARTICIPANTS, ARCHIVED_ATTENDED, ARCHIVED_NO_SHOWS, ARCHIVED_CANCELLED,
    LATE_LISTS, PAST_GUARANTEE,
)
ARCHIVED_STATISTICS_TABLE = Table(
    name="Arkivstatistik", sheet=STATISTICS, columns=_ARCHIVED_STATISTICS_COLUMNS,
    button_owned=_ARCHIVED_STATISTICS_COLUMNS, anchor="V1",
)

# -- Inställningar -------------------------------------------------------------------------------
SETTING = "Inställning"
VALUE = "Värde"
DESCRIPTION = "Beskrivning"

SETTINGS_TABLE = Table(name="Installningar", sheet=SETTINGS, columns=(SETTING, VALUE, DESCRIPTION))

# Setting names.
DAYS_BEFORE_START = "Dagar före start"
WARNING_DAYS = "Varning dagar"
CARE_GUARANTEE_DAYS = "Vårdgaranti dagar"
NO_SHOW_VISIT_TYPE = "Besökstyp uteblivet"
NO_SHOW_TEXT = "Text uteblivet"
SECONDARY_BOOKING = "Sekundärbokning"
JOURNAL_HEADING = "Journalrubrik"
JOURNAL_PHRASE = "Journalfras"
JOURNAL_PHRASE_NONE = "Journalfras inget deltagande"
ARCHIVE_AFTER_DAYS = "Arkivera efter dagar"
VERSION = "Version"

# -- Koder ---------------------------------------------------------------------------------------
REASON = "Orsak"
GROUP_TYPES_TABLE = Table(
    name="Grupptyper", sheet=CODES, columns=(GROUP_TYPE, ATTENDEE, VISIT_TYPE, ACTION_CODE), anchor="A1"
)
VISIT_TYPE_CODE = "Besökstypkod"  # unique on Koder, where Grupptyper has a Besökstyp column too
VISIT_TYPES_TABLE = Table(name="Besokstyper", sheet=CODES, columns=(VISIT_TYPE_CODE, DESCRIPTION), anchor="G1",
                          aliases=((VISIT_TYPE, VISIT_TYPE_CODE),))
CANCELLATION_REASONS_TABLE = Table(name="Avbokningsorsaker", sheet=CODES, columns=(REASON,), anchor="J1")

# -- Logg ----------------------------------------------------------------------------------------
TIMESTAMP = "Tidpunkt"
USER = "Användare"
FUNCTION = "Funktion"
RESULT = "Resultat"
LOG_TABLE = Table(name="Logg", sheet=LOG, columns=(TIMESTAMP, USER, FUNCTION, RESULT),
                  button_owned=(TIMESTAMP, USER, FUNCTION, RESULT))

# -- Knappminne (hidden) ---------------------------------------------------------------------------
MEMORY_TABLE_NAME = "Knappminne"
MEMORY_TABLE_COLUMN = "Tabell"
MEMORY_KEY = "Nyckel"
MEMORY_COLUMN = "Kolumn"
MEMORY_VALUE = "Värde"
MEMORY_TABLE = Table(
    name=MEMORY_TABLE_NAME, sheet=MEMORY, columns=(MEMORY_TABLE_COLUMN, MEMORY_KEY, MEMORY_COLUMN, MEMORY_VALUE),
    button_owned=(MEMORY_TABLE_COLUMN, MEMORY_KEY, MEMORY_COLUMN, MEMORY_VALUE),
)

TABLES = (
    GROUPS_TABLE, INTEREST_TABLE, TASKS_TABLE, REGISTRATION_TABLE, CHECK_TABLE, STATISTICS_TABLE, SETTINGS_TABLE,
    GROUP_TYPES_TABLE, VISIT_TYPES_TABLE, CANCELLATION_REASONS_TABLE, LOG_TABLE, MEMORY_TABLE,
    ARCHIVED_STATISTICS_TABLE,
)

# Characters Excel forbids in a sheet name, and its length limit.
SHEET_NAME_FORBIDDEN = set("[]:*?/\\")
SHEET_NAME_MAX = 31

# -- The template: seeds, defined names, colours and the Start sheet (docs/workbook.md) ----------
WORKBOOK_TITLE = "BUP Gruppbokningar"

# Status values of Intresse (SPEC §4.6). A waiting row reads "Väntar (N dagar kvar)".
INTEREST_PLACED = "Placerad"
INTEREST_PLACED_LATE = "Placerad efter vårdgarantin"
INTEREST_WAITING = "Väntar"
INTEREST_AT_RISK = "Risk"
INTEREST_OVERDUE = "Överskriden"
INTEREST_EXEMPT = "Undantag"

# Koder as the template seeds it: (Grupp, Deltar); Besökstyp and Åtgärdskod are left for the clinic.
GROUP_TYPE_SEED: tuple[tuple[str, str], ...] = (
    ("ADHD Ung", ATTENDEE_PATIENT),
    ("Autism Ung", ATTENDEE_PATIENT),
    ("Mitt barn har autism", ATTENDEE_GUARDIAN),
    ("SKILLS", ATTENDEE_PATIENT),
    ("Autism i vardagen", ATTENDEE_GUARDIAN),
)
CANCELLATION_REASON_SEED: tuple[str, ...] = (
    "Sjukdom", "Familjen avstår", "Fått annan insats", "Flyttat", "Annan orsak",
)

# Workbook-level defined names the dropdowns use (plain ranges, so LibreOffice reads them too).
GROUP_TYPE_LIST_NAME = "Lista_Grupptyper"
CANCELLATION_REASON_LIST_NAME = "Lista_Avbokningsorsaker"

# Fills of the conditional formats (Excel's own "good / bad / neutral" palette) and of the headers
# of button-owned columns.
FILL_GREEN = "#C6EFCE"
FILL_RED = "#FFC7CE"
FILL_YELLOW = "#FFEB9C"
FILL_GREY = "#D9D9D9"
FILL_BUTTON_OWNED_HEADER = "#BFBFBF"

# The buttons on Start, in order, each with its one-line instruction.
BUTTON_CHECK = "Kontrollera"
BUTTON_FLAG_LATE_ROSTERS = "Flagga sena listor"
BUTTON_MARK_NO_SHOWS = "Markera uteblivanden"
BUTTON_JOURNAL_PHRASES = "Skapa journaltexter"
BUTTON_EXPORT_REGISTRATIONS = "Exportera registreringslista"
BUTTON_PLAN_INTEREST = "Intresseanmälningar"
BUTTON_NEW_GROUPS = "Ny grupp"
BUTTON_UPDATE_ALL = "Uppdatera allt"
BUTTON_ARCHIVE = "Arkivera avslutade grupper"
BUTTON_HELP: tuple[tuple[str, str], ...] = (
    (BUTTON_CHECK, "Granskar hela arbetsboken och listar fel med celladress på bladet Kontroll."),
    (BUTTON_FLAG_LATE_ROSTERS,
     "Räknar ut sista dag för gruppens lista och markerar grupper som är sena eller i riskzonen."),
    (BUTTON_MARK_NO_SHOWS,
     "Uteblivanden vid tillfällen som har varit och alla avbokningar, även av kommande tillfällen, blir "
     "uppgifter på Att göra."),
    (BUTTON_JOURNAL_PHRASES, "Skriver journaltext (BUP Vårdplan) för avslutade grupper som ska ha det."),
    (BUTTON_EXPORT_REGISTRATIONS,
     "Listar besök att registrera i Elvis på bladet Registrering och fyller i raden Registrerad."),
    (BUTTON_PLAN_INTEREST, "Räknar ut vårdgaranti, föreslår grupp och markerar väntande anmälningar."),
    (BUTTON_NEW_GROUPS, "Skapar ett gruppblad för varje ny rad i Grupper, med datum för tillfällena."),
    (BUTTON_UPDATE_ALL, "Kör alla knappar ovan i tur och ordning."),
    (BUTTON_ARCHIVE,
     "Flyttar helt avslutade grupper till en ny arkivfil och tar bort dem härifrån; statistiken finns kvar."),
)

# Every button: (caption on Start, Sub in xl_addin/vba/Knappar.bas, function in xl_addin.buttons), in
# the order of the Start sheet. Tests check that the three agree.
BUTTONS: tuple[tuple[str, str, str], ...] = (
    (BUTTON_CHECK, "Kontrollera", "check"),
    (BUTTON_FLAG_LATE_ROSTERS, "FlaggaSenaListor", "flag_late_rosters"),
    (BUTTON_MARK_NO_SHOWS, "MarkeraUteblivanden", "mark_no_shows"),
    (BUTTON_JOURNAL_PHRASES, "SkapaJournaltexter", "journal_phrases"),
    (BUTTON_EXPORT_REGISTRATIONS, "ExporteraRegistreringslista", "export_registrations"),
    (BUTTON_PLAN_INTEREST, "Intresseanmalningar", "plan_interest"),
    (BUTTON_NEW_GROUPS, "NyGrupp", "new_groups"),
    (BUTTON_UPDATE_ALL, "UppdateraAllt", "refresh_all"),
    (BUTTON_ARCHIVE, "ArkiveraAvslutadeGrupper", "archive"),
)

# -- Start: the live summary (formulas; no click needed) -------------------------------------------
# A fixed, product-owned cell on every group sheet (and Gruppmall) counts the sessions waiting for
# registration; Start adds them up over the sheets between Grupper and Intresseanmälningar.
GROUP_SHEET_PENDING_LABEL = "Att registrera:"
GROUP_SHEET_PENDING_LABEL_CELL = "A2"
GROUP_SHEET_PENDING_CELL = "B2"
SUMMARY_TITLE = "Just nu"
SUMMARY_OPEN_TASKS = "Öppna uppgifter"
SUMMARY_OVERDUE_TASKS = "varav försenade"
SUMMARY_SESSIONS_TO_REGISTER = "Tillfällen att registrera"
SUMMARY_LISTS_AT_RISK = "Listor i riskzonen"
SUMMARY_LATE_LISTS = "Sena eller ofullständiga listor"
SUMMARY_NOTES = ("Räknas om av sig själv.", "Klicka på en rad för att gå till bladet.")


# Sheet buttons for xlwings Lite: one named shape per button over its cell in column A of Start, the
# cell its hyperlink points at, and the ``@script(button="[name]Start!cell")`` in main.py. A button's
# row is its line of BUTTON_HELP; a button without a line goes below them, in the order of BUTTONS.
START_BUTTON_COLUMN = "A"
START_FIRST_BUTTON_ROW = 5


def button_shape_name(sub: str) -> str:
    """The name of a button's shape on Start (Excel shape names: no spaces, unique on the sheet)."""
    return f"btn_{sub}"


def _start_button_cells() -> dict[str, str]:
    helped = [caption for caption, _ in BUTTON_HELP]
    cells: dict[str, str] = {}
    extra = 0
    for caption, _sub, _function in BUTTONS:
        if caption in helped:
            row = START_FIRST_BUTTON_ROW + helped.index(caption)
        else:
            row = START_FIRST_BUTTON_ROW + len(helped) + extra
            extra += 1
        cells[caption] = f"{START_BUTTON_COLUMN}{row}"
    return cells


START_BUTTON_CELLS: dict[str, str] = _start_button_cells()  # caption -> cell on Start, e.g. "A5"
