#!/usr/bin/env python3
"""Sets up BUP Gruppbokningar on this machine with one command (Windows: ``py install.py``).

Standard library only. Safe to run again: each step checks what is already there. Three modes:

``python3 install.py`` (developers and CI, the default)
    1. a virtual environment in ``.venv`` with the package (editable) and its test tools;
    2. the package's wheel in ``dist/``, and for the tests the xlwings Lite runtime in ``build/pyodide``
       (the npm package pyodide the template names, and the pure-Python wheels of Lite's
       requirements); skipped with a note when npm is missing;
    3. the workbook templates in ``workbook_templates/`` and the demo workbook;
    4. the demo: every command run on the demo workbook, with a short Swedish summary;
    5. on Windows and macOS, Excel's part (the xlwings add-in and its settings, the templates copied to
       Documents); skipped on Linux.
``py install.py --klient`` (a secretary's PC)
    Only the runtime: ``.venv`` with the package and what it needs (no test tools), installed from the
    ``wheels`` folder next to this file when there is one (offline, see ``--offlinepaket``), else from
    this source folder through pip's index; then Excel's part. No templates, no demo.
``python3 install.py --offlinepaket MAPP`` (the IT contact, on a machine with internet access)
    Writes MAPP with this file, ``wheels/`` (the package and every dependency as Windows wheels for the
    chosen Python versions) and ``LÄSMIG.txt``; on the PC behind the proxy, ``py install.py --klient``
    in that folder installs without network.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
TEMPLATES = ROOT / "workbook_templates"
DEMO_DIR = ROOT / "build" / "demo"
DIST = ROOT / "dist"
PYODIDE_BUILD = ROOT / "build" / "pyodide"  # the xlwings Lite runtime for the tests (not committed)
MIN_PYTHON = (3, 11)
PACKAGE = "bup-gruppbokningar"
WHEELS = ROOT / "wheels"  # present in an offline bundle: the client mode installs from it
BUNDLE_PYTHONS = ("3.11", "3.12")  # the Python versions an offline bundle carries wheels for by default
BUNDLE_PLATFORM = "win_amd64"  # 64-bit Windows: what the clinics' PCs and 64-bit Office run
BUNDLE_README = "LÄSMIG.txt"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def venv_python(windows: bool = os.name == "nt") -> Path:
    """The venv's interpreter; on Windows ``python.exe``, which is also what xlwings' add-in is given.

    (xlwings' RunPython starts it through ``cmd.exe /C`` with a hidden window and reads its stderr for
    error messages; ``pythonw.exe`` would gain nothing and hides those messages.)
    """
    if windows:
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def venv_command(windows: bool = os.name == "nt") -> Path:
    """The full path of ``bup-grupper`` in the venv: a venv's scripts are not on PATH."""
    if windows:
        return VENV / "Scripts" / "bup-grupper.exe"
    return VENV / "bin" / "bup-grupper"


def run(*command: object) -> None:
    subprocess.run([str(part) for part in command], check=True, cwd=ROOT)


def create_venv() -> None:
    if venv_python().exists():
        say(f"Virtuell miljö finns redan: {VENV}")
        return
    say(f"Skapar virtuell miljö: {VENV}")
    venv.EnvBuilder(with_pip=True, upgrade_deps=False).create(VENV)


def pip_install_arguments(client: bool, wheels: Path | None = None) -> list[str]:
    """pip's arguments: developers get the editable package with its test tools; a client only the
    runtime, from the offline bundle's ``wheels`` folder when given (no index is asked then)."""
    quiet = ["install", "--disable-pip-version-check", "--quiet"]
    if not client:
        return quiet + ["-e", ".[test]"]
    if wheels is not None:
        return quiet + ["--no-index", "--find-links", str(wheels), "--upgrade", PACKAGE]
    return quiet + ["--upgrade", str(ROOT)]


def install_package(client: bool = False) -> None:
    if not client:
        say("Installerar paketet xl_addin med testverktyg (pip install -e .[test])")
        run(venv_python(), "-m", "pip", *pip_install_arguments(client=False))
        return
    wheels = WHEELS if WHEELS.is_dir() else None
    if wheels is not None:
        check_bundle_python(wheels)
        say(f"Installerar paketet från offlinepaketet (utan nätverk): {wheels}")
    else:
        say("Installerar paketet utan testverktyg (pip hämtar beroendena från sitt paketindex)")
    run(venv_python(), "-m", "pip", *pip_install_arguments(client=True, wheels=wheels))


