"""The .xlsx is an xlwings Lite workbook: its parts, main.py and the sheet buttons, read back from the zip."""

from __future__ import annotations

import ast
import re
import tomllib
import zipfile
from pathlib import Path

import openpyxl
import pytest
from defusedxml import ElementTree as ET
from openpyxl.worksheet.table import Table

from tests.pyodide_harness import old_client_payload
from tests.test_buttons import ActionApplier, book_json, xw  # noqa: F401 (xw is a fixture)

from xl_addin import buttons, excel_edge, lite
from xl_addin.demo import DEMO_TODAY, build_demo
from xl_addin.files.reader import read_workbook_file
from xl_addin.domain import layout as L
from xl_addin.template import (
    START_BUTTON_COLUMN_WIDTH,
    START_ROW_HEIGHT,
    TEMPLATE_NAME,
    build_templates,
    write_workbook,
)

ROOT = Path(__file__).resolve().parents[1]
NS = {
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "we": "http://schemas.microsoft.com/office/webextensions/webextension/2010/11",
    "wetp": "http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11",
    "s": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("lite")
    templates = build_templates(folder / "mallar")
    return {"template": templates[0], "demo": build_demo(folder / "demo.xlsx")}


@pytest.fixture(scope="module", params=["template", "demo"])
def workbook(request, built) -> Path:
    return built[request.param]


def _xml(archive: zipfile.ZipFile, name: str):
    return ET.fromstring(archive.read(name))


def _rels(archive: zipfile.ZipFile, name: str) -> dict[str, tuple[str, str]]:
    return {rel.get("Id"): (rel.get("Type"), rel.get("Target")) for rel in _xml(archive, name)}


# -- the parts ----------------------------------------------------------------------------------------
def test_the_web_extension_references_the_lite_add_in_from_the_store(workbook):
    with zipfile.ZipFile(workbook) as archive:
        root = _xml(archive, lite.WEBEXTENSION_PART)
    reference = root.find("we:reference", NS)
    assert (reference.get("id"), reference.get("storeType")) == ("wa200008175", "OMEX")
    alternate = root.find("we:alternateReferences/we:reference", NS)
    assert alternate.get("id") == "WA200008175"
    names = [prop.get("name") for prop in root.iterfind("we:properties/we:property", NS)]
    assert names == ["main.py", "requirements.txt", "pyodideVersion", "addinVersion"]


def test_the_properties_are_json_strings_that_read_back_as_main_py_and_requirements(workbook):
    properties = lite.read_lite_properties(workbook)
    with zipfile.ZipFile(workbook) as archive:
        raw = archive.read(lite.WEBEXTENSION_PART).decode("utf-8")
    assert 'name="pyodideVersion" value="&quot;0.27.5&quot;"' in raw  # JSON quotes, XML-escaped
    assert properties["pyodideVersion"] == lite.PYODIDE_VERSION == "0.27.5"
    assert properties["addinVersion"] == lite.LITE_ADDIN_VERSION
    assert properties["main.py"] == lite.main_py()
    assert properties["requirements.txt"] == lite.requirements_txt()


def test_the_task_pane_part_points_at_the_web_extension_and_the_package_at_the_task_pane(workbook):
    with zipfile.ZipFile(workbook) as archive:
        pane = _xml(archive, lite.TASKPANES_PART).find("wetp:taskpane", NS)
        assert pane.get("dockstate") == "right"
        assert pane.get("visibility") == "1"  # shown on open: that starts Lite, and the buttons need it
        ref = pane.find("wetp:webextensionref", NS).get(f"{{{NS['r']}}}id")
        assert _rels(archive, lite.TASKPANES_RELS_PART)[ref] == (lite.REL_WEBEXTENSION, "webextension1.xml")
        package = _rels(archive, "_rels/.rels")
        assert (lite.REL_TASKPANES, lite.TASKPANES_PART) in package.values()
        assert len(package) == len(set(package))
        types = {o.get("PartName"): o.get("ContentType") for o in _xml(archive, "[Content_Types].xml")
                 if o.tag.endswith("Override")}
    assert types["/" + lite.WEBEXTENSION_PART] == "application/vnd.ms-office.webextension+xml"
    assert types["/" + lite.TASKPANES_PART] == "application/vnd.ms-office.webextensiontaskpanes+xml"


def test_every_part_a_relationship_names_exists(workbook):
    with zipfile.ZipFile(workbook) as archive:
        names = set(archive.namelist())
        for rels in [name for name in names if name.endswith(".rels")]:
            folder = Path(rels).parent.parent
            for _type, target in _rels(archive, rels).values():
                if target.startswith("#"):
                    continue  # a place in the workbook (a button's link)
                part = target.lstrip("/") if target.startswith("/") else str((folder / target)).replace("\\", "/")
                part = re_normalise(part)
                assert part in names, (rels, target)


def re_normalise(path: str) -> str:
    parts: list[str] = []
    for piece in path.split("/"):
        if piece == "..":
            parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def test_two_builds_are_byte_identical(built, tmp_path):
    again = build_templates(tmp_path)[0]
    assert again.read_bytes() == built["template"].read_bytes()
    assert build_demo(tmp_path / "demo.xlsx").read_bytes() == built["demo"].read_bytes()


def test_the_macro_enabled_workbook_has_no_lite_parts(tmp_path):
    xlsm = build_templates(tmp_path)[1]
    with zipfile.ZipFile(xlsm) as archive:
        assert not [name for name in archive.namelist() if "webextension" in name]


def test_a_workbook_can_be_written_without_lite(tmp_path):
    path = write_workbook(tmp_path / "utan.xlsx", lite=False)
    with zipfile.ZipFile(path) as archive:
        assert lite.WEBEXTENSION_PART not in archive.namelist()


# -- main.py and requirements.txt ---------------------------------------------------------------------
def _scripts(source: str) -> dict[str, tuple[dict[str, object], list[ast.stmt]]]:
    """Each function decorated with @script: its keyword arguments and its body."""
    found = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) == "script":
                found[node.name] = ({k.arg: ast.literal_eval(k.value) for k in decorator.keywords}, node.body)
    return found


