"""A real spreadsheet engine (LibreOffice Calc, headless) opens every file the product writes.

LibreOffice is independent of the libraries that wrote the files (XlsxWriter, openpyxl, csv): if it
opens, recalculates, prints and re-imports them as expected, so should Excel. It runs in a few
batched calls side by side; the whole module takes about 15 s.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from xl_addin.cli import WORKBOOK_COMMANDS, main
from xl_addin.demo import DEMO_TODAY, build_demo
from xl_addin.domain import layout as L
from xl_addin.domain.model import Outcome
from xl_addin.files.writer import registration_files
from xl_addin.template import build_templates

from . import libreoffice as lo

pytestmark = [pytest.mark.libreoffice, lo.requires_libreoffice]

ROOT = Path(__file__).resolve().parent.parent
VBA_SOURCES = ROOT / "xl_addin" / "vba"
A4_LANDSCAPE = (841.9, 595.3)  # points
# The day LibreOffice's TODAY() returns while rendering: the demo's day under faketime, else today.
RENDER_DAY = DEMO_TODAY if lo.FAKETIME else date.today()
_NO_XLSM = ("no macro-enabled template yet: neither build_templates() nor workbook_templates/ gives an .xlsm "
            "(the .xlsm builder is being added); this check runs once it exists")
_HOSTILE = ("=1+2", "+3+4", "-5+6", "@SUM(1)", "=HYPERLINK(\"http://example.invalid\")")


@dataclass(frozen=True)
class Products:
    """Every file the product writes, built fresh: templates, demo, result workbooks, exports."""

    template: Path
    xlsm: Path | None
    demo: Path
    results: dict[str, Path]  # command → result workbook
    registration_xlsx: Path
    registration_csv: Path
    hostile_csv: Path  # an export whose names look like formulas
    demo_xlsm: Path | None = None  # `new-workbook demo-makro.xlsm --demo`: the demo with buttons and VBA

    def workbooks(self) -> dict[str, Path]:
        books = {"mall.xlsx": self.template, "demo": self.demo, **self.results,
                 "Registrering.xlsx": self.registration_xlsx}
        if self.xlsm is not None:
            books["mall.xlsm"] = self.xlsm
        return books


@dataclass(frozen=True)
class Converted:
    csv: Path  # every sheet of the template, the demo and the registration workbook as UTF-8 CSV
    print_pdf: Path  # the template printed with its own page setup
    sheet_pdf: Path  # demo and result workbooks, one page per sheet, rendered on RENDER_DAY
    round_trip: Path  # template and demo saved again as .xlsx by LibreOffice
    imported: Path  # the exported CSV files opened as Swedish Excel would
    ods: Path | None  # the .xlsm saved as .ods (where LibreOffice shows its Basic/VBA modules)


def _macro_template(folder: Path, built: list[Path]) -> Path | None:
    found = [path for path in built if path.suffix.lower() == ".xlsm"]
    found += sorted((ROOT / "workbook_templates").glob("*.xlsm"))
    return found[0] if found else None


@pytest.fixture(scope="module")
def products(tmp_path_factory) -> Products:
    root = tmp_path_factory.mktemp("produkter")
    built = build_templates(root / "mallar")
    template = next(path for path in built if path.suffix.lower() == ".xlsx")
    demo = build_demo(root / "Gruppbokningar-demo.xlsx")
    out = root / "resultat"
    for command in WORKBOOK_COMMANDS:
        code = main([command, str(demo), "--today", DEMO_TODAY.isoformat(), "--out", str(out)],
                    out=io.StringIO(), err=io.StringIO())
        assert code in (0, 1), f"bup-grupper {command} failed with exit code {code}"
    results = {}
    for command in WORKBOOK_COMMANDS:
        (path,) = out.glob(f"* ({command} {DEMO_TODAY.isoformat()}).xlsx")
        results[command] = path
    (registration_xlsx,) = out.glob("Registrering *.xlsx")
    (registration_csv,) = out.glob("Registrering *.csv")
    hostile = Outcome(command="export-registrations", today=DEMO_TODAY, summary="", rows=tuple(
        {L.EXPORTED: DEMO_TODAY, L.VISIT_DATE: date(2026, 10, 7), L.GROUP_ID: "ADHDUng-2609", L.SESSION: 4,
         L.NAME: name, L.ATTENDANCE: L.ATTENDED}
        for name in _HOSTILE
    ))
    hostile_files = registration_files(root / "farlig", hostile)
    hostile_csv = next(path for path in hostile_files if path.suffix == ".csv").rename(root / "farlig" / "farlig.csv")
    demo_xlsm = root / "demo-makro.xlsm"
    assert main(["new-workbook", str(demo_xlsm), "--demo"], out=io.StringIO(), err=io.StringIO()) == 0
    return Products(template, _macro_template(root, built), demo, results, registration_xlsx, registration_csv,
                    hostile_csv, demo_xlsm)


@pytest.fixture(scope="module")
def converted(products, tmp_path_factory) -> Converted:
    root = tmp_path_factory.mktemp("konverterat")
    rendered = [products.demo, *products.results.values()]
    fake_today = DEMO_TODAY.isoformat() if lo.FAKETIME else None
    half = len(rendered) // 2  # two calls side by side: rendering is most of the time
    jobs = [
        lo.Conversion((products.template, products.demo, products.registration_xlsx), lo.CSV_EXPORT_EVERY_SHEET,
                      root / "csv"),
        lo.Conversion(tuple(rendered[:half]), lo.PDF_ONE_PAGE_PER_SHEET, root / "blad", fake_today=fake_today),
        lo.Conversion(tuple(rendered[half:]), lo.PDF_ONE_PAGE_PER_SHEET, root / "blad", fake_today=fake_today),
        lo.Conversion((products.template, products.demo), lo.XLSX, root / "igen"),
        lo.Conversion((products.registration_csv, products.hostile_csv), lo.XLSX, root / "import",
                      infilter=lo.CSV_IMPORT_SWEDISH),
        lo.Conversion((products.template,), lo.PDF, root / "utskrift"),
    ]
    if products.xlsm:
        jobs.append(lo.Conversion((products.xlsm, products.demo_xlsm), lo.ODS, root / "ods"))
    lo.convert_all(jobs)
    return Converted(root / "csv", root / "utskrift", root / "blad", root / "igen", root / "import",
                     root / "ods" if products.xlsm else None)


# -- every file opens and converts -------------------------------------------------------------------
WORKBOOK_IDS = ["mall.xlsx", "mall.xlsm", "demo", *WORKBOOK_COMMANDS, "Registrering.xlsx"]


@lo.requires_poppler
@pytest.mark.parametrize("name", WORKBOOK_IDS)
def test_libreoffice_opens_every_workbook_and_converts_every_sheet(products, converted, name):
    books = products.workbooks()
    if name not in books:
        pytest.skip(_NO_XLSM)
    path = books[name]
    sheets = openpyxl.load_workbook(path, read_only=True).sheetnames
    if name == "mall.xlsm":
        with zipfile.ZipFile(converted.ods / f"{path.stem}.ods") as package:
            content = package.read("content.xml").decode("utf-8")
        assert re.findall(r'<table:table table:name="([^"]+)"', content) == sheets
    elif (converted.sheet_pdf / f"{path.stem}.pdf").exists():
        assert lo.pdf_page_count(converted.sheet_pdf / f"{path.stem}.pdf") == len(sheets), "one page per sheet"
    else:
        for sheet in sheets:
            exported = lo.csv_for_sheet(converted.csv, path, sheet)
            assert exported.is_file(), f"LibreOffice wrote no CSV for sheet {sheet!r} of {path.name}"
        first = lo.csv_for_sheet(converted.csv, path, sheets[1] if len(sheets) > 1 else sheets[0])
        assert first.read_text(encoding="utf-8").strip(), f"{first.name} is empty"


def test_no_cell_in_any_workbook_evaluates_to_an_error(products, converted):
    """Calc recalculates everything on load (private profile): no formula may end in an error."""
    found = []
    texts = [(path.name, path.read_text(encoding="utf-8")) for path in sorted(converted.csv.glob("*.csv"))]
    if lo.HAS_POPPLER:
        texts += [(path.name, lo.pdf_text(path)) for path in sorted(converted.sheet_pdf.glob("*.pdf"))]
    for name, text in texts:
        for number, line in enumerate(text.splitlines(), start=1):
            if lo.ERROR_VALUE.search(line):
                found.append(f"{name}:{number}: {line.strip()[:120]}")
    assert len(texts) >= 3 + len(WORKBOOK_COMMANDS) or not lo.HAS_POPPLER
    assert not found, "LibreOffice computed error values:\n" + "\n".join(found)


def test_every_formula_cell_in_the_templates_gets_a_value(products, converted):
    """The templates keep their colours in conditional formats; any cell formula must still compute."""
    for path in (products.template,):  # the .xlsm has the same sheets
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            formulas = [(cell.row, cell.column) for row in sheet.iter_rows() for cell in row
                        if isinstance(cell.value, str) and cell.value.startswith("=")]
            if not formulas:
                continue
            lines = lo.csv_for_sheet(converted.csv, path, sheet.title).read_text(encoding="utf-8").splitlines()
            values = list(csv.reader(lines))
            for row, column in formulas:
                value = values[row - 1][column - 1]
                assert value != "" and not lo.ERROR_VALUE.search(value), (
                    f"{path.name} {sheet.title}!{openpyxl.utils.get_column_letter(column)}{row} = {value!r}")


@lo.requires_poppler
def test_the_template_prints_on_a4_landscape_one_page_per_sheet(products, converted):
    for path in (products.template,):
        pdf = converted.print_pdf / f"{path.stem}.pdf"
        visible = [ws.title for ws in openpyxl.load_workbook(path).worksheets if ws.sheet_state == "visible"]
        assert lo.pdf_page_count(pdf) == len(visible), "each empty sheet should print on one page"
        sizes = {(round(width, 1), round(height, 1)) for width, height in lo.pdf_page_sizes(pdf)}
        assert sizes == {A4_LANDSCAPE}, sizes
        text = lo.pdf_text(pdf)
        for sheet in visible:
            assert sheet in text, f"the printed header should name the sheet {sheet!r}"


@lo.requires_poppler
@pytest.mark.parametrize("name", ["demo", *WORKBOOK_COMMANDS])
def test_every_value_fits_its_column_when_printed(products, converted, name):
    """Calc prints ``###`` where a number or date is wider than its column (Excel shows the same)."""
    path = products.demo if name == "demo" else products.results[name]
    text = lo.pdf_text(converted.sheet_pdf / f"{path.stem}.pdf")
    assert "###" not in text, [line.strip() for line in text.splitlines() if "###" in line]


