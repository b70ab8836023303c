#!/usr/bin/env python3
"""Renders the pictures of the user guide (docs/bilder/*.png) from the current template and demo.

Run it whenever the template or the demo changes (tests/test_pictures.py fails until you do):

    .venv/bin/python scripts/render_pictures.py

It builds the template and the demo workbook, runs every command on the demo with ``--out`` (the
"after" workbooks), lets LibreOffice print each workbook with one page per sheet (under faketime, so
that TODAY() in the colour rules is the demo's day), rasterises the pages with pdftoppm, crops the
part the guide talks about, and writes the PNGs plus ``template.sha256`` (what they were made from).
Needs: LibreOffice (soffice), poppler-utils, and preferably faketime (Debian packages).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import libreoffice as lo  # noqa: E402
from xl_addin.cli import WORKBOOK_COMMANDS, main as cli_main  # noqa: E402
from xl_addin.demo import DEMO_NAME, DEMO_TODAY, build_demo  # noqa: E402
from xl_addin.domain import layout as L  # noqa: E402
from xl_addin.files.attendance_sheet import write_attendance_sheet  # noqa: E402
from xl_addin.files.reader import read_workbook_file  # noqa: E402
from xl_addin.template import build_templates  # noqa: E402

OUT = ROOT / "docs" / "bilder"
HASH_FILE = "template.sha256"
DPI = 80
MARGIN = 6  # points of white kept around a crop


# -- what the sources were: the test compares this with a fresh build -------------------------------
def source_hashes(folder: Path) -> str:
    """``sha256  name`` lines for every template file and the demo workbook, built into ``folder``.

    xlwings Lite's code part (``xl/webextensions/``) is left out: it carries the package's source, which
    changes with every code change, and nothing of it is printed."""
    files = [*build_templates(folder / "mallar"), build_demo(folder / DEMO_NAME)]
    return "".join(f"{_printed_parts_hash(path)}  {path.name}\n" for path in files)


def _printed_parts_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if name.startswith("xl/webextensions/"):
                continue
            digest.update(name.encode("utf-8") + b"\0" + archive.read(name) + b"\0")
    return digest.hexdigest()


# -- a minimal RGB image: crop, stack, write PNG (no imaging library needed) ------------------------
@dataclass
class Image:
    width: int
    rows: list[bytes]  # RGB, 3 bytes per pixel

    @property
    def height(self) -> int:
        return len(self.rows)

    @classmethod
    def from_raster(cls, raster: lo.Raster) -> Image:
        stride = 3 * raster.width
        return cls(raster.width, [raster.pixels[i * stride:(i + 1) * stride] for i in range(raster.height)])

    def crop(self, x0: int, y0: int, x1: int, y1: int) -> Image:
        x0, x1 = max(0, x0), min(self.width, x1)
        y0, y1 = max(0, y0), min(self.height, y1)
        return Image(x1 - x0, [row[3 * x0:3 * x1] for row in self.rows[y0:y1]])

    @staticmethod
    def beside(images: list[Image], gap: int = 0) -> Image:
        height = max(image.height for image in images)
        rows = []
        for y in range(height):
            parts = []
            for index, image in enumerate(images):
                parts.append(image.rows[y] if y < image.height else b"\xff" * 3 * image.width)
                if gap and index < len(images) - 1:
                    parts.append(b"\xcc" * 3 * gap)
            rows.append(b"".join(parts))
        return Image(len(rows[0]) // 3, rows)

    @staticmethod
    def above(images: list[Image], gap: int = 0) -> Image:
        width = max(image.width for image in images)
        rows = []
        for index, image in enumerate(images):
            rows += [row + b"\xff" * 3 * (width - image.width) for row in image.rows]
            if gap and index < len(images) - 1:
                rows += [b"\xcc" * 3 * width] * gap
        return Image(width, rows)

    def padded(self, pixels: int = 6) -> Image:
        """The image with a white border, so that a crop at the sheet's edge does not touch the frame."""
        blank = b"\xff" * 3 * (self.width + 2 * pixels)
        side = b"\xff" * 3 * pixels
        return Image(self.width + 2 * pixels, [blank] * pixels + [side + row + side for row in self.rows]
                     + [blank] * pixels)

    def png(self) -> bytes:
        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        raw = b"".join(b"\x00" + row for row in self.rows)
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
                + chunk(b"IEND", b""))


