"""Benchmarks of what users wait for: headless commands, button clicks, the button module's import.

    python benchmarks/run.py [--sizes term,decade,stress] [--repeat N] [--smoke] [--out PATH]

For each generated workbook size (``benchmarks/generate.py``) this measures, as medians:

- every headless command end to end, process start to exit
  (``python -m xl_addin CMD FILE --today D --json > /dev/null``), with the child's peak memory;
- the same work done the naive way in the same run: ``pandas.read_excel(engine="openpyxl",
  sheet_name=None)`` and the rule computed with pandas, as a ratio. One naive process reads once and
  computes every rule, so a command's naive time is that process's time minus the other rules'
  compute. The naive results are checked against the command's JSON for three rules;
- the Python work of each button through the xlwings API (remote engine ``xw.Book(json=...)``,
  licensed ``noncommercial`` in the child process only), with the number of actions (Excel calls) the
  click recorded and the number of calls into the xlwings engine it made, reads included;
- the import time of ``xl_addin.buttons`` on top of ``import xlwings`` in fresh interpreters, and
  which file-side libraries that import loads.

It prints a table and writes ``docs/performance.md`` (or ``--out``), keeping the hand-written part
of that file (from ``## Where the time goes`` on). ``--smoke`` runs the smallest size once (CI).
Timings are wall-clock on a shared machine: read them as medians with noise of a few percent.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DOC = ROOT / "docs" / "performance.md"
HAND_WRITTEN = "## Where the time goes"
# The day every command runs "as of": generate.TODAY. Not imported from there, so that the naive
# child process loads nothing of the product but the layout's names.
TODAY = date(2026, 10, 14)
PYTHON = sys.executable
# Targets (SPEC §6, issue 7).
HEADLESS_TARGET_S = 1.0  # ten-year workbook, every command
NAIVE_RATIO_TARGET = 5.0
BUTTON_TARGET_MS = 100.0  # one term
IMPORT_TARGET_MS = 50.0
BARE_RATIO_TARGET = 3.0  # issue 14: whole process against a bare python-calamine read
CALLS_PER_SHEET_TARGET = 3
FILE_SIDE_MODULES = ("openpyxl", "xlsxwriter", "python_calamine", "xl_addin.template", "xl_addin.files.reader")
PACKAGES = ("xlwings", "pandas", "numpy", "openpyxl", "python-calamine", "XlsxWriter", "holidays", "defusedxml")
WAITING = "waiting for the buttons"


def _commands() -> tuple[str, ...]:
    from xl_addin.cli import WORKBOOK_COMMANDS

    return tuple(WORKBOOK_COMMANDS)


# Arkivera writes an archive file (in the user's Documents) and has its own benchmark
# (benchmarks/archive_years.py): the button measurements here leave it out.
NOT_MEASURED_BUTTONS = frozenset({"archive"})


def _buttons() -> tuple[str, ...]:
    try:
        from xl_addin.buttons import MACROS
    except ImportError:
        return ()
    return tuple(function for _caption, _sub, function in MACROS if function not in NOT_MEASURED_BUTTONS)


# -- running a child process ------------------------------------------------------------------------
@dataclass
class Child:
    seconds: float
    peak_mb: float
    code: int
    stdout: str = ""
    stderr: str = ""
    cpu: float = 0.0  # user + system time of the child


def run_child(argv: Sequence[str], *, env: dict[str, str] | None = None, capture: bool = False) -> Child:
    """Run ``argv`` from the repository root; wall time from start to exit and the child's ru_maxrss."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(argv), cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
            stdout=out if capture else subprocess.DEVNULL, stderr=err,
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Child(seconds, usage.ru_maxrss / 1024, process.returncode,
                     out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                     usage.ru_utime + usage.ru_stime)


