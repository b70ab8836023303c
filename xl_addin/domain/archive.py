"""Arkivera avslutade grupper: which groups may leave the live workbook, why the others stay, and exactly
which sheets and table rows leave with them (SPEC §4.9).

A group may leave only when nothing about it is left to do: every session is past and registered
(``Registrerad``), every wanted journal text is written, no task of it is open — judged from the task
rules themselves as well as from the open rows in ``Att göra`` — and its last session is at least
``Arkivera efter dagar`` ago. What leaves is taken from the sheets' raw grids, so the archive file holds
every value exactly as it was; what stays behind is the group's counts for ``Statistik``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from .records import Record
from datetime import date, timedelta

from . import layout as L
from .cells import as_text, cell_address, is_blank
from .interest import PLACED, PLACED_LATE, care_guarantee_deadline, interest_status, registration_key
from .model import Group, GroupSheet, InterestRegistration, Task, Workbook
from .parsing import SheetGrid, TableLocation
from .statistics import add_counts, archived_statistics_rows, count_statistics
from .tasks import PLANNING_ENTRY, task_key
from .writes import Decision

Rule = Callable[[Workbook, date], Decision]

# The tables rows leave from, in the order the archive file lists them.
ARCHIVED_TABLES = (
    L.GROUPS_TABLE, L.TASKS_TABLE, L.REGISTRATION_TABLE, L.INTEREST_TABLE, L.MEMORY_TABLE,
)


def _default_rules() -> tuple[Rule, ...]:
    from .interest import plan_interest
    from .journal import write_journal_texts
    from .no_shows import find_no_shows
    from .rosters import find_late_rosters

    return (find_late_rosters, find_no_shows, write_journal_texts, plan_interest)


class Verdict(Record):
    """One group: whether it may leave now, and if not, every reason why (Swedish, no personal data)."""

    group_id: str
    leaves: bool
    reasons: tuple[str, ...] = ()
    last_session: date | None = None

    def as_row(self, group: Group | None = None) -> dict[str, object]:
        return {
            L.GROUP_ID: self.group_id,
            L.GROUP_TYPE: group.group_type if group else "",
            L.START_DATE: group.start_date if group else None,
            "Sista tillfälle": self.last_session,
            "Arkiveras": L.YES if self.leaves else L.NO,
            "Skäl": " ".join(self.reasons),
        }


def is_finished(task: Task) -> bool:
    """A row of Att göra with nothing left to do: ``Klar`` filled in, or marked as no longer needed."""
    return task.is_done or task.remark == L.REMARK_NOT_NEEDED


def planning_key(registration: InterestRegistration) -> str | None:
    """The ``Nyckel`` of the planning-entry task of an Intresse row (as ``interest.plan_interest`` makes it)."""
    key = registration_key(registration)
    return None if key is None else task_key(PLANNING_ENTRY, key)


def _task_label(task: Task) -> str:
    where = ", ".join(part for part in (
        f"T{task.session}" if task.session else "",
        f"förfaller {task.due.isoformat()}" if task.due else "",
    ) if part)
    return f"{task.text} ({where})" if where else task.text


def placed_registrations(workbook: Workbook, group_id: str) -> list[InterestRegistration]:
    return [registration for registration in workbook.interest if registration.group_id == group_id]


def _settled(registration: InterestRegistration, group: Group, workbook: Workbook, today: date) -> str | None:
    """Why an Intresse row placed in ``group`` cannot leave with it yet (None: its vårdgaranti is settled)."""
    if registration.has_errors:
        return "har fel (se Kontroll)"
    if registration.planning_entry is None:
        return "saknar Planeringsunderlag"
    deadline = care_guarantee_deadline(registration, workbook.settings)
    status = interest_status(registration, deadline, group, workbook.settings, today) if deadline else ""
    if status not in (PLACED, PLACED_LATE):
        return "är inte placerad"
    return None


def archive_verdicts(workbook: Workbook, today: date, rules: Sequence[Rule] | None = None) -> tuple[Verdict, ...]:
    """A verdict for every row of ``Grupper``, in sheet order.

    Boundaries: a session is past when its date is before ``today`` (the session day itself is not);
    a group is old enough on the day ``Arkivera efter dagar`` days after its last session, that day
    included. Every reason is collected, so one preview says all that is left to do.
    """
    wanted: dict[str, list[Task]] = {}
    for rule in rules if rules is not None else _default_rules():
        for task in rule(workbook, today).tasks:
            wanted.setdefault(task.key, []).append(task)
    existing = {task.key: task for task in workbook.tasks}
    planning_keys = {
        key: registration for registration in workbook.interest if (key := planning_key(registration))
    }
    by_group: dict[str, list[Task]] = {}
    for tasks in wanted.values():
        task = tasks[0]
        group_id = task.group_id or _planning_group(task.key, planning_keys)
        if group_id:
            by_group.setdefault(group_id, []).append(task)
    open_rows: dict[str, list[Task]] = {}
    for task in workbook.tasks:
        group_id = task.group_id or _planning_group(task.key, planning_keys)
        if group_id and not is_finished(task):
            open_rows.setdefault(group_id, []).append(task)
    after = workbook.settings.archive_after_days
    # Rows that cannot be identified cannot be moved: then no group leaves (freeze, don't forget).
    unreadable = [f"{table.sheet} kan inte läsas (se Kontroll); ingen grupp arkiveras förrän det är rättat."
                  for table, readable in ((L.GROUPS_TABLE, workbook.groups_readable),
                                          (L.TASKS_TABLE, workbook.tasks_readable),
                                          (L.INTEREST_TABLE, workbook.interest_readable)) if not readable]
    verdicts = []
    for group in workbook.groups:
        sheet = workbook.group_sheets.get(group.group_id)
        reasons = _group_reasons(workbook, group, sheet, today)
        for task in by_group.get(group.group_id, []):
            row = existing.get(task.key)
            if row is None:
                reasons.append(f"Öppen uppgift som ännu inte står i Att göra: {_task_label(task)}. "
                               "Klicka på Uppdatera allt.")
            elif not row.is_done and row.remark == L.REMARK_NOT_NEEDED:  # the cause is back
                reasons.append(f"Öppen uppgift i Att göra: {_task_label(row)}.")
        reported = set()
        for task in open_rows.get(group.group_id, []):
            if task.key not in reported:
                reported.add(task.key)
                where = f" (rad {task.row})" if task.row else ""
                reasons.append(f"Öppen uppgift i Att göra{where}: {_task_label(task)}.")
        for registration in placed_registrations(workbook, group.group_id):
            why = _settled(registration, group, workbook, today)
            if why:
                reasons.append(f"Intresseanmälan på rad {registration.row} (placerad i gruppen) {why}.")
        last = _last_session(sheet)
        if last is not None and last < today and today < last + timedelta(days=after):
            reasons.append(
                f"Sista tillfället var {last.isoformat()}; gruppen kan arkiveras från "
                f"{(last + timedelta(days=after)).isoformat()} ({L.ARCHIVE_AFTER_DAYS} = {after})."
            )
        reasons += unreadable
        verdicts.append(Verdict(group.group_id, not reasons, tuple(reasons), last))
    return tuple(verdicts)


def _planning_group(key: str, planning_keys: Mapping[str, InterestRegistration]) -> str:
    registration = planning_keys.get(key)
    return registration.group_id if registration is not None else ""


def _last_session(sheet: GroupSheet | None) -> date | None:
    if sheet is None or not sheet.sessions:
        return None
    dates = [session.date for session in sheet.sessions]
    return None if any(day is None for day in dates) else max(dates)  # type: ignore[type-var]


def _group_reasons(workbook: Workbook, group: Group, sheet: GroupSheet | None, today: date) -> list[str]:
    reasons: list[str] = []
    if group.has_errors:
        reasons.append("Raden i Grupper har fel (se Kontroll).")
    if sheet is None:
        reasons.append("Gruppbladet saknas.")
        return reasons
    if not sheet.sessions:
        reasons.append("Gruppbladet har inga tillfällen.")
    columns = workbook.columns.get(sheet.name, {})
    coming = [session for session in sheet.sessions if session.date is not None and session.date >= today]
    for session in sheet.sessions:
        column = columns.get(session.column, 1)
        if session.date is None:
            reasons.append(f"{session.column} har inget datum ({cell_address(sheet.date_row, column)}).")
            continue
        if session.date >= today:
            if session is coming[0]:
                reasons.append(
                    f"{session.column} ({session.date.isoformat()}) har inte varit än." if len(coming) == 1 else
                    f"{len(coming)} tillfällen har inte varit än ({session.column}–{coming[-1].column}, "
                    f"det sista {coming[-1].date.isoformat()}).")  # type: ignore[union-attr]
            continue
        if not isinstance(session.registered, date):
            reasons.append(f"{session.column} ({session.date.isoformat()}) är inte registrerad "
                           f"({cell_address(sheet.registered_row, column)} tom).")
    for participant in sheet.participants:
        if participant.has_errors:
            reasons.append(f"Deltagarraden {participant.row} har fel (se Kontroll).")
        elif group.journal_at_end and is_blank(participant.journal_text):
            reasons.append(f"Journaltext saknas för deltagaren på rad {participant.row} "
                           f"({cell_address(participant.row, columns.get(L.JOURNAL_TEXT, 1))}).")
    return reasons


# -- what leaves ------------------------------------------------------------------------------------
class TableExtract(Record):
    """The rows of one table that leave: the table's header as it is and each row's raw values."""

    table: str
    sheet: str
    columns: tuple[str, ...]
    rows: tuple[int, ...]  # sheet row numbers, ascending
    values: tuple[tuple[object, ...], ...]
    first_column: int = 1


class ArchivePlan(Record):
    """Everything one archive run decided: verdicts, what leaves (exact values), and the new counts."""

    today: date
    verdicts: tuple[Verdict, ...]
    sheets: tuple[SheetGrid, ...] = ()  # the group sheets that leave, as they are
    tables: tuple[TableExtract, ...] = ()
    archived_counts: tuple[Mapping[str, object], ...] = ()  # the counts of what leaves now
    archived_statistics: tuple[Mapping[str, object], ...] = ()  # Arkivstatistik after this run
    rows: tuple[Mapping[str, object], ...] = ()  # one per group, for the preview

    @property
    def leaving(self) -> tuple[str, ...]:
        return tuple(verdict.group_id for verdict in self.verdicts if verdict.leaves)

    @property
    def staying(self) -> tuple[Verdict, ...]:
        return tuple(verdict for verdict in self.verdicts if not verdict.leaves)


def _table_rows(grid: SheetGrid, location: TableLocation) -> list[tuple[int, tuple[object, ...]]]:
    width = len(location.columns)
    found = []
    for row in range(location.header_row + 1, location.last_row + 1):
        values = tuple(grid.value(row, location.first_column + offset) for offset in range(width))
        if any(not is_blank(value) for value in values):
            found.append((row, values))
    return found


def _column(location: TableLocation, name: str) -> int | None:
    wanted = name.casefold()
    for index, header in enumerate(location.columns):
        if " ".join(header.split()).casefold() == wanted:
            return index
    return None


def plan_archive(
    workbook: Workbook, grids: Mapping[str, SheetGrid], tables: Mapping[str, TableLocation], today: date,
    rules: Sequence[Rule] | None = None,
) -> ArchivePlan:
    """The verdicts, and for the groups that may leave, their sheets and table rows, exactly as they are.

    A table that is not an Excel table any more cannot be cut row by row: then no group leaves, and
    every verdict says why.
    """
    verdicts = archive_verdicts(workbook, today, rules)
    not_tables = [table for table in ARCHIVED_TABLES
                  if table.sheet in grids and table.name not in tables and table is not L.MEMORY_TABLE]
    if not_tables:  # its rows could not be cut out one by one: nothing leaves
        reason = (f"Tabellen {not_tables[0].name} på bladet {not_tables[0].sheet} är ingen Excel-tabell längre "
                  "(Infoga > Tabell); ingen grupp arkiveras förrän den är det.")
        verdicts = tuple(Verdict(v.group_id, False, v.reasons + (reason,), v.last_session) for v in verdicts)
    groups = {group.group_id: group for group in workbook.groups}
    rows = tuple(verdict.as_row(groups.get(verdict.group_id)) for verdict in verdicts)
    leaving = [verdict.group_id for verdict in verdicts if verdict.leaves]
    if not leaving:
        return ArchivePlan(today, verdicts, rows=rows, archived_statistics=tuple(workbook.archived_statistics))
    gone = set(leaving)
    registrations = [r for r in workbook.interest if r.group_id in gone]
    interest_rows = {registration.row for registration in registrations}
    planning = {key for registration in registrations if (key := planning_key(registration))}
    task_keys: set[str] = set()
    extracts: list[TableExtract] = []
    for table in ARCHIVED_TABLES:
        location = tables.get(table.name)
        if location is None or location.sheet not in grids:
            continue
        found = _table_rows(grids[location.sheet], location)
        if table is L.GROUPS_TABLE or table is L.REGISTRATION_TABLE:
            index = _column(location, L.GROUP_ID)
            chosen = [(row, values) for row, values in found if index is not None and as_text(values[index]) in gone]
        elif table is L.TASKS_TABLE:
            group_index, key_index = _column(location, L.GROUP_ID), _column(location, L.KEY)
            chosen = []
            for row, values in found:
                key = as_text(values[key_index]) if key_index is not None else ""
                group_id = as_text(values[group_index]) if group_index is not None else ""
                if group_id in gone or key in planning:
                    chosen.append((row, values))
                    task_keys.add(key)
        elif table is L.INTEREST_TABLE:
            chosen = [(row, values) for row, values in found if row in interest_rows]
        else:  # Knappminne: what the buttons remember of the rows that leave
            interest_keys = {key for registration in registrations if (key := registration_key(registration))}
            chosen = _memory_rows(location, found, gone, task_keys, interest_keys)
        if chosen:
            extracts.append(TableExtract(
                table=table.name, sheet=location.sheet, columns=location.columns,
                rows=tuple(row for row, _ in chosen), values=tuple(values for _, values in chosen),
                first_column=location.first_column,
            ))
    counts = count_statistics(workbook, today, group_ids=gone, interest_rows=interest_rows)
    return ArchivePlan(
        today=today,
        verdicts=verdicts,
        sheets=tuple(grids[name] for name in leaving if name in grids),
        tables=tuple(extracts),
        archived_counts=tuple(archived_statistics_rows(counts)),
        archived_statistics=tuple(archived_statistics_rows(add_counts(counts, workbook.archived_statistics))),
        rows=rows,
    )


def _memory_rows(
    location: TableLocation, found: Sequence[tuple[int, tuple[object, ...]]], groups: Collection[str],
    task_keys: Collection[str], interest_keys: Collection[str],
) -> list[tuple[int, tuple[object, ...]]]:
    """Knappminne rows keyed by a row that leaves: a group (Grupper), a task (AttGora) or an Intresse row."""
    table_index = _column(location, L.MEMORY_TABLE_COLUMN)
    key_index = _column(location, L.MEMORY_KEY)
    if table_index is None or key_index is None:
        return []
    chosen = []
    for row, values in found:
        table, key = as_text(values[table_index]), as_text(values[key_index])
        if ((table == L.GROUPS_TABLE.name and key in groups) or (table == L.TASKS_TABLE.name and key in task_keys)
                or (table == L.INTEREST_TABLE.name and key in interest_keys)):
            chosen.append((row, values))
    return chosen


def remaining_grids(
    plan: ArchivePlan, grids: Mapping[str, SheetGrid], tables: Mapping[str, TableLocation],
) -> tuple[dict[str, SheetGrid], dict[str, TableLocation]]:
    """The sheets and tables as they are once what leaves is gone: the table rows deleted within the
    table's columns (the cells below move up, as Excel moves them when table rows are deleted; cells
    beside the table stay where they are) and the group sheets dropped."""
    gone = set(plan.leaving)
    new_grids = {name: grid for name, grid in grids.items() if name not in gone}
    shrink: dict[str, int] = {}
    for extract in plan.tables:
        grid = new_grids.get(extract.sheet)
        if grid is None:
            continue
        removed = set(extract.rows)
        first, last = extract.first_column, extract.first_column + len(extract.columns) - 1
        above = min(removed) - 1  # rows down to here do not move
        rows = [list(cells) for cells in grid.rows]
        width = max([last] + [len(cells) for cells in rows])
        for cells in rows:
            cells.extend([None] * (width - len(cells)))
        kept = [[rows[index - 1][column - 1] for column in range(first, last + 1)]
                for index in range(above + 1, len(rows) + 1) if index not in removed]
        kept += [[None] * (last - first + 1)] * (len(rows) - above - len(kept))
        for offset, values in enumerate(kept):
            rows[above + offset][first - 1:last] = values
        new_grids[extract.sheet] = SheetGrid(grid.name, rows, grid.merged, grid.visible)
        shrink[extract.table] = len(removed)
    new_tables: dict[str, TableLocation] = {}
    for name, location in tables.items():
        if location.sheet in gone:
            continue
        last = max(location.header_row + 1, location.last_row - shrink.get(name, 0))
        new_tables[name] = TableLocation(
            name=location.name, sheet=location.sheet, header_row=location.header_row,
            first_column=location.first_column, last_row=last, columns=location.columns,
        )
    return new_grids, new_tables


def removal_runs(rows: Sequence[int]) -> list[tuple[int, int]]:
    """Contiguous runs (first, last) of ``rows``, bottom run first: deleting in this order keeps the
    row numbers of the runs still to delete valid."""
    runs: list[list[int]] = []
    for row in sorted(set(rows)):
        if runs and runs[-1][1] == row - 1:
            runs[-1][1] = row
        else:
            runs.append([row, row])
    return [(first, last) for first, last in reversed(runs)]


def archive_summary(plan: ArchivePlan, label: str, *, written: bool) -> str:
    """The one-line result for Status and Logg (group ids only, no personal data)."""
    leaving, staying = len(plan.leaving), len(plan.staying)
    moved = "arkiverade" if written else "kan arkiveras"
    first = f"{leaving} {'grupp' if leaving == 1 else 'grupper'} {moved}"
    if leaving and written:
        first += f" ({', '.join(plan.leaving)})"
    return f"{label} {plan.today.isoformat()}: {first}, {staying} {'grupp' if staying == 1 else 'grupper'} stannar"


__all__ = [
    "ARCHIVED_TABLES", "ArchivePlan", "TableExtract", "Verdict", "archive_summary", "archive_verdicts",
    "is_finished", "plan_archive", "planning_key", "remaining_grids", "removal_runs",
]
