"""Documentation stays true: every command and button is documented, README names the two commands."""

from pathlib import Path

import pytest

from xl_addin.cli import build_parser
from xl_addin.domain import layout as L

ROOT = Path(__file__).resolve().parent.parent
COMMANDS_DOC = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")


def _subcommands() -> list[str]:
    parser = build_parser()
    (action,) = [a for a in parser._actions if a.dest == "command"]
    return list(action.choices)


@pytest.mark.parametrize("command", _subcommands())
def test_every_subcommand_has_a_section_in_commands_md(command):
    assert f"### `{command}" in COMMANDS_DOC


@pytest.mark.parametrize("label", [label for label, _help in L.BUTTON_HELP])
def test_every_button_is_documented(label):
    assert f"**{label}**" in COMMANDS_DOC


def test_readme_names_the_install_and_the_test_command_and_ci_runs_them():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 install.py" in readme and "python3 install.py" in ci
    assert ".venv/bin/python -m pytest" in readme and ".venv/bin/python -m pytest" in ci


def test_docs_links_in_the_readme_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    import re

    for link in re.findall(r"\]\((docs/[^)]+)\)", readme):
        assert (ROOT / link).exists(), link
