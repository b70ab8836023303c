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


def _vba_string(source: str, function: str) -> str:
    """The text a VBA function of string literals, ChrW(n) and vbNewLine returns (the message boxes)."""
    body = re.search(rf"Private Function {function}\([^)]*\) As String\n(.*?)\nEnd Function", source, re.S).group(1)
    expression = body.split("=", 1)[1].replace(" _\n", " ")
    parts = re.findall(r'"((?:[^"]|"")*)"|ChrW\((\d+)\)|(vbNewLine)|(\b[A-Z]\w*\b)', expression)
    text = ""
    for literal, code, newline, name in parts:
        if code:
            text += chr(int(code))
        elif newline:
            text += "\n"
        elif name:
            text += "{" + name + "}"  # a variable, e.g. the error number
        else:
            text += literal.replace('""', '"')
    return text


def test_a_click_without_the_xlwings_add_in_gets_a_swedish_message_not_error_1004():
    source = VBA_SOURCE.read_text(encoding="utf-8")
    assert source.isascii()  # the VBA project's code page; Swedish letters are ChrW(…)
    runner = re.search(r"Private Sub RunPython\(ByVal PythonCommand As String\)\n(.*?)\nEnd Sub", source, re.S).group(1)
    lines = [line.strip() for line in runner.splitlines()]
    # The add-in is looked up before it is called; any other failure of the call is caught too.
    assert lines.index("On Error GoTo Failed") < lines.index("If Not AddinIsOpen() Then") < lines.index(
        "Application.Run \"'xlwings.xlam'!RunPython\", PythonCommand")
    assert 'MsgBox AddinMissingMessage(), vbExclamation, "BUP Gruppbokningar"' in lines
    assert 'MsgBox StartFailedMessage(Err.Number), vbExclamation, "BUP Gruppbokningar"' in lines
    assert 'Set Addin = Application.Workbooks("xlwings.xlam")' in source
    missing = _vba_string(source, "AddinMissingMessage")
    assert missing.startswith("Knappen kan inte köras: tillägget xlwings är inte inläst i Excel på den här datorn.")
    assert "Inget har ändrats i arbetsboken." in missing and "install.py --klient" in missing
    failed = _vba_string(source, "StartFailedMessage")
    assert failed.startswith("Knappen kunde inte starta Python (Excel-fel {Number}).")
    assert "Defender-regeln som hindrar Office från att starta andra program" in failed
    for text in (missing, failed):
        assert "�" not in text and not re.search(r"\b(error|macro|cannot)\b", text, re.I)
