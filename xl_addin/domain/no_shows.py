"""Markera uteblivanden: no-shows become U2 tasks, cancellations Elvis tasks (SPEC §4.3).

Conventions: a no-show counts for sessions dated on or before today (a ``Uteblev`` in the future is
reported as an input mistake by the reader). Attendance is "missing" for sessions strictly before
today: on the session day itself the leaders may not have filled it in yet. Cancellations give a
task for every cancelled session, past or future, because a future booking must be cancelled in Elvis
before it happens; the task is due on the session day.
"""

from __future__ import annotations

from datetime import date

from . import layout as L
from .calendar import next_working_day
from .model import Attendance, Group, GroupSheet, Settings, Task, Workbook, warning
from .tasks import CANCELLATION, NO_SHOW, Hold, person_token
from .writes import Decision

CANCELLATION_TEXT = "Avboka i Elvis och notera besöksavvikelse i journal"


def no_show_text(settings: Settings) -> str:
    return (
        f"Ta bort sekundärbokning ({settings.secondary_booking}) och ändra besökstyp till "
        f"{settings.no_show_visit_type} – {settings.no_show_text}"
    )


def missing_attendance_message(group_id: str, session_number: int, session_date: date, count: int) -> str:
    people = "deltagare"
    return f"Närvaro saknas: {group_id} tillfälle {session_number} ({session_date.isoformat()}), {count} {people}"


KINDS = frozenset({NO_SHOW, CANCELLATION})


def session_holds(group: Group | None, group_id: str, sheet: GroupSheet | None, kinds: frozenset[str]) -> list[Hold]:
    """The tasks of ``kinds`` that cannot be decided from this group's sheet as it reads now: all of
    them when the sheet or its Grupper row is missing or its session columns do not add up; a
    session's when its date is unreadable; a participant's when the row's personnummer, Avbokad datum
    or that session's cell is."""
    if sheet is None or group is None:
        return [Hold(kinds, group_id)]
    numbers = [session.number for session in sheet.sessions]
    if numbers != list(range(1, len(numbers) + 1)) or (
        group.session_count is not None and group.session_count != len(numbers)
    ):
        return [Hold(kinds, group_id)]
    holds = [Hold(kinds, group_id, session.number) for session in sheet.sessions if session.date is None]
    if any(p.personal_number is None or L.PERSONAL_NUMBER in p.error_columns for p in sheet.participants):
        # the people who can be read: only their tasks are decided (a token each, only when needed)
        known = frozenset(person_token(p.personal_number) for p in sheet.participants
                          if p.personal_number is not None and L.PERSONAL_NUMBER not in p.error_columns)
        holds.append(Hold(kinds, group_id, unknown_people_only=True, known_people=known))
    for participant in sheet.participants:
        if participant.personal_number is None or not participant.has_errors:
            continue
        token = person_token(participant.personal_number)
        if not participant.error_columns or L.CANCELLED_DATE in participant.error_columns:
            holds.append(Hold(kinds, group_id, person=token))
            continue
        for session in sheet.sessions:
            if session.column in participant.error_columns:
                holds.append(Hold(kinds, group_id, session.number, token))
    return holds


