"""Writes a printable one-page attendance sheet (närvarolista) for one session of one group.

For group leaders who take attendance on paper and type it into the group's sheet afterwards. The
page is built as an A4 workbook with XlsxWriter and turned into a PDF by LibreOffice when it is
installed; without LibreOffice the ``.xlsx`` itself is kept (Excel prints it on one A4 page).

Privacy: paper is easily left lying about, so the page shows the personnummer masked to the birth
date (``20120315-****``), never in full. Name plus birth date identifies the participant well enough
for the leader; the secretary works from the workbook.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from ..domain.records import Record
from datetime import datetime
from pathlib import Path

from ..domain import layout as L
from ..domain.errors import OutputExists, UserError
from ..domain.model import Attendance, GroupSheet, Participant, Session, Workbook
from .writer import atomic_write

TITLE = "Närvarolista"
CHECKBOX = "\u2610"  # ☐, an empty ballot box the leader ticks with a pen
WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
CONVERSION_TIMEOUT = 120  # seconds; LibreOffice's first start on a cold machine can take 15–30 s

COLUMN_NUMBER = "Nr"
COLUMN_PERSONAL_NUMBER = "Personnummer"
COLUMN_NOTE = "Anteckning"
MASK_NOTE = "Personnummer visas utan de fyra sista siffrorna."
SIGNATURE = "Signatur gruppledare"
CLARIFICATION = "Namnförtydligande"
PRIVACY_NOTE = (
    "Listan innehåller personuppgifter. Förvara den inlåst och förstör den i dokumentförstörare "
    "när närvaron är införd i arbetsboken."
)


class _Line(Record):
    """One participant on the page."""

    name: str
    personal_number: str
    guardian: str
    marked: str | None  # the column to pre-tick (a value already in the workbook), or None
    note: str


def attendance_sheet_name(group_id: str, session: Session, suffix: str = ".pdf") -> str:
    """``Närvarolista ADHDUng-2609 T5 2026-10-14.pdf`` (no date part when the session has none)."""
    day = f" {session.date.isoformat()}" if session.date else ""
    return f"{TITLE} {group_id} {session.column}{day}{suffix}"


def choose_session(sheet: GroupSheet, number: int | None) -> Session:
    """Session ``number`` (1-based), or when None the first session nobody's attendance is filled in for.

    That is the one a leader prints for: sessions already taken on paper and typed in are skipped.
    """
    if not sheet.sessions:
        raise UserError("Gruppen har inga tillfällen (kolumner T1, T2 …) på sitt blad.", sheet=sheet.name)
    if number is not None:
        for session in sheet.sessions:
            if session.number == number:
                return session
        raise UserError(
            f"Gruppen har {len(sheet.sessions)} tillfällen; välj ett tillfälle från 1 till {len(sheet.sessions)}.",
            sheet=sheet.name,
        )
    for session in sheet.sessions:
        index = session.number - 1
        if not any(index < len(p.attendance) and p.attendance[index] is not None for p in sheet.participants):
            return session
    raise UserError(
        "Alla tillfällen har redan närvaro ifylld. Ange vilket tillfälle listan gäller (--session N).",
        sheet=sheet.name,
    )


def participants_once(participants: Sequence[Participant]) -> list[tuple[Participant, tuple[int, ...]]]:
    """Each participant once, in sheet order, with the sheet rows they stand on.

    A personnummer on several rows (Kontrollera flags the later ones as duplicates) is one child: it
    is listed at its first row, and the page asks the leader to check the sheet. Rows without a usable
    personnummer cannot be compared and are listed as they are.
    """
    rows: dict[object, list[Participant]] = {}
    for participant in participants:
        if not (participant.name or participant.personal_number):
            continue
        key = participant.personal_number.digits if participant.personal_number else ("rad", participant.row)
        rows.setdefault(key, []).append(participant)
    return [(same[0], tuple(p.row for p in same)) for same in rows.values()]


def _joined(numbers: Sequence[int]) -> str:
    texts = [str(number) for number in numbers]
    return texts[0] if len(texts) == 1 else f"{', '.join(texts[:-1])} och {texts[-1]}"


def _line(participant: Participant, session: Session, show_guardian: bool, rows: Sequence[int] = ()) -> _Line:
    number = participant.personal_number.masked if participant.personal_number else "–"
    state = participant.attendance_at(session)
    note = ""
    marked = None
    if state is Attendance.CANCELLED:
        marked = L.CANCELLED
        cell = participant.attendance[session.number - 1] if session.number <= len(participant.attendance) else None
        if cell is None and participant.cancelled_date:
            note = f"Slutat {participant.cancelled_date.isoformat()}"
    elif state is Attendance.ATTENDED:
        marked = L.ATTENDED
    elif state is Attendance.NO_SHOW:
        marked = L.NO_SHOW
    elif state is Attendance.UNKNOWN:
        note = "Okänt värde i arbetsboken – kontrollera"
    if participant.personal_number is None:
        note = (note + "; " if note else "") + "Kontrollera personnumret i arbetsboken"
    if len(rows) > 1:
        note = (note + "; " if note else "") + f"Står på rad {_joined(rows)} i gruppbladet – kontrollera"
    return _Line(participant.name, number, participant.guardian if show_guardian else "", marked, note)


def build_attendance_workbook(workbook: Workbook, group_id: str, session: Session) -> bytes:
    """The one-page A4 attendance sheet as ``.xlsx`` bytes (XlsxWriter; same input, same bytes)."""
    import xlsxwriter

    sheet = workbook.group_sheets[group_id]
    group = workbook.group(group_id)
    group_type = group.group_type if group else ""
    leader = group.group_leader if group else ""
    attendee = group.attendee if group else ""
    show_guardian = attendee in (L.ATTENDEE_GUARDIAN, L.ATTENDEE_BOTH) or any(p.guardian for p in sheet.participants)
    lines = [_line(p, session, show_guardian, rows) for p, rows in participants_once(sheet.participants)]

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                        "strings_to_urls": False})
    book.set_properties({"title": f"{TITLE} {group_id} {session.column}", "author": L.WORKBOOK_TITLE,
                         "created": datetime(2026, 1, 1)})
    add = book.add_format
    title = add({"bold": True, "font_size": 18})
    subtitle = add({"bold": True, "font_size": 13})
    plain = add({"font_size": 11})
    small = add({"font_size": 9, "italic": True, "text_wrap": True, "valign": "top"})
    header = add({"bold": True, "border": 1, "bg_color": "#D9D9D9", "align": "center", "valign": "vcenter",
                  "text_wrap": True})
    cell = add({"border": 1, "valign": "vcenter", "text_wrap": True, "font_size": 11})
    centred = add({"border": 1, "align": "center", "valign": "vcenter", "font_size": 11})
    box = add({"border": 1, "align": "center", "valign": "vcenter", "font_size": 16})
    ticked = add({"border": 1, "align": "center", "valign": "vcenter", "font_size": 14, "bold": True})
    line = add({"bottom": 1})

    page = book.add_worksheet(TITLE)
    columns = [COLUMN_NUMBER, L.NAME, COLUMN_PERSONAL_NUMBER]
    widths = [3.5, 24 if show_guardian else 28, 14.5]
    if show_guardian:
        columns.append(L.GUARDIAN)
        widths.append(21)
    columns += [L.ATTENDED, L.NO_SHOW, L.CANCELLED, COLUMN_NOTE]
    widths += [7.5, 7.5, 7.5, 20 if show_guardian else 34]
    for index, width in enumerate(widths):
        page.set_column(index, index, width)
    last_col = len(columns) - 1

    page.write_string(0, 0, TITLE, title)
    page.set_row(0, 26)
    page.write_string(1, 0, " – ".join(part for part in (group_type, group_id) if part), subtitle)
    when = f"Tillfälle {session.number} av {len(sheet.sessions)}"
    if session.date:
        when += f", {WEEKDAYS[session.date.weekday()]} {session.date.isoformat()}"
    page.write_string(2, 0, when, plain)
    page.write_string(3, 0, f"{L.GROUP_LEADER}: {leader}" if leader else f"{L.GROUP_LEADER}:", plain)
    if attendee:
        page.write_string(4, 0, f"Deltar: {attendee}", plain)

    top = 6
    page.set_row(top, 30)
    for index, name in enumerate(columns):
        page.write_string(top, index, name, header)
    for offset, entry in enumerate(lines, start=1):
        row = top + offset
        page.set_row(row, 26)
        values = {COLUMN_NUMBER: offset, L.NAME: entry.name, COLUMN_PERSONAL_NUMBER: entry.personal_number,
                  L.GUARDIAN: entry.guardian, COLUMN_NOTE: entry.note}
        for index, name in enumerate(columns):
            if name in (L.ATTENDED, L.NO_SHOW, L.CANCELLED):
                if entry.marked == name:
                    page.write_string(row, index, "X", ticked)
                else:
                    page.write_string(row, index, CHECKBOX, box)
            elif name == COLUMN_NUMBER:
                page.write_number(row, index, offset, centred)
            elif name == COLUMN_PERSONAL_NUMBER:
                page.write_string(row, index, values[name], centred)
            else:
                page.write_string(row, index, str(values[name] or ""), cell)
    for spare in range(2):  # room for someone who joins on the day
        row = top + len(lines) + 1 + spare
        page.set_row(row, 26)
        for index, name in enumerate(columns):
            if name in (L.ATTENDED, L.NO_SHOW, L.CANCELLED):
                page.write_string(row, index, CHECKBOX, box)
            else:
                page.write_blank(row, index, None, cell)
    end = top + len(lines) + 3

    page.merge_range(end, 0, end, last_col, MASK_NOTE, small)
    page.set_row(end + 2, 30)
    page.write_string(end + 2, 0, f"Antal som deltog: ______ av {len(lines)}", plain)
    page.set_row(end + 4, 30)
    page.write_string(end + 4, 0, f"{SIGNATURE}:", plain)
    signature_end = min(last_col, 3)
    page.merge_range(end + 4, 2, end + 4, signature_end, "", line)
    page.write_string(end + 4, signature_end + 1, f"{CLARIFICATION}:", plain)
    page.merge_range(end + 4, signature_end + 3, end + 4, last_col, "", line)
    page.set_row(end + 6, 30)
    register = (f"För in närvaron på bladet {group_id}, kolumn {session.column}, samma dag. "
                "Sekreteraren registrerar besöken i Elvis dagen efter tillfället.")
    page.merge_range(end + 6, 0, end + 6, last_col, register, small)
    page.set_row(end + 7, 30)
    page.merge_range(end + 7, 0, end + 7, last_col, PRIVACY_NOTE, small)

    page.set_paper(9)  # A4
    page.set_portrait()
    page.set_margins(left=0.6, right=0.6, top=0.7, bottom=0.7)
    page.center_horizontally()
    page.fit_to_pages(1, 1)
    page.print_area(0, 0, end + 7, last_col)
    page.set_footer(f"&L{group_id} {session.column}&R{L.WORKBOOK_TITLE}")
    page.hide_gridlines(2)
    book.close()
    return buffer.getvalue()


def find_soffice() -> str | None:
    """LibreOffice's ``soffice``, if installed (``$SOFFICE``, PATH, then the usual folders)."""
    candidates = [os.environ.get("SOFFICE", ""), shutil.which("soffice") or "", shutil.which("libreoffice") or "",
                  "/usr/lib/libreoffice/program/soffice", "/Applications/LibreOffice.app/Contents/MacOS/soffice",
                  r"C:\Program Files\LibreOffice\program\soffice.exe"]
    return next((path for path in candidates if path and os.path.isfile(path)), None)