def check_bundle_python(wheels: Path, version: tuple[int, int] = sys.version_info[:2]) -> None:
    """Stop with a Swedish sentence when the bundle has no wheels for this Python (pip's own error is
    a page of English)."""
    tags = {match.group(1) for path in wheels.glob("*.whl") for match in [re.search(r"-cp(3\d+)-", path.name)] if match}
    wanted = f"{version[0]}{version[1]}"
    if tags and wanted not in tags:
        carried = ", ".join(sorted(f"3.{tag[1:]}" for tag in tags))
        raise SystemExit(
            f"Offlinepaketet har hjul för Python {carried}, men den här datorn kör Python {version[0]}.{version[1]}. "
            f"Kör med en av dem (till exempel py -{carried.split(', ')[-1]} install.py --klient) eller bygg om "
            f"paketet med --python {version[0]}.{version[1]}."
        )


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


def xlwings_config_file(home: Path, system: str) -> Path:
    """Where xlwings' add-in reads the user configuration (macOS: inside Excel's sandbox)."""
    if system == "Darwin":
        return home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / "xlwings.conf"
    return home / ".xlwings" / "xlwings.conf"


def write_xlwings_config(home: Path, interpreter: Path, system: str) -> Path:
    config = xlwings_config_file(home, system)
    config.parent.mkdir(parents=True, exist_ok=True)
    existing = config.read_text(encoding="utf-8") if config.exists() else ""
    config.write_text(xlwings_config(existing, interpreter, system), encoding="utf-8")
    return config


def set_up_excel(client: bool = False) -> None:
    system = platform.system()
    if system not in ("Windows", "Darwin"):
        say(f"Excel-delarna hoppas över på {system}: knapparna kräver Excel på Windows eller macOS.")
        return
    scripts = venv_python().parent
    say("Installerar xlwings-tillägget i Excel (xlwings addin install)")
    run(scripts / ("xlwings.exe" if os.name == "nt" else "xlwings"), "addin", "install")
    config = write_xlwings_config(Path.home(), venv_python(), system)
    say(f"xlwings använder nu Python i {VENV} (inställning i {config})")
    if not client:
        documents = Path.home() / "Documents" / "BUP Gruppbokningar"
        for path in copy_templates(documents):
            say(f"Mall kopierad: {path}")
    print(
        "    Nästa steg: öppna Excel, kontrollera att fliken xlwings finns i menyfliksområdet, och öppna\n"
        "    gruppbokningsboken (.xlsm) från Sofia. Se docs/excel.md för spridning till teamet och checklistan\n"
        "    för första körningen."
    )


# -- the offline bundle ---------------------------------------------------------------------------
_WINDOWS_MARKER = re.compile(
    r"""(platform_system\s*==\s*['"]Windows['"]|sys_platform\s*==\s*['"]win32['"]|os_name\s*==\s*['"]nt['"])"""
)


def windows_only_requirements(metadata: str) -> list[str]:
    """The requirements of a wheel's METADATA that only Windows needs (``pywin32 ; platform_system ==
    'Windows'``): ``pip download --platform`` judges markers by the machine it runs on, so on Linux it
    would leave them out of a Windows bundle."""
    found = []
    for line in metadata.splitlines():
        if not line.startswith("Requires-Dist:"):
            continue
        requirement, _, marker = line[len("Requires-Dist:"):].partition(";")
        if "extra" in marker or not _WINDOWS_MARKER.search(marker):
            continue
        found.append(re.sub(r"[\s()]", "", requirement))
    return found


