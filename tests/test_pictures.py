"""The user guide's pictures (docs/bilder/) show the current template and demo, and every one is there."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PICTURES = ROOT / "docs" / "bilder"
GUIDE = ROOT / "docs" / "anvandarguide.md"
MAX_TOTAL_BYTES = 2 * 1024 * 1024
RERUN = (
    "Run  .venv/bin/python scripts/render_pictures.py  (needs LibreOffice, poppler-utils and faketime: "
    "apt-get install --no-install-recommends libreoffice-calc poppler-utils fonts-dejavu-core faketime), "
    "look at the new pictures, and commit docs/bilder/."
)


def _script():
    spec = importlib.util.spec_from_file_location("render_pictures", ROOT / "scripts" / "render_pictures.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_pictures_were_rendered_from_the_current_template_and_demo(tmp_path):
    script = _script()
    stored = (PICTURES / script.HASH_FILE).read_text(encoding="utf-8")
    current = script.source_hashes(tmp_path)  # builds are byte-identical, so equal sources hash equal
    assert stored == current, (
        f"docs/bilder/ was rendered from a different template or demo than the current one.\n{RERUN}\n"
        f"stored:\n{stored}current:\n{current}")


def test_every_picture_the_script_makes_is_there_and_nothing_else():
    script = _script()
    expected = {picture.name for picture in script.PICTURES} | {"narvarolista.png"}
    present = {path.name for path in PICTURES.glob("*.png")}
    assert present == expected, f"missing: {sorted(expected - present)}, stale: {sorted(present - expected)}. {RERUN}"


def test_every_picture_the_guide_shows_exists_and_every_picture_is_used():
    text = GUIDE.read_text(encoding="utf-8")
    used = set(re.findall(r"\]\(bilder/([^)\s]+\.png)\)", text))
    present = {path.name for path in PICTURES.glob("*.png")}
    assert used <= present, f"the guide shows pictures that do not exist: {sorted(used - present)}"
    assert present <= used, f"pictures the guide does not show: {sorted(present - used)}"


def test_the_pictures_stay_small():
    total = sum(path.stat().st_size for path in PICTURES.glob("*.png"))
    assert total < MAX_TOTAL_BYTES, f"docs/bilder/*.png take {total // 1024} kB; render at 80 dpi and crop tighter"
    for path in PICTURES.glob("*.png"):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path.name
