"""The file edge's reader: checks an untrusted workbook file, then reads every sheet with calamine.

The file is opened read-only and never written. Checks before parsing keep hostile files cheap (the
corpus in ``tests/corpus/`` has one file for each): not a zip, encrypted, zip bombs (declared and
actual expansion, sizes that lie), XML with a DTD anywhere in a part (entity bombs, also in UTF-16),
and sheets whose cells would not fit in memory (too many, or one stray value far away: calamine
stores a sheet densely). Tables are located from their own XML, not through calamine, which would
load a table stretched to row 1 000 000 as values. Error values calamine does not know (``#SPILL!``
and the other Excel 365 codes) are read as what they are instead of making the sheet unreadable.
"""

from __future__ import annotations

import gc
import io
import marshal
import os
import posixpath
import re
import string
import threading
import zipfile
import zlib
from collections.abc import Callable, Collection
from contextlib import contextmanager
from ..domain.records import Record, field
from datetime import date
from pathlib import Path
from xml.parsers import expat

from ..domain import layout as L
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
_CELL_ELEMENT = re.compile(rb"<c\b([^>]*[^/>])?>.*?</c>", re.S)
# The error codes calamine reads; newer ones (#SPILL!, #CALC!, #BUSY! …) make it refuse the sheet.
_CALAMINE_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
_CALAMINE_ERRORS_BYTES = frozenset(code.encode() for code in _CALAMINE_ERRORS)
_NEGATIVE_VALUE = re.compile(rb"<v>(-[0-9.]+(?:[eE][+-]?[0-9]+)?)</v>")
_MOST_NEGATIVE = -10_000_000_000
# a cell element (local name c) that does not start with r="A1"…r="Z99999", or not as Excel writes it
_NOT_SHORT_CELL = re.compile(rb'<c(?! r="[A-Z]\d{1,5}")[\s/>]')
_NOT_EXCEL_CELL = re.compile(rb'<c(?! r="[A-Z]{1,3}\d{1,7}")[\s/>]')
_PREFIXED_CELL = re.compile(rb"<[^\s/>:<]+:c[\s/>]")
_RANGE = re.compile(rb"([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?")
# a row or cell start tag in any XML spelling (a ">" may stand in an attribute's value)
_ROW_OR_CELL = re.compile(rb"""<(?:[^\s/>:<]+:)?(?:(row)|c)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/?)>""")
_ATTRIBUTE = re.compile(rb"""([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_POSITION = re.compile(rb"([A-Za-z]+)(\d+)")
# Comments, CDATA sections and processing instructions: text there that looks like a row or cell is not one.
_HIDDEN_MARKUP = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.S)


class WorkbookFile(Record):
    """What was read from a file, and whether Excel has it open (a ``~$`` owner file beside it)."""

    workbook: Workbook
    open_in_excel: bool
    data: bytes = b""  # the bytes that were read: result files are built from exactly this version

    # Shown as the object it is, not field by field: every record read and the file's bytes (people's
    # names and personnummer) would be in a log line or a traceback that showed it.
    __repr__ = object.__repr__


def open_in_excel(path: Path) -> bool:
    """Excel writes ``~$name`` (short names) or ``~$`` + name minus two characters beside an open file."""
    candidates = {path.with_name("~$" + path.name), path.with_name("~$" + path.name[2:])}
    return any(candidate.exists() for candidate in candidates)


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + (char - 64)
    return number


class _Package(Record, frozen=False):
    """What the preflight learnt from the zip, each part parsed once: what maps sheets and tables
    (workbook.xml's sheets, the relationships, each table's name, place and headers), and the checks
    that may still run beside the read, with what they find in each worksheet (``check.findings``)."""

    sheets: dict[str, str] = field(default_factory=dict)  # sheet name → worksheet part ("" when unknown)
    relationships: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # .rels part → entries
    tables: dict[str, _TablePart | None] = field(default_factory=dict)  # table part → what it says
    check: _PartChecks | None = None

    # internal, one per read: compared and hashed as the object itself, shown as one (no file content)
    __eq__, __hash__, __repr__ = object.__eq__, object.__hash__, object.__repr__


class _TablePart(Record):
    """The root's attributes of a table part and its columns' names (``tableColumn`` in document order)."""

    attributes: dict[str, str]
    columns: tuple[str, ...]

    __eq__, __hash__, __repr__ = object.__eq__, object.__hash__, object.__repr__  # as _Package


def _unusable(path: Path, reason: str) -> UnusableWorkbook:
    return UnusableWorkbook(f"Filen {path.name} {reason}")


def _too_large(path: Path) -> UnusableWorkbook:
    return _unusable(path, "packas upp till orimligt mycket data och läses inte.")


def _damaged(path: Path) -> UnusableWorkbook:
    return _unusable(path, "är skadad eller ofullständig och kan inte läsas.")


def _not_a_workbook(path: Path) -> UnusableWorkbook:
    return _unusable(path, "är ingen Excel-arbetsbok (.xlsx eller .xlsm).")


def _too_many_cells(sheet: str) -> UnusableWorkbook:
    return UnusableWorkbook(
        f"Bladet {sheet} är orimligt stort (över {MAX_CELLS:,} celler). "
        "Ta bort tomma rader och kolumner längst ned och till höger.".replace(",", " ")
    )


def _has_dtd(data: bytes) -> bool:
    """A DTD anywhere in the part (not only at the top), also in UTF-16 parts, which Excel never writes."""
    if b"<!" in data and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):  # one scan when there is no "<!" at all
        return True
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] in (b"<\0?\0", b"\0<\0?"):
        text = data.decode("utf-16", "replace")
        return "<!DOCTYPE" in text or "<!ENTITY" in text
    return False


def _snapshot(path: Path) -> bytes:
    """The file's bytes, read once: the checks and calamine then see the same version even if Excel
    saves a new one meanwhile (Excel saves to a temporary file and renames it over the old one)."""
    if not path.exists():
        raise UnusableWorkbook(f"Filen {path.name} finns inte.")
    if not path.is_file():
        raise UnusableWorkbook(f"{path.name} är ingen fil.")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UnusableWorkbook(f"Filen {path.name} är för stor ({size // 1_000_000} MB) för en Sofia-arbetsbok.")
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        raise _unusable(path, "kan inte öppnas för läsning. Kontrollera att du har behörighet till mappen och "
                              "att filen finns på datorn (inte bara i molnet), och försök igen.") from None
    if len(data) > MAX_FILE_BYTES:
        raise UnusableWorkbook(f"Filen {path.name} är för stor för en Sofia-arbetsbok.")
    return data


class _Doctype(Exception):
    """Raised by expat's handler at the first byte of a DTD: the part is refused, nothing of it is parsed."""


_DTD, _NOT_XML = "DTD", "not XML"


def _parse_xml(data: bytes, start: Callable[[str, dict[str, str]], None] | None = None,
               end: Callable[[str], None] | None = None, *, namespaces: bool = False) -> str | None:
    """One expat pass over a part: None when it is well-formed XML without a DTD, else ``_DTD`` or
    ``_NOT_XML``; ``start``/``end`` see its elements (with ``namespaces``, names as ``uri}local``).

    calamine reads some broken XML anyway (a repeated attribute, a wrong end tag); openpyxl, which
    writes the result files, and Excel do not, so a broken part is refused before any command runs.
    The DTD check is part of the same pass: expat stops at a DOCTYPE before reading any declaration in
    it (entities are declared only there), also in UTF-16. The text ``<!DOCTYPE`` or ``<!ENTITY`` can
    otherwise only be in a comment, a CDATA section or a processing instruction, or in a part that is
    not XML: only then is the part searched for it (``_has_dtd``), so a DTD is still refused as such
    wherever it is."""
    parser = expat.ParserCreate(namespace_separator="}" if namespaces else None)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    hidden = False

    def doctype(*_arguments: object) -> None:
        raise _Doctype

    def may_hide(*_arguments: object) -> None:
        nonlocal hidden
        hidden = True

    parser.StartDoctypeDeclHandler = doctype
    parser.CommentHandler = parser.StartCdataSectionHandler = parser.ProcessingInstructionHandler = may_hide
    if start is not None:
        parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except _Doctype:
        return _DTD
    except (expat.ExpatError, ValueError, LookupError):  # LookupError: an encoding Python does not know
        return _DTD if _has_dtd(data) else _NOT_XML
    return _DTD if hidden and _has_dtd(data) else None


def _refuse_xml(path: Path, status: str) -> UnusableWorkbook:
    """The refusal of a part that has a DTD (``_DTD``) or is not well-formed XML (``_NOT_XML``)."""
    if status == _DTD:
        return UnusableWorkbook(f"Filen {path.name} innehåller otillåten XML (DTD) och läses inte.")
    return _unusable(path, "är skadad: en del av den är inte giltig XML. Öppna den i Excel, som "
                           "erbjuder sig att reparera den, spara och försök igen.")


# Below this many bytes of plain parts the pass is as quick in the process as starting another.
PARALLEL_CHECK_BYTES = 1_000_000


class _PartChecks:
    """The checks that may run beside calamine's read: expat's pass over the parts the preflight reads
    nothing from (sheets, shared strings, styles …: ≈ 110 MB/s, ten years: 15 MB of XML) and, where it
    runs beside, each worksheet's own preflight too (inflating it, the size checks, the error values
    and the numbers calamine cannot take).

    Beside (``beside``: the process can fork, holds one thread and the parts are large enough), a child
    process does this work on another core. It answers sheet by sheet, in the order calamine reads
    them, and the parent reads no sheet before its answer: calamine still reads no sheet the size checks
    have not passed. Anywhere else (Windows, a small file, a thread running) the sheets are checked in
    the preflight and the well-formedness pass runs here when asked. Either way the refusal is the same:
    the first failure in the order the preflight goes through the parts (``_Failure``), as if every part
    had been checked in turn before calamine read anything. A part with a DTD calamine may read first,
    but it expands no entity (it refuses the reference: the corpus's ``xml-bomb``), and the file is
    refused for the DTD all the same."""

    def __init__(self, path: Path, snapshot: bytes, beside: bool) -> None:
        self.path, self.snapshot, self.beside = path, snapshot, beside
        # (place in the preflight's order, bytes, where they are): parts only parsed, never read from
        self.parts: list[tuple[int, bytes | None, zipfile.ZipInfo]] = []
        self.sheets: list[_Sheet] = []  # worksheets left to the child (only ``beside``)
        self.found: dict[str, tuple[dict[tuple[int, int], str], bool]] = {}  # part → (error codes, to mend)
        self._unanswered: dict[str, int] = {}  # deferred part → its entries not answered yet (a zip may repeat a name)
        self._failed = False  # a sheet's own check failed: which failure comes first needs the whole answer
        self._answer: _Failure | None | bool = False  # False: not known yet; None: every check passed
        self._child: tuple[int, io.BufferedReader] | None = None  # (pid, its answers)

    def add(self, index: int, data: bytes, info: zipfile.ZipInfo) -> None:
        self.parts.append((index, data, info))

    def defer(self, index: int, info: zipfile.ZipInfo, label: str) -> None:
        self.sheets.append(_Sheet(index, info, label))
        self._unanswered[info.filename] = self._unanswered.get(info.filename, 0) + 1

    def note(self, part: str, codes: dict[tuple[int, int], str], mend: bool) -> None:
        """A worksheet's findings (an entry of a name the zip repeats adds to the earlier one's, as
        calamine may read either)."""
        earlier_codes, earlier_mend = self.found.get(part, ({}, False))
        self.found[part] = (codes or earlier_codes, mend or earlier_mend)

    def start(self, read_order: Collection[str]) -> None:
        """Start the child; without one (``fork`` fails), every check runs here at once and the first
        failure, if any, is raised."""
        if not self.beside:
            return
        order = {part: place for place, part in enumerate(read_order)}
        self.sheets.sort(key=lambda sheet: order.get(sheet.info.filename, len(order)))
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no process to spare: everything here, now, as the preflight would have
            os.close(read_end)
            os.close(write_end)
            self._answer = self._check_here()
            self.raise_first_failure()
            return
        if pid == 0:  # the child: the checks, their answers, and an end without the parent's exit work
            try:
                gc.disable()  # collecting would touch (and copy) the parent's objects
                os.close(read_end)
                with os.fdopen(write_end, "wb") as answers:
                    def send(record: tuple) -> None:
                        body = marshal.dumps(record)
                        answers.write(len(body).to_bytes(_LENGTH, "little") + body)
                        answers.flush()
                    failure = self._check_here(send)
                    send(("end", (failure.index, failure.step, failure.message) if failure is not None else None))
            finally:
                os._exit(0)
        os.close(write_end)
        self._child = (pid, os.fdopen(read_end, "rb"))
        # the child has the bytes: the parent keeps where they are (for a child that does not answer),
        # not 15 MB while calamine reads
        self.parts = [(index, None, info) for index, _data, info in self.parts]

    def findings(self, part: str | None) -> tuple[dict[tuple[int, int], str], bool]:
        """A worksheet's error codes by (row, column) and whether calamine needs it mended; waits for the
        child's answer on it (``part`` unknown: on every worksheet). Raises the first failure, if any."""
        while self._child is not None and not self._failed and (
                self._unanswered.get(part, 0) if part in self._unanswered else any(self._unanswered.values())):
            self._receive()
        if self._failed or isinstance(self._answer, _Failure):
            self.raise_first_failure()
        return self.found.get(part or "", ({}, False))

    def first_failure(self) -> _Failure | None:
        """The failure that comes first, when every check has run (waits for the child), or None."""
        while self._child is not None and self._answer is False:
            self._receive()
        if self._answer is False:
            self._answer = self._check_here()
        self.parts = []  # checked: the parts' bytes are not kept while the command runs
        return self._answer

    def raise_first_failure(self) -> None:
        failure = self.first_failure()
        if failure is not None:
            raise UnusableWorkbook(failure.message)

    def failure_before(self, index: int, step: int) -> _Failure | None:
        """A failure that comes before the preflight's refusal of the part at ``index`` by its check
        ``step``, among the checks left for later; checked here (no child has started yet)."""
        failure = self._check_here(until=index)
        return failure if failure is not None and failure.order < (index, step) else None

    def close(self) -> None:
        """Stop a child still checking (the read failed or was interrupted meanwhile)."""
        if self._child is not None:
            import signal

            pid, answers = self._child
            self._child = None
            answers.close()
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:  # ChildProcessError and ProcessLookupError among them
                pass

    def _receive(self) -> None:
        """One answer from the child; when there is none (it ended early, say), everything is checked here."""
        pid, answers = self._child
        record = None
        try:
            header = answers.read(_LENGTH)
            if len(header) == _LENGTH:
                record = marshal.loads(answers.read(int.from_bytes(header, "little")))
        except (OSError, EOFError, ValueError, TypeError):
            record = None
        kind = record[0] if isinstance(record, tuple) and record else None
        if kind == "sheet":
            part, codes, mend = record[1:]
            self.note(part, codes, mend)
            self._unanswered[part] = self._unanswered.get(part, 1) - 1
            return
        if kind == "failed":
            self._failed = True
            return
        self._child = None
        answers.close()
        try:
            os.waitpid(pid, 0)
        except OSError:
            pass
        if kind == "end":
            self._answer = _Failure(*record[1]) if record[1] is not None else None
        else:  # no answer: the checks run here instead
            self._answer = self._check_here()
        self.parts = []

    def _check_here(self, send: Callable[[tuple], None] | None = None, until: int | None = None) -> _Failure | None:
        """Every check left (the child's work; with ``until``, those of the parts up to that place in the
        preflight's order), each answered through ``send``: the failure that comes first, or None."""
        failures: list[_Failure] = []
        parsed = [(index, data if data is not None else _read_part(memoryview(self.snapshot), None, info))
                  for index, data, info in self.parts if until is None or index <= until]
        for sheet in self.sheets:
            if until is not None and sheet.index > until:
                continue
            try:
                data = _read_part(memoryview(self.snapshot), None, sheet.info)
            except _READ_ERRORS:
                failures.append(_Failure(sheet.index, 0, str(_damaged(self.path))))
                if send is not None:
                    send(("failed",))
                continue
            parsed.append((sheet.index, data))
            try:
                codes, mend = _worksheet_findings(data, sheet.label)
            except UnusableWorkbook as refusal:
                failures.append(_Failure(sheet.index, 2, str(refusal)))
                if send is not None:
                    send(("failed",))
                continue
            self.note(sheet.info.filename, codes, mend)
            if send is not None:
                send(("sheet", sheet.info.filename, codes, mend))
        for index, data in sorted(parsed, key=lambda item: item[0]):
            status = _parse_xml(data)
            if status is not None:
                failures.append(_Failure(index, 1, str(_refuse_xml(self.path, status))))
                break
        return min(failures, key=lambda failure: failure.order, default=None)


class _Sheet:
    """A worksheet whose checks are left to the child: its place in the preflight's order of parts, its
    zip entry and its name (for the message)."""

    __slots__ = ("index", "info", "label")

    def __init__(self, index: int, info: zipfile.ZipInfo, label: str) -> None:
        self.index, self.info, self.label = index, info, label


class _Failure:
    """A check that failed: the part's place in the preflight's order, then which check of that part
    (``step``: 0 reading it, 1 its XML, 2 its size), so that the least ``order`` is the refusal the
    preflight would give checking the parts in turn; ``message`` is that refusal's text."""

    __slots__ = ("index", "step", "message")

    def __init__(self, index: int, step: int, message: str) -> None:
        self.index, self.step, self.message = index, step, message

    @property
    def order(self) -> tuple[int, int]:
        return self.index, self.step


_LENGTH = 4  # each answer of the child: the length of marshal's bytes (little-endian), then the bytes
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError, NotImplementedError)


