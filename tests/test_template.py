"""The generated template and demo follow the workbook contract (docs/workbook.md), read back with openpyxl."""

from __future__ import annotations

import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import coordinate_from_string

from xl_addin.demo import DEMO_TODAY, PLANTED_ERRORS, build_demo
from xl_addin.domain import layout as L
from xl_addin.domain.errors import InvalidPersonalNumber
from xl_addin.domain.model import SETTING_FIELDS, Settings
from xl_addin.domain.personal_number import parse_personal_number
from xl_addin.template import (
    TEMPLATE_NAME, GroupSheetContent, WorkbookContent, build_templates, sheet_code_names, write_workbook,
)


# -- fixtures: one build of each, shared by the read-only tests --------------------------------------
@pytest.fixture(scope="module")
def template_path(tmp_path_factory) -> Path:
    path, _macro = build_templates(tmp_path_factory.mktemp("template"))
    return path


@pytest.fixture(scope="module")
def template(template_path):
    return openpyxl.load_workbook(template_path)


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo") / "demo.xlsx")


@pytest.fixture(scope="module")
def demo_book(demo_path):
    return openpyxl.load_workbook(demo_path)


# -- helpers -------------------------------------------------------------------------------------
def header(ws, table_name: str) -> tuple[str, ...]:
    first, last = ws.tables[table_name].ref.split(":")
    return tuple(ws.cell(ws[first].row, column).value for column in range(ws[first].column, ws[last].column + 1))


def column_of(ws, table_name: str, column: str) -> str:
    first = ws.tables[table_name].ref.split(":")[0]
    letters, _ = coordinate_from_string(first)
    names = header(ws, table_name)
    return get_column_letter(column_index_from_string(letters) + names.index(column))


def validation_at(ws, cell: str):
    found = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) == 1, f"{ws.title}!{cell}: {len(found)} validations"
    return found[0]


def table_rows(ws, table_name: str) -> list[dict[str, object]]:
    names = header(ws, table_name)
    first, last = ws.tables[table_name].ref.split(":")
    start_col = ws[first].column
    rows = []
    for row in ws.iter_rows(min_row=ws[first].row + 1, max_row=ws[last].row, min_col=start_col,
                            max_col=start_col + len(names) - 1, values_only=True):
        if any(value is not None for value in row):
            rows.append(dict(zip(names, row)))
    return rows


def as_date(value) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def rule_formulas(ws) -> list[str]:
    return [formula for cf in ws.conditional_formatting for rule in cf.rules for formula in rule.formula]


# -- the template: sheets, tables, names ---------------------------------------------------------
def test_build_templates_writes_the_template_file(template_path):
    assert template_path.name == TEMPLATE_NAME
    assert zipfile.is_zipfile(template_path)


def test_sheets_are_in_contract_order_and_only_knappminne_and_gruppmall_are_hidden(template):
    assert template.sheetnames == list(L.FIXED_SHEETS)
    hidden = [ws.title for ws in template if ws.sheet_state != "visible"]
    assert hidden == [L.MEMORY, L.GROUP_TEMPLATE]


@pytest.mark.parametrize("table", L.TABLES, ids=lambda table: table.name)
def test_every_table_has_its_exact_header_at_its_anchor(template, table):
    ws = template[table.sheet]
    assert table.name in ws.tables
    assert ws.tables[table.name].ref.split(":")[0] == table.anchor
    assert header(ws, table.name) == table.columns


@pytest.mark.parametrize("table", [t for t in L.TABLES if t.sheet not in (L.SETTINGS, L.CODES)],
                         ids=lambda table: table.name)
def test_an_empty_table_has_one_empty_data_row_and_a_frozen_header(template, table):
    ws = template[table.sheet]
    first, last = ws.tables[table.name].ref.split(":")
    assert ws[last].row == ws[first].row + 1
    assert table_rows(ws, table.name) == []
    assert ws.freeze_panes == "A2"


@pytest.mark.parametrize("table", L.TABLES, ids=lambda table: table.name)
def test_button_owned_headers_are_grey_and_user_headers_are_not(template, table):
    ws = template[table.sheet]
    for column in table.columns:
        cell = ws[f"{column_of(ws, table.name, column)}1"]
        grey = cell.fill.fgColor.rgb == "FF" + L.FILL_BUTTON_OWNED_HEADER.lstrip("#")
        assert grey == (column in table.button_owned), column


