"""Intresseanmälningar: care-guarantee dates, suggestions competing for places, statuses, tasks."""

from datetime import date

import pytest

from xl_addin.domain import layout as L
from xl_addin.domain.interest import care_guarantee_deadline, interest_status, plan_interest
from xl_addin.domain.model import InterestRegistration, Settings

from .builders import group, participant, person, sheet, weekly, workbook

TODAY = date(2026, 10, 14)


def registration(row: int, received: date, *, wished: str = "ADHD Ung", start_from: date | None = None,
                 exemption: str = "", group_id: str = "", planning: date | None = date(2026, 10, 1),
                 serial: int | None = None) -> InterestRegistration:
    return InterestRegistration(
        row=row, received=received, personal_number=person(serial if serial is not None else 100 + row),
        name=f"Testa {row}", wished_group=wished, care_guarantee_from=start_from, exemption=exemption,
        planning_entry=planning, group_id=group_id,
    )


@pytest.mark.parametrize(
    "received, start_from, days, deadline",
    [
        (date(2026, 10, 1), None, 30, date(2026, 10, 31)),
        (date(2026, 10, 15), None, 30, date(2026, 11, 14)),  # across a month end
        (date(2026, 12, 10), None, 30, date(2027, 1, 9)),  # across a year end, a Saturday: not moved
        (date(2027, 1, 30), None, 30, date(2027, 3, 1)),  # across February
        (date(2028, 1, 30), None, 30, date(2028, 2, 29)),  # leap year
        (date(2026, 10, 1), date(2026, 10, 5), 30, date(2026, 11, 4)),  # Vårdgaranti från wins over Inkom
        (date(2026, 10, 1), None, 90, date(2026, 12, 30)),  # the statutory 90 days
    ],
)
def test_care_guarantee_deadline_counts_calendar_days_from_day_zero(received, start_from, days, deadline):
    item = registration(2, received, start_from=start_from)
    assert care_guarantee_deadline(item, Settings(care_guarantee_days=days)) == deadline


@pytest.mark.parametrize(
    "received, expected",
    [
        (date(2026, 9, 13), "Överskriden"),  # deadline 2026-10-13, yesterday
        (date(2026, 9, 14), "Risk"),  # deadline today
        (date(2026, 9, 21), "Risk"),  # exactly Varning dagar left
        (date(2026, 9, 22), "Väntar (8 dagar kvar)"),
        (date(2026, 9, 15), "Risk"),
    ],
)
def test_status_of_waiting_registrations(received, expected):
    item = registration(2, received)
    assert interest_status(item, care_guarantee_deadline(item, Settings()), None, Settings(), TODAY) == expected


def test_waiting_with_one_day_left_is_singular():
    item = registration(2, date(2026, 9, 14))
    assert interest_status(item, date(2026, 10, 15), None, Settings(warning_days=0), TODAY) == "Väntar (1 dag kvar)"


@pytest.mark.parametrize("exemption", ["PVV", "MOV"])
def test_exempted_rows_are_never_flagged(exemption):
    item = registration(2, date(2026, 1, 1), exemption=exemption)
    assert interest_status(item, date(2026, 1, 31), None, Settings(), TODAY) == "Undantag"


def _book(groups, registrations, sheets=()):
    from xl_addin.domain.records import replace

    return replace(workbook(groups, sheets), interest=tuple(registrations), columns={
        L.INTEREST: {name: i for i, name in enumerate(L.INTEREST_TABLE.columns, start=1)},
        L.GROUPS: {name: i for i, name in enumerate(L.GROUPS_TABLE.columns, start=1)},
    })


def _suggestions(decision):
    return [(row[L.PERSONAL_NUMBER], row[L.SUGGESTION], row[L.STATUS]) for row in decision.rows]


