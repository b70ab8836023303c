#!/usr/bin/env python3
"""Sets up BUP Gruppbokningar on this machine with one command: ``python3 install.py``.

Standard library only. Safe to run again: each step checks what is already there.
1. a virtual environment in ``.venv`` with the package and its test tools;
2. the package's wheel in ``dist/``, and for the tests the xlwings Lite runtime in ``build/pyodide``
   (the npm package pyodide the template names, and the pure-Python wheels of Lite's requirements);
   skipped with a note when npm is missing;
3. the workbook templates in ``workbook_templates/`` and the demo workbook;
4. the demo: every command run on the demo workbook, with a short Swedish summary;
5. on Windows and macOS, Excel's part (the xlwings add-in and its settings); skipped on Linux.
"""

from __future__ import annotations

import filecmp
import json
import os
import platform
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
TEMPLATES = ROOT / "workbook_templates"
DEMO_DIR = ROOT / "build" / "demo"
DIST = ROOT / "dist"
PYODIDE_BUILD = ROOT / "build" / "pyodide"  # the xlwings Lite runtime for the tests (not committed)
MIN_PYTHON = (3, 11)


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def run(*command: object) -> None:
    subprocess.run([str(part) for part in command], check=True, cwd=ROOT)


def create_venv() -> None:
    if venv_python().exists():
        say(f"Virtuell miljö finns redan: {VENV}")
        return
    say(f"Skapar virtuell miljö: {VENV}")
    venv.EnvBuilder(with_pip=True, upgrade_deps=False).create(VENV)


def install_package() -> None:
    say("Installerar paketet xl_addin med testverktyg (pip install -e .[test])")
    run(venv_python(), "-m", "pip", "install", "--disable-pip-version-check", "--quiet", "-e", ".[test]")


def build_wheel() -> None:
    say(f"Bygger paketets wheel i {DIST}")
    run(venv_python(), "-m", "pip", "wheel", "--disable-pip-version-check", "--quiet", "--no-deps", "-w", DIST, ".")


def lite_runtime() -> tuple[str, list[str]]:
    """(Pyodide version, wheels as name==version) that the template's Lite code needs."""
    code = ("import json; from xl_addin import lite; "
            "print(json.dumps([lite.PYODIDE_VERSION, lite.runtime_wheels()]))")
    result = subprocess.run([str(venv_python()), "-c", code], check=True, cwd=ROOT, capture_output=True, text=True)
    version, wheels = json.loads(result.stdout)
    return version, wheels


def install_pyodide() -> None:
    """The xlwings Lite runtime for the tests: npm's pyodide and pure wheels, fetched now, used offline."""
    npm = shutil.which("npm")
    if npm is None:
        say("npm saknas: Pyodide-testerna (xlwings Lite) hoppas över. Installera nodejs och npm och kör igen.")
        return
    version, wheels = lite_runtime()
    package = PYODIDE_BUILD / "node_modules" / "pyodide" / "package.json"
    installed = json.loads(package.read_text(encoding="utf-8")).get("version") if package.exists() else None
    if installed != version:
        say(f"Hämtar pyodide {version} (npm) till {PYODIDE_BUILD}")
        PYODIDE_BUILD.mkdir(parents=True, exist_ok=True)
        run(npm, "install", "--prefix", PYODIDE_BUILD, "--no-audit", "--no-fund", "--silent", f"pyodide@{version}")
    folder = PYODIDE_BUILD / "wheels"
    wanted = {requirement.split("==")[0].lower().replace("-", "_") + "-" + requirement.split("==")[1]
              for requirement in wheels}
    present = {"-".join(path.name.split("-")[:2]).lower() for path in folder.glob("*.whl")}
    if not wanted <= present:
        say(f"Hämtar rena Python-wheels för xlwings Lite till {folder}")
        if folder.exists():
            shutil.rmtree(folder)
        run(venv_python(), "-m", "pip", "download", "--disable-pip-version-check", "--quiet", "--no-deps",
            "--only-binary=:all:", "--implementation", "py", "--platform", "any", "--python-version", "3.12",
            "-d", folder, *wheels)


