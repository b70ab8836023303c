"""Ny grupp: a sheet for every ``Grupper`` row that has none, with weekly session dates (SPEC §4.7)."""

from __future__ import annotations

from datetime import date

from . import layout as L
from .calendar import non_working_reason, weekly_dates
from .errors import InvalidDate
from .model import NewGroupSheet, Workbook, warning
from .writes import Decision


def group_title(group_type: str, group_id: str) -> str:
    return f"{group_type} – {group_id}"


def plan_new_groups(workbook: Workbook, today: date) -> tuple[Decision, tuple[NewGroupSheet, ...]]:
    """The sheets to create, and one reported row per session (moves explained)."""
    decision = Decision()
    sheets: list[NewGroupSheet] = []
    existing = {name.casefold() for name in workbook.group_sheets}
    renamed = set(workbook.renamed_sheets.values())
    for group in workbook.groups:
        if group.group_id.casefold() in existing:
            continue
        if group.group_id in renamed:  # its sheet is there under another name (reported at that sheet)
            decision.count("blad med ändrat namn|blad med ändrade namn")
            continue
        address = workbook.address(L.GROUPS, group.row, L.GROUP_ID)
        if group.has_errors:  # reported at its cell, and the row says to fix it before Ny grupp
            decision.count("hoppades över")
            continue
        if group.start_date is None or group.session_count is None:
            decision.problems.append(warning(
                L.GROUPS, address,
                "Gruppbladet skapas inte: rätta raden först (Startdatum, Antal tillfällen och Grupp behövs).",
            ))
            decision.count("hoppades över")
            continue
        try:
            dates = weekly_dates(group.start_date, group.session_count)
        except InvalidDate as problem:
            decision.problems.append(warning(L.GROUPS, workbook.address(L.GROUPS, group.row, L.START_DATE), problem.message))
            decision.count("hoppades över")
            continue
        for number, (used, planned) in enumerate(dates, start=1):
            moved = ""
            if planned is not None:
                reason = non_working_reason(planned)
                moved = f"flyttad från {planned.isoformat()}" + (f" ({reason})" if reason else " (ett tidigare tillfälle flyttades)")
                decision.count("datum flyttat|datum flyttade")
            decision.rows.append({
                L.GROUP_ID: group.group_id,
                L.SESSION: number,
                L.DATE: used,
                "Flyttad": moved,
            })
        sheets.append(NewGroupSheet(
            name=group.group_id,
            title=group_title(group.group_type, group.group_id),
            session_dates=tuple(used for used, _planned in dates),
        ))
        decision.count("nytt gruppblad|nya gruppblad")
    return decision, tuple(sheets)