# -- what the template defines survives in another engine ------------------------------------------
def _validations(path: Path) -> dict[tuple[str, str], tuple]:
    """(sheet, top-left cell) → what the dropdown or check does."""
    found = {}
    for sheet in openpyxl.load_workbook(path).worksheets:
        for validation in sheet.data_validations.dataValidation:
            first = str(validation.sqref).split()[0].split(":")[0]
            # Calc writes a meaningless formula2 "0" for lists, and cuts long ranges to 1000 rows when
            # it saves .xlsx (in Calc itself they reach row 2000): compare what a user meets.
            second = "" if validation.type == "list" else (validation.formula2 or "").lstrip("=")
            found[(sheet.title, first)] = (
                validation.type, (validation.formula1 or "").lstrip("="), second,
                validation.errorStyle or "stop", validation.error, bool(validation.showErrorMessage),
            )
    return found


def _conditional_formats(path: Path) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(sheet, range) → [(formula, fill colour)] in priority order."""
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for sheet in openpyxl.load_workbook(path).worksheets:
        for formatting in sheet.conditional_formatting:
            rules = sorted(formatting.rules, key=lambda rule: rule.priority)
            found[(sheet.title, str(formatting.sqref))] = [
                (rule.formula[0].replace(" ", ""), (rule.dxf.fill.bgColor.rgb or "")[-6:].upper()) for rule in rules
            ]
    return found


@pytest.mark.parametrize("which", ["template", "demo"])
def test_dropdowns_and_date_checks_survive_a_libreoffice_round_trip(products, converted, which):
    original = getattr(products, which)
    again = _validations(converted.round_trip / original.name)
    mine = _validations(original)
    assert mine, "the template should have dropdowns and date checks"
    missing = {key: value for key, value in mine.items() if again.get(key) != value}
    assert not missing, f"LibreOffice lost or changed these validations: {missing}"


@pytest.mark.parametrize("which", ["template", "demo"])
def test_conditional_formats_survive_a_libreoffice_round_trip(products, converted, which):
    original = getattr(products, which)
    mine = _conditional_formats(original)
    again = _conditional_formats(converted.round_trip / original.name)
    assert mine, "the template should colour rows and cells with conditional formats"
    assert again == mine


def test_names_tables_and_sheets_survive_a_libreoffice_round_trip(products, converted):
    mine = openpyxl.load_workbook(products.template)
    again = openpyxl.load_workbook(converted.round_trip / products.template.name)
    assert again.sheetnames == mine.sheetnames
    assert again[L.GROUP_TEMPLATE].sheet_state == "hidden"
    for name in (L.STATUS_NAME, L.GROUP_TYPE_LIST_NAME, L.CANCELLATION_REASON_LIST_NAME):
        assert again.defined_names[name].attr_text == mine.defined_names[name].attr_text
    for sheet in mine.worksheets:
        assert sorted(again[sheet.title].tables) == sorted(sheet.tables), sheet.title


# -- the conditional formats compute the colours the routine describes ------------------------------
def _page(converted: Converted, workbook: Path, sheet: str) -> int:
    pdf = converted.sheet_pdf / f"{workbook.stem}.pdf"
    sheets = openpyxl.load_workbook(workbook, read_only=True).sheetnames
    assert lo.pdf_page_count(pdf) == len(sheets), "one page per sheet expected"
    return sheets.index(sheet) + 1


def _rows(words: list[lo.Word], pattern: str, left: float = 5) -> list[lo.Word]:
    """The words in column A (starting left of ``left``) that match ``pattern``, top to bottom."""
    return sorted((w for w in words if w.x_min < left and re.fullmatch(pattern, w.text)), key=lambda w: w.y_min)


def _same_line(words: list[lo.Word], anchor: lo.Word, x_from: float) -> str:
    return " ".join(w.text for w in sorted(words, key=lambda w: w.x_min)
                    if abs(w.y_mid - anchor.y_mid) < 2 and w.x_min >= x_from - 1)


def _header(words: list[lo.Word], text: str) -> lo.Word:
    return min((w for w in words if w.text == text), key=lambda w: w.y_min)


def _render(converted: Converted, workbook: Path, sheet: str) -> tuple[list[lo.Word], lo.Raster]:
    page = _page(converted, workbook, sheet)
    pdf = converted.sheet_pdf / f"{workbook.stem}.pdf"
    return lo.pdf_words(pdf, page), lo.rasterise(pdf, page)


@lo.requires_poppler
def test_grupper_rows_are_green_red_or_yellow_by_status(products, converted):
    words, raster = _render(converted, products.results["flag-late-rosters"], L.GROUPS)
    status_x = _header(words, L.STATUS).x_min
    colours = {L.ROSTER_OK: L.FILL_GREEN, L.ROSTER_LATE: L.FILL_RED, L.ROSTER_INCOMPLETE: L.FILL_RED,
               L.ROSTER_AT_RISK: L.FILL_YELLOW, L.ROSTER_NOT_READY: "#FFFFFF"}
    seen = set()
    for group in _rows(words, r"[A-Za-z]+-\d{4}"):
        status = _same_line(words, group, status_x)
        expected = next(colour for prefix, colour in colours.items() if status.startswith(prefix))
        assert raster.background(group.x_min, group.y_min, group.x_max, group.y_max) == expected, (group.text, status)
        seen.add(expected)
    assert seen == set(colours.values()), "the demo should show every colour"


@lo.requires_poppler
def test_intresse_rows_are_coloured_by_status(products, converted):
    words, raster = _render(converted, products.results["plan-interest"], L.INTEREST)
    status_x = max((w for w in words if w.text == L.STATUS), key=lambda w: w.x_min).x_min
    colours = ((L.INTEREST_PLACED_LATE, L.FILL_YELLOW), (L.INTEREST_PLACED, L.FILL_GREEN),
               (L.INTEREST_AT_RISK, L.FILL_YELLOW), (L.INTEREST_OVERDUE, L.FILL_RED),
               (L.INTEREST_EXEMPT, L.FILL_GREY), ("", "#FFFFFF"))
    rows = _rows(words, r"\d{4}-\d\d-\d\d|\d+/\d+", left=_header(words, L.PERSONAL_NUMBER).x_min)
    assert len(rows) == 9
    for received in rows:
        status = _same_line(words, received, status_x)
        expected = next(colour for prefix, colour in colours if status.startswith(prefix))
        got = raster.background(received.x_min, received.y_min, received.x_max, received.y_max)
        assert got == expected, (received.text, status)


@lo.requires_poppler
def test_kontroll_errors_are_red_and_warnings_yellow(products, converted):
    words, raster = _render(converted, products.results["mark-no-shows"], L.CHECK)
    severity_x = _header(words, L.SEVERITY).x_min
    found = [w for w in words if w.text in (L.ERROR, L.WARNING) and abs(w.x_min - severity_x) < 3]
    assert {w.text for w in found} == {L.ERROR, L.WARNING}
    for word in found:
        expected = L.FILL_RED if word.text == L.ERROR else L.FILL_YELLOW
        assert raster.background(word.x_min, word.y_min, word.x_max, word.y_max) == expected


@lo.requires_poppler
def test_open_tasks_past_their_due_date_are_red(products, converted):
    words, raster = _render(converted, products.results["tasks"], L.TASKS)
    header, task = _header(words, L.DUE), _header(words, L.TASK)
    assert header.x_min < 5, "Förfaller leads the sheet"
    rows = [w for w in words if re.fullmatch(r"\d{4}-\d{2}-\d{2}", w.text) and w.x_max < task.x_min
            and w.y_min > header.y_max]  # the due dates in column A
    assert len(rows) >= 10
    for word in rows:
        due = date.fromisoformat(word.text)
        expected = L.FILL_RED if due < RENDER_DAY else "#FFFFFF"
        assert raster.background(word.x_min, word.y_min, word.x_max, word.y_max) == expected, (word.text, due)


def _expected_attendance_colour(value: object, number: object, session: object, cancelled: object) -> str:
    """SPEC §4.3 in colours: Uteblev red, Avbokad grey, Deltog green, missing (past, blank) yellow."""
    text = str(value or "").strip().casefold()
    if text:
        canonical = L.ATTENDANCE_ALIASES.get(text)
        return {L.NO_SHOW: L.FILL_RED, L.CANCELLED: L.FILL_GREY, L.ATTENDED: L.FILL_GREEN}.get(canonical, "#FFFFFF")
    day = session.date() if isinstance(session, datetime) else None
    left = cancelled.date() if isinstance(cancelled, datetime) else None
    if day and left and day >= left:
        return L.FILL_GREY
    if day and str(number or "").strip() and day <= RENDER_DAY:
        return L.FILL_YELLOW
    return "#FFFFFF"


@lo.requires_poppler
@pytest.mark.parametrize("group_id", ["MittBarn-2608", "ADHDUng-2609", "ADHDUng-2610"])
def test_attendance_cells_are_coloured_as_the_routine_describes(products, converted, group_id):
    sheet = openpyxl.load_workbook(products.demo)[group_id]
    header = [cell.value for cell in sheet[L.GROUP_SHEET_HEADER_ROW]]
    sessions = [index for index, name in enumerate(header) if name and L.SESSION_COLUMN.match(str(name))]
    words, raster = _render(converted, products.demo, group_id)
    numbers = _rows(words, r"\d{8}-\d{4}")
    participants = [row for row in sheet.iter_rows(min_row=L.GROUP_SHEET_HEADER_ROW + 1, values_only=True)
                    if row[0]]
    assert len(numbers) == len(participants)
    centres = {index: _header(words, header[index]) for index in sessions}
    cancelled_at = header.index(L.CANCELLED_DATE)
    wrong = []
    for word, row in zip(numbers, participants):
        for index in sessions:
            centre = (centres[index].x_min + centres[index].x_max) / 2
            got = raster.background(centre - 12, word.y_mid - 2, centre + 12, word.y_mid + 2)
            session = sheet.cell(L.GROUP_SHEET_DATE_ROW, index + 1).value
            expected = _expected_attendance_colour(row[index], row[0], session, row[cancelled_at])
            if got != expected:
                wrong.append(f"{header[index]} of {row[1]}: {row[index]!r} is {got}, expected {expected}")
    assert not wrong, "\n".join(wrong)


# -- the exported CSV, opened the way Swedish Excel opens it ---------------------------------------
def test_the_exported_csv_reimports_with_swedish_letters_dates_and_personnummer(products, converted):
    imported = openpyxl.load_workbook(converted.imported / f"{products.registration_csv.stem}.xlsx").active
    ours = openpyxl.load_workbook(products.registration_xlsx).active
    got = [list(row) for row in imported.iter_rows(values_only=True)]
    expected = [[None if value == "" else value for value in row] for row in ours.iter_rows(values_only=True)]
    assert got[0] == list(L.REGISTRATION_TABLE.columns), "the header (no stray BOM, å/ä/ö intact)"
    assert len(got) == len(expected) > 1
    for row_got, row_expected in zip(got[1:], expected[1:]):
        assert row_got == row_expected
    personnummer = L.REGISTRATION_TABLE.columns.index(L.PERSONAL_NUMBER)
    for row in got[1:]:
        assert isinstance(row[0], datetime) and isinstance(row[1], datetime), "dates are dates"
        assert re.fullmatch(r"\d{8}-\d{4}", row[personnummer]), "personnummer stays text"
    names = " ".join(str(row[L.REGISTRATION_TABLE.columns.index(L.NAME)]) for row in got[1:])
    assert set("åäö") & set(names.casefold())


def test_text_that_looks_like_a_formula_reimports_as_text(products, converted):
    imported = openpyxl.load_workbook(converted.imported / "farlig.xlsx").active
    name = L.REGISTRATION_TABLE.columns.index(L.NAME)
    cells = [row[name] for row in imported.iter_rows(min_row=2)]
    for cell, typed in zip(cells, _HOSTILE):
        assert cell.data_type == "s", f"{typed!r} was imported as {cell.data_type} {cell.value!r}"
        assert cell.value.lstrip("'") == typed


# -- the macro-enabled template -----------------------------------------------------------------------
def _vba_module_names() -> set[str]:
    names = set()
    for path in VBA_SOURCES.glob("*.bas"):
        match = re.search(r'Attribute VB_Name = "([^"]+)"', path.read_text(encoding="cp1252"))
        names.add(match.group(1) if match else path.stem)
    return names


@pytest.mark.parametrize("book", ["xlsm", "demo_xlsm"])
def test_libreoffice_sees_the_vba_modules_and_the_buttons_call_existing_macros(products, converted, book):
    """The template and the macro-enabled demo (`new-workbook demo.xlsm --demo`, for the first-run checklist)."""
    if products.xlsm is None:
        pytest.skip(_NO_XLSM)
    path = getattr(products, book)
    with zipfile.ZipFile(converted.ods / f"{path.stem}.ods") as package:
        modules = {}
        for name in package.namelist():
            match = re.fullmatch(r"Basic/([^/]+)/([^/]+)\.xml", name)
            if match and match.group(2) != "script-lb":
                modules[(match.group(1), match.group(2))] = package.read(name).decode("utf-8")
        content = package.read("content.xml").decode("utf-8")
    assert _vba_module_names() <= {module for _, module in modules}, f"modules seen: {sorted(modules)}"
    calls = re.findall(r"vnd\.sun\.star\.script:([^.?\"]+)\.([^.?\"]+)\.([^.?\"]+)\?", content)
    labels = re.findall(r'<form:button [^>]*form:label="([^"]*)"', content)
    assert set(labels) >= {caption for caption, _ in L.BUTTON_HELP}, f"buttons seen: {labels}"
    for library, module, macro in calls:
        source = modules.get((library, module), "")
        assert re.search(rf"^\s*(Public\s+)?Sub\s+{re.escape(macro)}\s*\(", source, re.MULTILINE | re.IGNORECASE), (
            f"a button calls {library}.{module}.{macro}, which LibreOffice does not find")
    knappar = next(source for (_, module), source in modules.items() if module == "Knappar")
    assert "AddinIsOpen" in knappar and "ChrW(228)" in knappar  # the Swedish message when xlwings is missing
    sheets = openpyxl.load_workbook(path, read_only=True).sheetnames
    assert re.findall(r'<table:table table:name="([^"]+)"', content) == sheets
    if book == "demo_xlsm":
        assert "ADHDUng-2609" in sheets and "20121222" in content  # the demo's groups and people
