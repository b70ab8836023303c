"""Att göra: stable keys, no duplicates, Klar respected, vanished causes, overdue."""

from datetime import date

from xl_addin.domain.model import PersonalNumber, Task
import pytest
from hypothesis import given, strategies as st

from xl_addin.domain import layout as L
from xl_addin.domain.tasks import (
    CAUSE_GONE, NOT_NEEDED, Hold, KeyParts, duplicate_rows, is_overdue, key_parts, merge_tasks, person_token,
    task_changes,
)

from .builders import person

TODAY = date(2026, 10, 14)


def task(key: str, due: date = date(2026, 10, 15), **fields) -> Task:
    return Task(key=key, due=due, text=f"text {key}", **fields)


def test_a_task_already_there_keeps_its_row_klar_and_skapad():
    existing = [task("U2:G1:T1:a", done="x", created=date(2026, 10, 1), row=2),
                task("BOKA:G2", created=date(2026, 10, 2), row=3)]
    merged = merge_tasks(existing, [task("U2:G1:T1:a")], {"U2"}, today=TODAY)
    assert merged == (existing[0], existing[1])


def test_new_tasks_are_appended_in_due_order_with_skapad_today():
    merged = merge_tasks([task("U2:a")], [task("U2:c", date(2026, 10, 20)), task("U2:a"), task("U2:b", date(2026, 10, 16))],
                         {"U2"}, today=TODAY)
    assert [(t.key, t.created) for t in merged] == [("U2:a", TODAY), ("U2:b", TODAY), ("U2:c", TODAY)]


def test_an_open_task_whose_cause_is_gone_stays_in_its_row_marked_as_not_needed():
    merged = merge_tasks([task("U2:a", row=2), task("U2:b", row=3)], [task("U2:b")], {"U2"}, today=TODAY)
    assert [(t.key, t.row, t.remark, t.is_open) for t in merged] == [
        ("U2:a", 2, NOT_NEEDED, False), ("U2:b", 3, "", True)]
    assert NOT_NEEDED == "Behövs inte längre: orsaken finns inte längre"


def test_a_not_needed_task_opens_again_when_its_cause_comes_back():
    merged = merge_tasks([task("U2:a", row=2, remark=NOT_NEEDED)], [task("U2:a")], {"U2"}, today=TODAY)
    assert merged[0].remark == "" and merged[0].is_open and not is_overdue(merged[0], TODAY)


def test_a_finished_task_whose_cause_is_gone_stays_and_is_flagged():
    merged = merge_tasks([task("U2:a", done="Klar")], [], {"U2"}, today=TODAY)
    assert [(t.key, t.done, t.remark) for t in merged] == [("U2:a", "Klar", CAUSE_GONE)]
    assert CAUSE_GONE == "Kontrollera: orsaken finns inte längre"


def test_the_flag_goes_away_when_the_cause_comes_back():
    merged = merge_tasks([task("U2:a", done="Klar", remark=CAUSE_GONE)], [task("U2:a")], {"U2"}, today=TODAY)
    assert merged[0].remark == "" and merged[0].done == "Klar"


def test_other_kinds_are_never_touched():
    other = task("JOURNAL:G1:x")
    assert merge_tasks([other], [], {"U2"}, today=TODAY) == (other,)


def test_no_duplicates_even_when_a_user_copied_a_row_and_the_copy_is_left_as_it_is():
    copy = task("U2:a", row=3, done="x")
    merged = merge_tasks([task("U2:a", row=2), copy], [task("U2:a"), task("U2:a")], {"U2"}, today=TODAY)
    assert [t.key for t in merged] == ["U2:a", "U2:a"] and merged[1] is copy
    problems = duplicate_rows([task("U2:a", row=2), copy], lambda row: f"K{row}")
    assert [(p.cell, p.message.split(" (")[0]) for p in problems] == [("K3", "Uppgiften finns redan på rad 2")]


def test_merge_is_idempotent():
    wanted = [task("U2:a"), task("U2:b", date(2026, 10, 1))]
    once = merge_tasks([task("U2:old", done="ja"), task("BOKA:x")], wanted, {"U2"}, today=TODAY)
    assert merge_tasks(once, wanted, {"U2"}, today=date(2026, 10, 20)) == once


def test_overdue_is_strictly_after_the_due_date_and_only_when_open():
    assert not is_overdue(task("a", due=TODAY), TODAY)
    assert is_overdue(task("a", due=date(2026, 10, 13)), TODAY)
    assert not is_overdue(task("a", due=date(2026, 10, 13), done="Klar"), TODAY)


def test_person_token_is_stable_and_hides_the_number():
    token = person_token(person(1))
    assert token == person_token(person(1)) != person_token(person(2))
    assert person(1).digits not in token and len(token) == 10


def test_columns_a_user_added_stay_with_their_task_and_are_never_written():
    existing = [task("U2:a", row=2, extra=(("Min kommentar", "ringt"),)),
                task("U2:b", row=3, extra=(("Min kommentar", "sms"),))]
    merged = merge_tasks(existing, [task("U2:b")], {"U2"}, today=TODAY)
    assert [(t.key, t.as_row()["Min kommentar"]) for t in merged] == [("U2:a", "ringt"), ("U2:b", "sms")]
    writes, appended = task_changes(existing, merged)
    assert [(w.row, w.column, w.value) for w in writes] == [(2, L.REMARK, NOT_NEEDED), (3, L.CREATED, TODAY)]
    assert appended == []