def test_status_is_a_workbook_name_for_start_b3(template):
    assert template.defined_names[L.STATUS_NAME].attr_text == "Start!$B$3"
    ws = template[L.START]
    assert ws["A1"].value == L.WORKBOOK_TITLE
    assert ws["A3"].value == L.STATUS


def test_start_explains_every_button_in_one_line(template):
    texts = [cell.value for cell in template[L.START]["B"] if isinstance(cell.value, str)]
    for caption, _ in L.BUTTON_HELP:
        assert any(text.startswith(f"{caption} – ") for text in texts), caption
    assert [caption for caption, _ in L.BUTTON_HELP] == [
        "Kontrollera", "Flagga sena listor", "Markera uteblivanden", "Skapa journaltexter",
        "Exportera registreringslista", "Intresseanmälningar", "Ny grupp", "Uppdatera allt",
        "Arkivera avslutade grupper",
    ]


def test_dropdown_lists_are_plain_ranges_on_koder(template):
    names = template.defined_names
    assert names[L.GROUP_TYPE_LIST_NAME].attr_text == "Koder!$A$2:$A$200"
    assert names[L.CANCELLATION_REASON_LIST_NAME].attr_text == "Koder!$J$2:$J$200"


def test_settings_hold_the_defaults_and_the_contract_version(template):
    rows = table_rows(template[L.SETTINGS], L.SETTINGS_TABLE.name)
    defaults = Settings()
    assert [row[L.SETTING] for row in rows] == [name for name, _, _ in SETTING_FIELDS]
    for row, (_, field, description) in zip(rows, SETTING_FIELDS):
        assert row[L.VALUE] == getattr(defaults, field)
        assert row[L.DESCRIPTION] == description
    values = {row[L.SETTING]: row[L.VALUE] for row in rows}
    assert values[L.VERSION] == L.CONTRACT_VERSION
    assert values[L.DAYS_BEFORE_START] == 14 and values[L.WARNING_DAYS] == 7
    assert values[L.CARE_GUARANTEE_DAYS] == 30 and values[L.NO_SHOW_VISIT_TYPE] == "U2"


def test_codes_are_seeded_with_the_five_groups_and_blank_codes(template):
    ws = template[L.CODES]
    group_types = table_rows(ws, L.GROUP_TYPES_TABLE.name)
    assert [(row[L.GROUP_TYPE], row[L.ATTENDEE]) for row in group_types] == [
        ("ADHD Ung", "Patient"), ("Autism Ung", "Patient"), ("Mitt barn har autism", "Vårdnadshavare"),
        ("SKILLS", "Patient"), ("Autism i vardagen", "Vårdnadshavare"),
    ]
    assert all(row[L.VISIT_TYPE] is None and row[L.ACTION_CODE] is None for row in group_types)
    assert table_rows(ws, L.VISIT_TYPES_TABLE.name) == [
        {L.VISIT_TYPE_CODE: "U2", L.DESCRIPTION: "Uteblivet besök, ska betala"}
    ]
    assert [row[L.REASON] for row in table_rows(ws, L.CANCELLATION_REASONS_TABLE.name)] == list(
        L.CANCELLATION_REASON_SEED
    )


# -- the template: dropdowns and validation ------------------------------------------------------
def _list(*values: str) -> str:
    return '"' + ",".join(values) + '"'


@pytest.mark.parametrize(("table", "column", "formula", "style"), [
    (L.GROUPS_TABLE, L.GROUP_TYPE, L.GROUP_TYPE_LIST_NAME, "stop"),
    (L.GROUPS_TABLE, L.ATTENDEE, _list(*L.ATTENDEE_VALUES), "stop"),
    (L.GROUPS_TABLE, L.JOURNAL_AT_END, _list(L.YES, L.NO), "stop"),
    (L.INTEREST_TABLE, L.WISHED_GROUP, L.GROUP_TYPE_LIST_NAME, "stop"),
    (L.INTEREST_TABLE, L.SENT_BY, _list("Patient", "Vårdnadshavare"), "stop"),
    (L.INTEREST_TABLE, L.EXEMPTION, _list("PVV", "MOV"), "stop"),
    (L.GROUP_TYPES_TABLE, L.ATTENDEE, _list(*L.ATTENDEE_VALUES), "stop"),
])
def test_table_dropdowns(template, table, column, formula, style):
    ws = template[table.sheet]
    letter = column_of(ws, table.name, column)
    for row in (2, 1999 if table.sheet != L.CODES else 199):
        rule = validation_at(ws, f"{letter}{row}")
        assert rule.type == "list"
        assert rule.formula1 == formula
        assert (rule.errorStyle or "stop") == style


