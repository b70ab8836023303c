"""Runs LibreOffice headless as an independent, real spreadsheet engine for the tests and the pictures.

Every call gets its own throw-away profile (``-env:UserInstallation``) that tells Calc to always
recalculate on load, so a stale cached value can never hide a formula error, and parallel runs never
share a lock. Used by ``tests/test_libreoffice.py``, ``tests/test_attendance_sheet.py`` and
``scripts/render_pictures.py``.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

DEBIAN_PACKAGES = "libreoffice-calc poppler-utils fonts-dejavu-core faketime"
TIMEOUT = 180  # seconds for one soffice call; a first start on a cold disk takes ~15 s

# Calc's filter strings. CSV tokens: separator, text delimiter, character set (76 = UTF-8), first
# line, column formats, language (1053 = sv-SE), quoted as text, detect special numbers, save as
# shown, formulas, trim spaces, sheet (-1 = every sheet to its own file).
CSV_EXPORT_EVERY_SHEET = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
CSV_IMPORT_SWEDISH = "CSV:59,34,76,1,,1053,false,true"  # what Swedish Excel does with our ';' UTF-8 CSV
XLSX = "xlsx:Calc MS Excel 2007 XML"
ODS = "ods"
PDF = "pdf"
PDF_ONE_PAGE_PER_SHEET = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'

# Calc writes these into a cell (or a CSV field) when a formula fails.
ERROR_VALUE = re.compile(r"#(?:NAME\?|REF!|VALUE!|DIV/0!|N/A|NUM!|NULL!)|Err:\d{3}")

_RECALCULATE_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""

_IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
_MISSING = (
    "\n\n*** LibreOffice (soffice) was not found: the tests with a real spreadsheet engine DID NOT RUN. ***\n"
    f"    Install it: sudo apt-get install --no-install-recommends {DEBIAN_PACKAGES}\n"
    "    (.ci/run installs it; with CI=true these tests fail instead of being skipped.)\n"
)
_MISSING_POPPLER = (
    "\n\n*** pdftoppm/pdftotext (poppler-utils) were not found: the PDF checks DID NOT RUN. ***\n"
    f"    Install them: sudo apt-get install --no-install-recommends {DEBIAN_PACKAGES}\n"
)


class LibreOfficeError(RuntimeError):
    """soffice is missing, failed, timed out, or did not write the file it was asked for."""


def find_soffice() -> str | None:
    """The path of ``soffice`` (``$SOFFICE`` first, then PATH, then the usual install folders)."""
    candidates = [os.environ.get("SOFFICE", ""), shutil.which("soffice") or "", shutil.which("libreoffice") or "",
                  "/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice",
                  "/Applications/LibreOffice.app/Contents/MacOS/soffice",
                  r"C:\Program Files\LibreOffice\program\soffice.exe"]
    return next((path for path in candidates if path and os.path.isfile(path) and os.access(path, os.X_OK)), None)


SOFFICE = find_soffice()
HAS_POPPLER = bool(shutil.which("pdftoppm") and shutil.which("pdftotext"))
FAKETIME = shutil.which("faketime")

# In CI a missing soffice is an error (the tests run and fail loudly); elsewhere a loud skip.
requires_libreoffice = pytest.mark.skipif(SOFFICE is None and not _IN_CI, reason=_MISSING)
requires_poppler = pytest.mark.skipif(not HAS_POPPLER and not _IN_CI, reason=_MISSING_POPPLER)


def make_profile(directory: Path) -> str:
    """Create a private LibreOffice profile in ``directory``; return its ``-env:UserInstallation`` URL."""
    user = Path(directory) / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_RECALCULATE_ALWAYS, encoding="utf-8")
    return Path(directory).resolve().as_uri()


@dataclass(frozen=True)
class Conversion:
    """One soffice call: ``sources`` converted to ``target`` (a ``--convert-to`` string) in ``outdir``."""

    sources: tuple[Path, ...]
    target: str
    outdir: Path
    infilter: str | None = None
    fake_today: str | None = None  # ÅÅÅÅ-MM-DD: run under faketime so that TODAY() is that day


def convert(
    sources: Path | Iterable[Path],
    target: str,
    outdir: Path,
    *,
    infilter: str | None = None,
    fake_today: str | None = None,
    timeout: float = TIMEOUT,
) -> list[Path]:
    """Convert every file in ``sources`` in one soffice call; return the files written to ``outdir``.

    Raises ``LibreOfficeError`` when soffice is missing, exits non-zero, times out (its whole process
    group is killed) or loads a file it cannot read ("source file could not be loaded").
    """
    if SOFFICE is None:
        raise LibreOfficeError(_MISSING)
    sources = (Path(sources),) if isinstance(sources, (str, Path)) else tuple(Path(s) for s in sources)
    if not sources:
        return []
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    before = set(outdir.iterdir())
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        command = [SOFFICE, f"-env:UserInstallation={make_profile(Path(profile))}", "--headless", "--invisible",
                   "--norestore", "--nolockcheck", "--nodefault", "--nologo"]
        if infilter:
            command.append(f"--infilter={infilter}")
        command += ["--convert-to", target, "--outdir", str(outdir), *(str(s.resolve()) for s in sources)]
        if fake_today is not None:
            if FAKETIME is None:
                raise LibreOfficeError("faketime is not installed (apt-get install faketime)")
            command = [FAKETIME, f"{fake_today} 12:00:00", *command]
        environment = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment,
                                   start_new_session=True)
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # soffice.bin is a child of the soffice script
            process.communicate()
            raise LibreOfficeError(f"soffice timed out after {timeout} s converting {[s.name for s in sources]}")
    output = (stdout + stderr).decode("utf-8", "replace")
    if process.returncode != 0 or "could not be loaded" in output or "Error:" in output:
        raise LibreOfficeError(f"soffice failed (exit {process.returncode}):\n{output}")
    written = sorted(set(outdir.iterdir()) - before)
    extension = target.split(":", 1)[0]
    for source in sources:  # every source must have its own output (calls may share an outdir)
        if extension == "csv" and target.endswith(",-1"):
            found = any(path.name.startswith(f"{source.stem}-") for path in written)
        else:
            found = (outdir / f"{source.stem}.{extension}") in written
        if not found:
            raise LibreOfficeError(f"soffice wrote no {extension} for {source.name}:\n{output}")
    return written


def convert_all(conversions: Sequence[Conversion], *, timeout: float = TIMEOUT) -> list[list[Path]]:
    """Run several soffice calls side by side (each with its own profile); results in the same order."""
    with ThreadPoolExecutor(max_workers=max(1, min(len(conversions), os.cpu_count() or 1, 4))) as pool:
        futures = [
            pool.submit(convert, c.sources, c.target, c.outdir, infilter=c.infilter, fake_today=c.fake_today,
                        timeout=timeout)
            for c in conversions
        ]
        return [future.result() for future in futures]


def csv_for_sheet(outdir: Path, workbook: Path, sheet: str) -> Path:
    """The file Calc writes for ``sheet`` of ``workbook`` when exporting every sheet to CSV."""
    return Path(outdir) / f"{Path(workbook).stem}-{sheet}.csv"


# -- PDF helpers (poppler) -------------------------------------------------------------------------
def pdf_page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def pdf_page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) of every page, in points."""
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", str(pdf_page_count(pdf)), str(pdf)], capture_output=True,
                          text=True, check=True, timeout=60).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.MULTILINE)]


