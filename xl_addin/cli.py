"""The command line ``bup-grupper``: each subcommand reads a workbook file, calls one service, prints.

Exit codes (SPEC §5): 0 done, 1 done but problems were found in the data, 2 unusable input.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from io import TextIOBase as TextIO  # every stream here is one; typing alone costs 2–3 ms to import
from pathlib import Path

from . import __version__
from .domain import layout as L
from .domain.errors import UserError
from .domain.model import Outcome, PersonalNumber, Problem, Task

EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2

WORKBOOK_COMMANDS = (
    "check", "flag-late-rosters", "mark-no-shows", "journal-phrases", "export-registrations", "plan-interest",
    "new-groups", "tasks", "stats",
)
SUBCOMMANDS = (*WORKBOOK_COMMANDS, "import-interest", "attendance-sheet", "new-workbook", "archive", "upgrade", "demo")


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, "användning: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse in Swedish: headings, the help option and the error line."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "argument"
        self._optionals.title = "flaggor"
        self.add_argument("-h", "--help", action="help", help="visa den här hjälpen och avsluta")

    def error(self, message: str) -> None:  # argparse's own errors exit 2 too, in Swedish
        for english, swedish in _ARGPARSE_MESSAGES:
            message = message.replace(english, swedish)
        self.print_usage(sys.stderr)
        self.exit(EXIT_UNUSABLE, f"{self.prog}: fel: {message}\n")


_ARGPARSE_MESSAGES = (
    ("the following arguments are required:", "det här saknas:"),
    ("unrecognized arguments:", "okända argument:"),
    ("invalid choice:", "okänt val:"),
    ("(choose from", "(välj bland"),
    ("expected one argument", "ett värde behövs"),
    ("argument ", "argumentet "),
)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' är inget datum; skriv ÅÅÅÅ-MM-DD") from None


def _add_result_options(command: argparse.ArgumentParser) -> None:
    """The options every command on a workbook has (SPEC §5)."""
    command.add_argument("--today", type=_day, metavar="ÅÅÅÅ-MM-DD", help="Räkna som om det vore detta datum (standard: i dag).")
    command.add_argument("--json", action="store_true", help="Skriv resultatet som JSON (med fullständiga personnummer).")
    command.add_argument("--visa-personnummer", action="store_true", help="Visa hela personnummer och namn i terminalen.")
    command.add_argument("--out", type=Path, metavar="MAPP", help="Skriv resultatet till nya filer i MAPP.")
    command.add_argument("--force", action="store_true", help="Ersätt filer som redan finns i MAPP.")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or with ``only`` just that subcommand (what ``main`` parses with: the
    same arguments, messages and help for it, without building the other twelve, each a few ms)."""
    parser = _Parser(
        prog="bup-grupper",
        description="BUP Gruppbokningar: kontrollerar och förbereder gruppbokningar i Sofia-arbetsboken.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}", help="visa versionen och avsluta")
    commands = parser.add_subparsers(dest="command", required=True, metavar="KOMMANDO", parser_class=_Parser)
    helps = {
        "check": "Kontrollera: hitta fel i arbetsboken, med celladress.",
        "flag-late-rosters": "Flagga sena listor: 14-dagarsgränsen för grupplistor.",
        "mark-no-shows": "Markera uteblivanden: U2- och avbokningsuppgifter, saknad närvaro.",
        "journal-phrases": "Skapa journaltexter för avslutade grupper.",
        "export-registrations": "Exportera registreringslista: besök att registrera i Elvis.",
        "plan-interest": "Intresseanmälningar: vårdgaranti, förslag på grupp och status.",
        "new-groups": "Ny grupp: skapa gruppblad för nya rader i Grupper (skrivs till en ny fil med --out).",
        "tasks": "Att göra: alla manuella steg som rutinen kräver.",
        "stats": "Statistik per grupptyp och termin: deltagare, närvaro, uteblivanden, sena listor, vårdgaranti.",
    }
    for name in WORKBOOK_COMMANDS:
        if only not in (None, name):
            continue
        command = commands.add_parser(name, help=helps[name], description=helps[name])
        command.add_argument("workbook", type=Path, metavar="ARBETSBOK", help="Sofia-arbetsboken (.xlsx/.xlsm); den ändras aldrig.")
        _add_result_options(command)
        if name == "export-registrations":
            command.add_argument("--date", type=_day, metavar="ÅÅÅÅ-MM-DD", help="Exportera bara tillfällen med detta datum.")
    if only in (None, "import-interest"):
        imported = commands.add_parser(
            "import-interest",
            help="Importera intresseanmälningar från en lista (.csv eller .xlsx) till en ny kopia av arbetsboken.",
            description="Lägger till anmälningarna i listan i tabellen Intresse (utan dubbletter) och skriver "
            "resultatet till en ny arbetsbok i MAPP.",
        )
        imported.add_argument("workbook", type=Path, metavar="ARBETSBOK", help="Sofia-arbetsboken; den ändras aldrig.")
        imported.add_argument("list", type=Path, metavar="LISTA", help="Listan med anmälningar (.csv eller .xlsx).")
        _add_result_options(imported)
    if only in (None, "attendance-sheet"):
        sheet = commands.add_parser(
            "attendance-sheet",
            help="Närvarolista: en utskrivbar A4-sida (PDF) för ett tillfälle.",
            description="Närvarolista: en utskrivbar A4-sida (PDF) för ett tillfälle, för gruppledare som "
            "tar närvaro på papper.",
        )
        sheet.add_argument("workbook", type=Path, metavar="ARBETSBOK")
        sheet.add_argument("--group", required=True, metavar="GRUPPID", help="Gruppens GruppID (bladets namn).")
        sheet.add_argument("--session", type=int, metavar="N",
                           help="Tillfällets nummer (T1 = 1). Utan: första tillfället som saknar närvaro.")
        sheet.add_argument("--out", type=Path, required=True, metavar="MAPP")
        sheet.add_argument("--force", action="store_true", help="Ersätt filen om den finns.")
        sheet.add_argument("--today", type=_day, metavar="ÅÅÅÅ-MM-DD")
    if only in (None, "new-workbook"):
        new = commands.add_parser("new-workbook", help="Skapa en ny arbetsbok från mallen.", description="Skapa en ny arbetsbok från mallen.")
        new.add_argument("path", type=Path, metavar="SÖKVÄG")
        new.add_argument("--demo", action="store_true", help="Fyll arbetsboken med påhittade exempeldata.")
        new.add_argument("--force", action="store_true", help="Ersätt filen om den finns.")
    if only in (None, "archive"):
        archive = commands.add_parser(
            "archive",
            help="Arkivera avslutade grupper: flytta helt klara grupper till en ny arkivfil (förhandsvisning utan --out).",
            description="Visar vilka grupper som kan arkiveras och varför de andra stannar. Med --out skrivs en ny "
            "arkivfil (med patientuppgifter: hör hemma på Sofias slutna yta) och en ny kopia av arbetsboken utan "
            "de arkiverade grupperna till MAPP.",
        )
        archive.add_argument("workbook", type=Path, metavar="ARBETSBOK", help="Sofia-arbetsboken; den ändras aldrig.")
        _add_result_options(archive)
    if only in (None, "upgrade"):
        upgrade = commands.add_parser(
            "upgrade",
            help="Uppgradera: flytta allt som skrivits in i en äldre arbetsbok till en ny från dagens mall.",
            description="Skriver en ny arbetsbok från dagens mall (knappar, format och listor nya) med alla värden "
            "från ARBETSBOK, och rapporterar vad som flyttades och det som inte kunde placeras (blad och cell).",
        )
        upgrade.add_argument("workbook", type=Path, metavar="ARBETSBOK", help="Den äldre arbetsboken; den ändras aldrig.")
        upgrade.add_argument("--out", type=Path, required=True, metavar="MAPP", help="Mapp för den nya arbetsboken.")
        upgrade.add_argument("--force", action="store_true", help="Ersätt filen om den finns.")
        upgrade.add_argument("--json", action="store_true", help="Skriv rapporten som JSON.")
    if only in (None, "demo"):
        demo = commands.add_parser("demo", help="Bygg demoarbetsboken och kör alla kommandon på den.", description="Bygg demoarbetsboken och kör alla kommandon på den.")
        demo.add_argument("--out", type=Path, metavar="MAPP", default=None, help="Mapp för demofilerna (standard: en tillfällig mapp).")
    return parser