# -- where things are on a rendered sheet -----------------------------------------------------------
@dataclass(frozen=True)
class Picture:
    """One PNG: a sheet of a workbook, with the columns and rows the guide talks about."""

    name: str
    source: str  # "demo", "mall" or a command name (its result workbook)
    sheet: str
    first_header: str | None = None  # the table's first header (column A); None = whole page
    columns: tuple[tuple[str, str | None], ...] = ()  # (from header, up to header) ranges; () = all
    rows: tuple[str, int] | None = None  # ("first", n) or ("last", n) data rows; None = all
    header_rows: bool = True  # keep everything above the first data row


def _line(words: list[lo.Word], anchor: lo.Word) -> list[lo.Word]:
    return sorted((w for w in words if abs(w.y_mid - anchor.y_mid) < 2), key=lambda w: w.x_min)


def _find_header(header: list[lo.Word], text: str) -> int | None:
    """The index of the first word of the header cell reading ``text`` (headers may be several words)."""
    parts = text.split()
    for index in range(len(header) - len(parts) + 1):
        if [w.text for w in header[index:index + len(parts)]] == parts:
            return index
    return None


def _left_edge(header: list[lo.Word], text: str | None, right: float, where: str) -> float:
    """Where the column headed ``text`` begins, in points (``right`` for None: the end of the sheet)."""
    if text is None:
        return right
    index = _find_header(header, text)
    if index is None:
        raise SystemExit(f"render_pictures: no header {text!r} on {where}")
    word = header[index]
    if index == 0 or word.x_min < 5:  # column A (a centred header may start a little in)
        return 0.0
    if L.SESSION_COLUMN.match(text):  # centred headers of equal-width columns: half a pitch to the left
        sessions = [w for w in header if L.SESSION_COLUMN.match(w.text)]
        centres = [(w.x_min + w.x_max) / 2 for w in sessions]
        pitch = centres[1] - centres[0] if len(centres) > 1 else 2 * (word.x_max - word.x_min)
        return (word.x_min + word.x_max) / 2 - pitch / 2
    return max(0.0, word.x_min - 2.5)


def _crop(page: Image, words: list[lo.Word], picture: Picture, scale: float) -> Image:
    right = max(w.x_max for w in words) + MARGIN
    bottom = max(w.y_max for w in words) + MARGIN
    if picture.first_header is None:
        return page.crop(0, 0, int(right * scale), int(bottom * scale)).padded()
    anchor = min((w for w in words if w.text == picture.first_header.split()[0] and w.x_min < 40),
                 key=lambda w: w.y_min)  # column A's header (centred for a date column)
    header = _line(words, anchor)
    header_bottom = max(w.y_max for w in header)
    second = header[1].x_min if len(header) > 1 else right
    starts = sorted({round(w.y_min, 1) for w in words if w.y_min > header_bottom and w.x_min < second - 2})
    bands = []  # (top, bottom) of each data row, in points
    for index, top in enumerate(starts):
        below = starts[index + 1] if index + 1 < len(starts) else None
        text_bottom = max(w.y_max for w in words if w.y_min >= top - 0.5 and (below is None or w.y_min < below - 0.5))
        bands.append((top - 2.5, (below - 2.5) if below is not None else text_bottom + 3))
    head = (0.0, bands[0][0] if bands else header_bottom + 3)
    if picture.rows is None:
        chosen = bands
    elif picture.rows[0] == "first":
        chosen = bands[:picture.rows[1]]
    else:
        chosen = bands[-picture.rows[1]:]
    pieces_y = ([head] if picture.header_rows else []) + ([(chosen[0][0], chosen[-1][1])] if chosen else [])
    where = f"{picture.sheet} ({picture.name})"
    ranges = [(_left_edge(header, start, right, where), _left_edge(header, end, right, where))
              for start, end in picture.columns] or [(0.0, right)]
    stripes = []
    for y0, y1 in pieces_y:
        parts = [page.crop(int(x0 * scale), int(y0 * scale), int(x1 * scale), int(y1 * scale)) for x0, x1 in ranges]
        stripes.append(Image.beside(parts, gap=2) if len(parts) > 1 else parts[0])
    return Image.above(stripes).padded()