def test_two_registrations_compete_for_the_last_place_earliest_deadline_first():
    small = group("G1", start=date(2026, 11, 2), sessions=2)
    small = small.__class__(**{**small.__dict__, "max_participants": 2})
    later = group("G2", start=date(2027, 1, 11), sessions=2, row=3)
    full = sheet("G1", weekly(date(2026, 11, 2), 2), [participant(1)])
    first, second = registration(2, date(2026, 10, 10)), registration(3, date(2026, 10, 1))
    decision = plan_interest(_book([small, later], [first, second], [full]), TODAY)
    assert _suggestions(decision) == [
        (first.personal_number, "G2", "Väntar (26 dagar kvar)"),
        (second.personal_number, "G1", "Väntar (17 dagar kvar)"),
    ]


def test_full_groups_other_types_and_past_groups_are_not_suggested():
    past = group("PAST", start=date(2026, 10, 1), sessions=2)
    other = group("OTHER", start=date(2026, 11, 2), sessions=2, group_type="Mitt barn har autism", row=3)
    full = group("FULL", start=date(2026, 11, 2), sessions=2, row=4)
    full = full.__class__(**{**full.__dict__, "max_participants": 1})
    decision = plan_interest(_book([past, other, full], [registration(5, date(2026, 10, 10))],
                                   [sheet("FULL", weekly(date(2026, 11, 2), 2), [participant(1)])]), TODAY)
    assert _suggestions(decision)[0][1] == ""


def test_prefers_a_group_starting_before_the_deadline():
    early = group("EARLY", start=date(2026, 11, 5), sessions=2)
    earliest_after = group("SOON", start=date(2026, 10, 20), sessions=2, row=3)
    item = registration(5, date(2026, 10, 10))  # deadline 2026-11-09
    decision = plan_interest(_book([early, earliest_after], [item]), TODAY)
    assert _suggestions(decision)[0][1] == "SOON"  # both in time: the earliest
    late_only = group("LATE", start=date(2026, 12, 1), sessions=2)
    decision = plan_interest(_book([late_only], [item]), TODAY)
    assert _suggestions(decision)[0][1] == "LATE"  # none in time: still the earliest with a place


def test_placed_rows_get_placed_statuses_and_use_a_place():
    one_place = group("G1", start=date(2026, 11, 2), sessions=2)
    one_place = one_place.__class__(**{**one_place.__dict__, "max_participants": 1})
    placed = registration(2, date(2026, 10, 10), group_id="G1")
    waiting = registration(3, date(2026, 10, 10))
    late = registration(4, date(2026, 9, 1), group_id="G1")
    decision = plan_interest(_book([one_place], [placed, waiting, late]), TODAY)
    assert [row[L.STATUS] for row in decision.rows] == ["Placerad", "Väntar (26 dagar kvar)", "Placerad efter vårdgarantin"]
    assert decision.rows[1][L.SUGGESTION] == ""  # the only place is taken


def test_exempted_rows_are_served_after_all_others():
    one_place = group("G1", start=date(2026, 11, 2), sessions=2)
    one_place = one_place.__class__(**{**one_place.__dict__, "max_participants": 1})
    pvv = registration(2, date(2026, 9, 1), exemption="PVV")
    normal = registration(3, date(2026, 10, 10))
    decision = plan_interest(_book([one_place], [pvv, normal]), TODAY)
    assert [row[L.SUGGESTION] for row in decision.rows] == ["", "G1"]


def test_planning_entry_task_due_the_next_working_day_after_inkom():
    item = registration(2, date(2026, 10, 9), planning=None)  # a Friday
    decision = plan_interest(_book([], [item]), TODAY)
    assert [(task.kind, task.due, task.text) for task in decision.tasks] == [
        ("PLAN", date(2026, 10, 12), "Lägg upp planeringsunderlag med vårdgaranti"),
    ]
    assert plan_interest(_book([], [registration(2, date(2026, 10, 9))]), TODAY).tasks == []


def test_writes_only_changes_and_leaves_typed_text():
    item = registration(2, date(2026, 10, 1))
    typed = item.__class__(**{**item.__dict__, "current": {L.STATUS: "ringt mamman", L.CARE_GUARANTEE_DEADLINE: date(2026, 10, 31)}})
    decision = plan_interest(_book([], [typed]), TODAY)
    assert [write.column for write in decision.writes] == []
    assert any("ändrats för hand" in problem.message for problem in decision.problems)
