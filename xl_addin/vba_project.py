"""Builds a byte-reproducible Excel ``vbaProject.bin`` from plain-text VBA module source.

The result is an MS-CFB compound file (version 3) holding an MS-OVBA project: the compressed
``VBA/dir`` stream, one compressed source stream per module, ``VBA/_VBA_PROJECT`` with no
performance cache, ``PROJECT`` and ``PROJECTwm``. Module streams carry source only
(``MODULEOFFSET`` 0, no p-code), so Excel compiles the project from the text on first use. EPPlus
writes new modules the same way, and the ``quickstart_standalone.xlsm`` shipped with xlwings 0.37.8
has a 7-byte ``_VBA_PROJECT`` and its ``xlwings`` module at offset 0.

Section numbers in comments refer to [MS-OVBA] and [MS-CFB].
"""

from __future__ import annotations

import re
import struct
import uuid
from collections.abc import Mapping, Sequence
from .domain.records import Record, field

__all__ = [
    "IncompressibleChunk",
    "InvalidModule",
    "build_vba_project",
    "compress",
    "decompress",
]

CODE_PAGE = 1252
_ENCODING = "cp1252"


class InvalidModule(ValueError):
    """A module name or source text that cannot go into a VBA project."""


class IncompressibleChunk(ValueError):
    """A final chunk shorter than 4096 bytes whose tokens need more than 4096 bytes.

    Only data with almost no repeated three-byte sequence gets here (at most 3640 bytes always fit);
    VBA source never does. The spec's fallback, a raw chunk, would pad the source with zero bytes.
    """


# --------------------------------------------------------------------------------------------
# MS-OVBA 2.4.1: compression

_CHUNK_SIZE = 4096
_CONTAINER_SIGNATURE = 0x01
_CHUNK_SIGNATURE = 0b011 << 12
_CHUNK_COMPRESSED_FLAG = 0x8000
_MIN_MATCH = 3


def _copy_token_layout(difference: int) -> tuple[int, int]:
    """Return (bit count of the offset, maximum length) for a copy token (2.4.1.3.19.1).

    ``difference`` is the decompressed position of the token relative to its chunk's start; the
    further into the chunk, the more bits go to the offset and the fewer to the length.
    """
    bit_count = max((difference - 1).bit_length(), 4)
    return bit_count, (0xFFFF >> bit_count) + 3


def _match_length(data: bytes, candidate: int, current: int, limit: int) -> int:
    """Length of the common prefix of data[candidate:] and data[current:], at most ``limit``."""
    if data[candidate : candidate + limit] == data[current : current + limit]:
        return limit
    # Binary search on slice equality: comparisons run in C, a byte loop would not.
    low, high = _MIN_MATCH - 1, limit
    while high - low > 1:
        middle = (low + high) // 2
        if data[candidate : candidate + middle] == data[current : current + middle]:
            low = middle
        else:
            high = middle
    return low


def _compress_chunk(data: bytes, start: int, end: int) -> bytes:
    """Encode data[start:end] (at most 4096 bytes) as one CompressedChunk with its header."""
    tokens = bytearray()
    # Earlier positions in this chunk by their next three bytes: only those can start a match.
    positions: dict[bytes, list[int]] = {}
    indexed = start
    current = start
    while current < end:
        flag_index = len(tokens)
        tokens.append(0)
        flags = 0
        for bit in range(8):
            if current >= end:
                break
            while indexed < current:
                positions.setdefault(data[indexed : indexed + 3], []).append(indexed)
                indexed += 1
            bit_count, maximum_length = _copy_token_layout(current - start)
            limit = min(maximum_length, end - current)
            best_length, best_candidate = 0, 0
            if limit >= _MIN_MATCH:
                # Nearest candidate first and only a strictly longer match replaces it, as in
                # 2.4.1.3.19.4; this reproduces the compressed bytes of the spec's examples.
                for candidate in reversed(positions.get(data[current : current + 3], ())):
                    length = _match_length(data, candidate, current, limit)
                    if length > best_length:
                        best_length, best_candidate = length, candidate
                        if length == limit:
                            break
            if best_length >= _MIN_MATCH:
                offset = current - best_candidate
                token = ((offset - 1) << (16 - bit_count)) | (best_length - 3)
                tokens += struct.pack("<H", token)
                flags |= 1 << bit
                current += best_length
            else:
                tokens.append(data[current])
                current += 1
        tokens[flag_index] = flags
    if len(tokens) <= _CHUNK_SIZE:
        header = _CHUNK_COMPRESSED_FLAG | _CHUNK_SIGNATURE | (len(tokens) + 2 - 3)
        return struct.pack("<H", header) + bytes(tokens)
    if end - start < _CHUNK_SIZE:
        raise IncompressibleChunk(
            f"the last {end - start} bytes do not fit a compressed chunk and a raw chunk would "
            "pad them with zero bytes"
        )
    # A raw chunk (flag 0) always holds exactly 4096 bytes, so it is exact for a full chunk.
    return struct.pack("<H", _CHUNK_SIGNATURE | (_CHUNK_SIZE + 2 - 3)) + data[start:end]


