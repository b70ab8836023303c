"""The Sofia workbook's buttons: one function per button, called from VBA through xlwings' RunPython.

Each function only does the Excel part: take the workbook (``xw.Book.caller()`` when none is given),
read it in bulk, call the same ``services`` function as the command line, apply the outcome, and say
what happened in Swedish. The clock is read here and nowhere deeper; tests pass ``today=``.

Importing this module stays cheap: xlwings is imported only inside a click, and so are the
product's own modules (the services, the parser, the xlwings edge): Excel imports this module before
the click and RunPython may import it where no click follows. Nothing here imports openpyxl,
XlsxWriter, python-calamine, the template builder or the file edge.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import xlwings as xw

    from . import services
    from .domain.model import Outcome, Workbook

Service = Callable[["Workbook", date], "Outcome"]


def __getattr__(name: str) -> object:
    if name == "MACROS":  # (caption, Sub in vba/Knappar.bas, function here), from the contract when asked
        from .domain import layout as L

        return L.BUTTONS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_click_modules() -> None:
    """Import what a click needs ahead of the first click (the services, the parser, the rules, the
    xlwings edge and the holiday calendar). xlwings Lite calls this when it loads main.py: its Python
    stays loaded between clicks, so the first click is then as quick as the next. Classic xlwings
    (RunPython) imports them inside the click instead, which keeps importing this module cheap."""
    from . import excel_edge, services  # noqa: F401
    from .domain import calendar, parsing, swedish_days_off  # noqa: F401


def _command(name: str) -> tuple[services.Command, Service]:
    from . import services

    return getattr(services, name.upper()), getattr(services, name)


def check(book: xw.Book | None = None, *, today: date | None = None) -> Outcome:
    """Kontrollera: fills Kontroll with every problem in the workbook."""
    return _click(book, "check", today)


def flag_late_rosters(book: xw.Book | None = None, *, today: date | None = None) -> Outcome:
    """Flagga sena listor: Sista dag för lista and Status in Grupper, Elvis tasks in Att göra."""
    return _click(book, "flag_late_rosters", today)


def mark_no_shows(book: xw.Book | None = None, *, today: date | None = None) -> Outcome:
    """Markera uteblivanden: U2 and cancellation tasks in Att göra, missing attendance in Kontroll."""
    return _click(book, "mark_no_shows", today)


def journal_phrases(book: xw.Book | None = None, *, today: date | None = None) -> Outcome:
    """Skapa journaltexter: Journaltext of finished groups' participants, journal tasks."""
    return _click(book, "journal_phrases", today)


def export_registrations(book: xw.Book | None = None, *, today: date | None = None) -> Outcome:
    """Exportera registreringslista: rows appended to Registrering, the export date in Registrerad."""
    return _click(book, "export_registrations", today)


def plan_interest(book: xw.Book | None = None, *, today: date | None = None) -> Outcome:
    """Intresseanmälningar: vårdgaranti, suggested group and status per registration."""
    return _click(book, "plan_interest", today)


def new_groups(book: xw.Book | None = None, *, today: date | None = None) -> Outcome:
    """Ny grupp: a sheet copied from Gruppmall for every Grupper row without one."""
    return _click(book, "new_groups", today)


def refresh_all(book: xw.Book | None = None, *, today: date | None = None) -> Outcome:
    """Uppdatera allt: every rule on one snapshot, one merged task list, one Kontroll, one apply."""
    return _click(book, "refresh_all", today)


def archive(book: xw.Book | None = None, *, today: date | None = None) -> Outcome:
    """Arkivera avslutade grupper: finished groups to a new, verified archive file, then out of the workbook."""
    from . import excel_archive

    if book is None:
        import xlwings as xw

        book = xw.Book.caller()
    return excel_archive.click(book, today or date.today(), _user())


# -- one click --------------------------------------------------------------------------------------
def _click(book: xw.Book | None, name: str, today: date | None) -> Outcome:
    from . import excel_edge
    from .domain import layout as L
    from .domain.errors import UserError
    from .domain.parsing import read_workbook
    from .domain.records import replace

    command, service = _command(name)
    if book is None:
        import xlwings as xw

        book = xw.Book.caller()
    today = today or date.today()
    label = command.label
    try:
        snapshot = excel_edge.read_book(book)
        workbook = read_workbook(*snapshot, today=today)
        outcome = service(workbook, today)
    except UserError as problem:  # the workbook cannot be used as it is: the message says why
        return _failed(book, command, today, str(problem), status=f"{label} {today.isoformat()}: {problem}")
    except Exception as error:
        excel_edge.log_exception(label, error)
        return _failed(book, command, today, excel_edge.unexpected_message(error),
                       status=_status_after_error(label, today, error))
    log_row = {
        L.TIMESTAMP: datetime.now().replace(microsecond=0),
        L.USER: _user(),
        L.FUNCTION: label,
        L.RESULT: outcome.summary,
    }
    try:
        excel_edge.apply(book, outcome, workbook.columns, log_row, snapshot=snapshot)
    except excel_edge.Refused as refusal:  # nothing was written, not even Status
        excel_edge.show_message(book, str(refusal), critical=True)
        return replace(outcome, summary=str(refusal))
    except excel_edge.WriteFailed as failure:  # already logged
        excel_edge.write_status(book, _status_after_error(label, today, failure.__cause__ or failure))
        excel_edge.show_message(book, str(failure), critical=True)
        return replace(outcome, summary=str(failure))
    except Exception as error:  # failed while planning, before the first write
        excel_edge.log_exception(label, error)
        message = excel_edge.unexpected_message(error)
        excel_edge.show_message(book, message, critical=True)
        return replace(outcome, summary=message)
    excel_edge.show_message(book, _done_message(outcome))
    return outcome


def _failed(book, command: services.Command, today: date, message: str, *, status: str) -> Outcome:
    from . import excel_edge
    from .domain.model import Outcome

    excel_edge.write_status(book, status)
    excel_edge.show_message(book, message, critical=True)
    return Outcome(command=command.name, today=today, summary=message)


def _status_after_error(label: str, today: date, error: BaseException) -> str:
    return f"{label} {today.isoformat()}: avbröts av ett fel ({type(error).__name__}). Se meddelandet."


def _done_message(outcome: Outcome) -> str:
    from . import excel_edge

    lines = [excel_edge.scrub(outcome.summary)]
    if outcome.problems:
        lines.append("Problemen står på bladet Kontroll, med celladress.")
    if any(task.is_open for task in outcome.tasks):
        lines.append("Uppgifterna står på bladet Att göra.")
    if outcome.new_sheets and excel_edge.lacks_sheet_copy():
        lines.append(excel_edge.new_sheet_note())
    return "\n".join(lines)


def _user() -> str:
    if sys.platform == "emscripten":  # xlwings Lite: the browser's Python does not know who is signed in
        return ""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
