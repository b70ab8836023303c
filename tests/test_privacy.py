"""Nothing leaks (issue 6, SPEC §5–6): every command and every failure path, every output channel.

Channels scanned: standard output without ``--json``, standard error, the local error log of the
Excel edge, anything else written outside the output folder, the ``Logg``, ``Kontroll`` and ``Status``
cells of result workbooks, and the messages of errors shown to users. No personnummer (any 10- or
12-digit form, valid or not) and no name from the data may appear in them. The masked form
``ÅÅÅÅMMDD-****`` (SPEC §5) is allowed in standard output only: it carries the birth date, so it stays
out of logs and the ``Logg`` sheet too. No module opens a network connection, and exported cells that
a spreadsheet would run as formulas are neutralised.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import re
import socket
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.corpus import make_corpus as corpus
from xl_addin import cli, services
from xl_addin.demo import DEMO_TODAY, build_demo
from xl_addin.domain import layout as L
from xl_addin.domain.personal_number import make_personal_number
from xl_addin.files.reader import read_grids, read_workbook_file
from xl_addin.template import GroupSheetContent, write_workbook

PACKAGE = Path(__file__).resolve().parents[1] / "xl_addin"
COMMANDS = tuple(cli.WORKBOOK_COMMANDS)
# Any personnummer-like digits: 6 or 8 digits, optional - or +, 4 digits; not inside a longer number.
PERSONNUMMER = re.compile(r"(?<![\d*])(?:\d{8}|\d{6})[-+]?\d{4}(?![\d*])")
MASKED = re.compile(r"\d{8}-\*{4}")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def run(*argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main([str(arg) for arg in argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def log_folder(tmp_path_factory, monkeypatch) -> Path:
    """The local error log (``xl_addin.diagnostics``), moved from the user's profile into a temporary folder."""
    folder = tmp_path_factory.mktemp("logg")
    try:
        from xl_addin import diagnostics
    except ImportError:  # no local log in this version: nothing to move
        return folder
    monkeypatch.setattr(diagnostics, "log_directory", lambda: folder)
    return folder


def log_text(folder: Path) -> str:
    return "".join(path.read_text(encoding="utf-8") for path in sorted(folder.glob("*")))


# -- what must not leak ------------------------------------------------------------------------------
def personal_data(path: Path) -> tuple[set[str], set[str]]:
    """(every personnummer-like text in the workbook's cells, every name) of a workbook file."""
    grids, _ = read_grids(path)
    numbers: set[str] = set()
    for grid in grids.values():
        for row in grid.rows:
            for value in row:
                text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value or "")
                numbers.update(PERSONNUMMER.findall(text.replace(" ", "")))
    workbook = read_workbook_file(path, today=DEMO_TODAY).workbook
    names: set[str] = set()
    people = [p for sheet in workbook.group_sheets.values() for p in sheet.participants] + list(workbook.interest)
    for person in people:
        names.update(filter(None, (person.name, getattr(person, "guardian", ""))))
        if person.personal_number is not None:
            digits = person.personal_number.digits
            numbers.update({digits, f"{digits[:8]}-{digits[8:]}", digits[2:], f"{digits[2:8]}-{digits[8:]}"})
    names.update(group.group_leader for group in workbook.groups if group.group_leader)
    # each part of a name that is itself name-like (family names and first names are identifying too)
    names |= {part for name in set(names) for part in re.split(r"[\s,]+", name) if len(part) >= 5 and part.istitle()}
    names -= {"Psykolog", "Behandlare", "Terapeut", "Kurator", "Förälder", "Vårdare"}  # titles, not names
    return numbers, names


def leaks(text: str, numbers: set[str], names: set[str], *, masked_allowed: bool = False) -> list[str]:
    found = [number for number in numbers if number in text]
    found += PERSONNUMMER.findall(text)
    found += [name for name in names if name in text]
    if not masked_allowed:
        found += MASKED.findall(text)
    return found


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("integritet")
    base = folder / "bas.xlsx"
    corpus.write_base(base)
    return {"bas": base, "demo": build_demo(folder / "demo.xlsx")}


@pytest.fixture(scope="module")
def data(workbooks) -> dict[str, tuple[set[str], set[str]]]:
    return {name: personal_data(path) for name, path in workbooks.items()}


def today_for(name: str) -> date:
    return DEMO_TODAY if name == "demo" else corpus.TODAY


# -- every command: standard output, standard error, result workbooks --------------------------------
@pytest.mark.parametrize("name", ["bas", "demo"])
def test_terminal_output_carries_no_full_personnummer(workbooks, data, name):
    numbers, names = data[name]
    assert numbers and names
    for command in COMMANDS:
        code, out, err = run(command, workbooks[name], "--today", today_for(name))
        assert code in (0, 1)
        assert not leaks(out, numbers, set(), masked_allowed=True), command
        assert not leaks(err, numbers, names), command