def convert_to_pdf(xlsx: bytes, soffice: str | None = None, *, timeout: float = CONVERSION_TIMEOUT) -> bytes | None:
    """The PDF LibreOffice prints from ``xlsx``, or None when it is missing, fails or takes too long.

    LibreOffice runs with a throw-away profile, so it never touches (or waits for) a user's own.
    """
    soffice = soffice or find_soffice()
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory(prefix="narvarolista-") as folder:
        folder_path = Path(folder)
        source = folder_path / "narvarolista.xlsx"
        source.write_bytes(xlsx)
        profile = folder_path / "profil"
        command = [soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--invisible",
                   "--norestore", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(folder_path), str(source)]
        try:
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       start_new_session=os.name != "nt")
        except OSError:
            return None
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            if os.name != "nt":
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
            process.wait()
            return None
        pdf = folder_path / "narvarolista.pdf"
        if process.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
            return None
        return pdf.read_bytes()


def write_attendance_sheet(
    workbook: Workbook, group_id: str, session_number: int | None, directory: Path, *, force: bool = False
) -> Path:
    """Write the attendance sheet of ``group_id``'s session into ``directory``; return the file written.

    The file is a PDF when LibreOffice is installed, else the ``.xlsx`` to print from Excel (see
    ``describe``). ``session_number`` None picks the first session with no attendance filled in yet.
    Raises ``UserError`` (Swedish) for an unknown group or session, ``OutputExists`` for an existing
    file without ``force``.
    """
    sheet = workbook.group_sheets.get(group_id)
    if sheet is None:
        known = ", ".join(sorted(workbook.group_sheets)) or "inga"
        raise UserError(f"Det finns inget gruppblad som heter {group_id}. Gruppblad i arbetsboken: {known}.")
    session = choose_session(sheet, session_number)
    directory = Path(directory)
    pdf_path = directory / attendance_sheet_name(group_id, session, ".pdf")
    xlsx_path = directory / attendance_sheet_name(group_id, session, ".xlsx")
    if not force:
        for path in (pdf_path, xlsx_path):
            if path.exists():
                raise OutputExists(f"Filen {path.name} finns redan i {path.parent}. Ange --force för att ersätta den.")
    xlsx = build_attendance_workbook(workbook, group_id, session)
    pdf = convert_to_pdf(xlsx)
    if pdf is not None:
        return atomic_write(pdf_path, lambda stream: stream.write(pdf), force=force)
    return atomic_write(xlsx_path, lambda stream: stream.write(xlsx), force=force)


def describe(path: Path) -> str:
    """The Swedish line to show after ``write_attendance_sheet``: where the file is and how to print it."""
    path = Path(path)
    if path.suffix.lower() == ".pdf":
        return f"Skrev närvarolistan: {path}. Skriv ut den på A4 (stående)."
    return (
        f"Skrev närvarolistan som Excel-fil: {path}. Det gick inte att göra en PDF (LibreOffice finns inte på "
        "den här datorn). Öppna filen i Excel och välj Arkiv → Skriv ut; sidan är redan inställd på ett "
        "A4-ark i stående format. Vill du ha en PDF: välj Arkiv → Spara som → PDF."
    )
