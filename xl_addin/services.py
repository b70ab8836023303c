"""One function per button: a workbook snapshot and a day in, an ``Outcome`` (rows, tasks, writes) out.

Both edges call these and only apply what comes back, so a button click and the command line compute
the same thing. Nothing here reads files, Excel or the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from .domain.records import Record, replace
from datetime import date

from .domain import layout as L
from .domain import tasks as T
from .domain.interest import import_registrations, registration_key
from .domain.interest import plan_interest as decide_interest
from .domain.journal import write_journal_texts
from .domain.model import Link, Outcome, TableRows, Task, Workbook
from .domain.new_groups import plan_new_groups
from .domain.no_shows import find_no_shows
from .domain.parsing import MISSING_GROUP_SHEET, SheetGrid, TableLocation
from .domain.registrations import export_registrations as decide_registrations
from .domain.rosters import find_late_rosters
from .domain.statistics import compute_statistics
from .domain.writes import Decision


class Command(Record):
    """A button and its command-line twin."""

    name: str  # command-line name
    label: str  # the button's Swedish caption
    kinds: tuple[str, ...]  # task kinds it owns


CHECK = Command("check", L.BUTTON_CHECK, ())
FLAG_LATE_ROSTERS = Command("flag-late-rosters", L.BUTTON_FLAG_LATE_ROSTERS, (T.BOOK_IN_ELVIS,))
MARK_NO_SHOWS = Command("mark-no-shows", L.BUTTON_MARK_NO_SHOWS, (T.NO_SHOW, T.CANCELLATION))
JOURNAL_PHRASES = Command("journal-phrases", L.BUTTON_JOURNAL_PHRASES, (T.JOURNAL,))
EXPORT_REGISTRATIONS = Command("export-registrations", L.BUTTON_EXPORT_REGISTRATIONS, ())
PLAN_INTEREST = Command("plan-interest", L.BUTTON_PLAN_INTEREST, (T.PLANNING_ENTRY,))
NEW_GROUPS = Command("new-groups", L.BUTTON_NEW_GROUPS, ())
STATISTICS = Command("stats", "Statistik", ())
IMPORT_INTEREST = Command("import-interest", "Importera intresseanmälningar", ())
TASKS = Command("tasks", "Att göra", (T.BOOK_IN_ELVIS, T.NO_SHOW, T.CANCELLATION, T.JOURNAL, T.PLANNING_ENTRY))
REFRESH_ALL = Command("refresh-all", L.BUTTON_UPDATE_ALL, TASKS.kinds)
ARCHIVE = Command("archive", L.BUTTON_ARCHIVE, ())

# The rules behind the task list, each with the task kinds it owns.
_TASK_RULES = (find_late_rosters, find_no_shows, write_journal_texts, decide_interest)


def _task_rows(tasks: Collection[Task]) -> tuple[dict[str, object], ...]:
    return tuple(task.as_row() for task in tasks)


def _counted(label: str, count: int) -> str:
    """``"tillfälle exporterat|tillfällen exporterade"`` → the singular or plural form for ``count``."""
    singular, _, plural = label.partition("|")
    return f"{count} {singular if count == 1 or not plural else plural}"


def _summary(command: Command, today: date, decision: Decision, problems: int) -> str:
    parts = [_counted(label, count) for label, count in decision.counts.items() if count]
    found = ", ".join(parts) if parts else "inget att göra"
    tail = f"; {problems} problem i Kontroll" if problems else "; inga problem"
    return f"{command.label} {today.isoformat()}: {found}{tail}."


def _finish(
    command: Command, workbook: Workbook, today: date, decision: Decision,
    append_to: str = L.REGISTRATION_TABLE.name,
) -> Outcome:
    """Merge the rule's tasks into Att göra, refresh Kontroll, and describe the result.

    Att göra is changed the co-authoring way (SPEC §6): changed button-owned cells of existing rows,
    new rows appended; never a rewrite. Nothing is merged while Att göra itself cannot be read.
    """
    problems = tuple(workbook.problems) + tuple(decision.problems)
    tables: list[TableRows] = []
    writes = list(decision.writes)
    tasks: tuple[Task, ...] = ()
    if command.kinds and workbook.tasks_readable:
        merged = T.merge_tasks(workbook.tasks, decision.tasks, command.kinds, today=today, holds=decision.holds)
        changed, appended = T.task_changes(workbook.tasks, merged, workbook.columns.get(L.TASKS, {}))
        writes.extend(changed)
        if appended:
            tables.append(TableRows(L.TASKS_TABLE.name, _task_rows(appended), append=True))
        # ``task.kind``, without a call for each of ten years of rows
        tasks = tuple(task for task in merged if task.key.partition(":")[0] in command.kinds)
    # Kontroll's Cell jumps to the cell when clicked; compared as text (what the sheet shows).
    check_rows = tuple({**problem.as_row(), L.CELL: Link.to(problem.sheet, problem.cell)} for problem in problems)
    if tuple(tuple(str(row[name]) for name in L.CHECK_TABLE.columns) for row in check_rows) != workbook.check_rows:
        tables.append(TableRows(L.CHECK_TABLE.name, check_rows))
    if decision.appended:
        tables.append(TableRows(append_to, tuple(decision.appended), append=True))
    memory = _memory_table(workbook, decision)
    if memory is not None:
        tables.append(memory)
    return Outcome(
        command=command.name,
        today=today,
        summary=_summary(command, today, decision, len(problems)),
        rows=tuple(decision.rows),
        tasks=tasks,
        problems=problems,
        writes=tuple(writes),
        tables=tuple(tables),
        kept=frozenset(decision.kept),
    )


def _memory_table(workbook: Workbook, decision: Decision) -> TableRows | None:
    """Knappminne after this click: what it wrote (or found already there) replaces the old entries;
    entries of rows that are gone are dropped. ``None`` when nothing changes."""
    memory = dict(workbook.memory)
    memory.update(decision.remembered)
    alive: dict[str, set[str]] = {}
    if workbook.groups_readable:
        alive[L.GROUPS_TABLE.name] = {group.group_id for group in workbook.groups}
    if workbook.interest_readable:
        alive[L.INTEREST_TABLE.name] = {key for r in workbook.interest if (key := registration_key(r))}
    memory = {entry: value for entry, value in memory.items() if entry[0] not in alive or entry[1] in alive[entry[0]]}
    if memory == dict(workbook.memory):
        return None
    rows = tuple(
        {L.MEMORY_TABLE_COLUMN: table, L.MEMORY_KEY: key, L.MEMORY_COLUMN: column, L.MEMORY_VALUE: value}
        for (table, key, column), value in sorted(memory.items())
    )
    return TableRows(L.MEMORY_TABLE.name, rows)


def check(workbook: Workbook, today: date) -> Outcome:
    """Kontrollera: every problem in the workbook, with its cell."""
    decision = Decision()
    decision.count("grupp|grupper", len(workbook.groups))
    decision.count("gruppblad", len(workbook.group_sheets))
    decision.count("intresseanmälan|intresseanmälningar", len(workbook.interest))
    return _finish(CHECK, workbook, today, decision)


def flag_late_rosters(workbook: Workbook, today: date) -> Outcome:
    """Flagga sena listor."""
    return _finish(FLAG_LATE_ROSTERS, workbook, today, find_late_rosters(workbook, today))


def mark_no_shows(workbook: Workbook, today: date) -> Outcome:
    """Markera uteblivanden."""
    return _finish(MARK_NO_SHOWS, workbook, today, find_no_shows(workbook, today))


def journal_phrases(workbook: Workbook, today: date) -> Outcome:
    """Skapa journaltexter."""
    return _finish(JOURNAL_PHRASES, workbook, today, write_journal_texts(workbook, today))


def export_registrations(workbook: Workbook, today: date, session_date: date | None = None) -> Outcome:
    """Exportera registreringslista (all due sessions, or the sessions of one date)."""
    return _finish(EXPORT_REGISTRATIONS, workbook, today, decide_registrations(workbook, today, session_date))


def plan_interest(workbook: Workbook, today: date) -> Outcome:
    """Intresseanmälningar: vårdgaranti, suggestion and status per registration."""
    return _finish(PLAN_INTEREST, workbook, today, decide_interest(workbook, today))


def import_interest(
    workbook: Workbook, source: str, rows: Sequence[tuple[str, Mapping[str, object]]], today: date
) -> Outcome:
    """Append a pasted 1177 list to Intresse without duplicates; unusable rows are reported."""
    decision = import_registrations(workbook, source, rows, today)
    return _finish(IMPORT_INTEREST, workbook, today, decision, append_to=L.INTEREST_TABLE.name)


def new_groups(workbook: Workbook, today: date) -> Outcome:
    """Ny grupp: the group sheets to create, with their session dates."""
    decision, sheets = plan_new_groups(workbook, today)
    created = {workbook.address(L.GROUPS, group.row, L.GROUP_ID) for group in workbook.groups
               if group.group_id in {sheet.name for sheet in sheets}}
    # The sheets this run creates are no longer missing: Kontroll should not say they are.
    remaining = tuple(
        problem for problem in workbook.problems
        if not (problem.sheet == L.GROUPS and problem.cell in created and problem.message == MISSING_GROUP_SHEET)
    )
    outcome = _finish(NEW_GROUPS, replace(workbook, problems=remaining), today, decision)
    return replace(outcome, new_sheets=sheets)


def statistics(workbook: Workbook, today: date) -> Outcome:
    """Statistik: per group type and term, the numbers the unit manager asks for (refreshes the sheet)."""
    decision = compute_statistics(workbook, today)
    outcome = _finish(STATISTICS, workbook, today, decision)
    return replace(outcome, tables=outcome.tables + _statistics_table(workbook, decision))


def _statistics_table(workbook: Workbook, decision: Decision) -> tuple[TableRows, ...]:
    rows = tuple(decision.rows)
    if rows == workbook.statistics_rows:
        return ()
    return (TableRows(L.STATISTICS_TABLE.name, rows),)


def refresh_all(workbook: Workbook, today: date) -> Outcome:
    """Uppdatera allt: every rule on one snapshot, one merged task list, one Kontroll.

    The rules write disjoint cells, so their writes can simply be put together.
    """
    combined = Decision()
    for rule in _TASK_RULES:
        decision = rule(workbook, today)
        combined.writes.extend(decision.writes)
        combined.tasks.extend(decision.tasks)
        combined.problems.extend(decision.problems)
        combined.holds.extend(decision.holds)
        combined.kept.extend(decision.kept)
        combined.remembered.update(decision.remembered)
        for label, count in decision.counts.items():
            combined.count(label, count)
    outcome = _finish(REFRESH_ALL, workbook, today, combined)
    return replace(outcome, tables=outcome.tables + _statistics_table(workbook, compute_statistics(workbook, today)))


OVERDUE = "Försenad"  # the column the task list's rows add to each task's row


def tasks(workbook: Workbook, today: date) -> Outcome:
    """Att göra: every task the routine requires now, merged into the list (what Uppdatera allt keeps)."""
    decision = Decision()
    for rule in _TASK_RULES:
        found = rule(workbook, today, tasks_only=True)  # the rules' rows, writes and counts are not used here
        decision.tasks.extend(found.tasks)
        decision.holds.extend(found.holds)
    outcome = _finish(TASKS, workbook, today, decision)
    rows = []
    overdue = open_count = flagged = 0
    for task in outcome.tasks:  # one pass: ten years of tasks
        row = task.as_row()  # a new dict: adding a column to it is the same as copying it first
        row[OVERDUE] = late = T.is_overdue(task, today)
        overdue += late  # an overdue task is an open one
        open_count += task.is_open
        flagged += bool(task.remark)
        rows.append(row)
    summary = (
        f"{TASKS.label} {today.isoformat()}: {open_count} öppna uppgifter, varav {overdue} försenade"
        + (f"; {flagged} att kontrollera" if flagged else "")
        + "."
    )
    return Outcome(
        command=outcome.command, today=today, summary=summary, rows=tuple(rows), tasks=outcome.tasks,
        problems=outcome.problems, writes=outcome.writes, tables=outcome.tables, kept=outcome.kept,
        rows_add_to_tasks=OVERDUE,
    )


# -- Arkivera avslutade grupper (two steps: what leaves, then the workbook without it) ----------------
def plan_archive(workbook: Workbook, grids: Mapping[str, SheetGrid], tables: Mapping[str, TableLocation],
                 today: date) -> ArchivePlan:
    """Which groups leave and exactly what leaves with them (``grids``/``tables``: the sheets as read)."""
    from .domain.archive import plan_archive as decide_archive  # only Arkivera needs it (3 ms to import)

    return decide_archive(workbook, grids, tables, today, rules=_TASK_RULES)


def archive_preview(workbook: Workbook, today: date, plan: ArchivePlan) -> Outcome:
    """The preview: one row per group (whether it would leave, and why not), nothing written."""
    from .domain.archive import archive_summary

    problems = tuple(workbook.problems)
    tail = f"; {len(problems)} problem i Kontroll" if problems else "; inga problem"
    return Outcome(
        command=ARCHIVE.name, today=today, summary=archive_summary(plan, ARCHIVE.label, written=False) + tail + ".",
        rows=plan.rows, problems=problems,
    )


def after_archive(remaining: Workbook, today: date, plan: ArchivePlan) -> Outcome:
    """What to write into the workbook once what ``plan`` moves out is gone (``remaining`` is read from
    the sheets without it): the new Arkivstatistik counts, Statistik over live and archived groups,
    and Kontroll."""
    from .domain.archive import archive_summary

    before = tuple(remaining.archived_statistics)
    remaining = replace(remaining, archived_statistics=plan.archived_statistics)
    outcome = _finish(ARCHIVE, remaining, today, Decision())
    tables = list(outcome.tables)
    if tuple(dict(row) for row in plan.archived_statistics) != tuple(dict(row) for row in before):
        tables.append(TableRows(L.ARCHIVED_STATISTICS_TABLE.name, tuple(plan.archived_statistics)))
    tables.extend(_statistics_table(remaining, compute_statistics(remaining, today)))
    problems = outcome.problems
    tail = f"; {len(problems)} problem i Kontroll" if problems else "; inga problem"
    summary = archive_summary(plan, ARCHIVE.label, written=bool(plan.leaving)) + tail + "."
    return replace(outcome, summary=summary, rows=plan.rows, tables=tuple(tables))


SERVICES: dict[str, tuple[Command, Callable[..., Outcome]]] = {
    CHECK.name: (CHECK, check),
    FLAG_LATE_ROSTERS.name: (FLAG_LATE_ROSTERS, flag_late_rosters),
    MARK_NO_SHOWS.name: (MARK_NO_SHOWS, mark_no_shows),
    JOURNAL_PHRASES.name: (JOURNAL_PHRASES, journal_phrases),
    EXPORT_REGISTRATIONS.name: (EXPORT_REGISTRATIONS, export_registrations),
    PLAN_INTEREST.name: (PLAN_INTEREST, plan_interest),
    NEW_GROUPS.name: (NEW_GROUPS, new_groups),
    STATISTICS.name: (STATISTICS, statistics),
    TASKS.name: (TASKS, tasks),
}
