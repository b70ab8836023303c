"""The printable attendance sheet: its content read back with openpyxl, and the PDF LibreOffice prints."""

from __future__ import annotations

import re
import subprocess
from io import BytesIO

import openpyxl
import pytest

from xl_addin.demo import DEMO_TODAY, build_demo
from xl_addin.domain import layout as L
from xl_addin.domain.errors import OutputExists, UserError
from xl_addin.files import attendance_sheet as A
from xl_addin.files.reader import read_workbook_file

from . import libreoffice as lo


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = build_demo(tmp_path_factory.mktemp("demo") / "demo.xlsx")
    return read_workbook_file(path, today=DEMO_TODAY).workbook


@pytest.fixture
def no_libreoffice(monkeypatch):
    monkeypatch.setattr(A, "find_soffice", lambda: None)


def _page(workbook, group_id: str, number: int | None):
    sheet = workbook.group_sheets[group_id]
    session = A.choose_session(sheet, number)
    data = A.build_attendance_workbook(workbook, group_id, session)
    return openpyxl.load_workbook(BytesIO(data))[A.TITLE], session


def _texts(page) -> list[str]:
    return [str(cell.value) for row in page.iter_rows() for cell in row if cell.value not in (None, "")]


def _table(page) -> list[dict[str, object]]:
    header_row = next(row for row in page.iter_rows() if row[0].value == A.COLUMN_NUMBER)
    names = [cell.value for cell in header_row]
    rows = []
    for row in page.iter_rows(min_row=header_row[0].row + 1, values_only=True):
        if not isinstance(row[0], (int, float)):
            break
        rows.append(dict(zip(names, row)))
    return rows


def test_the_page_names_the_group_the_session_its_date_and_the_leader(workbook):
    page, session = _page(workbook, "ADHDUng-2609", 5)
    texts = _texts(page)
    assert texts[0] == "Närvarolista"
    assert "ADHD Ung – ADHDUng-2609" in texts
    assert "Tillfälle 5 av 8, onsdag 2026-10-14" in texts
    assert f"{L.GROUP_LEADER}: {workbook.group('ADHDUng-2609').group_leader}" in texts


def test_every_participant_is_listed_in_sheet_order_with_empty_boxes(workbook):
    page, _ = _page(workbook, "MittBarn-2611", 1)
    rows = _table(page)
    sheet = workbook.group_sheets["MittBarn-2611"]
    assert [row[L.NAME] for row in rows] == [p.name for p in sheet.participants]
    assert [row[A.COLUMN_NUMBER] for row in rows] == list(range(1, len(rows) + 1))
    for row in rows:
        assert (row[L.ATTENDED], row[L.NO_SHOW], row[L.CANCELLED]) == (A.CHECKBOX,) * 3
    assert [row[L.GUARDIAN] for row in rows] == [p.guardian for p in sheet.participants], "parents attend"


def test_a_participant_flagged_as_a_duplicate_is_listed_once_with_a_note(workbook):
    sheet = workbook.group_sheets["ADHDUng-2610"]
    numbers = [p.personal_number.digits for p in sheet.participants if p.personal_number]
    assert len(numbers) == len(set(numbers)) + 1, "the demo plants one duplicate in this group"
    duplicate = next(p for p in sheet.participants if numbers.count(p.personal_number.digits) == 2)
    page, _ = _page(workbook, "ADHDUng-2610", 1)
    rows = _table(page)
    assert len(rows) == len(sheet.participants) - 1
    masked = [row[A.COLUMN_PERSONAL_NUMBER] for row in rows]
    assert masked.count(duplicate.personal_number.masked) == 1
    (listed,) = [row for row in rows if row[A.COLUMN_PERSONAL_NUMBER] == duplicate.personal_number.masked]
    rows_on_sheet = [p.row for p in sheet.participants if p.personal_number.digits == duplicate.personal_number.digits]
    assert listed[L.NAME] == duplicate.name
    assert f"Står på rad {rows_on_sheet[0]} och {rows_on_sheet[1]} i gruppbladet – kontrollera" in listed[A.COLUMN_NOTE]
    assert f"av {len(rows)}" in " ".join(_texts(page))  # "Antal som deltog: ___ av N" counts children once


def test_the_personnummer_is_masked_to_the_birth_date_and_never_printed_in_full(workbook):
    page, _ = _page(workbook, "ADHDUng-2609", 5)
    sheet = workbook.group_sheets["ADHDUng-2609"]
    numbers = [row[A.COLUMN_PERSONAL_NUMBER] for row in _table(page)]
    assert numbers == [p.personal_number.masked for p in sheet.participants]
    assert all(re.fullmatch(r"\d{8}-\*\*\*\*", number) for number in numbers)
    every_text = " ".join(_texts(page))
    for participant in sheet.participants:
        assert str(participant.personal_number) not in every_text


def test_without_a_session_number_the_first_session_nobody_has_attendance_for_is_chosen(workbook):
    assert A.choose_session(workbook.group_sheets["ADHDUng-2609"], None).number == 5  # T4 is partly filled
    assert A.choose_session(workbook.group_sheets["MittBarn-2611"], None).number == 1
    with pytest.raises(UserError, match="Alla tillfällen har redan närvaro"):
        A.choose_session(workbook.group_sheets["MittBarn-2608"], None)