def test_main_py_has_one_one_line_script_per_button_calling_the_button_function():
    source = lite.main_py()
    scripts = _scripts(source)
    assert list(scripts) == [function for _caption, _sub, function in L.BUTTONS]
    for caption, sub, function in L.BUTTONS:
        options, body = scripts[function]
        assert options == {"name": caption, "button": f"[{L.button_shape_name(sub)}]Start!{L.START_BUTTON_CELLS[caption]}",
                           "show_taskpane": True}
        assert len(body) == 1
        assert ast.unparse(body[0]) == f"buttons.{function}(book)"
        assert callable(getattr(buttons, function))
    function_args = [node.args.args for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)
                     and node.name in scripts]
    assert all([ast.unparse(arg) for arg in args] == ["book: xw.Book"] for args in function_args)


def test_main_py_carries_the_button_modules_and_none_of_the_file_side(tmp_path):
    archive = lite.package_archive()
    (tmp_path / "paket.zip").write_bytes(archive)
    with zipfile.ZipFile(tmp_path / "paket.zip") as package:
        names = set(package.namelist())
        assert package.read("xl_addin/buttons.py") == (ROOT / "xl_addin" / "buttons.py").read_bytes()
    assert {"xl_addin/__init__.py", "xl_addin/buttons.py", "xl_addin/excel_edge.py", "xl_addin/services.py",
            "xl_addin/domain/parsing.py"} <= names
    assert not [name for name in names if "/files/" in name or name.endswith(("template.py", "cli.py"))]
    assert lite.package_archive() == archive  # the same bytes every build
    import base64

    source = lite.main_py(archive)
    encoded = "".join(re.findall(r'^    "([A-Za-z0-9+/=]+)"$', source, re.M))
    assert base64.b64decode(encoded) == archive


def test_requirements_pin_xlwings_and_holidays_as_the_package_does_and_name_this_package():
    text = lite.requirements_txt()
    assert text.splitlines()[0] == "xlwings==0.37.8  # required"
    assert "holidays==0.109" in text.splitlines()
    assert "bup-gruppbokningar" in text and "main.py" in text
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    dependencies = pyproject["project"]["dependencies"]
    assert f"holidays=={lite.HOLIDAYS_VERSION}" in dependencies
    assert any(dep.startswith(f"xlwings>={lite.XLWINGS_VERSION}") for dep in dependencies)
    import xlwings

    assert xlwings.__version__ == lite.XLWINGS_VERSION  # the tests run the xlwings that Lite installs


# -- the sheet buttons --------------------------------------------------------------------------------
def _start_drawing(archive: zipfile.ZipFile) -> tuple[str, object]:
    drawing = lite.sheet_drawing_part({name: archive.read(name) for name in archive.namelist()
                                       if name.startswith("xl/worksheets/_rels/")}, 1)
    assert drawing is not None
    return drawing, _xml(archive, drawing)