@pytest.mark.parametrize(("table", "column"), [
    (L.GROUPS_TABLE, L.START_DATE), (L.GROUPS_TABLE, L.ROSTER_READY), (L.GROUPS_TABLE, L.BOOKED_IN_ELVIS),
    (L.INTEREST_TABLE, L.RECEIVED), (L.INTEREST_TABLE, L.CARE_GUARANTEE_FROM), (L.INTEREST_TABLE, L.PLANNING_ENTRY),
])
def test_user_date_columns_accept_only_dates_with_a_swedish_message(template, table, column):
    ws = template[table.sheet]
    rule = validation_at(ws, f"{column_of(ws, table.name, column)}2")
    assert rule.type == "date"
    assert "ÅÅÅÅ-MM-DD" in rule.error


@pytest.mark.parametrize(("column", "low", "high"), [
    (L.SESSION_COUNT, 1, L.MAX_SESSIONS), (L.MAX_PARTICIPANTS, 1, 50),
])
def test_counts_are_whole_numbers_in_range(template, column, low, high):
    ws = template[L.GROUPS]
    rule = validation_at(ws, f"{column_of(ws, L.GROUPS_TABLE.name, column)}2")
    assert (rule.type, rule.operator or "between", rule.formula1, rule.formula2) == (
        "whole", "between", str(low), str(high))


def test_done_column_of_tasks_offers_ja_but_accepts_anything(template):
    ws = template[L.TASKS]
    letter = column_of(ws, L.TASKS_TABLE.name, L.DONE)
    validation = validation_at(ws, f"{letter}2")
    assert (validation.type, validation.formula1, validation.errorStyle) == ("list", f'"{L.DONE_YES}"', "information")
    assert f"{letter}2000" in validation.sqref


# -- the template: Gruppmall ----------------------------------------------------------------------
def test_gruppmall_has_twenty_sessions_labels_and_an_empty_table(template):
    ws = template[L.GROUP_TEMPLATE]
    table = L.group_table_name(L.GROUP_TEMPLATE)
    assert header(ws, table) == L.participant_columns(L.MAX_SESSIONS)
    assert ws.tables[table].ref.startswith("A4:")
    assert ws["A1"].value == "Gruppnamn – GruppID"
    assert ws["C2"].value == L.GROUP_SHEET_REGISTERED_LABEL and ws["C2"].alignment.horizontal == "right"
    assert ws["C3"].value == L.GROUP_SHEET_DATE_LABEL and ws["C3"].alignment.horizontal == "right"
    assert ws["D4"].value == "T1" and ws["W4"].value == "T20"
    assert ws.freeze_panes == "C5"  # below the header row, right of Namn


def test_gruppmall_attendance_dropdown_warns_but_accepts_short_forms(template):
    ws = template[L.GROUP_TEMPLATE]
    for cell in ("D5", "W200"):
        rule = validation_at(ws, cell)
        assert rule.type == "list" and rule.formula1 == _list(*L.ATTENDANCE_VALUES)
        assert rule.errorStyle in ("information", "warning")
    reason = validation_at(ws, "Y5")  # Avbokningsorsak after T20 and Avbokad datum
    assert reason.formula1 == L.CANCELLATION_REASON_LIST_NAME
    assert validation_at(ws, "X5").type == "date"
    assert validation_at(ws, "D3").type == "date"


def test_gruppmall_colours_attendance_and_missing_attendance(template):
    formulas = rule_formulas(template[L.GROUP_TEMPLATE])
    joined = " ".join(formulas)
    for text in ('"UTEBLEV"', '"U"', '"AVBOKAD"', '"A"', '"DELTOG"', '"D"', '"N"', "TODAY()", "D$3", "$A5"):
        assert text in joined, text


