"""Writes the corpus of bad workbook files the command line must survive (issue 6, SPEC §6).

Run ``python tests/corpus/make_corpus.py DIR`` to write every case into ``DIR``; the tests call
:func:`build_corpus`. Nothing here is a binary blob: every file is generated, most of them from the
real template (``xl_addin.template.write_workbook``) with one thing broken, so a test can check that
the broken thing is reported at its cell and everything else is still processed.

Each :class:`Case` states what the product must do with it: exit code 2 with one Swedish line on
stderr for a file that cannot be used, or exit 0/1 with the listed ``Kontroll`` rows (sheet, cell and
a fragment of the message) for a readable file. All cases are read "as of" :data:`TODAY`.

The base workbook (:func:`base_content`) has two groups with sheets and one without:

- ``ADHD-2609`` (ADHD Ung, Patient): Wednesdays 2026-09-02 … 2026-09-23, list on time, booked;
  participants on rows 5–8, columns D–G are T1–T4, T1 is exported (row 2, and its four rows in
  ``Registrering``).
- ``Mitt-2609`` (Mitt barn har autism, Vårdnadshavare, journal at the end): Thursdays 2026-09-03 …
  2026-09-17, list reported late, not booked; rows 5–7, columns D–F are T1–T3; row 6 has a journal
  text a user typed.
- ``ADHD-2611``: starts 2026-11-04, list not ready (Risk), no sheet yet.
- Two interest registrations on rows 2–3 of ``Intresse``.

Every name is invented and every personnummer fictional (serial numbers 900–999).
"""

from __future__ import annotations

import io
import re
import struct
import sys
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from xl_addin.domain.records import replace
from datetime import date
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from xl_addin.domain import layout as L
from xl_addin.domain.personal_number import PersonalNumber, make_personal_number
from xl_addin.template import GroupSheetContent, WorkbookContent, write_workbook

TODAY = date(2026, 10, 14)  # a Wednesday
D, U, A = L.ATTENDED, L.NO_SHOW, L.CANCELLED

# -- the base workbook ----------------------------------------------------------------------------
# (name, guardian, birth date, serial): invented people; their names and numbers must never leak.
PEOPLE = (
    ("Korpusa Exempelsdotter", "Förälder Exempelsdotter", date(2011, 4, 7), 911),
    ("Prövo Testbergsson", "Vårdare Testbergsson", date(2012, 2, 29), 912),
    ("Fiktiva Låtsasgren", "Förälder Låtsasgren", date(2010, 12, 1), 913),
    ("Påhitto Mallqvist", "Vårdare Mallqvist", date(2013, 6, 30), 914),
    ("Exempla Provlund", "Förälder Provlund", date(2015, 1, 15), 915),
    ("Demonia Skissberg", "Vårdare Skissberg", date(2016, 8, 8), 916),
    ("Övnia Utkastström", "Förälder Utkastström", date(2014, 3, 3), 917),
    ("Testrik Fejksson", "Vårdare Fejksson", date(2011, 11, 11), 918),
    ("Låtsia Dummydotter", "Förälder Dummydotter", date(2012, 9, 19), 919),
)


def person_number(index: int) -> PersonalNumber:
    _name, _guardian, birth, serial = PEOPLE[index]
    return make_personal_number(birth, serial)


def person_name(index: int) -> str:
    return PEOPLE[index][0]


GROUP_TYPES = (
    {L.GROUP_TYPE: "ADHD Ung", L.ATTENDEE: L.ATTENDEE_PATIENT, L.VISIT_TYPE: "Gruppbesök", L.ACTION_CODE: "DU011"},
    {L.GROUP_TYPE: "Mitt barn har autism", L.ATTENDEE: L.ATTENDEE_GUARDIAN, L.VISIT_TYPE: "Gruppbesök",
     L.ACTION_CODE: "GB009"},
)
VISIT_TYPES = (
    {L.VISIT_TYPE_CODE: "U2", L.DESCRIPTION: "Uteblivet besök, ska betala"},
    {L.VISIT_TYPE_CODE: "Gruppbesök", L.DESCRIPTION: "Besök i grupp"},
)
ADHD, MITT, LATER = "ADHD-2609", "Mitt-2609", "ADHD-2611"
ADHD_DATES = (date(2026, 9, 2), date(2026, 9, 9), date(2026, 9, 16), date(2026, 9, 23))
MITT_DATES = (date(2026, 9, 3), date(2026, 9, 10), date(2026, 9, 17))
USER_JOURNAL_TEXT = "BUP Vårdplan\nEgen text som en sekreterare skrev."


def _group(group_id: str, group_type: str, attendee: str, start: object, sessions: int, *, journal: bool = False,
           ready: object = None, booked: object = None, leader: str = "Psykolog Exempelsson") -> dict[str, object]:
    return {
        L.GROUP_ID: group_id, L.GROUP_TYPE: group_type, L.ATTENDEE: attendee, L.START_DATE: start,
        L.SESSION_COUNT: sessions, L.MAX_PARTICIPANTS: 8, L.GROUP_LEADER: leader,
        L.JOURNAL_AT_END: L.YES if journal else L.NO, L.ROSTER_READY: ready, L.BOOKED_IN_ELVIS: booked,
    }


def _participant(index: int, attendance: tuple[object, ...], **extra: object) -> dict[str, object]:
    name, guardian, _birth, _serial = PEOPLE[index]
    row: dict[str, object] = {L.PERSONAL_NUMBER: person_number(index), L.NAME: name, L.GUARDIAN: guardian}
    row.update({L.session_column(number): value for number, value in enumerate(attendance, start=1)})
    row.update(extra)
    return row


