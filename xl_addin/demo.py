"""A demo workbook with invented people in every state the buttons handle, as of ``DEMO_TODAY``.

Every name is obviously made up and every personnummer is fictional (serial numbers 900–999). The
states, relative to Wednesday 2026-10-14 with the default settings (list due 14 days before start,
warning 7 days, vårdgaranti 30 days):

- ``MittBarn-2608``: finished (six Thursdays ending 2026-09-24), journal note at the end, Deltar
  Vårdnadshavare; one participant attended all sessions, one none, some attended some, one already has
  a journal text typed by a user. All sessions exported.
- ``ADHDUng-2609``: ongoing, Wednesdays from 2026-09-16; no-shows, an ``Avbokad`` cell, a participant
  who left on 2026-09-28, two blank attendance cells on 2026-10-07, short forms (``D``, ``U``), and
  the planted ``x``. T1 is exported; T2 is due for export; 2026-09-30 and 2026-10-07 are held back.
- ``ADHDUng-2610``: list late (starts 2026-10-19, no ``Lista klar``), and a duplicate participant.
- ``SKILLS-2610``: list reported late (the day after its last day), not booked in Elvis.
- ``AutismUng-2611``: at risk (last day for the list 2026-10-19).
- ``MittBarn-2611``: list ready in time, not booked in Elvis.
- ``AutismVardag-2611``: more time left (``Ej klar``).
- ``SKILLS-2612``: list reported ready but the sheet has no participants (``Ofullständig``).
- ``ADHDUng-2701``: a ``Grupper`` row without a sheet yet (``Ny grupp`` creates it).
- ``Intresse``: placed, placed after the care guarantee, PVV, past the care guarantee, at risk,
  inside it, one without ``Planeringsunderlag``, and two rows with planted errors.

``PLANTED_ERRORS`` lists the deliberate data errors with the cell ``Kontrollera`` must report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from .domain.records import Record
from datetime import date, timedelta
from pathlib import Path

from .domain import layout as L
from .domain.model import Attendance, GroupType, Settings
from .domain.personal_number import PersonalNumber, make_personal_number
from .domain.registrations import elvis_action
from .template import GroupSheetContent, WorkbookContent, write_workbook

DEMO_TODAY = date(2026, 10, 14)  # a Wednesday
DEMO_NAME = "Gruppbokningar-demo.xlsx"

# Invented names: (first name, family name) of the children, and the guardians' first names.
_CHILDREN = (
    ("Testa", "Testsson"), ("Exempel", "Exempelsson"), ("Påhittad", "Fiktivsdotter"),
    ("Låtsas", "Låtsasberg"), ("Prova", "Provkvist"), ("Demo", "Demoström"), ("Modell", "Mallberg"),
    ("Övning", "Övningsdotter"), ("Skiss", "Skissgren"), ("Utkast", "Utkastlund"),
    ("Fiktiva", "Testsdotter"), ("Exempla", "Påhittadsson"), ("Provare", "Exempelsdotter"),
    ("Testine", "Låtsasson"), ("Låtsa", "Demogren"), ("Påhitta", "Provsdotter"), ("Mallis", "Modellsson"),
    ("Övis", "Fiktivsson"), ("Skissa", "Utkastsdotter"), ("Demona", "Testberg"), ("Provis", "Mallgren"),
    ("Exemplar", "Övningsson"), ("Fiktus", "Provström"), ("Testus", "Skisslund"),
    ("Låtsine", "Exempelberg"), ("Påhittus", "Demosdotter"), ("Modella", "Låtsaskvist"),
    ("Utkasta", "Fiktivgren"), ("Provina", "Testlund"), ("Exempline", "Mallsdotter"),
    ("Demus", "Påhittadström"), ("Skissus", "Provberg"), ("Övnina", "Exempelgren"),
    ("Testea", "Fiktivkvist"), ("Låtsus", "Modellström"), ("Mallina", "Övningsberg"),
    ("Fiktina", "Skisskvist"), ("Utkastus", "Demolund"), ("Provea", "Låtsasgren"),
    ("Exemplus", "Testkvist"), ("Påhittina", "Mallkvist"), ("Demoline", "Utkastberg"),
)
_GUARDIANS = ("Förälder", "Vårdare", "Exemplara", "Testbert", "Påhittadine", "Låtsasgun", "Provgerd")
_LEADERS = (
    "Behandlare Exempelsson, Psykolog Testdotter",
    "Terapeut Påhittadsson, Kurator Låtsasberg",
    "Psykolog Provkvist, Behandlare Demoström",
)
_TEEN_YEARS = (2009, 2010, 2011, 2012)  # ADHD Ung, Autism Ung, SKILLS
_CHILD_YEARS = (2013, 2014, 2015, 2016)  # Mitt barn har autism, Autism i vardagen (guardians attend)

GROUP_TYPES: tuple[GroupType, ...] = (
    GroupType("ADHD Ung", L.ATTENDEE_PATIENT, "Gruppbesök", "DU011"),
    GroupType("Autism Ung", L.ATTENDEE_PATIENT, "Gruppbesök", "DU011"),
    GroupType("Mitt barn har autism", L.ATTENDEE_GUARDIAN, "Gruppbesök", "GB009"),
    GroupType("SKILLS", L.ATTENDEE_PATIENT, "Gruppbesök", "DU021"),
    GroupType("Autism i vardagen", L.ATTENDEE_GUARDIAN, "Gruppbesök", ""),  # planted: no Åtgärdskod
)
_VISIT_TYPES = (("Gruppbesök", "Besök i grupp, registreras dagen efter tillfället"),)

D, U, A = L.ATTENDED, L.NO_SHOW, L.CANCELLED


class _Person(Record):
    index: int
    years: tuple[int, ...]

    @property
    def personal_number(self) -> PersonalNumber:
        year = self.years[self.index % len(self.years)]
        birth = date(year, 1 + (self.index * 5) % 12, 1 + (self.index * 11) % 28)
        return make_personal_number(birth, 900 + self.index)

    @property
    def name(self) -> str:
        first, family = _CHILDREN[self.index]
        return f"{first} {family}"

    @property
    def guardian(self) -> str:
        return f"{_GUARDIANS[self.index % len(_GUARDIANS)]} {_CHILDREN[self.index][1]}"


def _teen(index: int) -> _Person:
    return _Person(index, _TEEN_YEARS)


def _child(index: int) -> _Person:
    return _Person(index, _CHILD_YEARS)


class _Group(Record):
    group_id: str
    group_type: str
    start: date
    sessions: int
    max_participants: int
    leader: str
    journal: bool = False
    roster_ready: date | None = None
    booked: date | None = None
    has_sheet: bool = True
    # (person, attendance per session, extra columns)
    participants: tuple[tuple[_Person, tuple[object, ...], Mapping[str, object]], ...] = ()
    registered: tuple[date, ...] = ()

    @property
    def attendee(self) -> str:
        return next(t.attendee for t in GROUP_TYPES if t.name == self.group_type)

    @property
    def dates(self) -> tuple[date, ...]:
        return tuple(self.start + timedelta(weeks=week) for week in range(self.sessions))


def _p(person: _Person, attendance: Sequence[object] = (), **extra: object) -> tuple:
    return (person, tuple(attendance), {_EXTRA[key]: value for key, value in extra.items()})


_EXTRA = {"cancelled": L.CANCELLED_DATE, "reason": L.CANCELLATION_REASON, "journal": L.JOURNAL_TEXT,
          "comment": L.COMMENT}
_USER_JOURNAL_TEXT = (
    f"{Settings().journal_heading}\nVårdnadshavare har deltagit vid fyra av sex tillfällen i Mitt barn har autism."
)
_DUPLICATE = _teen(14)
_BAD_CHECK_DIGIT = _teen(40)
_NO_SHEET_GROUP = "ADHDUng-2701"
_ATTENDANCE_TYPO = "x"
_AMBIGUOUS_DATE = "2/9 2026"

GROUPS: tuple[_Group, ...] = (
    _Group(
        "MittBarn-2608", "Mitt barn har autism", date(2026, 8, 20), 6, 8, _LEADERS[1], journal=True,
        roster_ready=date(2026, 8, 3), booked=date(2026, 8, 5),
        participants=(
            _p(_child(0), (D, D, D, D, D, D)),
            _p(_child(1), (U, U, A, U, U, U)),
            _p(_child(2), (D, U, D, D, A, D)),
            _p(_child(3), (D, D, U, D, D, U), journal=_USER_JOURNAL_TEXT),
            _p(_child(4), ("D", "D", "d", "D", "U", "D")),
        ),
        registered=(date(2026, 8, 21), date(2026, 8, 28), date(2026, 9, 4), date(2026, 9, 11),
                    date(2026, 9, 18), date(2026, 9, 25)),
    ),
    _Group(
        "ADHDUng-2609", "ADHD Ung", date(2026, 9, 16), 8, 8, _LEADERS[0],
        roster_ready=date(2026, 8, 28), booked=date(2026, 9, 1),
        participants=(
            _p(_teen(5), (D, D, D, D)),
            _p(_teen(6), (D, U, D, D)),
            _p(_teen(7), (D, D, U, None)),  # attendance missing on 2026-10-07
            _p(_teen(8), (U, D, A, D)),
            _p(_teen(9), (D, D), cancelled=date(2026, 9, 28), reason="Familjen avstår"),
            _p(_teen(10), (D, D, D, None), comment="Kom sent T2"),  # attendance missing on 2026-10-07
            _p(_teen(11), ("D", "d", "U ", "D")),
            _p(_teen(12), (D, D, _ATTENDANCE_TYPO, D)),
        ),
        registered=(date(2026, 9, 17),),  # T2 (2026-09-23) is due for export
    ),
    _Group(
        "ADHDUng-2610", "ADHD Ung", date(2026, 10, 19), 8, 8, _LEADERS[2],
        participants=(_p(_teen(13)), _p(_DUPLICATE), _p(_teen(15)), _p(_teen(16)), _p(_DUPLICATE)),
    ),
    _Group(
        "SKILLS-2610", "SKILLS", date(2026, 10, 26), 8, 8, _LEADERS[0], roster_ready=date(2026, 10, 13),
        participants=tuple(_p(_teen(index)) for index in range(17, 23)),
    ),
    _Group(
        "AutismUng-2611", "Autism Ung", date(2026, 11, 2), 8, 6, _LEADERS[1],
        participants=tuple(_p(_teen(index)) for index in range(23, 27)),
    ),
    _Group(
        "MittBarn-2611", "Mitt barn har autism", date(2026, 11, 10), 6, 10, _LEADERS[2], journal=True,
        roster_ready=date(2026, 10, 9),
        participants=tuple(_p(_child(index)) for index in range(27, 32)),
    ),
    _Group(
        "AutismVardag-2611", "Autism i vardagen", date(2026, 11, 24), 4, 8, _LEADERS[1],
        participants=tuple(_p(_child(index)) for index in range(32, 35)),
    ),
    _Group(
        "SKILLS-2612", "SKILLS", date(2026, 12, 2), 6, 8, _LEADERS[2], roster_ready=date(2026, 10, 12),
    ),  # reported ready, but nobody is on the sheet yet: Ofullständig
    _Group(_NO_SHEET_GROUP, "ADHD Ung", date(2027, 1, 13), 8, 8, _LEADERS[0], has_sheet=False),
)


def _interest_row(received: object, person: _Person | str, wished: str, sent_by: str, *,
                  guarantee_from: date | None = None, exemption: str | None = None,
                  planning: date | None = None, group_id: str | None = None, name: str | None = None) -> dict:
    return {
        L.RECEIVED: received,
        L.PERSONAL_NUMBER: person if isinstance(person, str) else person.personal_number,
        L.NAME: name or (person.name if isinstance(person, _Person) else None),
        L.WISHED_GROUP: wished,
        L.SENT_BY: sent_by,
        L.CARE_GUARANTEE_FROM: guarantee_from,
        L.EXEMPTION: exemption,
        L.PLANNING_ENTRY: planning,
        L.GROUP_ID: group_id,
    }


def _wrong_check_digit(number: PersonalNumber) -> str:
    text = str(number)
    return text[:-1] + str((int(text[-1]) + 1) % 10)


INTEREST: tuple[dict, ...] = (
    # Placed in the ongoing group before its deadline: Placerad.
    _interest_row(date(2026, 8, 25), _teen(5), "ADHD Ung", L.ATTENDEE_PATIENT,
                  planning=date(2026, 8, 26), group_id="ADHDUng-2609"),
    # Patient-chosen waiting: never flagged.
    _interest_row(date(2026, 8, 10), _child(38), "Mitt barn har autism", L.ATTENDEE_GUARDIAN,
                  exemption="PVV", planning=date(2026, 8, 11)),
    # Past the care guarantee (deadline 2026-10-01), no group.
    _interest_row(date(2026, 9, 1), _teen(36), "Autism Ung", L.ATTENDEE_PATIENT, planning=date(2026, 9, 2)),
    # Clock started later (Vårdgaranti från); placed in a group that starts after the deadline.
    _interest_row(date(2026, 9, 10), _teen(22), "SKILLS", L.ATTENDEE_GUARDIAN,
                  guarantee_from=date(2026, 9, 14), planning=date(2026, 9, 14), group_id="SKILLS-2610"),
    # At risk: deadline 2026-10-18, within Varning dagar.
    _interest_row(date(2026, 9, 18), _teen(37), "SKILLS", L.ATTENDEE_GUARDIAN, planning=date(2026, 9, 21)),
    # Inside the care guarantee: deadline 2026-10-31.
    _interest_row(date(2026, 10, 1), _teen(35), "ADHD Ung", L.ATTENDEE_PATIENT, planning=date(2026, 10, 2)),
    # Planted: a personnummer with a wrong check digit.
    _interest_row(date(2026, 10, 5), _wrong_check_digit(_BAD_CHECK_DIGIT.personal_number), "ADHD Ung",
                  L.ATTENDEE_PATIENT, planning=date(2026, 10, 6), name=_BAD_CHECK_DIGIT.name),
    # Planted: a date typed as ambiguous text (2 September or 9 February?).
    _interest_row(_AMBIGUOUS_DATE, _child(41), "Autism i vardagen", L.ATTENDEE_GUARDIAN,
                  planning=date(2026, 9, 3)),
    # No Planeringsunderlag yet: a task for the next working day after Inkom.
    _interest_row(date(2026, 10, 12), _child(39), "Autism i vardagen", L.ATTENDEE_GUARDIAN),
)


def _group_row(group: _Group) -> dict[str, object]:
    return {
        L.GROUP_ID: group.group_id,
        L.GROUP_TYPE: group.group_type,
        L.ATTENDEE: group.attendee,
        L.START_DATE: group.start,
        L.SESSION_COUNT: group.sessions,
        L.MAX_PARTICIPANTS: group.max_participants,
        L.GROUP_LEADER: group.leader,
        L.JOURNAL_AT_END: L.YES if group.journal else L.NO,
        L.ROSTER_READY: group.roster_ready,
        L.BOOKED_IN_ELVIS: group.booked,
    }


def _participant_row(person: _Person, attendance: Sequence[object], extra: Mapping[str, object]) -> dict:
    row: dict[str, object] = {L.PERSONAL_NUMBER: person.personal_number, L.NAME: person.name,
                              L.GUARDIAN: person.guardian}
    row.update({L.session_column(number): value for number, value in enumerate(attendance, start=1)})
    row.update(extra)
    return row


def _group_sheet(group: _Group) -> GroupSheetContent:
    return GroupSheetContent(
        group_id=group.group_id,
        title=f"{group.group_type} – {group.group_id}",
        session_dates=group.dates,
        registered=group.registered,
        participants=tuple(_participant_row(*participant) for participant in group.participants),
    )


def _effective(value: object, person_cancelled: object, session_date: date) -> Attendance:
    if value is None and isinstance(person_cancelled, date) and session_date >= person_cancelled:
        return Attendance.CANCELLED
    return Attendance(L.ATTENDANCE_ALIASES[str(value).strip().casefold()])


def _registration_rows() -> list[dict[str, object]]:
    """The Registrering rows of the sessions already exported (their Registrerad cell is filled)."""
    settings = Settings()
    types = {group_type.name: group_type for group_type in GROUP_TYPES}
    rows = []
    for group in GROUPS:
        for number, (exported, session_date) in enumerate(zip(group.registered, group.dates), start=1):
            for person, attendance, extra in group.participants:
                value = attendance[number - 1] if number <= len(attendance) else None
                status = _effective(value, extra.get(L.CANCELLED_DATE), session_date)
                visit_type, action_code, action = elvis_action(status, types[group.group_type], settings)
                rows.append({
                    L.EXPORTED: exported, L.VISIT_DATE: session_date, L.GROUP_ID: group.group_id,
                    L.GROUP_TYPE: group.group_type, L.SESSION: number, L.PERSONAL_NUMBER: person.personal_number,
                    L.NAME: person.name, L.ATTENDANCE: status.value, L.VISIT_TYPE: visit_type,
                    L.ACTION_CODE: action_code, L.ELVIS_ACTION: action,
                })
    return rows


def demo_content() -> WorkbookContent:
    """The demo workbook's content (deterministic)."""
    return WorkbookContent(
        groups=tuple(_group_row(group) for group in GROUPS),
        interest=INTEREST,
        registration=tuple(_registration_rows()),
        group_sheets=tuple(_group_sheet(group) for group in GROUPS if group.has_sheet),
        group_types=tuple(
            {L.GROUP_TYPE: t.name, L.ATTENDEE: t.attendee, L.VISIT_TYPE: t.visit_type, L.ACTION_CODE: t.action_code}
            for t in GROUP_TYPES
        ),
        visit_types=(
            {L.VISIT_TYPE_CODE: Settings().no_show_visit_type, L.DESCRIPTION: Settings().no_show_text},
            *({L.VISIT_TYPE_CODE: code, L.DESCRIPTION: text} for code, text in _VISIT_TYPES),
        ),
    )