# -- the template: colours, print setup, determinism ---------------------------------------------
def _fills(ws) -> dict[str, str]:
    return {rule.formula[0]: rule.dxf.fill.bgColor.rgb for cf in ws.conditional_formatting for rule in cf.rules}


def test_groups_rows_are_coloured_by_status(template):
    fills = _fills(template[L.GROUPS])
    assert fills == {
        'LEFT($L2,2)="OK"': "FF" + L.FILL_GREEN[1:],
        'OR(LEFT($L2,3)="Sen",LEFT($L2,12)="Ofullständig")': "FF" + L.FILL_RED[1:],
        'LEFT($L2,4)="Risk"': "FF" + L.FILL_YELLOW[1:],
    }
    assert [str(cf.sqref) for cf in template[L.GROUPS].conditional_formatting] == ["A2:L2000"]


def test_interest_rows_are_coloured_by_status(template):
    fills = _fills(template[L.INTEREST])
    assert fills['LEFT($L2,27)="Placerad efter vårdgarantin"'] == "FF" + L.FILL_YELLOW[1:]
    assert fills['LEFT($L2,8)="Placerad"'] == "FF" + L.FILL_GREEN[1:]
    assert fills['LEFT($L2,11)="Överskriden"'] == "FF" + L.FILL_RED[1:]
    assert fills['LEFT($L2,8)="Undantag"'] == "FF" + L.FILL_GREY[1:]
    assert fills['LEFT($L2,4)="Risk"'] == "FF" + L.FILL_YELLOW[1:]
    assert not any("Väntar" in formula for formula in fills)
    # The longer status must be tested first: "Placerad efter vårdgarantin" also starts with "Placerad".
    order = [rule.formula[0] for cf in template[L.INTEREST].conditional_formatting
             for rule in sorted(cf.rules, key=lambda r: r.priority)]
    assert order.index('LEFT($L2,27)="Placerad efter vårdgarantin"') < order.index('LEFT($L2,8)="Placerad"')


def test_overdue_open_tasks_and_remarks_are_coloured(template):
    fills = _fills(template[L.TASKS])
    not_needed = f'LEFT($I2,{len(L.REMARK_NOT_NEEDED)})="{L.REMARK_NOT_NEEDED}"'
    assert fills[not_needed] == "FF" + L.FILL_GREY[1:]
    assert fills[f'AND(TRIM($G2)="",ISNUMBER($A2),$A2<TODAY(),NOT({not_needed}))'] == "FF" + L.FILL_RED[1:]
    assert fills['TRIM($I2)<>""'] == "FF" + L.FILL_YELLOW[1:]


def test_conditional_formats_use_only_classic_functions(template, demo_book):
    for book in (template, demo_book):
        for ws in book:
            for formula in rule_formulas(ws):
                assert "_xlfn" not in formula and "XLOOKUP" not in formula and "#" not in formula, formula


def test_every_sheet_prints_on_a4_landscape_one_page_wide_with_header_rows(template, demo_book):
    for book in (template, demo_book):
        for ws in book:
            setup = ws.page_setup
            assert int(setup.paperSize) == 9 and setup.orientation == "landscape", ws.title
            assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth in (None, 1, "1")
            assert int(setup.fitToHeight) == 0
            assert ws.oddHeader.left.text == "&A" and "&P" in ws.oddFooter.right.text
            if ws.title == L.START:
                continue
            is_group = ws.title not in L.FIXED_SHEETS or ws.title == L.GROUP_TEMPLATE
            assert ws.print_title_rows == ("$1:$4" if is_group else "$1:$1"), ws.title


def test_two_builds_are_byte_identical(tmp_path):
    first = build_templates(tmp_path / "a")[0].read_bytes()
    second = build_templates(tmp_path / "b")[0].read_bytes()
    assert first == second


def test_workbook_properties_are_swedish_and_fixed(template):
    assert template.properties.title == L.WORKBOOK_TITLE
    assert template.properties.subject.startswith("Gruppbokningar")
    assert template.properties.created == datetime(2026, 1, 1)


