"""The secretary's task list (``Att göra``): stable keys, no duplicates, ``Klar`` respected (SPEC §4.8).

Each button owns some task kinds (the part of ``Nyckel`` before the first ``:``) and merges the tasks
it wants now into the list. The list is never rewritten (co-authoring, SPEC §6): a task already there
keeps its row, ``Klar``, ``Skapad`` and the columns users added, and only its button-owned cells that
changed are written; a new task is appended below the last row; a task whose cause is gone is kept
and marked in ``Anmärkning`` (open: nothing to do any more; finished: check Elvis, it may already
have been changed). A task whose cause cannot be decided now, because something it derives from is
unreadable (a date typed as ``30/9``, a renamed sheet), is *held*: left exactly as it is.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from .records import Record, fields, replace
from datetime import date
from functools import lru_cache
from operator import attrgetter

from . import layout as L
from .model import CellWrite, PersonalNumber, Problem, Task, warning

# Task kinds, i.e. the first part of Nyckel.
BOOK_IN_ELVIS = "BOKA"
NO_SHOW = "U2"
CANCELLATION = "AVBOK"
JOURNAL = "JOURNAL"
PLANNING_ENTRY = "PLAN"

CAUSE_GONE = L.REMARK_CAUSE_GONE
NOT_NEEDED = L.REMARK_NOT_NEEDED

# Kinds whose key is kind:GruppID:Tn:person and kind:GruppID[:person].
SESSION_KINDS = frozenset({NO_SHOW, CANCELLATION})
GROUP_KINDS = frozenset({BOOK_IN_ELVIS, NO_SHOW, CANCELLATION, JOURNAL})

# The button-owned columns of Att göra, and how a Task gives each one's value.
_FIELDS = {
    L.KEY: "key", L.DUE: "due", L.TASK: "text", L.GROUP_ID: "group_id", L.SESSION: "session",
    L.DATE: "date", L.PERSONAL_NUMBER: "personal_number", L.NAME: "name", L.CREATED: "created",
    L.REMARK: "remark",
}


def person_token(number: PersonalNumber | None) -> str:
    """A short stable token for a person in task keys, so the key itself shows no personnummer."""
    if number is None:
        return "-"
    return _token(number.digits)


@lru_cache(maxsize=65536)
def _token(digits: str) -> str:  # a person recurs in every session's task and in every click's rules
    return _sha256()(digits.encode("ascii")).hexdigest()[:10]


@lru_cache(maxsize=1)
def _sha256():
    """SHA-256 as Python builds it in, where it can be had alone: ``hashlib`` first loads OpenSSL (≈ 4 ms
    of every command that makes task keys) for the same digest (tests/test_tasks.py compares them)."""
    try:
        from _sha2 import sha256  # CPython 3.12 and later
    except ImportError:
        try:
            from _sha256 import sha256  # CPython 3.11
        except ImportError:  # another Python: hashlib's
            from hashlib import sha256
    return sha256


def task_key(kind: str, *parts: object) -> str:
    return ":".join((kind, *map(str, parts)))


class KeyParts(Record):
    """A task key taken apart: kind, group, session number and person token (where the kind has them)."""

    kind: str
    group_id: str | None = None
    session: int | None = None
    person: str | None = None

    def __init__(self, kind: str, group_id: str | None = None, session: int | None = None,
                 person: str | None = None) -> None:  # written out: one per held task asked
        self.__dict__.update(kind=kind, group_id=group_id, session=session, person=person)


def key_parts(key: str) -> KeyParts:
    """``U2:G:T3:abc`` → (U2, G, 3, abc). A GruppID never holds ``:`` (it is a sheet name)."""
    kind, _, rest = key.partition(":")
    parts = rest.split(":") if rest else []
    if kind in SESSION_KINDS and len(parts) == 3 and parts[1][:1] == "T" and parts[1][1:].isdigit():
        return KeyParts(kind, parts[0], int(parts[1][1:]), parts[2])
    if kind == JOURNAL and len(parts) == 2:
        return KeyParts(kind, parts[0], None, parts[1])
    if kind == BOOK_IN_ELVIS and len(parts) == 1:
        return KeyParts(kind, parts[0])
    if kind == PLANNING_ENTRY and parts:
        return KeyParts(kind, None, None, parts[0])
    return KeyParts(kind)


class Hold(Record):
    """Existing tasks to leave exactly as they are, because something they derive from is unreadable.

    A task matches when its kind is in ``kinds`` and each given part (group, session, person token)
    equals the key's; ``unknown_people_only`` narrows a hold to tasks whose person is none of
    ``known_people`` (the participants that could be read), for a row whose personnummer cannot be.
    """

    kinds: frozenset[str]
    group_id: str | None = None
    session: int | None = None
    person: str | None = None
    unknown_people_only: bool = False
    known_people: frozenset[str] = frozenset()

    def __init__(self, kinds: frozenset[str], group_id: str | None = None, session: int | None = None,
                 person: str | None = None, unknown_people_only: bool = False,
                 known_people: frozenset[str] = frozenset()) -> None:  # written out: one per unreadable cell
        self.__dict__.update(kinds=kinds, group_id=group_id, session=session, person=person,
                             unknown_people_only=unknown_people_only, known_people=known_people)

    def holds(self, parts: KeyParts) -> bool:
        if parts.kind not in self.kinds:
            return False
        if self.group_id is not None and parts.group_id != self.group_id:
            return False
        if self.session is not None and parts.session != self.session:
            return False
        if self.person is not None and parts.person != self.person:
            return False
        return not (self.unknown_people_only and parts.person in self.known_people)


class _Holds:
    """Holds indexed by (kind, group), and those naming a person also by the person: a task is compared
    only with the holds of its kind and its group (or of every group) that name no person or its
    person, not with every hold (at ten years a click has thousands of tasks and dozens of holds; on
    a group sheet with many unreadable rows, one hold per row and session)."""

    def __init__(self, holds: Sequence[Hold]) -> None:
        self._by: dict[tuple[str, str | None], list[Hold]] = {}  # holds naming no person
        self._by_person: dict[tuple[str, str | None, str], list[Hold]] = {}
        self._groups: set[tuple[str, str | None]] = set()  # (kind, group) of every hold
        for hold in holds:
            for kind in hold.kinds:
                self._groups.add((kind, hold.group_id))
                if hold.person is None:
                    self._by.setdefault((kind, hold.group_id), []).append(hold)
                else:
                    self._by_person.setdefault((kind, hold.group_id, hold.person), []).append(hold)

    def cover(self, task: Task) -> bool:
        kind, _, rest = task.key.partition(":")
        # Without a hold of its kind for every group, or for the group its key names (if it names
        # one), no hold can cover it: most tasks are decided here, without taking the key apart.
        if (kind, None) not in self._groups and (kind, rest.partition(":")[0]) not in self._groups:
            return False
        parts = key_parts(task.key)
        for group in (None,) if parts.group_id is None else (parts.group_id, None):
            for hold in self._by.get((parts.kind, group), ()):
                if hold.holds(parts):
                    return True
            if parts.person is not None:  # a hold naming a person covers only that person's tasks
                for hold in self._by_person.get((parts.kind, group, parts.person), ()):
                    if hold.holds(parts):
                        return True
        return False


# The fields a wanted task gives an existing row (the rest — row, Klar, Skapad, Anmärkning, users'
# columns — come from the row itself): when they are all equal, the row is kept as the same object.
_FROM_WANTED = attrgetter(*(f.name for f in fields(Task) if f.name not in {"row", "done", "created", "remark", "extra"}))


def merge_tasks(
    existing: Sequence[Task], wanted: Iterable[Task], kinds: Collection[str], *, today: date,
    holds: Sequence[Hold] = (),
) -> tuple[Task, ...]:
    """The whole task list after a button that owns ``kinds`` has said which tasks it ``wanted``.

    Existing rows keep their places (the order is the user's: they may sort and filter); new tasks
    follow in due-date order. A row whose key is already above (copied by hand) is left as it is.
    A task a hold covers (what it derives from cannot be read now) is left exactly as it is, even when
    the rule still wanted it from what it could read, and none is added: the freeze rule.
    """
    held = _Holds(holds)
    wanted_by_key: dict[str, Task] = {}
    for task in wanted:
        wanted_by_key.setdefault(task.key, task)
    merged: list[Task] = []
    seen: set[str] = set()
    for task in existing:
        if task.key in seen or task.key.partition(":")[0] not in kinds:  # task.kind, without the call
            merged.append(task)
            continue
        seen.add(task.key)
        fresh = wanted_by_key.get(task.key)
        if held.cover(task):  # what it derives from cannot be read now: as it is
            merged.append(task)
        elif fresh is not None:
            if task.created and not task.remark and _FROM_WANTED(fresh) == _FROM_WANTED(task):
                merged.append(task)  # what the replace below would give: unchanged (most rows, every click)
            else:
                merged.append(replace(fresh, row=task.row, done=task.done, created=task.created or today, remark="",
                                      extra=task.extra))
        else:
            merged.append(replace(task, remark=CAUSE_GONE if task.is_done else NOT_NEEDED))
    new = [task for key, task in wanted_by_key.items() if key not in seen and not held.cover(task)]
    new.sort(key=lambda task: (task.due or date.max, task.key))
    # a rule's task already says it is new today (row None, Skapad today): kept as it is
    merged.extend(task if task.row is None and task.created == today else replace(task, row=None, created=today)
                  for task in new)
    return tuple(merged)


def task_changes(
    existing: Sequence[Task], merged: Sequence[Task], present: Collection[str] = tuple(_FIELDS),
) -> tuple[list[CellWrite], list[Task]]:
    """What makes the sheet say ``merged``: cell writes to the button-owned cells of existing rows that
    change (``Klar`` and users' columns never; only ``present`` columns, those the sheet has), and the
    new tasks to append."""
    by_row = {task.row: task for task in existing if task.row is not None}
    writes: list[CellWrite] = []
    appended: list[Task] = []
    for task in merged:
        if task.row is None:
            appended.append(task)
            continue
        before = by_row.get(task.row)
        if before is None or before is task:
            continue
        for column, attribute in _FIELDS.items():
            value = getattr(task, attribute)
            if column in present and value != getattr(before, attribute):
                writes.append(CellWrite(L.TASKS, task.row, column, value))
    return writes, appended


def duplicate_rows(existing: Sequence[Task], address) -> list[Problem]:
    """One Kontroll line per task row whose Nyckel is already on an earlier row (a row copied by hand)."""
    first: dict[str, int] = {}
    problems = []
    for task in existing:
        if task.row is None:
            continue
        if task.key in first:
            problems.append(warning(
                L.TASKS, address(task.row),
                f"Uppgiften finns redan på rad {first[task.key]} (samma Nyckel). Ta bort den ena raden; "
                "knapparna uppdaterar bara den första.",
            ))
        else:
            first[task.key] = task.row
    return problems


def is_overdue(task: Task, today: date) -> bool:
    """An open task whose due date has passed (due today is not yet overdue)."""
    return task.is_open and task.due is not None and task.due < today
