"""The COM read path (``excel_edge._read_com``, desktop Excel on Windows) against the benchmark's stand-in
of Excel's COM objects (``benchmarks/run.py`` ``_ComStandIn``): it reads what the remote engine's path
reads, and costs three calls per sheet plus a constant. There is no Excel here, so this checks the
code's reads and its number of calls, not Excel's answers; values are cleaned by the remote engine's
function (the stand-in answers from an Office.js payload)."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
import types
from pathlib import Path

import pytest

from tests.test_buttons import book_json, demo, xw  # noqa: F401 (fixtures)
from xl_addin import excel_edge
from xl_addin.domain import layout as L
from xl_addin.domain.cells import CellError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("benchmarks_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def clean(xw):
    from xlwings.pro import _xlremote

    return _xlremote.engine.clean_value_data


def _key(snapshot):
    grids, tables = snapshot
    return ({name: [list(row) for row in grid.rows] for name, grid in grids.items()},
            {name: (t.sheet, t.header_row, t.first_column, t.last_row, t.columns) for name, t in tables.items()})


def _visible(snapshot):
    return {name: grid.visible for name, grid in snapshot[0].items()}


def _fixed_only(payload):
    fewer = json.loads(json.dumps(payload))
    fewer["sheets"] = [sheet for sheet in fewer["sheets"] if sheet["name"] in L.FIXED_SHEETS]
    return fewer


def test_the_com_path_reads_what_the_remote_engine_reads(xw, demo, bench, clean):
    payload = book_json(demo, xw.__version__)
    native = excel_edge.read_book(xw.Book(json=json.loads(json.dumps(payload))))
    com = excel_edge._read_com(bench._ComStandIn(json.loads(json.dumps(payload))), clean)
    assert list(com[0]) == list(native[0])  # every sheet, in the workbook's order
    assert _key(com) == _key(native)
    # Visibility is asked of the contract's sheets only (Gruppmall is hidden); a group sheet counts as shown.
    assert {n: v for n, v in _visible(com).items() if n in L.FIXED_SHEETS} == {
        n: v for n, v in _visible(native).items() if n in L.FIXED_SHEETS}
    assert _visible(com)[L.GROUP_TEMPLATE] is False


def test_the_com_path_costs_three_calls_per_sheet_plus_a_constant(xw, demo, bench, clean):
    payload = book_json(demo, xw.__version__)
    whole, fixed = bench._ComStandIn(json.loads(json.dumps(payload))), bench._ComStandIn(_fixed_only(payload))
    excel_edge._read_com(whole, clean)
    excel_edge._read_com(fixed, clean)
    group_sheets = len(payload["sheets"]) - len(_fixed_only(payload)["sheets"])
    assert group_sheets > 0
    assert whole.calls - fixed.calls == 3 * group_sheets  # used range, its external address, its values


def test_without_an_enumerator_the_com_path_iterates_and_reads_the_same(xw, demo, bench, clean):
    payload = book_json(demo, xw.__version__)
    enumerated = excel_edge._read_com(bench._ComStandIn(json.loads(json.dumps(payload))), clean)
    stand_in = bench._ComStandIn(json.loads(json.dumps(payload)), enumerator=False)
    iterated = excel_edge._read_com(stand_in, clean)
    assert _key(iterated) == _key(enumerated) and _visible(iterated) == _visible(enumerated)


def test_an_enumerator_that_fails_midway_falls_back_to_iterating(xw, demo, bench, clean, monkeypatch):
    payload = book_json(demo, xw.__version__)
    expected = excel_edge._read_com(bench._ComStandIn(json.loads(json.dumps(payload))), clean)
    monkeypatch.setattr(excel_edge, "_COM_BATCH", 4)  # several Next calls; the second one fails
    stand_in = bench._ComStandIn(json.loads(json.dumps(payload)))
    collection = type(stand_in.Worksheets)
    opened = collection._NewEnum

    def failing(self):
        enumerator = opened(self)
        calls = []

        def next_batch(count=1, real=enumerator.Next):
            calls.append(count)
            if len(calls) == 2:
                raise OSError("the call was rejected")
            return real(count)
        enumerator.Next = next_batch
        return enumerator
    monkeypatch.setattr(collection, "_NewEnum", failing)
    assert _key(excel_edge._read_com(stand_in, clean)) == _key(expected)


def test_the_com_enumerator_is_asked_in_batches_until_a_short_one(xw, demo, bench, clean, monkeypatch):
    payload = book_json(demo, xw.__version__)
    expected = excel_edge._read_com(bench._ComStandIn(json.loads(json.dumps(payload))), clean)
    sheets = len(payload["sheets"])
    for batch in (1, 3, sheets):  # the last: a full batch, then an empty one
        monkeypatch.setattr(excel_edge, "_COM_BATCH", batch)
        stand_in = bench._ComStandIn(json.loads(json.dumps(payload)))
        asked = []
        collection = type(stand_in.Worksheets)
        opened = collection._NewEnum

        def counting(self, opened=opened, asked=asked):
            enumerator, counts = opened(self), []
            asked.append(counts)  # the first enumerator is the worksheets', then each contract sheet's tables'
            real = enumerator.Next
            enumerator.Next = lambda count=1: counts.append(count) or real(count)
            return enumerator
        monkeypatch.setattr(collection, "_NewEnum", counting)
        assert _key(excel_edge._read_com(stand_in, clean)) == _key(expected)
        worksheet_batches = sheets // batch + 1 if sheets % batch == 0 else math.ceil(sheets / batch)
        assert asked[0] == [batch] * worksheet_batches


def test_the_com_path_pads_a_used_range_that_starts_below_a1_and_reads_a_quoted_sheet_name(xw, bench, clean):
    payload = {
        "client": "Office.js", "version": xw.__version__,
        "book": {"name": "liten bok.xlsx", "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": [{
            "name": name, "visibility": "Visible", "used_range_address": address, "values": values,
            "pictures": [], "shapes": [], "charts": [], "notes": [], "tables": [], "print_area": None,
            "show_gridlines": True, "pivot_tables": [],
        } for name, address, values in (
            ("Grupp's blad", "C3:D4", [["", "", "", ""], ["", "", "", ""], ["", "", "a", "#N/A"],
                                      ["", "", "2026-10-14T00:00:00.000Z", 5]]),
            ("Tomt", "A1", [[""]]),
            ("En cell", "B2", [["", ""], ["", 7]]),
        )],
    }
    native = excel_edge.read_book(xw.Book(json=json.loads(json.dumps(payload))))
    com = excel_edge._read_com(bench._ComStandIn(json.loads(json.dumps(payload))), clean)
    assert _key(com) == _key(native)
    grid = com[0]["Grupp's blad"]
    assert grid.value(3, 3) == "a" and grid.value(1, 1) is None and grid.value(3, 4) == CellError("#N/A")
    assert com[0]["Tomt"].rows == [] and com[0]["En cell"].value(2, 2) == 7


def test_read_book_on_the_windows_engine_reads_through_com_with_xlwings_retry_wrapper(xw, demo, bench, clean,
                                                                                      monkeypatch):
    # What xlwings' Windows engine module offers (pywin32's wrapper classes, its retrying wrapper) and
    # pywin32's Dispatch, written here: there is no pywin32 on this machine.
    class CDispatch:
        def __init__(self, inner):
            self._inner = inner

        def __getattr__(self, name):
            return getattr(self._inner, name)

    class COMRetryObjectWrapper(CDispatch):
        wrapped: list = []

        def __init__(self, inner):
            super().__init__(inner)
            self.wrapped.append(inner)

    engine = types.ModuleType("fake_xlwings._xlwindows")
    engine.CDispatch, engine.COMRetryObjectWrapper = CDispatch, COMRetryObjectWrapper
    engine.CoClassBaseClass = engine.DispatchBaseClass = type("Generated", (), {})
    client = types.ModuleType("win32com.client")
    client.Dispatch = CDispatch
    monkeypatch.setitem(sys.modules, engine.__name__, engine)
    monkeypatch.setitem(sys.modules, "win32com", types.ModuleType("win32com"))
    monkeypatch.setitem(sys.modules, "win32com.client", client)

    payload = book_json(demo, xw.__version__)
    stand_in = bench._ComStandIn(json.loads(json.dumps(payload)))
    book = types.SimpleNamespace(
        impl=type("Book", (), {"__module__": engine.__name__})(), api=stand_in,
        app=types.SimpleNamespace(engine=types.SimpleNamespace(impl=types.SimpleNamespace(clean_value_data=clean))))
    native = excel_edge.read_book(xw.Book(json=json.loads(json.dumps(payload))))
    assert _key(excel_edge.read_book(book)) == _key(native)
    assert stand_in.calls > 0  # the COM path ran, not the portable one
    # Every sheet and table it enumerated went into xlwings' retrying wrapper, each wrapped by Dispatch once.
    tables = sum(len(sheet["tables"]) for sheet in payload["sheets"] if sheet["name"] in {t.sheet for t in L.TABLES})
    assert len(COMRetryObjectWrapper.wrapped) == len(payload["sheets"]) + tables
    assert all(type(item) is CDispatch for item in COMRetryObjectWrapper.wrapped)
