"""Tests of the vbaProject.bin builder: MS-OVBA compression, the compound file, and two readers."""

from __future__ import annotations

import io
import random
import re
import struct
import zipfile
from importlib import resources
from pathlib import Path

import olefile
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser, decompress_stream

from xl_addin import vba_project
from xl_addin.vba_project import (
    IncompressibleChunk,
    InvalidModule,
    build_vba_project,
    compress,
    decompress,
)

KNAPPAR = Path(vba_project.__file__).parent / "vba" / "Knappar.bas"


def unhex(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


# [MS-OVBA] 3.2.1-3.2.3 as published on learn.microsoft.com. The normal example's bytes were
# corrected there: older PDF editions (copied into several libraries) show offsets 7 and 13 where
# the spec's own algorithm picks the nearest match, 5 and 11.
SPEC_EXAMPLES = [
    pytest.param(
        b"abcdefghijklmnopqrstuv.",
        "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E",
        id="3.2.1 no compression",
    ),
    pytest.param(
        b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa",
        "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 20"
        " 6D 6E 6F 70 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C",
        id="3.2.2 normal compression",
    ),
    pytest.param(b"a" * 73, "01 03 B0 02 61 45 00", id="3.2.3 maximum compression"),
]
OLD_PDF_NORMAL_EXAMPLE = (
    "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 30"
    " 6D 6E 6F 70 06 71 02 70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C"
)


@pytest.mark.parametrize(("plain", "compressed"), SPEC_EXAMPLES)
def test_compress_reproduces_the_spec_examples_byte_for_byte(plain, compressed):
    assert compress(plain) == unhex(compressed)


@pytest.mark.parametrize(("plain", "compressed"), SPEC_EXAMPLES)
def test_decompress_expands_the_spec_examples(plain, compressed):
    assert decompress(unhex(compressed)) == plain


def test_decompress_expands_the_older_pdf_bytes_of_the_normal_example():
    expected = b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
    assert decompress(unhex(OLD_PDF_NORMAL_EXAMPLE)) == expected


def _vba_like_text(size: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    words = ["Dim", "As", "Long", "String", "If", "Then", "End", "Sub", "Range", "Cells", "åäö"]
    parts: list[str] = []
    while sum(map(len, parts)) < size:
        parts.append("    " * rng.randint(0, 3) + " ".join(rng.choices(words, k=6)) + "\r\n")
    return "".join(parts).encode("cp1252")[:size]


ROUND_TRIP_INPUTS = [
    pytest.param(b"", id="empty"),
    pytest.param(b"x", id="one byte"),
    pytest.param(b"ab", id="two bytes"),
    pytest.param(b"abc" * 3, id="one early match"),
    pytest.param(b"#" + b"a" * 46, id="hash then a run"),
    pytest.param(_vba_like_text(4095), id="4095 text"),
    pytest.param(_vba_like_text(4096), id="4096 text"),
    pytest.param(_vba_like_text(4097), id="4097 text"),
    pytest.param(_vba_like_text(12_289), id="12289 text"),
    pytest.param(_vba_like_text(60_000, seed=3), id="60000 text"),
    pytest.param(b"a" * 4095, id="4095 repeated"),
    pytest.param(b"a" * 4096, id="4096 repeated"),
    pytest.param(b"a" * 4097, id="4097 repeated"),
    pytest.param(b"ab" * 10_000, id="20000 period two"),
    pytest.param(random.Random(1).randbytes(3640), id="3640 random: literal-only still fits"),
    pytest.param(random.Random(2).randbytes(8192), id="8192 random: raw chunks"),
    pytest.param(random.Random(3).randbytes(8192) + b"z" * 5000, id="raw chunks then text"),
]


@pytest.mark.parametrize("data", ROUND_TRIP_INPUTS)
def test_decompress_inverts_compress(data):
    assert decompress(compress(data)) == data


@pytest.mark.parametrize("data", ROUND_TRIP_INPUTS)
def test_olevba_decompresses_what_compress_writes(data):
    # An independent reader of the same format.
    assert bytes(decompress_stream(bytearray(compress(data)))) == data


def _chunks(container: bytes) -> list[tuple[bool, int]]:
    """(compressed flag, chunk size including header) of each chunk in a container."""
    chunks, position = [], 1
    while position < len(container):
        (header,) = struct.unpack_from("<H", container, position)
        assert header & 0x7000 == 0x3000, "chunk signature must be 0b011"
        size = (header & 0x0FFF) + 3 if header & 0x8000 else 4098
        chunks.append((bool(header & 0x8000), size))
        position += size
    assert position == len(container)
    return chunks


def test_each_4096_byte_slice_gets_its_own_chunk():
    data = _vba_like_text(3 * 4096 + 10)
    assert len(_chunks(compress(data))) == 4


def test_incompressible_full_chunks_are_stored_raw_and_exact():
    data = random.Random(4).randbytes(2 * 4096)
    assert _chunks(compress(data)) == [(False, 4098), (False, 4098)]


def test_an_incompressible_short_last_chunk_is_refused_rather_than_padded():
    with pytest.raises(IncompressibleChunk):
        compress(random.Random(5).randbytes(4096 + 4000))


@given(st.binary(max_size=13_000))
@settings(max_examples=60, deadline=None)
def test_compress_round_trips_any_bytes_or_refuses_only_a_long_incompressible_tail(data):
    try:
        compressed = compress(data)
    except IncompressibleChunk:
        # At most 3640 bytes always fit as literals: 3640 + 3640 / 8 flag bytes = 4095.
        assert len(data) % 4096 > 3640
        return
    assert decompress(compressed) == data


@given(st.text(alphabet="ab \r\n", max_size=13_000).map(str.encode))
@settings(max_examples=60, deadline=None)
def test_compress_round_trips_repetitive_text(data):
    compressed = compress(data)
    assert decompress(compressed) == data
    assert bytes(decompress_stream(bytearray(compressed))) == data


@pytest.mark.parametrize(
    "broken",
    [b"", b"\x02\x19\xb0", b"\x01\x19", b"\x01\x19\x00abc", b"\x01\x05\xb0\x01\x00\x00\x00"],
    ids=["empty", "bad container signature", "short header", "bad chunk signature", "copy first"],
)
def test_decompress_rejects_malformed_containers(broken):
    with pytest.raises(ValueError):
        decompress(broken)


def test_decompress_reads_a_dir_stream_that_excel_compressed():
    xlwings = pytest.importorskip("xlwings")
    workbook = resources.files(xlwings) / "quickstart.xlsm"
    with zipfile.ZipFile(io.BytesIO(workbook.read_bytes())) as package:
        ole = olefile.OleFileIO(package.read("xl/vbaProject.bin"))
    compressed = ole.openstream("VBA/dir").read()
    plain = decompress(compressed)
    assert plain == bytes(decompress_stream(bytearray(compressed)))
    assert decompress(compress(plain)) == plain


# --------------------------------------------------------------------------------------------
# The PROJECT stream's obfuscated fields


def test_decrypt_reads_the_spec_example_project_stream():
    # [MS-OVBA] 3.1.6: an unprotected, visible project without password.
    project_id = "{917DED54-440B-4FD1-A5C1-74ACF261E600}"
    assert vba_project._decrypt("0705D8E3D8EDDBF1DBF1DBF1DBF1", project_id) == bytes(4)
    assert vba_project._decrypt("0E0CD1ECDFF4E7F5E7F5E7", project_id) == b"\x00"
    assert vba_project._decrypt("1517CAF1D6F9D7F9D706", project_id) == b"\xff"


def _project_text(bin_bytes: bytes) -> str:
    return olefile.OleFileIO(bin_bytes).openstream("PROJECT").read().decode("cp1252")


def test_project_stream_declares_an_unprotected_visible_project():
    text = _project_text(build_vba_project([("Knappar", "Sub A()\nEnd Sub\n")]))
    fields = dict(re.findall(r'^(\w+)="([^"]*)"\r$', text, re.MULTILINE))
    assert vba_project._decrypt(fields["CMG"], fields["ID"]) == bytes(4)
    assert vba_project._decrypt(fields["DPB"], fields["ID"]) == b"\x00"
    assert vba_project._decrypt(fields["GC"], fields["ID"]) == b"\xff"
    assert 22 <= len(fields["CMG"]) <= 28 and 16 <= len(fields["GC"]) <= 22


def test_project_stream_lists_modules_in_order_with_crlf_lines():
    text = _project_text(
        build_vba_project([("Knappar", ""), ("Hjalp", "")], sheet_code_names=["Sheet1"])
    )
    assert "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert re.fullmatch(r'ID="\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}"', lines[0])
    assert lines[1:5] == [
        "Document=ThisWorkbook/&H00000000",
        "Document=Sheet1/&H00000000",
        "Module=Knappar",
        "Module=Hjalp",
    ]
    assert lines[5] == 'Name="BUPGrupper"'
    assert "[Host Extender Info]" in lines
    assert lines[lines.index("[Workspace]") + 1 :] == [
        "ThisWorkbook=0, 0, 0, 0, C",
        "Sheet1=0, 0, 0, 0, C",
        "Knappar=0, 0, 0, 0, C",
        "Hjalp=0, 0, 0, 0, C",
        "",
    ]


# --------------------------------------------------------------------------------------------
# The compound file

def _long_module() -> str:
    # Varied enough that even compressed it exceeds 4096 bytes and leaves the mini stream.
    rng = random.Random(11)
    words = "grupp tillfälle vårdnadshavare avbokning närvaro ledare kallelse journal".split()
    subs = [
        f"Sub Knapp{n:03d}()\n"
        f"    ' {' '.join(rng.choices(words, k=5))} {rng.randrange(10**9)}\n"
        f'    RunPython "import xl_addin.buttons as b; b.knapp_{n:03d}()"\n'
        "End Sub\n"
        for n in range(300)
    ]
    header = "Option Explicit\n' Lång modul: åäö ÅÄÖ é — kodtabell 1252, flera block.\n"
    return header + "".join(subs)


LONG_MODULE = _long_module()


def _build_sample() -> bytes:
    return build_vba_project(
        [("Knappar", KNAPPAR.read_text(encoding="cp1252")), ("Lang", LONG_MODULE)],
        sheet_code_names=["Sheet1", "Sheet2"],
    )


def test_long_module_spans_several_chunks_and_the_big_stream_area():
    assert len(LONG_MODULE.encode("cp1252")) > 3 * 4096
    ole = olefile.OleFileIO(_build_sample())
    assert ole.get_size("VBA/Lang") >= 4096  # stored in the FAT, not the mini stream
    assert ole.get_size("VBA/Knappar") < 4096  # stored in the mini stream


def test_olefile_opens_the_project_strictly_and_lists_exactly_its_streams():
    ole = olefile.OleFileIO(_build_sample(), raise_defects=olefile.DEFECT_INCORRECT)
    assert sorted(ole.listdir(streams=True, storages=False)) == sorted(
        [
            ["PROJECT"],
            ["PROJECTwm"],
            ["VBA", "dir"],
            ["VBA", "_VBA_PROJECT"],
            ["VBA", "ThisWorkbook"],
            ["VBA", "Sheet1"],
            ["VBA", "Sheet2"],
            ["VBA", "Knappar"],
            ["VBA", "Lang"],
        ]
    )
    assert ole.listdir(streams=False, storages=True) == [["VBA"]]
    assert ole.openstream("VBA/_VBA_PROJECT").read() == unhex("CC 61 FF FF 00 00 00")
    assert ole.openstream("PROJECTwm").read() == (
        b"".join(
            name.encode("cp1252") + b"\0" + name.encode("utf-16-le") + b"\0\0"
            for name in ["ThisWorkbook", "Sheet1", "Sheet2", "Knappar", "Lang"]
        )
        + b"\0\0"
    )


def test_module_streams_hold_the_source_from_byte_zero_with_crlf():
    ole = olefile.OleFileIO(_build_sample())
    source = decompress(ole.openstream("VBA/Lang").read())
    assert source == ('Attribute VB_Name = "Lang"\n' + LONG_MODULE).replace("\n", "\r\n").encode(
        "cp1252"
    )


def _in_order(ole: olefile.OleFileIO, sid: int) -> list[str]:
    if sid == olefile.NOSTREAM:
        return []
    entry = ole.direntries[sid]
    return [*_in_order(ole, entry.sid_left), entry.name, *_in_order(ole, entry.sid_right)]


def test_directory_trees_are_black_search_trees_in_cfb_name_order():
    ole = olefile.OleFileIO(_build_sample())
    for storage in (ole.root, ole.direntries[ole.root.kids_dict["vba"].sid]):
        names = _in_order(ole, storage.sid_child)
        assert names == sorted(names, key=lambda name: (len(name), name.upper()))
        assert len(names) == len(storage.kids)
    assert all(entry.color == 1 for entry in ole.direntries if entry is not None)


def _dir_records(data: bytes) -> list[tuple[int, bytes]]:
    records, position = [], 0
    while position < len(data):
        record_id, size = struct.unpack_from("<HI", data, position)
        # PROJECTVERSION's Size says 4 but six bytes of version follow (2.3.4.2.1.11).
        size = 6 if record_id == 0x0009 else size
        records.append((record_id, data[position + 6 : position + 6 + size]))
        position += 6 + size
    assert position == len(data)
    return records


def test_dir_stream_has_the_spec_record_sequence():
    ole = olefile.OleFileIO(_build_sample())
    records = _dir_records(decompress(ole.openstream("VBA/dir").read()))
    ids = [record_id for record_id, _ in records]
    information = [0x01, 0x02, 0x14, 0x03, 0x04, 0x05, 0x40, 0x06, 0x3D, 0x07, 0x08, 0x09, 0x0C]
    assert ids[: len(information) + 1] == [*information, 0x3C]
    values = dict(records[: len(information)])
    assert values[0x03] == struct.pack("<H", 1252)
    assert values[0x04] == b"BUPGrupper"
    assert ids[-1] == 0x0010 and records[-1][1] == b""
    modules_at = ids.index(0x000F)
    assert records[modules_at][1] == struct.pack("<H", 5)
    assert ids[modules_at + 1] == 0x0013
    module_ids = [0x19, 0x47, 0x1A, 0x32, 0x1C, 0x48, 0x31, 0x1E, 0x2C]
    expected_types = {"ThisWorkbook": 0x22, "Sheet1": 0x22, "Sheet2": 0x22}
    position = modules_at + 2
    for name in ["ThisWorkbook", "Sheet1", "Sheet2", "Knappar", "Lang"]:
        module = records[position : position + len(module_ids) + 2]
        assert [record_id for record_id, _ in module] == [
            *module_ids,
            expected_types.get(name, 0x21),
            0x2B,
        ]
        fields = dict(module)
        assert fields[0x19] == fields[0x1A] == name.encode("cp1252")
        assert fields[0x47] == fields[0x32] == name.encode("utf-16-le")
        assert fields[0x31] == struct.pack("<I", 0)  # MODULEOFFSET: no p-code before the source
        position += len(module_ids) + 2
    assert position == len(records) - 1


def test_two_builds_are_byte_identical():
    assert _build_sample() == _build_sample()


def test_the_project_name_changes_the_project_id():
    one = _project_text(build_vba_project([], project_name="BUPGrupper"))
    other = _project_text(build_vba_project([], project_name="Annat"))
    assert one.splitlines()[0] != other.splitlines()[0]


# --------------------------------------------------------------------------------------------
# An .xlsm written by XlsxWriter, read back by olevba


def _xlsm_with(project: bytes, path: Path) -> Path:
    workbook = xlsxwriter.Workbook(path)
    workbook.add_worksheet()
    workbook.add_worksheet()
    workbook.add_vba_project(io.BytesIO(project), is_stream=True)
    workbook.close()
    return path


def _without_attributes(code: str) -> str:
    lines = code.replace("\r\n", "\n").split("\n")
    return "\n".join(line for line in lines if not line.startswith("Attribute VB_")).strip("\n")


def test_olevba_reads_every_module_back_from_an_xlsxwriter_workbook(tmp_path):
    path = _xlsm_with(_build_sample(), tmp_path / "mall.xlsm")
    parser = VBA_Parser(str(path), relaxed=False)  # strict: a malformed dir stream raises
    try:
        found = {
            vba_filename: code for _, _, vba_filename, code in parser.extract_macros()
        }
    finally:
        parser.close()
    assert set(found) == {
        "ThisWorkbook.cls",
        "Sheet1.cls",
        "Sheet2.cls",
        "Knappar.bas",
        "Lang.bas",
    }
    assert _without_attributes(found["Lang.bas"]) == _without_attributes(LONG_MODULE)
    assert _without_attributes(found["Knappar.bas"]) == _without_attributes(
        KNAPPAR.read_text(encoding="cp1252")
    )
    assert found["ThisWorkbook.cls"].startswith('Attribute VB_Name = "ThisWorkbook"\r\n')
    assert 'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"' in found[
        "ThisWorkbook.cls"
    ]


def test_the_xlsxwriter_package_embeds_the_project_unchanged(tmp_path):
    project = _build_sample()
    path = _xlsm_with(project, tmp_path / "mall.xlsm")
    with zipfile.ZipFile(path) as package:
        assert package.read("xl/vbaProject.bin") == project
        assert b'codeName="ThisWorkbook"' in package.read("xl/workbook.xml")
        assert b'codeName="Sheet1"' in package.read("xl/worksheets/sheet1.xml")


def test_olevba_reads_the_xlwings_module_when_embedded(tmp_path):
    # A real 46 KB module: the standalone alternative to referencing the xlwings add-in.
    xlwings = pytest.importorskip("xlwings")
    source = (resources.files(xlwings) / "xlwings.bas").read_bytes().decode("cp1252")
    path = _xlsm_with(build_vba_project([("xlwings", source)]), tmp_path / "xlwings.xlsm")
    parser = VBA_Parser(str(path), relaxed=False)
    try:
        found = {name: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()
    assert found["xlwings.bas"].replace("\r\n", "\n") == source.replace("\r\n", "\n")


# --------------------------------------------------------------------------------------------
# Module names and source text


def _module_source(project: bytes, name: str) -> str:
    return decompress(olefile.OleFileIO(project).openstream(f"VBA/{name}").read()).decode("cp1252")


def test_a_missing_vb_name_line_is_added_and_line_endings_become_crlf():
    source = _module_source(build_vba_project([("Knappar", "Sub A()\rEnd Sub\n")]), "Knappar")
    assert source == 'Attribute VB_Name = "Knappar"\r\nSub A()\r\nEnd Sub\r\n'


def test_an_existing_vb_name_line_is_kept_once():
    text = 'Attribute VB_Name = "Knappar"\r\nOption Explicit\r\n'
    source = _module_source(build_vba_project([("Knappar", text)]), "Knappar")
    assert source == text


@pytest.mark.parametrize(
    ("modules", "sheets"),
    [
        ([("1Knapp", "")], ()),
        ([("Knapp-ar", "")], ()),
        ([("Knäppar", "")], ()),
        ([("K" * 32, "")], ()),
        ([("Knappar", ""), ("KNAPPAR", "")], ()),
        ([("thisworkbook", "")], ()),
        ([("Sheet1", "")], ("Sheet1",)),
        ([("Knappar", 'Attribute VB_Name = "Annat"\n')], ()),
        ([("Knappar", "' Pris: 5 €, ok; men ≠ finns inte i 1252\n")], ()),
    ],
    ids=[
        "digit first",
        "hyphen",
        "non-ascii name",
        "32 characters",
        "same name in other case",
        "reserved ThisWorkbook",
        "module named like a sheet",
        "VB_Name disagrees",
        "character outside cp1252",
    ],
)
def test_invalid_modules_are_refused(modules, sheets):
    with pytest.raises(InvalidModule):
        build_vba_project(modules, sheet_code_names=sheets)


# --------------------------------------------------------------------------------------------
# The button module kept as text

SUB = re.compile(r"^Sub (\w+)\(\)\r?\n(.*?)^End Sub\r?$", re.MULTILINE | re.DOTALL)
RUN_PYTHON = re.compile(r'^    RunPython "[^"]+"\r?\n\Z')


def test_knappar_has_one_sub_per_button_each_a_single_run_python_line():
    text = KNAPPAR.read_text(encoding="cp1252")
    assert text.startswith('Attribute VB_Name = "Knappar"')
    subs = SUB.findall(text)
    assert subs, "no Sub found"
    assert len(subs) == text.count("\nSub ")
    for name, body in subs:
        assert RUN_PYTHON.match(body), f"{name}: {body!r}"
    assert len({name.upper() for name, _ in subs}) == len(subs)
