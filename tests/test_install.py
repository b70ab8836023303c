"""install.py's pieces that can run here: the xlwings configuration and the template copy."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("install", ROOT / "install.py")
install = importlib.util.module_from_spec(spec)
spec.loader.exec_module(install)


def test_xlwings_config_sets_our_interpreter_and_keeps_other_settings():
    existing = '"INTERPRETER_WIN","C:\\\\old\\\\python.exe"\n"PYTHONPATH","C:\\\\mine"\n'
    config = install.xlwings_config(existing, Path("C:/BUP/.venv/Scripts/python.exe"), "Windows")
    assert config.splitlines() == [
        '"PYTHONPATH","C:\\\\mine"',
        '"INTERPRETER_WIN","C:/BUP/.venv/Scripts/python.exe"',
        '"ADD_WORKBOOK_TO_PYTHONPATH","False"',
        '"SHOW CONSOLE","False"',
        '"USE UDF SERVER","False"',
    ]
    mac = install.xlwings_config(config, Path("/Users/a/.venv/bin/python"), "Darwin")
    assert mac.splitlines()[-4] == '"INTERPRETER_MAC","/Users/a/.venv/bin/python"'
    assert mac.count("ADD_WORKBOOK_TO_PYTHONPATH") == 1  # idempotent


def test_templates_are_copied_but_a_different_file_is_never_replaced(tmp_path, monkeypatch):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "Gruppbokningar-mall.xlsm").write_bytes(b"new")
    monkeypatch.setattr(install, "TEMPLATES", templates)
    target = tmp_path / "Documents"
    assert [p.name for p in install.copy_templates(target)] == ["Gruppbokningar-mall.xlsm"]
    (target / "Gruppbokningar-mall.xlsm").write_bytes(b"a user's own changes")
    assert [p.name for p in install.copy_templates(target)] == ["Gruppbokningar-mall (ny version).xlsm"]
    assert (target / "Gruppbokningar-mall.xlsm").read_bytes() == b"a user's own changes"
