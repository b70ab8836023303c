"""Hostile and broken files, and failures while writing: the command line always ends cleanly (issue 6).

Every case of the generated corpus (``tests/corpus/make_corpus.py``) goes through every command, in
process and once as a real ``python -m xl_addin`` with a time limit and an address-space limit. A file
that cannot be used ends with exit code 2 and one Swedish line on stderr; a readable file ends with
exit 0/1, its problems in ``Kontroll`` at their cells, and the good rows processed. Never a traceback.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.corpus import make_corpus as corpus
from xl_addin import cli
from xl_addin.domain import layout as L
from xl_addin.domain.cells import as_date
from xl_addin.domain.errors import InvalidDate, UserError
from xl_addin.files.reader import read_workbook_file

TODAY = corpus.TODAY
COMMANDS = tuple(cli.WORKBOOK_COMMANDS)
UNUSABLE = tuple(case for case in corpus.CASES if case.exit_code == 2)
READABLE = tuple(case for case in corpus.CASES if case.exit_code != 2)
PROJECT = Path(__file__).resolve().parents[1]
SECONDS = 15  # in process, per command: far above what any case needs (the slowest takes about 1 s)
SUBPROCESS_SECONDS = 60
ADDRESS_SPACE = 768 * 1024 * 1024  # RLIMIT_AS of the real command line
MAX_RSS_MB = 400
UNEXPECTED = "oväntat fel"  # the command line's words for a bug it caught


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str
    seconds: float

    @property
    def err_lines(self) -> list[str]:
        return self.err.strip().splitlines()


def run(*argv: object) -> Run:
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    code = cli.main([str(arg) for arg in argv], out=out, err=err)
    return Run(code, out.getvalue(), err.getvalue(), time.perf_counter() - start)


def run_json(command: str, path: Path, *extra: object) -> tuple[Run, dict]:
    result = run(command, path, "--today", TODAY, "--json", *extra)
    return result, json.loads(result.out) if result.out else {}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_clean_end(result: Run) -> None:
    assert "Traceback" not in result.out + result.err
    assert UNEXPECTED not in result.err, result.err
    assert result.seconds < SECONDS


@pytest.fixture(autouse=True)
def _error_log_in_tmp(tmp_path_factory, monkeypatch) -> None:
    """A caught bug is logged in the user's profile (``xl_addin.diagnostics``): keep the tests' out of it."""
    try:
        from xl_addin import diagnostics
    except ImportError:
        return
    folder = tmp_path_factory.mktemp("felogg")
    monkeypatch.setattr(diagnostics, "log_directory", lambda: folder)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    return corpus.build_corpus(tmp_path_factory.mktemp("korpus"))


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bas") / "bas.xlsx"
    corpus.write_base(path)
    return path


@pytest.fixture(scope="module")
def base_results(base) -> dict[str, dict]:
    return {command: run_json(command, base)[1] for command in COMMANDS}


def _param(case: corpus.Case) -> object:
    return pytest.param(case, id=case.name)


# -- unusable files ----------------------------------------------------------------------------------
@pytest.mark.parametrize("case", [_param(case) for case in UNUSABLE])
def test_an_unusable_file_ends_every_command_with_exit_2_and_one_swedish_line(files, case):
    path = files[case.name]
    before = digest(path)
    for command in COMMANDS:
        result = run(command, path, "--today", TODAY)
        assert (result.code, result.out) == (2, ""), (command, result)
        assert len(result.err_lines) == 1 and result.err.startswith("bup-grupper: "), (command, result.err)
        assert case.message in result.err, (command, result.err)
        assert_clean_end(result)
    assert digest(path) == before


@pytest.mark.parametrize("case", [_param(case) for case in UNUSABLE if case.name not in ("annat-program", "fel-layoutversion")])
def test_an_unusable_file_given_as_the_interest_list_ends_with_exit_2(files, base, case):
    result = run("import-interest", base, files[case.name], "--today", TODAY)
    assert (result.code, result.out) == (2, "")
    assert len(result.err_lines) == 1 and result.err.startswith("bup-grupper: ")
    assert_clean_end(result)


def test_a_missing_file_and_a_folder_end_with_exit_2(tmp_path):
    for path, message in ((tmp_path / "finns-inte.xlsx", "finns inte"), (tmp_path, "ingen fil")):
        result = run("check", path)
        assert (result.code, result.out) == (2, "") and len(result.err_lines) == 1 and message in result.err


# -- readable files ----------------------------------------------------------------------------------
@pytest.mark.parametrize("case", [_param(case) for case in READABLE])
def test_a_readable_file_gets_each_problem_at_its_cell(files, case):
    result, document = run_json("check", files[case.name])
    assert (result.code, result.err) == (case.exit_code, "")
    assert_clean_end(result)
    found = [(problem["Blad"], problem["Cell"], problem["Meddelande"]) for problem in document["problems"]]
    for sheet, cell, fragment in case.problems:
        assert any((s, c) == (sheet, cell) and fragment in m for s, c, m in found), (sheet, cell, fragment, found)
    for fragment in case.absent:
        assert not [problem for problem in found if fragment in problem[2]], found


@pytest.mark.parametrize("case", [_param(case) for case in READABLE])
def test_no_problem_is_reported_twice(files, case):
    _, document = run_json("check", files[case.name])
    rows = [tuple(problem.values()) for problem in document["problems"]]
    assert len(rows) == len(set(rows))


@pytest.mark.parametrize("case", [_param(case) for case in READABLE])
def test_every_command_processes_a_readable_file(files, base_results, case, tmp_path):
    path = files[case.name]
    before = digest(path)
    for command in COMMANDS:
        result, document = run_json(command, path)
        assert result.code in (0, 1) and result.err == "", (command, result.err)
        assert_clean_end(result)
        if case.same_rows_as_base:
            assert document["rows"] == base_results[command]["rows"], command
            assert document["tasks"] == base_results[command]["tasks"], command
    if case.name not in ("miljon-tomma-rader", "ogiltigt-attribut"):  # their result files are known gaps below
        result = run("tasks", path, "--today", TODAY, "--out", tmp_path)
        assert result.code in (0, 1) and len(list(tmp_path.glob("*.xlsx"))) == 1, result.err
        assert_clean_end(result)
    assert digest(path) == before


def _rows(document: dict, **match: object) -> list[dict]:
    return [row for row in document["rows"] if all(row.get(key) == value for key, value in match.items())]


def test_merged_cells_count_as_blank_and_the_other_rows_are_still_processed(files, base_results):
    _, document = run_json("mark-no-shows", files["sammanfogade-celler"])
    assert document["rows"] == base_results["mark-no-shows"]["rows"]
    missing = [p for p in document["problems"] if p["Meddelande"].startswith("Närvaro saknas: ADHD-2609 tillfälle 1")]
    assert [(p["Blad"], p["Cell"]) for p in missing] == [(corpus.ADHD, "D3")]


def test_error_values_refuse_their_rows_and_good_formula_results_are_used(files):
    _, rosters = run_json("flag-late-rosters", files["formler-och-felvarden"])
    assert _rows(rosters, GruppID=corpus.ADHD)[0]["Sista dag för lista"] == "2026-08-19"  # =DATE(2026,9,2)
    assert not _rows(rosters, GruppID=corpus.MITT)  # #REF! in Max deltagare: the row is refused, and said so
    assert [p["Cell"] for p in rosters["problems"] if p["Blad"] == L.GROUPS and p["Cell"].endswith("3")] == ["F3"]
    assert "1 hoppades över" in rosters["summary"]  # once, at the #REF! cell: no second line for the row
    _, no_shows = run_json("mark-no-shows", files["formler-och-felvarden"])
    second = str(corpus.person_number(1))
    assert _rows(no_shows, Personnummer=second, Tillfälle=2)  # T2 of the row whose T3 is #N/A
    _, interest = run_json("plan-interest", files["formler-och-felvarden"])
    assert [row["Inkom"] for row in interest["rows"]] == ["2026-09-20"]  # the #DIV/0! row is refused


def test_dates_typed_as_text_or_serial_numbers_are_used_and_ambiguous_ones_refuse_their_row(files):
    _, rosters = run_json("flag-late-rosters", files["datum-som-text"])
    found = {row["GruppID"]: (row["Startdatum"], row["Sista dag för lista"], row["Status"]) for row in rosters["rows"]}
    assert found == {
        corpus.ADHD: ("2026-09-02", "2026-08-19", L.ROSTER_OK),  # "2026-09-02", ready "10 aug 2026"
        corpus.LATER: ("2026-11-04", "2026-10-21", L.ROSTER_AT_RISK),  # serial number 46330
    }  # Mitt-2609's "2/9 2026" in Lista klar is ambiguous: that group is refused, not guessed
    _, no_shows = run_json("mark-no-shows", files["datum-som-text"])
    dates = {(row["GruppID"], row["Tillfälle"]): row["Datum"] for row in no_shows["rows"]}
    assert dates[(corpus.ADHD, 2)] == "2026-09-09" and dates[(corpus.ADHD, 4)] == "2026-09-23"
    _, interest = run_json("plan-interest", files["datum-som-text"])
    assert [(row["Inkom"], row["Vårdgaranti senast"]) for row in interest["rows"]] == [("2026-09-20", "2026-10-20")]


def test_personnummer_stored_as_numbers_are_understood(files, base_results):
    _, document = run_json("mark-no-shows", files["personnummer-som-tal"])
    assert document["rows"] == base_results["mark-no-shows"]["rows"]
    _, interest = run_json("plan-interest", files["personnummer-som-tal"])
    assert interest["rows"][0]["Personnummer"].startswith("20050309-")


def test_missing_sheets_leave_the_groups_processed(files, base_results):
    _, document = run_json("flag-late-rosters", files["saknade-blad"])
    statuses = [(row["GruppID"], row["Status"]) for row in document["rows"]]
    assert statuses == [(row["GruppID"], row["Status"]) for row in base_results["flag-late-rosters"]["rows"]]


def test_a_duplicated_button_column_is_left_alone_and_the_first_one_written(files, tmp_path):
    import openpyxl

    run("flag-late-rosters", files["dubbla-rubriker"], "--today", TODAY, "--out", tmp_path)
    (result,) = tmp_path.glob("*.xlsx")
    sheet = openpyxl.load_workbook(result)[L.GROUPS]
    assert [sheet.cell(row, 12).value for row in (2, 3, 4)] == [L.ROSTER_OK, L.ROSTER_LATE, L.ROSTER_AT_RISK]
    assert sheet.cell(2, 13).value == "egen anteckning"


# -- damaged parts: random cuts and insertions in the XML of a real workbook -------------------------
@lru_cache(maxsize=1)
def _base_members() -> tuple[tuple[str, bytes], ...]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bas.xlsx"
        corpus.write_base(path)
        with zipfile.ZipFile(path) as archive:
            return tuple((info.filename, archive.read(info)) for info in archive.infolist())


_FRAGMENTS = st.sampled_from([
    b"<", b">", b'"', b"&", b"&#0;", b"&#xFFFF;", b"\xff\xfe", b"</c>", b"</row>", b"<row>", b'<row r="0">',
    b'<c r="A1" t="s"><v>99999</v></c>', b'<c r="XFD1" t="e"><v>#SPILL!</v></c>', b'<c r="B2" t="n"><v>1e999</v></c>',
    b'<c r="C3" t="d"><v>2026-02-30</v></c>', b'<c t="b"><v>2</v></c>', b'<mergeCell ref="A1:XFD1048576"/>',
    b'<c r="A1048576"><v>1</v></c>', b'<si><t>', b"</si>", b'<tableColumn id="1" name=""/>', b'ref="A0:B-1"',
])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    part=st.sampled_from(["xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml", "xl/worksheets/sheet5.xml",
                          "xl/sharedStrings.xml", "xl/workbook.xml", "xl/styles.xml", "xl/tables/table1.xml",
                          "xl/_rels/workbook.xml.rels", "xl/worksheets/_rels/sheet2.xml.rels"]),
    position=st.floats(0, 1), cut=st.integers(0, 300), insert=st.one_of(_FRAGMENTS, st.binary(max_size=30)),
)
def test_reading_a_damaged_workbook_ends_in_a_result_or_a_swedish_refusal(part, position, cut, insert):
    members = dict(_base_members())
    data = members[part]
    at = int(len(data) * position)
    members[part] = data[:at] + insert + data[at + cut:]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "skadad.xlsx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in members.items():
                archive.writestr(name, content)
        outcomes = [_read_checking_plain_parts(path, beside) for beside in (True, False)]
        assert outcomes[0] == outcomes[1]  # the same refusal, whether the plain parts are checked beside or in turn
        if outcomes[0].startswith("refused: "):
            assert "\n" not in outcomes[0] and outcomes[0] != "refused: "


def _read_checking_plain_parts(path: Path, beside: bool) -> str:
    """The workbook read (its repr) or its refusal, the plain parts' well-formedness checked in a child
    process beside the read (``beside``, however small the file) or in this process."""
    from xl_addin.files import reader

    saved = reader.PARALLEL_CHECK_BYTES
    reader.PARALLEL_CHECK_BYTES = 0 if beside else float("inf")
    try:
        return repr(read_workbook_file(path, today=TODAY).workbook)
    except UserError as refusal:
        return f"refused: {refusal}"
    finally:
        reader.PARALLEL_CHECK_BYTES = saved


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the check beside the read needs os.fork")
@pytest.mark.parametrize("case", [_param(case) for case in corpus.CASES])
def test_each_case_is_read_or_refused_alike_with_the_plain_parts_checked_beside_or_in_turn(files, case, monkeypatch):
    from xl_addin.files import reader

    forks = []
    real_fork = os.fork
    monkeypatch.setattr(reader.os, "fork", lambda: forks.append(1) or real_fork())
    beside = _read_checking_plain_parts(files[case.name], beside=True)
    assert beside == _read_checking_plain_parts(files[case.name], beside=False)
    if case.exit_code != 2:
        assert forks, "the plain parts were not checked in a child process"
    assert not _children_left()


def _children_left() -> bool:
    """Whether this process has a child that has ended and not been waited for (or still runs)."""
    try:
        pid, _status = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return False
    return True


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the check beside the read needs os.fork")
def test_a_broken_sheet_is_refused_the_same_when_checked_beside_a_large_read(base, tmp_path, monkeypatch):
    """A repeated attribute, which calamine reads past, in one group sheet of a workbook large enough
    for the check to run beside the read: refused with the same words, no child left behind."""
    from xl_addin.files import reader

    with zipfile.ZipFile(base) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members["xl/worksheets/sheet5.xml"] = members["xl/worksheets/sheet5.xml"].replace(b"<row ", b'<row x="1" x="2" ', 1)
    members["docProps/fyllnad.xml"] = b"<a>" + b"<b/>" * (reader.PARALLEL_CHECK_BYTES // 4) + b"</a>"
    path = tmp_path / "trasig.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    package = reader._preflight(path, reader._snapshot(path))
    assert package.check._child is not None  # the pass runs beside
    package.check.close()
    assert not _children_left()
    parent, check_here = os.getpid(), reader._PartChecks._check_here

    def ends_without_answer_in_the_child(check, *arguments, **keywords):
        if os.getpid() != parent:
            os._exit(0)
        return check_here(check, *arguments, **keywords)

    monkeypatch.setattr(reader._PartChecks, "_check_here", ends_without_answer_in_the_child)
    package = reader._preflight(path, reader._snapshot(path))
    assert package.check._child is not None
    failure = package.check.first_failure()  # no answer from the child: checked here instead
    assert failure is not None and failure.step == 1 and "inte giltig XML" in failure.message
    assert not _children_left()
    with pytest.raises(UserError, match="är skadad: en del av den är inte giltig XML"):
        read_workbook_file(path, today=TODAY)
    assert not _children_left()


def _members_with(base: Path, part: str, change) -> dict[str, bytes]:
    with zipfile.ZipFile(base) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members[part] = change(members[part])
    return members


def _write_members(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the checks beside the read need os.fork")
def test_beside_the_read_calamine_reads_no_sheet_before_its_own_checks_pass(base, tmp_path, monkeypatch):
    """A group sheet with one value in XFD1048576 (17 billion cells to calamine), its checks run beside:
    refused for its size with the same words as in turn, and calamine never asked for that sheet."""
    from xl_addin.files import reader

    stray = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    path = _write_members(tmp_path / "vid-sidan.xlsx", _members_with(
        base, "xl/worksheets/sheet5.xml", lambda xml: xml.replace(b"</sheetData>", stray, 1)))
    asked: list[str] = []
    open_book = reader._calamine_book

    class Recording:
        def __init__(self, book) -> None:
            self.book = book

        def __getattr__(self, name: str):
            return getattr(self.book, name)

        def get_sheet_by_name(self, name: str):
            asked.append(name)
            return self.book.get_sheet_by_name(name)

    monkeypatch.setattr(reader, "_calamine_book", lambda *arguments: Recording(open_book(*arguments)))
    beside = _read_checking_plain_parts(path, beside=True)
    refused = re.fullmatch(r"refused: Bladet (.+) är orimligt stort .*", beside)
    assert refused is not None, beside
    assert refused.group(1) not in asked
    assert beside == _read_checking_plain_parts(path, beside=False)
    assert not _children_left()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the checks beside the read need os.fork")
def test_a_worksheet_named_twice_in_the_zip_is_checked_in_both_entries_beside_the_read(base, tmp_path):
    """A zip that repeats a worksheet's name, the second entry with a value in XFD1048576: whichever
    entry calamine would read, the file is refused for that sheet's size, beside as in turn."""
    with zipfile.ZipFile(base) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    sheet = dict(members)["xl/worksheets/sheet5.xml"]
    stray = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    members.append(("xl/worksheets/sheet5.xml", sheet.replace(b"</sheetData>", stray, 1)))
    path = tmp_path / "dubbelnamn.xlsx"
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        warnings.simplefilter("ignore")  # zipfile warns of the repeated name: that is the point
        for name, content in members:
            archive.writestr(name, content)
    beside = _read_checking_plain_parts(path, beside=True)
    assert "är orimligt stort" in beside
    assert beside == _read_checking_plain_parts(path, beside=False)
    assert not _children_left()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the checks beside the read need os.fork")