def build_workbooks() -> None:
    say(f"Bygger mallarna i {TEMPLATES}")
    code = (
        "import sys; from pathlib import Path; from xl_addin.template import build_templates; "
        "[print('    ' + str(p)) for p in build_templates(Path(sys.argv[1]))]"
    )
    run(venv_python(), "-c", code, TEMPLATES)


def run_demo() -> None:
    say("Kör demon: alla kommandon på demoarbetsboken")
    run(venv_python(), "-m", "xl_addin", "demo", "--out", DEMO_DIR)


def xlwings_config(existing: str, interpreter: Path, system: str) -> str:
    """xlwings' user configuration set up for our buttons; other settings are kept.

    ``ADD_WORKBOOK_TO_PYTHONPATH`` is off because a workbook on SharePoint reports a URL, which xlwings
    would otherwise try (and fail) to map to a local folder; the package is installed in the venv.
    """
    ours = {
        "INTERPRETER_MAC" if system == "Darwin" else "INTERPRETER_WIN": str(interpreter),
        "ADD_WORKBOOK_TO_PYTHONPATH": "False",
        "SHOW CONSOLE": "False",
        "USE UDF SERVER": "False",
    }
    keys = {f'"{key}"' for key in ours}
    lines = [line for line in existing.splitlines() if line.strip() and line.split(",", 1)[0] not in keys]
    lines += [f'"{key}","{value}"' for key, value in ours.items()]
    return "\n".join(lines) + "\n"


def copy_templates(target: Path) -> list[Path]:
    """Copy the templates where users find them; a different file already there is never replaced."""
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for source in sorted(TEMPLATES.glob("Gruppbokningar-mall.xls*")):
        destination = target / source.name
        if destination.exists() and not filecmp.cmp(source, destination, shallow=False):
            destination = target / f"{source.stem} (ny version){source.suffix}"
        shutil.copyfile(source, destination)
        copied.append(destination)
    return copied


def set_up_excel() -> None:
    system = platform.system()
    if system not in ("Windows", "Darwin"):
        say(f"Excel-delarna hoppas över på {system}: knapparna kräver Excel på Windows eller macOS.")
        return
    scripts = venv_python().parent
    say("Installerar xlwings-tillägget i Excel (xlwings addin install)")
    run(scripts / ("xlwings.exe" if os.name == "nt" else "xlwings"), "addin", "install")
    config = Path.home() / ".xlwings" / "xlwings.conf"
    config.parent.mkdir(parents=True, exist_ok=True)
    existing = config.read_text(encoding="utf-8") if config.exists() else ""
    config.write_text(xlwings_config(existing, venv_python(), system), encoding="utf-8")
    say(f"xlwings använder nu Python i {VENV} (inställning i {config})")
    documents = Path.home() / "Documents" / "BUP Gruppbokningar"
    for path in copy_templates(documents):
        say(f"Mall kopierad: {path}")
    print(
        "    Nästa steg: öppna Excel, kontrollera att fliken xlwings finns i menyfliksområdet, och öppna\n"
        "    den makroaktiverade mallen (.xlsm). Se docs/excel.md för spridning till teamet och checklistan\n"
        "    för första körningen."
    )


def main() -> int:
    if sys.version_info < MIN_PYTHON:
        print(f"Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} eller senare krävs (du har {platform.python_version()}).")
        return 2
    try:
        create_venv()
        install_package()
        build_wheel()
        install_pyodide()
        build_workbooks()
        run_demo()
        set_up_excel()
    except subprocess.CalledProcessError as failure:
        print(f"\nInstallationen avbröts: kommandot misslyckades (kod {failure.returncode}).", file=sys.stderr)
        return 1
    say("Klart.")
    print(f"    Mallar:  {TEMPLATES}")
    print(f"    Demo:    {DEMO_DIR}")
    print(f"    Kommandon: {venv_python()} -m xl_addin --help   (eller .venv/bin/bup-grupper)")
    print(f"    Tester:  {venv_python()} -m pytest")
    return 0


if __name__ == "__main__":
    sys.exit(main())
