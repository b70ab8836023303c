#!/usr/bin/env python3
"""The co-authoring figure of docs/reliability.md: clicks on generated workbooks, the cells their actions
write, and how many of those are a person's (must be 0).

    XLWINGS_LICENSE_KEY=noncommercial .venv/bin/python scripts/coauthoring_figure.py [EXAMPLES]

Draws workbooks from the same strategy as tests/test_coauthoring.py, clicks a first button, lets a
person edit (a no-show corrected, a cancellation added, a participant removed, a task ticked Klar),
clicks a second button some days later, and checks every action of both clicks cell by cell.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import xlwings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from xlwings.pro import _xlremote  # noqa: E402

from tests import test_coauthoring as co  # noqa: E402
from tests.test_properties import workbooks  # noqa: E402


def main(examples: int) -> int:
    from hypothesis import HealthCheck, given, settings

    if "remote" not in [engine.name for engine in xlwings.engines]:
        xlwings.engines.add(xlwings.main.Engine(impl=_xlremote.engine))
    totals = {"klick": 0, "åtgärder": 0, "celler": 0, "en persons": 0}

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(workbooks(), st.sampled_from(co.BUTTONS), st.sampled_from(co.BUTTONS), co.EDITS, st.integers(0, 40))
    def run(generated, first, second, edits, later):
        content, today = generated
        with tempfile.TemporaryDirectory() as folder:
            for snapshot, click in co.two_clicks(xlwings, content, today, first, second, edits, later, Path(folder)):
                totals["klick"] += 1
                totals["åtgärder"] += len(click.actions)
                totals["celler"] += sum(len(co._touched(action)) for action in click.actions)
                totals["en persons"] += len(co.person_owned_writes(snapshot, click.actions))

    run()
    print(f"{totals['klick']} klick, {totals['åtgärder']} åtgärder, {totals['celler']} skrivna celler, "
          f"{totals['en persons']} av dem en persons")
    return 0 if totals["en persons"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