def compress(data: bytes) -> bytes:
    """Compress ``data`` into an MS-OVBA CompressedContainer (2.4.1.1.1).

    The input is cut into chunks of 4096 decompressed bytes (the last one may be shorter); each
    chunk is LZ77-encoded within itself. Empty input gives the one-byte container ``b"\\x01"``.
    Raises ``IncompressibleChunk`` for a short final chunk that cannot be encoded exactly.
    """
    data = bytes(data)
    out = bytearray([_CONTAINER_SIGNATURE])
    for start in range(0, len(data), _CHUNK_SIZE):
        out += _compress_chunk(data, start, min(start + _CHUNK_SIZE, len(data)))
    return bytes(out)


def decompress(data: bytes) -> bytes:
    """Decompress an MS-OVBA CompressedContainer (2.4.1.3.1); raises ``ValueError`` if malformed."""
    data = bytes(data)
    if not data or data[0] != _CONTAINER_SIGNATURE:
        raise ValueError("not a compressed container: the first byte must be 0x01")
    out = bytearray()
    position = 1
    while position < len(data):
        if position + 2 > len(data):
            raise ValueError(f"truncated chunk header at byte {position}")
        (header,) = struct.unpack_from("<H", data, position)
        if header & 0x7000 != _CHUNK_SIGNATURE:
            raise ValueError(f"bad chunk signature at byte {position}")
        chunk_end = min(len(data), position + (header & 0x0FFF) + 3)
        position += 2
        chunk_start = len(out)
        if not header & _CHUNK_COMPRESSED_FLAG:
            if position + _CHUNK_SIZE > len(data):
                raise ValueError(f"truncated raw chunk at byte {position - 2}")
            out += data[position : position + _CHUNK_SIZE]
            position += _CHUNK_SIZE
            continue
        while position < chunk_end:
            flags = data[position]
            position += 1
            for bit in range(8):
                if position >= chunk_end:
                    break
                if not flags >> bit & 1:
                    out.append(data[position])
                    position += 1
                    continue
                if position + 2 > chunk_end:
                    raise ValueError(f"truncated copy token at byte {position}")
                (token,) = struct.unpack_from("<H", data, position)
                position += 2
                bit_count, _ = _copy_token_layout(len(out) - chunk_start)
                length = (token & (0xFFFF >> bit_count)) + 3
                offset = (token >> (16 - bit_count)) + 1
                source = len(out) - offset
                if source < chunk_start:
                    raise ValueError(f"copy token before its chunk at byte {position - 2}")
                # Byte by byte on purpose: a copy may overlap the bytes it produces.
                for index in range(source, source + length):
                    out.append(out[index])
    return bytes(out)


# --------------------------------------------------------------------------------------------
# MS-OVBA 2.4.3: the "encryption" (obfuscation) of CMG, DPB and GC in the PROJECT stream


def _project_key(project_id: str) -> int:
    return sum(project_id.encode("ascii")) & 0xFF