def build_demo(path: Path | str) -> Path:
    """Write the demo workbook to ``path``."""
    return write_workbook(Path(path), demo_content())


# -- where the planted errors end up -----------------------------------------------------------
def _table_cell(table: L.Table, row_index: int, column: str) -> str:
    """The address of data row ``row_index`` (0-based) of a table anchored as in the template."""
    from xlsxwriter.utility import xl_cell_to_rowcol, xl_rowcol_to_cell

    anchor_row, anchor_col = xl_cell_to_rowcol(table.anchor)
    return xl_rowcol_to_cell(anchor_row + 1 + row_index, anchor_col + table.columns.index(column))


def _group_cell(group_id: str, participant_index: int, column: str) -> str:
    from xlsxwriter.utility import xl_rowcol_to_cell

    group = next(g for g in GROUPS if g.group_id == group_id)
    columns = L.participant_columns(group.sessions)
    return xl_rowcol_to_cell(L.GROUP_SHEET_HEADER_ROW + participant_index, columns.index(column))


def _planted_errors() -> tuple[tuple[str, str, str], ...]:
    typo_group = next(g for g in GROUPS if any(_ATTENDANCE_TYPO in a for _, a, _ in g.participants))
    typo_index, typo_session = next(
        (index, a.index(_ATTENDANCE_TYPO) + 1)
        for index, (_, a, _) in enumerate(typo_group.participants) if _ATTENDANCE_TYPO in a
    )
    duplicate_group = next(g for g in GROUPS if sum(p is _DUPLICATE for p, _, _ in g.participants) > 1)
    duplicate_index = max(i for i, (p, _, _) in enumerate(duplicate_group.participants) if p is _DUPLICATE)
    bad_number = next(i for i, row in enumerate(INTEREST) if row[L.NAME] == _BAD_CHECK_DIGIT.name)
    ambiguous = next(i for i, row in enumerate(INTEREST) if row[L.RECEIVED] == _AMBIGUOUS_DATE)
    no_code = next(i for i, t in enumerate(GROUP_TYPES) if not t.action_code)
    no_sheet = next(i for i, g in enumerate(GROUPS) if not g.has_sheet)
    return (
        (L.INTEREST, _table_cell(L.INTEREST_TABLE, bad_number, L.PERSONAL_NUMBER),
         "personnummer with a wrong check digit"),
        (typo_group.group_id, _group_cell(typo_group.group_id, typo_index, L.session_column(typo_session)),
         f"attendance value {_ATTENDANCE_TYPO!r}"),
        (duplicate_group.group_id, _group_cell(duplicate_group.group_id, duplicate_index, L.PERSONAL_NUMBER),
         "the same participant twice in one group"),
        (L.INTEREST, _table_cell(L.INTEREST_TABLE, ambiguous, L.RECEIVED),
         f"date typed as ambiguous text {_AMBIGUOUS_DATE!r}"),
        (L.CODES, _table_cell(L.GROUP_TYPES_TABLE, no_code, L.ACTION_CODE), "group type without Åtgärdskod"),
        (L.GROUPS, _table_cell(L.GROUPS_TABLE, no_sheet, L.GROUP_ID), "Grupper row whose GruppID has no sheet"),
    )


PLANTED_ERRORS: tuple[tuple[str, str, str], ...] = _planted_errors()
