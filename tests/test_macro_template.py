"""The macro-enabled template: VBA as in the repository, a button per Sub, Subs that call real functions."""

import re
import zipfile
from pathlib import Path

import pytest

from xl_addin import buttons
from xl_addin.domain import layout as L
from xl_addin.template import MACRO_TEMPLATE_NAME, TEMPLATE_NAME, VBA_SOURCE, build_templates

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("templates")
    build_templates(folder)
    return folder


def _normalise(source: str) -> list[str]:
    return [line.rstrip() for line in source.replace("\r\n", "\n").split("\n")
            if line.strip() and not line.startswith("Attribute ")]


def test_olevba_extracts_exactly_the_repository_source(built):
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(built / MACRO_TEMPLATE_NAME))
    modules = {name: code for _, _, name, code in parser.extract_macros()}
    parser.close()
    assert _normalise(modules["Knappar.bas"]) == _normalise(VBA_SOURCE.read_text(encoding="utf-8"))


def test_every_button_is_a_form_button_assigned_to_its_sub(built):
    with zipfile.ZipFile(built / MACRO_TEMPLATE_NAME) as archive:
        vml = "".join(archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith(".vml"))
        assert "xl/vbaProject.bin" in archive.namelist()
    macros = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
    assert macros == [sub for _, sub, _ in L.BUTTONS]
    for caption, _, _ in L.BUTTONS:
        assert caption in vml


def test_every_sub_calls_an_existing_button_function_with_a_fixed_command():
    source = VBA_SOURCE.read_text(encoding="utf-8")
    subs = dict(re.findall(r'^Sub (\w+)\(\)\s*\n\s*RunPython "import xl_addin\.buttons as b; b\.(\w+)\(\)"', source, re.M))
    assert subs == {sub: function for _, sub, function in L.BUTTONS}
    for function in subs.values():
        assert callable(getattr(buttons, function))
    assert buttons.MACROS == L.BUTTONS


def test_rebuilds_are_byte_identical(built, tmp_path):
    build_templates(tmp_path)
    for name in (TEMPLATE_NAME, MACRO_TEMPLATE_NAME):
        assert (tmp_path / name).read_bytes() == (built / name).read_bytes(), name


def test_the_committed_templates_are_the_current_build(built):
    for name in (TEMPLATE_NAME, MACRO_TEMPLATE_NAME):
        committed = ROOT / "workbook_templates" / name
        assert committed.read_bytes() == (built / name).read_bytes(), (
            f"{committed} is stale: run python3 install.py (or build_templates) and commit it"
        )
