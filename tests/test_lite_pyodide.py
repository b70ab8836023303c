"""The template's main.py under Pyodide (xlwings Lite's runtime), offline: every script on the demo's payload
emits the same actions as the same button under CPython, also with an older client's payload, and only
actions the Office.js client has handlers for.

Pyodide runs in Node from the npm package that ``install.py`` puts in ``build/pyodide`` (the version the
template names), with the pure-Python wheels of requirements.txt unzipped into site-packages and this
package carried inside main.py, exactly as the template has it. Without Node/Pyodide the tests are
skipped, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import copy
import os
import re
import textwrap
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from tests.pyodide_harness import (
    FIXED_CLOCK,
    PUBLIC_OFFICE_JS_HANDLERS,
    PyodideSession,
    installed_pyodide_version,
    old_client_payload,
    unavailable,
)
from tests.test_buttons import book_json, xw  # noqa: F401 (xw is a fixture)
from tests.test_lite import LiteActionApplier
from xl_addin import buttons, excel_edge, lite
from xl_addin.demo import DEMO_TODAY, build_demo
from xl_addin.domain import layout as L
from tests.test_lite import assert_new_group_sheets_read_back

ROOT = Path(__file__).resolve().parents[1]
BUTTONS = [function for _caption, _sub, function in L.BUTTONS]
_IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
_REASON = unavailable()
pytestmark = pytest.mark.skipif(_REASON is not None and not _IN_CI, reason=f"Pyodide: {_REASON}")
FILE_SIDE = ("pandas", "numpy", "openpyxl", "xlsxwriter", "python_calamine", "xl_addin.template", "xl_addin.files")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return build_demo(tmp_path_factory.mktemp("lite-demo") / "demo.xlsx")


@pytest.fixture(scope="module")
def payload(demo) -> dict:
    return book_json(demo, lite.XLWINGS_VERSION)


@pytest.fixture(scope="module")
def session(demo):
    """Pyodide with the wheels, and the demo workbook's own main.py loaded as Lite loads it (module main)."""
    pyodide = PyodideSession()
    main_py = lite.read_lite_properties(demo)["main.py"]
    pyodide.run(textwrap.dedent(f"""\
        import types
        main = types.ModuleType("main")
        exec(compile({main_py!r}, "main.py", "exec"), main.__dict__)
        sys.modules["main"] = main
    """))
    yield pyodide
    pyodide.close()


def _clock(today: date) -> dict:
    namespace: dict = {"TODAY": (today.year, today.month, today.day)}
    exec(FIXED_CLOCK, namespace)
    return namespace


def lite_click(session: PyodideSession, function: str, payload: dict, today: date = DEMO_TODAY) -> tuple[list, str]:
    """Click ``function``'s script the way Lite does (``custom_scripts_call`` on module main); the clock is
    fixed at ``today`` (09:30), the only difference from a real click."""
    snippet = (
        f"TODAY = {(today.year, today.month, today.day)!r}\n{FIXED_CLOCK}\n"
        "import xl_addin.buttons as _buttons\n"
        "_buttons.date, _buttons.datetime = FixedDate, FixedDateTime\n"
        "from xlwings.server import custom_scripts_call\n"
        f"book = await custom_scripts_call(sys.modules['main'], {function!r}, typehint_to_value={{xw.Book: book}})\n"
    )
    return session.actions(snippet, payload)


def cpython_click(xw, monkeypatch, capsys, function: str, payload: dict, today: date = DEMO_TODAY,  # noqa: F811
                  *, lite_edge: bool = True) -> tuple[list, str]:
    """The same button under CPython with the same clock; ``lite_edge`` takes the edge's Lite decisions
    (no message box, no sheet copy, no user name) that Pyodide takes by itself."""
    clock = _clock(today)
    with monkeypatch.context() as patch:
        patch.setattr(buttons, "date", clock["FixedDate"])
        patch.setattr(buttons, "datetime", clock["FixedDateTime"])
        if lite_edge:
            patch.setattr(excel_edge, "lacks_message_boxes", lambda: True)
            patch.setattr(excel_edge, "lacks_sheet_copy", lambda: True)
            patch.setattr(excel_edge, "lacks_local_files", lambda: True)
            patch.setattr(buttons, "_user", lambda: "")
        capsys.readouterr()
        book = xw.Book(json=copy.deepcopy(payload))  # the remote engine adds new sheets to the payload itself
        getattr(buttons, function)(book)
        printed = capsys.readouterr().out.rstrip("\n")
    return book.json()["actions"], printed


