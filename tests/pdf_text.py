"""The text of a PDF that WeasyPrint wrote, read without a PDF library.

WeasyPrint writes text as glyph numbers of embedded font subsets, each font with a ToUnicode
map; this reads the objects (also those packed in object streams), the maps, and the text
operators of the page contents (Tf, Tj, TJ), which is all its PDFs use. Not a general reader.
"""

from __future__ import annotations

import re
import zlib

_OBJ = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)
_STREAM = re.compile(rb"^(.*?)stream\r?\n(.*?)\r?\nendstream", re.S)


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Object number → (dictionary text, inflated stream or None)."""
    found: dict[int, tuple[bytes, bytes | None]] = {}
    for match in _OBJ.finditer(data):
        body = match.group(2)
        stream = _STREAM.match(body)
        if stream is None:
            found[int(match.group(1))] = (body, None)
            continue
        head, raw = stream.groups()
        content = zlib.decompress(raw) if b"/FlateDecode" in head else raw
        found[int(match.group(1))] = (head, content)
        if b"/ObjStm" in head:
            first = int(re.search(rb"/First (\d+)", head).group(1))  # type: ignore[union-attr]
            numbers = [int(n) for n in content[:first].split()]
            pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
            for i, (number, offset) in enumerate(pairs):
                end = pairs[i + 1][1] if i + 1 < len(pairs) else len(content) - first
                found[number] = (content[first + offset:first + end], None)
    return found


def _cmap(text: bytes) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[src.decode().lower()] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for low, high, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            start = int(dst, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[f"{code:0{len(low)}x}"] = chr(start + offset)
    return mapping


def pdf_text(data: bytes) -> str:
    objects = _objects(data)
    maps: dict[int, dict[str, str]] = {}
    for number, (head, _stream) in objects.items():
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", head)
        if to_unicode and objects.get(int(to_unicode.group(1)), (b"", None))[1] is not None:
            maps[number] = _cmap(objects[int(to_unicode.group(1))][1] or b"")
    fonts: dict[bytes, dict[str, str]] = {}
    for head, _stream in objects.values():
        for name, number in re.findall(rb"/([A-Za-z0-9]+)\s+(\d+) 0 R", head):
            if int(number) in maps:
                fonts[name] = maps[int(number)]
    lines: list[str] = []
    for head, stream in objects.values():
        if stream is None or b"BT" not in stream or b"/ObjStm" in head or b"begincmap" in stream:
            continue
        current: dict[str, str] = {}
        for font, strings in re.findall(rb"/([A-Za-z0-9]+) [\d.]+ Tf|(\[.*?\]\s*TJ|<[0-9a-fA-F]*>\s*Tj)", stream, re.S):
            if font:
                current = fonts.get(font, {})
                continue
            glyphs = "".join(re.findall(r"<([0-9a-fA-F]*)>", strings.decode("latin-1")))
            width = len(next(iter(current), "0000"))
            lines.append("".join(current.get(glyphs[i:i + width].lower(), "") for i in range(0, len(glyphs), width)))
    return "\n".join(lines)