_GROUP_SHEET_COLUMNS = ((L.PERSONAL_NUMBER, L.JOURNAL_TEXT),)
_JOURNAL_COLUMNS = ((L.NAME, L.GUARDIAN), ("T1", L.CANCELLED_DATE), (L.JOURNAL_TEXT, L.COMMENT))
_GROUPS_COLUMNS = ((L.GROUP_ID, L.ATTENDEE), (L.START_DATE, L.SESSION_COUNT), (L.ROSTER_READY, None))
_INTEREST_COLUMNS = ((L.RECEIVED, L.PERSONAL_NUMBER), (L.NAME, L.SENT_BY), (L.CARE_GUARANTEE_FROM, None))
_TASK_COLUMNS = ((L.DUE, L.PERSONAL_NUMBER),)  # what a secretary reads, Klar included

PICTURES = (
    Picture("start.png", "mall", L.START),
    Picture("grupper-fore.png", "demo", L.GROUPS, L.GROUP_ID, _GROUPS_COLUMNS),
    Picture("grupper-efter-flagga-sena-listor.png", "flag-late-rosters", L.GROUPS, L.GROUP_ID, _GROUPS_COLUMNS),
    Picture("gruppblad-narvaro.png", "demo", "ADHDUng-2609", L.PERSONAL_NUMBER, _GROUP_SHEET_COLUMNS),
    Picture("att-gora-efter-markera-uteblivanden.png", "mark-no-shows", L.TASKS, L.DUE, _TASK_COLUMNS,
            rows=("last", 12)),
    Picture("kontroll-efter-kontrollera.png", "check", L.CHECK, L.SHEET),
    Picture("journaltext-fore.png", "demo", "MittBarn-2608", L.PERSONAL_NUMBER, _JOURNAL_COLUMNS),
    Picture("journaltext-efter-skapa-journaltexter.png", "journal-phrases", "MittBarn-2608", L.PERSONAL_NUMBER,
            _JOURNAL_COLUMNS),
    Picture("registrerad-fore.png", "demo", "ADHDUng-2609", L.PERSONAL_NUMBER,
            ((L.PERSONAL_NUMBER, L.CANCELLED_DATE),), rows=("first", 3)),
    Picture("registrerad-efter-exportera-registreringslista.png", "export-registrations", "ADHDUng-2609",
            L.PERSONAL_NUMBER, ((L.PERSONAL_NUMBER, L.CANCELLED_DATE),), rows=("first", 3)),
    Picture("registrering-efter-exportera-registreringslista.png", "export-registrations", L.REGISTRATION,
            L.EXPORTED, ((L.EXPORTED, L.GROUP_TYPE), (L.SESSION, None)), rows=("last", 8)),
    Picture("intresseanmalningar-fore.png", "demo", L.INTEREST, L.RECEIVED, _INTEREST_COLUMNS),
    Picture("intresseanmalningar-efter-intresseanmalningar.png", "plan-interest", L.INTEREST, L.RECEIVED,
            _INTEREST_COLUMNS),
    Picture("ny-grupp-efter.png", "new-groups", "ADHDUng-2701", L.PERSONAL_NUMBER, _GROUP_SHEET_COLUMNS),
    Picture("att-gora-efter-att-gora.png", "tasks", L.TASKS, L.DUE, _TASK_COLUMNS, rows=("first", 14)),
)


def _pages(pdf: Path, workbook: Path) -> dict[str, int]:
    import openpyxl

    sheets = openpyxl.load_workbook(workbook, read_only=True).sheetnames
    count = lo.pdf_page_count(pdf)
    if count != len(sheets):
        raise SystemExit(f"render_pictures: {pdf.name} has {count} pages for {len(sheets)} sheets")
    return {sheet: index for index, sheet in enumerate(sheets, start=1)}