def test_each_script_has_its_shape_on_start_linked_to_the_cell_it_covers(workbook):
    scripts = _scripts(lite.read_lite_properties(workbook)["main.py"])
    with zipfile.ZipFile(workbook) as archive:
        sheets = _xml(archive, "xl/workbook.xml").find("s:sheets", NS)
        assert sheets[0].get("name") == L.START  # sheet1.xml is Start
        drawing, root = _start_drawing(archive)
        links = _rels(archive, drawing.replace("drawings/", "drawings/_rels/") + ".rels")
        start = _xml(archive, "xl/worksheets/sheet1.xml")
    shapes = {}
    for anchor in root.iterfind("xdr:twoCellAnchor", NS):
        props = anchor.find("xdr:sp/xdr:nvSpPr/xdr:cNvPr", NS)
        if props is None:
            continue
        link = props.find("a:hlinkClick", NS)
        text = "".join(t.text or "" for t in anchor.iterfind(".//a:t", NS))
        corners = [(int(anchor.find(f"xdr:{end}/xdr:col", NS).text), int(anchor.find(f"xdr:{end}/xdr:colOff", NS).text),
                    int(anchor.find(f"xdr:{end}/xdr:row", NS).text), int(anchor.find(f"xdr:{end}/xdr:rowOff", NS).text))
                   for end in ("from", "to")]
        shapes[props.get("name")] = (link.get(f"{{{NS['r']}}}id") if link is not None else None, text, corners)
    assert len(shapes) == len(L.BUTTONS)
    for caption, sub, function in L.BUTTONS:
        reference = scripts[function][0]["button"]
        name, sheet, cell = re.fullmatch(r"\[(\w+)\](\w+)!([A-Z]+\d+)", reference).groups()
        assert sheet == L.START and name in shapes, reference
        rel, text, (top_left, bottom_right) = shapes[name]
        assert text == caption
        assert links[rel] == ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
                              f"#{L.START}!{cell}")
        column = ord(cell[0]) - ord("A")  # 0-based, as in the drawing
        row = int(cell[1:]) - 1
        assert top_left[0] <= column and top_left[2] <= row
        assert top_left[:2] == (column, 0) or top_left[0] < column
        assert top_left[2:] == (row, 0) or top_left[2] < row
        assert bottom_right[0] > column and bottom_right[2] > row  # reaches past the cell's right and bottom edge
    columns = {int(c.get("min")): float(c.get("width")) for c in start.iterfind("s:cols/s:col", NS)}
    assert round(columns[1]) == round(START_BUTTON_COLUMN_WIDTH + 0.71)  # Excel's stored width adds padding
    heights = {int(r.get("r")): float(r.get("ht")) for r in start.iterfind("s:sheetData/s:row", NS) if r.get("ht")}
    for cell in L.START_BUTTON_CELLS.values():
        assert heights[int(cell[1:])] == START_ROW_HEIGHT


def test_the_start_sheet_of_the_xlsx_no_longer_sends_users_to_the_macro_workbook(workbook):
    with zipfile.ZipFile(workbook) as archive:
        strings = archive.read("xl/sharedStrings.xml").decode("utf-8")
    assert "makroaktiverade" not in strings and "bup-grupper" not in strings
    assert "Klicka på en knapp till vänster" in strings


def test_a_new_button_in_layout_gets_its_own_script_shape_and_cell(monkeypatch, tmp_path):
    caption = "Ny knapp utan hjälprad"
    extra = (caption, "NyKnapp", "check")  # any existing function will do here
    monkeypatch.setattr(L, "BUTTONS", (*L.BUTTONS, extra))
    monkeypatch.setattr(L, "START_BUTTON_CELLS", L._start_button_cells())
    assert L.START_BUTTON_CELLS[caption] == f"A{L.START_FIRST_BUTTON_ROW + len(L.BUTTON_HELP)}"
    source = lite.main_py(b"PK")
    assert f"[btn_NyKnapp]Start!{L.START_BUTTON_CELLS[caption]}" in source
    path = write_workbook(tmp_path / "ny.xlsx")
    with zipfile.ZipFile(path) as archive:
        _drawing, root = _start_drawing(archive)
    names = [p.get("name") for p in root.iterfind(".//xdr:cNvPr", NS)]
    assert names[-1] == "btn_NyKnapp" and len(names) == len(L.BUTTONS)


