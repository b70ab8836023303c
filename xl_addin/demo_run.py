"""``bup-grupper demo``: builds the demo workbook and runs every command on it, with a short summary."""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import datetime, time
from pathlib import Path
from typing import TextIO

from . import services
from .demo import DEMO_TODAY, build_demo
from .domain import layout as L
from .files.reader import read_workbook_file
from .files.writer import registration_files, result_workbook_name, write_result_workbook

DEMO_FILE = "Gruppbokningar-demo.xlsx"


def run_demo(directory: Path | None, *, out: TextIO, err: TextIO) -> int:
    """Build the demo in ``directory`` (a temporary folder if None) and show what each button finds."""
    if directory is None:
        directory = Path(tempfile.mkdtemp(prefix="bup-demo-"))
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    source = directory / DEMO_FILE
    build_demo(source)
    print(f"Demoarbetsbok: {source}", file=out)
    print(f"Alla kommandon körs som om det vore {DEMO_TODAY.isoformat()}.\n", file=out)
    demo_file = read_workbook_file(source, today=DEMO_TODAY)
    workbook = demo_file.workbook
    results = directory / "resultat"
    for name, (command, service) in services.SERVICES.items():
        outcome = service(workbook, DEMO_TODAY)
        print(f"- {outcome.summary}", file=out)
        log_row = {
            L.TIMESTAMP: datetime.combine(DEMO_TODAY, time(8, 0)),
            L.USER: "demo",
            L.FUNCTION: command.label,
            L.RESULT: outcome.summary,
        }
        write_result_workbook(
            demo_file.data, results / result_workbook_name(source, outcome), outcome, workbook.columns, log_row, force=True
        )
        if name == services.EXPORT_REGISTRATIONS.name and outcome.rows:
            registration_files(results, outcome, force=True)
    print(f"\nResultatfiler (demoarbetsboken med varje knapps ändringar): {results}", file=out)
    print("Prova själv, till exempel:", file=out)
    print(f'  {command_hint()} flag-late-rosters "{source}" --today {DEMO_TODAY.isoformat()}', file=out)
    return 0


def command_hint() -> str:
    """How to run ``bup-grupper`` from this Python, with its full path: a venv's scripts are not on PATH."""
    scripts = Path(sys.executable).parent
    launcher = scripts / ("bup-grupper.exe" if os.name == "nt" else "bup-grupper")
    command = launcher if launcher.is_file() else f"{sys.executable} -m xl_addin"
    return f'"{command}"' if " " in str(command) else str(command)