def test_what_the_workbook_already_says_is_ticked_and_a_participant_who_left_is_marked_cancelled(workbook):
    page, session = _page(workbook, "ADHDUng-2609", 3)
    rows = {row[L.NAME]: row for row in _table(page)}
    sheet = workbook.group_sheets["ADHDUng-2609"]
    left = next(p for p in sheet.participants if p.cancelled_date is not None)
    assert rows[left.name][L.CANCELLED] == "X"
    assert left.cancelled_date.isoformat() in rows[left.name][A.COLUMN_NOTE]
    no_show = next(p for p in sheet.participants if p.attendance[2] and p.attendance[2].value == L.NO_SHOW)
    assert (rows[no_show.name][L.ATTENDED], rows[no_show.name][L.NO_SHOW]) == (A.CHECKBOX, "X")
    typo = next(p for p in sheet.participants if p.has_errors)
    assert "kontrollera" in rows[typo.name][A.COLUMN_NOTE].casefold()


def test_the_page_is_set_up_as_one_a4_portrait_sheet(workbook):
    page, _ = _page(workbook, "ADHDUng-2609", 5)
    assert page.page_setup.paperSize == 9
    assert page.page_setup.orientation == "portrait"
    assert page.sheet_properties.pageSetUpPr.fitToPage
    # 1 × 1 page is the default, which XlsxWriter leaves out of the file
    assert (page.page_setup.fitToWidth or 1, page.page_setup.fitToHeight or 1) == (1, 1)
    assert page.print_area


def test_two_builds_are_byte_identical(workbook):
    session = A.choose_session(workbook.group_sheets["ADHDUng-2609"], 5)
    assert A.build_attendance_workbook(workbook, "ADHDUng-2609", session) == A.build_attendance_workbook(
        workbook, "ADHDUng-2609", session)


@pytest.mark.parametrize("group_id, number, message", [
    ("Finns-inte", 1, "Det finns inget gruppblad som heter Finns-inte"),
    ("ADHDUng-2609", 9, "välj ett tillfälle från 1 till 8"),
    ("ADHDUng-2609", 0, "välj ett tillfälle från 1 till 8"),
])
def test_an_unknown_group_or_session_is_a_swedish_message(workbook, tmp_path, group_id, number, message):
    with pytest.raises(UserError, match=message):
        A.write_attendance_sheet(workbook, group_id, number, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_without_libreoffice_the_xlsx_is_kept_with_a_swedish_printing_hint(workbook, tmp_path, no_libreoffice):
    path = A.write_attendance_sheet(workbook, "ADHDUng-2609", 5, tmp_path)
    assert path.name == "Närvarolista ADHDUng-2609 T5 2026-10-14.xlsx"
    assert list(tmp_path.iterdir()) == [path], "no temporary files left behind"
    assert openpyxl.load_workbook(path).sheetnames == [A.TITLE]
    hint = A.describe(path)
    assert "Excel" in hint and "Skriv ut" in hint and str(path) in hint


def test_an_existing_sheet_is_replaced_only_with_force(workbook, tmp_path, no_libreoffice):
    first = A.write_attendance_sheet(workbook, "ADHDUng-2609", 5, tmp_path)
    first.write_bytes(b"the leader's own copy")
    with pytest.raises(OutputExists, match="--force"):
        A.write_attendance_sheet(workbook, "ADHDUng-2609", 5, tmp_path)
    assert first.read_bytes() == b"the leader's own copy"
    assert A.write_attendance_sheet(workbook, "ADHDUng-2609", 5, tmp_path, force=True) == first
    assert first.read_bytes() != b"the leader's own copy"


def test_a_failing_libreoffice_falls_back_to_the_xlsx(workbook, tmp_path, monkeypatch):
    monkeypatch.setattr(A, "find_soffice", lambda: "/bin/false")
    assert A.write_attendance_sheet(workbook, "ADHDUng-2609", 5, tmp_path).suffix == ".xlsx"


@pytest.mark.libreoffice
@lo.requires_libreoffice
@lo.requires_poppler
def test_libreoffice_prints_one_a4_page_with_every_name(workbook, tmp_path):
    path = A.write_attendance_sheet(workbook, "ADHDUng-2609", None, tmp_path)
    assert path.name == "Närvarolista ADHDUng-2609 T5 2026-10-14.pdf"
    assert list(tmp_path.iterdir()) == [path]
    assert lo.pdf_page_count(path) == 1
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (round(width), round(height)) == (595, 842), "A4 portrait"
    text = lo.pdf_text(path)
    sheet = workbook.group_sheets["ADHDUng-2609"]
    for participant in sheet.participants:
        assert participant.name in text
        assert participant.personal_number.masked in text
        assert str(participant.personal_number) not in text
    assert "Tillfälle 5 av 8, onsdag 2026-10-14" in text
    assert A.describe(path).startswith("Skrev närvarolistan:")