# -- write_workbook: macros and buttons, bad input -----------------------------------------------
def test_buttons_need_a_vba_project_and_an_xlsm_name(tmp_path):
    with pytest.raises(ValueError):
        write_workbook(tmp_path / "a.xlsx", buttons=(("Kontrollera", "Kontrollera"),))
    with pytest.raises(ValueError):
        write_workbook(tmp_path / "a.xlsx", vba_project=b"not checked here")


def test_macro_workbook_embeds_the_project_and_places_the_buttons(tmp_path):
    buttons = tuple((caption, caption.replace(" ", "")) for caption, _ in L.BUTTON_HELP)
    path = write_workbook(tmp_path / "mall.xlsm", vba_project=b"VBA", buttons=buttons)
    with zipfile.ZipFile(path) as archive:
        assert archive.read("xl/vbaProject.bin") == b"VBA"
        workbook_xml = archive.read("xl/workbook.xml").decode()
        vml = "".join(archive.read(name).decode() for name in archive.namelist() if name.endswith(".vml"))
    assert 'codeName="ThisWorkbook"' in workbook_xml
    for caption, macro in buttons:
        assert f"[0]!{macro}" in vml and caption in vml
    assert sheet_code_names()[L.START] == "Sheet1"
    assert not list(tmp_path.glob(".*.tmp"))


def test_unknown_columns_are_refused(tmp_path):
    with pytest.raises(ValueError, match="Startdag"):
        write_workbook(tmp_path / "x.xlsx", WorkbookContent(groups=({"Startdag": date(2026, 9, 1)},)))
    with pytest.raises(ValueError):
        write_workbook(tmp_path / "x.xlsx", WorkbookContent(settings={"Okänd": 1}))


def test_group_sheets_go_after_grupper_with_dates_and_text_personnummer(tmp_path):
    content = WorkbookContent(group_sheets=(
        GroupSheetContent("B-1", "B – B-1", (date(2026, 9, 2), None), registered=(date(2026, 9, 3),),
                          participants=({L.PERSONAL_NUMBER: "20120315-1234", L.NAME: "Testa Testsson",
                                         "T1": "Deltog"},)),
        GroupSheetContent("A-1", "A – A-1", (date(2026, 9, 1),)),
    ), settings={L.VERSION: "9.9"})
    book = openpyxl.load_workbook(write_workbook(tmp_path / "g.xlsx", content))
    assert book.sheetnames[:4] == [L.START, L.GROUPS, "B-1", "A-1"]
    ws = book["B-1"]
    assert header(ws, L.group_table_name("B-1")) == L.participant_columns(2)
    assert ws["D2"].value == datetime(2026, 9, 3) and ws["D2"].number_format == "yyyy-mm-dd"
    assert ws["D3"].value == datetime(2026, 9, 2) and ws["E3"].value is None
    assert ws["A5"].value == "20120315-1234" and ws["A5"].data_type == "s"
    assert ws["D5"].value == "Deltog"
    values = {row[L.SETTING]: row[L.VALUE] for row in table_rows(book[L.SETTINGS], L.SETTINGS_TABLE.name)}
    assert values[L.VERSION] == "9.9"


# -- the demo ----------------------------------------------------------------------------------
def groups_by_id(demo_book) -> dict[str, dict[str, object]]:
    return {row[L.GROUP_ID]: row for row in table_rows(demo_book[L.GROUPS], L.GROUPS_TABLE.name)}


def deadline(row) -> date:
    return as_date(row[L.START_DATE]) - timedelta(days=Settings().days_before_start)


def sheet_sessions(ws) -> list[date | None]:
    return [as_date(cell.value) for cell in ws[3][3:] if ws.cell(4, cell.column).value
            and L.SESSION_COLUMN.match(str(ws.cell(4, cell.column).value))]


def participants(ws, group_id: str) -> list[dict[str, object]]:
    return table_rows(ws, L.group_table_name(group_id))


def test_demo_is_byte_identical_across_builds(tmp_path, demo_path):
    assert build_demo(tmp_path / "again.xlsx").read_bytes() == demo_path.read_bytes()


def test_demo_today_is_a_wednesday():
    assert DEMO_TODAY == date(2026, 10, 14) and DEMO_TODAY.weekday() == 2


