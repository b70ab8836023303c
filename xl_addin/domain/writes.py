"""Deciding a button-owned cell: write only what changes, and never over something a user typed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from .cells import as_text, is_blank
from .model import CellWrite, Problem, Task, warning


def same_value(current: object, new: object) -> bool:
    """True when the cell already shows ``new`` (dates compare by day, numbers by value, text trimmed)."""
    if is_blank(current) and is_blank(new):
        return True
    if isinstance(new, date) and not isinstance(new, datetime):
        if isinstance(current, datetime):
            return current.date() == new
        return isinstance(current, date) and current == new
    if isinstance(new, (int, float)) and not isinstance(new, bool):
        return isinstance(current, (int, float)) and not isinstance(current, bool) and float(current) == float(new)
    return as_text(current) == as_text(new)


def is_date(value: object) -> bool:
    return isinstance(value, date)


def one_of(*values: str) -> Callable[[object], bool]:
    """A test for cells the button wrote: blank or one of ``values``."""
    allowed = set(values)
    return lambda value: as_text(value) in allowed


@dataclass
class Decision:
    """What one rule decided: reported rows, wanted tasks, problems, and the cell writes."""

    rows: list[dict[str, object]] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    writes: list[CellWrite] = field(default_factory=list)
    appended: list[dict[str, object]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, label: str, amount: int = 1) -> None:
        self.counts[label] = self.counts.get(label, 0) + amount

    def set(
        self,
        sheet: str,
        row: int,
        column: str,
        address: str,
        current: object,
        new: object,
        ours: Callable[[object], bool],
    ) -> None:
        """Write ``new`` unless the cell shows it already, or holds something the button never writes."""
        if same_value(current, new):
            return
        if not is_blank(current) and not ours(current):
            self.problems.append(warning(
                sheet, address,
                f"{column} har ändrats för hand och lämnas orört. Töm cellen om knappen ska fylla i den.",
            ))
            return
        self.writes.append(CellWrite(sheet, row, column, new))
