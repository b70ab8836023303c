"""xlwings Lite's parts of the ``.xlsx``: ``main.py`` and ``requirements.txt`` generated from
``layout.BUTTONS``, and the web-extension parts added to the finished zip; never on the button path.

How the package reaches a clinic's Lite (docs/decisions.md, "xlwings Lite"): it is carried inside
``main.py`` itself, as a zip of the ``xl_addin`` modules the buttons use (base64, at the end of the
file), put on ``sys.path`` when Lite loads ``main.py``. Nothing has to be published or hosted; a new
template is a new version. ``requirements.txt`` names only pure-Python wheels from PyPI that Lite
installs the way it installs xlwings itself.

Lite keeps its code in ``xl/webextensions/webextension1.xml``: a ``we:webextension`` that references
the Lite add-in in the Office store, with the properties ``main.py``, ``requirements.txt``,
``pyodideVersion`` and ``addinVersion``, each a JSON-encoded string (quotes included), XML-escaped.
XlsxWriter cannot write these parts, nor name a text box: ``add_lite_parts`` rewrites the finished
zip, deterministically (fixed order and timestamps), so two builds stay byte-identical.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from xml.sax.saxutils import escape

from . import __version__
from .domain import layout as L

# What the template names: the Lite add-in in the Office store and the runtime it loads.
LITE_STORE_ID = "wa200008175"
LITE_STORE_VERSION = "1.0.0.0"
LITE_ADDIN_VERSION = "1.0.0.0-18"
PYODIDE_VERSION = "0.27.5"  # Python 3.12; the Pyodide tests install exactly this npm version
XLWINGS_VERSION = "0.37.8"  # the xlwings the buttons are tested with (pyproject: >=0.37.8,<0.38)
HOLIDAYS_VERSION = "0.109"  # as pinned in pyproject.toml: which days are off changes deadlines
PACKAGE_NAME = "bup-gruppbokningar"

# Pure-Python wheels Lite installs from requirements.txt (name, exact version); the Pyodide tests
# install the same wheels plus what holidays depends on (python-dateutil, six).
REQUIREMENTS: tuple[tuple[str, str], ...] = (("xlwings", XLWINGS_VERSION), ("holidays", HOLIDAYS_VERSION))



def runtime_wheels() -> list[str]:
    """``name==version`` of every pure-Python wheel the Pyodide tests install: requirements.txt's, and
    what holidays needs, at the versions installed here."""
    from importlib.metadata import version

    return [f"{name}=={pinned}" for name, pinned in REQUIREMENTS] + [
        f"{name}=={version(name)}" for name in ("python-dateutil", "six")
    ]


# Modules of xl_addin that a click never imports: the file edge and the template builder.
NOT_ON_THE_BUTTON_PATH = frozenset({
    "__main__.py", "cli.py", "demo.py", "demo_run.py", "template.py", "vba_project.py", "lite.py",
})
NOT_ON_THE_BUTTON_PATH_DIRS = frozenset({"files"})

WEBEXTENSION_PART = "xl/webextensions/webextension1.xml"
TASKPANES_PART = "xl/webextensions/taskpanes.xml"
TASKPANES_RELS_PART = "xl/webextensions/_rels/taskpanes.xml.rels"
WEBEXTENSION_ID = "{0F3A6B7E-5C1D-4E8A-9B2F-6D4C8A1E7B35}"  # fixed, so builds are byte-identical
CONTENT_TYPE_WEBEXTENSION = "application/vnd.ms-office.webextension+xml"
CONTENT_TYPE_TASKPANES = "application/vnd.ms-office.webextensiontaskpanes+xml"
REL_WEBEXTENSION = "http://schemas.microsoft.com/office/2011/relationships/webextension"
REL_TASKPANES = "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes"
_NS_WE = "http://schemas.microsoft.com/office/webextensions/webextension/2010/11"
_NS_WETP = "http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_BASE64_LINE = 100


# -- main.py and requirements.txt -------------------------------------------------------------------
def package_archive(package_dir: Path | None = None) -> bytes:
    """The ``xl_addin`` modules a click uses, as a zip that Python imports from (same bytes every build)."""
    root = Path(package_dir) if package_dir is not None else Path(__file__).resolve().parent
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(root.rglob("*.py")):
            relative = path.relative_to(root)
            if relative.parts[0] in NOT_ON_THE_BUTTON_PATH_DIRS or str(relative) in NOT_ON_THE_BUTTON_PATH:
                continue
            info = zipfile.ZipInfo(str(PurePosixPath("xl_addin", *relative.parts)), _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    return buffer.getvalue()


def script_name(function: str) -> str:
    """The Python name of a button's script in main.py: the button function's own name."""
    return function


def button_reference(caption: str, sub: str) -> str:
    """``[shape]Start!cell``: what ``@script(button=...)`` names for the button with this caption."""
    return f"[{L.button_shape_name(sub)}]{L.START}!{L.START_BUTTON_CELLS[caption]}"


def main_py(archive: bytes | None = None) -> str:
    """Lite's ``main.py``: one script per button of ``layout.BUTTONS``, then the package itself."""
    archive = package_archive() if archive is None else archive
    digest = hashlib.sha256(archive).hexdigest()[:12]
    lines = [
        '"""BUP Gruppbokningar: knapparna på bladet Start, för xlwings Lite.',
        "",
        "Skapad av mallen (xl_addin.lite) – ändra inte här: en ny mall ersätter hela filen.",
        f"Programmet (xl_addin {__version__}) ligger inbäddat längst ned, så inget behöver installeras",
        'eller läggas upp på en server. Data lämnar aldrig datorn."""',
        "",
        "import base64",
        "import sys",
        "import tempfile",
        "from pathlib import Path",
        "",
        "import xlwings as xw",
        "from xlwings import script",
        "",
    ]
    for caption, sub, function in L.BUTTONS:
        lines += [
            "",
            f"@script(name={caption!r}, button={button_reference(caption, sub)!r}, show_taskpane=True)",
            f"def {script_name(function)}(book: xw.Book):",
            f"    buttons.{function}(book)",
            "",
        ]
    encoded = base64.b64encode(archive).decode("ascii")
    chunks = [encoded[start:start + _BASE64_LINE] for start in range(0, len(encoded), _BASE64_LINE)]
    lines += [
        "",
        "def _load_package(encoded: str, name: str):",
        '    """Put the embedded package on sys.path (replacing an older one) and import the buttons."""',
        "    path = Path(tempfile.gettempdir()) / name",
        "    if not path.exists():",
        "        path.write_bytes(base64.b64decode(encoded))",
        "    for module in [m for m in sys.modules if m == 'xl_addin' or m.startswith('xl_addin.')]:",
        "        if not str(getattr(sys.modules[module], '__file__', '')).startswith(str(path)):",
        "            del sys.modules[module]",
        "    sys.path[:] = [p for p in sys.path if not Path(p).name.startswith('bup-gruppbokningar-')]",
        "    sys.path.insert(0, str(path))",
        "    import xl_addin.buttons",
        "",
        "    return xl_addin.buttons",
        "",
        "",
        f"# xl_addin {__version__}: a zip of its modules, base64 (sha256 {digest}…).",
        "PACKAGE = (",
        *[f'    "{chunk}"' for chunk in chunks],
        ")",
        f'buttons = _load_package(PACKAGE, "{PACKAGE_NAME}-{__version__}-{digest}.zip")',
        "buttons.load_click_modules()  # now, while Lite loads, rather than in the first click",
        "",
    ]
    return "\n".join(lines)