# -- output ---------------------------------------------------------------------------------------
def _json_value(value: object) -> object:
    if isinstance(value, PersonalNumber):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def outcome_json(outcome: Outcome) -> dict[str, object]:
    """The one JSON object of SPEC §5: English top-level keys, rows keyed by the sheet's columns."""

    def rows(items: Sequence[Mapping[str, object]]) -> list[dict[str, object]]:
        return [{key: _json_value(value) for key, value in item.items()} for item in items]

    return {
        "command": outcome.command,
        "today": outcome.today.isoformat(),
        "summary": outcome.summary,
        "rows": rows(outcome.rows),
        "tasks": rows([task.as_row() for task in outcome.tasks]),
        "problems": rows([problem.as_row() for problem in outcome.problems]),
    }


def _display(value: object, reveal: bool) -> str:
    if isinstance(value, PersonalNumber):
        return str(value) if reveal else value.masked
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else ""
    if isinstance(value, (date, datetime)):
        return str(_json_value(value))
    return str(value).replace("\n", " / ")


TERMINAL_WIDTH = 120  # when the output is not a terminal (a pipe, a file, a test) and $COLUMNS is unset
_CELL_WIDTH = 60  # no column is wider than this; longer text wraps onto the next lines
_NARROWEST = 12  # a column squeezed to fit the terminal keeps at least this width (or its header's)