def base_content() -> WorkbookContent:
    """The good workbook every readable case starts from (see the module docstring)."""
    return WorkbookContent(
        groups=(
            _group(ADHD, "ADHD Ung", L.ATTENDEE_PATIENT, ADHD_DATES[0], 4, ready=date(2026, 8, 10),
                   booked=date(2026, 8, 12)),
            _group(MITT, "Mitt barn har autism", L.ATTENDEE_GUARDIAN, MITT_DATES[0], 3, journal=True,
                   ready=date(2026, 8, 25)),
            _group(LATER, "ADHD Ung", L.ATTENDEE_PATIENT, date(2026, 11, 4), 4),
        ),
        group_sheets=(
            GroupSheetContent(ADHD, f"ADHD Ung – {ADHD}", ADHD_DATES, registered=(date(2026, 9, 3),), participants=(
                _participant(0, (D, D, U, D)),
                _participant(1, (D, U, D, D)),
                _participant(2, (D, D, D, A)),
                _participant(3, (U, D, D, D)),
            )),
            GroupSheetContent(MITT, f"Mitt barn har autism – {MITT}", MITT_DATES, participants=(
                _participant(4, (D, D, D)),
                _participant(5, (D, U, D), **{L.JOURNAL_TEXT: USER_JOURNAL_TEXT}),
                _participant(6, (U, U, U)),
            )),
        ),
        interest=(
            {L.RECEIVED: date(2026, 9, 20), L.PERSONAL_NUMBER: person_number(7), L.NAME: person_name(7),
             L.WISHED_GROUP: "ADHD Ung", L.SENT_BY: L.ATTENDEE_PATIENT, L.PLANNING_ENTRY: date(2026, 9, 21)},
            {L.RECEIVED: date(2026, 10, 1), L.PERSONAL_NUMBER: person_number(8), L.NAME: person_name(8),
             L.WISHED_GROUP: "Mitt barn har autism", L.SENT_BY: L.ATTENDEE_GUARDIAN},
        ),
        registration=tuple(_exported_t1()),
        group_types=GROUP_TYPES,
        visit_types=VISIT_TYPES,
    )


def _exported_t1() -> list[dict[str, object]]:
    """The Registrering rows of ADHD-2609's T1, whose Registrerad cell says it was exported 2026-09-03."""
    return [
        {L.EXPORTED: date(2026, 9, 3), L.VISIT_DATE: ADHD_DATES[0], L.GROUP_ID: ADHD, L.GROUP_TYPE: "ADHD Ung",
         L.SESSION: 1, L.PERSONAL_NUMBER: person_number(index), L.NAME: person_name(index), L.ATTENDANCE: attendance,
         L.VISIT_TYPE: "Gruppbesök" if attendance == D else "U2", L.ACTION_CODE: "DU011" if attendance == D else "",
         L.ELVIS_ACTION: ""}
        for index, attendance in ((0, D), (1, D), (2, D), (3, U))
    ]


def _with_participant(content: WorkbookContent, sheet: str, row_index: int, **changes: object) -> WorkbookContent:
    """``content`` with cells of one participant row (0-based index on ``sheet``) changed."""
    sheets = []
    for group_sheet in content.group_sheets:
        if group_sheet.group_id == sheet:
            rows = [dict(row) for row in group_sheet.participants]
            rows[row_index].update(changes)
            group_sheet = replace(group_sheet, participants=tuple(rows))
        sheets.append(group_sheet)
    return replace(content, group_sheets=tuple(sheets))


def _with_group(content: WorkbookContent, row_index: int, **changes: object) -> WorkbookContent:
    rows = [dict(row) for row in content.groups]
    rows[row_index].update(changes)
    return replace(content, groups=tuple(rows))


def _with_interest(content: WorkbookContent, row_index: int, **changes: object) -> WorkbookContent:
    rows = [dict(row) for row in content.interest]
    rows[row_index].update(changes)
    return replace(content, interest=tuple(rows))


def _with_session_dates(content: WorkbookContent, sheet: str, dates: tuple[object, ...]) -> WorkbookContent:
    return replace(content, group_sheets=tuple(
        replace(group_sheet, session_dates=dates) if group_sheet.group_id == sheet else group_sheet
        for group_sheet in content.group_sheets
    ))


# -- editing the parts of a written workbook -------------------------------------------------------
def _rewrite_zip(path: Path, edit: Callable[[str, bytes], bytes | None], extra: Mapping[str, bytes] = {}) -> None:
    """Rewrite every member through ``edit(name, data)`` (``None`` drops it) and add ``extra``."""
    with zipfile.ZipFile(path) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            data = edit(name, data)
            if data is not None:
                archive.writestr(name, data)
        for name, data in extra.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())