def _encrypt(data: bytes, project_id: str, seed: int) -> str:
    """Obfuscate ``data`` per 2.4.3.2 with a fixed seed (Excel picks a random one) as hex text."""
    version = 2
    project_key = _project_key(project_id)
    out = bytearray([seed, seed ^ version, seed ^ project_key])
    unencrypted_1, encrypted_1, encrypted_2 = project_key, out[2], out[1]

    def push(plain: int) -> None:
        nonlocal unencrypted_1, encrypted_1, encrypted_2
        encrypted = plain ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        out.append(encrypted)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, encrypted, plain

    # The ignored bytes are arbitrary; repeating the seed is what Excel's own files show.
    for _ in range((seed & 6) // 2):
        push(seed)
    for plain in struct.pack("<I", len(data)) + data:
        push(plain)
    return out.hex().upper()


def _decrypt(text: str, project_id: str) -> bytes:
    """Invert ``_encrypt`` (2.4.3.3); raises ``ValueError`` if the text does not fit the project."""
    raw = bytes.fromhex(text)
    seed, version_enc, project_key_enc = raw[0], raw[1], raw[2]
    if seed ^ version_enc != 2:
        raise ValueError("unknown obfuscation version")
    project_key = seed ^ project_key_enc
    if project_key != _project_key(project_id):
        raise ValueError("obfuscated with another project's key")
    unencrypted_1, encrypted_1, encrypted_2 = project_key, project_key_enc, version_enc
    plain = bytearray()
    for encrypted in raw[3:]:
        byte = encrypted ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        plain.append(byte)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, encrypted, byte
    ignored = (seed & 6) // 2
    (length,) = struct.unpack_from("<I", plain, ignored)
    data = bytes(plain[ignored + 4 :])
    if len(data) != length:
        raise ValueError("length field does not match the data")
    return data


# --------------------------------------------------------------------------------------------
# The project's text and records

_MODULE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}")
_ATTRIBUTE_NAME = re.compile(r'Attribute\s+VB_Name\s*=\s*"([^"]*)"\s*$', re.IGNORECASE)
_THIS_WORKBOOK = "ThisWorkbook"
# Class ids of the host's Workbook and Worksheet objects, from the VB_Base lines Excel writes.
_WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
_WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
# Namespace for the project's ID: a fixed GUID per project name instead of a random one.
_PROJECT_ID_NAMESPACE = uuid.UUID("6f0c2f4e-4c1b-5a35-9d43-2f6a1b0e8c11")
_STDOLE_LIBID = (
    r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb"
    r"#OLE Automation"
)


class _Module(Record):
    name: str
    source: bytes  # cp1252, CRLF, attribute lines first
    is_document: bool


def _encode(text: str, what: str) -> bytes:
    try:
        return text.encode(_ENCODING)
    except UnicodeEncodeError as error:
        bad = text[error.start : error.end]
        raise InvalidModule(f"{what}: {bad!r} has no code page 1252 byte") from error


def _check_name(name: str, taken: set[str]) -> None:
    if not _MODULE_NAME.fullmatch(name):
        raise InvalidModule(
            f"module name {name!r}: VBA needs an ASCII letter, then letters, digits or '_', "
            "at most 31 characters"
        )
    # VBA and CFB both compare names case-insensitively.
    if name.upper() in taken:
        raise InvalidModule(f"module name {name!r} is used twice")
    taken.add(name.upper())


def _lines(text: str) -> list[str]:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _standard_module(name: str, text: str) -> _Module:
    lines = _lines(text)
    # Excel needs VB_Name on the first line; keep any further attribute lines the author wrote.
    attribute_lines = 0
    while attribute_lines < len(lines) and lines[attribute_lines].startswith("Attribute "):
        attribute_lines += 1
    body: list[str] = []
    for index, line in enumerate(lines):
        match = _ATTRIBUTE_NAME.match(line) if index < attribute_lines else None
        if match is None:
            body.append(line)
        elif match.group(1) != name:
            raise InvalidModule(f"module {name!r} says Attribute VB_Name = {match.group(1)!r}")
    lines = [f'Attribute VB_Name = "{name}"', *body]
    return _Module(name, _encode("\r\n".join(lines) + "\r\n", f"module {name}"), False)