@pytest.mark.parametrize("name", ["bas"])
def test_terminal_output_carries_no_names(workbooks, data, name):
    numbers, names = data[name]
    for command in COMMANDS:
        _, out, _ = run(command, workbooks[name], "--today", today_for(name))
        assert not [found for found in names if found in out], command


def _result_cells(path: Path) -> Iterator[tuple[str, str]]:
    """(where, text) of the Logg sheet, the Kontroll messages and the Status cell of a result workbook."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    for sheet in (L.LOG, L.CHECK):
        for row in book[sheet].iter_rows(min_row=2, values_only=True):
            for value in row:
                if value is not None:
                    yield sheet, str(value)
    yield L.START, str(book[L.START][L.STATUS_CELL].value or "")


@pytest.mark.parametrize("name", ["bas", "demo"])
def test_result_workbooks_keep_personal_data_out_of_logg_kontroll_and_status(workbooks, data, name, tmp_path):
    numbers, names = data[name]
    for command in COMMANDS:
        code, _, _ = run(command, workbooks[name], "--today", today_for(name), "--out", tmp_path / command)
        assert code in (0, 1)
        (result,) = [path for path in (tmp_path / command).glob("*.xlsx") if "(" in path.name]
        cells = list(_result_cells(result))
        assert [sheet for sheet, _ in cells].count(L.LOG) >= 4  # the run was logged
        for sheet, text in cells:
            assert not leaks(text, numbers, names), (command, sheet, text)


@pytest.mark.parametrize("name", ["bas", "demo"])
def test_kontroll_messages_never_repeat_a_value(workbooks, data, name):
    numbers, names = data[name]
    _, out, _ = run("check", workbooks[name], "--today", today_for(name), "--json")
    problems = json.loads(out)["problems"]
    assert problems
    for problem in problems:
        assert not leaks(problem["Meddelande"] + problem["Cell"], numbers, names), problem


# -- every failure path ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> dict[str, Path]:
    fast = tuple(case.name for case in corpus.CASES if not case.slow)
    return corpus.build_corpus(tmp_path_factory.mktemp("trasiga"), fast)


def test_refusals_of_bad_files_carry_no_personal_data(bad_files, data, log_folder):
    numbers, names = data["bas"]  # the corpus is built from the base workbook
    for case_name, path in bad_files.items():
        for command in ("check", "export-registrations"):
            _, out, err = run(command, path, "--today", corpus.TODAY, "--out", path.parent / "ut", "--force")
            assert not leaks(err, numbers, names), (case_name, err)
            assert not leaks(out, numbers, set(), masked_allowed=True), (case_name, out)
            _, out, _ = run(command, path, "--today", corpus.TODAY, "--json")
            if out:
                for problem in json.loads(out)["problems"]:
                    assert not leaks(problem["Meddelande"], numbers, names), (case_name, problem)
    assert not leaks(log_text(log_folder), numbers, names)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_crash_inside_a_command_shows_and_logs_only_its_kind(workbooks, data, command, monkeypatch, tmp_path,
                                                                log_folder):
    numbers, names = data["bas"]
    workbook = read_workbook_file(workbooks["bas"], today=corpus.TODAY).workbook
    person = next(iter(workbook.group_sheets.values())).participants[0]
    secret = f"{person.personal_number} {person.personal_number.digits} {person.name}"

    def broken(workbook, *args, **kwargs):
        local_copy_of_the_data = [person.name, str(person.personal_number)]  # noqa: F841 (locals must not leak)
        raise ValueError(secret)

    label, _service = services.SERVICES[command]
    monkeypatch.setitem(services.SERVICES, command, (label, broken))
    monkeypatch.setattr(services, "export_registrations", broken)
    code, out, err = run(command, workbooks["bas"], "--today", corpus.TODAY, "--out", tmp_path / "ut")
    assert code == 2 and out == "" and "ValueError" in err and len(err.strip().splitlines()) == 1
    assert not leaks(err, numbers, names), err
    assert not (tmp_path / "ut").exists() or not list((tmp_path / "ut").iterdir())
    text = log_text(log_folder)
    assert "ValueError" in text and "broken" in text, "the crash was not logged"
    assert not leaks(text, numbers, names), text


def test_nothing_is_written_outside_the_output_folder(workbooks, tmp_path, monkeypatch):
    home, work = tmp_path / "hem", tmp_path / "arbete"
    home.mkdir(), work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.chdir(work)
    source = work / "bok.xlsx"
    source.write_bytes(workbooks["bas"].read_bytes())
    for command in COMMANDS:
        run(command, source, "--today", corpus.TODAY, "--out", work / "ut")
        run(command, work / "saknas.xlsx")
    assert list(home.rglob("*")) == []
    assert sorted(path.name for path in work.iterdir()) == ["bok.xlsx", "ut"]


# -- no network --------------------------------------------------------------------------------------
FORBIDDEN_MODULES = {"socket", "urllib", "http", "requests", "httpx", "urllib3", "ftplib", "smtplib", "ssl",
                     "telnetlib", "xmlrpc", "aiohttp", "websocket", "websockets", "paramiko"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            found.add(str(node.args[0].value).split(".")[0])
    return found


def test_no_module_imports_a_network_library():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 10
    offenders = {str(path.relative_to(PACKAGE)): sorted(_imports(path) & FORBIDDEN_MODULES) for path in modules}
    assert {path: names for path, names in offenders.items() if names} == {}


def test_no_command_opens_a_network_connection(workbooks, tmp_path, monkeypatch):
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access is not allowed in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket.socket, "sendto", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for command in COMMANDS:
        code, _, err = run(command, workbooks["demo"], "--today", DEMO_TODAY, "--out", tmp_path / command)
        assert code in (0, 1), err
    assert run("new-workbook", tmp_path / "ny.xlsx", "--demo")[0] == 0
    assert run("demo", "--out", tmp_path / "demo")[0] == 0
    assert attempts == []


# -- exports neutralise what a spreadsheet would run -------------------------------------------------
# Names as a user might type them; leading tabs and CRs never reach an export (cells are trimmed when
# read), so those two are checked on the writer itself.
DANGEROUS = ('=HYPERLINK("http://exempel.invalid","Klicka")', "+46701234567", "-2+3", "@SUMMA(A1)")


@pytest.fixture(scope="module")
def dangerous_workbook(tmp_path_factory) -> Path:
    """A finished group whose participants' names (and a guardian) begin like formulas."""
    start = date(2026, 9, 2)
    participants = [
        {L.PERSONAL_NUMBER: make_personal_number(date(2012, 5, 1 + index), 930 + index), L.NAME: name,
         L.GUARDIAN: DANGEROUS[-1 - index], "T1": L.ATTENDED, "T2": L.NO_SHOW}
        for index, name in enumerate(DANGEROUS)
    ]
    content = corpus.base_content()
    content = type(content)(**{**content.__dict__, "group_sheets": (
        *content.group_sheets,
        GroupSheetContent("Farlig-2609", "ADHD Ung – Farlig-2609", (start, date(2026, 9, 9)), participants=participants),
    ), "groups": (*content.groups, {
        L.GROUP_ID: "Farlig-2609", L.GROUP_TYPE: "ADHD Ung", L.ATTENDEE: L.ATTENDEE_PATIENT, L.START_DATE: start,
        L.SESSION_COUNT: 2, L.MAX_PARTICIPANTS: 8, L.JOURNAL_AT_END: L.NO,
    })})
    return write_workbook(tmp_path_factory.mktemp("farlig") / "farlig.xlsx", content)