def sheet_part(path: Path, sheet: str) -> str:
    """The zip member that holds worksheet ``sheet`` (XlsxWriter numbers them in workbook order)."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    escaped = sheet.replace("&", "&amp;")
    rel_id = re.search(rf'<sheet name="{re.escape(escaped)}" sheetId="\d+" r:id="(rId\d+)"', workbook).group(1)
    return "xl/" + re.search(rf'Id="{rel_id}" Type="[^"]+" Target="([^"]+)"', rels).group(1).lstrip("/")


def _patch_sheet(path: Path, sheet: str, edit: Callable[[bytes], bytes]) -> None:
    part = sheet_part(path, sheet)
    _rewrite_zip(path, lambda name, data: edit(data) if name == part else data)


def _replace_marker(xml: bytes, marker: int, cell: str) -> bytes:
    """Replace the numeric cell holding ``marker`` by ``cell`` (its inner XML and ``t``)."""
    pattern = re.compile(rb'<c r="([A-Z]+\d+)"( s="\d+")?><v>' + str(marker).encode() + rb"</v></c>")
    kind, inner = cell.split("|", 1)
    new, count = pattern.subn(
        lambda m: b'<c r="' + m.group(1) + b'"' + (m.group(2) or b"") + f' t="{kind}">'.encode() + inner.encode()
        + b"</c>",
        xml,
    )
    assert count == 1, f"marker {marker} found {count} times"
    return new


def _insert_before_any(xml: bytes, fragment: bytes, anchors: tuple[bytes, ...]) -> bytes:
    positions = [xml.find(anchor) for anchor in anchors if xml.find(anchor) >= 0]
    position = min(positions)
    return xml[:position] + fragment + xml[position:]


_AFTER_MERGE = (b"<phoneticPr", b"<conditionalFormatting", b"<dataValidations", b"<hyperlinks", b"<printOptions",
                b"<pageMargins")


# -- the cases ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """One bad input, and what the command line must do with it (read as of ``TODAY``)."""

    name: str
    doc: str  # what the file is, and what the product must do with it
    build: Callable[[Path], None]
    exit_code: int  # 2: unusable; 1: usable, with problems in Kontroll; 0: usable, no problems
    message: str = ""  # exit 2: a fragment of the one Swedish line on stderr
    problems: tuple[tuple[str, str, str], ...] = ()  # (Blad, Cell, fragment of Meddelande) in Kontroll
    absent: tuple[str, ...] = ()  # fragments no Kontroll message may contain (false alarms)
    same_rows_as_base: bool = False  # every command's rows and tasks equal those of the base workbook
    suffix: str = ".xlsx"
    slow: bool = False  # large to generate or read (seconds, not milliseconds)

    def filename(self) -> str:
        return f"{self.name}{self.suffix}"


def write_base(path: Path, content: WorkbookContent | None = None) -> None:
    write_workbook(path, content or base_content())


def _text_file(text: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(text)


def _truncated(path: Path) -> None:
    write_base(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _zip_not_a_workbook(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("readme.txt", "Ett zip-arkiv, men ingen arbetsbok.")
        archive.writestr("[Content_Types].xml", "<Types/>")


_BOMB_BYTES = 200 * 1024 * 1024  # 200 MB of whitespace: about 200 kB compressed


def _zip_bomb(path: Path) -> None:
    """A real workbook whose Start sheet XML carries 200 MB of spaces (legal XML whitespace)."""
    write_base(path)
    part = sheet_part(path, L.START)
    with zipfile.ZipFile(path) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            if name != part:
                archive.writestr(name, data)
                continue
            head, tail = data.split(b"<sheetData>", 1)
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as stream:
                stream.write(head)
                chunk = b" " * (1024 * 1024)
                for _ in range(_BOMB_BYTES // len(chunk)):
                    stream.write(chunk)
                stream.write(b"<sheetData>" + tail)
    path.write_bytes(buffer.getvalue())


def _patch_central_directory(path: Path, member: str, *, uncompressed: int) -> None:
    """Make the central directory declare another uncompressed size for ``member`` (the data is untouched)."""
    data = bytearray(path.read_bytes())
    encoded = member.encode()
    start = 0
    while True:
        start = data.index(b"PK\x01\x02", start)
        name_length = struct.unpack_from("<H", data, start + 28)[0]
        if bytes(data[start + 46:start + 46 + name_length]) == encoded:
            struct.pack_into("<I", data, start + 24, uncompressed)
            break
        start += 4
    path.write_bytes(bytes(data))


def _declared_bomb(path: Path) -> None:
    """The central directory says the shared strings unpack to 4 GB (they are a few kB)."""
    write_base(path)
    _patch_central_directory(path, "xl/sharedStrings.xml", uncompressed=0xFFFF_FFF0)


def _size_lies(path: Path) -> None:
    """A sheet that unpacks to 5 MB though the directory declares 100 bytes (a bomb in disguise)."""
    write_base(path)
    part = sheet_part(path, L.LOG)
    _patch_sheet(path, L.LOG, lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * 5_000_000, 1))
    _patch_central_directory(path, part, uncompressed=100)


_BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'.encode() for n in range(1, 10)
    )
    + b"]>"
)


def _xml_bomb(prefix: bytes = b"", encoding: str = "utf-8") -> Callable[[Path], None]:
    """Entity expansion (billion laughs) in sharedStrings.xml; ``prefix`` goes before the DOCTYPE."""

    def build(path: Path) -> None:
        write_base(path)

        def edit(name: str, data: bytes) -> bytes:
            if name != "xl/sharedStrings.xml":
                return data
            body = data.split(b"?>", 1)[1].lstrip()
            body = body.replace(b"<t>Deltog</t>", b"<t>&lol9;</t>", 1)
            document = _BILLION_LAUGHS.replace(b"\n", b"\n" + prefix, 1) + body
            if encoding != "utf-8":
                document = document.replace(b'encoding="UTF-8"', f'encoding="{encoding.upper()}"'.encode(), 1)
                return document.decode("utf-8").encode(encoding)
            return document

        _rewrite_zip(path, edit)

    return build


def _broken_xml(path: Path) -> None:
    """A sheet with an element that repeats an attribute: not XML, though a lenient parser reads past it."""
    write_base(path)
    _patch_sheet(path, ADHD, lambda xml: xml.replace(b"<sheetData>", b'<sheetData><x y="1" y="2"/>', 1))


def _invalid_attribute(path: Path) -> None:
    """Well-formed XML with a value the format does not allow: a column width that is a word."""
    write_base(path)
    _patch_sheet(path, ADHD, lambda xml: re.sub(rb'width="[^"]*"', b'width="bred"', xml, count=1))


def _encrypted(path: Path) -> None:
    """The base workbook encrypted with a password, as Excel's "Kryptera med lösenord" saves it."""
    plain = path.with_name(path.name + ".plain.xlsx")
    write_base(plain)
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:  # msoffcrypto-tool comes with oletools (the test extra); else a bare container
        path.write_bytes(compound_file({"EncryptionInfo": b"\x04\x00\x04\x00" + b"\0" * 4092,
                                        "EncryptedPackage": plain.read_bytes()}))
    else:
        with plain.open("rb") as source, path.open("wb") as target:
            OOXMLFile(source).encrypt("Hemligt-2026", target)
    plain.unlink()


