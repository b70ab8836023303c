"""Markera uteblivanden: U2 tasks, cancellation tasks and missing attendance, with their boundaries."""

from datetime import date

import pytest

from xl_addin.domain.model import Settings
from xl_addin.domain.no_shows import find_no_shows
from xl_addin.domain.tasks import person_token

from hypothesis import given, strategies as st

from xl_addin.domain import layout as L

from .builders import group, participant, person, sheet, weekly, workbook

U2_TEXT = "Ta bort sekundärbokning (X) och ändra besökstyp till U2 – Uteblivet besök, ska betala"


def _run(dates, people, today, settings=Settings()):
    book = workbook([group(start=dates[0], sessions=len(dates))], [sheet("G1", dates, people)], settings=settings)
    return find_no_shows(book, today)


@pytest.mark.parametrize(
    "description, session, today, due",
    [
        ("an ordinary Wednesday registers Thursday", date(2026, 9, 2), date(2026, 9, 10), date(2026, 9, 3)),
        ("a Friday session is due Monday", date(2026, 9, 4), date(2026, 9, 10), date(2026, 9, 7)),
        ("the day before midsommarafton is due the following Monday", date(2026, 6, 18), date(2026, 6, 22),
         date(2026, 6, 22)),
        ("the day before julafton is due after Christmas", date(2026, 12, 23), date(2026, 12, 28), date(2026, 12, 28)),
        ("a no-show today counts already", date(2026, 9, 2), date(2026, 9, 2), date(2026, 9, 3)),
    ],
)
def test_no_show_task_is_due_the_next_working_day(description, session, today, due):
    decision = _run([session], [participant(1, "U")], today)
    assert [(task.key, task.due, task.text, task.session, task.date) for task in decision.tasks] == [
        (f"U2:G1:T1:{person_token(person(1))}", due, U2_TEXT, 1, session)
    ], description


def test_no_show_text_comes_from_settings():
    settings = Settings(no_show_visit_type="U9", no_show_text="Uteblivet", secondary_booking="Y")
    decision = _run([date(2026, 9, 2)], [participant(1, "U")], date(2026, 9, 3), settings)
    assert decision.tasks[0].text == "Ta bort sekundärbokning (Y) och ändra besökstyp till U9 – Uteblivet"


def test_cell_cancellation_gives_a_task_due_on_the_session_day_even_in_the_future():
    dates = weekly(date(2026, 9, 2), 3)
    decision = _run(dates, [participant(1, "D-A")], date(2026, 9, 3))
    assert [(task.key.split(":")[0], task.session, task.due) for task in decision.tasks] == [("AVBOK", 3, dates[2])]
    assert decision.tasks[0].text == "Avboka i Elvis och notera besöksavvikelse i journal"


def test_participant_level_cancellation_covers_sessions_on_and_after_the_date_only():
    dates = weekly(date(2026, 9, 2), 4)  # 2, 9, 16, 23 Sept
    people = [participant(1, "DD", cancelled=date(2026, 9, 16))]
    decision = _run(dates, people, date(2026, 9, 30))
    assert [(task.kind, task.session) for task in decision.tasks] == [("AVBOK", 3), ("AVBOK", 4)]
    assert decision.problems == []  # cancelled sessions are not "missing"


def test_a_cell_value_overrides_the_participant_level_cancellation():
    dates = weekly(date(2026, 9, 2), 3)
    people = [participant(1, "D-U", cancelled=date(2026, 9, 9))]
    decision = _run(dates, people, date(2026, 9, 30))
    assert [(task.kind, task.session) for task in decision.tasks] == [("AVBOK", 2), ("U2", 3)]


def test_missing_attendance_is_reported_per_session_with_a_count():
    dates = weekly(date(2026, 9, 2), 3)
    people = [participant(1, "D--"), participant(2, "D-"), participant(3, "DD")]
    decision = _run(dates, people, date(2026, 9, 16))  # the third session is today: not missing yet
    assert [(p.sheet, p.cell, p.message) for p in decision.problems] == [
        ("G1", "E3", "Närvaro saknas: G1 tillfälle 2 (2026-09-09), 2 deltagare"),
    ]