def test_changes_are_the_changed_button_owned_cells_and_new_tasks_never_klar():
    existing = [task("U2:G:T1:a", row=2, done="x", created=TODAY, name="Gammalt namn"),
                task("U2:G:T2:a", row=3, created=TODAY)]
    wanted = [task("U2:G:T1:a", due=date(2026, 10, 16), name="Nytt namn", done="ignored"), task("U2:G:T2:a"),
              task("U2:G:T3:a")]
    merged = merge_tasks(existing, wanted, {"U2"}, today=TODAY)
    writes, appended = task_changes(existing, merged)
    assert sorted((w.row, w.column, w.value) for w in writes) == [
        (2, L.DUE, date(2026, 10, 16)), (2, L.NAME, "Nytt namn")]
    assert [(t.key, t.row, t.created, t.done) for t in appended] == [("U2:G:T3:a", None, TODAY, None)]


@pytest.mark.parametrize(("hold", "held"), [
    (Hold(frozenset({"U2"})), {"U2:G:T1:a", "U2:G:T2:b", "U2:H:T1:a"}),
    (Hold(frozenset({"U2"}), "G"), {"U2:G:T1:a", "U2:G:T2:b"}),
    (Hold(frozenset({"U2"}), "G", 2), {"U2:G:T2:b"}),
    (Hold(frozenset({"U2"}), "G", person="a"), {"U2:G:T1:a"}),
    (Hold(frozenset({"U2"}), "G", unknown_people_only=True, known_people=frozenset({"a"})), {"U2:G:T2:b"}),
    (Hold(frozenset({"AVBOK"}), "G"), set()),
])
def test_a_held_task_is_neither_marked_nor_flagged(hold, held):
    keys = ["U2:G:T1:a", "U2:G:T2:b", "U2:H:T1:a"]
    existing = [task(key, row=row, done="x" if row == 3 else None) for row, key in enumerate(keys, start=2)]
    merged = merge_tasks(existing, [], {"U2", "AVBOK"}, today=TODAY, holds=[hold])
    assert {t.key for t in merged if not t.remark} == held
    assert [t.remark for t in merged if t.key not in held] == [
        CAUSE_GONE if t.is_done else NOT_NEEDED for t in existing if t.key not in held]


_KINDS = st.sampled_from(["U2", "AVBOK", "JOURNAL", "BOKA", "PLAN"])
_GROUPS = st.sampled_from(["G", "H"])
_PEOPLE = st.sampled_from(["a", "b", "-"])
_KEYS = st.one_of(
    st.builds(lambda k, g, n, p: f"{k}:{g}:T{n}:{p}", st.sampled_from(["U2", "AVBOK"]), _GROUPS,
              st.integers(1, 3), _PEOPLE),
    st.builds(lambda g, p: f"JOURNAL:{g}:{p}", _GROUPS, _PEOPLE),
    st.builds(lambda g: f"BOKA:{g}", _GROUPS),
    st.builds(lambda p: f"PLAN:{p}:2026-10-01:X", _PEOPLE),
)
_HOLDS = st.builds(
    Hold, st.frozensets(_KINDS, min_size=1), st.none() | _GROUPS, st.none() | st.integers(1, 3),
    st.none() | _PEOPLE, st.booleans(), st.frozensets(_PEOPLE),
)


@given(holds=st.lists(_HOLDS, max_size=8), keys=st.lists(_KEYS, max_size=8, unique=True))
def test_the_holds_index_covers_exactly_the_tasks_some_hold_holds(holds, keys):
    """merge_tasks asks each task only against the holds of its kind, group and person (an index):
    it leaves exactly the tasks some hold holds, as asking every hold would."""
    existing = [task(key, row=row) for row, key in enumerate(keys, start=2)]
    merged = merge_tasks(existing, [], {"U2", "AVBOK", "JOURNAL", "BOKA", "PLAN"}, today=TODAY, holds=holds)
    assert [t.key for t in merged if not t.remark] == [
        key for key in keys if any(hold.holds(key_parts(key)) for hold in holds)]


@pytest.mark.parametrize(("key", "parts"), [
    ("U2:ADHD-2609:T3:abc", KeyParts("U2", "ADHD-2609", 3, "abc")),
    ("AVBOK:G:T12:-", KeyParts("AVBOK", "G", 12, "-")),
    ("JOURNAL:G:abc", KeyParts("JOURNAL", "G", None, "abc")),
    ("BOKA:G", KeyParts("BOKA", "G")),
    ("PLAN:abc:2026-10-01:SKILLS", KeyParts("PLAN", None, None, "abc")),
    ("ANNAT:x:y", KeyParts("ANNAT")),
])
def test_task_keys_come_apart_into_their_parts(key, parts):
    assert key_parts(key) == parts




@given(st.text("0123456789", min_size=12, max_size=12))
def test_a_persons_token_is_the_start_of_the_sha256_of_the_digits(digits):
    """Task keys stay what earlier versions wrote: Python's built-in SHA-256 (taken without hashlib's
    OpenSSL) gives hashlib's digest."""
    import hashlib

    assert person_token(PersonalNumber(digits)) == hashlib.sha256(digits.encode("ascii")).hexdigest()[:10]