def compound_file(streams: Mapping[str, bytes]) -> bytes:
    """A minimal OLE compound file (CFB version 3, 512-byte sectors) with ``streams`` in its root.

    Every stream is padded to at least 4096 bytes (the mini-stream cutoff), so it lives in ordinary
    sectors and the file needs no mini stream.
    An encrypted Office file is exactly this: streams ``EncryptionInfo`` and ``EncryptedPackage``.
    """
    sector, end_of_chain, fat_mark, free = 512, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    streams = {name: data.ljust(4096, b"\0") for name, data in streams.items()}
    fat: list[int] = []
    body, starts = b"", []
    for data in streams.values():
        padded = data.ljust(-(-len(data) // sector) * sector, b"\0")
        count = len(padded) // sector
        starts.append(len(fat))
        fat.extend([*range(len(fat) + 1, len(fat) + count), end_of_chain])
        body += padded
    directory_sector = len(fat)
    fat.append(end_of_chain)
    fat_sectors = -(-(len(fat) + 1) // (sector // 4 - 1))
    fat_start = len(fat)
    fat.extend([fat_mark] * fat_sectors)
    fat.extend([free] * (fat_sectors * sector // 4 - len(fat)))

    def entry(name: str, kind: int, start: int, size: int, *, child: int = free, right: int = free) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded), kind, 1, free, right, child)
                + b"\0" * 36 + struct.pack("<IQ", start, size))

    names = list(streams)
    entries = [entry("Root Entry", 5, end_of_chain, 0, child=1)] + [
        entry(name, 2, start, len(streams[name]), right=index + 2 if index + 1 < len(names) else free)
        for index, (name, start) in enumerate(zip(names, starts))
    ]
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 10
              + struct.pack("<IIIIIII", fat_sectors, directory_sector, 0, 4096, end_of_chain, 0, end_of_chain)
              + struct.pack("<I", 0)
              + struct.pack("<109I", *([fat_start + index for index in range(fat_sectors)] + [free] * (109 - fat_sectors))))
    return header + body + b"".join(entries).ljust(sector, b"\0") + struct.pack(f"<{len(fat)}I", *fat)


def _other_program(path: Path) -> None:
    """A workbook some other program wrote: one sheet of unrelated data, no tables."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Blad1"
    sheet.append(["Artikel", "Antal", "Pris"])
    for number in range(1, 30):
        sheet.append([f"Vara {number}", number, number * 9.5])
    book.save(path)


def _contract_without_tables(path: Path) -> None:
    """The contract's sheets and headers written by openpyxl as plain cells: no Excel tables at all."""
    import openpyxl

    content = base_content()
    book = openpyxl.Workbook()
    book.active.title = L.START

    def table_sheet(table: L.Table, rows) -> None:
        sheet = book[table.sheet] if table.sheet in book.sheetnames else book.create_sheet(table.sheet)
        anchor_row, anchor_col = 1, 1 + ord(table.anchor[0]) - ord("A")
        for offset, column in enumerate(table.columns):
            sheet.cell(anchor_row, anchor_col + offset, column)
            for index, row in enumerate(rows, start=anchor_row + 1):
                value = row.get(column)
                sheet.cell(index, anchor_col + offset, str(value) if isinstance(value, PersonalNumber) else value)

    table_sheet(L.GROUPS_TABLE, content.groups)
    for group_sheet in content.group_sheets:
        sheet = book.create_sheet(group_sheet.group_id)
        columns = L.participant_columns(len(group_sheet.session_dates))
        sheet.cell(1, 1, group_sheet.title)
        sheet.cell(2, 3, L.GROUP_SHEET_REGISTERED_LABEL)
        sheet.cell(3, 3, L.GROUP_SHEET_DATE_LABEL)
        for index, session_date in enumerate(group_sheet.session_dates):
            sheet.cell(3, 4 + index, session_date)
        for index, registered in enumerate(group_sheet.registered):
            sheet.cell(2, 4 + index, registered)
        for offset, column in enumerate(columns, start=1):
            sheet.cell(4, offset, column)
            for row_index, row in enumerate(group_sheet.participants, start=5):
                value = row.get(column)
                sheet.cell(row_index, offset, str(value) if isinstance(value, PersonalNumber) else value)
    table_sheet(L.INTEREST_TABLE, content.interest)
    table_sheet(L.TASKS_TABLE, ())
    table_sheet(L.REGISTRATION_TABLE, ())
    table_sheet(L.CHECK_TABLE, ())
    from xl_addin.domain.model import SETTING_FIELDS, Settings

    table_sheet(L.SETTINGS_TABLE, [
        {L.SETTING: name, L.VALUE: getattr(Settings(), attribute), L.DESCRIPTION: text}
        for name, attribute, text in SETTING_FIELDS
    ])
    table_sheet(L.GROUP_TYPES_TABLE, GROUP_TYPES)
    table_sheet(L.VISIT_TYPES_TABLE, VISIT_TYPES)
    table_sheet(L.CANCELLATION_REASONS_TABLE, [{L.REASON: reason} for reason in L.CANCELLATION_REASON_SEED])
    table_sheet(L.LOG_TABLE, ())
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
    book.save(path)


def _edit_with_openpyxl(edit: Callable[[object], None]) -> Callable[[Path], None]:
    """The base workbook, changed with openpyxl (which keeps the tables) and saved again."""

    def build(path: Path) -> None:
        import openpyxl

        write_base(path)
        book = openpyxl.load_workbook(path)
        edit(book)
        book.save(path)

    return build


def _remove_sheets(book) -> None:
    for name in (L.CODES, L.INTEREST, L.TASKS):
        del book[name]
    book.defined_names.pop(L.GROUP_TYPE_LIST_NAME, None)
    book.defined_names.pop(L.CANCELLATION_REASON_LIST_NAME, None)


def _rename_headers(book) -> None:
    """``Gruppledare`` → ``Ledare`` in Grupper (L1 stays), ``Kommentar`` → ``Kommentarer`` on a group sheet."""
    for sheet_name, table_name, old, new in (
        (L.GROUPS, L.GROUPS_TABLE.name, L.GROUP_LEADER, "Ledare"),
        (ADHD, L.group_table_name(ADHD), L.COMMENT, "Kommentarer"),
    ):
        sheet = book[sheet_name]
        table = sheet.tables[table_name]
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == old:
                    cell.value = new
        for column in table.tableColumns:
            if column.name == old:
                column.name = new


def _swap_columns(sheet, table, first: int, second: int) -> None:
    """Swap two whole columns (header and data) of ``table`` and its column names."""
    for row in range(1, sheet.max_row + 1):
        a, b = sheet.cell(row, first), sheet.cell(row, second)
        a.value, b.value = b.value, a.value
        a.number_format, b.number_format = b.number_format, a.number_format
    from openpyxl.utils.cell import range_boundaries

    min_col = range_boundaries(table.ref)[0]
    columns = table.tableColumns
    columns[first - min_col].name, columns[second - min_col].name = (
        columns[second - min_col].name, columns[first - min_col].name)


def _reorder_headers(book) -> None:
    """Grupper: ``Startdatum`` (D) and ``Gruppledare`` (G) swap places; ADHD sheet: ``Namn`` ↔ ``Vårdnadshavare``."""
    groups = book[L.GROUPS]
    _swap_columns(groups, groups.tables[L.GROUPS_TABLE.name], 4, 7)
    sheet = book[ADHD]
    _swap_columns(sheet, sheet.tables[L.group_table_name(ADHD)], 2, 3)


def _duplicate_headers(book) -> None:
    """Grupper gets a second ``Status`` column (M) with text; the ADHD sheet a second ``T2`` (L)."""
    from openpyxl.worksheet.table import TableColumn

    groups = book[L.GROUPS]
    table = groups.tables[L.GROUPS_TABLE.name]
    groups.cell(1, 13, L.STATUS)
    groups.cell(2, 13, "egen anteckning")
    table.ref = table.ref.replace("L", "M")
    table.tableColumns.append(TableColumn(id=13, name="Status2"))
    sheet = book[ADHD]
    table = sheet.tables[L.group_table_name(ADHD)]
    sheet.cell(4, 12, "T2")
    sheet.cell(5, 12, "Uteblev")
    table.ref = table.ref.replace("K", "L")
    table.tableColumns.append(TableColumn(id=12, name="T2_2"))


def _merged(path: Path) -> None:
    """Merged cells in data: ADHD T1 over two participants (D5:D6), Grupper Gruppledare over two groups (G2:G3)."""
    content = _with_participant(base_content(), ADHD, 1, T1=None)  # Excel keeps only the top-left value
    content = _with_group(content, 1, **{L.GROUP_LEADER: None})
    write_base(path, content)
    merge = b'<mergeCells count="%d">%s</mergeCells>'
    _patch_sheet(path, ADHD, lambda xml: _insert_before_any(
        xml, merge % (1, b'<mergeCell ref="D5:D6"/>'), _AFTER_MERGE))
    _patch_sheet(path, L.GROUPS, lambda xml: _insert_before_any(
        xml, merge % (1, b'<mergeCell ref="G2:G3"/>'), _AFTER_MERGE))


# Numeric markers written by the template, then replaced in the sheet XML by formula/error cells.
_NA, _REF, _DIV0, _DATE_FORMULA, _TEXT_FORMULA, _NAME_ERROR = 900001, 900002, 900003, 900004, 900005, 900006


def _formulas_and_errors(path: Path) -> None:
    """Error values and formulas in data cells, as Excel saves them (``t="e"`` with a cached value)."""
    content = _with_participant(base_content(), ADHD, 1, T3=_NA, T4=_TEXT_FORMULA)
    content = _with_participant(content, MITT, 0, **{L.NAME: _NAME_ERROR})
    content = _with_group(content, 1, **{L.MAX_PARTICIPANTS: _REF})
    content = _with_group(content, 0, **{L.START_DATE: _DATE_FORMULA})
    content = _with_interest(content, 1, **{L.RECEIVED: _DIV0})
    write_base(path, content)
    _patch_sheet(path, ADHD, lambda xml: _replace_marker(_replace_marker(
        xml, _NA, 'e|<f>VLOOKUP(A6,Koder!A:B,2,FALSE)</f><v>#N/A</v>'),
        _TEXT_FORMULA, 'str|<f>IF(TRUE,"Deltog","")</f><v>Deltog</v>'))
    _patch_sheet(path, MITT, lambda xml: _replace_marker(xml, _NAME_ERROR, "e|<f>Namnet()</f><v>#NAME?</v>"))
    _patch_sheet(path, L.GROUPS, lambda xml: _replace_marker(_replace_marker(
        xml, _REF, "e|<f>#REF!*2</f><v>#REF!</v>"),
        _DATE_FORMULA, "n|<f>DATE(2026,9,2)</f><v>46267</v>"))
    _patch_sheet(path, L.INTEREST, lambda xml: _replace_marker(xml, _DIV0, "e|<f>1/0</f><v>#DIV/0!</v>"))


_SPILL, _CALC, _BUSY = 900011, 900012, 900013


def _new_error_values(path: Path) -> None:
    """Error values of Excel 365 (#SPILL!, #CALC!, #BUSY!) that older readers do not know."""
    content = _with_participant(base_content(), ADHD, 2, T2=_SPILL)
    content = _with_participant(content, MITT, 0, **{L.COMMENT: _CALC})
    content = _with_group(content, 0, **{L.GROUP_LEADER: _BUSY})
    write_base(path, content)
    _patch_sheet(path, ADHD, lambda xml: _replace_marker(xml, _SPILL, "e|<f>_xlfn.UNIQUE(A5:A8)</f><v>#SPILL!</v>"))
    _patch_sheet(path, MITT, lambda xml: _replace_marker(xml, _CALC, "e|<f>_xlfn._xlws.FILTER(A5:A7,B5:B7=1)</f><v>#CALC!</v>"))
    _patch_sheet(path, L.GROUPS, lambda xml: _replace_marker(xml, _BUSY, "e|<f>_xlfn.WEBSERVICE(A1)</f><v>#BUSY!</v>"))


def _dates_as_text(path: Path) -> None:
    """Dates typed as text in the forms Swedish users type, and as bare Excel serial numbers."""
    content = _with_group(base_content(), 0, **{L.START_DATE: "2026-09-02", L.ROSTER_READY: "10 aug 2026",
                                                  L.BOOKED_IN_ELVIS: 46246})  # 2026-08-12
    content = _with_group(content, 1, **{L.START_DATE: "3 september 2026", L.ROSTER_READY: "2/9 2026"})
    content = _with_group(content, 2, **{L.START_DATE: 46330})  # 2026-11-04
    content = _with_session_dates(content, ADHD, ("2026-09-02", "9/9 2026", "16/9 2026", "23 sep 2026"))
    content = _with_interest(content, 0, **{L.RECEIVED: "20.9.2026", L.PLANNING_ENTRY: "21 sep 2026"})
    content = _with_interest(content, 1, **{L.RECEIVED: "1/10 2026"})
    content = _with_participant(content, MITT, 2, **{L.CANCELLED_DATE: "2026-02-30", L.CANCELLATION_REASON: "Sjukdom"})
    write_base(path, content)


def _numbers_as_numbers(path: Path) -> None:
    """Personnummer stored as numbers: 12 digits, 10 digits, and a 2000s birth that lost its zero."""
    content = base_content()
    twelve = int(person_number(0).digits)
    ten = int(person_number(1).digits[2:])
    content = _with_participant(content, ADHD, 0, **{L.PERSONAL_NUMBER: twelve})
    content = _with_participant(content, ADHD, 1, **{L.PERSONAL_NUMBER: ten})
    content = _with_participant(content, ADHD, 2, **{L.PERSONAL_NUMBER: float(person_number(2).digits)})
    born_2005 = make_personal_number(date(2005, 3, 9), 920)
    content = _with_interest(content, 0, **{L.PERSONAL_NUMBER: int(born_2005.digits[2:])})  # 9 digits left
    write_base(path, content)


_EMPTY_ROWS = 1_000_000


def _million_rows(path: Path) -> None:
    """The Kontroll sheet with 1 000 000 empty rows that only carry a format (``customFormat``)."""
    write_base(path)

    def edit(xml: bytes) -> bytes:
        head, tail = xml.split(b"</sheetData>", 1)
        rows = "".join(f'<row r="{n}" s="1" customFormat="1"/>' for n in range(3, 3 + _EMPTY_ROWS)).encode()
        head = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="A1:D{2 + _EMPTY_ROWS}"/>'.encode(), head)
        return head + rows + b"</sheetData>" + tail

    _patch_sheet(path, L.CHECK, edit)


def _million_rows_in_table(path: Path) -> None:
    """Grupper's table stretched to row 1 000 000 (someone formatted the whole column as the table)."""
    write_base(path)

    def edit(name: str, data: bytes) -> bytes:
        if name.startswith("xl/tables/") and b'name="Grupper"' in data:
            return re.sub(rb'ref="A1:L(\d+)"', f'ref="A1:L{_EMPTY_ROWS}"'.encode(), data)
        return data

    _rewrite_zip(path, edit)


def _far_cell(path: Path) -> None:
    """One stray value in XFD1048576 of Logg: the used range becomes the whole sheet (17 billion cells)."""
    write_base(path)
    _patch_sheet(path, L.LOG, lambda xml: xml.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>', 1))


_CELLS = 6_000_000


def _cell_bomb(path: Path) -> None:
    """A sheet of 6 million tiny numeric cells (a few MB compressed): too many to be a Sofia workbook."""
    write_base(path)
    row = b"".join(b"<c><v>%d</v></c>" % (column % 10) for column in range(20))
    width = 20

    def edit(xml: bytes) -> bytes:
        head, tail = xml.split(b"</sheetData>", 1)
        rows = b"".join(b'<row r="%d">' % n + row + b"</row>" for n in range(10, 10 + _CELLS // width))
        return head + rows + b"</sheetData>" + tail

    _patch_sheet(path, L.LOG, edit)


def _wrong_version(path: Path) -> None:
    content = replace(base_content(), settings={L.VERSION: "7.3"})
    write_base(path, content)


CASES: tuple[Case, ...] = (
    Case("inte-zip", "A text file named .xlsx. Exit 2: not an Excel workbook.",
         _text_file("Personnummer;Namn\r\n".encode("utf-8")), 2, "ingen Excel-arbetsbok"),
    Case("tom-fil", "An empty (0 byte) file. Exit 2: not an Excel workbook.", _text_file(b""), 2,
         "ingen Excel-arbetsbok"),
    Case("avkortad-zip", "The first half of a real workbook (a download that broke off). Exit 2: damaged.",
         _truncated, 2, "skadad"),
    Case("zip-utan-arbetsbok", "A zip archive with no xl/workbook.xml. Exit 2: not an Excel workbook.",
         _zip_not_a_workbook, 2, "ingen Excel-arbetsbok"),
    Case("zip-bomb", "A real workbook whose Start sheet unpacks to 200 MB of spaces from ~200 kB. Exit 2 "
         "before parsing: unpacks to unreasonably much data.", _zip_bomb, 2, "orimligt mycket data", slow=True),
    Case("zip-bomb-deklarerad", "The zip directory declares 4 GB for sharedStrings.xml. Exit 2 without "
         "unpacking anything.", _declared_bomb, 2, "orimligt mycket data"),
    Case("zip-storlek-ljuger", "A sheet that unpacks to 5 MB though its declared size is 100 bytes. Exit 2: "
         "damaged (reading stops at the declared size).", _size_lies, 2, "skadad"),
    Case("xml-bomb", "Billion-laughs entity expansion in sharedStrings.xml. Exit 2: forbidden XML (DTD), "
         "nothing expanded.", _xml_bomb(), 2, "otillåten XML"),
    Case("xml-bomb-sen-doctype", "The same bomb with 4 kB of comment before the DOCTYPE. Exit 2: forbidden XML.",
         _xml_bomb(b"<!--" + b" " * 4096 + b"-->\n"), 2, "otillåten XML"),
    Case("xml-bomb-utf16", "The same bomb with sharedStrings.xml encoded as UTF-16. Exit 2: forbidden XML.",
         _xml_bomb(encoding="utf-16"), 2, "otillåten XML"),
    Case("trasig-xml", "A group sheet whose XML is not well-formed (an attribute twice), as a broken sync or a "
         "tool may leave it. Exit 2: damaged, open it in Excel (which repairs it) and save.", _broken_xml, 2,
         "inte giltig XML"),
    Case("ogiltigt-attribut", "Well-formed XML with a value the file format does not allow (a column width "
         "\"bred\"). The data are readable: exit 1 like the base workbook for every command. A result file (--out) "
         "cannot be built by openpyxl: that must end in one Swedish line, not an unexpected error.",
         _invalid_attribute, 1, same_rows_as_base=True),
    Case("krypterad", "The workbook saved with a password (an OLE compound file with EncryptionInfo and "
         "EncryptedPackage). Exit 2: password protected, remove the password.", _encrypted, 2,
         "lösenordsskyddad"),
    Case("annat-program", "A workbook another program wrote (openpyxl): one sheet Blad1, no tables. Exit 2: "
         "not the Sofia template.", _other_program, 2, "följer inte Sofia-mallen"),
    Case("fel-layoutversion", "Version 7.3 on Inställningar. Exit 2: needs layout version 1.0.", _wrong_version, 2,
         "layoutversion 7.3"),
    Case("cellbomb", "6 million numeric cells on Logg, a few MB compressed. Exit 2 before the cells are "
         "loaded: the sheet is unreasonably large.", _cell_bomb, 2, "orimligt stor", slow=True),
    Case("cell-langst-bort", "One value in XFD1048576 on Logg (the used range is the whole sheet). Exit 2: "
         "the sheet is unreasonably large; remove empty rows and columns.", _far_cell, 2, "orimligt stor"),
    Case("utan-tabeller", "The contract's sheets and headers written by openpyxl as plain cells, without Excel "
         "tables (Koder has its three lists side by side). Exit 1 like the base workbook: every table is found by "
         "its header row, every rule gives the base workbook's results, and no false duplicate-header alarm.",
         _contract_without_tables, 1, absent=("två gånger",), same_rows_as_base=True),
    Case("saknade-blad", "Koder, Intresseanmälningar and Att göra deleted. Exit 1: Kontroll says once which sheet "
         "is missing (cell A1 of that sheet); the groups are still processed.",
         _edit_with_openpyxl(_remove_sheets), 1, problems=(
             (L.CODES, "A1", "Bladet Koder saknas"),
             (L.INTEREST, "A1", "Bladet Intresseanmälningar saknas"),
             (L.TASKS, "A1", "Bladet Att göra saknas"),
         )),
    Case("omdopta-rubriker", "Grupper's Gruppledare renamed Ledare, a group sheet's Kommentar renamed Kommentarer. "
         "Exit 1: each renamed header reported once, at its own cell, with the exact name to put back; "
         "everything else processed.",
         _edit_with_openpyxl(_rename_headers), 1, problems=(
             (L.GROUPS, "G1", "Rubriken Ledare ska heta Gruppledare"),
             (ADHD, "K4", "Rubriken Kommentarer ska heta Kommentar"),
         ), same_rows_as_base=True),
    Case("omflyttade-rubriker", "Grupper's Startdatum and Gruppledare swapped, a group sheet's Namn and "
         "Vårdnadshavare swapped (with their data). Exit 1, the same results as the base workbook: columns are "
         "found by header, not position.", _edit_with_openpyxl(_reorder_headers), 1, same_rows_as_base=True),
    Case("dubbla-rubriker", "A second Status column in Grupper (M1) and a second T2 on a group sheet (L4). "
         "Exit 1: each duplicate reported at its header cell; the first column is used.",
         _edit_with_openpyxl(_duplicate_headers), 1, problems=(
             (L.GROUPS, "M1", "Rubriken finns två gånger"),
             (ADHD, "L4", "två gånger"),
         )),
    Case("sammanfogade-celler", "Merged cells in data: D5:D6 on a group sheet (T1 of two participants) and "
         "G2:G3 in Grupper. Exit 1: each merged range reported; the hidden cell counts as blank.", _merged, 1,
         problems=(
             (ADHD, "D5:D6", "Sammanfogade celler"),
             (L.GROUPS, "G2:G3", "Sammanfogade celler"),
         )),
    Case("formler-och-felvarden", "#N/A, #REF!, #DIV/0! and #NAME? as cached formula results in data cells, and "
         "formulas with good cached values (a date, an attendance text). Exit 1: each error value reported at "
         "its cell; the good formula results are used.", _formulas_and_errors, 1, problems=(
             (ADHD, "F6", "#N/A"),
             (L.GROUPS, "F3", "#REF!"),
             (L.INTEREST, "A3", "#DIV/0!"),
             (MITT, "B5", "#NAME?"),
         )),
    Case("nya-felvarden", "Excel 365's newer error values in data cells: #SPILL! in an attendance cell, #BUSY! "
         "in Gruppledare, #CALC! in a Kommentar. Exit 1: the values in cells the rules read are reported at their "
         "cells; the sheet is read, not refused as damaged.", _new_error_values, 1, problems=(
             (ADHD, "E7", "#SPILL!"),
             (L.GROUPS, "G2", "#BUSY!"),
         )),
    Case("datum-som-text", "Dates typed as text in the forms Swedish users type (2026-09-02, 3 september 2026, "
         "10 aug 2026, 21 sep 2026, 23 sep 2026, 16/9 2026, 9/9 2026, 20.9.2026) and bare Excel serial numbers "
         "(46246, 46330): all accepted and used. 2/9 2026 and 1/10 2026 (day and month could be swapped) are "
         "reported as ambiguous, never guessed; 2026-02-30 does not exist and is reported. Exit 1.",
         _dates_as_text, 1, problems=(
             (L.GROUPS, "I3", "tvetydigt"),
             (L.INTEREST, "A3", "tvetydigt"),
             (MITT, "G7", "finns inte"),
         )),
    Case("personnummer-som-tal", "Personnummer stored as numbers (12 digits, 10 digits, a float, and a 2005 "
         "birth whose leading zero Excel dropped). Exit 1: a warning at each cell; the numbers are understood "
         "and the rows processed.", _numbers_as_numbers, 1, problems=(
             (ADHD, "A5", "sparat som tal"),
             (ADHD, "A6", "sparat som tal"),
             (ADHD, "A7", "sparat som tal"),
             (L.INTEREST, "B2", "sparat som tal"),
         )),
    Case("miljon-tomma-rader", "Kontroll with 1 000 000 empty rows that carry only a format. Exit 1 as the base "
         "workbook, in bounded time and memory.", _million_rows, 1, slow=True, same_rows_as_base=True),
    Case("tabell-miljon-rader", "Grupper's table reaching row 1 000 000 (empty rows inside the table). Exit 1 as "
         "the base workbook, in bounded time and memory.", _million_rows_in_table, 1, same_rows_as_base=True),
)

BY_NAME = {case.name: case for case in CASES}


def build_case(case: Case, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / case.filename()
    case.build(path)
    return path


def build_corpus(directory: Path | str, names: tuple[str, ...] | None = None) -> dict[str, Path]:
    """Write the cases (all, or those named) into ``directory``; return name → path."""
    directory = Path(directory)
    chosen = CASES if names is None else tuple(BY_NAME[name] for name in names)
    return {case.name: build_case(case, directory) for case in chosen}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("Användning: python tests/corpus/make_corpus.py MAPP", file=sys.stderr)
        return 2
    for name, path in build_corpus(argv[0]).items():
        print(f"{path.stat().st_size:>12,} B  {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
