"""Deciding a button-owned cell: write only what changes, and never over something a user typed."""

from __future__ import annotations

from collections.abc import Callable
from .records import Record, field
from datetime import date, datetime

from .cells import as_text, is_blank
from .model import CellWrite, Problem, Task, warning
from .tasks import Hold


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


class Decision(Record, frozen=False):
    """What one rule decided: reported rows, wanted tasks, problems, and the cell writes."""

    rows: list[dict[str, object]] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    writes: list[CellWrite] = field(default_factory=list)
    appended: list[dict[str, object]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    holds: list[Hold] = field(default_factory=list)  # existing tasks to leave as they are (unreadable input)
    kept: list[tuple[str, int, str]] = field(default_factory=list)  # (sheet, row, column) a person typed into
    remembered: dict[tuple[str, str, str], str] = field(default_factory=dict)  # Knappminne entries to write

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
        *,
        record: tuple[str, str] | None = None,
        recorded: str | None = None,
    ) -> None:
        """Write ``new`` into a button-owned cell unless it shows it already or holds what a person typed.

        The cell is the button's to replace when it is blank, or when it shows what Knappminne says the
        button last wrote there (``recorded``, under ``record`` = (table, row key)). Without a record
        (a workbook from before contract 1.2, or a row the button never wrote) a value of the form the
        button writes counts as its own (``ours``). Anything else is a person's: it is kept, reported
        at its cell, and its record is left as it was, so it stays recognised as typed.
        """
        if same_value(current, new):
            self._remember(record, column, new)
            return
        if not is_blank(current):
            mine = as_text(current) == recorded if recorded is not None else ours(current)
            if not mine:
                shown = as_text(new) or "tomt"
                self.problems.append(warning(
                    sheet, address,
                    f"{column} har ändrats för hand och lämnas orört (knappen skulle skriva {shown}). "
                    "Töm cellen om knappen ska fylla i den.",
                ))
                self.kept.append((sheet, row, column))
                return
        self.writes.append(CellWrite(sheet, row, column, new))
        self._remember(record, column, new)

    def _remember(self, record: tuple[str, str] | None, column: str, value: object) -> None:
        if record is not None:
            self.remembered[(record[0], record[1], column)] = as_text(value)