def _preflight(path: Path, snapshot: bytes) -> _Package:
    """Refuse files that are not safe to parse; return what maps sheets and tables. The worksheets and
    the well-formedness of the plain parts may still be being checked (``package.check``): ``read_grids``
    asks for a sheet's findings before calamine reads it, and for the rest before it returns."""
    package = _Package()
    try:
        _preflight_parts(path, snapshot, package)
    except _Refusal as refusal:
        # a part checked later (beside, or the plain parts' pass) but placed before this one would have
        # been refused first, had every part been checked in turn
        earlier = package.check.failure_before(refusal.index, refusal.step)  # set before the first part
        if earlier is not None:
            raise UnusableWorkbook(earlier.message) from None
        raise refusal.error from None
    package.check.start(package.sheets.values())
    return package


class _Refusal(Exception):
    """The preflight's refusal of the part at ``index`` in its order of parts, by its check ``step``
    (as in ``_Failure``)."""

    def __init__(self, index: int, step: int, error: UnusableWorkbook) -> None:
        super().__init__(str(error))
        self.index, self.step, self.error = index, step, error


def _preflight_parts(path: Path, snapshot: bytes, package: _Package) -> None:
    """Refuse files that are not safe to parse (a part's refusal as ``_Refusal``, with its place); fill in
    what maps sheets and tables, and each worksheet's findings or, beside the read, leave its checks to
    the child (``package.check``)."""
    head = snapshot[:8]
    if head == _CFB_MAGIC:
        raise UnusableWorkbook(
            f"Filen {path.name} är lösenordsskyddad (krypterad) eller i det gamla .xls-formatet. "
            "Ta bort lösenordet eller spara den som .xlsx/.xlsm i Excel och försök igen."
        )
    if not head.startswith(b"PK"):
        raise _not_a_workbook(path)
    try:
        archive = zipfile.ZipFile(io.BytesIO(snapshot))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _damaged(path) from None
    view = memoryview(snapshot)
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if "xl/workbook.xml" not in names:
            raise _not_a_workbook(path)
        if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
            raise _too_large(path)
        # workbook.xml and its relationships first: a sheet's name is needed to report it
        first = {"xl/workbook.xml": 0, _WORKBOOK_RELS: 1}
        ordered = sorted(infos, key=lambda info: first.get(info.filename, 2))
        declared = sum(info.file_size for info in infos if info.filename.endswith(".xml")
                       and info.filename != "xl/workbook.xml" and not info.filename.startswith("xl/tables/"))
        beside = hasattr(os, "fork") and threading.active_count() == 1 and declared >= PARALLEL_CHECK_BYTES
        check = package.check = _PartChecks(path, snapshot, beside)
        sheet_names: dict[str, str] = {}
        workbook_sheets: list[tuple[str | None, str | None]] | None = None
        sheet_parts: set[str] = set()
        for position, info in enumerate(ordered):
            name = info.filename
            if not name.endswith((".xml", ".rels")) and name not in sheet_parts:
                continue
            step = 0  # which check of the part refuses it: reading it (0), its XML (1), the rest (2)
            try:
                if info.compress_size and info.file_size / info.compress_size > MAX_PART_RATIO and info.file_size > 10_000_000:
                    raise _too_large(path)
                relationships, tables = name.endswith(".rels"), name.startswith("xl/tables/")
                # calamine reads a sheet wherever the workbook's relationships put it
                worksheet = not relationships and (
                    name in sheet_parts or (name.startswith("xl/worksheets/") and not name.startswith("xl/worksheets/_rels/")))
                label = (sheet_names.get(name) or posixpath.splitext(posixpath.basename(name))[0]) if worksheet else ""
                if beside and worksheet and not tables and name != "xl/workbook.xml":
                    check.defer(position, info, label)  # inflated and checked beside, before calamine reads it
                    continue
                try:
                    data = _read_part(view, archive, info)
                except _READ_ERRORS:
                    raise _damaged(path) from None
                step = 1
                # one expat pass per part checks it and, for the parts that map sheets and tables, reads it
                if relationships:
                    entries: list[dict[str, str]] = []
                    status = _parse_xml(data, *_relationship_handlers(entries))
                elif name == "xl/workbook.xml":
                    workbook_sheets, status = _workbook_sheets(data)
                elif tables:
                    package.tables[name], status = _table_part(data)
                else:
                    check.add(position, data, info)  # nothing is read from it: only its well-formedness is checked
                    status = None
                if status is not None:
                    raise _refuse_xml(path, status)
                step = 2
                if relationships:
                    if _missing_targets(entries, name, names):
                        raise _unusable(path, "är skadad: den hänvisar till delar som saknas. Öppna den i Excel, som "
                                              "erbjuder sig att reparera den, spara och försök igen.")
                    package.relationships[name] = entries
                    if name == _WORKBOOK_RELS:
                        package.sheets = _sheet_parts(workbook_sheets, entries)
                        sheet_names = {part: sheet for sheet, part in package.sheets.items()}
                        sheet_parts = set(sheet_names)
                elif worksheet:
                    check.note(name, *_worksheet_findings(data, label))
            except UnusableWorkbook as error:
                raise _Refusal(position, step, error) from None
        if _WORKBOOK_RELS not in package.relationships:
            package.sheets = _sheet_parts(workbook_sheets, None)


