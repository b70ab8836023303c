"""Exportera registreringslista: the visits to register in Elvis the day after each session (SPEC §4.5).

Scope: a session is due for registration from the next working day after it (a Thursday session
before midsommarafton registers on Monday). Without a chosen date every due session is looked at;
with one, only sessions on that date. The unit is the visit (one participant at one session): a
visit already in ``Registrering`` is never exported again, and a visit that cannot be exported yet
(its row has an error, or its attendance is missing) is held back alone and reported at the
session's ``Registrerad`` cell on every export until it is exported; the rest of the session goes.
``Registrerad`` is written at a session's first export. A ``Registrerad`` mark without any rows in
``Registrering`` (typed by hand) holds the whole session: the reader reports it.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from . import layout as L
from .calendar import next_working_day
from .cells import is_blank
from .model import (
    Attendance, CellWrite, Group, GroupSheet, GroupType, Participant, Session, Settings, Workbook, warning,
)
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


def _exported(workbook: Workbook, group_id: str, session: Session, participant: Participant) -> bool:
    """Whether ``Registrering`` has this visit: by personnummer, or by name when the personnummer
    cannot be read now (a typo made after the export must not make the visit look new)."""
    number = participant.personal_number
    if number is not None:
        return (group_id, session.number, number.digits) in workbook.exported_visits
    name = participant.name.strip().casefold()
    return bool(name) and (group_id, session.number, name) in workbook.exported_names


def exported_per_session(workbook: Workbook) -> Counter[tuple[str, int]]:
    """How many visits ``Registrering`` holds per (GruppID, Tillfälle): counted once per export, not
    once per session (a scan of every exported visit for every session grew with the square of the years)."""
    return Counter((group_id, session) for group_id, session, _who in workbook.exported_visits)


def _session_in_scope(session: Session, today: date, chosen: date | None) -> bool:
    if session.date is None:
        return False
    if chosen is not None:
        return session.date == chosen
    return registration_day(session.date) <= today


def _export_session(
    group: Group, group_type: GroupType, sheet: GroupSheet, session: Session, workbook: Workbook,
    today: date, decision: Decision, chosen: date | None, already: int,
) -> None:
    if not is_blank(session.registered) and not already:
        return  # marked by hand without rows in Registrering: held, and reported by the reader
    kept_from = workbook.registration_kept_from
    if isinstance(session.registered, date) and kept_from is not None and session.registered < kept_from:
        return  # first exported before Registrering's oldest row: its rows may have been cleared
    to_export = [p for p in sheet.participants if not _exported(workbook, group.group_id, session, p)]
    if not to_export and (chosen is None or not sheet.participants):
        return  # every visit exported already (most sessions of the years before): nothing to say
    # Only what is said needs the cell and the label.
    address = workbook.address(sheet.name, sheet.registered_row, session.column)
    label = f"{group.group_id} tillfälle {session.number} ({session.date.isoformat()})"  # type: ignore[union-attr]
    if not to_export:  # the chosen date's session, exported before
        decision.problems.append(warning(sheet.name, address, f"{label} är redan exporterat och exporteras inte igen."))
        return
    faulty = [p for p in to_export if not p.usable_for(session)]
    missing = [p for p in to_export if p.usable_for(session) and p.attendance_at(session) in (None, Attendance.UNKNOWN)]
    held = {id(p) for p in faulty + missing}
    ready = [p for p in to_export if id(p) not in held]
    if held:
        reasons = []
        if missing:
            reasons.append(f"närvaro saknas på {_rows(missing)}")
        if faulty:
            reasons.append(f"{_rows(faulty)} har fel (se Kontroll)")
        count = len(held)
        decision.problems.append(warning(
            sheet.name, address,
            f"{label}: {count} besök väntar, {' och '.join(reasons)}. "
            "Det exporteras vid nästa export när det är rättat; de andra besöken påverkas inte.",
        ))
        decision.count("besök väntar", count)
    for participant in ready:
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
    if ready:
        decision.count("tillfälle exporterat|tillfällen exporterade")
        if is_blank(session.registered):  # the session's first export
            decision.writes.append(CellWrite(sheet.name, sheet.registered_row, session.column, today))


def _rows(participants: list[Participant]) -> str:
    numbers = [str(p.row) for p in participants]
    if len(numbers) == 1:
        return f"rad {numbers[0]}"
    return "raderna " + ", ".join(numbers[:-1]) + " och " + numbers[-1]


def export_registrations(workbook: Workbook, today: date, session_date: date | None = None) -> Decision:
    """The Registrering rows for every visit due (or of the one chosen date) not yet exported, and the marks."""
    decision = Decision()
    if workbook.registration_missing:  # reported by the reader; the visits wait for the sheet
        return decision
    found = False
    exported = exported_per_session(workbook)
    for group in workbook.groups:
        sheet = workbook.group_sheets.get(group.group_id)
        if sheet is None:
            continue
        due = [session for session in sheet.sessions if _session_in_scope(session, today, session_date)]
        if not due:
            continue
        found = True
        if not group.usable_for(L.GROUP_TYPE):
            # The Grupper row's error is reported at its cell; the sessions wait for it.
            decision.count("tillfälle väntar|tillfällen väntar", len(due))
            continue
        group_type = workbook.group_types.get(group.group_type)
        if group_type is None or not group_type.visit_type or not group_type.action_code:
            # Reported once, at the Koder cell to fill in, with what it holds back.
            decision.count("tillfälle väntar|tillfällen väntar", len(due))
            continue
        for session in due:
            _export_session(group, group_type, sheet, session, workbook, today, decision, session_date,
                            exported[(group.group_id, session.number)])
    if session_date is not None and not found:
        decision.problems.append(warning(
            L.GROUPS, "A1", f"Inget tillfälle med datumet {session_date.isoformat()} hittades.",
        ))
    return decision