def test_demo_has_every_roster_state(demo_book):
    groups = groups_by_id(demo_book)
    late = [r for r in groups.values() if r[L.ROSTER_READY] is None and deadline(r) < DEMO_TODAY]
    assert any(as_date(r[L.START_DATE]) == date(2026, 10, 19) for r in late)
    reported_late = [r for r in groups.values() if r[L.ROSTER_READY] and as_date(r[L.ROSTER_READY]) > deadline(r)]
    assert reported_late
    at_risk = [r for r in groups.values()
               if r[L.ROSTER_READY] is None and 0 <= (deadline(r) - DEMO_TODAY).days <= Settings().warning_days]
    assert at_risk
    on_time_unbooked = [r for r in groups.values() if r[L.ROSTER_READY] and as_date(r[L.ROSTER_READY]) <= deadline(r)
                        and r[L.BOOKED_IN_ELVIS] is None]
    assert on_time_unbooked
    more_time = [r for r in groups.values()
                 if r[L.ROSTER_READY] is None and (deadline(r) - DEMO_TODAY).days > Settings().warning_days]
    assert more_time
    for row in groups.values():  # every sheet's T1 is the group's start, T-columns match the count
        if row[L.GROUP_ID] in demo_book.sheetnames:
            sessions = sheet_sessions(demo_book[row[L.GROUP_ID]])
            assert sessions[0] == as_date(row[L.START_DATE]) and len(sessions) == row[L.SESSION_COUNT]


def test_demo_ongoing_group_has_attendance_gaps_no_shows_and_a_cancellation(demo_book):
    groups = groups_by_id(demo_book)
    (group_id,) = [g for g, r in groups.items() if as_date(r[L.START_DATE]) == date(2026, 9, 16)]
    ws = demo_book[group_id]
    sessions = sheet_sessions(ws)
    assert groups[group_id][L.SESSION_COUNT] == 8 and all(d.weekday() == 2 for d in sessions)
    rows = participants(ws, group_id)
    past = [n for n, d in enumerate(sessions, start=1) if d < DEMO_TODAY]
    values = [row[f"T{n}"] for row in rows for n in past]
    assert values.count(L.NO_SHOW) >= 2 and L.CANCELLED in values
    october_7 = sessions.index(date(2026, 10, 7)) + 1
    active = [row for row in rows if row[L.CANCELLED_DATE] is None]
    assert sum(row[f"T{october_7}"] is None for row in active) == 2
    (left,) = [row for row in rows if row[L.CANCELLED_DATE] is not None]
    assert as_date(left[L.CANCELLED_DATE]) == date(2026, 9, 28) and left[L.CANCELLATION_REASON]
    assert all(left[f"T{n}"] is None for n, d in enumerate(sessions, start=1) if d >= date(2026, 9, 28))
    registered = [as_date(cell.value) for cell in ws[2][3:3 + len(sessions)]]
    assert registered[0] and registered[1] is None  # T2 is due for export on DEMO_TODAY
    assert registered[sessions.index(date(2026, 9, 30))] is None and registered[october_7 - 1] is None


def test_demo_finished_group_covers_every_journal_case(demo_book):
    groups = groups_by_id(demo_book)
    (group_id,) = [g for g, r in groups.items() if r[L.JOURNAL_AT_END] == L.YES
                   and as_date(r[L.START_DATE]) + timedelta(weeks=r[L.SESSION_COUNT] - 1) < DEMO_TODAY]
    assert groups[group_id][L.ATTENDEE] == L.ATTENDEE_GUARDIAN and groups[group_id][L.SESSION_COUNT] == 6
    ws = demo_book[group_id]
    sessions = sheet_sessions(ws)
    assert all(b - a == timedelta(weeks=1) for a, b in zip(sessions, sessions[1:]))
    attended = []
    for row in participants(ws, group_id):
        cells = [str(row[f"T{n}"]).strip().casefold() for n in range(1, 7)]
        assert all(cell in L.ATTENDANCE_ALIASES for cell in cells)
        attended.append(sum(L.ATTENDANCE_ALIASES[cell] == L.ATTENDED for cell in cells))
    assert 6 in attended and 0 in attended and any(0 < n < 6 for n in attended)
    texts = [row[L.JOURNAL_TEXT] for row in participants(ws, group_id) if row[L.JOURNAL_TEXT]]
    assert len(texts) == 1 and texts[0].startswith("BUP Vårdplan\n")


