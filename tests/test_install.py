"""install.py's pieces that can run here: the modes' pip command lines, the offline bundle's command
lines, the xlwings configuration (where and what), and the template copy. Windows itself is not here:
docs/excel.md has the checklist for the first run on a clinic PC."""

import importlib.metadata
import importlib.util
import re
import tomllib
import zipfile
from pathlib import Path

import pytest

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



def test_the_default_mode_is_the_developers_with_the_test_tools_and_the_demo():
    args = install.parse_arguments([])
    assert not args.klient and args.offlinepaket is None  # `python3 install.py` in .ci/run and the README
    assert install.pip_install_arguments(client=False)[-2:] == ["-e", ".[test]"]
    assert "run_demo()" in Path(install.__file__).read_text(encoding="utf-8")


def test_the_client_mode_installs_the_runtime_only_from_the_bundle_when_there_is_one(tmp_path):
    assert install.parse_arguments(["--klient"]).klient
    offline = install.pip_install_arguments(client=True, wheels=tmp_path)
    assert offline[offline.index("--find-links") + 1] == str(tmp_path) and "--no-index" in offline
    assert offline[-1] == "bup-gruppbokningar"  # the plain package: no [test] extra
    online = install.pip_install_arguments(client=True)
    assert online[-1] == str(install.ROOT) and "-e" not in online
    assert not any("[" in argument for argument in offline + online)


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\s;<>=!~\[(]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _runtime_closure() -> set[str]:
    """Every distribution the package pulls in without extras, read from the installed metadata."""
    from packaging.requirements import Requirement

    seen, todo = set(), ["bup-gruppbokningar"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for text in importlib.metadata.requires(name) or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name.lower().replace("_", "-"))
    return seen


def test_what_the_client_mode_installs_holds_no_test_tool():
    project = tomllib.loads((install.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    test_tools = {_requirement_name(r) for r in project["optional-dependencies"]["test"]}
    closure = _runtime_closure()
    assert {"xlwings", "python-calamine", "holidays"} <= closure
    assert not test_tools & closure, test_tools & closure


def test_the_client_mode_does_not_build_templates_or_run_the_demo(monkeypatch, tmp_path, capsys):
    done = []
    for step in ("create_venv", "build_workbooks", "run_demo"):
        monkeypatch.setattr(install, step, lambda step=step: done.append(step))
    monkeypatch.setattr(install, "install_package", lambda client: done.append(("install_package", client)))
    monkeypatch.setattr(install, "set_up_excel", lambda client: done.append(("set_up_excel", client)))
    assert install.main(["--klient"]) == 0
    assert done == ["create_venv", ("install_package", True), ("set_up_excel", True)]
    printed = capsys.readouterr().out
    assert f"{install.venv_command()} --help" in printed and install.venv_command().is_absolute()  # not on PATH
    done.clear()
    assert install.main([]) == 0
    assert done == ["create_venv", ("install_package", False), "build_workbooks", "run_demo", ("set_up_excel", False)]


@pytest.mark.parametrize("system, relative, key", [
    ("Windows", ".xlwings/xlwings.conf", "INTERPRETER_WIN"),
    ("Darwin", "Library/Containers/com.microsoft.Excel/Data/xlwings.conf", "INTERPRETER_MAC"),
])
def test_the_config_is_written_where_the_xlwings_add_in_reads_it(tmp_path, system, relative, key):
    """The add-in's Config.bas: %USERPROFILE%\\.xlwings\\xlwings.conf, on macOS inside Excel's sandbox."""
    import xlwings

    interpreter = install.venv_python(windows=system == "Windows")
    written = install.write_xlwings_config(tmp_path, interpreter, system)
    assert written == tmp_path / relative
    assert f'"{key}","{interpreter}"' in written.read_text(encoding="utf-8").splitlines()
    if system == "Windows":
        assert interpreter.parts[-3:] == (".venv", "Scripts", "python.exe")
        assert Path(xlwings.USER_CONFIG_FILE).parts[-2:] == Path(relative).parts[-2:]  # xlwings' own idea


def test_docs_give_the_interpreter_install_py_writes():
    text = (install.ROOT / "docs" / "excel.md").read_text(encoding="utf-8")
    (documented,) = re.findall(r"^\| `INTERPRETER_WIN` \| `([^`]+)` \|", text, re.M)
    assert documented.endswith("\\".join(install.venv_python(windows=True).parts[-3:]))
    assert "pythonw" not in documented


def test_the_bundle_downloads_windows_wheels_for_each_python_version(tmp_path):
    arguments = install.download_arguments(tmp_path / "wheels", "3.12", ["bup_gruppbokningar-1.0-py3-none-any.whl"])
    assert arguments[0] == "download"
    assert arguments[arguments.index("--dest") + 1] == str(tmp_path / "wheels")
    assert "--only-binary=:all:" in arguments
    assert "--platform=win_amd64" in arguments
    assert arguments[arguments.index("--python-version") + 1] == "3.12"
    assert arguments[arguments.index("--implementation") + 1] == "cp"
    assert install.parse_arguments(["--offlinepaket", "paket"]).offlinepaket == Path("paket")
    assert install.parse_arguments(["--offlinepaket", "p", "--python", "3.13"]).pythons == ["3.13"]
    readme = install.bundle_readme(["3.11", "3.12"], "win_amd64")
    assert "py install.py --klient" in readme and "py -3.12 install.py --klient" in readme


def test_the_windows_only_dependencies_are_found_in_the_real_metadata():
    """pip download --platform evaluates markers for the machine it runs on: the bundle asks for these
    itself. Checked against packaging's evaluation for Windows on every runtime dependency."""
    from packaging.requirements import Requirement

    windows = {"platform_system": "Windows", "sys_platform": "win32", "os_name": "nt", "extra": ""}
    for name in sorted(_runtime_closure()):
        distribution = importlib.metadata.distribution(name)
        metadata = distribution.read_text("METADATA") or distribution.read_text("PKG-INFO")  # an egg-info
        found = {_requirement_name(r) for r in install.windows_only_requirements(metadata)}
        expected = set()
        for text in importlib.metadata.requires(name) or []:
            requirement = Requirement(text)
            if requirement.marker and requirement.marker.evaluate(windows) and not requirement.marker.evaluate(
                    {"extra": ""}):
                expected.add(requirement.name.lower())
        assert found == expected, name
    assert "pywin32>=224" in install.windows_only_requirements(importlib.metadata.distribution("xlwings").read_text("METADATA"))


def test_a_bundle_for_other_python_versions_stops_with_a_swedish_sentence(tmp_path):
    (tmp_path / "pandas-3.0.0-cp311-cp311-win_amd64.whl").write_bytes(b"")
    (tmp_path / "pandas-3.0.0-cp312-cp312-win_amd64.whl").write_bytes(b"")
    install.check_bundle_python(tmp_path, (3, 12))
    with pytest.raises(SystemExit, match=r"hjul för Python 3.11, 3.12, men den här datorn kör Python 3.13"):
        install.check_bundle_python(tmp_path, (3, 13))