@pytest.mark.parametrize("broken", [False, True], ids=["hel", "trasig-xml"])
def test_a_child_that_ends_after_some_sheets_leaves_the_checks_to_this_process(base, tmp_path, monkeypatch, broken):
    """The child answers for two worksheets and ends: this process checks everything itself and reads
    (or refuses) the workbook as in turn; no child is left behind."""
    from xl_addin.files import reader

    path = _write_members(tmp_path / "halvvags.xlsx", _members_with(
        base, "xl/worksheets/sheet5.xml",
        lambda xml: xml.replace(b"<row ", b'<row x="1" x="2" ', 1) if broken else xml))
    parent, findings, answered = os.getpid(), reader._worksheet_findings, []

    def ends_after_two_sheets(data: bytes, label: str):
        if os.getpid() != parent:
            answered.append(label)
            if len(answered) > 2:
                os._exit(0)
        return findings(data, label)

    monkeypatch.setattr(reader, "_worksheet_findings", ends_after_two_sheets)
    beside = _read_checking_plain_parts(path, beside=True)
    assert beside.startswith("refused: ") == broken
    assert beside == _read_checking_plain_parts(path, beside=False)
    assert not _children_left()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the checks beside the read need os.fork")
@pytest.mark.parametrize("change", ["hel", "trasig-xml", "cell-langst-bort"])
def test_without_a_process_to_spare_the_checks_run_here_alike(base, tmp_path, monkeypatch, change):
    """fork fails (no process to spare): every check runs in this process at once, with the same
    result as in turn, for an intact workbook, a broken sheet and a sheet too large to read."""
    from xl_addin.files import reader

    stray = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    changes = {"hel": lambda xml: xml, "trasig-xml": lambda xml: xml.replace(b"<row ", b'<row x="1" x="2" ', 1),
               "cell-langst-bort": lambda xml: xml.replace(b"</sheetData>", stray, 1)}
    path = _write_members(tmp_path / "utan-barn.xlsx", _members_with(base, "xl/worksheets/sheet5.xml", changes[change]))

    def no_process(*_arguments):
        raise OSError("no process to spare")

    in_turn = _read_checking_plain_parts(path, beside=False)
    monkeypatch.setattr(reader.os, "fork", no_process)
    assert _read_checking_plain_parts(path, beside=True) == in_turn
    assert in_turn.startswith("refused: ") == (change != "hel")


