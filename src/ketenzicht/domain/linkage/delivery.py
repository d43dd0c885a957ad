"""Encoding a partner's delivery file: identity columns out, encodings in, the rest unchanged.

Two kinds of CSV file are encoded (``ketenzicht encode`` and, byte for byte the same, the
encoding page in the browser, ``static/js/encode.js``):

* a **monitor registration file** (``docs/import-formats.md`` §1: ``registratie_id``, ``datum``,
  ``gemeente_code``, ``eenheid`` …, optionally ``bron``) with identity columns ``voornaam``,
  ``achternaam``, ``geboortedatum``, ``geslacht``, ``nationaliteit``: those columns are replaced
  by ``sleutel_id``, ``schema``, ``clk`` (at the place of the first one); every other column is
  passed through unchanged (``gemeente_code`` stays, and is encoded too);
* a **linkage file** (``bron``, ``registratie_id`` and the identity columns including
  ``gemeente_code``, see docs/linkage.md): the output is ``bron, registratie_id, sleutel_id,
  schema, clk`` as before.

The file is read with the small CSV dialect below (the same in the browser): UTF-8 (a BOM is
dropped), separator ``;`` when the first line has more ``;`` than ``,``, else ``,``; fields may
be quoted with ``"`` (``""`` inside a quoted field is one ``"``); rows end at ``\\n``, ``\\r\\n``
or ``\\r``; rows without any non-blank cell are left out. Written with the same separator, rows
ending in ``\\n``, a field quoted only when it holds the separator, ``"``, ``\\r`` or ``\\n``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from .bloom import SCHEME, Encoder, EncodingKey, to_text
from .errors import LinkageInputError
from .records import Registration, normalise_sex, parse_date

IDENTITY_COLUMNS: tuple[str, ...] = ("voornaam", "achternaam", "geboortedatum", "geslacht", "nationaliteit")
ENCODING_COLUMNS: tuple[str, ...] = ("sleutel_id", "schema", "clk")
MONITOR_MARKERS = ("datum", "eenheid")  # a header with these is a monitor registration file
MAX_ROWS = 200_000


def decode(name: str, data: bytes) -> str:
    if data[:4] == b"PK\x03\x04":
        raise LinkageInputError("dit is een Excel-bestand; sla het op als 'CSV UTF-8' en codeer dat", file=name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise LinkageInputError("het bestand is niet in UTF-8 opgeslagen; kies 'CSV UTF-8'", file=name) from None
    return text[1:] if text.startswith("\ufeff") else text


def separator(text: str) -> str:
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def parse_csv(text: str, sep: str, *, file: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every row, cells exactly as written; blank rows left out.

    The line number is where the row starts (the header is line 1), as a spreadsheet shows it.
    Python's csv reader in its default (non-strict) dialect reads exactly the dialect above —
    a quote opens a quoted field only at its start, text after a closing quote is kept — which
    is what the browser's parser implements character by character.
    """
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', doublequote=True, strict=False)
    start = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise LinkageInputError(f"onleesbare regel ({exc})", file=file, row=start) from None
    if text.count('"') % 2:
        # csv accepts an unterminated quote at the end of the file; a partner did not mean it.
        last_quoted = _unclosed_quote_row(text, sep)
        if last_quoted is not None:
            raise LinkageInputError("een aanhalingsteken (\") wordt niet gesloten", file=file, row=last_quoted)
    return rows


def _unclosed_quote_row(text: str, sep: str) -> int | None:
    """Line where a quoted field starts that is never closed (the browser refuses it too).

    Only run when the file has an odd number of quotes (a literal quote inside an unquoted
    field is allowed and also makes the count odd).
    """
    quoted = started = False
    line = start_line = 1
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        i += 1
        if quoted:
            if ch == '"' and i < n and text[i] == '"':
                i += 1
            elif ch == '"':
                quoted = False
            elif ch == "\n":
                line += 1
        elif ch == '"' and not started:
            quoted = started = True
            start_line = line
        elif ch == sep:
            started = False
        elif ch in "\r\n":
            started = False
            if ch == "\r" and i < n and text[i] == "\n":
                i += 1
            line += 1
        else:
            started = True
    return start_line if quoted else None


def format_csv(rows: list[list[str]], sep: str) -> str:
    def field(value: str) -> str:
        if sep in value or '"' in value or "\n" in value or "\r" in value:
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(sep.join(field(v) for v in row) + "\n" for row in rows)


@dataclass(frozen=True)
class Layout:
    """Where the identity columns are and what the output header is."""

    header: list[str]
    names: list[str]  # stripped, lower-case column names
    identity: dict[str, int]  # identity column → index
    keep: list[int]  # indices passed through, in order
    insert_at: int  # position of the encoding columns in the output
    monitor: bool

    @property
    def out_header(self) -> list[str]:
        cells = [self.header[i] for i in self.keep]
        return cells[: self.insert_at] + list(ENCODING_COLUMNS) + cells[self.insert_at :]