def render(out: Path, dpi: int = DPI) -> list[Path]:
    if lo.SOFFICE is None or not lo.HAS_POPPLER:
        raise SystemExit(f"render_pictures: install LibreOffice and poppler-utils first: apt-get install "
                         f"--no-install-recommends {lo.DEBIAN_PACKAGES}")
    if lo.FAKETIME is None:
        print("render_pictures: VARNING faketime saknas – färgerna som beror på dagens datum (saknad närvaro, "
              f"försenade uppgifter) ritas för i dag i stället för {DEMO_TODAY}. Installera faketime.", file=sys.stderr)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="bilder-") as folder:
        root = Path(folder)
        hashes = source_hashes(root / "källor")
        built = sorted((root / "källor" / "mallar").iterdir())
        # The .xlsx (xlwings Lite) template: its sheet buttons are shapes, which print; the .xlsm's form
        # buttons do not.
        template = next(p for p in built if p.suffix == ".xlsx")
        demo = root / "källor" / DEMO_NAME
        results = root / "resultat"
        sources = {"mall": template, "demo": demo}
        for command in WORKBOOK_COMMANDS:
            code = cli_main([command, str(demo), "--today", DEMO_TODAY.isoformat(), "--out", str(results)],
                            out=io.StringIO(), err=io.StringIO())
            if code not in (0, 1):
                raise SystemExit(f"render_pictures: bup-grupper {command} failed ({code})")
            (sources[command],) = results.glob(f"* ({command} {DEMO_TODAY.isoformat()}).xlsx")
        needed = sorted({picture.source for picture in PICTURES})
        pdfs = root / "pdf"
        lo.convert([sources[name] for name in needed], lo.PDF_ONE_PAGE_PER_SHEET, pdfs,
                   fake_today=DEMO_TODAY.isoformat() if lo.FAKETIME else None)
        rendered: dict[tuple[str, int], tuple[Image, list[lo.Word]]] = {}
        for picture in PICTURES:
            workbook = sources[picture.source]
            pdf = pdfs / f"{workbook.stem}.pdf"
            page = _pages(pdf, workbook)[picture.sheet]
            key = (picture.source, page)
            if key not in rendered:
                rendered[key] = (Image.from_raster(_rasterise(pdf, page, dpi)), lo.pdf_words(pdf, page))
            image, words = rendered[key]
            target = out / picture.name
            target.write_bytes(_crop(image, words, picture, dpi / 72).png())
            written.append(target)

        sheet_dir = root / "narvarolista"
        workbook = read_workbook_file(demo, today=DEMO_TODAY).workbook
        pdf = write_attendance_sheet(workbook, "ADHDUng-2609", None, sheet_dir)
        if pdf.suffix == ".pdf":
            words = [w for w in lo.pdf_words(pdf, 1) if w.y_max < 780]  # leave out the page footer
            image = Image.from_raster(_rasterise(pdf, 1, dpi))
            scale = dpi / 72
            left = min(w.x_min for w in words) - MARGIN
            crop = image.crop(int(left * scale), int((min(w.y_min for w in words) - MARGIN) * scale),
                              int((max(w.x_max for w in words) + MARGIN) * scale),
                              int((max(w.y_max for w in words) + MARGIN) * scale))
            target = out / "narvarolista.png"
            target.write_bytes(crop.padded().png())
            written.append(target)
        (out / HASH_FILE).write_text(hashes, encoding="utf-8")
    return written


def _rasterise(pdf: Path, page: int, dpi: int) -> lo.Raster:
    data = subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), str(pdf)],
                          capture_output=True, check=True, timeout=120).stdout
    return lo.parse_ppm(data, dpi / 72)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the pictures (default {OUT})")
    parser.add_argument("--dpi", type=int, default=DPI)
    args = parser.parse_args(argv)
    written = render(args.out, args.dpi)
    total = sum(path.stat().st_size for path in written)
    for path in written:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size // 1024} kB")
    print(f"{len(written)} bilder, {total // 1024} kB, och {args.out / HASH_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