def test_the_csv_export_neutralises_cells_that_would_run_as_formulas(dangerous_workbook, tmp_path):
    code, _, err = run("export-registrations", dangerous_workbook, "--today", corpus.TODAY, "--out", tmp_path)
    assert code in (0, 1), err
    (path,) = tmp_path.glob("Registrering *.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    cells = [cell for row in rows[1:] for cell in row]
    names = [cell for cell in cells if cell.lstrip("'") in DANGEROUS]
    assert sorted(cell[1:] for cell in names) == sorted(DANGEROUS * 2)  # each name, for both sessions
    assert all(cell.startswith("'") for cell in names)
    assert not [cell for cell in cells if cell.startswith(FORMULA_START)]


def _sheet_xml(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as archive:
        return [archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/sheet")]


def test_the_xlsx_exports_hold_such_cells_as_text_never_as_formulas(dangerous_workbook, tmp_path):
    import openpyxl

    run("export-registrations", dangerous_workbook, "--today", corpus.TODAY, "--out", tmp_path)
    (export,) = tmp_path.glob("Registrering *.xlsx")
    (result,) = [path for path in tmp_path.glob("*.xlsx") if "(" in path.name]
    from xl_addin.template import pending_formula, summary_formulas

    # The only formulas are the template's own live counts (Start's summary, each group sheet's B2).
    own = {formula for _, _, formula in summary_formulas()} | {pending_formula(3, n) for n in range(1, 21)}
    assert not [xml for xml in _sheet_xml(export) if b"<f>" in xml or b"<f " in xml], export.name
    for path in (export, result):
        book = openpyxl.load_workbook(path)
        formulas = [(sheet.title, cell.coordinate, cell.value) for sheet in book.worksheets for row in sheet.iter_rows()
                    for cell in row if cell.data_type == "f"]
        assert [f for f in formulas if f[2] not in own] == [], path.name
        texts = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
                 if isinstance(cell.value, str) and cell.value.lstrip("'") in DANGEROUS]
        assert len(texts) >= len(DANGEROUS) * 2, path.name
        assert all(cell.data_type == "s" for cell in texts), path.name


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "\tTabb", "\rVagn", "=cmd|' /C calc'!A0"])
def test_the_writers_neutralise_every_formula_start(tmp_path, value):
    from xl_addin.files.writer import neutralise, write_csv

    assert neutralise(value) == "'" + value
    path = write_csv(tmp_path / "ut.csv", ["Namn"], [{"Namn": value}])
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows == [["Namn"], ["'" + value]]