def _worksheet_findings(data: bytes, label: str) -> tuple[dict[tuple[int, int], str], bool]:
    """A worksheet's checks before calamine reads it: its size (refused when too many cells), its error
    values' codes by (row, column), and whether it holds values calamine cannot take (to be mended)."""
    _check_size(data, label)
    codes: dict[tuple[int, int], str] = {}
    mend = False
    if b't="e"' in data and _TYPE_ERROR.search(data):
        codes = _error_codes(data)
        mend = any(code not in _CALAMINE_ERRORS for code in codes.values())
    if not mend and b"<v>-" in data and any(_too_negative(match) for match in _NEGATIVE_VALUE.finditer(data)):
        mend = True
    return codes, mend


def _missing_targets(entries: list[dict[str, str]], name: str, names: set[str]) -> bool:
    """Whether a relationships part points at parts the package does not have (Excel would repair it)."""
    folder = posixpath.dirname(posixpath.dirname(name))  # xl/_rels/workbook.xml.rels → xl
    return any(target not in names for _kind, target in _resolved(entries, folder).values())


def _check_size(data: bytes, sheet: str) -> None:
    """Refuse a sheet whose cells would not fit in memory, before calamine allocates them.

    calamine stores a sheet densely, from its first to its last cell with a value, and the grid handed
    to the parser starts at A1: one stray value in XFD1048576 asks for 17 billion cells. Cheap byte
    searches first; the exact walk over every cell only when they cannot rule it out.
    """
    # cells with a value (formatted blanks have none); each takes at least three bytes, so a smaller
    # part cannot hold too many and is not counted
    if len(data) > 3 * MAX_CELLS and data.count(b"<v>") + data.count(b"<is>") > MAX_CELLS:
        raise _too_many_cells(sheet)
    if _area_bound(data) <= MAX_CELLS:
        return
    if b"<!--" in data or b"<![CDATA[" in data or data.find(b"<?", 1) != -1:
        data = _HIDDEN_MARKUP.sub(b"", data)  # a <row r="1"> inside a comment is no row to calamine
    last_row = last_column = row = column = 0
    for match in _ROW_OR_CELL.finditer(data):
        value = _r_attribute(match.group(2))
        if match.group(1) is not None:  # <row …>: a cell without r="" continues from here (as calamine does)
            row, column = (_number(value) if value is not None and value.isdigit() else row + 1), 0
            continue
        reference = _POSITION.fullmatch(value) if value is not None else None
        if reference is not None:
            row, column = _number(reference.group(2)), _column_number(reference.group(1).upper())
        else:
            column += 1
        if match.group(3):  # <c …/> has no value: calamine does not keep it
            continue
        last_row, last_column = max(last_row, row), max(last_column, column)
        if last_row * last_column > MAX_CELLS:
            raise _too_many_cells(sheet)