def _sheet_tasks(
    group: Group, sheet: GroupSheet, settings: Settings, today: date, decision: Decision, workbook: Workbook,
    tasks_only: bool,
) -> None:
    decision.holds.extend(session_holds(group, group.group_id, sheet, KINDS))
    participants = sheet.participants
    text = no_show_text(settings)
    # The attendance cells session by session (a row shorter than the sessions reads blank there),
    # transposed in one step: each session's cells that are not ``Deltog`` are then found in one pass
    # over that column, without looking into every participant's row (most cells say ``Deltog``: nothing
    # to do and nothing missing, whatever else the row holds).
    width = max((session.number for session in sheet.sessions), default=0)
    columns = list(zip(*(codes if len(codes) >= width else codes + (None,) * (width - len(codes))
                         for codes in (participant.attendance for participant in participants))))
    attended, no_show, cancelled = Attendance.ATTENDED, Attendance.NO_SHOW, Attendance.CANCELLED
    add_task, group_id = decision.tasks.append, group.group_id
    for session in sheet.sessions:
        if session.date is None or not columns:
            continue
        index = session.number - 1
        missing = 0
        past = session.date < today
        column = session.column
        no_show_due: date | None = None  # the same for every no-show of the session: found once
        counted: dict[str, int] = {}  # this session's counts, added once it is done (in the order first met)
        codes_here = columns[index]
        for position in [position for position, code in enumerate(codes_here) if code is not attended]:
            participant, code = participants[position], codes_here[position]
            if code is None and participant.cancelled_date is None:  # blank, not cancelled: nothing to do …
                if past and participant.usable_for(session):
                    missing += 1  # … but the attendance is missing once the session has passed
                continue
            if not participant.usable_for(session):
                continue
            attendance = code if code is not None else participant.attendance_at(session)  # a cell's word wins
            if attendance is not no_show and attendance is not cancelled:
                if attendance is None and session.date < today:
                    missing += 1
                continue
            if attendance is no_show and session.date <= today:
                counted["uteblivande|uteblivanden"] = counted.get("uteblivande|uteblivanden", 0) + 1
                if no_show_due is None:
                    no_show_due = next_working_day(session.date)
                kind, due, task_text, word = NO_SHOW, no_show_due, text, L.NO_SHOW
            elif attendance is cancelled:
                counted["avbokning|avbokningar"] = counted.get("avbokning|avbokningar", 0) + 1
                kind, due, task_text, word = CANCELLATION, session.date, CANCELLATION_TEXT, L.CANCELLED
            else:
                continue  # a no-show marked for a session still to come
            # key (task_key, inline), due, text, group, session, date, personnummer, name, Klar; made today
            # as the merge makes a new task (nothing to change then). By position: a task per cell.
            add_task(Task(
                f"{kind}:{group_id}:{column}:{person_token(participant.personal_number)}", due, task_text,
                group_id, session.number, session.date, participant.personal_number, participant.name, None, today,
            ))
            if not tasks_only:
                decision.rows.append({
                    L.GROUP_ID: group.group_id,
                    L.SESSION: session.number,
                    L.DATE: session.date,
                    L.PERSONAL_NUMBER: participant.personal_number,
                    L.NAME: participant.name,
                    L.ATTENDANCE: word,
                })
        for label, count in counted.items():
            decision.count(label, count)
        if missing:
            decision.count("tillfälle med närvaro som saknas|tillfällen med närvaro som saknas")
            decision.problems.append(warning(
                sheet.name, workbook.address(sheet.name, sheet.date_row, session.column),
                missing_attendance_message(group.group_id, session.number, session.date, missing),
            ))


def find_no_shows(workbook: Workbook, today: date, *, tasks_only: bool = False) -> Decision:
    """U2 and cancellation tasks for every group sheet, and the sessions whose attendance is missing.

    ``tasks_only``: only the tasks and holds are wanted (Att göra), not the rows.
    """
    decision = Decision()
    if not workbook.groups_readable:
        decision.holds.append(Hold(KINDS))
    groups = {group.group_id for group in workbook.groups}
    decision.holds.extend(Hold(KINDS, name) for name in workbook.group_sheets if name not in groups)
    for group in workbook.groups:
        sheet = workbook.group_sheets.get(group.group_id)
        if sheet is None:
            decision.holds.append(Hold(KINDS, group.group_id))
            continue
        refused = sum(1 for participant in sheet.participants if participant.personal_number is None or L.PERSONAL_NUMBER in participant.error_columns)
        if refused:
            decision.count("rad med fel hoppades över|rader med fel hoppades över", refused)
        _sheet_tasks(group, sheet, workbook.settings, today, decision, workbook, tasks_only)
    return decision
