"""Ten years archived term by term: does the live workbook stay at about one year's size?

Takes the ten-year workbook of ``generate.py`` and runs Arkivera avslutade grupper headless (the same
services and file functions as ``bup-grupper archive --out``) at the end of every term from the first
one on, each run on what the previous one left (term ends: 1 February and 15 August). After each run
it records the live workbook's size, sheets, groups and rows, and compares the end state with a
workbook of one year of groups generated the same way. Statistik is checked to be the same before
and after (the archived counts stay in Arkivstatistik).

    python benchmarks/archive_years.py [--seed 7] [--out FILE.md]

Prints a Markdown section; with ``--out`` it replaces the section of that heading in the file (the
hand-written part of docs/performance.md, which benchmarks/run.py keeps).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from xl_addin.domain.records import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import generate  # noqa: E402

from xl_addin import services  # noqa: E402
from xl_addin.domain import layout as L  # noqa: E402
from xl_addin.domain.archive import remaining_grids  # noqa: E402
from xl_addin.domain.parsing import read_workbook  # noqa: E402
from xl_addin.domain.statistics import compute_statistics  # noqa: E402
from xl_addin.files.archive_file import build_archive  # noqa: E402
from xl_addin.files.reader import read_grids  # noqa: E402
from xl_addin.files.upgrade import UpgradeReport, upgrade_content  # noqa: E402
from xl_addin.template import write_workbook  # noqa: E402

HEADING = "## Ten years archived term by term"
YEAR = generate.Size("year", 50, 1.0, "ett år på en mottagning (≈50 grupper)")


def _rows(grids, tables, name: str) -> int:
    location = tables.get(name)
    if location is None:
        return 0
    grid = grids[location.sheet]
    return sum(1 for row in range(location.header_row + 1, location.last_row + 1)
               if any(grid.value(row, location.first_column + i) not in (None, "") for i in range(len(location.columns))))


def _shape(grids, tables, workbook, archived) -> dict[str, int]:
    """The live workbook's size: sheets, groups, rows, and its bytes as the template writes it (the same
    XlsxWriter path for every state, so sizes compare; openpyxl would write the same cells bigger)."""
    report = UpgradeReport(source=Path("benchmark.xlsx"))
    content = replace(upgrade_content(grids, tables, report), archived_statistics=archived)
    with tempfile.TemporaryDirectory() as folder:
        size = write_workbook(Path(folder) / "live.xlsx", content).stat().st_size
    return {
        "bytes": size, "sheets": len(grids), "groups": len(workbook.groups),
        "people": sum(len(sheet.participants) for sheet in workbook.group_sheets.values()),
        "tasks": _rows(grids, tables, L.TASKS_TABLE.name), "registration": _rows(grids, tables, L.REGISTRATION_TABLE.name),
        "interest": _rows(grids, tables, L.INTEREST_TABLE.name),
    }


def _line(label: str, moved: str, archive_kb: str, shape: dict[str, int], seconds: str) -> str:
    return (f"| {label} | {moved} | {archive_kb} | {shape['bytes'] // 1024} | {shape['sheets']} | {shape['groups']} | "
            f"{shape['people']} | {shape['tasks']} | {shape['registration']} | {shape['interest']} | {seconds} |")


def _kind(reason: str) -> str:
    for marker, kind in (("är inte registrerad", "with an unregistered session"),
                         ("har fel", "with a row with an error"), ("Journaltext saknas", "without a journal text"),
                         ("Öppen uppgift", "with an open task"), ("kan arkiveras från", "too recent"),
                         ("Intresseanmälan", "with an unsettled registration")):
        if marker in reason:
            return kind
    return "other"


def term_ends(first: date, last: date) -> list[date]:
    ends = [day for year in range(first.year, last.year + 1) for day in (date(year, 2, 1), date(year, 8, 15))
            if first < day <= last]
    return ends if ends and ends[-1] == last else ends + [last]


def run(seed: int) -> list[str]:
    source = generate.ensure("decade", seed)
    generate.SIZES[YEAR.name] = YEAR
    year_path = generate.ensure(YEAR.name, seed)
    grids, tables = read_grids(source, skip=(L.LOG,))
    start = read_workbook(grids, tables, today=generate.TODAY)
    first = min(group.start_date for group in start.groups if group.start_date)
    before = compute_statistics(start, generate.TODAY).rows
    lines = [HEADING, "",
             f"Made by `python benchmarks/archive_years.py --seed {seed}` on {date.today().isoformat()}: the "
             f"ten-year workbook of `generate.py` ({len(start.groups)} groups from {first.isoformat()}) archived at "
             f"the end of every term (1 February, 15 August) up to {generate.TODAY.isoformat()}, each run on what "
             "the previous run left, with `Arkivera efter dagar` = 30. Each run is the archive's own pure steps "
             "(`services.plan_archive`, the archive file built with `build_archive`, `remaining_grids`, "
             "`services.after_archive`) on the sheets in memory; the file steps (`remove_archived`, openpyxl) are "
             "tested in `tests/test_archive.py` and left out here because openpyxl takes a minute per run on "
             "this workbook. Sizes are the live workbook written by the template (`upgrade` path), so every row "
             "compares with the generated one-year workbook.", "",
             "| after the run of | groups moved | archive file KB | live KB | sheets | groups | participant rows "
             "| Att göra rows | Registrering rows | Intresse rows | seconds |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    archived: tuple = ()
    lines.append(_line("(ten years, not archived)", "–", "–", _shape(grids, tables, start, archived), "–"))
    moved_total = 0
    for day in term_ends(first, generate.TODAY):
        started = time.perf_counter()
        workbook = replace(read_workbook(grids, tables, today=day), archived_statistics=archived)
        plan = services.plan_archive(workbook, grids, tables, day)
        archive_kb = 0
        if plan.leaving:
            archive_kb = len(build_archive(plan, source.name)) // 1024
            grids, tables = remaining_grids(plan, grids, tables)
            remaining = read_workbook(grids, tables, today=day)
            services.after_archive(remaining, day, plan)
            archived = plan.archived_statistics
        moved_total += len(plan.leaving)
        elapsed = time.perf_counter() - started
        print(f"{day.isoformat()}: {len(plan.leaving)} groups moved, {elapsed:.1f} s", file=sys.stderr, flush=True)
        if day.month == 8 or day == generate.TODAY:  # one line a year keeps the table short
            live = read_workbook(grids, tables, today=generate.TODAY)
            lines.append(_line(day.isoformat(), f"{moved_total} in all", str(archive_kb),
                               _shape(grids, tables, live, archived), f"{elapsed:.1f}"))
    year_grids, year_tables = read_grids(year_path, skip=(L.LOG,))
    year_book = read_workbook(year_grids, year_tables, today=generate.TODAY)
    year = _shape(year_grids, year_tables, year_book, ())
    lines.append(_line("(one year, generated)", "–", "–", year, "–"))
    end = replace(read_workbook(grids, tables, today=generate.TODAY), archived_statistics=archived)
    after = compute_statistics(end, generate.TODAY).rows
    end_shape = _shape(grids, tables, end, archived)
    held = [verdict for verdict in plan.staying if verdict.last_session and verdict.last_session < generate.TODAY]
    kinds: dict[str, int] = {}
    for verdict in held:
        for kind in {_kind(reason) for reason in verdict.reasons}:
            kinds[kind] = kinds.get(kind, 0) + 1
    why = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items(), key=lambda item: -item[1]))
    lines += ["",
              f"At the end {end_shape['groups']} groups and {end_shape['bytes'] // 1024} KB remain, against "
              f"{year['groups']} groups and {year['bytes'] // 1024} KB for one generated year "
              f"({end_shape['bytes'] / year['bytes']:.1f}× its size). What stays is what is not finished: groups "
              f"still running or to come, and {len(held)} past groups held back ({why}; a group can have "
              "several): the generator plants attendance typos and blanks and leaves recent sessions "
              "unexported, and each holds its group until someone fixes it. The generated workbook holds all ten "
              "years from the start, so the rows in between also count the groups still to come; the last run "
              "is the steady state. "
              + ("Statistik is the same before and after: every past term's row survives."
                 if after == before else "Statistik DIFFERS before and after: a bug."), ""]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--out", type=Path, help="replace this section in FILE (e.g. docs/performance.md)")
    args = parser.parse_args(argv)
    lines = run(args.seed)
    text = "\n".join(lines) + "\n"
    if args.out is None:
        print(text)
        return 0
    old = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    if HEADING in old:
        head, _, rest = old.partition(HEADING)
        following = rest.find("\n## ")
        old = head + (rest[following + 1:] if following >= 0 else "")
    args.out.write_text(old.rstrip("\n") + "\n\n" + text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
