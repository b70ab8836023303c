"""Flagga sena listor: is each group's list complete and reported 14 days before start (SPEC §4.2)?"""

from __future__ import annotations

from datetime import date, timedelta

from . import layout as L
from .calendar import next_working_day
from .model import Group, GroupSheet, Settings, Task, Workbook
from .tasks import BOOK_IN_ELVIS, Hold, task_key
from .writes import Decision, is_date, one_of

STATUSES = (L.ROSTER_OK, L.ROSTER_LATE, L.ROSTER_AT_RISK, L.ROSTER_NOT_READY, L.ROSTER_INCOMPLETE)
BOOK_TEXT = "Boka in gruppen i Elvis"
KINDS = frozenset({BOOK_IN_ELVIS})


def roster_deadline(start: date, settings: Settings) -> date:
    """``Startdatum`` minus ``Dagar före start`` calendar days; the list is on time *on* that day."""
    return start - timedelta(days=settings.days_before_start)


def _incomplete(sheet: GroupSheet | None) -> str | None:
    if sheet is None:
        return "gruppbladet saknas"
    if not sheet.participants:
        return "gruppbladet har inga deltagare"
    # Errors in who the participants are make the list incomplete; an attendance typo or a mistyped
    # Avbokad datum does not (the list was complete; that cell is reported where it is).
    faulty = sum(
        1 for participant in sheet.participants
        if participant.has_errors
        and (not participant.error_columns or L.PERSONAL_NUMBER in participant.error_columns)
    )
    if faulty:
        return f"{faulty} deltagarrad{'er' if faulty > 1 else ''} har fel"
    return None


def roster_status(group: Group, sheet: GroupSheet | None, settings: Settings, today: date) -> tuple[str, str]:
    """The status word and a Swedish explanation for one group with a start date.

    Boundaries: reported on the deadline day is ``OK``; the day after is ``Sen``. Without a report,
    ``Risk`` starts when the deadline is ``Varning dagar`` days away or closer (today included), and
    ``Sen`` the day after the deadline.
    """
    assert group.start_date is not None
    deadline = roster_deadline(group.start_date, settings)
    if group.roster_ready is not None:
        reason = _incomplete(sheet)
        if reason:
            return L.ROSTER_INCOMPLETE, f"listan är markerad klar men {reason}"
        late = (group.roster_ready - deadline).days
        if late > 0:
            return L.ROSTER_LATE, f"meddelad {late} {'dag' if late == 1 else 'dagar'} för sent"
        return L.ROSTER_OK, "meddelad i tid"
    left = (deadline - today).days
    if left < 0:
        return L.ROSTER_LATE, f"sista dag passerades för {-left} {'dag' if left == -1 else 'dagar'} sedan"
    if left <= settings.warning_days:
        return L.ROSTER_AT_RISK, "sista dag är i dag" if left == 0 else f"{left} {'dag' if left == 1 else 'dagar'} kvar till sista dag"
    return L.ROSTER_NOT_READY, f"{left} dagar kvar till sista dag"


def find_late_rosters(workbook: Workbook, today: date, *, tasks_only: bool = False) -> Decision:
    """Status and deadline for every group, and a booking task for each complete, unbooked list.

    ``tasks_only``: only the tasks and holds are wanted (Att göra), not the rows, counts and writes.
    """
    decision = Decision()
    settings = workbook.settings
    if not workbook.groups_readable:
        decision.holds.append(Hold(KINDS))
    for group in workbook.groups:
        sheet = workbook.group_sheets.get(group.group_id)
        if group.has_errors or group.start_date is None or sheet is None or any(
            participant.has_errors for participant in sheet.participants
        ):
            # what the booking task depends on cannot all be read: leave an existing one as it is
            decision.holds.append(Hold(KINDS, group.group_id))
        if group.has_errors or group.start_date is None or workbook.sheet_renamed(group.group_id):
            # The cause is reported once, at its cell; the status stays as it is until it is fixed.
            decision.count("hoppades över")
            continue
        status, explanation = roster_status(group, sheet, settings, today)
        if not tasks_only:
            _report(workbook, group, status, explanation, decision)
        if group.roster_ready is not None and status != L.ROSTER_INCOMPLETE and group.booked_in_elvis is None:
            decision.tasks.append(Task(
                key=task_key(BOOK_IN_ELVIS, group.group_id),
                due=next_working_day(group.roster_ready),
                text=BOOK_TEXT,
                group_id=group.group_id,
                date=group.start_date,
                created=today,  # as the merge makes a new task (nothing to change then)
            ))
    return decision


def _report(workbook: Workbook, group: Group, status: str, explanation: str, decision: Decision) -> None:
    """The group's row, its count, and the writes of Sista dag för lista and Status."""
    assert group.start_date is not None
    deadline = roster_deadline(group.start_date, workbook.settings)
    decision.count(status)
    decision.rows.append({
        L.GROUP_ID: group.group_id,
        L.GROUP_TYPE: group.group_type,
        L.START_DATE: group.start_date,
        L.ROSTER_READY: group.roster_ready,
        L.BOOKED_IN_ELVIS: group.booked_in_elvis,
        L.ROSTER_DEADLINE: deadline,
        L.STATUS: status,
        "Förklaring": explanation,
    })
    for column, value, ours in (
        (L.ROSTER_DEADLINE, deadline, is_date),
        (L.STATUS, status, one_of(*STATUSES)),
    ):
        decision.set(
            L.GROUPS, group.row, column, workbook.address(L.GROUPS, group.row, column),
            group.current.get(column), value, ours, record=(L.GROUPS_TABLE.name, group.group_id),
            recorded=workbook.memory.get((L.GROUPS_TABLE.name, group.group_id, column)),
        )
