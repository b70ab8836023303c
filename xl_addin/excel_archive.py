"""The xlwings edge of Arkivera avslutade grupper: archive file first, read back and verified, and only
then the rows and sheets removed from the live workbook.

The archive file goes to a local folder (``archive_folder``), never next to the workbook: on Sofia the
workbook's ``fullname`` is an https address, not a folder this program can write to. Under xlwings Lite
(Pyodide in Excel on the web) no file can be written at all, so the button changes nothing and says
what to do instead. The file libraries (XlsxWriter, python-calamine) are imported inside the click only.

Removing rows deletes table rows in Excel (the rows below move up), so what a co-author is typing in
another row stays with that row; the number of Excel calls grows with the number of runs of adjacent
rows that leave, not with the rows themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path, PurePath

from . import excel_edge, services
from .domain import layout as L
from .domain.archive import ArchivePlan, Verdict, remaining_grids, removal_runs
from .domain.errors import UserError
from .domain.model import Outcome
from .domain.parsing import read_workbook

ARCHIVE_FOLDER_NAME = "BUP Gruppbokningar arkiv"
_MAX_LISTED = 12  # groups listed in the message box; the rest are counted


def archive_folder() -> Path:
    """Where the button saves archive files: ``Dokument/BUP Gruppbokningar arkiv`` (the home folder when
    there is no Documents folder). Local, so the file is complete before anything is removed."""
    home = Path.home()
    documents = home / "Documents"
    return (documents if documents.is_dir() else home) / ARCHIVE_FOLDER_NAME


def _where_text() -> str:
    return f"mappen Dokument\\{ARCHIVE_FOLDER_NAME}"  # without the user's name (Status and Logg)


def lite_message() -> str:
    return (
        "Arkivera avslutade grupper fungerar inte i Excel på webben (xlwings Lite): där kan ingen arkivfil "
        "sparas, och utan en kontrollerad arkivfil tas inget bort. Inget har ändrats. Gör så här i stället: "
        "öppna arbetsboken i Excel för skrivbordet (Öppna i skrivbordsappen) och klicka på knappen där, "
        "eller be IT-kontakten köra bup-grupper archive på en kopia av arbetsboken."
    )


def _why_not(staying: tuple[Verdict, ...]) -> list[str]:
    lines = [f"{verdict.group_id}: {verdict.reasons[0]}" + (f" (och {len(verdict.reasons) - 1} till)"
                                                            if len(verdict.reasons) > 1 else "")
             for verdict in staying[:_MAX_LISTED]]
    if len(staying) > _MAX_LISTED:
        lines.append(f"… och {len(staying) - _MAX_LISTED} grupper till.")
    return lines


def click(book, today: date, user: str) -> Outcome:
    """One click of the archive button (``buttons.archive``)."""
    label = L.BUTTON_ARCHIVE
    if excel_edge.lacks_local_files():
        message = f"{label} {today.isoformat()}: {lite_message()}"
        excel_edge.write_status(book, message)
        excel_edge.show_message(book, message, critical=True)
        return Outcome(command=services.ARCHIVE.name, today=today, summary=message)
    try:
        snapshot = excel_edge.read_book(book)
        workbook = read_workbook(*snapshot, today=today)
        plan = services.plan_archive(workbook, *snapshot, today)
    except UserError as problem:
        return _failed(book, today, str(problem), f"{label} {today.isoformat()}: {problem}")
    except Exception as error:
        excel_edge.log_exception(label, error)
        return _failed(book, today, excel_edge.unexpected_message(error), _status_after_error(today, error))
    if not plan.leaving:
        outcome = services.after_archive(workbook, today, plan)
        lines = [excel_edge.scrub(outcome.summary), "Ingen grupp är klar att arkiveras. Det här är kvar att göra:"]
        return _finish(book, outcome, workbook.columns, snapshot, user, "\n".join(lines + _why_not(plan.staying)))
    try:
        _check_removable(book, plan)
    except excel_edge.Refused as refusal:
        excel_edge.show_message(book, str(refusal), critical=True)
        return Outcome(command=services.ARCHIVE.name, today=today, summary=str(refusal))
    try:
        path = write_verified_archive(plan, book.name, today)
    except UserError as problem:  # written but not what it should be: nothing is removed
        return _refuse(book, today, str(problem))
    except OSError as error:  # nothing written anywhere: the workbook is not touched either
        excel_edge.log_exception(f"{label} (arkivfil)", error)
        return _refuse(book, today, (
            f"Arkivfilen kunde inte sparas i {_where_text()} ({type(error).__name__}). Inget har ändrats i "
            "arbetsboken. Kontrollera att mappen går att skriva i och att disken inte är full, och klicka igen. "
            "Går det inte: be IT-kontakten köra bup-grupper archive på en kopia av arbetsboken."))
    steps = removal_steps(book, plan)
    done: list[str] = []
    for description, run in steps:
        try:
            run()
        except Exception as error:
            excel_edge.log_exception(f"{label} (borttagning)", error)
            left = [later for later, _ in steps[len(done):]]
            message = (f"Arkivfilen är sparad och kontrollerad: {path}. Sedan avbröts borttagningen "
                       f"({type(error).__name__}). Detta togs bort: {'; '.join(done) or 'inget'}. Detta finns "
                       f"kvar: {'; '.join(left)}. Allt finns i arkivfilen; ta bort resten för hand eller "
                       "kontakta IT-kontakten.")
            return _failed(book, today, message, _status_after_error(today, error))
        done.append(description)
    left_grids, left_tables = remaining_grids(plan, *snapshot)
    remaining = read_workbook(left_grids, left_tables, today=today)
    outcome = services.after_archive(remaining, today, plan)
    lines = [
        excel_edge.scrub(outcome.summary),
        f"Arkivfilen: {path}",
        "Den innehåller patientuppgifter (personnummer, namn, närvaro). Flytta den till Sofias slutna yta "
        "enligt regionens regler och ta sedan bort den från datorn.",
    ]
    if plan.staying:
        lines.append("Grupper som stannar:")
        lines += _why_not(plan.staying)
    return _finish(book, outcome, remaining.columns, (left_grids, left_tables), user, "\n".join(lines))


def write_verified_archive(plan: ArchivePlan, book_name: str, today: date) -> Path:
    """Write the archive file (a new name, never over a file) and read it back; raises if it differs."""
    from .files.archive_file import archive_file_name, build_archive, write_verified

    data = build_archive(plan, book_name)
    stamp = datetime.now().strftime("%H%M%S")
    return write_verified(archive_folder() / archive_file_name(PurePath(book_name).stem, today, stamp), data, plan)


def removal_steps(book, plan: ArchivePlan) -> list[tuple[str, Callable[[], None]]]:
    """The Excel calls that remove what ``plan`` moved out: table rows bottom-up (the table's cells, shifted
    up, so cells beside the table stay), then the sheets."""
    steps: list[tuple[str, Callable[[], None]]] = []
    for extract in plan.tables:
        last_column = extract.first_column + len(extract.columns) - 1
        for first, last in removal_runs(extract.rows):
            def run(sheet=extract.sheet, first=first, last=last, left=extract.first_column, right=last_column):
                book.sheets[sheet].range((first, left), (last, right)).delete(shift="up")

            count = last - first + 1
            steps.append((f"{extract.sheet}: {count} {'rad' if count == 1 else 'rader'}", run))
    for name in plan.leaving:
        steps.append((f"bladet {name}", lambda name=name: book.sheets[name].delete()))
    return steps


def _check_removable(book, plan: ArchivePlan) -> None:
    if excel_edge.is_read_only(book):
        raise excel_edge.Refused(excel_edge._refused_read_only())
    if plan.leaving and excel_edge.is_structure_protected(book):
        raise excel_edge.Refused(
            "Arbetsbokens struktur är skyddad, så gruppbladen kan inte tas bort. Ta bort skyddet (Granska > "
            "Skydda arbetsbok) och klicka igen. Inget har ändrats."
        )
    sheets = sorted({extract.sheet for extract in plan.tables} | set(plan.leaving))
    protected = [name for name in sheets if excel_edge.is_sheet_protected(book.sheets[name])]
    if protected:
        raise excel_edge.Refused(excel_edge._refused_protected(protected))


def _finish(book, outcome: Outcome, columns: Mapping[str, Mapping[str, int]], snapshot, user: str,
            message: str) -> Outcome:
    log_row = {
        L.TIMESTAMP: datetime.now().replace(microsecond=0), L.USER: user, L.FUNCTION: L.BUTTON_ARCHIVE,
        L.RESULT: outcome.summary,
    }
    try:
        excel_edge.apply(book, outcome, columns, log_row, snapshot=snapshot)
    except excel_edge.Refused as refusal:
        excel_edge.show_message(book, str(refusal), critical=True)
        return Outcome(command=outcome.command, today=outcome.today, summary=str(refusal))
    except excel_edge.WriteFailed as failure:
        excel_edge.write_status(book, _status_after_error(outcome.today, failure.__cause__ or failure))
        excel_edge.show_message(book, str(failure), critical=True)
        return Outcome(command=outcome.command, today=outcome.today, summary=str(failure))
    excel_edge.show_message(book, message)
    return outcome


def _refuse(book, today: date, message: str) -> Outcome:
    """Nothing written, not even Status: only the message."""
    excel_edge.show_message(book, message, critical=True)
    return Outcome(command=services.ARCHIVE.name, today=today, summary=message)


def _failed(book, today: date, message: str, status: str) -> Outcome:
    excel_edge.write_status(book, status)
    excel_edge.show_message(book, message, critical=True)
    return Outcome(command=services.ARCHIVE.name, today=today, summary=message)


def _status_after_error(today: date, error: BaseException) -> str:
    return f"{L.BUTTON_ARCHIVE} {today.isoformat()}: avbröts av ett fel ({type(error).__name__}). Se meddelandet."
