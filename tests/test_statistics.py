"""Statistik against a small workbook computed by hand."""

from xl_addin.domain.records import replace
from datetime import date

from xl_addin import services
from xl_addin.domain import layout as L
from xl_addin.domain.statistics import compute_statistics, term_of

from .builders import group, participant, sheet, weekly, workbook
from .test_interest import registration

TODAY = date(2026, 10, 14)


def test_term_of():
    assert [term_of(date(2026, 6, 30)), term_of(date(2026, 7, 1)), term_of(date(2027, 1, 1))] == [
        "VT 2026", "HT 2026", "VT 2027",
    ]


def test_statistics_of_a_small_workbook_by_hand():
    # G1 (ADHD Ung, HT 2026): 3 past sessions + 1 future; 2 participants.
    #   p1: D U D (future blank)   p2: D A U   → filled 6, attended 3, no-shows 2 → 50 %, 33 %
    # G2 (ADHD Ung, HT 2026): not started, list not reported and past its deadline → 1 late list.
    # G3 (Mitt barn har autism, VT 2027): nothing filled yet.
    dates = weekly(date(2026, 9, 23), 4)
    g1 = group("G1", start=dates[0], sessions=4, ready=date(2026, 9, 1))
    g2 = group("G2", start=date(2026, 10, 20), row=3)
    g3 = group("G3", start=date(2027, 1, 12), row=4, group_type="Mitt barn har autism")
    book = workbook([g1, g2, g3], [sheet("G1", dates, [participant(1, "DUD"), participant(2, "DAU")])])
    book = replace(book, interest=(
        registration(2, date(2026, 8, 1)),  # deadline 2026-08-31 (HT 2026), waiting → past the guarantee
        registration(3, date(2026, 10, 1)),  # deadline 2026-10-31, still inside
        registration(4, date(2026, 12, 20), wished="Mitt barn har autism"),  # deadline 2027-01-19: VT 2027
    ))
    rows = compute_statistics(book, TODAY).rows
    assert rows == [
        {L.TERM: "HT 2026", L.GROUP_TYPE: "ADHD Ung", L.GROUPS_COUNT: 2, L.PARTICIPANTS: 2,
         L.ATTENDANCE_RATE: 50, L.NO_SHOW_RATE: 33, L.LATE_LISTS: 1, L.PAST_GUARANTEE: 1},
        {L.TERM: "VT 2027", L.GROUP_TYPE: "Mitt barn har autism", L.GROUPS_COUNT: 1, L.PARTICIPANTS: 0,
         L.ATTENDANCE_RATE: None, L.NO_SHOW_RATE: None, L.LATE_LISTS: 0, L.PAST_GUARANTEE: 0},
    ]


def test_the_service_refreshes_the_statistik_table_only_when_it_changes():
    book = workbook([group("G1", start=date(2026, 9, 2))], [sheet("G1", weekly(date(2026, 9, 2), 3), [participant(1, "DDD")])])
    outcome = services.statistics(book, TODAY)
    (table,) = [table for table in outcome.tables if table.table == "Statistik"]
    again = services.statistics(replace(book, statistics_rows=table.rows), TODAY)
    assert [table.table for table in again.tables if table.table == "Statistik"] == []