def test_future_no_show_gives_no_u2_task():
    decision = _run(weekly(date(2026, 9, 2), 2), [participant(1, "DU")], date(2026, 9, 3))
    assert decision.tasks == []


def test_rows_with_errors_are_refused():
    dates = [date(2026, 9, 2)]
    decision = _run(dates, [participant(1, "U", has_errors=True), participant(2, "U")], date(2026, 9, 3))
    assert [task.personal_number for task in decision.tasks] == [person(2)]
    assert decision.counts["rad med fel hoppades över|rader med fel hoppades över"] == 1


def test_all_attended_gives_nothing():
    decision = _run(weekly(date(2026, 9, 2), 2), [participant(1, "DD"), participant(2, "DD")], date(2026, 9, 30))
    assert (decision.tasks, decision.problems) == ([], [])


# -- the rule against its plain statement ---------------------------------------------------------
def _plainly(book, today):
    """Markera uteblivanden as SPEC §4.3 states it, participant by participant (the rule finds the same
    from each session's cells at once): (tasks, rows, missing-attendance cells) of one group."""
    from xl_addin.domain.model import Attendance

    (only,) = book.group_sheets.values()
    tasks, missing = [], []
    for session in only.sessions:
        if session.date is None:
            continue
        count = 0
        for one in only.participants:
            if not one.usable_for(session):
                continue
            said = one.attendance_at(session)
            if said is None:
                count += session.date < today
            elif said is Attendance.NO_SHOW and session.date <= today:
                tasks.append(("U2", session.number, one.row))
            elif said is Attendance.CANCELLED:
                tasks.append(("AVBOK", session.number, one.row))
        if count:
            missing.append((session.number, count))
    return tasks, missing


_ROW = st.tuples(st.text("DUA?-", max_size=5), st.none() | st.sampled_from([date(2026, 9, 9), date(2026, 9, 16)]),
                 st.sets(st.sampled_from(["T1", "T2", "T4", L.PERSONAL_NUMBER])), st.booleans())


@given(rows=st.lists(_ROW, max_size=8), dateless=st.sets(st.integers(0, 3)),
       today=st.sampled_from([date(2026, 9, 1), date(2026, 9, 9), date(2026, 9, 20), date(2026, 10, 30)]))
def test_the_rule_finds_what_its_plain_statement_finds(rows, dateless, today):
    """Rows of any length (shorter or longer than the sessions), blanks, unknown words, cancellation
    dates, errors in cells, sessions without a date: the same tasks, in the same order, and the same
    counts of missing attendance as going participant by participant."""
    from xl_addin.domain.records import replace

    people = []
    for serial, (letters, cancelled, errors, unreadable) in enumerate(rows, start=1):
        one = participant(serial, letters, cancelled=cancelled, has_errors=unreadable)
        if errors and not unreadable:
            one = replace(one, has_errors=True, error_columns=frozenset(errors))
        people.append(one)
    dates = [None if index in dateless else day for index, day in enumerate(weekly(date(2026, 9, 2), 4))]
    book = workbook([group(start=date(2026, 9, 2), sessions=4)], [sheet("G1", dates, people)])
    decision = find_no_shows(book, today)
    rows_by_person = {one.personal_number: one.row for one in people if one.personal_number is not None}
    tasks, missing = _plainly(book, today)
    assert [(task.key.split(":")[0], task.session, rows_by_person[task.personal_number])
            for task in decision.tasks] == tasks
    assert [(int(problem.message.split("tillfälle ")[1].split(" ")[0]), int(problem.message.rsplit(", ", 1)[1].split()[0]))
            for problem in decision.problems if problem.message.startswith("Närvaro saknas")] == missing