def _r_attribute(attributes: bytes) -> bytes | None:
    """The value of the attribute ``r`` (calamine's cell or row position) among a start tag's attributes."""
    for match in _ATTRIBUTE.finditer(attributes):
        if match.group(1) == b"r":
            return match.group(2) if match.group(2) is not None else match.group(3)
    return None


def _number(digits: bytes) -> int:
    """A row number; one longer than Excel's (1 048 576) counts as 10 000 000, far past any real sheet."""
    return int(digits) if len(digits) <= 7 else 10_000_000


def _area_bound(data: bytes) -> int:
    """An upper bound of last row × last column from the cell references, by C-speed searches only:
    the widest column (its letters) and the longest row number (its digit count and first digit).

    calamine finds a cell by its element's local name (``<c``, also ``<x:c``) and reads ``r`` in any
    XML spelling (other attributes first, single quotes, spaces around ``=``, small letters): a cell
    not written the way Excel writes it (``<c r="B12"`` first) is walked."""
    if b":c" in data and _PREFIXED_CELL.search(data):
        return MAX_CELLS + 1
    if not _NOT_SHORT_CELL.search(data):
        return 26 * 99_999  # every cell in A1:Z99999, the usual sheet: one scan
    if _NOT_EXCEL_CELL.search(data):
        return MAX_CELLS + 1
    letters = string.ascii_uppercase
    if re.search(rb'<c r="[A-Z]{3}\d', data):
        columns = 16_384
    elif re.search(rb'<c r="[A-Z]{2}\d', data):
        first = next(index for index in range(25, -1, -1) if re.search(rb'<c r="%s[A-Z]\d' % letters[index].encode(), data))
        columns = 26 * (first + 2)
    else:
        columns = next((index + 1 for index in range(25, -1, -1) if b'<c r="%s' % letters[index].encode() in data), 26)
    digits = 1
    while digits < 7 and re.search(rb'<c r="[A-Z]{1,3}\d{%d,}"' % (digits + 1), data):  # at least so many
        digits += 1
    lead = next(d for d in range(9, 0, -1) if re.search(rb'<c r="[A-Z]{1,3}%d\d{%d}"' % (d, digits - 1), data)) \
        if digits > 1 else 9
    return columns * ((lead + 1) * 10 ** (digits - 1) - 1)


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Read a part, but never more than its declared size (the declared size may lie)."""
    with archive.open(info) as stream:
        data = stream.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise ValueError("part larger than declared")
    return data


def _read_part(snapshot: memoryview, archive: zipfile.ZipFile | None, info: zipfile.ZipInfo) -> bytes:
    """``_read_bounded`` without zipfile's stream objects (a fifth of the time over 1 500 parts): the
    local header, its name and the CRC are checked as zipfile checks them, the part inflated straight
    from the snapshot and never beyond its declared size. Anything else than a plain stored or deflated
    part (encrypted, other methods) goes through zipfile, which refuses or reads it."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x61:
        if archive is None:  # (the checks beside the read: the preflight's archive is closed)
            with zipfile.ZipFile(io.BytesIO(snapshot)) as own:
                return _read_bounded(own, info)
        return _read_bounded(archive, info)
    offset = info.header_offset
    if offset < 0:  # a central directory that claims more than the file holds: not a slice from the end
        raise zipfile.BadZipFile("bad header offset")
    header = snapshot[offset:offset + 30]
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local header")
    name_end = offset + 30 + int.from_bytes(header[26:28], "little")
    raw_name = bytes(snapshot[offset + 30:name_end])
    name = raw_name.decode("ascii" if raw_name.isascii() else "utf-8" if header[7] & 0x08 else "cp437")
    if name != info.orig_filename:
        raise zipfile.BadZipFile("local name differs")
    start = name_end + int.from_bytes(header[28:30], "little")
    compressed = snapshot[start:start + info.compress_size]
    if len(compressed) != info.compress_size:
        raise EOFError("part cut short")
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise ValueError("stored part of another size than declared")
        data = bytes(compressed)
    else:
        inflate = zlib.decompressobj(-15)
        data = inflate.decompress(compressed, info.file_size + 1)
        if len(data) > info.file_size:
            raise ValueError("part larger than declared")
        if not inflate.eof:
            raise EOFError("deflate stream cut short")
    if zlib.crc32(data) != info.CRC:
        raise zipfile.BadZipFile("bad CRC")
    return data


