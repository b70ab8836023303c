"""Ten years archived term by term: does the live workbook stay at about one year's size?

Takes the ten-year workbook of ``generate.py`` and runs Arkivera avslutade grupper headless (the same
services and file functions as ``bup-grupper archive --out``) at the end of every term from the first
one on, each run on the workbook the previous one left (term ends: 1 February and 15 August). After
each run it records the live workbook's size, sheets, groups and rows, and compares the end state with
a workbook of one year of groups generated the same way. Statistik is checked to be the same before
and after (the archived counts stay in Arkivstatistik).

    python benchmarks/archive_years.py [--seed 7] [--out FILE.md]

Prints a Markdown section; with ``--out`` it replaces the section of that heading in the file (the
hand-written part of docs/performance.md, which benchmarks/run.py keeps).
"""

from __future__ import annotations

import argparse
import sys
import time
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
from xl_addin.files.apply import apply_outcome  # noqa: E402
from xl_addin.files.archive_file import build_archive, remove_archived  # noqa: E402
from xl_addin.files.reader import read_grids  # noqa: E402

HEADING = "## Ten years archived term by term"
YEAR = generate.Size("year", 50, 1.0, "ett år på en mottagning (≈50 grupper)")


def _read(path: Path, data: bytes, today: date):
    grids, tables = read_grids(path, data, skip=(L.LOG,))
    return grids, tables, read_workbook(grids, tables, today=today)


def _shape(data: bytes, path: Path, today: date) -> dict[str, int]:
    grids, tables, workbook = _read(path, data, today)
    rows = {table: 0 for table in (L.TASKS_TABLE.name, L.REGISTRATION_TABLE.name, L.INTEREST_TABLE.name)}
    for name in rows:
        location = tables.get(name)
        if location is not None:
            grid = grids[location.sheet]
            rows[name] = sum(1 for row in range(location.header_row + 1, location.last_row + 1)
                             if any(grid.value(row, location.first_column + i) not in (None, "")
                                    for i in range(len(location.columns))))
    people = sum(len(sheet.participants) for sheet in workbook.group_sheets.values())
    return {"bytes": len(data), "sheets": len(grids), "groups": len(workbook.groups), "people": people, **rows}


def term_ends(first: date, last: date) -> list[date]:
    ends = []
    for year in range(first.year, last.year + 1):
        for day in (date(year, 2, 1), date(year, 8, 15)):
            if first < day <= last:
                ends.append(day)
    return ends + ([last] if not ends or ends[-1] != last else [])


def run(seed: int) -> list[str]:
    source = generate.ensure("decade", seed)
    generate.SIZES[YEAR.name] = YEAR
    year_path = generate.ensure(YEAR.name, seed)
    data = source.read_bytes()
    _grids, _tables, start = _read(source, data, generate.TODAY)
    first = min(group.start_date for group in start.groups if group.start_date)
    before = compute_statistics(start, generate.TODAY).rows
    lines = [HEADING, "",
             f"Made by `python benchmarks/archive_years.py --seed {seed}` on {date.today().isoformat()}: the "
             f"ten-year workbook of `generate.py` ({len(start.groups)} groups from {first.isoformat()}) archived at "
             f"the end of every term (1 February, 15 August) up to {generate.TODAY.isoformat()}, each run on the "
             "workbook the previous run left, with `Arkivera efter dagar` = 30. A run is the headless "
             "`archive --out` path: plan, archive file built, rows and sheets removed, Arkivstatistik, "
             "Statistik and Kontroll written.", "",
             "| after the run of | groups moved | archive file KB | live KB | sheets | groups | participant rows "
             "| Att göra rows | Registrering rows | Intresse rows | seconds |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    shape = _shape(data, source, generate.TODAY)
    lines.append(f"| (ten years, not archived) | – | – | {shape['bytes'] // 1024} | {shape['sheets']} | "
                 f"{shape['groups']} | {shape['people']} | {shape['AttGora']} | {shape['Registrering']} | "
                 f"{shape['Intresse']} | – |")
    moved_total = 0
    for day in term_ends(first, generate.TODAY):
        started = time.perf_counter()
        grids, tables, workbook = _read(source, data, day)
        plan = services.plan_archive(workbook, grids, tables, day)
        archive_bytes = 0
        if plan.leaving:
            archive_bytes = len(build_archive(plan, source.name))
            slim = remove_archived(data, plan)
            left_grids, left_tables = remaining_grids(plan, grids, tables)
            remaining = read_workbook(left_grids, left_tables, today=day)
            outcome = services.after_archive(remaining, day, plan)
            data = apply_outcome(slim, outcome, remaining.columns, {L.FUNCTION: "benchmark", L.RESULT: outcome.summary})
        moved_total += len(plan.leaving)
        elapsed = time.perf_counter() - started
        if day.month == 8 or day == generate.TODAY:  # one line a year keeps the table short
            shape = _shape(data, source, generate.TODAY)
            lines.append(f"| {day.isoformat()} | {moved_total} in all | {archive_bytes // 1024} | "
                         f"{shape['bytes'] // 1024} | {shape['sheets']} | {shape['groups']} | {shape['people']} | "
                         f"{shape['AttGora']} | {shape['Registrering']} | {shape['Intresse']} | {elapsed:.1f} |")
    year = _shape(year_path.read_bytes(), year_path, generate.TODAY)
    lines.append(f"| (one year, generated) | – | – | {year['bytes'] // 1024} | {year['sheets']} | {year['groups']} | "
                 f"{year['people']} | {year['AttGora']} | {year['Registrering']} | {year['Intresse']} | – |")
    _g, _t, end = _read(source, data, generate.TODAY)
    after = compute_statistics(end, generate.TODAY).rows
    end_shape = _shape(data, source, generate.TODAY)
    lines += ["",
              f"At the end {end_shape['groups']} groups and {end_shape['bytes'] // 1024} KB remain, against "
              f"{year['groups']} groups and {year['bytes'] // 1024} KB for one generated year "
              f"({end_shape['bytes'] / year['bytes']:.1f}× its size). What stays is what is not finished: groups "
              "still running or to come, groups that ended in the last 30 days, and groups with work left "
              "(the generator plants typos and blanks in attendance, which hold a group back until they are "
              "fixed). "
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