def _document_module(name: str, base: str) -> _Module:
    lines = [
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "{base}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]
    return _Module(name, _encode("\r\n".join(lines) + "\r\n", f"module {name}"), True)


def _record(record_id: int, payload: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(payload)) + payload


def _text_record(record_id: int, text: str, unicode_id: int | None = None) -> bytes:
    """A record holding MBCS text, optionally followed by its UTF-16 twin (2.3.4.2)."""
    out = _record(record_id, text.encode(_ENCODING))
    if unicode_id is not None:
        out += _record(unicode_id, text.encode("utf-16-le"))
    return out


def _dir_stream(project_name: str, modules: Sequence[_Module]) -> bytes:
    """The decompressed ``dir`` stream (2.3.4.2)."""
    out = bytearray()
    # PROJECTINFORMATION. SysKind 3 (64-bit Windows) is what current Excel writes; with no
    # p-code in the project there is nothing platform-specific for it to describe.
    out += _record(0x0001, struct.pack("<I", 3))  # PROJECTSYSKIND
    out += _record(0x0002, struct.pack("<I", 0x0409))  # PROJECTLCID, fixed by the spec
    out += _record(0x0014, struct.pack("<I", 0x0409))  # PROJECTLCIDINVOKE, fixed by the spec
    out += _record(0x0003, struct.pack("<H", CODE_PAGE))  # PROJECTCODEPAGE
    out += _text_record(0x0004, project_name)  # PROJECTNAME
    out += _text_record(0x0005, "", 0x0040)  # PROJECTDOCSTRING
    out += _text_record(0x0006, "", 0x003D)  # PROJECTHELPFILEPATH (both paths empty)
    out += _record(0x0007, struct.pack("<I", 0))  # PROJECTHELPCONTEXT
    out += _record(0x0008, struct.pack("<I", 0))  # PROJECTLIBFLAGS
    # PROJECTVERSION's Size field is fixed at 4 although six bytes of version follow.
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)
    out += _text_record(0x000C, "", 0x003C)  # PROJECTCONSTANTS
    # PROJECTREFERENCES: OLE Automation, the one library reference a new Excel project has
    # besides the implicit VBA and Excel libraries.
    out += _text_record(0x0016, "stdole", 0x003E)  # REFERENCENAME
    libid = _STDOLE_LIBID.encode(_ENCODING)
    registered = struct.pack("<I", len(libid)) + libid + struct.pack("<IH", 0, 0)
    out += _record(0x000D, registered)  # REFERENCEREGISTERED
    # PROJECTMODULES
    out += _record(0x000F, struct.pack("<H", len(modules)))
    out += _record(0x0013, struct.pack("<H", 0xFFFF))  # PROJECTCOOKIE
    for module in modules:
        out += _text_record(0x0019, module.name)  # MODULENAME
        out += _record(0x0047, module.name.encode("utf-16-le"))  # MODULENAMEUNICODE
        out += _text_record(0x001A, module.name, 0x0032)  # MODULESTREAMNAME
        out += _text_record(0x001C, "", 0x0048)  # MODULEDOCSTRING
        out += _record(0x0031, struct.pack("<I", 0))  # MODULEOFFSET: source starts at byte 0
        out += _record(0x001E, struct.pack("<I", 0))  # MODULEHELPCONTEXT
        out += _record(0x002C, struct.pack("<H", 0xFFFF))  # MODULECOOKIE
        out += _record(0x0022 if module.is_document else 0x0021, b"")  # MODULETYPE
        out += _record(0x002B, b"")  # module terminator
    out += _record(0x0010, b"")  # dir terminator
    return bytes(out)


_VISIBLE = b"\xff"


def _project_stream(project_name: str, project_id: str, modules: Sequence[_Module]) -> bytes:
    """The ``PROJECT`` stream text (2.3.1), in the order and form Excel writes it."""
    lines = [f'ID="{project_id}"']
    for module in modules:
        if module.is_document:
            lines.append(f"Document={module.name}/&H00000000")
        else:
            lines.append(f"Module={module.name}")
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        # Unprotected: no protection bits, no password (one 0x00), project visible (0xFF).
        f'CMG="{_encrypt(bytes(4), project_id, seed=0x27)}"',
        f'DPB="{_encrypt(bytes(1), project_id, seed=0x2B)}"',
        f'GC="{_encrypt(_VISIBLE, project_id, seed=0x2F)}"',
        "",
        "[Host Extender Info]",
        "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
        "",
        "[Workspace]",
        *(f"{module.name}=0, 0, 0, 0, C" for module in modules),
    ]
    return ("\r\n".join(lines) + "\r\n").encode(_ENCODING)


def _name_map_stream(modules: Sequence[_Module]) -> bytes:
    """The ``PROJECTwm`` stream (2.3.3): each module name in MBCS and UTF-16, zero-terminated."""
    out = bytearray()
    for module in modules:
        out += module.name.encode(_ENCODING) + b"\x00"
        out += module.name.encode("utf-16-le") + b"\x00\x00"
    out += b"\x00\x00"
    return bytes(out)


# --------------------------------------------------------------------------------------------
# MS-CFB: a minimal, deterministic compound file writer (version 3, 512-byte sectors)

_SECTOR = 512
_MINI_SECTOR = 64
_MINI_STREAM_CUTOFF = 4096
_FREE_SECTOR = 0xFFFFFFFF
_END_OF_CHAIN = 0xFFFFFFFE
_FAT_SECTOR = 0xFFFFFFFD
_NO_STREAM = 0xFFFFFFFF
_ENTRIES_PER_SECTOR = _SECTOR // 4
_HEADER_FAT_SLOTS = 109
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_BLACK = 1

