"""Synthetic Sofia workbooks for the benchmarks: a clinic's term, ten years, and ten times that.

Every person is invented: names are combinations of obviously made-up words and every personnummer
is fictional (valid check digit, serial numbers 900–999 as in the demo). The same size and seed give
the same workbook, byte for byte; files are cached under ``build/benchmarks/`` keyed by size, seed and
a hash of the generator and the workbook contract (``domain/layout.py``), so a change to either builds
them anew (``--force`` builds them anyway, e.g. after a change to the template's formatting).

The workbook is what a clinic's file looks like after years of use, as of ``TODAY``: past sessions
have attendance (mostly ``Deltog``, some ``Uteblev`` and ``Avbokad``, short forms like ``D`` and
``u``, a few blanks in the last weeks and rare typos), participants who left a group, a ``Registrerad``
row filled for exported sessions and the last year's ``Registrering`` rows, journal texts of finished
groups, interest registrations (old ones placed, recent ones waiting), the ``Att göra`` list the
buttons built (old tasks marked ``Klar``), a stale ``Kontroll`` and a ``Logg``. Upcoming groups are in
every roster state, and a few ``Grupper`` rows have no sheet yet.

The state that the buttons derive (tasks, journal texts, registration rows) comes from the product's
own services run on a first draft of the workbook, so the final file is consistent with the rules.

    python benchmarks/generate.py [--sizes term,decade,stress] [--seed 7] [--force]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from xl_addin.domain.records import replace
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from xl_addin import services  # noqa: E402
from xl_addin.domain import layout as L  # noqa: E402
from xl_addin.domain.calendar import next_working_day, weekly_dates  # noqa: E402
from xl_addin.domain.personal_number import PersonalNumber, make_personal_number  # noqa: E402
from xl_addin.files.reader import read_workbook_file  # noqa: E402
from xl_addin.template import GroupSheetContent, WorkbookContent, write_workbook  # noqa: E402

TODAY = date(2026, 10, 14)  # a Wednesday; the benchmarks run every command "as of" this day
CACHE = ROOT / "build" / "benchmarks"  # the default; run.py can pass another folder
DEFAULT_SEED = 7


@dataclass(frozen=True)
class Size:
    """A workbook size: how many groups, over how many years up to ``TODAY`` (plus the coming term)."""

    name: str
    groups: int
    years: float
    description: str


SIZES: dict[str, Size] = {
    "term": Size("term", 20, 0.4, "en termin på en mottagning (≈20 grupper × 10 deltagare × 10 tillfällen)"),
    "decade": Size("decade", 500, 10, "tio år på en mottagning (≈500 grupper, ≈50 000 närvaroceller)"),
    "stress": Size("stress", 5000, 10, "tio gånger tio år (≈5 000 grupper, ≈500 000 närvaroceller)"),
}

# Group types: (name, short form for GruppID, Deltar, Besökstyp, Åtgärdskod, journal at end, age range).
_TYPES = (
    ("ADHD Ung", "ADHDUng", L.ATTENDEE_PATIENT, "Gruppbesök", "DU011", False, (13, 17)),
    ("Autism Ung", "AutismUng", L.ATTENDEE_PATIENT, "Gruppbesök", "DU011", False, (13, 17)),
    ("Mitt barn har autism", "MittBarn", L.ATTENDEE_GUARDIAN, "Gruppbesök", "GB009", True, (3, 11)),
    ("SKILLS", "SKILLS", L.ATTENDEE_PATIENT, "Gruppbesök", "DU021", False, (14, 17)),
    ("Autism i vardagen", "AutismVardag", L.ATTENDEE_GUARDIAN, "Gruppbesök", "GB009", True, (4, 12)),
)
_FIRST = (
    "Testa", "Exempel", "Påhittad", "Låtsas", "Prova", "Demo", "Modell", "Övning", "Skiss", "Utkast",
    "Fiktiva", "Exempla", "Provare", "Testine", "Låtsa", "Påhitta", "Mallis", "Övis", "Skissa", "Demona",
)
_FAMILY = (
    "Testsson", "Exempelsson", "Fiktivsdotter", "Låtsasberg", "Provkvist", "Demoström", "Mallberg",
    "Övningsdotter", "Skissgren", "Utkastlund", "Påhittadsson", "Exempelberg", "Modellsson", "Provgren",
)
_GUARDIANS = ("Förälder", "Vårdare", "Exemplara", "Testbert", "Påhittadine", "Låtsasgun", "Provgerd")
_LEADERS = (
    "Behandlare Exempelsson, Psykolog Testdotter", "Terapeut Påhittadsson, Kurator Låtsasberg",
    "Psykolog Provkvist, Behandlare Demoström", "Kurator Mallberg, Psykolog Skissgren",
)
_REASONS = L.CANCELLATION_REASON_SEED
_SESSION_COUNTS = (6, 8, 10, 10, 12, 14)  # mean 10
_USERS = ("sekr01", "sekr02", "sekr03")
_TYPOS = ("x", "Delt", "?", "1")
_RECENT_BLANK_DAYS = 21  # attendance may still be missing for sessions this recent
_EXPORTED_BEFORE_DAYS = 5  # sessions older than this have been exported for registration
_REGISTRATION_KEPT_DAYS = 365  # the clinic clears Registrering rows older than a year


@dataclass
class _Group:
    group_id: str
    type_index: int
    dates: list[date]
    max_participants: int
    ready: date | None
    booked: date | None
    has_sheet: bool
    participants: list[dict[str, object]]

    @property
    def type(self) -> tuple:
        return _TYPES[self.type_index]


def source_hash() -> str:
    """A short hash of the code that decides the file's content: this generator and the contract.

    The template's formatting is left out on purpose: it changes often and does not change what the
    commands read, and the stress workbook takes minutes to build.
    """
    digest = hashlib.sha256()
    for path in (Path(__file__), ROOT / "xl_addin" / "domain" / "layout.py"):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def workbook_path(size: str, seed: int = DEFAULT_SEED, cache: Path = CACHE) -> Path:
    return Path(cache) / f"{size}-seed{seed}-{source_hash()}.xlsx"


def _person(rng: random.Random, start: date, ages: tuple[int, int], taken: set[str]) -> PersonalNumber:
    while True:
        age = rng.randint(*ages)
        birth = date(start.year - age, rng.randint(1, 12), rng.randint(1, 28))
        number = make_personal_number(birth, rng.randint(900, 999))
        if number.digits not in taken:
            taken.add(number.digits)
            return number


def _attendance(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.80:
        return L.ATTENDED
    if roll < 0.84:
        return rng.choice(("D", "d", "Deltog ", "deltog"))
    if roll < 0.91:
        return rng.choice((L.NO_SHOW, L.NO_SHOW, "U", "u"))
    return rng.choice((L.CANCELLED, L.CANCELLED, "A"))


def _start_days(rng: random.Random, size: Size) -> list[date]:
    """Group start dates: ``size.years`` back from ``TODAY`` up to ten weeks ahead, in term time."""
    first = TODAY - timedelta(days=round(size.years * 365))
    last = TODAY + timedelta(days=70)
    days = []
    while len(days) < size.groups:
        day = first + timedelta(days=rng.randint(0, (last - first).days))
        if day.month in (6, 7) or (day.month == 12 and day.day > 10) or day.weekday() > 3:
            continue  # groups run in term time, Monday to Thursday
        days.append(day)
    return sorted(days)


def _groups(rng: random.Random, size: Size) -> list[_Group]:
    groups: list[_Group] = []
    used_ids: set[str] = set()
    for start in _start_days(rng, size):
        type_index = rng.randrange(len(_TYPES))
        _name, short, _attendee, _visit, _code, _journal, ages = _TYPES[type_index]
        base = f"{short}-{start:%y%m}"
        group_id, serial = base, 1
        while group_id in used_ids:
            serial += 1
            group_id = f"{base}-{serial:02d}"
        used_ids.add(group_id)
        dates = [used for used, _planned in weekly_dates(start, rng.choice(_SESSION_COUNTS))]
        deadline = dates[0] - timedelta(days=14)
        ready: date | None
        if deadline < TODAY or rng.random() < 0.4:
            roll = rng.random()
            if roll < 0.85:
                ready = deadline - timedelta(days=rng.randint(0, 10))
            elif roll < 0.97:
                ready = deadline + timedelta(days=rng.randint(1, 6))
            else:
                ready = None  # never reported: Sen
        else:
            ready = None
        if ready is not None and ready > TODAY:
            ready = None
        booked = None
        if ready is not None and (dates[0] <= TODAY or rng.random() < 0.6):
            booked = min(TODAY, next_working_day(ready) + timedelta(days=rng.randint(0, 2)))
        has_sheet = dates[0] <= TODAY or rng.random() > 0.1
        count = rng.randint(6, 14)
        taken: set[str] = set()
        participants = []
        if has_sheet and (dates[0] - TODAY).days < 45:
            for _ in range(count if dates[0] <= TODAY or rng.random() < 0.8 else 0):
                participants.append(_participant(rng, dates, ages, taken))
        groups.append(_Group(group_id, type_index, dates, count + rng.randint(0, 3), ready, booked, has_sheet,
                             participants))
    return groups


def _participant(rng: random.Random, dates: list[date], ages: tuple[int, int], taken: set[str]) -> dict:
    number = _person(rng, dates[0], ages, taken)
    family = rng.choice(_FAMILY)
    row: dict[str, object] = {
        L.PERSONAL_NUMBER: number,
        L.NAME: f"{rng.choice(_FIRST)} {family}",
        L.GUARDIAN: f"{rng.choice(_GUARDIANS)} {family}",
    }
    left = dates[rng.randint(1, len(dates) - 1)] if rng.random() < 0.04 else None
    if left is not None and left <= TODAY + timedelta(days=14):
        row[L.CANCELLED_DATE] = left - timedelta(days=rng.randint(1, 5))
        row[L.CANCELLATION_REASON] = rng.choice(_REASONS)
    else:
        left = None
    for number_, day in enumerate(dates, start=1):
        if day >= TODAY or (left is not None and day >= left):
            continue
        if (TODAY - day).days <= _RECENT_BLANK_DAYS and rng.random() < 0.04:
            continue  # not filled in yet
        value = rng.choice(_TYPOS) if rng.random() < 0.0005 else _attendance(rng)
        row[L.session_column(number_)] = value
    if rng.random() < 0.001:  # a mistyped personnummer (wrong check digit)
        text = str(number)
        row[L.PERSONAL_NUMBER] = text[:-1] + str((int(text[-1]) + 1) % 10)
    return row


def _interest(rng: random.Random, size: Size, groups: list[_Group]) -> list[dict[str, object]]:
    rows = []
    first = TODAY - timedelta(days=round(size.years * 365))
    span = (TODAY - first).days
    by_type: dict[int, list[_Group]] = {}
    for group in groups:
        by_type.setdefault(group.type_index, []).append(group)
    taken: set[str] = set()
    for _ in range(size.groups * 2):
        received = first + timedelta(days=rng.randint(0, span))
        if received.weekday() > 4:
            received -= timedelta(days=received.weekday() - 4)
        type_index = rng.randrange(len(_TYPES))
        name, _short, _attendee, _visit, _code, _journal, ages = _TYPES[type_index]
        number = _person(rng, received, ages, taken)
        family = rng.choice(_FAMILY)
        recent = (TODAY - received).days < 60
        later = [g for g in by_type.get(type_index, []) if g.dates[0] > received and g.has_sheet]
        placed = later[0].group_id if later and (not recent or rng.random() < 0.3) else None
        exemption = rng.choice(("PVV", "MOV")) if rng.random() < 0.03 else None
        rows.append({
            L.RECEIVED: received,
            L.PERSONAL_NUMBER: number,
            L.NAME: f"{rng.choice(_FIRST)} {family}",
            L.WISHED_GROUP: name,
            L.SENT_BY: rng.choice((L.ATTENDEE_PATIENT, L.ATTENDEE_GUARDIAN)),
            L.CARE_GUARANTEE_FROM: received + timedelta(days=rng.randint(1, 10)) if rng.random() < 0.1 else None,
            L.EXEMPTION: exemption,
            L.PLANNING_ENTRY: None if recent and rng.random() < 0.3 else next_working_day(received),
            L.GROUP_ID: placed,
        })
    rows.sort(key=lambda row: row[L.RECEIVED])
    return rows


def _group_row(group: _Group) -> dict[str, object]:
    name, _short, attendee, _visit, _code, journal, _ages = group.type
    return {
        L.GROUP_ID: group.group_id, L.GROUP_TYPE: name, L.ATTENDEE: attendee, L.START_DATE: group.dates[0],
        L.SESSION_COUNT: len(group.dates), L.MAX_PARTICIPANTS: group.max_participants,
        L.GROUP_LEADER: _LEADERS[sum(map(ord, group.group_id)) % len(_LEADERS)],
        L.JOURNAL_AT_END: L.YES if journal else L.NO, L.ROSTER_READY: group.ready, L.BOOKED_IN_ELVIS: group.booked,
    }


def _content(groups: list[_Group], interest: list[dict], *, registered: Mapping[str, list] | None = None,
             journal: Mapping[tuple[str, str], str] | None = None, **tables: object) -> WorkbookContent:
    sheets = []
    for group in groups:
        if not group.has_sheet:
            continue
        participants = group.participants
        if journal:
            participants = [
                {**row, L.JOURNAL_TEXT: journal.get((group.group_id, str(row[L.PERSONAL_NUMBER])))}
                for row in participants
            ]
        sheets.append(GroupSheetContent(
            group_id=group.group_id,
            title=f"{group.type[0]} – {group.group_id}",
            session_dates=group.dates,
            registered=(registered or {}).get(group.group_id, ()),
            participants=participants,
        ))
    return WorkbookContent(
        groups=[_group_row(group) for group in groups],
        interest=interest,
        group_sheets=sheets,
        group_types=[
            {L.GROUP_TYPE: name, L.ATTENDEE: attendee, L.VISIT_TYPE: visit, L.ACTION_CODE: code}
            for name, _short, attendee, visit, code, _journal, _ages in _TYPES
        ],
        visit_types=[
            {L.VISIT_TYPE_CODE: "U2", L.DESCRIPTION: "Uteblivet besök, ska betala"},
            {L.VISIT_TYPE_CODE: "Gruppbesök", L.DESCRIPTION: "Besök i grupp, registreras dagen efter tillfället"},
        ],
        **tables,  # type: ignore[arg-type]
    )


def build(size: str, seed: int, path: Path) -> Path:
    """Write the workbook of ``size`` and ``seed`` to ``path``."""
    spec = SIZES[size]
    rng = random.Random(f"{size}:{seed}")
    groups = _groups(rng, spec)
    interest = _interest(rng, spec, groups)
    with tempfile.TemporaryDirectory() as folder:
        draft = Path(folder) / "draft.xlsx"
        write_workbook(draft, _content(groups, interest))
        workbook = read_workbook_file(draft, today=TODAY).workbook
    # What the buttons would have written over the years, from the product's own rules.
    exported_until = TODAY - timedelta(days=_EXPORTED_BEFORE_DAYS)
    registered: dict[str, list] = {}
    registration_rows = []
    for row in services.export_registrations(workbook, TODAY).rows:
        visit = row[L.VISIT_DATE]
        if visit > exported_until:
            continue
        exported = next_working_day(visit)
        if (TODAY - visit).days <= _REGISTRATION_KEPT_DAYS:
            registration_rows.append({**row, L.EXPORTED: exported})
        dates = registered.setdefault(row[L.GROUP_ID], [])
        while len(dates) < row[L.SESSION]:
            dates.append(None)
        dates[row[L.SESSION] - 1] = exported
    journal = {
        (row[L.GROUP_ID], str(row[L.PERSONAL_NUMBER])): row[L.JOURNAL_TEXT]
        for row in services.journal_phrases(workbook, TODAY).rows
        if (TODAY - workbook.group_sheets[row[L.GROUP_ID]].sessions[-1].date).days > 30
    }
    tasks = []
    for task in services.tasks(workbook, TODAY).tasks:
        if task.due is None or task.due > TODAY - timedelta(days=3):
            continue  # not found yet: the next click adds it
        done = task.due + timedelta(days=rng.randint(0, 4)) if task.due < TODAY - timedelta(days=14) else None
        tasks.append(replace(task, done=done, created=task.due - timedelta(days=1)).as_row())
    check = [problem.as_row() for problem in workbook.problems]
    log_start = datetime.combine(TODAY, datetime.min.time()) - timedelta(days=round(spec.years * 365))
    log = [
        {
            L.TIMESTAMP: log_start + timedelta(days=3 * index, hours=8 + index % 8),
            L.USER: _USERS[index % len(_USERS)],
            L.FUNCTION: L.BUTTON_HELP[index % len(L.BUTTON_HELP)][0],
            L.RESULT: "Klart; inga problem.",
        }
        for index in range(round(spec.years * 120))
    ]
    content = _content(groups, interest, registered=registered, journal=journal, tasks=tasks,
                       registration=registration_rows, check=check, log=log)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp.xlsx")
    write_workbook(temporary, content)
    temporary.replace(path)
    return path


def ensure(size: str, seed: int = DEFAULT_SEED, *, cache: Path = CACHE, force: bool = False) -> Path:
    """The cached workbook of ``size`` and ``seed``, built first if it is missing."""
    path = workbook_path(size, seed, cache)
    if force or not path.exists():
        for stale in Path(cache).glob(f"{size}-seed{seed}-*"):
            stale.unlink()
        build(size, seed, path)
    return path


def enlarged_demo_content(factor: int) -> WorkbookContent:
    """The demo workbook with ``factor`` times its participants: every participant row with a valid
    personnummer is repeated on its group sheet with a new fictional person (birth day moved by the
    copy's number, same serial, so all are distinct); rows with planted errors stay single."""
    from xl_addin.demo import demo_content

    content = demo_content()
    sheets = []
    for sheet in content.group_sheets:
        rows = list(sheet.participants)
        for copy in range(1, factor):
            for row in sheet.participants:
                number = row.get(L.PERSONAL_NUMBER)
                if isinstance(number, PersonalNumber):
                    twin = make_personal_number(number.birth_date + timedelta(days=copy), int(number.digits[8:11]))
                    rows.append({**row, L.PERSONAL_NUMBER: twin})
        sheets.append(replace(sheet, participants=tuple(rows)))
    return replace(content, group_sheets=tuple(sheets))


def ensure_demo(factor: int, *, cache: Path = CACHE) -> Path:
    """The demo workbook (factor 1) or the demo with ``factor`` times the participants, cached."""
    demo = hashlib.sha256((ROOT / "xl_addin" / "demo.py").read_bytes()).hexdigest()[:6]
    path = Path(cache) / f"demo-x{factor}-{source_hash()}{demo}.xlsx"
    if not path.exists():
        for stale in Path(cache).glob(f"demo-x{factor}-*"):
            stale.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp.xlsx")
        write_workbook(temporary, enlarged_demo_content(factor))
        temporary.replace(path)
    return path


def cell_counts(path: Path) -> dict[str, int]:
    """Groups, participants and participant-session cells of a generated workbook."""
    workbook = read_workbook_file(path, today=TODAY).workbook
    sheets = workbook.group_sheets.values()
    return {
        "groups": len(workbook.groups),
        "sheets": len(workbook.group_sheets),
        "participants": sum(len(sheet.participants) for sheet in sheets),
        "cells": sum(len(sheet.participants) * len(sheet.sessions) for sheet in sheets),
        "interest": len(workbook.interest),
        "tasks": len(workbook.tasks),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="term,decade,stress")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--cache", type=Path, default=CACHE, help="folder of the generated files")
    parser.add_argument("--force", action="store_true", help="build even if a cached file exists")
    args = parser.parse_args(argv)
    for size in args.sizes.split(","):
        started = time.perf_counter()
        path = ensure(size, args.seed, cache=args.cache, force=args.force)
        print(f"{size}: {path} ({path.stat().st_size / 1e6:.1f} MB, "
              f"{time.perf_counter() - started:.1f} s) {cell_counts(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