def _reference(row: int, column: int) -> str:
    from xl_addin.domain.cells import cell_address

    return cell_address(row, column)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 1_048_576), st.integers(1, 16_384)), min_size=1, max_size=6),
       st.booleans())
def test_a_sheet_is_refused_exactly_when_its_cells_would_not_fit(cells, blank_far_cell):
    """The size check (before calamine allocates the sheet densely) against the true last row × column."""
    from xl_addin.files import reader

    small = [(row % 200 + 1, column % 12 + 1) for row, column in cells]  # an ordinary sheet's cells …
    far = cells[0]  # … and one that may lie far away
    xml = "".join(f'<c r="{_reference(r, c)}"><v>1</v></c>' for r, c in small)
    xml += f'<c r="{_reference(*far)}" s="1"/>' if blank_far_cell else f'<c r="{_reference(*far)}"><v>1</v></c>'
    valued = small + ([] if blank_far_cell else [far])
    area = max(r for r, _ in valued) * max(c for _, c in valued)
    if area > reader.MAX_CELLS:
        with pytest.raises(UserError, match="orimligt stort"):
            reader._check_size(xml.encode(), "Blad")
    else:
        reader._check_size(xml.encode(), "Blad")


# Cells written another way than Excel writes them: calamine finds a cell by its element's local name
# and reads r in any XML spelling, so the size check must too (each of these made calamine abort).
@pytest.mark.parametrize("cell", [
    b'<c r="XFD1048576"><v>1</v></c>',
    b'<c\tr="XFD1048576"><v>1</v></c>',
    b"<c r='XFD1048576'><v>1</v></c>",
    b'<c r = "XFD1048576"><v>1</v></c>',
    b'<c r="xfd1048576"><v>1</v></c>',
    b'<c s=">" r="XFD1048576"><v>1</v></c>',
    b'<c s="1" r="XFD1048576"><v>1</v></c>',
    b'<x:c xmlns:x="urn:x" r="XFD1048576"><v>1</v></x:c>',
    b'<row r="1048576"><c r="XFD1048576" t="n"/><c><v>1</v></c></row>',  # a blank cell, then one after it
    b"<row r='2000000'><c><v>1</v></c><c><v>1</v></c><c><v>1</v></c></row>",
    b'<c r="A' + b"9" * 5000 + b'"><v>1</v></c><c r="B1"><v>1</v></c>',
    # a row start inside a comment, CDATA or a processing instruction is no row to calamine: the cell
    # without r="" after it is on the real row (found in review; the walk used to count from row 1)
    b'<c r="XFD1"><v>1</v></c><row r="1000000"><!--<row r="1">--><c><v>1</v></c></row>',
    b'<c r="XFD1"><v>1</v></c><row r="1000000"><c t="inlineStr"><is><t><![CDATA[<row r="1">]]></t></is></c>'
    b"<c><v>1</v></c></row>",
    b'<c r="XFD1"><v>1</v></c><row r="1000000"><?x <row r="1">?><c><v>1</v></c></row>',
])
def test_a_far_cell_is_found_however_its_xml_is_spelled(cell):
    from xl_addin.files import reader

    xml = b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row>' + cell + b"</sheetData>"
    with pytest.raises(UserError, match="orimligt stort"):
        reader._check_size(xml, "Blad")