def layout(header: list[str], *, file: str) -> Layout:
    names = [h.strip().lower() for h in header]
    for col in ENCODING_COLUMNS:
        if col in names:
            raise LinkageInputError("dit bestand is al gecodeerd (kolom 'clk'); lever het zo aan", file=file, row=1, column=col)
    duplicates = sorted({c for c in names if c and names.count(c) > 1})
    if duplicates:
        raise LinkageInputError(f"kolom '{duplicates[0]}' staat meer dan eens in de kopregel", file=file, row=1, column=duplicates[0])
    monitor = all(m in names for m in MONITOR_MARKERS)
    identity_cols = IDENTITY_COLUMNS if monitor else (*IDENTITY_COLUMNS, "gemeente_code")
    required = ("registratie_id",) if monitor else ("bron", "registratie_id")
    for col in required:
        if col not in names:
            raise LinkageInputError(f"kolom '{col}' ontbreekt in de kopregel", file=file, row=1, column=col)
    identity = {c: names.index(c) for c in identity_cols if c in names}
    if not any(c in identity for c in IDENTITY_COLUMNS):
        raise LinkageInputError(
            f"geen identiteitskolommen gevonden; verwacht een of meer van: {', '.join(IDENTITY_COLUMNS)}",
            file=file, row=1,
        )  # fmt: skip
    first = min(identity.values())
    keep = [i for i in range(len(header)) if i not in identity.values()]
    insert_at = sum(1 for i in keep if i < first)
    return Layout(header, names, identity, keep, insert_at, monitor)


def _registration(cells: list[str], lay: Layout, *, file: str, row_no: int, source: str) -> Registration:
    def value(col: str) -> str:
        idx = lay.identity.get(col)
        return cells[idx].strip() if idx is not None else ""

    try:
        birth = parse_date(value("geboortedatum"))
    except ValueError as exc:
        raise LinkageInputError(str(exc), file=file, row=row_no, column="geboortedatum") from None
    gem_idx = lay.names.index("gemeente_code") if "gemeente_code" in lay.names else None
    gem = cells[gem_idx].strip().upper() if gem_idx is not None else ""
    nat = value("nationaliteit").upper()
    return Registration(
        bron=source,
        registratie_id=cells[lay.names.index("registratie_id")].strip(),
        voornaam=value("voornaam") or None,
        achternaam=value("achternaam") or None,
        geboortedatum=birth,
        geslacht=normalise_sex(value("geslacht")),
        nationaliteit=nat or None,
        gemeente_code=gem or None,
    )


def encode_table(rows: list[tuple[int, list[str]]], key: EncodingKey, *, file: str) -> list[list[str]]:
    """The encoded rows (header first) of a parsed file; raises ``LinkageInputError``."""
    if not rows:
        raise LinkageInputError("het bestand is leeg: er staat geen kopregel in", file=file, row=1)
    lay = layout(rows[0][1], file=file)
    body = rows[1:]
    if not body:
        raise LinkageInputError("het bestand bevat geen gegevensregels onder de kopregel", file=file, row=2)
    if len(body) > MAX_ROWS:
        raise LinkageInputError(f"te veel regels: hooguit {MAX_ROWS} per bestand; splits het bestand", file=file)
    width = len(lay.header)
    records: list[Registration] = []
    seen: dict[tuple[str, str], int] = {}
    bron_idx = lay.names.index("bron") if "bron" in lay.names else None
    for row_no, cells in body:
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            raise LinkageInputError(f"de regel heeft {len(cells)} cellen, de kopregel {width}", file=file, row=row_no)
        cells[:] = (cells + [""] * width)[:width]
        source = cells[bron_idx].strip() if bron_idx is not None else ""
        reg = _registration(cells, lay, file=file, row_no=row_no, source=source)
        if not reg.registratie_id:
            raise LinkageInputError("lege waarde; registratie_id is verplicht", file=file, row=row_no, column="registratie_id")
        if not lay.monitor and not source:
            raise LinkageInputError("lege waarde; bron is verplicht", file=file, row=row_no, column="bron")
        if reg.key in seen:
            raise LinkageInputError(
                f"registratie_id '{reg.registratie_id}' staat ook op rij {seen[reg.key]}",
                file=file, row=row_no, column="registratie_id",
            )  # fmt: skip
        seen[reg.key] = row_no
        records.append(reg)
    packed = Encoder(key).encode(records)
    fingerprint = key.fingerprint
    out = [lay.out_header]
    for (_, cells), enc in zip(body, packed, strict=True):
        kept = [cells[i] for i in lay.keep]
        out.append(kept[: lay.insert_at] + [fingerprint, SCHEME, to_text(enc)] + kept[lay.insert_at :])
    return out


def encode_file(name: str, data: bytes, key: EncodingKey) -> bytes:
    """Encode a delivery file (CSV bytes) → the encoded CSV bytes; see the module docstring."""
    text = decode(name, data)
    sep = separator(text)
    return format_csv(encode_table(parse_csv(text, sep, file=name), key, file=name), sep).encode("utf-8")