Tree = Mapping[str, "bytes | Tree"]


class _Entry(Record, frozen=False):
    name: str
    kind: int
    data: bytes = b""
    children: list[int] = field(default_factory=list)
    left: int = _NO_STREAM
    right: int = _NO_STREAM
    child: int = _NO_STREAM
    start: int = _END_OF_CHAIN


def _cfb_order(name: str) -> tuple[int, str]:
    # 2.6.4: shorter names sort first, equal lengths compare by upper-cased code points.
    return len(name), name.upper()


def _balanced_tree(entries: list[_Entry], ids: list[int]) -> int:
    """Link ``ids`` (sorted) as a balanced binary search tree and return its root's id.

    Every node is black, which 2.6.4 names as the simplest valid red-black colouring.
    """
    if not ids:
        return _NO_STREAM
    middle = len(ids) // 2
    root = ids[middle]
    entries[root].left = _balanced_tree(entries, ids[:middle])
    entries[root].right = _balanced_tree(entries, ids[middle + 1 :])
    return root


def _flatten(tree: Tree) -> list[_Entry]:
    entries = [_Entry("Root Entry", _ROOT)]
    pending = [(0, tree)]
    while pending:
        parent, storage = pending.pop(0)
        for name, value in storage.items():
            if not 0 < len(name) <= 31 or any(c in name for c in "/\\:!"):
                raise ValueError(f"invalid compound file entry name {name!r}")
            entries[parent].children.append(len(entries))
            if isinstance(value, Mapping):
                entries.append(_Entry(name, _STORAGE))
                pending.append((len(entries) - 1, value))
            else:
                entries.append(_Entry(name, _STREAM, bytes(value)))
        children = sorted(entries[parent].children, key=lambda i: _cfb_order(entries[i].name))
        if len({_cfb_order(entries[i].name)[1] for i in children}) != len(children):
            raise ValueError("two entries of one storage differ only in case")
        entries[parent].child = _balanced_tree(entries, children)
    return entries


def _chain(fat: list[int], first: int, count: int) -> None:
    for index in range(first, first + count - 1):
        fat[index] = index + 1
    fat[first + count - 1] = _END_OF_CHAIN


