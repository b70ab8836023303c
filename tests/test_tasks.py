"""Att göra: stable keys, no duplicates, Klar respected, vanished causes, overdue."""

from datetime import date

from xl_addin.domain.model import Task
from xl_addin.domain.tasks import CAUSE_GONE, is_overdue, merge_tasks, person_token

from .builders import person

TODAY = date(2026, 10, 14)


def task(key: str, due: date = date(2026, 10, 15), **fields) -> Task:
    return Task(key=key, due=due, text=f"text {key}", **fields)


def test_a_task_already_there_keeps_its_row_klar_and_skapad():
    existing = [task("U2:G1:T1:a", done="x", created=date(2026, 10, 1)), task("BOKA:G2", created=date(2026, 10, 2))]
    merged = merge_tasks(existing, [task("U2:G1:T1:a")], {"U2"}, today=TODAY)
    assert merged == (existing[0], existing[1])


def test_new_tasks_are_appended_in_due_order_with_skapad_today():
    merged = merge_tasks([task("U2:a")], [task("U2:c", date(2026, 10, 20)), task("U2:a"), task("U2:b", date(2026, 10, 16))],
                         {"U2"}, today=TODAY)
    assert [(t.key, t.created) for t in merged] == [("U2:a", TODAY), ("U2:b", TODAY), ("U2:c", TODAY)]


def test_an_open_task_whose_cause_is_gone_is_removed():
    assert merge_tasks([task("U2:a"), task("U2:b")], [task("U2:b")], {"U2"}, today=TODAY) == (task("U2:b", created=TODAY),)


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


def test_no_duplicates_even_when_a_user_copied_a_row():
    merged = merge_tasks([task("U2:a"), task("U2:a")], [task("U2:a"), task("U2:a")], {"U2"}, today=TODAY)
    assert [t.key for t in merged] == ["U2:a"]


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


def test_columns_a_user_added_travel_with_their_task():
    existing = [task("U2:a", extra=(("Min kommentar", "ringt"),)), task("U2:b", extra=(("Min kommentar", "sms"),))]
    merged = merge_tasks(existing, [task("U2:b")], {"U2"}, today=TODAY)
    assert [(t.key, t.as_row()["Min kommentar"]) for t in merged] == [("U2:b", "sms")]
