"""End to end: the command line on real workbook files (the demo), JSON goldens, exit codes, privacy."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from datetime import date
from pathlib import Path

import pytest

from xl_addin import services
from xl_addin.cli import SUBCOMMANDS, build_parser, main
from xl_addin.demo import DEMO_TODAY, PLANTED_ERRORS, build_demo
from xl_addin.domain import layout as L
from xl_addin.files.reader import read_workbook_file
from xl_addin.template import write_workbook

GOLDEN = Path(__file__).parent / "golden" / "cli"
COMMANDS = list(services.SERVICES)
UPDATE = os.environ.get("BUP_UPDATE_GOLDEN") == "1"  # regenerate goldens, then review the diff by eye


def run(*argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([str(arg) for arg in argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo") / "Gruppbokningar-demo.xlsx")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("command", COMMANDS)
def test_json_output_equals_the_golden(demo, command):
    code, out, err = run(command, demo, "--today", DEMO_TODAY, "--json")
    assert code == 1, err  # the demo has planted problems
    document = json.loads(out)
    assert list(document) == ["command", "today", "summary", "rows", "tasks", "problems"]
    golden = GOLDEN / f"{command}.json"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert document == json.loads(golden.read_text(encoding="utf-8"))


def test_every_command_leaves_the_input_file_byte_identical(demo, tmp_path):
    before = _digest(demo)
    for command in COMMANDS:
        run(command, demo, "--today", DEMO_TODAY, "--out", tmp_path / command)
    assert _digest(demo) == before
    assert sorted(path.name for path in demo.parent.iterdir()) == [demo.name]


def test_check_reports_every_planted_error_at_its_cell(demo):
    _, out, _ = run("check", demo, "--today", DEMO_TODAY, "--json")
    found = {(problem["Blad"], problem["Cell"]) for problem in json.loads(out)["problems"]}
    for sheet, cell, description in PLANTED_ERRORS:
        assert (sheet, cell) in found, description


def test_terminal_output_masks_personnummer_unless_asked(demo):
    _, masked, _ = run("mark-no-shows", demo, "--today", DEMO_TODAY)
    _, full, _ = run("mark-no-shows", demo, "--today", DEMO_TODAY, "--visa-personnummer")
    twelve = re.compile(r"\b\d{8}-\d{4}\b")
    assert not twelve.search(masked) and re.search(r"\b\d{8}-\*{4}", masked)
    assert twelve.search(full)


def test_exit_code_0_for_a_workbook_without_problems(tmp_path):
    from xl_addin.template import WorkbookContent

    path = write_workbook(tmp_path / "ren.xlsx", WorkbookContent(group_types=[
        {"Grupp": "ADHD Ung", "Deltar": "Patient", "Besökstyp": "Gruppbesök", "Åtgärdskod": "DU011"},
    ]))
    code, out, err = run("check", path, "--today", "2026-10-14")
    assert (code, err) == (0, ""), out
    assert "inga problem" in out


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "finns inte"),
        (b"hello, not a workbook", "ingen Excel-arbetsbok"),
        (b"PK\x03\x04 truncated", "skadad"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "lösenordsskyddad"),
    ],
)
def test_unusable_input_exits_2_with_one_swedish_line(tmp_path, content, message):
    path = tmp_path / "bok.xlsx"
    if content is not None:
        path.write_bytes(content)
    code, out, err = run("check", path)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err


def test_a_workbook_of_another_layout_version_exits_2(tmp_path):
    from xl_addin.template import WorkbookContent

    path = write_workbook(tmp_path / "gammal.xlsx", WorkbookContent(settings={"Version": "0.9"}))
    code, _, err = run("flag-late-rosters", path)
    assert code == 2 and "layoutversion 0.9" in err


def test_outputs_are_never_replaced_without_force(demo, tmp_path):
    assert run("export-registrations", demo, "--today", DEMO_TODAY, "--out", tmp_path)[0] == 1
    code, _, err = run("export-registrations", demo, "--today", DEMO_TODAY, "--out", tmp_path)
    assert code == 2 and "--force" in err
    assert run("export-registrations", demo, "--today", DEMO_TODAY, "--out", tmp_path, "--force")[0] == 1


def test_export_files_hold_the_json_rows(demo, tmp_path):
    _, out, _ = run("export-registrations", demo, "--today", DEMO_TODAY, "--json", "--out", tmp_path)
    rows = json.loads(out)["rows"]
    text = (tmp_path / f"Registrering {DEMO_TODAY}.csv").read_bytes().decode("utf-8-sig")
    lines = text.splitlines()
    assert len(lines) == len(rows) + 1 and rows
    assert lines[1].split(";")[5] == rows[0]["Personnummer"]


@pytest.mark.parametrize("command", COMMANDS)
def test_running_a_command_on_its_own_result_changes_nothing(demo, tmp_path, command):
    """Idempotency on real files: the result workbook, read back, needs no further writes."""
    run(command, demo, "--today", DEMO_TODAY, "--out", tmp_path)
    (result,) = [path for path in tmp_path.glob("*.xlsx") if "(" in path.name]
    workbook = read_workbook_file(result, today=DEMO_TODAY).workbook
    _, service = services.SERVICES[command]
    again = service(workbook, DEMO_TODAY)
    assert again.writes == () and again.new_sheets == ()
    assert [table.table for table in again.tables] == []


def test_the_result_workbook_has_the_writes_and_a_log_row(demo, tmp_path):
    run("flag-late-rosters", demo, "--today", DEMO_TODAY, "--out", tmp_path)
    import openpyxl

    (result,) = tmp_path.glob("*.xlsx")
    book = openpyxl.load_workbook(result)
    statuses = [row[11].value for row in book["Grupper"].iter_rows(min_row=2) if row[0].value]
    assert statuses == ["OK", "OK", "Sen", "Sen", "Risk", "OK", "Ej klar", "Ofullständig", "Ej klar"]
    log = [row for row in book["Logg"].iter_rows(min_row=2, values_only=True) if any(row)]
    assert log[-1][2] == "Flagga sena listor" and "Flagga sena listor" in log[-1][3]
    assert book["Start"]["B3"].value.startswith("Flagga sena listor 2026-10-14")


def test_today_defaults_to_the_clock_and_rejects_bad_dates(demo):
    assert run("check", demo, "--today", "14/10")[0] == 2
    document = json.loads(run("check", demo, "--json")[1])
    assert document["today"] == date.today().isoformat()


# -- the command line's manners: exit codes, wrapping, Swedish in Logg ----------------------------
_LIST = "Inkom;Personnummer;Namn;Önskad grupp;Anmälan från\n2026-10-12;20120315-0048;Örjan Ordsson;SKILLS;Patient\n"
_EVERY_COMMAND = COMMANDS + ["import-interest", "attendance-sheet", "new-workbook", "demo"]


def _argv(command: str, demo: Path, tmp_path: Path) -> list[object]:
    """Each command as a user would run it on the demo (with --out where it writes files)."""
    if command == "import-interest":
        (tmp_path / "lista.csv").write_text(_LIST, encoding="utf-8")
        return [command, demo, tmp_path / "lista.csv", "--today", DEMO_TODAY, "--out", tmp_path / "ut"]
    if command == "attendance-sheet":
        return [command, demo, "--group", "ADHDUng-2610", "--session", "1", "--out", tmp_path / "ut"]
    if command == "new-workbook":
        return [command, tmp_path / "ny.xlsm", "--demo"]
    if command == "demo":
        return [command, "--out", tmp_path / "demo"]
    return [command, demo, "--today", DEMO_TODAY, "--out", tmp_path / "ut"]


# 1 = done, but the data has problems: the demo has planted errors in every part the commands read.
# new-workbook and demo write what the program itself makes (the demo's errors are planted on purpose).
_EXPECTED_EXIT = {command: 1 for command in COMMANDS + ["import-interest", "attendance-sheet"]} | {
    "new-workbook": 0, "demo": 0,
}


@pytest.mark.parametrize("command", _EVERY_COMMAND)
def test_every_command_exits_0_done_1_problems_found_or_2_unusable(demo, tmp_path, command, monkeypatch):
    from xl_addin.files import attendance_sheet

    monkeypatch.setattr(attendance_sheet, "find_soffice", lambda: None)  # the .xlsx is enough here
    code, out, err = run(*_argv(command, demo, tmp_path))
    assert code == _EXPECTED_EXIT[command], (out, err)
    if command in COMMANDS:
        problems = json.loads(run(command, demo, "--today", DEMO_TODAY, "--json")[1])["problems"]
        assert bool(problems) == (code == 1)
        assert f"Kontroll ({len(problems)}):" in out
    missing = tmp_path / "finns-inte.xlsx"
    if command not in ("new-workbook", "demo"):
        (tmp_path / "igen").mkdir()
        argv = [missing if arg == demo else arg for arg in _argv(command, demo, tmp_path / "igen")]
        code, out, err = run(*argv)
        assert code == 2 and "finns inte" in err and len(err.strip().splitlines()) == 1, err


def test_new_groups_exits_1_when_its_own_result_still_has_problems(demo, tmp_path):
    assert run("new-groups", demo, "--today", DEMO_TODAY, "--out", tmp_path)[0] == 1
    (result,) = tmp_path.glob("*.xlsx")
    code, out, _ = run("new-groups", result, "--today", DEMO_TODAY)
    assert code == 1 and "inget att göra" in out and "problem i Kontroll" in out


def test_a_new_workbook_with_an_unknown_ending_is_refused_with_exit_2(tmp_path):
    code, out, err = run("new-workbook", tmp_path / "bok.xls")
    assert (code, out) == (2, "") and ".xlsm" in err and not list(tmp_path.iterdir())


def _column(lines: list[str], header: str) -> list[str]:
    """The text under ``header`` in a printed table, one entry per table line (wrapped lines included)."""
    start = next(i for i, line in enumerate(lines) if line.startswith(header) or f"  {header}" in line)
    dashes = lines[start + 1]
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", dashes)]
    left, right = next(span for span in spans if lines[start][span[0]:].startswith(header))
    body = []
    for line in lines[start + 2:]:
        if not line.strip() or line.endswith(":"):
            break
        body.append(line[left:right + 1].strip())
    return body


def test_long_messages_wrap_in_the_terminal_and_are_never_cut(demo, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    code, out, _ = run("mark-no-shows", demo, "--today", DEMO_TODAY)
    assert code == 1
    lines = out.splitlines()
    assert max(len(line) for line in lines[1:]) <= 100  # the summary line is a sentence, not a table
    tasks = " ".join(_column(lines[lines.index(next(l for l in lines if l.startswith("Att göra"))) + 1:], L.TASK))
    document = json.loads(run("mark-no-shows", demo, "--today", DEMO_TODAY, "--json")[1])
    no_show = next(task["Uppgift"] for task in document["tasks"] if task["Uppgift"].startswith("Ta bort"))
    assert len(no_show) > 60 and no_show in tasks
    messages = " ".join(_column(lines[lines.index(next(l for l in lines if l.startswith("Kontroll"))) + 1:], L.MESSAGE))
    for problem in document["problems"]:
        assert problem["Meddelande"] in messages


def test_the_logg_row_of_a_result_file_names_the_button_in_swedish(demo, tmp_path):
    import openpyxl

    for command in ("tasks", "export-registrations", "check"):
        run(command, demo, "--today", DEMO_TODAY, "--out", tmp_path / command)
        (result,) = [path for path in (tmp_path / command).glob("*.xlsx") if "(" in path.name]
        log = [row for row in openpyxl.load_workbook(result)["Logg"].iter_rows(min_row=2, values_only=True) if any(row)]
        function = log[-1][2]
        assert function == services.SERVICES[command][0].label
        assert "bup-grupper" not in function and command not in function


def test_the_demo_hint_gives_the_command_with_its_full_path(tmp_path):
    code, out, _ = run("demo", "--out", tmp_path)
    hint = out.strip().splitlines()[-1].strip()
    command = hint.split(" flag-late-rosters ")[0].strip('"')
    assert code == 0 and Path(command.split(" -m ")[0]).is_absolute() and Path(command.split(" -m ")[0]).exists()


_SAMPLE_ARGUMENTS = {
    "import-interest": ["bok.xlsx", "lista.csv", "--today", "2026-10-14", "--out", "ut"],
    "attendance-sheet": ["bok.xlsx", "--group", "G1", "--session", "2", "--out", "ut"],
    "new-workbook": ["ny.xlsx", "--demo"],
    "upgrade": ["gammal.xlsx", "--out", "ut", "--json"],
    "demo": ["--out", "ut"],
    "export-registrations": ["bok.xlsx", "--today", "2026-10-14", "--json", "--date", "2026-10-01"],
}


def _parse(parser, argv: list[str]) -> tuple[object, str, str]:
    """What parsing ``argv`` gives: the namespace (or the exit code), and what was printed."""
    from contextlib import redirect_stderr, redirect_stdout

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            result: object = vars(parser.parse_args(argv))
        except SystemExit as stop:
            result = stop.code
    return result, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_a_subcommand_built_alone_parses_helps_and_refuses_as_in_the_whole_command_line(command):
    arguments = _SAMPLE_ARGUMENTS.get(command, ["bok.xlsx", "--today", "2026-10-14", "--json", "--force"])
    for argv in ([command, *arguments], [command, "--help"], [command], [command, *arguments, "--okänd"],
                 [command, "bok.xlsx", "--today", "14/10"]):
        assert _parse(build_parser(command), argv) == _parse(build_parser(), argv), argv


@pytest.mark.parametrize("batch", [1, 3, 500])
def test_the_task_list_json_written_once_per_task_is_the_plain_encoding(demo, batch, monkeypatch):
    """The tasks command's JSON puts each task's text together from its row's (written once): it
    says exactly what encoding the whole object does, also when a user's column is named Försenad."""
    from xl_addin.domain.records import replace

    from xl_addin.cli import _json_default, outcome_json, outcome_json_text

    from xl_addin import cli

    monkeypatch.setattr(cli, "_JSON_BATCH", batch)  # rows encoded a batch at a time: one, a few, all
    workbook = read_workbook_file(demo, today=DEMO_TODAY).workbook
    plain = lambda outcome: json.dumps(outcome_json(outcome), ensure_ascii=False, default=_json_default)  # noqa: E731
    for command, (_, service) in services.SERVICES.items():  # every command's outcome, not only the tasks'
        assert outcome_json_text(service(workbook, DEMO_TODAY)) == plain(service(workbook, DEMO_TODAY)), command
    outcome = services.tasks(workbook, DEMO_TODAY)
    assert outcome.rows_add_to_tasks == services.OVERDUE and outcome.tasks
    assert outcome_json_text(outcome) == plain(outcome)
    renamed = replace(outcome, tasks=tuple(replace(task, extra=((services.OVERDUE, "ja"),)) for task in outcome.tasks))
    assert outcome_json_text(renamed) == plain(renamed)
    # rows not as the tasks command makes them: an added column that is no true or false, or missing
    texts = replace(outcome, rows=[{**row, services.OVERDUE: "ja"} for row in outcome.rows])
    assert outcome_json_text(texts) == plain(texts)
    short = replace(outcome, rows=[{k: v for k, v in row.items() if k != services.OVERDUE} for row in outcome.rows])
    assert outcome_json_text(short) == plain(short)
    # some batches as the tasks command makes them, some not
    mixed = replace(outcome, rows=[{**row, services.OVERDUE: "ja"} if index % 4 == 1 else row
                                   for index, row in enumerate(outcome.rows)])
    assert outcome_json_text(mixed) == plain(mixed)
    nothing = replace(outcome, rows=(), tasks=())
    assert outcome_json_text(nothing) == plain(nothing)
