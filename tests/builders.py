"""Builders for domain records in rule tests: plain objects, no files (the real files have their own tests)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from xl_addin.domain import layout as L
from xl_addin.domain.model import (
    Attendance,
    Group,
    GroupSheet,
    GroupType,
    Participant,
    PersonalNumber,
    Session,
    Settings,
    Task,
    Workbook,
)
from xl_addin.domain.personal_number import make_personal_number

CODES = {
    "ADHD Ung": GroupType("ADHD Ung", L.ATTENDEE_PATIENT, "Gruppbesök", "DU011"),
    "Mitt barn har autism": GroupType("Mitt barn har autism", L.ATTENDEE_GUARDIAN, "Gruppbesök", "GB009"),
}
_CODES = {"D": Attendance.ATTENDED, "U": Attendance.NO_SHOW, "A": Attendance.CANCELLED, "?": Attendance.UNKNOWN, "-": None}


def person(serial: int) -> PersonalNumber:
    return make_personal_number(date(2012, 3, 15), serial)


def group(group_id: str = "G1", *, start: date = date(2026, 9, 2), sessions: int = 3, row: int = 2,
          group_type: str = "ADHD Ung", attendee: str = L.ATTENDEE_PATIENT, ready: date | None = None,
          booked: date | None = None, journal: bool = False, has_errors: bool = False,
          current: dict | None = None) -> Group:
    return Group(
        row=row, group_id=group_id, group_type=group_type, attendee=attendee, start_date=start,
        session_count=sessions, max_participants=10, journal_at_end=journal, roster_ready=ready,
        booked_in_elvis=booked, current=current or {}, has_errors=has_errors,
    )


def participant(serial: int, attendance: str = "", *, row: int | None = None, cancelled: date | None = None,
                journal_text: str = "", has_errors: bool = False, name: str | None = None) -> Participant:
    """``attendance`` is one letter per session: D deltog, U uteblev, A avbokad, ? unknown, - blank."""
    return Participant(
        row=row or 5 + serial,
        personal_number=None if has_errors else person(serial),
        name=name or f"Testa Testsson {serial}",
        attendance=tuple(_CODES[letter] for letter in attendance),
        cancelled_date=cancelled,
        cancellation_reason="Sjukdom" if cancelled else "",
        journal_text=journal_text,
        has_errors=has_errors,
    )


def weekly(start: date, count: int) -> list[date]:
    return [start + timedelta(days=7 * index) for index in range(count)]


def sheet(name: str, dates: Sequence[date | None], participants: Sequence[Participant] = (),
          registered: Sequence[object] = ()) -> GroupSheet:
    sessions = tuple(
        Session(number=index + 1, date=day, registered=registered[index] if index < len(registered) else None)
        for index, day in enumerate(dates)
    )
    return GroupSheet(name=name, sessions=sessions, participants=tuple(participants))


def workbook(groups: Sequence[Group] = (), sheets: Sequence[GroupSheet] = (), *, settings: Settings = Settings(),
             tasks: Sequence[Task] = (), group_types: dict | None = None) -> Workbook:
    columns = {L.GROUPS: {name: index for index, name in enumerate(L.GROUPS_TABLE.columns, start=1)}}
    for item in sheets:
        columns[item.name] = {
            name: index for index, name in enumerate(L.participant_columns(len(item.sessions)), start=1)
        }
    return Workbook(
        settings=settings,
        group_types=CODES if group_types is None else group_types,
        groups=tuple(groups),
        group_sheets={item.name: item for item in sheets},
        tasks=tuple(tasks),
        columns=columns,
    )
