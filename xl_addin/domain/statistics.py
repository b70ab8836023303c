"""Statistik: the numbers a unit manager asks for, per group type and term (VT = Jan–Jun, HT = Jul–Dec).

Definitions: attendance and no-show rates are shares of the filled attendance of sessions on or
before today (``Deltog`` / all of ``Deltog``, ``Uteblev``, ``Avbokad``); participants are rows with a
valid personnummer; a late list is a group whose roster status is ``Sen``; registrations past the care
guarantee are those ``Överskriden`` or ``Placerad efter vårdgarantin``, counted in the term of their
deadline. Groups moved to an archive file leave their raw counts in ``Arkivstatistik``; they are added
to the live counts before the rates are computed, so a past term's row stays the same after archiving.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from datetime import date

from . import layout as L
from .interest import OVERDUE, PLACED_LATE, care_guarantee_deadline, interest_status
from .model import Attendance, Workbook
from .rosters import roster_status
from .writes import Decision

from .layout import (  # noqa: E402  (the column names live with the rest of the contract)
    ATTENDANCE_RATE, GROUPS_COUNT, LATE_LISTS, NO_SHOW_RATE, PARTICIPANTS, PAST_GUARANTEE, TERM,
)


def term_of(day: date) -> str:
    """``VT 2026`` for January–June, ``HT 2026`` for July–December."""
    return f"{'VT' if day.month <= 6 else 'HT'} {day.year}"


def _term_key(term: str) -> tuple[int, int]:
    season, year = term.split()
    return int(year), 0 if season == "VT" else 1


# The raw counts behind a Statistik row, and the Arkivstatistik column each is kept in once archived.
COUNTS: tuple[tuple[str, str], ...] = (
    ("groups", GROUPS_COUNT), ("participants", PARTICIPANTS), ("attended", L.ARCHIVED_ATTENDED),
    ("no_show", L.ARCHIVED_NO_SHOWS), ("cancelled", L.ARCHIVED_CANCELLED), ("late", LATE_LISTS),
    ("past", PAST_GUARANTEE),
)
Counts = dict[tuple[str, str], dict[str, int]]


def count_statistics(
    workbook: Workbook, today: date, *, group_ids: Collection[str] | None = None,
    interest_rows: Collection[int] | None = None,
) -> Counts:
    """The raw counts per (term, group type) of the live workbook, or of only the groups ``group_ids``
    and the Intresse rows ``interest_rows`` (what an archive run moves out)."""
    cells: Counts = defaultdict(lambda: defaultdict(int))
    groups_by_id = {group.group_id: group for group in workbook.groups}
    for group in workbook.groups:
        if group.start_date is None or group.has_errors:
            continue
        if group_ids is not None and group.group_id not in group_ids:
            continue
        bucket = cells[(term_of(group.start_date), group.group_type)]
        bucket["groups"] += 1
        sheet = workbook.group_sheets.get(group.group_id)
        status, _ = roster_status(group, sheet, workbook.settings, today)
        bucket["late"] += status == L.ROSTER_LATE
        if sheet is None:
            continue
        past = [session for session in sheet.sessions if session.date is not None and session.date <= today]
        # Sessions T1, T2 … in order: a row without Avbokad datum says its attendance in its cells.
        numbered = all(session.number == number for number, session in enumerate(sheet.sessions, start=1))
        indices = [session.number - 1 for session in past]
        participants = attended = no_show = cancelled = 0
        for participant in sheet.participants:
            if participant.personal_number is None:
                continue
            participants += 1
            codes = participant.attendance
            if numbered and participant.cancelled_date is None and len(codes) >= len(sheet.sessions):
                filled = [codes[index] for index in indices]
            else:
                filled = [participant.attendance_at(session) for session in past]
            attended += filled.count(Attendance.ATTENDED)
            no_show += filled.count(Attendance.NO_SHOW)
            cancelled += filled.count(Attendance.CANCELLED)
        bucket["participants"] += participants
        bucket["attended"] += attended
        bucket["no_show"] += no_show
        bucket["cancelled"] += cancelled
    for registration in workbook.interest:
        if registration.has_errors or registration.received is None or not registration.wished_group:
            continue
        if interest_rows is not None and registration.row not in interest_rows:
            continue
        deadline = care_guarantee_deadline(registration, workbook.settings)
        placed = groups_by_id.get(registration.group_id)
        status = interest_status(registration, deadline, placed, workbook.settings, today)
        bucket = cells[(term_of(deadline), registration.wished_group)]
        bucket["past"] += status in (OVERDUE, PLACED_LATE)
    return cells


def add_counts(counts: Counts, rows: Iterable[Mapping[str, object]]) -> Counts:
    """``counts`` plus Arkivstatistik ``rows`` (a new mapping; the inputs are left as they are)."""
    total: Counts = defaultdict(lambda: defaultdict(int))
    for key, bucket in counts.items():
        for name, value in bucket.items():
            total[key][name] += value
    for row in rows:
        bucket = total[(str(row[TERM]), str(row[L.GROUP_TYPE]))]
        for name, column in COUNTS:
            bucket[name] += int(row.get(column) or 0)
    return total


def _ordered(counts: Counts) -> list[tuple[str, str]]:
    return sorted(counts, key=lambda key: (_term_key(key[0]), key[1]))


def archived_statistics_rows(counts: Counts) -> list[dict[str, object]]:
    """Counts as Arkivstatistik rows (one per term and group type)."""
    return [
        {TERM: term, L.GROUP_TYPE: group_type, **{column: counts[(term, group_type)][name] for name, column in COUNTS}}
        for term, group_type in _ordered(counts)
    ]


def compute_statistics(workbook: Workbook, today: date) -> Decision:
    """One row per (term, group type) that has groups or registrations, live or archived."""
    cells = add_counts(count_statistics(workbook, today), workbook.archived_statistics)
    decision = Decision()
    for (term, group_type) in _ordered(cells):
        bucket = cells[(term, group_type)]
        filled = bucket["attended"] + bucket["no_show"] + bucket["cancelled"]
        decision.rows.append({
            TERM: term,
            L.GROUP_TYPE: group_type,
            GROUPS_COUNT: bucket["groups"],
            PARTICIPANTS: bucket["participants"],
            ATTENDANCE_RATE: round(100 * bucket["attended"] / filled) if filled else None,
            NO_SHOW_RATE: round(100 * bucket["no_show"] / filled) if filled else None,
            LATE_LISTS: bucket["late"],
            PAST_GUARANTEE: bucket["past"],
        })
    decision.count("rad i statistiken|rader i statistiken", len(decision.rows))
    return decision