def _error_codes(data: bytes) -> dict[tuple[int, int], str]:
    cells: dict[tuple[int, int], str] = {}
    for match in _ERROR_CELL.finditer(data):
        attributes = match.group(1)
        if not _TYPE_ERROR.search(attributes):
            continue
        ref = _REF.search(attributes)
        if ref is None:
            continue
        value = _ERROR_VALUE.search(data, match.end(), match.end() + 200)
        code = value.group(1).decode("utf-8", "replace").strip() if value else ""
        cells[(int(ref.group(2)), _column_number(ref.group(1)))] = code[:20] or "#N/A"
    return cells


def _too_negative(match: re.Match) -> bool:
    try:
        return float(match.group(1)) < _MOST_NEGATIVE
    except ValueError:
        return False


def _readable_copy(snapshot: bytes, parts: set[str]) -> io.BytesIO:
    """The file, in memory, with two kinds of values calamine cannot take mended in ``parts``:

    - error codes it does not know (``#SPILL!``, ``#CALC!``, ``#BUSY!`` …) become ``#N/A``: calamine
      refuses a whole sheet for one such cell; the real code is put back into the grid from the preflight;
    - numbers below −10 000 000 000 become that number: in a date-formatted cell calamine panics (a Rust
      panic, printed on stderr, that Python cannot catch as an ordinary error). Either way such a number
      is no date and no count, and is reported as such.
    """

    def known(match: re.Match) -> bytes:
        cell = match.group(0)
        if not _TYPE_ERROR.search(match.group(1) or b""):
            return cell
        return _ERROR_VALUE.sub(
            lambda value: value.group(0) if value.group(1) in _CALAMINE_ERRORS_BYTES else b"<v>#N/A</v>", cell, count=1
        )

    def bounded(match: re.Match) -> bytes:
        return b"<v>%d</v>" % _MOST_NEGATIVE if _too_negative(match) else match.group(0)

    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(snapshot)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = _read_bounded(source, info)
            if info.filename in parts:
                data = _NEGATIVE_VALUE.sub(bounded, _CELL_ELEMENT.sub(known, data))
            target.writestr(info, data)
    buffer.seek(0)
    return buffer


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"  # as expat names with namespaces
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"