@pytest.fixture(scope="module")
def lite_runs(session, payload) -> dict[tuple[str, str], tuple[list, str]]:
    """Every script clicked once under Pyodide, with the full and with an older client's payload."""
    runs = {}
    for function in BUTTONS:
        runs[(function, "full")] = lite_click(session, function, payload)
        runs[(function, "old")] = lite_click(session, function, old_client_payload(payload))
    return runs


# -- the runtime ---------------------------------------------------------------------------------------
def test_pyodide_is_the_version_the_template_names_and_runs_offline_as_emscripten(session):
    assert installed_pyodide_version() == lite.PYODIDE_VERSION
    result, _ = session.run("import xlwings, platform\n"
                            "result_json = json.dumps([sys.platform, platform.python_version(), xlwings.__version__])")
    platform, python, xlwings_version = result
    assert platform == "emscripten" and python.startswith("3.12") and xlwings_version == lite.XLWINGS_VERSION


def test_main_py_registers_one_script_per_button_with_its_sheet_button(session):
    result, _ = session.run("from xlwings.server import custom_scripts_meta\n"
                            "result_json = json.dumps(custom_scripts_meta(sys.modules['main']))")
    meta = {entry["function_name"]: entry for entry in result}
    assert sorted(meta) == sorted(BUTTONS)
    for caption, sub, function in L.BUTTONS:
        assert meta[function]["button"] == f"[{L.button_shape_name(sub)}]{L.START}!{L.START_BUTTON_CELLS[caption]}"
        assert meta[function]["show_taskpane"] is True and meta[function]["name"] == caption


def test_loading_main_py_imports_what_a_click_needs_so_the_first_click_does_not(session):
    """Run before any click (the session fixture has only loaded main.py)."""
    result, _ = session.run(
        "result_json = json.dumps(sorted(m for m in sys.modules if m.startswith('xl_addin')))")
    for module in ("xl_addin.services", "xl_addin.excel_edge", "xl_addin.domain.parsing",
                   "xl_addin.domain.swedish_days_off", "xl_addin.domain.tasks"):
        assert module in result, module
    assert not [m for m in result if m.startswith(FILE_SIDE)]


def test_the_package_comes_from_main_py_and_the_button_path_loads_no_file_side_library(session, lite_runs):
    result, _ = session.run(
        "import xl_addin\n"
        f"result_json = json.dumps([xl_addin.__file__, sorted(m for m in sys.modules if m.startswith({FILE_SIDE!r}))])"
    )
    origin, loaded = result
    assert re.search(r"/bup-gruppbokningar-[\d.]+-[0-9a-f]{12}\.zip/xl_addin/__init__\.py$", origin), origin
    assert loaded == []


# -- the same actions as under CPython -------------------------------------------------------------------
@pytest.mark.parametrize("function", BUTTONS)
def test_each_script_emits_what_the_button_emits_under_cpython(lite_runs, xw, payload, monkeypatch, capsys,  # noqa: F811
                                                               function):
    actions, printed = lite_runs[(function, "full")]
    expected, expected_printed = cpython_click(xw, monkeypatch, capsys, function, payload)
    assert actions == expected
    assert printed == expected_printed
    assert "Ett oväntat fel" not in printed
    assert printed.splitlines()[0].startswith(L.BUTTONS[BUTTONS.index(function)][0])


@pytest.mark.parametrize("function", BUTTONS)
def test_each_script_works_with_an_older_clients_payload(lite_runs, function):
    """No sheet visibility, no used-range address, fewer table fields: the same actions as with a new client."""
    actions, printed = lite_runs[(function, "old")]
    assert "Ett oväntat fel" not in printed and "KeyError" not in printed
    assert (actions, printed) == lite_runs[(function, "full")]


