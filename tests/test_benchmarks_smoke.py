"""The benchmark still runs: ``benchmarks/run.py --smoke`` on the smallest workbook (no timing assertions).

It writes its report to a temporary file and keeps its generated workbook in a temporary folder, so
the repository's ``docs/performance.md`` and ``build/`` are left alone.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from xl_addin.cli import WORKBOOK_COMMANDS

ROOT = Path(__file__).resolve().parents[1]


def test_the_smoke_benchmark_reports_every_command(tmp_path):
    out = tmp_path / "performance.md"
    finished = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke", "--out", str(out),
         "--cache", str(tmp_path / "cache")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    report = out.read_text(encoding="utf-8")
    for command in WORKBOOK_COMMANDS:
        row = re.search(rf"^\| term \| {re.escape(command)} \| \d+ \| \d+ \| \d+ \| [\d.]+× \| \d+ \|$", report, re.M)
        assert row, f"no figures for {command}"
    assert "Where the time goes" in report
    # The naive baseline computes the same roster statuses as the command (the report says so).
    assert re.search(r"flag-late-rosters: Sista dag för lista and Status of \d+ groups equal", report)
    assert "DIFFERENT" not in report
    # The demo is read three ways (remote engine, portable xlwings API, COM against the stand-in of
    # Excel's objects): the same grids and tables, and COM within three calls per sheet plus a constant.
    assert "The three paths read the same grids and tables: yes." in report
    assert re.search(r"; COM [\d.]+ \(counted against a stand-in[^)]*\), met;", report)
    assert "Import of the button module" in report