def _relationship_handlers(entries: list[dict[str, str]]) -> tuple[Callable, Callable]:
    """Element handlers that collect the attributes of each relationship (the root's children) of a
    ``.rels`` part into ``entries``, in one parse without a tree."""
    depth = 0

    def start(_name: str, attributes: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth == 2:
            entries.append(attributes)

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    return start, end


def _namespaced(data: bytes, start: Callable[[str, dict[str, str]], None]) -> tuple[bool, str | None]:
    """Parse a part with namespaces (as ElementTree would, to read it) and check it: (read, status).
    XML that is well-formed but not namespace-well-formed (an unbound prefix) is checked again without
    namespaces: such a part is not refused, but what it says is not used (``read`` is False)."""
    status = _parse_xml(data, start, namespaces=True)
    if status != _NOT_XML:
        return status is None, status
    return False, _parse_xml(data)


def _workbook_sheets(data: bytes) -> tuple[list[tuple[str | None, str | None]] | None, str | None]:
    """(name, relationship id) of each ``sheet`` in workbook.xml, or None when it cannot be read."""
    sheets: list[tuple[str | None, str | None]] = []
    sheet = _MAIN_NS + "sheet"

    def start(name: str, attributes: dict[str, str]) -> None:
        if name == sheet:
            sheets.append((attributes.get("name"), attributes.get(_REL_NS + "id")))

    read, status = _namespaced(data, start)
    return (sheets if read else None), status


def _table_part(data: bytes) -> tuple[_TablePart | None, str | None]:
    """What a table part says (its root's attributes and its columns), or None when it cannot be read."""
    root: list[dict[str, str]] = []
    columns: list[str] = []
    column = _MAIN_NS + "tableColumn"

    def start(name: str, attributes: dict[str, str]) -> None:
        if not root:
            root.append(attributes)
        if name == column:
            columns.append(attributes.get("name", ""))

    read, status = _namespaced(data, start)
    return (_TablePart(root[0], tuple(columns)) if read and root else None), status


def _resolved(entries: list[dict[str, str]], base: str) -> dict[str, tuple[str, str]]:
    found = {}
    for rel in entries:
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External" or target.startswith("#"):
            continue  # a web address, or a place in this workbook (a sheet button's link): not a part
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
        found[rel.get("Id")] = (rel.get("Type", ""), path)
    return found


def _sheet_parts(sheets: list[tuple[str | None, str | None]] | None,
                 entries: list[dict[str, str]] | None) -> dict[str, str]:
    """Sheet name → worksheet part, from workbook.xml's sheets and its relationships."""
    if sheets is None:
        return {}
    targets = _resolved(entries, "xl") if entries is not None else {}
    return {name: targets.get(relationship, ("", ""))[1] for name, relationship in sheets}


def _table_locations(package: _Package, grids: dict[str, SheetGrid]) -> dict[str, TableLocation]:
    """Every Excel table, from the sheets' relationships and the table parts (not through calamine).

    calamine would load each table's whole range as values: a table stretched to row 1 000 000 would
    cost gigabytes. Only name, place and headers are needed; the values are in the grid already. A
    table reaching below the sheet's last used row is cut there (the rows below are blank).
    """
    tables: dict[str, TableLocation] = {}
    for sheet, part in package.sheets.items():
        grid = grids.get(sheet)
        if grid is None or not part:
            continue
        folder, name = posixpath.split(part)
        entries = package.relationships.get(f"{folder}/_rels/{name}.rels")
        for kind, target in (_resolved(entries, folder).values() if entries is not None else ()):
            if not kind.endswith("/table") or target not in package.tables:
                continue
            table = package.tables[target]
            if table is None:
                continue
            root = table.attributes
            table_name = root.get("displayName") or root.get("name")
            reference = _RANGE.fullmatch((root.get("ref") or "").replace("$", "").encode())
            if not table_name or reference is None or root.get("headerRowCount") == "0":
                continue
            first_column, header_row = _column_number(reference.group(1)), int(reference.group(2))
            last_row = int(reference.group(4) or reference.group(2))
            tables[table_name] = TableLocation(
                name=table_name,
                sheet=sheet,
                header_row=header_row,
                first_column=first_column,
                last_row=min(last_row, max(len(grid.rows), header_row + 1)),
                columns=table.columns,
            )
    return tables


def read_grids(
    path: Path, snapshot: bytes | None = None, *, skip: Collection[str] = ()
) -> tuple[dict[str, SheetGrid], dict[str, TableLocation]]:
    """Every worksheet as a grid from A1 (but the sheets in ``skip``), and every Excel table's location
    (``snapshot``: the file's bytes when the caller has read them already)."""
    with _checked_read(Path(path), snapshot, skip) as read:
        return read


@contextmanager
def _checked_read(path: Path, snapshot: bytes | None, skip: Collection[str]):
    """``read_grids``'s grids and tables, for work on them (the parsing) while the last checks beside
    may still run: the file is refused when the block ends, if a check failed, before anything the
    block raised (a broken part checked in turn would have been refused before the read)."""
    if snapshot is None:
        snapshot = _snapshot(path)
    package = _preflight(path, snapshot)
    try:
        try:
            grids = _read_sheets(path, snapshot, package, skip)
            yield grids, _table_locations(package, grids)
        except Exception:
            package.check.raise_first_failure()
            raise
        package.check.raise_first_failure()
    finally:
        package.check.close()  # a child still checking when the read failed otherwise


def _read_sheets(path: Path, snapshot: bytes, package: _Package, skip: Collection[str]) -> dict[str, SheetGrid]:
    """calamine's grid of every worksheet but those in ``skip``, error values as the preflight found them;
    each sheet read once its checks have passed (``check.findings``)."""
    import python_calamine

    check = package.check
    mended = {part for part, (_codes, mend) in check.found.items() if mend}
    book = _calamine_book(path, snapshot, mended)
    try:
        grids: dict[str, SheetGrid] = {}
        cells = 0
        for meta in book.sheets_metadata:
            if str(meta.typ) != str(python_calamine.SheetTypeEnum.WorkSheet) or meta.name in skip:
                continue
            part = package.sheets.get(meta.name)
            codes, mend = check.findings(part)
            if mend and part not in mended:  # found beside: the rest is read from a mended copy
                check.findings(None)  # every sheet's findings, for one copy
                mended = {part for part, (_codes, mend) in check.found.items() if mend}
                book.close()
                book = _calamine_book(path, snapshot, mended)
            try:
                sheet = book.get_sheet_by_name(meta.name)
                end = sheet.end
                if end is not None:
                    cells += (end[0] + 1) * (end[1] + 1)
                    if cells > MAX_CELLS:
                        raise _too_many_cells(meta.name)
                rows = sheet.to_python(skip_empty_area=False) if end is not None else []
                merged = tuple(
                    (r1 + 1, c1 + 1, r2 + 1, c2 + 1) for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])
                )
            except (python_calamine.CalamineError, ValueError, OverflowError):
                raise UnusableWorkbook(f"Bladet {meta.name} i {path.name} är skadat och kan inte läsas.") from None
            except BaseException as error:  # a Rust panic inside calamine is a BaseException: still a damaged sheet
                if type(error).__name__ != "PanicException":
                    raise
                raise UnusableWorkbook(f"Bladet {meta.name} i {path.name} är skadat och kan inte läsas.") from None
            if codes:
                rows = [list(row) for row in rows]
                for (row, column), code in codes.items():
                    if row - 1 < len(rows) and column - 1 < len(rows[row - 1]):
                        rows[row - 1][column - 1] = CellError(code)
            visible = str(meta.visible) == str(python_calamine.SheetVisibleEnum.Visible)
            grids[meta.name] = SheetGrid(meta.name, rows, merged, visible)
    finally:
        book.close()
    return grids