def test_lite_differs_from_classic_only_in_message_boxes_and_how_a_group_sheet_is_made(xw, payload, monkeypatch,  # noqa: F811
                                                                                      capsys, lite_runs):
    monkeypatch.setattr(buttons, "_user", lambda: "")  # the browser does not know who is signed in
    for function in BUTTONS:
        classic, _ = cpython_click(xw, monkeypatch, capsys, function, payload, lite_edge=False)
        lite_actions, printed = lite_runs[(function, "full")]
        if function == "archive":  # no archive file can be saved in Lite: only Status says so, nothing leaves
            assert [a["func"] for a in lite_actions] == ["setValues"] and "Excel på webben" in printed
            continue
        alerts = [action["args"][0] for action in classic if action["func"] == "alert"]
        assert alerts == [printed.split("\n" + excel_edge.new_sheet_note())[0]], function
        without = [action for action in classic if action["func"] != "alert"]
        if function == "new_groups":
            assert "copySheet" in {a["func"] for a in without} and "copySheet" not in {a["func"] for a in lite_actions}
            continue
        assert without == lite_actions, function


# -- what Lite's client can apply -------------------------------------------------------------------
def _office_scripts_handlers() -> set[str]:
    """The handlers of the client that ships with the installed xlwings (js/xlwings.ts)."""
    import xlwings

    source = (Path(xlwings.__file__).parent / "js" / "xlwings.ts").read_text(encoding="utf-8")
    return set(re.findall(r"^registerCallback\((\w+)\);", source, re.M))


def test_every_action_a_click_emits_has_a_handler_in_the_office_js_client(lite_runs):
    emitted = {action["func"] for actions, _ in lite_runs.values() for action in actions}
    assert {"setValues", "resizeTable", "addSheet", "addTable"} <= emitted
    handled = PUBLIC_OFFICE_JS_HANDLERS & _office_scripts_handlers()
    assert emitted <= handled, emitted - handled
    assert "alert" not in emitted  # App.alert is not supported in Wasm mode: messages go to the task pane


def test_messages_go_to_status_and_the_task_pane(lite_runs, payload):
    start = [sheet["name"] for sheet in payload["sheets"]].index(L.START)
    for function in BUTTONS:
        actions, printed = lite_runs[(function, "full")]
        status = [a for a in actions if a["func"] == "setValues" and a["sheet_position"] == start
                  and (a["start_row"], a["start_column"]) == (2, 1)]
        assert len(status) == 1, function
        assert printed.startswith(status[0]["values"][0][0]), function


# -- Ny grupp without copySheet ------------------------------------------------------------------------
def test_ny_grupp_in_lite_makes_group_sheets_the_workbook_reads_back_without_problems(lite_runs, demo, tmp_path):
    actions, printed = lite_runs[("new_groups", "full")]
    assert "copySheet" not in {a["func"] for a in actions}
    assert_new_group_sheets_read_back(demo, actions, tmp_path)
    assert excel_edge.new_sheet_note() in printed


def test_a_failing_click_in_lite_shows_the_technical_detail_in_the_task_pane_without_personal_data(session,
                                                                                                   payload):
    snippet = (
        "import xl_addin.services as _services\n"
        "_services._original_check = _services.check\n"
        "def _broken(workbook, today):\n"
        "    raise ValueError('20140612-9013 Exempel Exempelsson')\n"
        "_services.check = _broken\n"
        "from xlwings.server import custom_scripts_call\n"
        "book = await custom_scripts_call(sys.modules['main'], 'check', typehint_to_value={xw.Book: book})\n"
    )
    try:
        actions, printed = session.actions(snippet, payload)
    finally:
        session.run("import xl_addin.services as s\ns.check = s._original_check")
    assert "Ett oväntat fel inträffade (ValueError). Inget har ändrats" in printed
    assert "Tekniska detaljer står i panelen till höger" in printed
    assert "builtins.ValueError" in printed and "_broken" in printed
    assert "20140612" not in printed and "Exempelsson" not in printed
    assert {a["func"] for a in actions} == {"setValues"}  # Status only
