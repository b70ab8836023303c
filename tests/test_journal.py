"""Skapa journaltexter: exact texts, subjects, Swedish lists, blocking, and never overwriting."""

from datetime import date
from pathlib import Path

import pytest

from xl_addin.domain import layout as L
from xl_addin.domain.journal import join_swedish, journal_text, write_journal_texts
from xl_addin.domain.model import CellWrite, Settings

from .builders import group, participant, sheet, weekly, workbook

DATES = weekly(date(2026, 9, 2), 4)  # 2, 9, 16, 23 September
AFTER = date(2026, 9, 24)
GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize(
    "items, expected",
    [([], ""), (["a"], "a"), (["a", "b"], "a och b"), (["a", "b", "c"], "a, b och c")],
)
def test_join_swedish(items, expected):
    assert join_swedish(items) == expected


def _texts(attendee, people, *, settings=Settings(), today=AFTER, group_type="Mitt barn har autism"):
    book = workbook(
        [group(start=DATES[0], sessions=4, journal=True, attendee=attendee, group_type=group_type)],
        [sheet("G1", DATES, people)], settings=settings,
    )
    return write_journal_texts(book, today)


def test_golden_texts_for_all_none_some_and_each_subject():
    """The whole set of texts is compared with a file reviewed by eye (tests/golden/journaltexter.txt)."""
    people = [participant(1, "DDDD"), participant(2, "UUAA"), participant(3, "DUDA"), participant(4, "D---", cancelled=date(2026, 9, 9))]
    sections = []
    for attendee in L.ATTENDEE_VALUES:
        decision = _texts(attendee, people)
        sections.append(f"## Deltar: {attendee}")
        for write in decision.writes:
            sections.append(f"# rad {write.row}\n{write.value}")
    actual = "\n".join(sections) + "\n"
    assert actual == (GOLDEN / "journaltexter.txt").read_text(encoding="utf-8")


def test_exact_text_of_the_routine():
    text = journal_text(Settings(), L.ATTENDEE_GUARDIAN, "Mitt barn har autism", DATES[:1] + DATES[2:])
    assert text == (
        "BUP Vårdplan\n"
        "Vårdnadshavare har deltagit vid följande tillfällen av Mitt barn har autism. "
        "2026-09-02, 2026-09-16 och 2026-09-23."
    )


def test_wording_comes_from_settings():
    settings = Settings(journal_heading="Vårdplan", journal_phrase="{Subjekt} deltog i {Grupp}: {Datum}.",
                        journal_phrase_none="{Subjekt} deltog inte i {Grupp}.")
    decision = _texts(L.ATTENDEE_PATIENT, [participant(1, "DUUU"), participant(2, "UUUU")], settings=settings)
    assert [write.value for write in decision.writes] == [
        "Vårdplan\nPatienten deltog i Mitt barn har autism: 2026-09-02.",
        "Vårdplan\nPatienten deltog inte i Mitt barn har autism.",
    ]


@pytest.mark.parametrize("attendance", ["DD-D", "DD?D"])
def test_missing_or_unknown_attendance_blocks_that_participant_only(attendance):
    decision = _texts(L.ATTENDEE_GUARDIAN, [participant(1, attendance), participant(2, "DDDD")])
    assert [write.row for write in decision.writes] == [7]
    assert [(p.cell, p.severity) for p in decision.problems] == [("J6", "Varning")]
    assert "T3" in decision.problems[0].message
    assert [task.personal_number for task in decision.tasks] == [participant(2).personal_number]


def test_a_different_existing_text_is_left_and_reported():
    decision = _texts(L.ATTENDEE_GUARDIAN, [participant(1, "DDDD", journal_text="Egen text av sekreteraren")])
    assert decision.writes == []
    assert "annan journaltext" in decision.problems[0].message
    assert decision.tasks  # the note must still be written in the journal


def test_the_same_text_again_writes_nothing():
    first = _texts(L.ATTENDEE_GUARDIAN, [participant(1, "DDDD")])
    text = first.writes[0].value
    again = _texts(L.ATTENDEE_GUARDIAN, [participant(1, "DDDD", journal_text=text.replace("\n", "\r\n") + " ")])
    assert (again.writes, again.problems) == ([], [])


def test_nothing_before_the_last_session_has_passed():
    assert _texts(L.ATTENDEE_GUARDIAN, [participant(1, "DDDD")], today=DATES[-1]).writes == []


def test_group_without_journal_at_end_gets_nothing():
    book = workbook([group(start=DATES[0], sessions=4, journal=False)], [sheet("G1", DATES, [participant(1, "DDDD")])])
    assert write_journal_texts(book, AFTER).writes == []


def test_journal_task_per_participant_due_after_the_last_session():
    decision = _texts(L.ATTENDEE_GUARDIAN, [participant(1, "DDDD"), participant(2, "UUUU")])
    assert [(task.kind, task.due, task.text) for task in decision.tasks] == [
        ("JOURNAL", date(2026, 9, 24), "Skriv journalanteckning (BUP Vårdplan)"),
    ] * 2
    assert decision.writes[0] == CellWrite("G1", 6, L.JOURNAL_TEXT, decision.writes[0].value)
