"""Statistik: the numbers a unit manager asks for, per group type and term (VT = Jan–Jun, HT = Jul–Dec).

Definitions: attendance and no-show rates are shares of the filled attendance of sessions on or
before today (``Deltog`` / all of ``Deltog``, ``Uteblev``, ``Avbokad``); participants are rows with a
valid personnummer; a late list is a group whose roster status is ``Sen``; registrations past the care
guarantee are those ``Överskriden`` or ``Placerad efter vårdgarantin``, counted in the term of their
deadline.
"""

from __future__ import annotations

from collections import defaultdict
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


def compute_statistics(workbook: Workbook, today: date) -> Decision:
    """One row per (term, group type) that has groups or registrations."""
    cells: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    groups_by_id = {group.group_id: group for group in workbook.groups}
    for group in workbook.groups:
        if group.start_date is None or group.has_errors:
            continue
        bucket = cells[(term_of(group.start_date), group.group_type)]
        bucket["groups"] += 1
        sheet = workbook.group_sheets.get(group.group_id)
        status, _ = roster_status(group, sheet, workbook.settings, today)
        bucket["late"] += status == L.ROSTER_LATE
        if sheet is None:
            continue
        for participant in sheet.participants:
            if participant.personal_number is None:
                continue
            bucket["participants"] += 1
            for session in sheet.sessions:
                if session.date is None or session.date > today:
                    continue
                attendance = participant.attendance_at(session)
                if attendance in (Attendance.ATTENDED, Attendance.NO_SHOW, Attendance.CANCELLED):
                    bucket["filled"] += 1
                    bucket["attended"] += attendance is Attendance.ATTENDED
                    bucket["no_show"] += attendance is Attendance.NO_SHOW
    for registration in workbook.interest:
        if registration.has_errors or registration.received is None or not registration.wished_group:
            continue
        deadline = care_guarantee_deadline(registration, workbook.settings)
        placed = groups_by_id.get(registration.group_id)
        status = interest_status(registration, deadline, placed, workbook.settings, today)
        bucket = cells[(term_of(deadline), registration.wished_group)]
        bucket["past"] += status in (OVERDUE, PLACED_LATE)
    decision = Decision()
    for (term, group_type) in sorted(cells, key=lambda key: (_term_key(key[0]), key[1])):
        bucket = cells[(term, group_type)]
        filled = bucket["filled"]
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