def _sectors(size: int, unit: int) -> int:
    return -(-size // unit)


def _pad(data: bytes, unit: int, filler: bytes = b"\x00") -> bytes:
    return data + filler * ((-len(data) // len(filler)) % (unit // len(filler)))


def _directory_entry(entry: _Entry | None) -> bytes:
    if entry is None:
        # 2.6.3: unused entries are zero except the three sibling/child ids.
        return struct.pack(
            "<64sHBBIII16sIQQIQ", b"", 0, 0, 0, *(_NO_STREAM,) * 3, b"", 0, 0, 0, 0, 0
        )
    name = entry.name.encode("utf-16-le") + b"\x00\x00"
    size = len(entry.data) if entry.kind != _STORAGE else 0
    start = entry.start if entry.kind != _STORAGE else 0
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name,
        len(name),
        entry.kind,
        _BLACK,
        entry.left,
        entry.right,
        entry.child,
        b"",  # CLSID: zero
        0,  # state bits
        0,  # creation time: zero keeps the bytes reproducible
        0,  # modified time
        start,
        size,
    )


def _compound_file(tree: Tree) -> bytes:
    """Serialise ``tree`` (names to bytes or to nested storages) as an MS-CFB version 3 file."""
    entries = _flatten(tree)
    streams = [e for e in entries if e.kind == _STREAM]

    # Streams under the cutoff live in the mini stream: readers look for them only there.
    mini_stream = bytearray()
    mini_fat: list[int] = []
    for entry in streams:
        if len(entry.data) < _MINI_STREAM_CUTOFF and entry.data:
            entry.start = len(mini_fat)
            count = _sectors(len(entry.data), _MINI_SECTOR)
            mini_fat.extend([0] * count)
            _chain(mini_fat, entry.start, count)
            mini_stream += _pad(entry.data, _MINI_SECTOR)
    big_streams = [e for e in streams if len(e.data) >= _MINI_STREAM_CUTOFF]

    mini_fat_bytes = _pad(struct.pack(f"<{len(mini_fat)}I", *mini_fat), _SECTOR, b"\xff" * 4)

    # Layout: FAT sectors, directory, MiniFAT, mini stream, then the large streams.
    spans = [
        ("directory", _sectors(len(entries), _SECTOR // 128)),
        ("mini_fat", _sectors(len(mini_fat_bytes), _SECTOR)),
        ("mini_stream", _sectors(len(mini_stream), _SECTOR)),
        *((index, _sectors(len(e.data), _SECTOR)) for index, e in enumerate(big_streams)),
    ]
    others = sum(count for _, count in spans)
    fat_sectors = 0
    # The FAT also maps its own sectors.
    while fat_sectors * _ENTRIES_PER_SECTOR < fat_sectors + others:
        fat_sectors += 1
    if fat_sectors > _HEADER_FAT_SLOTS:
        raise ValueError("project too large for a compound file without DIFAT sectors")

    fat = [_FREE_SECTOR] * (fat_sectors * _ENTRIES_PER_SECTOR)
    for index in range(fat_sectors):
        fat[index] = _FAT_SECTOR
    first: dict[object, int] = {}
    next_sector = fat_sectors
    for key, count in spans:
        first[key] = next_sector if count else _END_OF_CHAIN
        if count:
            _chain(fat, next_sector, count)
        next_sector += count
    for index, entry in enumerate(big_streams):
        entry.start = first[index]
    entries[0].start = first["mini_stream"]
    entries[0].data = bytes(mini_stream)
    directory = b"".join(_directory_entry(e) for e in entries)
    directory = _pad(directory, _SECTOR, _directory_entry(None))

    difat = list(range(fat_sectors)) + [_FREE_SECTOR] * (_HEADER_FAT_SLOTS - fat_sectors)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII109I",
        bytes.fromhex("D0CF11E0A1B11AE1"),
        b"",  # CLSID: zero
        0x003E,  # minor version
        0x0003,  # major version 3: 512-byte sectors
        0xFFFE,  # little-endian
        9,  # sector shift: 2**9
        6,  # mini sector shift: 2**6
        b"",
        0,  # directory sector count: must be 0 in version 3
        fat_sectors,
        first["directory"],
        0,  # transaction signature
        _MINI_STREAM_CUTOFF,
        first["mini_fat"],
        _sectors(len(mini_fat_bytes), _SECTOR),
        _END_OF_CHAIN,  # no DIFAT sectors
        0,
        *difat,
    )
    body = [
        struct.pack(f"<{len(fat)}I", *fat),
        directory,
        mini_fat_bytes,
        _pad(bytes(mini_stream), _SECTOR),
        *(_pad(e.data, _SECTOR) for e in big_streams),
    ]
    return header + b"".join(body)


# --------------------------------------------------------------------------------------------


def build_vba_project(
    modules: Sequence[tuple[str, str]],
    *,
    project_name: str = "BUPGrupper",
    sheet_code_names: Sequence[str] = (),
) -> bytes:
    """Return the bytes of a ``vbaProject.bin`` holding ``modules`` as standard modules.

    ``modules`` are (name, source text) pairs; the source may use any line endings and may start
    with its ``Attribute VB_Name`` line (it is added when missing and must match the name). The
    project always has the ``ThisWorkbook`` document module; ``sheet_code_names`` adds an empty
    document module per worksheet code name (XlsxWriter writes ``Sheet1``, ``Sheet2``, ... as code
    names once a VBA project is added). Equal input gives equal bytes.
    Raises ``InvalidModule`` for a bad or repeated name or text outside code page 1252.
    """
    if not _MODULE_NAME.fullmatch(project_name):
        raise InvalidModule(f"project name {project_name!r} is not a VBA identifier")
    taken: set[str] = set()
    _check_name(_THIS_WORKBOOK, taken)
    built = [_document_module(_THIS_WORKBOOK, _WORKBOOK_BASE)]
    for name in sheet_code_names:
        _check_name(name, taken)
        built.append(_document_module(name, _WORKSHEET_BASE))
    for name, text in modules:
        _check_name(name, taken)
        built.append(_standard_module(name, text))

    project_id = "{" + str(uuid.uuid5(_PROJECT_ID_NAMESPACE, project_name)).upper() + "}"
    vba_storage: dict[str, bytes] = {
        "dir": compress(_dir_stream(project_name, built)),
        # 2.3.4.1: the version-independent header only; 0xFFFF tells Office there is no cache.
        "_VBA_PROJECT": struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0000),
    }
    for module in built:
        vba_storage[module.name] = compress(module.source)
    return _compound_file(
        {
            "VBA": vba_storage,
            "PROJECT": _project_stream(project_name, project_id, built),
            "PROJECTwm": _name_map_stream(built),
        }
    )
