"""xlwings Lite's runtime for tests: Python snippets run under Pyodide in Node, offline, with a payload.

``install.py`` puts the npm package ``pyodide`` (the version the template names) and the pure-Python
wheels of Lite's requirements.txt into ``build/pyodide/``. A ``PyodideSession`` starts Node once
(loading Pyodide takes a few seconds), unzips the wheels into site-packages, and then runs snippets:
``session.run(code)`` returns what the snippet put in ``result`` (JSON), ``session.actions(snippet,
payload)`` runs a snippet with ``book = xw.Book(json=payload)`` and returns the actions it emitted.

The environment is Lite's: ``XLWINGS_ON_SERVER`` is set (so ``from xlwings import script`` registers
scripts, as in Lite) and the remote engine runs under ``XLWINGS_LICENSE_KEY=noncommercial``, for tests
only (README). Nothing here touches the network.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "pyodide"
PYODIDE_DIR = BUILD / "node_modules" / "pyodide"
WHEELS = BUILD / "wheels"
RUNNER = Path(__file__).with_name("pyodide_runner.mjs")
START_TIMEOUT = 180
RUN_TIMEOUT = 180

# The handlers of xlwings' public Office.js client (xlwings/xlwings-server,
# app/static/js/core/xlwingsjs/xlwings.js, its last version there, 2026-01-06): the oldest client a
# Lite or Server user may still have. It has no copySheet, no setSheetVisibility, and sends no sheet
# visibility and no used-range address.
PUBLIC_OFFICE_JS_HANDLERS = frozenset({
    "setValues", "addSheet", "setSheetName", "setAutofit", "setRangeColor", "activateSheet", "addHyperlink",
    "setNumberFormat", "setPictureName", "setPictureWidth", "setPictureHeight", "deletePicture", "addPicture",
    "updatePicture", "alert", "setRangeName", "namesAdd", "nameDelete", "runMacro", "rangeDelete", "rangeInsert",
    "rangeSelect", "rangeClearContents", "rangeClearFormats", "rangeGroup", "rangeUngroup", "rangeClear",
    "rangeAdjustIndent", "addTable", "setTableName", "resizeTable", "showAutofilterTable", "showHeadersTable",
    "showTotalsTable", "setTableStyle", "copyRange", "copyFromRange", "sheetDelete", "sheetClear",
    "sheetClearFormats", "sheetClearContents", "freezePaneAtRange", "freezePaneUnfreeze", "setFontProperty",
})

# What an older Office.js client sends per sheet and per table (the same client).
OLD_CLIENT_SHEET_KEYS = ("name", "values", "pictures", "tables")
OLD_CLIENT_TABLE_KEYS = ("name", "range_address", "header_row_range_address", "data_body_range_address",
                         "total_row_range_address", "show_headers", "show_totals", "table_style",
                         "show_autofilter")

LITE_PRELUDE = textwrap.dedent("""\
    import json, os, sys
    os.environ["XLWINGS_ON_SERVER"] = "true"
    os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
    import xlwings as xw
""")

# A fixed clock for comparing runs (the buttons read it at the edge): exec'd in both runtimes.
FIXED_CLOCK = textwrap.dedent("""\
    import datetime as _datetime

    class FixedDate(_datetime.date):
        @classmethod
        def today(cls):
            return cls(*TODAY)

    class FixedDateTime(_datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(*TODAY, 9, 30)
""")


def unavailable() -> str | None:
    """Why the Pyodide runtime cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed (CI: apt-get install nodejs)"
    if not (PYODIDE_DIR / "pyodide.mjs").exists():
        return f"npm package pyodide missing in {PYODIDE_DIR} (run python3 install.py)"
    if not list(WHEELS.glob("*.whl")):
        return f"no wheels in {WHEELS} (run python3 install.py)"
    return None


def installed_pyodide_version() -> str:
    return json.loads((PYODIDE_DIR / "package.json").read_text(encoding="utf-8"))["version"]


def old_client_payload(payload: dict) -> dict:
    """``payload`` as an older Office.js client sends it: no visibility, no used range, fewer fields."""
    sheets = []
    for sheet in payload["sheets"]:
        old = {key: sheet[key] for key in OLD_CLIENT_SHEET_KEYS}
        old["tables"] = [{key: table[key] for key in OLD_CLIENT_TABLE_KEYS} for table in sheet["tables"]]
        sheets.append(old)
    return {**payload, "sheets": sheets}


class PyodideError(AssertionError):
    """A snippet failed under Pyodide; the message has Python's traceback."""


class PyodideSession:
    """One Node process with Pyodide loaded and the wheels installed; runs snippets one at a time."""

    def __init__(self, wheels: list[Path] | None = None) -> None:
        reason = unavailable()
        if reason:
            raise RuntimeError(reason)
        wheels = sorted(WHEELS.glob("*.whl")) if wheels is None else wheels
        self._process = subprocess.Popen(
            ["node", str(RUNNER), str(PYODIDE_DIR), *map(str, wheels)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
            env={**os.environ, "NODE_NO_WARNINGS": "1"},
        )
        ready = self._read(START_TIMEOUT)
        if not ready.get("ready"):
            raise RuntimeError(f"Pyodide did not start: {ready}")
        self.run(LITE_PRELUDE)

    def _read(self, timeout: float) -> dict:
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self._process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not line or not line[0]:
            self.close()
            raise RuntimeError("Pyodide did not answer: " + (self._process.stderr.read() or "")[-2000:])
        return json.loads(line[0])

    def run(self, code: str, payload: dict | None = None) -> tuple[object, str]:
        """Run ``code`` (top-level ``await`` allowed; ``payload_json`` holds ``payload``); return the
        JSON value the code put in ``result_json`` and what it printed."""
        code = "import json, sys\n" + code  # each snippet has its own globals; modules stay loaded
        self._process.stdin.write(json.dumps({"code": code, "payload": payload}) + "\n")
        self._process.stdin.flush()
        answer = self._read(RUN_TIMEOUT)
        if not answer["ok"]:
            raise PyodideError(answer["error"] + "\n" + answer.get("stdout", ""))
        return answer["result"], answer.get("stdout", "")

    def actions(self, snippet: str, payload: dict) -> tuple[list[dict], str]:
        """Run ``snippet`` with ``book = xw.Book(json=payload)``; return the actions it emitted and what it
        printed. The snippet may ``await``."""
        code = (
            "import json\nimport xlwings as xw\n"
            "book = xw.Book(json=json.loads(payload_json))\n"
            f"{snippet}\n"
            "result_json = json.dumps(book.json()['actions'])\n"
        )
        result, printed = self.run(code, payload)
        return result, printed

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