def test_a_sheet_that_the_relationships_put_elsewhere_is_checked_too(base, tmp_path):
    """calamine reads a sheet wherever workbook.xml.rels puts it; so do the reader's checks."""
    with zipfile.ZipFile(base) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    sheet = next(name for name in parts if name.startswith("xl/worksheets/sheet") and name.endswith(".xml"))
    moved = "xl/egna/blad.bin"
    target = sheet[len("xl/"):]
    assert f'Target="{target}"' in rels or f'Target="/{sheet}"' in rels
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(f'Target="{target}"', 'Target="egna/blad.bin"').replace(
        f'Target="/{sheet}"', f'Target="/{moved}"').encode()
    data = parts.pop(sheet)
    parts[moved] = data.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    content_types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = content_types.replace(f'PartName="/{sheet}"', f'PartName="/{moved}"').encode()
    path = tmp_path / "flyttad.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, part in parts.items():
            out.writestr(name, part)
    with pytest.raises(UserError, match="orimligt stort"):
        read_workbook_file(path, today=TODAY)


def test_a_zip_whose_directory_points_before_the_file_is_refused_as_damaged(base, tmp_path):
    from xl_addin.files import reader

    info = zipfile.ZipInfo("a.xml")
    info.header_offset = -10
    info.compress_type, info.flag_bits = zipfile.ZIP_DEFLATED, 0
    with pytest.raises(zipfile.BadZipFile):
        reader._read_part(memoryview(base.read_bytes()), None, info)