def _wheel_metadata(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        name = next(item for item in archive.namelist() if item.endswith(".dist-info/METADATA"))
        return archive.read(name).decode("utf-8", "replace")


def download_arguments(wheels: Path, python_version: str, requirements: list[str],
                       platform_tag: str = BUNDLE_PLATFORM) -> list[str]:
    """``pip download`` of binary wheels for another machine: its platform and Python version."""
    return [
        "download", "--disable-pip-version-check", "--quiet", "--dest", str(wheels),
        "--only-binary=:all:", *[f"--platform={tag}" for tag in platform_tag.split(",")],
        "--python-version", python_version, "--implementation", "cp", *requirements,
    ]


def bundle_readme(pythons: list[str], platform_tag: str) -> str:
    versions = ", ".join(pythons)
    return (
        "BUP Gruppbokningar – offlinepaket\n"
        "=================================\n\n"
        f"Mappen wheels innehåller paketet och allt det behöver för Python {versions} ({platform_tag}).\n"
        "Ingen nätverksåtkomst behövs vid installationen.\n\n"
        "1. Kopiera hela mappen till datorn, till exempel till %LOCALAPPDATA%\\BUP Gruppbokningar.\n"
        "2. Öppna Kommandotolken i mappen och kör:\n\n"
        "       py install.py --klient\n\n"
        f"   (Har datorn flera Python-versioner: py -{pythons[-1]} install.py --klient.)\n"
        "3. Öppna Excel och kontrollera att fliken xlwings finns.\n\n"
        "Mer i docs/excel.md i projektet (avsnittet om låsta datorer).\n"
    )


def build_bundle(folder: Path, pythons: list[str], platform_tag: str = BUNDLE_PLATFORM) -> Path:
    """The offline bundle in ``folder``: install.py, wheels/ (ours + every dependency) and LÄSMIG.txt."""
    folder = Path(folder).resolve()
    wheels = folder / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    say(f"Bygger paketets hjul i {wheels}")
    run(sys.executable, "-m", "pip", "wheel", "--disable-pip-version-check", "--quiet", "--no-deps",
        "--wheel-dir", wheels, ROOT)
    (ours,) = sorted(wheels.glob("bup_gruppbokningar-*.whl"))[-1:]
    for version in pythons:
        say(f"Hämtar beroendena för Python {version} ({platform_tag})")
        run(sys.executable, "-m", "pip", *download_arguments(wheels, version, [str(ours)], platform_tag))
        if platform_tag.startswith("win"):
            asked: set[str] = set()
            while True:  # the Windows-only dependencies, and theirs
                needed = {req for wheel in wheels.glob("*.whl") for req in windows_only_requirements(_wheel_metadata(wheel))}
                new = sorted(needed - asked)
                if not new:
                    break
                asked.update(new)
                run(sys.executable, "-m", "pip", *download_arguments(wheels, version, new, platform_tag))
    shutil.copyfile(Path(__file__).resolve(), folder / "install.py")
    (folder / BUNDLE_README).write_text(bundle_readme(pythons, platform_tag), encoding="utf-8")
    return folder


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="install.py",
        description="Installerar BUP Gruppbokningar. Utan flaggor: allt för utvecklare och CI (testverktyg, mallar, demo).",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--klient", action="store_true",
                      help="En sekreterares dator: bara det som knapparna behöver (paketet, xlwings-tillägget och "
                      "dess inställningar). Installerar från mappen wheels bredvid install.py om den finns.")
    mode.add_argument("--offlinepaket", type=Path, metavar="MAPP",
                      help="Bygg ett offlinepaket i MAPP för datorer bakom en proxy (kräver internet här).")
    parser.add_argument("--python", action="append", metavar="VERSION", dest="pythons",
                        help=f"Python-version som offlinepaketet ska ha hjul för (kan upprepas; standard: "
                        f"{' och '.join(BUNDLE_PYTHONS)}).")
    parser.add_argument("--plattform", default=BUNDLE_PLATFORM, help=argparse.SUPPRESS)  # e.g. to try a bundle on Linux
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    if sys.version_info < MIN_PYTHON:
        print(f"Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} eller senare krävs (du har {platform.python_version()}). "
              "På Windows: py -3.12 install.py (se docs/excel.md).")
        return 2
    try:
        if args.offlinepaket is not None:
            folder = build_bundle(args.offlinepaket, args.pythons or list(BUNDLE_PYTHONS), args.plattform)
            say("Klart.")
            print(f"    Offlinepaket: {folder}")
            print(f"    På datorn bakom proxyn, i en kopia av mappen: py install.py --klient   (se {folder / BUNDLE_README})")
            return 0
        create_venv()
        install_package(client=args.klient)
        if not args.klient:
            build_wheel()
            install_pyodide()
            build_workbooks()
            run_demo()
        set_up_excel(client=args.klient)
    except subprocess.CalledProcessError as failure:
        print(f"\nInstallationen avbröts: kommandot misslyckades (kod {failure.returncode}).", file=sys.stderr)
        return 1
    say("Klart.")
    if args.klient:
        print(f"    Python för knapparna: {venv_python()}")
        print(f"    Kommandot:            {venv_command()} --help")
        return 0
    print(f"    Mallar:  {TEMPLATES}")
    print(f"    Demo:    {DEMO_DIR}")
    print(f"    Kommandon: {venv_command()} --help")
    print(f"    Tester:  {venv_python()} -m pytest")
    return 0


if __name__ == "__main__":
    sys.exit(main())