def requirements_txt() -> str:
    """Lite's ``requirements.txt``: xlwings pinned, holidays pinned, and where this package comes from."""
    lines = [f"{name}=={version}" + ("  # required" if name == "xlwings" else "") for name, version in REQUIREMENTS]
    lines.append(f"# {PACKAGE_NAME} {__version__} (xl_addin) is carried inside main.py: nothing to install")
    return "\n".join(lines) + "\n"


# -- the web-extension parts ------------------------------------------------------------------------
def property_value(text: str) -> str:
    """A property's value as Lite stores it: a JSON-encoded string (quotes included)."""
    return json.dumps(text, ensure_ascii=False)


def _attribute(text: str) -> str:
    """Text for a double-quoted XML attribute, escaped as Office writes it (``&quot;`` for quotes)."""
    return escape(text, {'"': "&quot;"})


def webextension_xml(properties: Mapping[str, str]) -> str:
    props = "".join(
        f'<we:property name="{_attribute(name)}" value="{_attribute(property_value(value))}"/>'
        for name, value in properties.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<we:webextension xmlns:we="{_NS_WE}" id="{WEBEXTENSION_ID}">'
        f'<we:reference id="{LITE_STORE_ID}" version="{LITE_STORE_VERSION}" store="en-US" storeType="OMEX"/>'
        f'<we:alternateReferences><we:reference id="{LITE_STORE_ID.upper()}" version="{LITE_STORE_VERSION}" '
        'store="" storeType="OMEX"/></we:alternateReferences>'
        f"<we:properties>{props}</we:properties>"
        f'<we:bindings/><we:snapshot xmlns:r="{_NS_R}"/></we:webextension>'
    )


def lite_properties(archive: bytes | None = None) -> dict[str, str]:
    """The web extension's properties in the order Lite writes them."""
    return {
        "main.py": main_py(archive),
        "requirements.txt": requirements_txt(),
        "pyodideVersion": PYODIDE_VERSION,
        "addinVersion": LITE_ADDIN_VERSION,
    }