@pytest.mark.parametrize("cell", [
    b'<c r="D7"><v>1</v></c>', b"<c r='AB70000'><v>1</v></c>", b'<x:c xmlns:x="urn:x" r="Z9"><v>1</v></x:c>',
    b'<c r="XFD1048576"/>', b'<c r="XFD1048576" s="3"/>',  # formatted blanks: calamine keeps no value
])
def test_a_sheet_that_fits_is_not_refused_however_its_xml_is_spelled(cell):
    from xl_addin.files import reader

    reader._check_size(b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row>' + cell + b"</sheetData>", "Blad")


@pytest.mark.parametrize("xml, status", [
    (b'<?xml version="1.0"?><a><b x="1"/></a>', None),
    (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', "DTD"),
    (b"<!-- a comment --><!DOCTYPE a><a/>", "DTD"),
    (b"<a><!-- <!DOCTYPE a> --></a>", "DTD"),  # the text alone is refused, as before the check was one pass
    (b"<a><![CDATA[<!ENTITY e 'x'>]]></a>", "DTD"),
    (b"<a><?pi <!DOCTYPE a>?></a>", "DTD"),
    ('<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'.encode("utf-16"), "DTD"),
    ('<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'.encode("utf-16-le"), "DTD"),  # no byte order mark
    (b'<a x="1" x="2"/>', "not XML"),
    (b"<a><b></a>", "not XML"),
    (b"<a/><!DOCTYPE a>", "DTD"),  # after the root: not XML either, but refused as a DTD first
    (b'<?xml version="1.0" encoding="x-unknown"?><a/>', "not XML"),
])
def test_one_expat_pass_tells_well_formed_xml_from_a_dtd_and_from_broken_xml(xml, status):
    from xl_addin.files import reader

    assert reader._parse_xml(xml) == status


def test_a_table_part_is_read_as_elementtree_reads_it():
    from xl_addin.files import reader

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    xml = (f'<table xmlns="{main}" id="1" name="T" displayName="Tabell" ref="A1:C9"><autoFilter ref="A1:C9"/>'
           '<tableColumns count="3"><tableColumn id="1" name="Ett"/><tableColumn id="2" name="T&amp;vå"/>'
           f'<x:tableColumn xmlns:x="{main}" id="3"/><tableColumn xmlns="urn:other" name="Annan"/></tableColumns>'
           "</table>").encode()
    table, status = reader._table_part(xml)
    assert status is None and table.attributes["displayName"] == "Tabell" and table.attributes["ref"] == "A1:C9"
    assert table.columns == ("Ett", "T&vå", "")
    # well-formed, but a prefix without its namespace: not refused, and not used (ElementTree cannot read it)
    assert reader._table_part(b'<table><y:tableColumn name="A"/></table>') == (None, None)


def test_a_part_is_read_as_zipfile_reads_it_and_refused_when_its_zip_entry_lies(base):
    from xl_addin.files import reader

    snapshot = base.read_bytes()
    with zipfile.ZipFile(io.BytesIO(snapshot)) as archive:
        for info in archive.infolist():
            assert reader._read_part(memoryview(snapshot), archive, info) == reader._read_bounded(archive, info)
        info = archive.getinfo("xl/workbook.xml")
        damaged = {
            "short": snapshot[:info.header_offset + 40],
            "crc": bytearray(snapshot),
            "name": bytearray(snapshot),
        }
        damaged["crc"][info.header_offset + 30 + len(info.filename) + 5] ^= 0xFF  # a byte of its deflate stream
        damaged["name"][info.header_offset + 30] = ord("y")  # the local header names another part
        for kind, data in damaged.items():
            with pytest.raises((zipfile.BadZipFile, EOFError, ValueError, zlib.error)):
                reader._read_part(memoryview(bytes(data)), archive, info)
        lying = zipfile.ZipInfo(info.filename)  # the directory declares 100 bytes: never more is read
        for attribute in ("compress_type", "flag_bits", "header_offset", "compress_size", "CRC"):
            setattr(lying, attribute, getattr(info, attribute))
        lying.orig_filename, lying.file_size = info.orig_filename, 100
        with pytest.raises(ValueError):
            reader._read_part(memoryview(snapshot), archive, lying)


def test_a_damaged_deflate_stream_is_refused_as_damaged(base, tmp_path):
    snapshot = bytearray(base.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(snapshot))) as archive:
        info = max(archive.infolist(), key=lambda item: item.compress_size)
    start = info.header_offset + 30 + len(info.filename.encode())
    snapshot[start:start + 64] = bytes(64)  # zeros in the middle of the deflate stream: zlib refuses it
    path = tmp_path / "trasig.xlsx"
    path.write_bytes(bytes(snapshot))
    with pytest.raises(UserError, match="skadad"):
        read_workbook_file(path, today=TODAY)


# -- dates: accepted when unambiguous, reported otherwise, never guessed ------------------------------
@pytest.mark.parametrize("value, expected", [
    ("2026-09-02", date(2026, 9, 2)),
    (" 2026-9-2 ", date(2026, 9, 2)),
    ("20260902", date(2026, 9, 2)),
    ("2 sep 2026", date(2026, 9, 2)),
    ("2 september 2026", date(2026, 9, 2)),
    ("2 Sept. 2026", date(2026, 9, 2)),
    ("14/9 2026", date(2026, 9, 14)),  # 14 cannot be a month
    ("14.9.2026", date(2026, 9, 14)),
    ("9/9 2026", date(2026, 9, 9)),  # day and month the same: no ambiguity
    (46267, date(2026, 9, 2)),  # an Excel serial number
    (46267.0, date(2026, 9, 2)),
    ("2/9 2026", "tvetydigt"),  # 2 September or 9 February?
    ("2/9/2026", "tvetydigt"),
    ("1.10.2026", "tvetydigt"),
    ("2026-02-30", "finns inte"),
    ("31 feb 2026", "finns inte"),
    ("2 smp 2026", "månadsnamn"),
    ("02/09/26", "ÅÅÅÅ-MM-DD"),  # two-digit year: not guessed
    ("46267", "ÅÅÅÅ-MM-DD"),  # a serial number typed as text
    (46267.5, "ÅÅÅÅ-MM-DD"),  # a time of day, not a date
    (12, "ÅÅÅÅ-MM-DD"),
    (True, "ÅÅÅÅ-MM-DD"),
])
def test_a_date_is_accepted_only_when_it_cannot_be_misread(value, expected):
    if isinstance(expected, date):
        assert as_date(value) == expected
    else:
        with pytest.raises(InvalidDate) as raised:
            as_date(value)
        assert expected in str(raised.value)


# -- outputs -------------------------------------------------------------------------------------------
# export-registrations --out writes, in this order: the Registrering .xlsx, its .csv, the result workbook
OUTPUTS = (f"Registrering {TODAY.isoformat()}.xlsx", f"Registrering {TODAY.isoformat()}.csv",
           f"bas (export-registrations {TODAY.isoformat()}).xlsx")


def test_a_result_is_written_under_a_temporary_name_and_then_renamed(base, tmp_path, monkeypatch):
    renames = []
    real_link, real_replace = os.link, os.replace

    def spy(real):
        def rename(source, target, *args, **kwargs):
            renames.append((Path(source), Path(target), Path(target).exists(), Path(source).stat().st_size))
            return real(source, target, *args, **kwargs)
        return rename

    monkeypatch.setattr(os, "link", spy(real_link))
    monkeypatch.setattr(os, "replace", spy(real_replace))
    result = run("export-registrations", base, "--today", TODAY, "--out", tmp_path)
    assert result.code == 1, result.err
    written = sorted(path.name for path in tmp_path.iterdir())
    assert len(written) == 3 and not [name for name in written if name.startswith(".tmp")]
    assert sorted(target.name for _, target, _, _ in renames) == written
    for source, target, existed, size in renames:
        assert source.parent == target.parent and source.name.startswith(".tmp-") and not existed
        assert size == target.stat().st_size > 0


@pytest.mark.parametrize("existing", range(3), ids=["registrering-xlsx", "registrering-csv", "resultat"])
def test_an_existing_output_is_never_replaced_without_force(base, tmp_path, existing):
    theirs = tmp_path / OUTPUTS[existing]
    theirs.write_bytes(b"the user's own file")
    result = run("export-registrations", base, "--today", TODAY, "--out", tmp_path)
    assert result.code == 2 and len(result.err_lines) == 1 and "--force" in result.err and OUTPUTS[existing] in result.err
    assert theirs.read_bytes() == b"the user's own file"
    forced = run("export-registrations", base, "--today", TODAY, "--out", tmp_path, "--force")
    assert forced.code == 1 and sorted(path.name for path in tmp_path.iterdir()) == sorted(OUTPUTS)
    assert theirs.read_bytes() != b"the user's own file"


def test_when_one_output_exists_none_is_written(base, tmp_path):
    (tmp_path / f"Registrering {TODAY.isoformat()}.csv").write_bytes(b"the user's own file")
    result = run("export-registrations", base, "--today", TODAY, "--out", tmp_path)
    assert result.code == 2
    assert sorted(path.name for path in tmp_path.iterdir()) == [f"Registrering {TODAY.isoformat()}.csv"]


class _FailsHalfway:
    """A file that takes half of the first chunk written to it, then fails (a full disk, or Ctrl+C)."""

    def __init__(self, stream, error: BaseException) -> None:
        self.stream, self.error = stream, error

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stream.close()

    def write(self, data) -> int:
        self.stream.write(bytes(data)[: max(1, len(data) // 2)])
        self.stream.flush()
        raise self.error

    def flush(self) -> None:
        self.stream.flush()

    def fileno(self) -> int:
        return self.stream.fileno()


@pytest.mark.parametrize("failing", range(len(OUTPUTS)), ids=["registrering-xlsx", "registrering-csv", "resultat"])
@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()],
                         ids=["disken-full", "ctrl-c"])
def test_a_crash_mid_write_leaves_no_partial_file(base, tmp_path, monkeypatch, failing, error):
    from xl_addin.files import writer

    real_fdopen = writer.os.fdopen
    opened: list[int] = []

    def fdopen(handle, mode="r", *args, **kwargs):
        stream = real_fdopen(handle, mode, *args, **kwargs)
        if mode != "wb":
            return stream
        opened.append(handle)
        return _FailsHalfway(stream, error) if len(opened) - 1 == failing else stream

    monkeypatch.setattr(writer.os, "fdopen", fdopen)
    before = digest(base)
    result = run("export-registrations", base, "--today", TODAY, "--out", tmp_path)
    assert result.code == 2 and result.out == "" and len(result.err_lines) == 1, result
    assert "Traceback" not in result.err and "No space left" not in result.err
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(OUTPUTS[:failing])  # whole files only
    for name in OUTPUTS[:failing]:
        assert (tmp_path / name).stat().st_size > 100
    assert digest(base) == before


# -- a workbook open in Excel --------------------------------------------------------------------------
@pytest.mark.parametrize("name, owner", [
    ("bok.xlsx", "~$bok.xlsx"),  # short names: ~$ + the whole name
    ("Gruppbokningar BUP.xlsx", "~$uppbokningar BUP.xlsx"),  # longer names: the first two characters go
])
def test_a_workbook_open_in_excel_is_read_as_last_saved_with_a_swedish_warning(base, base_results, tmp_path, name, owner):
    path = tmp_path / name
    path.write_bytes(base.read_bytes())
    (tmp_path / owner).write_bytes(b"\x0bAnv\xe4ndare" + b" " * 40)  # what Excel keeps there: the user's name
    result, document = run_json("mark-no-shows", path)
    assert result.code == 1 and document["rows"] == base_results["mark-no-shows"]["rows"]
    assert len(result.err_lines) == 1 and "öppen i Excel" in result.err and "senast sparade" in result.err
    plain = run("check", path, "--today", TODAY)
    assert "öppen i Excel" in plain.err and "öppen i Excel" not in plain.out


# -- a workbook saved, or unreadable, while it is read ------------------------------------------------
def test_a_workbook_saved_while_it_is_read_is_read_as_one_version(base, base_results, tmp_path, monkeypatch):
    """Excel saves to a temporary file and renames it over the old one; the reader takes one snapshot."""
    import python_calamine

    path = tmp_path / "bok.xlsx"
    path.write_bytes(base.read_bytes())
    newer = tmp_path / "nyare.xlsx"
    corpus.write_base(newer, corpus._with_group(corpus.base_content(), 0, **{L.START_DATE: date(2026, 12, 2)}))
    real = python_calamine.CalamineWorkbook.from_filelike

    def saved_meanwhile(*args, **kwargs):
        os.replace(newer, path)  # the save lands between the checks and the parsing
        return real(*args, **kwargs)

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", saved_meanwhile)
    result, document = run_json("flag-late-rosters", path)
    assert result.code == 1 and document["rows"] == base_results["flag-late-rosters"]["rows"]


def test_a_file_that_cannot_be_opened_ends_with_exit_2(base, tmp_path, monkeypatch):
    path = tmp_path / "bok.xlsx"
    path.write_bytes(base.read_bytes())
    real_open = Path.open

    def refuse(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    result = run("check", path, "--today", TODAY)
    assert (result.code, result.out) == (2, "") and len(result.err_lines) == 1
    assert "kan inte öppnas för läsning" in result.err and "Permission" not in result.err


# -- the real command line: a separate process, limited in time and memory ---------------------------
def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


# ``python -m xl_addin`` exactly (runpy is what -m uses), plus the peak memory of the process itself read
# from /proc at exit: the rusage of a forked child also counts the parent's pages copied before exec.
_MAIN = (
    "import atexit, os, runpy, sys\n"
    "def peak():\n"
    "    with open('/proc/self/status') as status, open(os.environ['BUP_PEAK_FILE'], 'w') as out:\n"
    "        out.write(next(line.split()[1] for line in status if line.startswith('VmHWM')))\n"
    "atexit.register(peak)\n"
    "sys.argv[0] = 'xl_addin'\n"
    "runpy.run_module('xl_addin', run_name='__main__', alter_sys=True)\n"
)


def run_process(*argv: object, cwd: Path, timeout: float = SUBPROCESS_SECONDS) -> tuple[int, str, str, float, int]:
    """(exit code, stdout, stderr, seconds, peak RSS in MB) of ``python -m xl_addin ARGV``."""
    peak_file = cwd / ".peak"
    # HOME in the test folder: a caught bug would log to ~/.bup-gruppbokningar, not the user's profile
    environment = {**os.environ, "PYTHONPATH": str(PROJECT), "BUP_PEAK_FILE": str(peak_file), "HOME": str(cwd)}
    out_path, err_path = cwd / ".stdout", cwd / ".stderr"
    start = time.perf_counter()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen([sys.executable, "-c", _MAIN, *map(str, argv)], stdout=out, stderr=err,
                                   cwd=cwd, env=environment, preexec_fn=_limit_address_space)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    seconds = time.perf_counter() - start
    text = out_path.read_text(encoding="utf-8"), err_path.read_text(encoding="utf-8")
    peak = int(peak_file.read_text()) // 1024 if peak_file.exists() else -1
    for path in (out_path, err_path, peak_file):
        path.unlink(missing_ok=True)
    return process.returncode, *text, seconds, peak


@pytest.mark.parametrize("case", [_param(case) for case in corpus.CASES])
def test_the_real_command_line_survives_each_case_in_bounded_time_and_memory(files, case, tmp_path):
    code, out, err, seconds, rss = run_process("check", files[case.name], "--today", TODAY, cwd=tmp_path)
    assert code == case.exit_code, (code, err)
    assert code != -signal.SIGKILL, "killed by the time limit"
    assert "Traceback" not in out + err and "panicked" not in err and UNEXPECTED not in err
    if case.exit_code == 2:
        assert out == "" and len(err.strip().splitlines()) == 1 and case.message in err
    else:
        assert err == ""
    assert seconds < 20 and 0 < rss < MAX_RSS_MB, (seconds, rss)


def test_a_result_file_openpyxl_cannot_build_ends_in_one_swedish_line(files, tmp_path):
    result = run("tasks", files["ogiltigt-attribut"], "--today", TODAY, "--out", tmp_path)
    assert result.code == 2 and len(result.err_lines) == 1 and UNEXPECTED not in result.err, result.err
    assert not list(tmp_path.iterdir())


def test_a_result_for_a_workbook_with_a_million_empty_rows_is_written_in_bounded_time(files, tmp_path):
    code, _out, err, seconds, _rss = run_process(
        "tasks", files["miljon-tomma-rader"], "--today", TODAY, "--out", tmp_path / "ut", cwd=tmp_path, timeout=6)
    assert code == 1 and seconds < 6, (code, err)