def test_demo_interest_covers_every_care_guarantee_state(demo_book):
    rows = table_rows(demo_book[L.INTEREST], L.INTEREST_TABLE.name)
    days = Settings().care_guarantee_days
    dated = [r for r in rows if isinstance(r[L.RECEIVED], datetime)]

    def limit(r) -> date:
        return as_date(r[L.CARE_GUARANTEE_FROM] or r[L.RECEIVED]) + timedelta(days=days)

    open_rows = [r for r in dated if not r[L.GROUP_ID] and not r[L.EXEMPTION]]
    assert any(as_date(r[L.RECEIVED]) == date(2026, 10, 1) for r in open_rows)  # inside
    assert any(limit(r) < DEMO_TODAY and as_date(r[L.RECEIVED]) == date(2026, 9, 1) for r in open_rows)  # past
    assert any(0 <= (limit(r) - DEMO_TODAY).days <= Settings().warning_days for r in open_rows)  # at risk
    assert any(r[L.GROUP_ID] in demo_book.sheetnames for r in dated)  # placed
    assert any(r[L.EXEMPTION] == "PVV" for r in dated)
    assert any(r[L.PLANNING_ENTRY] is None for r in dated)


def test_demo_names_and_numbers_are_fictional_and_valid(demo_book):
    names, numbers = set(), set()
    for ws in demo_book:
        if ws.title in L.FIXED_SHEETS:
            continue
        for row in participants(ws, ws.title):
            names.add(row[L.NAME])
            numbers.add(row[L.PERSONAL_NUMBER])
    for row in table_rows(demo_book[L.INTEREST], L.INTEREST_TABLE.name):
        names.add(row[L.NAME])
    assert len(names) >= 40
    for number in numbers:  # the one bad number lives on Intresseanmälningar (a planted error)
        parsed = parse_personal_number(number, today=DEMO_TODAY)
        assert 2008 <= parsed.birth_date.year <= 2016 and 900 <= int(parsed.digits[8:11]) <= 999


def test_demo_codes_have_plausible_codes_except_the_planted_gap(demo_book):
    rows = table_rows(demo_book[L.CODES], L.GROUP_TYPES_TABLE.name)
    assert len(rows) == 5 and all(row[L.VISIT_TYPE] for row in rows)
    codes = [row[L.ACTION_CODE] for row in rows]
    assert sum(code is None for code in codes) == 1
    assert all(len(code) == 5 and code[:2].isalpha() and code[2:].isdigit() for code in codes if code)


def test_every_planted_error_cell_holds_its_planted_value(demo_book):
    kinds = {description.split()[0] for _, _, description in PLANTED_ERRORS}
    assert len(PLANTED_ERRORS) == 6 and len(kinds) == 6
    for sheet, cell, description in PLANTED_ERRORS:
        ws = demo_book[sheet]
        value = ws[cell].value
        if "check digit" in description:
            with pytest.raises(InvalidPersonalNumber):
                parse_personal_number(value, today=DEMO_TODAY)
        elif "attendance" in description:
            assert value == "x"
        elif "twice" in description:
            column = [c.value for c in ws["A"] if c.row > L.GROUP_SHEET_HEADER_ROW]
            assert column.count(value) == 2
        elif "ambiguous" in description:
            assert value == "2/9 2026"
        elif "Åtgärdskod" in description:
            assert value is None and ws[f"A{ws[cell].row}"].value
            assert ws[f"{cell[0]}1"].value == L.ACTION_CODE
        elif "no sheet" in description:
            assert value and value not in demo_book.sheetnames
        else:
            pytest.fail(f"unknown planted error {description}")


def test_check_reports_every_planted_error_at_its_cell_and_nothing_else(demo_path):
    from xl_addin.files.reader import read_workbook_file

    workbook = read_workbook_file(demo_path, today=DEMO_TODAY).workbook
    found = {(problem.sheet, problem.cell) for problem in workbook.problems}
    assert {(sheet, cell) for sheet, cell, _ in PLANTED_ERRORS} == found