def test_the_committed_template_is_a_lite_workbook():
    committed = ROOT / "workbook_templates" / TEMPLATE_NAME
    assert lite.read_lite_properties(committed)["pyodideVersion"] == lite.PYODIDE_VERSION


# -- the edge's Lite decisions, under CPython (the same under Pyodide: tests/test_lite_pyodide.py) -------
class LiteActionApplier(ActionApplier):
    """ActionApplier plus the two actions Lite's Ny grupp uses instead of copying Gruppmall."""

    def _addSheet(self, action) -> None:
        position, name = action["args"]
        sheet = self.book.create_sheet(name, int(position))
        assert sheet.title == name

    def _addTable(self, action) -> None:
        address, has_headers, style, name = action["args"]
        assert has_headers is True and style == excel_edge.LITE_TABLE_STYLE
        self._sheet(action).add_table(Table(displayName=name, ref=address.replace("$", "")))


def assert_new_group_sheets_read_back(source: Path, actions: list[dict], folder: Path) -> None:
    """Apply ``actions`` to a copy of ``source``: the new group sheets read back with their dates, a table
    of their own, in their place, and no problems."""
    book = openpyxl.load_workbook(source)
    LiteActionApplier(book).apply(actions)
    path = folder / "efter.xlsx"
    book.save(path)
    workbook = read_workbook_file(path, today=DEMO_TODAY).workbook
    before = read_workbook_file(source, today=DEMO_TODAY).workbook
    new = sorted(set(workbook.group_sheets) - set(before.group_sheets))
    assert new
    reopened = openpyxl.load_workbook(path)
    for group_id in new:
        sheet = workbook.group_sheets[group_id]
        group = workbook.group(group_id)
        assert len(sheet.sessions) == group.session_count
        assert sheet.sessions[0].date == group.start_date
        assert sheet.participants == ()
        assert not [p for p in workbook.problems if p.sheet == group_id], group_id
        assert list(reopened[group_id].tables) == [L.group_table_name(group_id)]
        assert reopened.sheetnames[reopened.sheetnames.index(group_id) + 1] == L.INTEREST
    assert not [p for p in workbook.problems if "Gruppbladet saknas" in p.message]


@pytest.fixture
def lite_edge(monkeypatch):
    monkeypatch.setattr(excel_edge, "lacks_message_boxes", lambda: True)
    monkeypatch.setattr(excel_edge, "lacks_sheet_copy", lambda: True)


def test_ny_grupp_without_copy_sheet_builds_sheets_that_read_back(xw, built, lite_edge, tmp_path, capsys):  # noqa: F811
    book = xw.Book(json=book_json(built["demo"], xw.__version__))
    buttons.new_groups(book, today=DEMO_TODAY)
    actions = book.json()["actions"]
    assert [a["func"] for a in actions if a["func"] in ("addSheet", "copySheet", "setSheetVisibility", "alert")] \
        == ["addSheet"]
    assert_new_group_sheets_read_back(built["demo"], actions, tmp_path)
    assert excel_edge.new_sheet_note() in capsys.readouterr().out


@pytest.mark.parametrize("function", [function for _caption, _sub, function in L.BUTTONS])
def test_every_button_works_with_an_older_clients_payload(xw, built, lite_edge, capsys, function):  # noqa: F811
    payload = book_json(built["demo"], xw.__version__)
    new = xw.Book(json=payload)
    getattr(buttons, function)(new, today=DEMO_TODAY)
    printed_new = capsys.readouterr().out
    old = xw.Book(json=old_client_payload(book_json(built["demo"], xw.__version__)))
    getattr(buttons, function)(old, today=DEMO_TODAY)
    printed_old = capsys.readouterr().out
    assert "Ett oväntat fel" not in printed_old and "KeyError" not in printed_old
    # the same writes (the Logg row's time may differ by a second: compare what and where)
    where = [(a["func"], a["sheet_position"], a["start_row"], a["start_column"]) for a in old.json()["actions"]]
    assert where == [(a["func"], a["sheet_position"], a["start_row"], a["start_column"])
                     for a in new.json()["actions"]]
    assert printed_old.splitlines()[0] == printed_new.splitlines()[0]


def test_a_sheet_without_visibility_counts_as_shown(xw, built):  # noqa: F811
    payload = old_client_payload(book_json(built["template"], xw.__version__))
    grids, _tables = excel_edge.read_book(xw.Book(json=payload))
    assert all(grid.visible for grid in grids.values())