def output_width(out: TextIO) -> int:
    """The width to wrap the tables to: the terminal's, else ``$COLUMNS``, else ``TERMINAL_WIDTH``."""
    import os
    import shutil

    try:
        if out.isatty():
            return max(60, shutil.get_terminal_size((TERMINAL_WIDTH, 24)).columns)
    except (AttributeError, ValueError, OSError):
        pass
    columns = os.environ.get("COLUMNS", "")
    return max(60, int(columns)) if columns.isdigit() else TERMINAL_WIDTH


def _column_widths(columns: Sequence[str], cells: Sequence[Sequence[str]], width: int) -> list[int]:
    """Each column as wide as its longest text up to ``_CELL_WIDTH``; the widest shrink to fit ``width``."""
    widths = [min(_CELL_WIDTH, max(len(column), *(len(row[i]) for row in cells))) for i, column in enumerate(columns)]
    floors = [min(w, max(_NARROWEST, len(column))) for w, column in zip(widths, columns)]
    while sum(widths) + 2 * (len(widths) - 1) > width:
        widest = max(range(len(widths)), key=lambda i: widths[i] - floors[i])
        if widths[widest] <= floors[widest]:
            break  # nothing left to squeeze: the line is simply longer than the terminal
        widths[widest] -= 1
    return widths