def _calamine_book(path: Path, snapshot: bytes, mended: set[str]):
    """calamine's workbook over the file, or over a copy with the values it cannot take mended in ``mended``."""
    import python_calamine

    try:
        source = _readable_copy(snapshot, mended) if mended else io.BytesIO(snapshot)
        return python_calamine.CalamineWorkbook.from_filelike(source, load_tables=False)
    except python_calamine.PasswordError:
        raise UnusableWorkbook(f"Filen {path.name} är lösenordsskyddad. Ta bort lösenordet och försök igen.") from None
    except (python_calamine.CalamineError, OSError, ValueError):
        raise UnusableWorkbook(f"Filen {path.name} är skadad och kan inte läsas som Excel-arbetsbok.") from None


def read_workbook_file(path: Path, *, today: date) -> WorkbookFile:
    """Read and validate a workbook file for the command line (the file is never written)."""
    path = Path(path)
    snapshot = _snapshot(path)
    # Logg only grows (years of rows) and no rule reads it. Registrering is read: it says which
    # visits were exported already, so a visit held back once is exported later, and only once.
    with _checked_read(path, snapshot, (L.LOG,)) as (grids, tables):  # parsed while the last checks run
        workbook = read_workbook(grids, tables, today=today)
    return WorkbookFile(workbook, open_in_excel(path), snapshot)