def pdf_text(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-layout", *pages, str(pdf), "-"], capture_output=True, check=True,
                          timeout=60).stdout.decode("utf-8", "replace")


@dataclass(frozen=True)
class Word:
    """A word pdftotext found on a page, with its box in points (origin top-left)."""

    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float

    @property
    def y_mid(self) -> float:
        return (self.y_min + self.y_max) / 2


def pdf_words(pdf: Path, page: int) -> list[Word]:
    page_html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, check=True, timeout=60).stdout.decode("utf-8", "replace")
    pattern = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
    return [Word(html.unescape(text), float(a), float(b), float(c), float(d))
            for a, b, c, d, text in pattern.findall(page_html)]


@dataclass(frozen=True)
class Raster:
    """A page rendered to RGB pixels (from pdftoppm's PPM output), for reading background colours."""

    width: int
    height: int
    pixels: bytes
    scale: float  # pixels per point

    def colour_at(self, x: float, y: float) -> str:
        col, row = int(x * self.scale), int(y * self.scale)
        offset = 3 * (row * self.width + col)
        return "#{:02X}{:02X}{:02X}".format(*self.pixels[offset:offset + 3])

    def background(self, x_min: float, y_min: float, x_max: float, y_max: float) -> str:
        """The most common colour in a box given in points: the fill behind any text in it."""
        from collections import Counter

        counts: Counter[bytes] = Counter()
        for row in range(max(0, int(y_min * self.scale)), min(self.height, int(y_max * self.scale) + 1)):
            for col in range(max(0, int(x_min * self.scale)), min(self.width, int(x_max * self.scale) + 1)):
                offset = 3 * (row * self.width + col)
                pixel = self.pixels[offset:offset + 3]
                if sum(pixel) > 3 * 128:  # leave out the ink of the text itself
                    counts[pixel] += 1
        if not counts:
            return "#000000"
        return "#{:02X}{:02X}{:02X}".format(*counts.most_common(1)[0][0])


def rasterise(pdf: Path, page: int, dpi: int = 72) -> Raster:
    data = subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-aa", "no",
                           "-aaVector", "no", str(pdf)], capture_output=True, check=True, timeout=120).stdout
    return parse_ppm(data, dpi / 72)


def parse_ppm(data: bytes, scale: float = 1.0) -> Raster:
    """Parse a binary PPM (P6, 8 bits per channel)."""
    fields: list[bytes] = []
    position = 0
    while len(fields) < 4:
        while data[position:position + 1].isspace():
            position += 1
        if data[position:position + 1] == b"#":
            position = data.index(b"\n", position) + 1
            continue
        end = position
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[position:end])
        position = end
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError("not an 8-bit binary PPM")
    width, height = int(fields[1]), int(fields[2])
    return Raster(width, height, data[position + 1:position + 1 + 3 * width * height], scale)