def _wrapped(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def _table(items: Sequence[Mapping[str, object]], reveal: bool, out: TextIO, width: int = TERMINAL_WIDTH) -> None:
    """A plain-text table; a text longer than its column wraps onto the following lines, never cut."""
    if not items:
        return
    columns = [key for key in items[0] if any(item.get(key) not in (None, "") for item in items)]
    cells = [[_display(item.get(column), reveal) for column in columns] for item in items]
    widths = _column_widths(columns, cells, width)

    def lines(values: Sequence[str]) -> list[str]:
        parts = [_wrapped(value, size) for value, size in zip(values, widths)]
        return [
            "  ".join((part[index] if index < len(part) else "").ljust(size) for part, size in zip(parts, widths)).rstrip()
            for index in range(max(len(part) for part in parts))
        ]

    for text in lines(columns) + ["  ".join("-" * size for size in widths)]:
        print(text, file=out)
    for row in cells:
        for text in lines(row):
            print(text, file=out)


def print_outcome(outcome: Outcome, *, reveal: bool, out: TextIO, width: int | None = None) -> None:
    """The readable Swedish report: summary, rows, tasks, problems, wrapped to ``width`` characters."""
    width = width or output_width(out)
    print(outcome.summary, file=out)
    if outcome.rows and outcome.command != "tasks":
        print(file=out)
        hidden = () if reveal else _IDENTIFYING_COLUMNS
        _table([{key: value for key, value in row.items() if key not in hidden} for row in outcome.rows], reveal, out, width)
    tasks = [task for task in outcome.tasks if not task.is_done or task.remark]
    if tasks:
        print(f"\nAtt göra ({len(tasks)}):", file=out)
        _table([_task_line(task, outcome.today) for task in tasks], reveal, out, width)
    if outcome.problems:
        print(f"\nKontroll ({len(outcome.problems)}):", file=out)
        _table([problem.as_row() for problem in outcome.problems], reveal, out, width)


# Shown in the terminal only with --visa-personnummer (the screen may be seen by others; JSON and files
# carry everything).
_IDENTIFYING_COLUMNS = (L.NAME, L.GUARDIAN)


def _task_line(task: Task, today: date) -> dict[str, object]:
    from .domain.tasks import is_overdue

    return {
        L.DUE: task.due,
        "": "FÖRSENAD" if is_overdue(task, today) else "",
        L.TASK: task.text,
        L.GROUP_ID: task.group_id,
        L.SESSION: task.session,
        L.DATE: task.date,
        L.PERSONAL_NUMBER: task.personal_number,
        L.DONE: task.done,
        L.REMARK: task.remark,
    }


# -- commands -------------------------------------------------------------------------------------
def _json_default(value: object) -> object:
    convert = _JSON_BY_TYPE.get(type(value))  # the usual types without a chain of isinstance tests
    if convert is not None:
        return convert(value)
    converted = _json_value(value)
    if converted is value:
        raise TypeError(f"not JSON: {type(value).__name__}")
    return converted


_JSON_BY_TYPE = {date: date.isoformat, PersonalNumber: str, datetime: _json_value}


class _JsonValues(dict):
    """The JSON form of each value JSON has no type for, converted once per distinct value: a date or a
    person recurs in thousands of rows. The encoder's call finds a date converted before without
    running any Python (a personnummer: only its hash)."""

    def __missing__(self, value: object) -> object:
        converted = self[value] = _json_default(value)
        return converted


def outcome_json_text(outcome: Outcome) -> str:
    """``outcome_json(outcome)`` as compact JSON text (``outcome_json_parts`` joined)."""
    return "".join(outcome_json_parts(outcome))


# Rows encoded at a time: a few hundred kilobytes of text, written and dropped before the next.
_JSON_BATCH = 500


def outcome_json_parts(outcome: Outcome) -> Iterator[str]:
    """The JSON text of ``outcome_json(outcome)`` in parts, to be written one after the other as they
    come. The rows go to json's C encoder as they are; it calls back only for the values JSON has no type
    for (personnummer, dates), where a Python pass over every value of ten years of tasks took longer
    than the encoding itself. They are encoded a few hundred at a time: one text of ten years of rows
    (and the copies joining and writing it make) was memory the process had never touched, and here a
    page touched for the first time costs about as much as encoding a row (the demo ×100's task list:
    3 100 of its 9 700 page faults)."""
    # Compact, through json's C encoder (which runs neither with ``indent`` nor in ``dump``). The rows
    # are trees of plain dicts and lists built by the services, so the encoder need not record every
    # container to look for cycles.
    encoder = json.JSONEncoder(ensure_ascii=False, check_circular=False, default=_JsonValues().__getitem__)
    head = encoder.encode({"command": outcome.command, "today": outcome.today.isoformat(), "summary": outcome.summary})
    yield head[:-1]  # the same object, keys and order as outcome_json, put together from its parts' texts
    yield ', "rows": '
    cut = _TaskRowCut(outcome, encoder)
    tasks_texts: list[str] = []  # when the rows give the tasks' texts (the tasks command): kept until then
    for index, text in enumerate(_json_batches(encoder, outcome.rows)):
        yield text
        if cut.works:
            tasks_texts.append(cut.tasks_text(text, index))
    yield ', "tasks": '
    yield from tasks_texts if cut.works else _json_batches(encoder, outcome.tasks, Task.as_row)
    yield ', "problems": '
    yield from _json_batches(encoder, outcome.problems, Problem.as_row)
    yield "}"


def _json_batches(encoder: json.JSONEncoder, items: Sequence[object], convert=None) -> Iterator[str]:
    """``encoder.encode(list(items))`` in parts: "[", a batch's items as one text, ", " …, "]"."""
    if not items:
        yield "[]"
        return
    for start in range(0, len(items), _JSON_BATCH):
        batch = items[start:start + _JSON_BATCH]
        yield _in_list(encoder.encode(batch if convert is None else [convert(item) for item in batch]), start, len(items))


def _in_list(text: str, start: int, total: int) -> str:
    """A batch's "[a, b]" as its part of the whole list's text: its items, after "[" or the ", " that
    separates them from the batch before, and the "]" after the last batch."""
    return ("[" if start == 0 else ", ") + text[1:-1] + ("]" if start + _JSON_BATCH >= total else "")


class _TaskRowCut:
    """The tasks' JSON texts from the rows' when the rows are the tasks' rows with one column added last
    (the tasks command: ten years of tasks twice): the same texts without that column, cut from each
    batch of rows as it is written. ``works`` is false for any other outcome, and when a user's own
    column on Att göra has the added column's name (the row then has it in another place); a batch whose
    text is not as the tasks command makes it is encoded as it is."""

    def __init__(self, outcome: Outcome, encoder: json.JSONEncoder) -> None:
        self.outcome, self.encoder = outcome, encoder
        column = outcome.rows_add_to_tasks
        self.works = column is not None and len(outcome.rows) == len(outcome.tasks) and not any(
            name == column for task in outcome.tasks for name, _value in task.extra)
        if self.works:
            self.marker = ", " + encoder.encode({column: None})[1:-len("null}")]  # ', "Försenad": '
            self.ends = [self.marker + encoder.encode(value) + "}" for value in (False, True)]

    def tasks_text(self, rows_text: str, index: int) -> str:
        """The tasks' part that goes where ``rows_text`` (the ``index``-th batch of rows) went."""
        start = index * _JSON_BATCH
        count = len(self.outcome.rows[start:start + _JSON_BATCH])
        # The added column's key, in quotes, is in no value's text unescaped: each of its places is a
        # row's last column. When there is one per row and each holds false or true, cutting it gives the tasks.
        if rows_text.count(self.marker) == count and sum(rows_text.count(end) for end in self.ends) == count:
            return rows_text.replace(self.ends[0], "}").replace(self.ends[1], "}")
        batch = [task.as_row() for task in self.outcome.tasks[start:start + _JSON_BATCH]]
        # not rows made as the tasks command makes them: the tasks encoded as they are
        return _in_list(self.encoder.encode(batch), start, len(self.outcome.tasks))


def run_workbook_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from . import services
    from .files.reader import read_workbook_file

    today = args.today or date.today()
    workbook_file = read_workbook_file(args.workbook, today=today)
    if workbook_file.open_in_excel:
        print(
            f"Obs: {args.workbook.name} är öppen i Excel. Den senast sparade versionen läses; "
            "ändringar som inte är sparade kommer inte med.",
            file=err,
        )
    if args.command == "import-interest":
        from .files.interest_list import read_interest_list

        source, rows = read_interest_list(args.list)
        outcome = services.import_interest(workbook_file.workbook, source, rows, today)
    elif args.command == "export-registrations":
        outcome = services.export_registrations(workbook_file.workbook, today, args.date)
    else:
        _command, service = services.SERVICES[args.command]
        outcome = service(workbook_file.workbook, today)
    written: list[Path] = []
    if args.out is not None:
        written = _write_results(args, workbook_file, outcome)
    if args.json:
        out.writelines(outcome_json_parts(outcome))
        out.write("\n")
    else:
        print_outcome(outcome, reveal=args.visa_personnummer, out=out)
        for path in written:
            print(f"Skrev {path}", file=out)
    return EXIT_PROBLEMS if outcome.found_problems else EXIT_OK


def _write_results(args: argparse.Namespace, workbook_file, outcome: Outcome) -> list[Path]:
    """All result files, or none: every name is checked and the workbook built before the first write."""
    from .files.apply import apply_outcome
    from .files.writer import atomic_write, refuse_existing, registration_file_names, registration_files, result_workbook_name

    export = args.command == "export-registrations"
    destination = args.out / result_workbook_name(args.workbook, outcome)
    if not args.force:
        refuse_existing([destination] + ([args.out / name for name in registration_file_names(outcome)] if export else []))
    log_row = {
        L.TIMESTAMP: datetime.now().replace(microsecond=0),
        L.USER: _user(),
        L.FUNCTION: command_label(args.command),
        L.RESULT: outcome.summary,
    }
    data = apply_outcome(workbook_file.data, outcome, workbook_file.workbook.columns, log_row, name=args.workbook.name)
    written = registration_files(args.out, outcome, force=args.force) if export else []
    written.append(atomic_write(destination, lambda stream: stream.write(data), force=args.force))
    return written


def command_label(name: str) -> str:
    """The Swedish caption of the button a command mirrors (Logg's ``Funktion``, whichever edge ran it)."""
    from . import services

    commands = {command.name: command for command, _service in services.SERVICES.values()}
    commands[services.IMPORT_INTEREST.name] = services.IMPORT_INTEREST
    return commands[name].label


def _user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def run_new_workbook(args: argparse.Namespace, out: TextIO) -> int:
    """``new-workbook PATH.xlsx|PATH.xlsm [--demo]``: the template (``.xlsm``: with the buttons and their
    VBA), or with ``--demo`` the demo data in it."""
    from .files.writer import atomic_write
    from .template import WorkbookContent, write_macro_template, write_workbook

    suffix = args.path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm"):
        raise UserError(
            "Den nya arbetsboken ska sluta på .xlsx (utan knappar) eller .xlsm (makroaktiverad, med knapparna)."
        )

    def write(stream) -> None:
        import tempfile

        content = WorkbookContent()
        if args.demo:
            from .demo import demo_content

            content = demo_content()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / args.path.name
            if suffix == ".xlsm":
                write_macro_template(path, content)
            else:
                write_workbook(path, content)
            stream.write(path.read_bytes())

    atomic_write(args.path, write, force=args.force)
    print(f"Skrev {args.path.resolve()}", file=out)
    return EXIT_OK


def run_attendance_sheet(args: argparse.Namespace, out: TextIO) -> int:
    from .files.attendance_sheet import describe, write_attendance_sheet
    from .files.reader import read_workbook_file

    workbook = read_workbook_file(args.workbook, today=args.today or date.today()).workbook
    path = write_attendance_sheet(workbook, args.group, args.session, args.out, force=args.force)
    print(describe(path), file=out)
    # Like every command: 1 when the data it used has problems (the page notes them for the leader).
    problems = [problem for problem in workbook.problems if problem.sheet == args.group]
    if problems:
        print(f"Obs: bladet {args.group} har {len(problems)} problem; kör Kontrollera och se bladet Kontroll.", file=out)
    return EXIT_PROBLEMS if problems else EXIT_OK


def run_archive(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Preview, or with ``--out`` the archive file (verified) and the workbook without what left."""
    from . import services
    from .domain.parsing import read_workbook
    from .files.reader import _snapshot, open_in_excel, read_grids

    today = args.today or date.today()
    snapshot = _snapshot(args.workbook)
    if open_in_excel(args.workbook):
        print(f"Obs: {args.workbook.name} är öppen i Excel. Den senast sparade versionen läses.", file=err)
    grids, tables = read_grids(args.workbook, snapshot, skip=(L.LOG,))
    workbook = read_workbook(grids, tables, today=today)
    plan = services.plan_archive(workbook, grids, tables, today)
    outcome = services.archive_preview(workbook, today, plan)
    written: list[Path] = []
    if args.out is not None and plan.leaving:
        outcome, written = _write_archive(args, snapshot, plan, grids, tables, today)
    if args.json:
        out.write(json.dumps(outcome_json(outcome), ensure_ascii=False) + "\n")
    else:
        print_outcome(outcome, reveal=args.visa_personnummer, out=out)
        staying = plan.staying
        if staying:  # the table cuts long text; the reasons point at cells, never at people
            print("\nVarför grupperna stannar:", file=out)
            for verdict in staying:
                print(f"{verdict.group_id}:", file=out)
                for reason in verdict.reasons:
                    print(f"  - {reason}", file=out)
        for path in written:
            print(f"Skrev {path}", file=out)
        if written:
            print(f"Obs: {written[0].name} innehåller patientuppgifter och hör hemma på Sofias slutna yta.", file=out)
        elif args.out is not None:
            print("Ingen grupp kan arkiveras; inga filer skrevs.", file=out)
    return EXIT_PROBLEMS if outcome.found_problems else EXIT_OK


def _write_archive(args, snapshot: bytes, plan, grids, tables, today: date) -> tuple[Outcome, list[Path]]:
    from . import services
    from .domain.archive import remaining_grids
    from .domain.parsing import read_workbook
    from .files.apply import apply_outcome
    from .files.archive_file import archive_file_name, build_archive, remove_archived, write_verified
    from .files.writer import atomic_write, refuse_existing

    archive_path = args.out / archive_file_name(args.workbook.stem, today)
    slim_path = args.out / f"{args.workbook.stem} (archive {today.isoformat()}).xlsx"
    refuse_existing([archive_path])  # the archive file is never written over, not even with --force
    if not args.force:
        refuse_existing([slim_path])
    archive_data = build_archive(plan, args.workbook.name)
    slim = remove_archived(snapshot, plan)  # built before the first file is written
    left_grids, left_tables = remaining_grids(plan, grids, tables)
    remaining = read_workbook(left_grids, left_tables, today=today)
    outcome = services.after_archive(remaining, today, plan)
    log_row = {
        L.TIMESTAMP: datetime.now().replace(microsecond=0), L.USER: _user(),
        L.FUNCTION: f"bup-grupper {args.command}", L.RESULT: outcome.summary,
    }
    data = apply_outcome(slim, outcome, remaining.columns, log_row, name=args.workbook.name)
    write_verified(archive_path, archive_data, plan)
    written = [archive_path, atomic_write(slim_path, lambda stream: stream.write(data), force=args.force)]
    return outcome, written


def run_upgrade(args: argparse.Namespace, out: TextIO) -> int:
    from .files.upgrade import upgrade_workbook

    report = upgrade_workbook(args.workbook, args.out, force=args.force)
    if args.json:
        out.write(json.dumps(report.as_json(), ensure_ascii=False) + "\n")
    else:
        print(report.text(), file=out)
    return EXIT_PROBLEMS if report.not_placed else EXIT_OK


def run_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .demo_run import run_demo as demo

    return demo(args.out, out=out, err=err)


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None,
         ending: bool = False) -> int:
    """Run one command; ``ending``: the process ends right after (``python -m xl_addin``), so the
    cyclic collector, off during a workbook command, stays off: turned on again it would first collect
    the workbook just read (its records hold cycles: 80 000 objects, 40 ms at ten years), which the
    end of the process frees anyway."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        arguments = sys.argv[1:] if argv is None else list(argv)
        only = arguments[0] if arguments and arguments[0] in SUBCOMMANDS else None
        args = build_parser(only).parse_args(arguments)
    except SystemExit as stop:  # --help, --version, or a usage error (already explained on stderr)
        return stop.code if isinstance(stop.code, int) else EXIT_UNUSABLE
    try:
        if args.command == "new-workbook":
            return run_new_workbook(args, out)
        if args.command == "demo":
            return run_demo(args, out, err)
        if args.command == "attendance-sheet":
            return run_attendance_sheet(args, out)
        if args.command == "upgrade":
            return run_upgrade(args, out)
        if args.command == "archive":
            gc.disable()
            try:
                return run_archive(args, out, err)
            finally:
                if not ending:
                    gc.enable()
        # One short run holding a few hundred thousand acyclic records: the cyclic collector would walk
        # them again and again (about a tenth of a ten-year run) and free nothing.
        gc.disable()
        try:
            return run_workbook_command(args, out, err)
        finally:
            if not ending:
                gc.enable()
    except UserError as problem:
        print(f"bup-grupper: {problem}", file=err)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        print("bup-grupper: avbrutet.", file=err)
        return EXIT_UNUSABLE
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as problem:  # a bug: say so in Swedish, keep personal data out of the message
        from .diagnostics import log_exception, log_path

        log_exception(f"bup-grupper {args.command}", problem)
        print(
            f"bup-grupper: ett oväntat fel inträffade ({type(problem).__name__}). Inget har sparats över "
            f"arbetsboken. Kontakta IT-kontakten och berätta vilket kommando du körde; tekniska detaljer "
            f"(utan personuppgifter) finns i {log_path()}.",
            file=err,
        )
        return EXIT_UNUSABLE