def _medians(runs: Sequence[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over runs (peak memory: the largest)."""
    return {key: max(run[key] for run in runs) if key == "peak_mb" else _median([run[key] for run in runs])
            for key in runs[0]}


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


# -- (a) headless commands and (b) the naive baseline -----------------------------------------------
def headless(path: Path, command: str, repeat: int) -> dict[str, float]:
    argv = [PYTHON, "-m", "xl_addin", command, str(path), "--today", TODAY.isoformat(), "--json"]
    runs = []
    for _ in range(repeat):
        child = run_child(argv)
        if child.code not in (0, 1):
            raise SystemExit(f"{command} on {path.name} failed (exit {child.code}): {child.stderr.strip()}")
        runs.append(child)
    return {"seconds": _median([run.seconds for run in runs]), "cpu": _median([run.cpu for run in runs]),
            "peak_mb": max(run.peak_mb for run in runs)}


def bare(path: Path, repeat: int) -> dict[str, float]:
    """The baseline of issue 14: a process that only reads every sheet of the file with python-calamine."""
    runs = []
    for _ in range(repeat):
        child = run_child([PYTHON, "-c", _BARE_READ, str(path)])
        if child.code != 0:
            raise SystemExit(f"the bare read failed on {path.name}: {child.stderr.strip()[-2000:]}")
        runs.append(child)
    return {"seconds": _median([run.seconds for run in runs]), "cpu": _median([run.cpu for run in runs])}


# The bare read: every sheet of the file into Python lists with python-calamine, and nothing else
# (run with ``python -c``, so that the process imports nothing of this script or the product).
_BARE_READ = """
import sys
from python_calamine import CalamineWorkbook
book = CalamineWorkbook.from_path(sys.argv[1])
for name in book.sheet_names:
    book.get_sheet_by_name(name).to_python()
"""


# Where a headless command's CPU time goes: its stages in turn in one process (``time.process_time``).
_STAGES = """
import gc, json, resource, sys, time
started = time.process_time()
from datetime import date
from pathlib import Path
from xl_addin import cli, services
from xl_addin.domain.parsing import read_workbook
from xl_addin.files import reader
marks = [("imports", time.process_time() - started)]
path, command = Path(sys.argv[1]), sys.argv[2]
today = date.fromisoformat(sys.argv[3])
gc.disable()  # as the command line runs

def stage(name, function):
    begun = time.process_time()
    value = function()
    marks.append((name, time.process_time() - begun))
    return value

def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime

snapshot = stage("file", lambda: reader._snapshot(path))
package = stage("preflight", lambda: reader._preflight(path, snapshot))
package.check.first_failure()  # (the pass beside, if it was started, ends before the next stage)
beside = children_cpu()
grids, tables = reader.read_grids(path, snapshot, skip=("Logg",))
marks.append(("beside", children_cpu() - beside))
workbook = stage("parse", lambda: read_workbook(grids, tables, today=today))
outcome = stage("rule", lambda: services.SERVICES[command][1](workbook, today))
stage("JSON", lambda: list(cli.outcome_json_parts(outcome)))  # the parts, as the command writes them
print(json.dumps(dict(marks)))
"""
STAGE_NAMES = ("imports", "preflight", "beside", "calamine", "parse", "rule", "JSON")


def stages(path: Path, command: str, repeat: int) -> dict[str, float]:
    """CPU seconds per stage, the least of ``repeat`` runs; *calamine* = ``read_grids`` minus its preflight
    (it runs the preflight again), which the child measures as one step below."""
    best: dict[str, float] = {}
    for _ in range(repeat):
        child = run_child([PYTHON, "-c", _STAGES.replace(
            'grids, tables = reader.read_grids(path, snapshot, skip=("Logg",))',
            'grids, tables = stage("read_grids", lambda: reader.read_grids(path, snapshot, skip=("Logg",)))'),
            str(path), command, TODAY.isoformat()], capture=True)
        if child.code != 0:
            raise SystemExit(f"the stage measurement failed: {child.stderr.strip()[-2000:]}")
        marks = json.loads(child.stdout)
        marks["calamine"] = marks.pop("read_grids") - marks["preflight"]
        marks["imports"] += marks.pop("file")
        for name in STAGE_NAMES:
            best[name] = min(best.get(name, marks[name]), marks[name])
    return best


def command_json(path: Path, command: str) -> dict:
    argv = [PYTHON, "-m", "xl_addin", command, str(path), "--today", TODAY.isoformat(), "--json"]
    return json.loads(run_child(argv, capture=True).stdout)


def naive(path: Path, repeat: int) -> dict:
    """The naive process ``repeat`` times: per command the median of (total − other rules' compute)."""
    per_command: dict[str, list[float]] = {}
    peak, results = 0.0, {}
    for _ in range(repeat):
        child = run_child([PYTHON, __file__, "--naive-child", str(path)], capture=True)
        if child.code != 0:
            raise SystemExit(f"the naive baseline failed on {path.name}: {child.stderr.strip()[-2000:]}")
        report = json.loads(child.stdout)
        computed = report["compute"]
        for command, seconds in computed.items():
            per_command.setdefault(command, []).append(child.seconds - sum(computed.values()) + seconds)
        peak = max(peak, child.peak_mb)
        results = report["results"]
        read = report["read"]
    return {"seconds": {command: _median(times) for command, times in per_command.items()},
            "peak_mb": peak, "results": results, "read": read}


def verify_naive(path: Path, results: dict) -> list[str]:
    """Compare the naive results with the command line's JSON; one line per checked rule."""
    lines = []
    ours = command_json(path, "flag-late-rosters")
    mine = {row["GruppID"]: [row["Sista dag för lista"], row["Status"]] for row in ours["rows"]}
    theirs = {group: value for group, value in results["flag-late-rosters"].items() if group in mine}
    same = theirs == mine
    lines.append(f"flag-late-rosters: Sista dag för lista and Status of {len(mine)} groups "
                 f"{'equal' if same else 'DIFFERENT'}")
    ours = command_json(path, "mark-no-shows")
    lines.append(f"mark-no-shows: {len(ours['rows'])} no-shows and cancellations, naive "
                 f"{results['mark-no-shows']} ({'equal' if len(ours['rows']) == results['mark-no-shows'] else 'DIFFERENT'})")
    ours = command_json(path, "check")
    mine_cells = sorted([p["Blad"], p["Cell"]] for p in ours["problems"] if "närvarovärde" in p["Meddelande"])
    theirs_cells = sorted(results["check"])
    lines.append(f"check: {len(mine_cells)} cell{'' if len(mine_cells) == 1 else 's'} with an unknown attendance value, naive {len(theirs_cells)} "
                 f"({'the same cells' if mine_cells == theirs_cells else 'DIFFERENT'})")
    return lines


def naive_child(path: Path) -> None:
    """The baseline: openpyxl reads every sheet into pandas, then each rule is computed with pandas."""
    import hashlib

    import numpy as np
    import pandas as pd

    from xl_addin.domain import layout as L

    started = time.perf_counter()
    sheets = pd.read_excel(path, engine="openpyxl", sheet_name=None, header=None)
    read = time.perf_counter() - started
    today = pd.Timestamp(TODAY)

    def table(spec: L.Table) -> pd.DataFrame:
        raw = sheets[spec.sheet]
        first = raw.iloc[:, 0].astype("string").str.strip()
        header = int(np.flatnonzero(first == spec.columns[0])[0])
        frame = raw.iloc[header + 1:, :len(spec.columns)].copy()
        frame.columns = list(raw.iloc[header, :len(spec.columns)])
        return frame.dropna(how="all")

    def letters(column: int) -> str:
        text = ""
        while column:
            column, rest = divmod(column - 1, 26)
            text = chr(65 + rest) + text
        return text

    settings_frame = table(L.SETTINGS_TABLE)
    settings = dict(zip(settings_frame[L.SETTING], settings_frame[L.VALUE]))
    days_before = int(settings[L.DAYS_BEFORE_START])
    warning_days = int(settings[L.WARNING_DAYS])
    guarantee_days = int(settings[L.CARE_GUARANTEE_DAYS])
    groups = table(L.GROUPS_TABLE).dropna(subset=[L.GROUP_ID])
    groups[L.START_DATE] = pd.to_datetime(groups[L.START_DATE])
    groups[L.ROSTER_READY] = pd.to_datetime(groups[L.ROSTER_READY])
    types = table(L.GROUP_TYPES_TABLE).set_index(L.GROUP_TYPE)

    # Every group sheet: participants in one frame, sessions in another, attendance in long form.
    people_frames, session_rows = [], []
    for name, raw in sheets.items():
        if name in L.FIXED_SHEETS or len(raw) < 4:
            continue
        header = list(raw.iloc[3])
        body = raw.iloc[4:].copy()
        body.columns = header
        body = body.dropna(how="all")
        body["sheet"] = name
        body["row"] = body.index + 1
        people_frames.append(body.loc[:, ~pd.isna(body.columns)])
        for position, title in enumerate(header, start=1):
            if isinstance(title, str) and L.SESSION_COLUMN.match(title):
                session_rows.append((name, title, int(title[1:]), position, raw.iloc[2, position - 1],
                                     raw.iloc[1, position - 1]))
    people = pd.concat(people_frames, ignore_index=True)
    sessions = pd.DataFrame(session_rows, columns=["sheet", "column", "number", "position", "date", "registered"])
    sessions["date"] = pd.to_datetime(sessions["date"])

    # Personnummer: form, date (samordningsnummer day + 60) and Luhn check digit, vectorised.
    text = people[L.PERSONAL_NUMBER].astype("string").str.strip().str.replace(" ", "", regex=False)
    parts = text.str.extract(r"^(\d{2})(\d{2})(\d{2})(\d{2})[-+]?(\d{3})(\d)$")
    ok = parts.notna().all(axis=1)
    nine = (parts[1] + parts[2] + parts[3] + parts[4]).where(ok, "000000000")
    digits = np.frombuffer("".join(nine).encode(), dtype=np.uint8).reshape(-1, 9).astype(int) - 48
    products = digits * np.array([2, 1, 2, 1, 2, 1, 2, 1, 2])
    check = (10 - (products // 10 + products % 10).sum(axis=1) % 10) % 10
    day = pd.to_numeric(parts[3], errors="coerce")
    day = day.where(day <= 60, day - 60)
    born = pd.to_datetime(parts[0] + parts[1] + parts[2] + day.fillna(0).astype(int).astype(str).str.zfill(2),
                          format="%Y%m%d", errors="coerce")
    valid = ok & born.notna() & (check == pd.to_numeric(parts[5], errors="coerce").fillna(-1).to_numpy())
    people["digits"] = (parts[0] + nine).where(valid)
    duplicate = valid & people.duplicated(subset=["sheet", "digits"], keep="first")
    cancelled = people.get(L.CANCELLED_DATE)
    bad_cancel = cancelled.notna() & pd.to_datetime(cancelled, errors="coerce").isna()
    people["faulty"] = ~valid | duplicate | bad_cancel
    people["cancelled"] = pd.to_datetime(cancelled, errors="coerce")

    long = people.melt(id_vars=["sheet", "row", "digits", "faulty", "cancelled"],
                       value_vars=[c for c in people.columns if isinstance(c, str) and L.SESSION_COLUMN.match(c)],
                       var_name="column", value_name="value")
    long = long.merge(sessions, on=["sheet", "column"])
    aliases = {key: value for key, value in L.ATTENDANCE_ALIASES.items()}
    normalised = long["value"].astype("string").str.strip().str.casefold()
    long["code"] = normalised.map(aliases)
    long["unknown"] = long["value"].notna() & (normalised.str.len() > 0) & long["code"].isna()
    after_leaving = long["value"].isna() & long["cancelled"].notna() & (long["date"] >= long["cancelled"])
    long.loc[after_leaving, "code"] = L.CANCELLED

    compute: dict[str, float] = {}
    results: dict[str, object] = {}

    def timed(command: str):
        def wrap(function):
            begun = time.perf_counter()
            results[command] = function()
            compute[command] = time.perf_counter() - begun
            return function
        return wrap

    @timed("check")
    def _check():
        bad = long[long["unknown"]]
        return [[sheet, f"{letters(position)}{row}"] for sheet, position, row in
                zip(bad["sheet"], bad["position"], bad["row"])]

    @timed("flag-late-rosters")
    def _rosters():
        counts = people.groupby("sheet").agg(participants=("row", "size"), faulty=("faulty", "sum"))
        frame = groups.join(counts, on=L.GROUP_ID)
        deadline = frame[L.START_DATE] - pd.Timedelta(days=days_before)
        ready = frame[L.ROSTER_READY]
        left = (deadline - today).dt.days
        incomplete = frame["participants"].isna() | (frame["participants"] == 0) | (frame["faulty"] > 0)
        status = np.select(
            [ready.notna() & incomplete, ready.notna() & (ready > deadline), ready.notna(),
             left < 0, left <= warning_days],
            [L.ROSTER_INCOMPLETE, L.ROSTER_LATE, L.ROSTER_OK, L.ROSTER_LATE, L.ROSTER_AT_RISK],
            L.ROSTER_NOT_READY,
        )
        return {group: [day.date().isoformat(), value]
                for group, day, value in zip(frame[L.GROUP_ID], deadline, status)}

    in_groups = long[long["sheet"].isin(set(groups[L.GROUP_ID])) & ~long["faulty"] & long["date"].notna()]

    @timed("mark-no-shows")
    def _no_shows():
        no_show = (in_groups["code"] == L.NO_SHOW) & (in_groups["date"] <= today)
        return int((no_show | (in_groups["code"] == L.CANCELLED)).sum())

    @timed("journal-phrases")
    def _journal():
        wanted = groups[groups[L.JOURNAL_AT_END] == L.YES][L.GROUP_ID]
        last = sessions.groupby("sheet")["date"].max()
        finished = set(last[last < today].index) & set(wanted)
        rows = in_groups[in_groups["sheet"].isin(finished)]
        attended = rows[rows["code"] == L.ATTENDED].sort_values("date")
        dates = attended.groupby(["sheet", "row"])["date"].agg(lambda days: ", ".join(d.date().isoformat() for d in days))
        return len(dates)

    @timed("export-registrations")
    def _export():
        due = in_groups[in_groups["registered"].isna() & (in_groups["date"] + pd.offsets.BDay(1) <= today)]
        complete = due.groupby(["sheet", "number"])["code"].transform(lambda codes: codes.notna().all())
        rows = due[complete].merge(groups[[L.GROUP_ID, L.GROUP_TYPE]], left_on="sheet", right_on=L.GROUP_ID)
        rows = rows.merge(types, left_on=L.GROUP_TYPE, right_index=True, suffixes=("", "_type"))
        return len(rows)

    @timed("plan-interest")
    def _interest():
        interest = table(L.INTEREST_TABLE)
        start = pd.to_datetime(interest[L.CARE_GUARANTEE_FROM]).fillna(pd.to_datetime(interest[L.RECEIVED], errors="coerce"))
        deadline = start + pd.Timedelta(days=guarantee_days)
        placed = interest.merge(groups[[L.GROUP_ID, L.START_DATE]], on=L.GROUP_ID, how="left")[L.START_DATE].to_numpy()
        deadline = deadline.to_numpy()
        left = (deadline - today.to_datetime64()) // np.timedelta64(1, "D")
        status = np.select(
            [interest[L.EXEMPTION].notna().to_numpy(), ~pd.isna(placed) & (placed <= deadline), ~pd.isna(placed),
             left < 0, left <= warning_days],
            [L.INTEREST_EXEMPT, L.INTEREST_PLACED, L.INTEREST_PLACED_LATE, L.INTEREST_OVERDUE, L.INTEREST_AT_RISK],
            L.INTEREST_WAITING,
        )
        return int(len(status))

    @timed("new-groups")
    def _new_groups():
        missing = groups[~groups[L.GROUP_ID].isin(set(sessions["sheet"]))]
        return sum(len(pd.date_range(start, periods=int(count), freq="7D"))
                   for start, count in zip(missing[L.START_DATE], missing[L.SESSION_COUNT]))

    @timed("tasks")
    def _tasks():
        existing = table(L.TASKS_TABLE)
        wanted = in_groups[((in_groups["code"] == L.NO_SHOW) & (in_groups["date"] <= today))
                           | (in_groups["code"] == L.CANCELLED)]
        tokens = wanted["digits"].map(lambda digits: hashlib.sha256(digits.encode()).hexdigest()[:10])
        kind = np.where(wanted["code"] == L.NO_SHOW, "U2", "AVBOK")
        keys = pd.Series(kind, index=wanted.index) + ":" + wanted["sheet"] + ":" + wanted["column"] + ":" + tokens
        merged = pd.DataFrame({L.KEY: keys}).merge(existing, on=L.KEY, how="outer", indicator=True)
        return int((merged["_merge"] != "right_only").sum())

    @timed("stats")
    def _stats():
        rows = long[long["date"] <= today].merge(groups[[L.GROUP_ID, L.GROUP_TYPE]], left_on="sheet", right_on=L.GROUP_ID)
        term = rows["date"].dt.year.astype(str) + np.where(rows["date"].dt.month <= 6, "VT", "HT")
        return int(rows.groupby([term, L.GROUP_TYPE])["code"].value_counts().size)

    print(json.dumps({"read": read, "compute": compute, "results": results}, default=str))


# -- (c) and (d) the buttons through the xlwings API -----------------------------------------------
def buttons_child(path: Path, functions: list[str], warm: int, compare: bool, warmup: Path | None) -> None:
    """Click buttons on fresh remote-engine books and print one report per button.

    Each button is clicked once, then ``warm`` more times in the same process. Without ``warmup``
    the first click of the first button is the first click in the process (cold, as under RunPython,
    which starts a fresh Python per click); with it, Uppdatera allt is clicked once on ``warmup`` (a
    small workbook) first, so that every measured click is warm.
    """
    import xlwings as xw
    from xlwings.pro import _xlremote

    if "remote" not in [engine.name for engine in xw.engines]:
        xw.engines.add(xw.main.Engine(impl=_xlremote.engine))
    from xl_addin import buttons

    def payload(workbook: Path) -> str:
        cached = workbook.with_suffix(".payload.json")
        if not cached.exists():
            cached.write_text(json.dumps(fast_book_json(workbook, xw.__version__)), encoding="utf-8")
        return cached.read_text(encoding="utf-8")

    if warmup is not None:
        buttons.refresh_all(xw.Book(json=json.loads(payload(warmup))), today=TODAY)
    text = payload(path)
    counter = _EngineCalls(_xlremote)
    reads = _count_reads(counter)
    reports: dict[str, object] = {}
    for function in functions:
        times, actions, summary = [], 0, ""
        for _ in range(1 + warm):
            book = xw.Book(json=json.loads(text))
            counter.reset()
            started = time.perf_counter()
            outcome = getattr(buttons, function)(book, today=TODAY)
            times.append(time.perf_counter() - started)
            actions = len(book.json()["actions"])
            summary = outcome.summary
        report: dict[str, object] = {
            "first": times[0], "warm": times[1:], "actions": actions, "calls": counter.count,
            "read_calls": reads["calls"], "sheets": reads["sheets"],
            "by_method": counter.by_method.most_common(8), "summary": summary,
        }
        if compare:  # the fast payload must click like the test suite's own (openpyxl-based) payload
            from tests.test_buttons import book_json

            book = xw.Book(json=json.loads(json.dumps(book_json(path, xw.__version__), default=str)))
            outcome = getattr(buttons, function)(book, today=TODAY)
            report["same_as_test_payload"] = (outcome.summary, len(book.json()["actions"])) == (summary, actions)
        reports[function] = report
    print(json.dumps(reports))


def _count_reads(counter: "_EngineCalls") -> dict[str, int]:
    """Wrap ``excel_edge.read_book`` so that the engine calls of the last click's reading are known."""
    from xl_addin import excel_edge

    real = excel_edge.read_book
    reads = {"calls": 0, "sheets": 0}

    def read_book(book):
        before = counter.count
        snapshot = real(book)
        reads["calls"], reads["sheets"] = counter.count - before, len(snapshot[0])
        return snapshot

    excel_edge.read_book = read_book
    return reads


def demo_child(paths: list[Path]) -> None:
    """Every button once on the demo and on the demo with more participants (``paths``), printing per
    workbook and button the actions the click recorded and its engine calls; and per workbook the
    engine calls of reading it three ways: the native path (the remote engine's JSON), the portable
    xlwings API (the fallback, as on macOS) and the COM path counted against ``_ComStandIn``."""
    import xlwings as xw
    from xlwings.pro import _xlremote

    if "remote" not in [engine.name for engine in xw.engines]:
        xw.engines.add(xw.main.Engine(impl=_xlremote.engine))
    from xl_addin import buttons, excel_edge
    from xl_addin.demo import DEMO_TODAY

    counter = _EngineCalls(_xlremote)
    reads = _count_reads(counter)
    report: dict[str, object] = {}
    for path in paths:
        text = json.dumps(fast_book_json(path, xw.__version__))
        clicks = {}
        for function in _buttons():
            book = xw.Book(json=json.loads(text))
            counter.reset()
            getattr(buttons, function)(book, today=DEMO_TODAY)
            clicks[function] = {"actions": len(book.json()["actions"]), "calls": counter.count,
                                "read_calls": reads["calls"], "sheets": reads["sheets"]}
        book, fewer_book = xw.Book(json=json.loads(text)), None
        native = excel_edge._read_book_native
        excel_edge._read_book_native = lambda book: None
        try:
            counter.reset()
            portable = excel_edge.read_book(book)
            portable_calls = counter.count
        finally:
            excel_edge._read_book_native = native
        stand_in = _ComStandIn(json.loads(text))
        com = excel_edge._read_com(stand_in, _xlremote.engine.clean_value_data)
        native_read = excel_edge.read_book(xw.Book(json=json.loads(text)))
        # Per sheet: the same reads of the payload without its group sheets, the difference per sheet.
        from xl_addin.domain import layout as L

        fewer = json.loads(text)
        fewer["sheets"] = [sheet for sheet in fewer["sheets"] if sheet["name"] in L.FIXED_SHEETS]
        dropped = len(native_read[0]) - len(fewer["sheets"])
        excel_edge._read_book_native = lambda book: None
        try:
            fewer_book = xw.Book(json=json.loads(json.dumps(fewer)))
            counter.reset()
            excel_edge.read_book(fewer_book)
            portable_fewer = counter.count
        finally:
            excel_edge._read_book_native = native
        fewer_book, whole_book = xw.Book(json=json.loads(json.dumps(fewer))), xw.Book(json=json.loads(text))
        counter.reset()
        excel_edge.read_book(fewer_book)
        native_fewer = counter.count
        counter.reset()
        excel_edge.read_book(whole_book)
        native_calls = counter.count
        com_fewer = _ComStandIn(fewer)
        excel_edge._read_com(com_fewer, _xlremote.engine.clean_value_data)
        per_sheet = {kind: (calls - fewer_calls) / dropped if dropped else float("nan") for kind, calls, fewer_calls in (
            ("native", native_calls, native_fewer), ("portable", portable_calls, portable_fewer),
            ("com", stand_in.calls, com_fewer.calls))}
        constant = {"native": native_fewer, "portable": portable_fewer, "com": com_fewer.calls}
        report[path.name] = {"clicks": clicks, "portable_calls": portable_calls, "com_calls": stand_in.calls,
                             "native_calls": native_calls, "per_sheet": per_sheet, "fixed_sheets": constant,
                             "sheets": len(native_read[0]),
                             "same": _same_snapshot(native_read, portable) and _same_snapshot(native_read, com)}
    print(json.dumps(report))


def _same_snapshot(one, other) -> bool:
    def key(snapshot):
        grids, tables = snapshot
        return ({name: (grid.rows, grid.visible) for name, grid in grids.items()},
                {name: (t.sheet, t.header_row, t.first_column, t.last_row, t.columns) for name, t in tables.items()})
    mine, theirs = key(one), key(other)
    # COM's visibility is read for the contract's sheets only (group sheets count as shown)
    return mine[1] == theirs[1] and {n: g[0] for n, g in mine[0].items()} == {n: g[0] for n, g in theirs[0].items()}


class _ComStandIn:
    """Counts the COM calls of ``excel_edge._read_com``: an object with the few members of Excel's
    object model that the COM path touches, answering from an Office.js payload. There is no Excel
    here; this measures how many calls the code makes, not that Excel answers them (that runs only on
    Windows). Each property read or method call on a COM object is one call. A collection's enumerator
    is modelled as pywin32 has it (``win32com/client`` ``dynamic.py`` ``CDispatch._NewEnum``, ``util.py``
    ``EnumVARIANT``): ``_NewEnum()`` is two calls (``DISPID_NEWENUM``, then ``QueryInterface`` for
    ``IEnumVARIANT``), each ``Next(n)`` one call returning up to n items; iterating the collection is its
    own enumerator plus one ``Next(1)`` per item and a last, empty one. ``enumerator=False``: collections
    without one (``_NewEnum()`` returns None, as pywin32's does then; iterating costs one call per item)."""

    def __init__(self, payload: dict, *, enumerator: bool = True) -> None:
        self.calls = 0
        self.book = payload["book"]["name"]
        outer = self

        class Obj:
            def __init__(self, **members):
                self._members = members

            def __getattr__(self, name):
                outer.calls += 1
                return self._members[name]

        class Enumerator:
            def __init__(self, items):
                self._items = list(items)

            def Next(self, count=1):
                outer.calls += 1
                batch, self._items = self._items[:count], self._items[count:]
                return tuple(batch)

        class Collection:
            def __init__(self, items):
                self._items = items

            def _NewEnum(self):
                if not enumerator:
                    return None
                outer.calls += 2
                return Enumerator(self._items)

            def __iter__(self):
                outer.calls += 2 if enumerator else 0
                for item in self._items:
                    outer.calls += 1
                    yield item
                outer.calls += 1

        def sheet(data):
            address = data.get("used_range_address") or "A1"
            top, left, bottom, right = _box(address)
            values = tuple(tuple(None if v == "" else _com_value(v) for v in row[left - 1:right])
                           for row in data["values"][top - 1:bottom])
            if len(values) == 1 and len(values[0]) == 1:
                values = values[0][0]
            quoted = f"'[{outer.book}]{data['name'].replace(chr(39), chr(39) * 2)}'"
            used = Obj(Value=values, GetAddress=lambda *args: f"{quoted}!{_absolute(address)}")
            tables = [Obj(Name=t["name"], Range=Obj(Address=t["range_address"])) for t in data.get("tables", [])]
            return Obj(UsedRange=used, Visible=-1 if data.get("visibility", "Visible") == "Visible" else 0,
                       ListObjects=Collection(tables), Name=data["name"])

        self._worksheets = Collection([sheet(data) for data in payload["sheets"]])

    @property
    def Worksheets(self):
        self.calls += 1
        return self._worksheets


def _box(address: str) -> tuple[int, int, int, int]:
    from xl_addin.excel_edge import _address_box

    return _address_box(address)


def _absolute(address: str) -> str:
    from xl_addin.domain.cells import cell_address

    top, left, bottom, right = _box(address)
    first, last = cell_address(top, left), cell_address(bottom, right)
    mark = lambda cell: re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", cell)  # noqa: E731
    return mark(first) if first == last else f"{mark(first)}:{mark(last)}"


def _com_value(value):
    """A payload value as pywin32 hands it over: dates as datetime (ISO text in the payload)."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", value):
        return datetime.fromisoformat(value[:19])
    return value


class _EngineCalls:
    """Counts calls from the xlwings API into the engine (outermost only): what desktop Excel makes
    COM round trips of, reads included. The remote engine answers reads from the JSON it holds."""

    def __init__(self, module) -> None:
        from collections import Counter

        self.count = 0
        self.depth = 0
        self.by_method: Counter[str] = Counter()
        for name in ("Book", "Sheets", "Sheet", "Range", "Tables", "Table", "Names", "Name", "Books", "App"):
            cls = getattr(module, name, None)
            if cls is None:
                continue
            for attribute, member in list(vars(cls).items()):
                if attribute.startswith("_") or attribute in ("api", "json", "append_json_action"):
                    continue
                if isinstance(member, property):
                    setattr(cls, attribute, property(
                        self._wrap(member.fget) if member.fget else None,
                        self._wrap(member.fset) if member.fset else None,
                    ))
                elif callable(member) and not isinstance(member, (staticmethod, classmethod, type)):
                    setattr(cls, attribute, self._wrap(member))

    def reset(self) -> None:
        self.count = 0
        self.by_method.clear()

    def _wrap(self, function):
        name = function.__qualname__

        def counted(*args, **kwargs):
            if self.depth == 0:
                self.count += 1
                self.by_method[name] += 1
            self.depth += 1
            try:
                return function(*args, **kwargs)
            finally:
                self.depth -= 1
        return counted


def fast_book_json(path: Path, version: str) -> dict[str, object]:
    """The Office.js payload of ``tests/test_buttons.book_json``, built from the calamine reader.

    The test helper loads the file with openpyxl and visits every cell: minutes at ten years. The
    payload is the same shape; ``buttons_child(..., compare=True)`` checks that the buttons give the
    same results with both on the smallest size.
    """
    import zipfile

    from defusedxml import ElementTree

    from tests.test_buttons import _json_value
    from xl_addin.domain.cells import CellError, cell_address
    from xl_addin.files.reader import read_grids

    grids, tables = read_grids(path)
    by_sheet: dict[str, list] = {}
    for location in tables.values():
        by_sheet.setdefault(location.sheet, []).append(location)
    sheets = []
    for name, grid in grids.items():
        width = max((len(row) for row in grid.rows), default=1) or 1
        values = [[str(v) if isinstance(v, CellError) else _json_value(v) for v in row] + [""] * (width - len(row))
                  for row in grid.rows] or [[""]]
        table_list = []
        for location in by_sheet.get(name, []):
            r1, c1, r2 = location.header_row, location.first_column, location.last_row
            c2 = c1 + len(location.columns) - 1
            box = lambda top, bottom: f"${cell_address(top, c1)[:-len(str(top))]}${top}:${cell_address(bottom, c2)[:-len(str(bottom))]}${bottom}"  # noqa: E731
            table_list.append({
                "name": location.name, "range_address": box(r1, r2), "header_row_range_address": box(r1, r1),
                "data_body_range_address": box(r1 + 1, r2), "total_row_range_address": None,
                "show_headers": True, "show_totals": False, "table_style": "TableStyleLight9",
                "show_autofilter": True, "show_table_style_first_column": False,
                "show_table_style_last_column": False, "show_table_style_row_stripes": True,
                "show_table_style_column_stripes": False, "columns": list(location.columns),
                "row_count": r2 - r1 + 1, "column_count": c2 - c1 + 1,
            })
        sheets.append({
            "name": name, "values": values, "used_range_address": f"A1:{cell_address(len(values), width)}",
            "visibility": "Visible" if grid.visible else "Hidden",
            "pictures": [], "shapes": [], "charts": [], "notes": [], "tables": table_list,
            "print_area": None, "show_gridlines": True, "pivot_tables": [],
        })
    positions = {sheet["name"]: index for index, sheet in enumerate(sheets)}
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(path) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    names = []
    for defined in workbook.iter(f"{main}definedName"):
        name, reference = defined.get("name"), (defined.text or "")
        if name.startswith("_xlnm") or defined.get("localSheetId") is not None or "!" not in reference:
            continue
        sheet, address = reference.rsplit("!", 1)
        sheet = sheet.strip("'").replace("''", "'")
        if sheet in positions:
            names.append({"name": name, "sheet_index": positions[sheet], "address": address.replace("$", ""),
                          "refers_to": "=" + reference, "scope_sheet_name": None, "scope_sheet_index": None,
                          "book_scope": True})
    return {"client": "Office.js", "version": version, "book": {"name": path.name, "active_sheet_index": 0,
            "selection": "A1"}, "names": names, "sheets": sheets}


def buttons(path: Path, cold: int, warm: int, compare: bool, warmup: Path | None = None) -> dict:
    """Per button ``cold`` fresh processes, each clicking once cold and ``warm`` times more; or, with
    ``warmup`` (the stress size, where a click takes seconds), one process clicking each button once warm."""
    functions = list(_buttons())
    if not functions:
        return {"_missing": WAITING}
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial"}
    base = [PYTHON, __file__, "--buttons-child", str(path), "--repeat", str(warm)]
    groups = ([(functions, base + ["--button", ",".join(functions), "--warmup", str(warmup)])] if warmup else
              [([function], base + ["--button", function] + (["--compare"] if compare and index == 0 else []))
               for function in functions for index in range(cold)])
    runs: dict[str, list[dict]] = {function: [] for function in functions}
    report: dict[str, object] = {"_peak_mb": 0.0}
    for names, argv in groups:
        child = run_child(argv, env=env, capture=True)
        if child.code != 0:
            return {"_missing": f"the button measurement failed ({', '.join(names)}): {child.stderr.strip().splitlines()[-1:]}"}
        report["_peak_mb"] = max(report["_peak_mb"], child.peak_mb)
        for function, run in json.loads(child.stdout).items():
            runs[function].append(run)
    same = [run["same_as_test_payload"] for function in functions for run in runs[function] if "same_as_test_payload" in run]
    for function in functions:
        warm_times = [seconds for run in runs[function] for seconds in run["warm"]]
        if warmup:
            warm_times += [run["first"] for run in runs[function]]
        last = runs[function][-1]
        report[function] = {
            "cold": None if warmup else _median([run["first"] for run in runs[function]]),
            "warm": _median(warm_times) if warm_times else None,
            "actions": last["actions"], "calls": last["calls"], "by_method": last["by_method"], "summary": last["summary"],
        }
    if same:
        report["_payload_check"] = (f"{sum(same)} of {len(same)} buttons give the same summary and number of actions "
                                    "with the tests' `book_json` (openpyxl) as with the benchmark's fast payload (calamine)")
    return report


# -- (e) the import of the button module -------------------------------------------------------------
_IMPORT_PROBE = """
import sys, time, json
started = time.perf_counter()
import xlwings
middle = time.perf_counter()
before = set(sys.modules)
{second}
ended = time.perf_counter()
print(json.dumps({{"xlwings": middle - started, "buttons": ended - middle,
                   "loaded": sorted(set(sys.modules) - before), "present": sorted(sys.modules)}}))
"""


def imports(repeat: int) -> dict:
    """Fresh interpreters, alternating: ``import xlwings`` alone and then ``xl_addin.buttons``."""
    env = {key: value for key, value in os.environ.items() if key != "XLWINGS_LICENSE_KEY"}
    alone, both, inside, loaded, present = [], [], [], [], []
    if not _buttons():
        return {"_missing": WAITING}
    for _ in range(repeat):
        alone.append(run_child([PYTHON, "-c", _IMPORT_PROBE.format(second="pass")], env=env, capture=True).seconds)
        child = run_child([PYTHON, "-c", _IMPORT_PROBE.format(second="import xl_addin.buttons")], env=env, capture=True)
        both.append(child.seconds)
        report = json.loads(child.stdout)
        inside.append(report["buttons"])
        loaded, present = report["loaded"], report["present"]
    return {
        "alone": _median(alone), "both": _median(both), "inside": _median(inside),
        "extra": _median([b - a for a, b in zip(alone, both)]),  # pairs run back to back: drift cancels
        "file_side_loaded": [m for m in FILE_SIDE_MODULES if m in loaded],
        "file_side_present": [m for m in FILE_SIDE_MODULES if m in present],
        "heaviest": sorted({m.split(".")[0] for m in loaded} - {"xl_addin"}),
    }


# -- (f) a click under Pyodide (xlwings Lite's runtime) --------------------------------------------------
PYODIDE_TARGET_MS = 300.0


def pyodide_clicks(path: Path, repeat: int) -> dict:
    """Each button's Python time under Pyodide in Node, as xlwings Lite runs a click: the template's
    main.py loaded as module ``main``, the workbook's payload as ``xw.Book(json=...)``, the script called
    through ``xlwings.server.custom_scripts_call`` (tests/pyodide_harness.py, the Lite tests' runtime).
    Timed inside Pyodide from the call to its return. One runtime for all buttons, as Lite keeps one
    loaded: *first* = the first click after loading (it imports the product), then ``repeat`` more of
    each button (median)."""
    try:
        from tests.pyodide_harness import FIXED_CLOCK, PyodideSession, unavailable
        from xl_addin import lite
    except ImportError:
        return {"_missing": "the Pyodide harness (tests/pyodide_harness.py) is not on this branch"}
    reason = unavailable()
    if reason:
        return {"_missing": reason}
    import textwrap

    from xl_addin.demo import build_demo

    with tempfile.TemporaryDirectory() as folder:
        main_py = lite.read_lite_properties(build_demo(Path(folder) / "demo.xlsx"))["main.py"]
    payload = json.loads(json.dumps(fast_book_json(path, lite.XLWINGS_VERSION)))
    session = PyodideSession()
    try:
        loaded, _printed = session.run(textwrap.dedent(f"""\
            import time
            import types
            import xlwings
            _started = time.perf_counter()
            main = types.ModuleType("main")
            exec(compile({main_py!r}, "main.py", "exec"), main.__dict__)
            sys.modules["main"] = main
            result_json = json.dumps(time.perf_counter() - _started)
        """))
        report: dict[str, object] = {"_version": lite.PYODIDE_VERSION, "_load": loaded}
        for index, function in enumerate(_buttons()):
            times, actions = [], 0
            for _ in range(1 + repeat if index else 1 + repeat):
                code = (
                    f"TODAY = {(TODAY.year, TODAY.month, TODAY.day)!r}\n{FIXED_CLOCK}\n"
                    "import time\nimport xlwings as xw\nimport xl_addin.buttons as _buttons\n"
                    "_buttons.date, _buttons.datetime = FixedDate, FixedDateTime\n"
                    "from xlwings.server import custom_scripts_call\n"
                    "book = xw.Book(json=json.loads(payload_json))\n"
                    "_started = time.perf_counter()\n"
                    f"await custom_scripts_call(sys.modules['main'], {function!r}, typehint_to_value={{xw.Book: book}})\n"
                    "result_json = json.dumps([time.perf_counter() - _started, len(book.json()['actions'])])\n"
                )
                (seconds, actions), _printed = session.run(code, payload)
                times.append(seconds)
            if index == 0:
                report["_first"] = (function, times[0])
            report[function] = {"median": _median(times[1:]), "actions": actions}
        return report
    finally:
        session.close()


# -- the report ----------------------------------------------------------------------------------------
def machine() -> dict[str, str]:
    from importlib import metadata

    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = []
    for package in PACKAGES:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} –")
    return {
        "cpu": model, "cores": str(os.cpu_count()), "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}", "packages": ", ".join(versions),
    }


@dataclass
class SizeResult:
    size: str
    path: Path
    counts: dict[str, int]
    repeat: int
    headless: dict[str, dict[str, float]] = field(default_factory=dict)
    naive: dict = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)
    buttons: dict = field(default_factory=dict)
    bare: dict = field(default_factory=dict)
    stages: dict = field(default_factory=dict)


STAGE_COMMANDS = ("check", "tasks")


DEMO_FACTORS = (1, 10, 100)


def demo_sizes(generate, cache: Path, factors: Sequence[int], repeat: int) -> dict:
    """The demo and the demo with ``factors`` times the participants: every button's actions and engine
    calls (one child process, ``demo_child``), and at the largest factor every headless command and the
    bare read, as for the generated sizes."""
    paths = [generate.ensure_demo(factor, cache=cache) for factor in factors]
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial"}
    child = run_child([PYTHON, __file__, "--demo-child", ",".join(str(path) for path in paths)], env=env, capture=True)
    if child.code != 0:
        return {"_missing": f"the demo measurement failed: {child.stderr.strip().splitlines()[-1:]}"}
    report = json.loads(child.stdout)
    by_factor = {factor: report[path.name] for factor, path in zip(factors, paths)}
    largest = paths[-1]
    # Rounds of the bare read and then every command, rather than each one's runs in a row: a command
    # takes a tenth of a second here, so a minute's change in the machine's other load would otherwise
    # fall on some commands and not on the bare read they are compared with.
    rounds = [(bare(largest, 1), {command: headless(largest, command, 1) for command in _commands()})
              for _ in range(repeat)]
    headless_runs = {command: _medians([commands[command] for _bare, commands in rounds]) for command in _commands()}
    result = {"factors": list(factors), "by_factor": by_factor, "headless": headless_runs,
              "bare": _medians([bare_run for bare_run, _commands in rounds]), "largest": factors[-1], "repeat": repeat,
              "stages": {command: stages(largest, command, 3) for command in STAGE_COMMANDS}}
    for factor, figures in by_factor.items():
        print(f"demo ×{factor}: " + ", ".join(f"{f} {c['actions']}" for f, c in figures["clicks"].items())
              + f"; engine calls per sheet {figures['per_sheet']}", flush=True)
    print("demo ×%d: bare %s ms; " % (factors[-1], _ms(result["bare"]["seconds"])) + ", ".join(
        f"{c} {_ms(f['seconds'])} ms" for c, f in headless_runs.items()), flush=True)
    return result


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def _ratio(ours: float, base: float) -> str:
    return f"{ours / base:.1f}×" if base else "–"


def bare_table(results: list[SizeResult], demo: dict) -> list[str]:
    """Every command against the bare read of the same file (issue 14), wall clock and CPU time."""
    rows = [(r.size, r.headless, r.bare) for r in results if r.bare]
    if "headless" in demo:
        rows.append((f"demo ×{demo['largest']}", demo["headless"], demo["bare"]))
    if not rows:
        return []
    commands = list(rows[0][1])
    lines = ["### Command line against a bare read of the same file", "",
             "*Bare* = a process that only reads every sheet of the file into Python lists with python-calamine "
             "(`CalamineWorkbook.from_path(...)`, `get_sheet_by_name(name).to_python()` for every sheet), start to "
             "exit, median. Each cell: our command's whole process / the bare process, wall clock (CPU time in "
             "brackets). *demo ×N* is the demo workbook with N times its participants (`generate.ensure_demo`), "
             "measured in rounds of the bare read and then every command, the median of each over the rounds.", "",
             "| Size | Bare ms | Bare CPU ms | " + " | ".join(commands) + " |",
             "|---|---:|---:|" + "---:|" * len(commands)]
    for size, figures, base in rows:
        lines.append(f"| {size} | {_ms(base['seconds'])} | {_ms(base['cpu'])} | " + " | ".join(
            f"{_ratio(figures[c]['seconds'], base['seconds'])} ({_ratio(figures[c]['cpu'], base['cpu'])})"
            for c in commands) + " |")
    if "headless" in demo:
        lines += ["", f"demo ×{demo['largest']}, wall ms per command (median of {demo['repeat']} rounds): " + ", ".join(
            f"{c} {_ms(f['seconds'])}" for c, f in demo["headless"].items()) + "."]
    staged = [(r.size, command, figures, r.bare) for r in results for command, figures in r.stages.items()]
    staged += [(f"demo ×{demo['largest']}", command, figures, demo["bare"])
               for command, figures in demo.get("stages", {}).items()]
    if staged:
        lines += ["", "Where the CPU time goes: the command's stages in turn in one process (`time.process_time`, "
                  "CPU ms, the least of three runs; the interpreter's own start is not included): *imports* of the "
                  "product, the reader's *preflight* in the process (`files/reader.py` `_preflight`), *beside*: the "
                  "checks that run in a child process while calamine reads, where they can (the worksheets' "
                  "checks and the well-formedness pass; CPU of that process, on another core; 0 where they run "
                  "in the process), *calamine* (the rest of `read_grids`), *parse* (`read_workbook`; the command "
                  "parses while the child finishes), the *rule* (the service) and the *JSON* text.", "",
                  "| Size | Command | " + " | ".join(STAGE_NAMES) + " | total | bare read CPU |",
                  "|---|---|" + "---:|" * (len(STAGE_NAMES) + 2)]
        for size, command, figures, base in staged:
            lines.append(f"| {size} | {command} | " + " | ".join(_ms(figures[name]) for name in STAGE_NAMES)
                         + f" | {_ms(sum(figures.values()))} | {_ms(base['cpu'])} |")
    return lines


def demo_table(demo: dict) -> list[str]:
    """Actions per click and engine calls per sheet on the demo and its enlargements."""
    lines = ["### Buttons on the demo and on the demo with more participants", ""]
    if "factors" not in demo:
        return lines + [f"Missing: {demo.get('_missing', 'not measured')}."]
    factors = demo["factors"]
    by_factor = {int(k): v for k, v in demo["by_factor"].items()}
    first = by_factor[factors[0]]
    lines += [
        "Each button clicked once through the xlwings API (remote engine) on the demo workbook (×1) and on the "
        "demo with ten and a hundred times its participants (every participant row repeated with a new "
        "fictional personnummer). *Actions* = `len(book.json()[\"actions\"])`, each one call to Excel; *engine "
        "calls* = calls from the xlwings API into the engine during the click, reads and writes; *read calls* = "
        "those of reading the workbook (`excel_edge.read_book`).", "",
        "| Button | " + " | ".join(f"×{f} actions" for f in factors) + " | "
        + " | ".join(f"×{f} engine calls" for f in factors) + " | read calls |",
        "|---|" + "---:|" * (2 * len(factors) + 1)]
    for function in first["clicks"]:
        cells = [str(by_factor[f]["clicks"][function]["actions"]) for f in factors]
        cells += [str(by_factor[f]["clicks"][function]["calls"]) for f in factors]
        cells.append(str(first["clicks"][function]["read_calls"]))
        lines.append(f"| {function} | " + " | ".join(cells) + " |")
    per_sheet, constant = first["per_sheet"], first["fixed_sheets"]
    lines += ["", "Reading the workbook, engine calls (the same at every factor: calls do not depend on rows). *Per "
              f"sheet* = (calls for the demo's {first['sheets']} sheets − calls for its fixed sheets alone) / the "
              "number of group sheets; *constant* = calls for the fixed sheets alone.", "",
              "| Path | Engine calls per sheet | Constant | Demo, all sheets |", "|---|---:|---:|---:|",
              f"| native, remote engine (xlwings Lite, the tests): the payload's JSON | {per_sheet['native']:.1f} | "
              f"{constant['native']} | {first['native_calls']} |",
              f"| native, COM (Windows): counted against a stand-in of Excel's objects | {per_sheet['com']:.1f} | "
              f"{constant['com']} | {first['com_calls']} |",
              f"| portable xlwings API (fallback; macOS) | {per_sheet['portable']:.1f} | {constant['portable']} | "
              f"{first['portable_calls']} |",
              "", "The three paths read the same grids and tables: "
              + ("yes" if all(v["same"] for v in by_factor.values()) else "NO") + "."]
    return lines


def tables(results: list[SizeResult], import_report: dict, demo: dict | None = None) -> list[str]:
    """The generated Markdown (also printed)."""
    lines = ["### Sizes", "",
             "| Size | Groups | Group sheets | Participants | Attendance cells | Interest registrations | Att göra rows | File (MB) | Runs |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for result in results:
        c = result.counts
        lines.append(f"| {result.size} | {c['groups']} | {c['sheets']} | {c['participants']} | {c['cells']} | "
                     f"{c['interest']} | {c['tasks']} | {result.path.stat().st_size / 1e6:.1f} | {result.repeat} |")
    lines += ["", "### Command line: the whole process, median (ms), naive baseline and peak memory", "",
              "`python -m xl_addin COMMAND FILE --today " + TODAY.isoformat() + " --json > /dev/null`, from start to "
              "exit (*ms*, wall clock) and the process's CPU time (*CPU ms*, user + system: less sensitive to other "
              "jobs on the machine). Naive = `pandas.read_excel(engine=\"openpyxl\", sheet_name=None)` + the rule in "
              "pandas, wall clock; the ratio is naive / ours in wall clock.", "",
              "| Size | Command | ms | CPU ms | Naive ms | Naive / ours | Peak MB |", "|---|---|---:|---:|---:|---:|---:|"]
    for result in results:
        for command, figures in result.headless.items():
            naive_seconds = result.naive.get("seconds", {}).get(command)
            ratio = f"{naive_seconds / figures['seconds']:.1f}×" if naive_seconds else "–"
            lines.append(f"| {result.size} | {command} | {_ms(figures['seconds'])} | {_ms(figures['cpu'])} | "
                         f"{_ms(naive_seconds) if naive_seconds else '–'} | {ratio} | {figures['peak_mb']:.0f} |")
    lines += ["", "The naive process's peak memory and reading time: " + "; ".join(
        f"{r.size} {r.naive['peak_mb']:.0f} MB, reading {r.naive['read']:.1f} s" for r in results if r.naive) + ".", "",
        "Check that the naive baseline computes the same thing:", ""]
    for result in results:
        lines += [f"- {result.size}: {check}" for check in result.checks]
    lines += ["", "### Buttons: Python's work per click through the xlwings API (without Excel), median (ms)", ""]
    missing = [r.buttons["_missing"] for r in results if "_missing" in r.buttons]
    if missing:
        lines.append(f"The button measurements are missing: {missing[0]}.")
    else:
        functions = [f for f in results[0].buttons if not f.startswith("_")]
        lines += [
            "The remote engine `xw.Book(json=...)` (xlwings PRO, `XLWINGS_LICENSE_KEY=noncommercial`, in the "
            "measuring process only) holds the workbook as the JSON an Office.js client sends and answers reads from "
            "it, so the time is Python's own: reading through the API, parsing, the rule and planning the writes. "
            "*Cold* = the first click in a new process (as RunPython runs every click; it imports the product's modules, "
            "which `xl_addin.buttons` defers to the click; xlwings' own import is not counted, see below); *warm* = one more click in the same process (stress: warm clicks only, every button "
            "in one process that first clicked on the one-term workbook, since each click takes seconds). *Actions* = "
            "writes the click recorded (`len(book.json()[\"actions\"])`), each one call to Excel. *Engine calls* = "
            "calls from the xlwings API into the engine, reads included: roughly the COM calls desktop Excel receives.", "",
            "| Button | " + " | ".join(f"{r.size} cold | {r.size} warm" for r in results) + " | "
            + " | ".join(f"{r.size} actions" for r in results) + " | "
            + " | ".join(f"{r.size} engine calls" for r in results) + " |",
            "|---|" + "---:|" * (4 * len(results))]
        for function in functions:
            cells = []
            for r in results:
                figures = r.buttons[function]
                cells += [_ms(figures["cold"]) if figures["cold"] else "–", _ms(figures["warm"]) if figures["warm"] else "–"]
            cells += [str(r.buttons[function]["actions"]) for r in results]
            cells += [str(r.buttons[function]["calls"]) for r in results]
            lines.append(f"| {function} | " + " | ".join(cells) + " |")
        biggest = results[-1]
        top = biggest.buttons[functions[-1]]["by_method"]
        lines += ["", f"Most frequent engine calls for {functions[-1]} ({biggest.size}): "
                  + ", ".join(f"`{name}` {count}" for name, count in top) + "."]
        checks = [r.buttons.get("_payload_check") for r in results if r.buttons.get("_payload_check")]
        lines += [""] + [f"The payload: {check}." for check in checks]
        peaks = [f"{r.size} {r.buttons['_peak_mb']:.0f} MB" for r in results if "_peak_mb" in r.buttons]
        if peaks:
            lines += ["", "Peak memory of the button measurement's process: " + ", ".join(peaks) + "."]
    demo = demo or {}
    lines += [""] + bare_table(results, demo)
    if demo:
        lines += [""] + demo_table(demo)
    pyodide = demo.get("pyodide", {})
    if pyodide and "_missing" not in pyodide:
        clicks = {f: v for f, v in pyodide.items() if not f.startswith("_")}
        lines += ["", "### Buttons under Pyodide (xlwings Lite's runtime), one term, median (ms)", "",
                  f"Pyodide {pyodide['_version']} in Node (tests/pyodide_harness.py): the template's main.py as module "
                  "`main`, the term workbook's payload, each script through `xlwings.server.custom_scripts_call` as "
                  "Lite calls it; timed inside Pyodide from the call to its return. One runtime for all buttons, as "
                  "Lite keeps one loaded; each button clicked four times, the median of the last three. Loading "
                  f"main.py (when Lite starts: it unpacks the embedded package and imports what a click needs, "
                  f"`buttons.load_click_modules`) takes {_ms(pyodide['_load'])} ms; the very first click after that "
                  f"({pyodide['_first'][0]}) {_ms(pyodide['_first'][1])} ms.", "", "| Button | ms | actions |",
                  "|---|---:|---:|"]
        lines += [f"| {f} | {_ms(v['median'])} | {v['actions']} |" for f, v in clicks.items()]
    elif pyodide:
        lines += ["", f"Buttons under Pyodide: not measured ({pyodide['_missing']})."]
    lines += ["", "### Import of the button module (fresh interpreters, median)", ""]
    if "_missing" in import_report:
        lines.append(f"Missing: {import_report['_missing']}.")
    else:
        lines += [
            f"- `python -c \"import xlwings\"`: {_ms(import_report['alone'])} ms (the whole process); "
            f"`import xlwings, xl_addin.buttons`: {_ms(import_report['both'])} ms; difference (median of paired "
            f"differences) {_ms(import_report['extra'])} ms.",
            f"- Measured inside the process: `import xl_addin.buttons` after xlwings takes {_ms(import_report['inside'])} ms.",
            f"- File-side libraries the import loads: {', '.join(import_report['file_side_loaded']) or 'none'} "
            f"(checked: {', '.join(FILE_SIDE_MODULES)}); present in the process at all: "
            f"{', '.join(import_report['file_side_present']) or 'none'}.",
            f"- Packages the import loads beyond xlwings: {', '.join(import_report['heaviest']) or 'none'}.",
        ]
    return lines


def targets(results: list[SizeResult], import_report: dict, demo: dict | None = None) -> list[str]:
    lines = ["### Targets", ""]
    demo = demo or {}
    for size, figures, base in [(r.size, r.headless, r.bare) for r in results if r.size == "decade" and r.bare] + (
            [(f"demo ×{demo['largest']}", demo["headless"], demo["bare"])] if "headless" in demo else []):
        worst = max(figures.items(), key=lambda item: item[1]["seconds"])
        ratio = worst[1]["seconds"] / base["seconds"]
        lines.append(f"- {size}, every command within {BARE_RATIO_TARGET:.0f}× a bare read (issue 14): "
                     f"{'met' if ratio <= BARE_RATIO_TARGET else 'NOT met'}; slowest {worst[0]} "
                     f"{_ms(worst[1]['seconds'])} ms = {ratio:.1f}× the bare read's {_ms(base['seconds'])} ms "
                     f"(CPU time {worst[1]['cpu'] / base['cpu']:.1f}×).")
    if "by_factor" in demo:
        by_factor = list(demo["by_factor"].values())
        growing = [f for f in by_factor[0]["clicks"] if len({v["clicks"][f]["actions"] for v in by_factor}) > 1]
        lines.append(f"- Actions per click equal on the demo ×{', ×'.join(str(f) for f in demo['factors'])}: "
                     + ("met for every button" if not growing else
                        "NOT met for " + ", ".join(growing)) + ".")
        calls = {f: [v["clicks"][f]["calls"] for v in by_factor] for f in by_factor[0]["clicks"]}
        uneven = [f for f, counts in calls.items() if len(set(counts)) > 1]
        lines.append(f"- Engine calls per click equal on the demo ×{', ×'.join(str(f) for f in demo['factors'])}: "
                     + ("met for every button" if not uneven else "NOT met for " + ", ".join(uneven))
                     + f" (from {min(min(c) for c in calls.values())} to {max(max(c) for c in calls.values())} "
                     "a click).")
        per_sheet = by_factor[0]["per_sheet"]
        verdict = lambda calls: "met" if calls <= CALLS_PER_SHEET_TARGET else "NOT met"  # noqa: E731
        lines.append(f"- Engine calls per sheet at most {CALLS_PER_SHEET_TARGET} plus a constant when reading: remote "
                     f"engine (Lite) {per_sheet['native']:.1f}, {verdict(per_sheet['native'])}; COM "
                     f"{per_sheet['com']:.1f} (counted against a stand-in: three reads a sheet, the sheets from one "
                     f"enumerator call), {verdict(per_sheet['com'])}; the portable fallback {per_sheet['portable']:.1f}, "
                     f"{verdict(per_sheet['portable'])}.")
    pyodide = demo.get("pyodide", {"_missing": "not measured"})
    if "_missing" in pyodide:
        lines.append(f"- Pyodide, a click's Python time for a term under {PYODIDE_TARGET_MS:.0f} ms: not measured "
                     f"({pyodide['_missing']}).")
    else:
        clicks = {f: v for f, v in pyodide.items() if not f.startswith("_")}
        worst = max(clicks.items(), key=lambda item: item[1]["median"])
        first = pyodide["_first"]
        every = max(worst[1]["median"], first[1])
        lines.append(f"- Pyodide, a click's Python time for a term under {PYODIDE_TARGET_MS:.0f} ms: "
                     f"{'met' if every * 1000 < PYODIDE_TARGET_MS else 'NOT met'} for every button "
                     f"(slowest {worst[0]} {_ms(worst[1]['median'])} ms) and for the first click after loading "
                     f"({first[0]}) {_ms(first[1])} ms.")
    decade = next((r for r in results if r.size == "decade"), None)
    if decade:
        slowest = max(decade.headless.items(), key=lambda item: item[1]["seconds"])
        over = [c for c, f in decade.headless.items() if f["seconds"] >= HEADLESS_TARGET_S]
        slowest_cpu = max(decade.headless.items(), key=lambda item: item[1]["cpu"])
        lines.append(f"- Ten years, every command under {HEADLESS_TARGET_S:.0f} s: "
                     f"{'met' if not over else 'NOT met (' + ', '.join(over) + ')'}; "
                     f"slowest {slowest[0]} {_ms(slowest[1]['seconds'])} ms "
                     f"(CPU time: slowest {slowest_cpu[0]} {_ms(slowest_cpu[1]['cpu'])} ms).")
        ratios = {c: decade.naive["seconds"][c] / f["seconds"] for c, f in decade.headless.items()
                  if c in decade.naive.get("seconds", {})}
        if ratios:
            low = min(ratios.items(), key=lambda item: item[1])
            lines.append(f"- Ten years, at least {NAIVE_RATIO_TARGET:.0f}× faster than the naive baseline: "
                         f"{'met' if low[1] >= NAIVE_RATIO_TARGET else 'NOT met'}; lowest {low[0]} {low[1]:.1f}×.")
    else:
        lines.append("- Ten years: not measured in this run.")
    term = next((r for r in results if r.size == "term"), None)
    if term and "_missing" not in term.buttons:
        worst = max(((f, v["cold"]) for f, v in term.buttons.items() if not f.startswith("_")), key=lambda i: i[1])
        warm = max((v["warm"] or v["cold"]) for f, v in term.buttons.items() if not f.startswith("_"))
        lines.append(f"- One term, a button's Python work under {BUTTON_TARGET_MS:.0f} ms: "
                     f"{'met' if worst[1] * 1000 < BUTTON_TARGET_MS else 'NOT met'} for the first click in a new "
                     f"process (slowest {worst[0]} {_ms(worst[1])} ms); warm clicks at most {_ms(warm)} ms.")
    elif term:
        lines.append(f"- One term, a button's Python work: {WAITING}.")
    if "_missing" not in import_report:
        extra = import_report["extra"] * 1000
        lines.append(f"- Importing xl_addin.buttons adds under {IMPORT_TARGET_MS:.0f} ms: "
                     f"{'met' if extra < IMPORT_TARGET_MS else 'NOT met'} ({extra:.0f} ms between processes, "
                     f"{_ms(import_report['inside'])} ms measured inside the process); the file-side "
                     f"libraries {'are not loaded' if not import_report['file_side_loaded'] else 'ARE LOADED'}.")
    else:
        lines.append(f"- Importing xl_addin.buttons: {WAITING}.")
    # Actions per click across sizes: the demo and its enlargements above (the generated sizes hold
    # different work, e.g. more Grupper rows without a sheet, so their action counts differ by design).
    return lines


def write_doc(out: Path, results: list[SizeResult], import_report: dict, started: float, argv: list[str],
              seed: int, load: tuple[float, ...], demo: dict | None = None) -> None:
    info = machine()
    hand = _hand_written(out)
    generated = [
        "# Performance", "",
        f"<!-- Generated by benchmarks/run.py up to the heading \"{HAND_WRITTEN[3:]}\"; that part is written by hand "
        "and kept when the file is regenerated. -->", "",
        f"Run {datetime.now():%Y-%m-%d %H:%M} with `{' '.join(['python benchmarks/run.py', *argv])}` "
        f"in {time.perf_counter() - started:.0f} s. The workbooks are made by `benchmarks/generate.py` "
        f"(seed {seed}, fictional people) and every command runs as if it were {TODAY.isoformat()}.", "",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['system']}, Python {info['python']}. "
        f"Packages: {info['packages']}. The machine is shared with other jobs: load (load average, 1 min) "
        f"{load[0]:.1f} at the start and {os.getloadavg()[0]:.1f} at the end; above 0.5 per core the times get noticeably longer.", "",
        *tables(results, import_report, demo), "", *targets(results, import_report, demo), "",
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(generated) + "\n" + hand, encoding="utf-8")


def _hand_written(out: Path) -> str:
    for source in (out, DOC):
        if source.exists():
            text = source.read_text(encoding="utf-8")
            if HAND_WRITTEN in text:
                return text[text.index(HAND_WRITTEN):]
    return f"{HAND_WRITTEN}\n\n(The profile is written here by hand.)\n"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="term,decade,stress")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (fewer on the large sizes)")
    parser.add_argument("--smoke", action="store_true", help="the smallest size once: does it still work (CI)")
    parser.add_argument("--out", type=Path, default=DOC, help="the Markdown report (default docs/performance.md)")
    parser.add_argument("--cache", type=Path, default=ROOT / "build" / "benchmarks",
                        help="folder of the generated workbooks")
    parser.add_argument("--naive-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--buttons-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--demo-child", help=argparse.SUPPRESS)
    parser.add_argument("--button", help=argparse.SUPPRESS)
    parser.add_argument("--warmup", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--compare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.naive_child:
        naive_child(args.naive_child)
        return 0
    if args.demo_child:
        demo_child([Path(path) for path in args.demo_child.split(",")])
        return 0
    if args.buttons_child:
        buttons_child(args.buttons_child, args.button.split(","), args.repeat, args.compare, args.warmup)
        return 0
    import generate  # benchmarks/generate.py, beside this file (imports the product and XlsxWriter)

    assert generate.TODAY == TODAY
    started = time.perf_counter()
    # As installed: pip compiles the package's bytecode. Without it (PYTHONDONTWRITEBYTECODE, as on this
    # machine) every measured process would compile the package from source first.
    compileall.compile_dir(str(ROOT / "xl_addin"), quiet=1)
    load = os.getloadavg()
    sizes = ["term"] if args.smoke else args.sizes.split(",")
    repeat = 1 if args.smoke else args.repeat
    results: list[SizeResult] = []
    for size in sizes:
        # The large sizes take seconds a run: fewer runs keep the whole benchmark near ten minutes.
        runs = {"term": repeat, "decade": repeat, "stress": 1}.get(size, repeat)
        path = generate.ensure(size, cache=args.cache)
        result = SizeResult(size, path, generate.cell_counts(path), runs)
        print(f"{size}: {path.name} {result.counts}", flush=True)
        for command in _commands():
            result.headless[command] = headless(path, command, runs)
            print(f"  {command:22s} {_ms(result.headless[command]['seconds']):>6} ms  "
                  f"{_ms(result.headless[command]['cpu']):>6} CPU ms  {result.headless[command]['peak_mb']:.0f} MB",
                  flush=True)
        result.bare = bare(path, runs)
        if size == "decade":
            result.stages = {command: stages(path, command, 3) for command in STAGE_COMMANDS}
        print(f"  bare read              {_ms(result.bare['seconds']):>6} ms  {_ms(result.bare['cpu']):>6} CPU ms", flush=True)
        result.naive = naive(path, {"term": repeat, "decade": min(repeat, 3)}.get(size, 1))
        # Checking needs three more runs of our commands: a minute at the stress size, so only below it.
        result.checks = (verify_naive(path, result.naive["results"]) if size != "stress" else
                         ["not checked at this size (the same code as ten years; three more runs take a minute)"])
        print("  naive: " + ", ".join(f"{c} {_ms(s)} ms" for c, s in result.naive["seconds"].items()), flush=True)
        for check in result.checks:
            print(f"  {check}", flush=True)
        cold, warm = {"term": (repeat, 2), "decade": (min(repeat, 2), 1)}.get(size, (1, 0))
        warmup = generate.ensure("term", cache=args.cache) if size == "stress" else None
        result.buttons = buttons(path, cold, 0 if args.smoke else warm, compare=size == "term", warmup=warmup)
        if "_missing" in result.buttons:
            print(f"  buttons: {result.buttons['_missing']}", flush=True)
        for function, figures in result.buttons.items():
            if not function.startswith("_"):
                print(f"  button {function:22s} {_ms(figures['cold']) if figures['cold'] else '–':>6} ms cold, "
                      f"{_ms(figures['warm']) if figures['warm'] else '–':>6} ms warm, "
                      f"{figures['actions']} actions, {figures['calls']} engine calls", flush=True)
        results.append(result)
    demo = demo_sizes(generate, args.cache, (1, 10) if args.smoke else DEMO_FACTORS, 1 if args.smoke else 7)
    demo["pyodide"] = ({"_missing": "not run with --smoke"} if args.smoke else
                       pyodide_clicks(generate.ensure("term", cache=args.cache), 3))
    print(f"pyodide: {demo['pyodide']}", flush=True)
    import_report = imports(3 if args.smoke else 15)
    lines = tables(results, import_report, demo) + [""] + targets(results, import_report, demo)
    print("\n".join(lines))
    write_doc(args.out, results, import_report, started, argv, generate.DEFAULT_SEED, load, demo)
    print(f"\nWrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
