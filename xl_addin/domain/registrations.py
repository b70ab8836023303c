"""Exportera registreringslista: the visits to register in Elvis the day after each session (SPEC §4.5).

Scope: a session is due for registration from the next working day after it (a Thursday session
before midsommarafton registers on Monday). Without a chosen date every due session whose
``Registrerad`` cell is empty is exported; with one, only sessions on that date. A session is exported
whole or not at all: one missing attendance or one faulty participant row holds it back, so no visit
is silently left out.
"""

from __future__ import annotations

from datetime import date

from . import layout as L
from .calendar import next_working_day
from .cells import is_blank
from .model import Attendance, CellWrite, Group, GroupSheet, GroupType, Session, Settings, Workbook, warning
from .writes import Decision


def registration_day(session_date: date) -> date:
    """The day the secretary registers a session's visits: the next working day after it."""
    return next_working_day(session_date)


def elvis_action(attendance: Attendance, group_type: GroupType, settings: Settings) -> tuple[str, str, str]:
    """(Besökstyp, Åtgärdskod, Åtgärd i Elvis) for one visit."""
    if attendance is Attendance.ATTENDED:
        return (
            group_type.visit_type,
            group_type.action_code,
            f"Registrera besöket med besökstyp {group_type.visit_type} och åtgärdskod {group_type.action_code}",
        )
    if attendance is Attendance.NO_SHOW:
        return (
            settings.no_show_visit_type,
            "",
            f"Ta bort sekundärbokning ({settings.secondary_booking}) och ändra besökstyp till "
            f"{settings.no_show_visit_type} – {settings.no_show_text}",
        )
    return (L.CANCELLED, "", "Avboka besöket och notera besöksavvikelse i journal")


def _session_in_scope(session: Session, today: date, chosen: date | None) -> bool:
    if session.date is None:
        return False
    if chosen is not None:
        return session.date == chosen
    return is_blank(session.registered) and registration_day(session.date) <= today


def _export_session(
    group: Group, group_type: GroupType, sheet: GroupSheet, session: Session, workbook: Workbook,
    today: date, decision: Decision,
) -> None:
    address = workbook.address(sheet.name, sheet.date_row, session.column)
    label = f"{group.group_id} tillfälle {session.number} ({session.date.isoformat()})"  # type: ignore[union-attr]
    if not is_blank(session.registered):
        decision.problems.append(warning(sheet.name, address, f"{label} är redan exporterat och exporteras inte igen."))
        return
    faulty = [p for p in sheet.participants if not p.usable_for(session)]
    missing = [
        p for p in sheet.participants
        if p.usable_for(session) and p.attendance_at(session) in (None, Attendance.UNKNOWN)
    ]
    if faulty or missing:
        reasons = []
        if missing:
            reasons.append(f"närvaro saknas för {len(missing)} deltagare")
        if faulty:
            reasons.append(f"{len(faulty)} deltagarrad{'er' if len(faulty) > 1 else ''} har fel")
        decision.problems.append(warning(
            sheet.name, address, f"{label} exporteras inte: {' och '.join(reasons)}. Rätta och exportera igen.",
        ))
        decision.count("tillfälle väntar|tillfällen väntar")
        return
    if not sheet.participants:
        return
    for participant in sheet.participants:
        attendance = participant.attendance_at(session)
        assert attendance is not None
        visit_type, action_code, action = elvis_action(attendance, group_type, workbook.settings)
        row = {
            L.EXPORTED: today,
            L.VISIT_DATE: session.date,
            L.GROUP_ID: group.group_id,
            L.GROUP_TYPE: group.group_type,
            L.SESSION: session.number,
            L.PERSONAL_NUMBER: participant.personal_number,
            L.NAME: participant.name,
            L.ATTENDANCE: attendance.value,
            L.VISIT_TYPE: visit_type,
            L.ACTION_CODE: action_code,
            L.ELVIS_ACTION: action,
        }
        decision.rows.append(row)
        decision.appended.append(row)
    decision.count("tillfälle exporterat|tillfällen exporterade")
    decision.writes.append(CellWrite(sheet.name, sheet.registered_row, session.column, today))


def export_registrations(workbook: Workbook, today: date, session_date: date | None = None) -> Decision:
    """The Registrering rows for every session due (or the one chosen date), and the export marks."""
    decision = Decision()
    for group in workbook.groups:
        sheet = workbook.group_sheets.get(group.group_id)
        if sheet is None:
            continue
        due = [session for session in sheet.sessions if _session_in_scope(session, today, session_date)]
        if not due:
            continue
        group_type = workbook.group_types.get(group.group_type)
        if group.has_errors or group_type is None or not group_type.visit_type or not group_type.action_code:
            decision.problems.append(warning(
                L.GROUPS, workbook.address(L.GROUPS, group.row, L.GROUP_TYPE),
                f"{group.group_id} exporteras inte: raden har fel eller grupptypen saknar besökstyp/åtgärdskod på bladet Koder.",
            ))
            decision.count("tillfälle väntar|tillfällen väntar", len(due))
            continue
        for session in due:
            _export_session(group, group_type, sheet, session, workbook, today, decision)
    if session_date is not None and not decision.rows and not decision.problems:
        decision.problems.append(warning(
            L.GROUPS, "A1", f"Inget tillfälle med datumet {session_date.isoformat()} hittades.",
        ))
    return decision
