"""Skapa journaltexter: the closing note "… har deltagit vid följande tillfällen av …" (SPEC §4.4)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from . import layout as L
from .calendar import next_working_day
from .model import Attendance, CellWrite, Group, GroupSheet, Participant, Settings, Task, Workbook, error, warning
from .tasks import JOURNAL, Hold, person_token, task_key
from .writes import Decision

SUBJECTS = {
    L.ATTENDEE_GUARDIAN: "Vårdnadshavare",
    L.ATTENDEE_PATIENT: "Patienten",
    L.ATTENDEE_BOTH: "Patienten och vårdnadshavare",
}


def join_swedish(items: Sequence[str]) -> str:
    """``a``, ``a och b``, ``a, b och c``: Swedish lists have no comma before "och"."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " och " + items[-1]


def journal_text(settings: Settings, attendee: str, group_type: str, attended: Sequence[date]) -> str:
    """The heading and the phrase for one participant, worded from ``Inställningar``."""
    subject = SUBJECTS[attendee]
    if attended:
        phrase = settings.journal_phrase.format(
            Subjekt=subject, Grupp=group_type, Datum=join_swedish([day.isoformat() for day in attended])
        )
    else:
        phrase = settings.journal_phrase_none.format(Subjekt=subject, Grupp=group_type)
    return f"{settings.journal_heading}\n{phrase}"


def _attendance(participant: Participant, sheet: GroupSheet, numbered: bool) -> Sequence[Attendance | None]:
    """``attendance_at`` of every session in turn; when the sessions are T1, T2 … in order (``numbered``)
    and the row has no Avbokad datum, that is just the row's cells."""
    codes = participant.attendance
    if numbered and participant.cancelled_date is None and len(codes) >= len(sheet.sessions):
        return codes[:len(sheet.sessions)]
    return [participant.attendance_at(session) for session in sheet.sessions]


def _finished(group: Group, sheet: GroupSheet, today: date) -> date | None:
    """The last session's date when the group is over (strictly before today), else ``None``."""
    dates = [session.date for session in sheet.sessions]
    if not dates or any(day is None for day in dates):
        return None
    last = max(dates)  # type: ignore[type-var]
    return last if last < today else None


KINDS = frozenset({JOURNAL})


def write_journal_texts(workbook: Workbook, today: date, *, tasks_only: bool = False) -> Decision:
    """A text in every empty ``Journaltext`` of finished groups that want a closing note.

    ``tasks_only``: only the tasks and holds are wanted (Att göra), not the texts, rows, problems and
    counts.
    """
    decision = Decision()
    if not workbook.groups_readable:
        decision.holds.append(Hold(KINDS))
    groups = {group.group_id for group in workbook.groups}
    decision.holds.extend(Hold(KINDS, name) for name in workbook.group_sheets if name not in groups)
    for group in workbook.groups:
        sheet = workbook.group_sheets.get(group.group_id)
        if sheet is None or group.has_errors or any(session.date is None for session in sheet.sessions):
            # whether the group wants a note, or is finished, cannot be read: existing tasks stay
            decision.holds.append(Hold(KINDS, group.group_id))
        if not group.journal_at_end or sheet is None:
            continue
        last = _finished(group, sheet, today)
        if last is None:
            continue
        if any(p.personal_number is None for p in sheet.participants):
            known = frozenset(person_token(p.personal_number) for p in sheet.participants if p.personal_number is not None)
            decision.holds.append(Hold(KINDS, group.group_id, unknown_people_only=True, known_people=known))
        if group.has_errors:  # the row's error is reported once, at its cell
            decision.holds.append(Hold(KINDS, group.group_id))
            decision.count("hoppades över")
            continue
        if group.attendee not in SUBJECTS:
            decision.holds.append(Hold(KINDS, group.group_id))
            decision.problems.append(error(
                L.GROUPS, workbook.address(L.GROUPS, group.row, L.ATTENDEE),
                "Journaltexter skapas inte för gruppen: Deltar saknas. Välj Patient, Vårdnadshavare eller "
                "Patient och vårdnadshavare.",
            ))
            continue
        numbered = all(session.number == number for number, session in enumerate(sheet.sessions, start=1))
        due, task_text = next_working_day(last), f"Skriv journalanteckning ({workbook.settings.journal_heading})"
        for participant in sheet.participants:
            attendance = _attendance(participant, sheet, numbered)
            gaps = [session.column for session, code in zip(sheet.sessions, attendance)
                    if code is None or code is Attendance.UNKNOWN]
            if participant.personal_number is not None and (participant.has_errors or gaps):
                decision.holds.append(Hold(KINDS, group.group_id, person=person_token(participant.personal_number)))
            if participant.has_errors or participant.personal_number is None:
                decision.count("hoppades över")  # the row's error is reported once, at its cell
                continue
            if gaps:
                decision.problems.append(warning(
                    sheet.name, workbook.address(sheet.name, participant.row, L.JOURNAL_TEXT),
                    f"Ingen journaltext: närvaro saknas för {join_swedish(gaps)}. Fyll i närvaron först.",
                ))
                decision.count("väntar på närvaro")
                continue
            if not tasks_only:
                _report(workbook, group, sheet, participant, attendance, decision)
            decision.tasks.append(Task(
                key=task_key(JOURNAL, group.group_id, person_token(participant.personal_number)),
                due=due,
                text=task_text,
                group_id=group.group_id,
                date=last,
                personal_number=participant.personal_number,
                name=participant.name,
                created=today,  # as the merge makes a new task (nothing to change then)
            ))
    return decision


def _report(
    workbook: Workbook, group: Group, sheet: GroupSheet, participant: Participant,
    attendance: Sequence[Attendance | None], decision: Decision,
) -> None:
    """The participant's text: written into an empty Journaltext, reported when another one is there."""
    attended = [s.date for s, code in zip(sheet.sessions, attendance) if code is Attendance.ATTENDED]
    text = journal_text(workbook.settings, group.attendee, group.group_type, attended)  # type: ignore[arg-type]
    existing = participant.journal_text
    if not existing:
        decision.writes.append(CellWrite(sheet.name, participant.row, L.JOURNAL_TEXT, text))
        decision.count("ny text|nya texter")
    elif _normalise(existing) != _normalise(text):
        decision.problems.append(warning(
            sheet.name, workbook.address(sheet.name, participant.row, L.JOURNAL_TEXT),
            "En annan journaltext finns redan och lämnas orörd. Töm cellen om knappen ska skriva den.",
        ))
        decision.count("annan text lämnad|andra texter lämnade")
    decision.rows.append({
        L.GROUP_ID: group.group_id,
        L.PERSONAL_NUMBER: participant.personal_number,
        L.NAME: participant.name,
        L.JOURNAL_TEXT: existing or text,
    })


def _normalise(text: str) -> str:
    return "\n".join(line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n"))