def taskpanes_xml() -> str:
    """Lite's task pane, shown when the workbook opens: the sheet buttons only work while Lite runs, and
    showing its pane is what starts it."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<wetp:taskpanes xmlns:wetp="{_NS_WETP}">'
        '<wetp:taskpane dockstate="right" visibility="1" width="350" row="4">'
        f'<wetp:webextensionref xmlns:r="{_NS_R}" r:id="rId1"/>'
        "</wetp:taskpane></wetp:taskpanes>"
    )


def taskpanes_rels_xml() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<Relationships xmlns="{_NS_RELS}">'
        f'<Relationship Id="rId1" Type="{REL_WEBEXTENSION}" Target="webextension1.xml"/>'
        "</Relationships>"
    )


def _add_override(content_types: str, part: str, content_type: str) -> str:
    override = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
    if override in content_types:
        return content_types
    return content_types.replace("</Types>", override + "</Types>", 1)


def _add_package_relationship(rels: str) -> str:
    if REL_TASKPANES in rels:
        return rels
    numbers = [int(n) for n in re.findall(r'Id="rId(\d+)"', rels)]
    new = (f'<Relationship Id="rId{max(numbers, default=0) + 1}" Type="{REL_TASKPANES}" '
           f'Target="{TASKPANES_PART}"/>')
    return rels.replace("</Relationships>", new + "</Relationships>", 1)


# -- naming the sheet buttons -------------------------------------------------------------------------
def sheet_drawing_part(files: Mapping[str, bytes], sheet_index: int) -> str | None:
    """The drawing part of the ``sheet_index``-th worksheet (1-based, XlsxWriter's sheetN.xml), if any."""
    rels = files.get(f"xl/worksheets/_rels/sheet{sheet_index}.xml.rels")
    if rels is None:
        return None
    match = re.search(r'Type="[^"]*/drawing" Target="\.\./drawings/(drawing\d+\.xml)"', rels.decode("utf-8"))
    return f"xl/drawings/{match.group(1)}" if match else None


_TEXTBOX_NAME = re.compile(r'(<xdr:sp macro="" textlink="">\s*<xdr:nvSpPr>\s*<xdr:cNvPr id="\d+" name=")'
                           r'(TextBox \d+)(")')


def name_text_boxes(drawing: str, names: Sequence[str]) -> str:
    """Give the drawing's text boxes, in their order, the ``names`` (XlsxWriter calls them TextBox N)."""
    found = _TEXTBOX_NAME.findall(drawing)
    if len(found) != len(names):
        raise ValueError(f"expected {len(names)} text boxes in the Start drawing, found {len(found)}")
    remaining = iter(names)
    return _TEXTBOX_NAME.sub(lambda match: match.group(1) + escape(next(remaining)) + match.group(3), drawing)


# -- the finished zip ---------------------------------------------------------------------------------
def add_lite_parts(xlsx: bytes, *, start_sheet_index: int = 1, shape_names: Iterable[str] = (),
                   archive: bytes | None = None) -> bytes:
    """The ``.xlsx`` bytes with Lite's parts added and the Start sheet's text boxes renamed."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source:
        infos = source.infolist()
        files = {info.filename: source.read(info) for info in infos}
    names = list(shape_names)
    if names:
        drawing = sheet_drawing_part(files, start_sheet_index)
        if drawing is None:
            raise ValueError("the Start sheet has no drawing for its buttons")
        files[drawing] = name_text_boxes(files[drawing].decode("utf-8"), names).encode("utf-8")
    content_types = files["[Content_Types].xml"].decode("utf-8")
    content_types = _add_override(content_types, WEBEXTENSION_PART, CONTENT_TYPE_WEBEXTENSION)
    content_types = _add_override(content_types, TASKPANES_PART, CONTENT_TYPE_TASKPANES)
    files["[Content_Types].xml"] = content_types.encode("utf-8")
    files["_rels/.rels"] = _add_package_relationship(files["_rels/.rels"].decode("utf-8")).encode("utf-8")
    added = {
        TASKPANES_PART: taskpanes_xml(),
        TASKPANES_RELS_PART: taskpanes_rels_xml(),
        WEBEXTENSION_PART: webextension_xml(lite_properties(archive)),
    }
    order = [info.filename for info in infos] + [name for name in added if name not in files]
    files.update({name: text.encode("utf-8") for name, text in added.items()})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in order:
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, files[name])
    return buffer.getvalue()


def read_lite_properties(xlsx: Path | str | bytes) -> dict[str, str]:
    """The web extension's properties read back from a workbook, JSON-decoded (for tests and IT)."""
    from defusedxml import ElementTree as ET

    source = io.BytesIO(xlsx) if isinstance(xlsx, bytes) else xlsx
    with zipfile.ZipFile(source) as archive:
        root = ET.fromstring(archive.read(WEBEXTENSION_PART))
    return {
        prop.get("name"): json.loads(prop.get("value"))
        for prop in root.iter(f"{{{_NS_WE}}}property")
    }
