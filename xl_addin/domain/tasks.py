"""The secretary's task list (``Att göra``): stable keys, no duplicates, ``Klar`` respected (SPEC §4.8).

Each button owns some task kinds (the part of ``Nyckel`` before the first ``:``) and merges the tasks
it wants now into the list: a task already there keeps its row, ``Klar`` and ``Skapad``; a new one is
appended; an open task whose cause is gone is removed; a finished one whose cause is gone stays and is
flagged, because Elvis may already have been changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from datetime import date

from . import layout as L
from .model import PersonalNumber, Task

# Task kinds, i.e. the first part of Nyckel.
BOOK_IN_ELVIS = "BOKA"
NO_SHOW = "U2"
CANCELLATION = "AVBOK"
JOURNAL = "JOURNAL"
PLANNING_ENTRY = "PLAN"

CAUSE_GONE = L.REMARK_CAUSE_GONE


def person_token(number: PersonalNumber | None) -> str:
    """A short stable token for a person in task keys, so the key itself shows no personnummer."""
    if number is None:
        return "-"
    return hashlib.sha256(number.digits.encode("ascii")).hexdigest()[:10]


def task_key(kind: str, *parts: object) -> str:
    return ":".join([kind, *(str(part) for part in parts)])


def merge_tasks(
    existing: Sequence[Task], wanted: Iterable[Task], kinds: Collection[str], *, today: date
) -> tuple[Task, ...]:
    """The whole task list after a button that owns ``kinds`` has said which tasks it ``wanted``.

    Order: existing rows keep their places (so a user's sorting and the writes stay small); new
    tasks are appended in due-date order.
    """
    wanted_by_key: dict[str, Task] = {}
    for task in wanted:
        wanted_by_key.setdefault(task.key, task)
    merged: list[Task] = []
    seen: set[str] = set()
    for task in existing:
        if task.key in seen:
            continue  # a row copied by hand: keep the first, drop the duplicate
        seen.add(task.key)
        if task.kind not in kinds:
            merged.append(task)
            continue
        fresh = wanted_by_key.get(task.key)
        if fresh is not None:
            merged.append(replace(fresh, done=task.done, created=task.created or today, remark="", extra=task.extra))
        elif task.is_done:
            merged.append(replace(task, remark=CAUSE_GONE))
        # an open task whose cause is gone is dropped
    new = [task for key, task in wanted_by_key.items() if key not in seen]
    new.sort(key=lambda task: (task.due or date.max, task.key))
    merged.extend(replace(task, created=today) for task in new)
    return tuple(merged)


def is_overdue(task: Task, today: date) -> bool:
    """An open task whose due date has passed (due today is not yet overdue)."""
    return not task.is_done and task.due is not None and task.due < today
