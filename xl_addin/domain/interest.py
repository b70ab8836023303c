"""Intresseanmälningar: the care-guarantee date, a group suggestion and a status per 1177 registration.

Conventions (SPEC §4.6): ``Vårdgaranti senast`` is the start date (``Vårdgaranti från``, else
``Inkom``) plus ``Vårdgaranti dagar`` calendar days, not moved for weekends; the start date is day 0.
Suggestions are handed out in order of deadline (earliest first, then ``Inkom``, then row), and each
one uses up a place, so two children are never offered the last place. Rows with an exemption
(PVV/MOV) are served after all others and are never flagged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from . import layout as L
from .calendar import next_working_day
from .model import Group, InterestRegistration, Settings, Task, Workbook, error
from .tasks import PLANNING_ENTRY, Hold, person_token, task_key
from .writes import Decision, is_date

PLACED = "Placerad"
PLACED_LATE = "Placerad efter vårdgarantin"
WAITING_PREFIX = "Väntar"
AT_RISK = "Risk"
OVERDUE = "Överskriden"
EXEMPT = "Undantag"
PLANNING_TEXT = "Lägg upp planeringsunderlag med vårdgaranti"
KINDS = frozenset({PLANNING_ENTRY})


def registration_key(registration: InterestRegistration) -> str | None:
    """A row's identity, the same whatever its place in the table: person, Inkom and wished group
    (also the key of its planning task, after ``PLAN:``). ``None`` when these cannot be read."""
    if registration.personal_number is None or registration.received is None:
        return None
    return task_key(person_token(registration.personal_number), registration.received.isoformat(),
                    registration.wished_group)


def care_guarantee_deadline(registration: InterestRegistration, settings: Settings) -> date | None:
    start = registration.care_guarantee_from or registration.received
    return None if start is None else start + timedelta(days=settings.care_guarantee_days)


def waiting_status(days_left: int) -> str:
    return f"{WAITING_PREFIX} ({days_left} {'dag' if days_left == 1 else 'dagar'} kvar)"


def _is_status(value: object) -> bool:
    text = str(value or "").strip()
    return text in (PLACED, PLACED_LATE, AT_RISK, OVERDUE, EXEMPT) or text.startswith(WAITING_PREFIX + " (")


def interest_status(
    registration: InterestRegistration, deadline: date, placed_in: Group | None, settings: Settings, today: date
) -> str:
    """The status word; boundaries: ``Risk`` from ``Varning dagar`` days left, ``Överskriden`` after the deadline."""
    if registration.exemption:
        return EXEMPT
    if placed_in is not None and placed_in.start_date is not None:
        return PLACED if placed_in.start_date <= deadline else PLACED_LATE
    left = (deadline - today).days
    if left < 0:
        return OVERDUE
    if left <= settings.warning_days:
        return AT_RISK
    return waiting_status(left)


def _free_places(workbook: Workbook) -> dict[str, int]:
    """Places left per group: ``Max deltagare`` minus active participants and placed registrations."""
    free: dict[str, int] = {}
    placed: dict[str, set[str]] = {}  # per GruppID, gathered once (not once per group: years of rows)
    for r in workbook.interest:
        if r.personal_number is not None:
            placed.setdefault(r.group_id, set()).add(r.personal_number.digits)
    for group in workbook.groups:
        if group.max_participants is None:
            continue
        sheet = workbook.group_sheets.get(group.group_id)
        people = {
            p.personal_number.digits for p in (sheet.participants if sheet else ())
            if p.personal_number is not None and p.cancelled_date is None
        }
        people |= placed.get(group.group_id, set())
        free[group.group_id] = group.max_participants - len(people)
    return free


def _suggest(
    registration: InterestRegistration, deadline: date, candidates: Sequence[Group], free: dict[str, int], today: date
) -> Group | None:
    open_groups = [
        group for group in candidates
        if group.group_type == registration.wished_group and group.start_date is not None
        and group.start_date >= today and free.get(group.group_id, 0) > 0
    ]
    in_time = [group for group in open_groups if group.start_date <= deadline]  # type: ignore[operator]
    pool = in_time or open_groups
    return min(pool, key=lambda group: (group.start_date, group.group_id), default=None)


def plan_interest(workbook: Workbook, today: date, *, tasks_only: bool = False) -> Decision:
    """Deadline, suggestion and status for every registration, and the planning-entry tasks.

    ``tasks_only``: only the tasks and holds are wanted (Att göra), not the rows, counts and writes.
    """
    decision = Decision()
    settings = workbook.settings
    groups = {group.group_id: group for group in workbook.groups}
    # A group whose start, type or size cannot be read (or whose sheet was renamed) is held: it is not
    # suggested, and nothing derived from it is recomputed from a guess.
    held = {
        group.group_id for group in workbook.groups
        if not group.usable_for(L.START_DATE, L.GROUP_TYPE, L.MAX_PARTICIPANTS) or group.start_date is None
        or workbook.sheet_renamed(group.group_id)
    }
    candidates = [group for group in workbook.groups if group.group_id not in held]
    free = _free_places(workbook)
    usable = []
    if not workbook.interest_readable:
        decision.holds.append(Hold(KINDS))
    known = frozenset(person_token(r.personal_number) for r in workbook.interest if registration_key(r))
    for registration in workbook.interest:
        if registration.has_errors or registration.received is None:
            if registration_key(registration) is None:
                decision.holds.append(Hold(KINDS, unknown_people_only=True, known_people=known))
            else:
                decision.holds.append(Hold(KINDS, person=person_token(registration.personal_number)))
            decision.count("hoppades över")  # the cause is reported once, at its cell
            continue
        usable.append((registration, care_guarantee_deadline(registration, settings)))
    decision.tasks.extend(
        Task(
            key=task_key(PLANNING_ENTRY, registration_key(registration)),
            due=next_working_day(registration.received),  # type: ignore[arg-type]
            text=PLANNING_TEXT,
            date=registration.received,
            personal_number=registration.personal_number,
            name=registration.name,
            created=today,  # as the merge makes a new task (nothing to change then)
        )
        for registration, _deadline in usable if registration.planning_entry is None
    )
    if tasks_only:
        return decision
    order = sorted(usable, key=lambda item: (bool(item[0].exemption), item[1], item[0].received, item[0].row))
    suggestions: dict[int, Group | None] = {}
    for registration, deadline in order:
        if registration.group_id or str(registration.current.get(L.SUGGESTION) or "").strip() in held:
            continue
        choice = _suggest(registration, deadline, candidates, free, today)
        suggestions[registration.row] = choice
        if choice is not None:
            free[choice.group_id] -= 1
    for registration, deadline in usable:
        placed_in = groups.get(registration.group_id) if registration.group_id else None
        if registration.group_id and placed_in is None:
            decision.problems.append(error(
                L.INTEREST, workbook.address(L.INTEREST, registration.row, L.GROUP_ID),
                "GruppID finns inte i tabellen Grupper.",
            ))
        status = interest_status(registration, deadline, placed_in, settings, today)
        suggestion = suggestions.get(registration.row)
        suggestion_text = suggestion.group_id if suggestion is not None else ""
        row = {
            L.RECEIVED: registration.received,
            L.PERSONAL_NUMBER: registration.personal_number,
            L.NAME: registration.name,
            L.WISHED_GROUP: registration.wished_group,
            L.EXEMPTION: registration.exemption,
            L.PLANNING_ENTRY: registration.planning_entry,
            L.GROUP_ID: registration.group_id,
            L.CARE_GUARANTEE_DEADLINE: deadline,
            L.SUGGESTION: suggestion_text,
            L.STATUS: status,
        }
        decision.rows.append(row)
        owned = [(L.CARE_GUARANTEE_DEADLINE, deadline, is_date)]
        current_suggestion = str(registration.current.get(L.SUGGESTION) or "").strip()
        if registration.group_id in held:  # placed in a group that cannot be read: left as it is
            row[L.SUGGESTION] = registration.current.get(L.SUGGESTION)
            row[L.STATUS] = registration.current.get(L.STATUS)
            decision.count("hålls")
        elif current_suggestion in held and not registration.group_id:
            row[L.SUGGESTION] = registration.current.get(L.SUGGESTION)
            owned.append((L.STATUS, status, _is_status))
        else:
            owned += [(L.SUGGESTION, suggestion_text, lambda value: str(value).strip() in groups),
                      (L.STATUS, status, _is_status)]
        if registration.group_id not in held:
            decision.count(status.split(" (")[0])
        for column, value, ours in owned:
            key = registration_key(registration)
            decision.set(
                L.INTEREST, registration.row, column, workbook.address(L.INTEREST, registration.row, column),
                registration.current.get(column), value, ours,
                record=None if key is None else (L.INTEREST_TABLE.name, key),
                recorded=None if key is None else workbook.memory.get((L.INTEREST_TABLE.name, key, column)),
            )
    return decision


# Column names accepted in an imported list, besides the Intresse table's own (case-insensitive).
IMPORT_ALIASES = {
    "datum": L.RECEIVED, "inkommen": L.RECEIVED, "inkom datum": L.RECEIVED,
    "grupp": L.WISHED_GROUP, "önskemål": L.WISHED_GROUP,
    "patient": L.NAME, "namn på patient": L.NAME,
    "avsändare": L.SENT_BY, "från": L.SENT_BY,
}
IMPORT_COLUMNS = (L.RECEIVED, L.PERSONAL_NUMBER, L.NAME, L.WISHED_GROUP, L.SENT_BY, L.CARE_GUARANTEE_FROM)


def import_column(header: str) -> str | None:
    """The Intresse column an imported header means, or ``None``."""
    text = " ".join(header.split()).casefold()
    for column in L.INTEREST_TABLE.columns:
        if text == column.casefold():
            return column
    return IMPORT_ALIASES.get(text)


def import_registrations(
    workbook: Workbook, source: str, rows: Sequence[tuple[str, Mapping[str, object]]], today: date
) -> Decision:
    """New ``Intresse`` rows from a pasted 1177 list; duplicates and unusable rows are reported.

    ``rows`` are (cell address of the row's first cell in the list, values by Intresse column).
    A registration already in the workbook (same personnummer, wished group and ``Inkom``) or earlier
    in the list is skipped, so importing the same list twice adds nothing.
    """
    from .cells import as_date, as_text
    from .errors import InvalidDate, InvalidPersonalNumber
    from .personal_number import parse_personal_number

    decision = Decision()
    seen = {
        (r.personal_number.digits, r.wished_group.casefold(), r.received)
        for r in workbook.interest if r.personal_number is not None
    }
    for address, values in rows:
        try:
            number = parse_personal_number(values.get(L.PERSONAL_NUMBER), today=today)
            received = as_date(values.get(L.RECEIVED))
            start_from = as_date(values.get(L.CARE_GUARANTEE_FROM))
        except (InvalidPersonalNumber, InvalidDate) as problem:
            decision.problems.append(error(source, address, f"Raden importeras inte: {problem.message}"))
            decision.count("rad kunde inte användas|rader kunde inte användas")
            continue
        wished = as_text(values.get(L.WISHED_GROUP))
        matches = [name for name in workbook.group_types if name.casefold() == wished.casefold()]
        sent_by = as_text(values.get(L.SENT_BY))
        sender = next((value for value in L.SENDER_VALUES if value.casefold() == sent_by.casefold()), "")
        if received is None or not matches or (sent_by and not sender):
            reason = (
                "Inkom saknas" if received is None
                else "gruppen finns inte bland grupptyperna på bladet Koder" if not matches
                else "Anmälan från ska vara Patient eller Vårdnadshavare"
            )
            decision.problems.append(error(source, address, f"Raden importeras inte: {reason}."))
            decision.count("rad kunde inte användas|rader kunde inte användas")
            continue
        key = (number.digits, matches[0].casefold(), received)
        if key in seen:
            decision.count("fanns redan")
            continue
        seen.add(key)
        row = {
            L.RECEIVED: received,
            L.PERSONAL_NUMBER: number,
            L.NAME: as_text(values.get(L.NAME)),
            L.WISHED_GROUP: matches[0],
            L.SENT_BY: sender,
            L.CARE_GUARANTEE_FROM: start_from,
        }
        decision.rows.append(row)
        decision.appended.append(row)
        decision.count("ny anmälan|nya anmälningar")
    return decision
