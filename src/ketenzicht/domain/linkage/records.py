"""Registrations: the record-level input of linkage, and strict reading of partner CSV files."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import LinkageInputError

COLUMNS: tuple[str, ...] = (
    "bron",
    "registratie_id",
    "voornaam",
    "achternaam",
    "geboortedatum",
    "geslacht",
    "nationaliteit",
    "gemeente_code",
)
REQUIRED_VALUES: tuple[str, ...] = ("bron", "registratie_id")

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)  # ASCII digits, as in the browser
_DMY = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$", re.ASCII)

_SEX = {
    "m": "M", "man": "M", "male": "M", "mannelijk": "M",
    "v": "V", "vrouw": "V", "f": "V", "female": "V", "vrouwelijk": "V",
    "x": "X", "o": "X", "onbekend": None, "u": None, "?": None,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Registration:
    """One registration of a (possible) victim by one partner (``bron``)."""

    bron: str
    registratie_id: str
    voornaam: str | None = None
    achternaam: str | None = None
    geboortedatum: dt.date | None = None
    geslacht: str | None = None
    nationaliteit: str | None = None
    gemeente_code: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.bron, self.registratie_id)


def parse_date(value: str | None) -> dt.date | None:
    """Parse ``YYYY-MM-DD`` or ``DD-MM-YYYY`` (also with ``/`` or ``.``); empty → ``None``.

    Raises ``ValueError`` on anything else, including impossible dates such as 2001-02-30.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    norm = text.replace("/", "-").replace(".", "-")
    if m := _ISO.match(norm):
        y, mo, d = (int(g) for g in m.groups())
    elif m := _DMY.match(norm):
        d, mo, y = (int(g) for g in m.groups())
    else:
        raise ValueError(f"datum {text!r} is niet JJJJ-MM-DD of DD-MM-JJJJ")
    try:
        return dt.date(y, mo, d)
    except ValueError as exc:
        raise ValueError(f"datum {text!r} bestaat niet ({exc})") from None


def normalise_sex(value: str | None) -> str | None:
    """M, V or X; empty or unknown → ``None`` (an unknown value is no evidence)."""
    if not value or not value.strip():
        return None
    return _SEX.get(value.strip().lower())


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def check_header(fieldnames: Iterable[str] | None, required: Iterable[str], file: str) -> None:
    """Refuse a CSV without a header or without one of the ``required`` columns."""
    present = [f.strip() for f in (fieldnames or [])]
    if not present:
        raise LinkageInputError("leeg bestand of geen kopregel", file=file, row=1)
    missing = [c for c in required if c not in present]
    if missing:
        raise LinkageInputError(
            f"ontbrekende kolom(men) {', '.join(missing)}; verwacht: {', '.join(required)}",
            file=file,
            row=1,
            column=missing[0],
        )


def iter_registrations_csv(path: str | Path) -> Iterator[Registration]:
    """Read one partner CSV strictly; yields registrations, raises ``LinkageInputError``.

    Duplicates are checked here per file; ``read_registrations`` checks them across files.
    """
    for _, reg in _iter_numbered(path):
        yield reg


def _iter_numbered(path: str | Path) -> Iterator[tuple[int, Registration]]:
    file = str(path)
    try:
        handle = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115 (generator owns it)
    except OSError as exc:
        raise LinkageInputError(f"kan niet worden geopend: {exc.strerror}", file=file) from exc
    with handle:
        reader = csv.DictReader(handle)
        check_header(reader.fieldnames, COLUMNS, file)
        reader.fieldnames = [f.strip() for f in reader.fieldnames or []]
        seen: set[tuple[str, str]] = set()
        try:
            for row in reader:
                # line_num is the physical line: right even when blank lines are skipped.
                row_no = reader.line_num
                yield row_no, registration_from_row(row, file=file, row_no=row_no, seen=seen)
        except UnicodeDecodeError as exc:
            raise LinkageInputError(f"geen UTF-8 ({exc.reason})", file=file) from exc


def registration_from_row(
    row: dict[str, str | None],
    *,
    file: str,
    row_no: int,
    seen: set[tuple[str, str]] | None = None,
) -> Registration:
    """Validate one CSV row into a ``Registration``; ``seen`` collects keys to catch duplicates."""
    for col in REQUIRED_VALUES:
        if not _clean(row.get(col)):
            raise LinkageInputError("lege waarde; bron en registratie_id zijn verplicht",
                                    file=file, row=row_no, column=col)  # fmt: skip
    bron = _clean(row["bron"]) or ""
    reg_id = _clean(row["registratie_id"]) or ""
    if seen is not None:
        if (bron, reg_id) in seen:
            raise LinkageInputError(f"dubbele (bron, registratie_id) = ({bron}, {reg_id})",
                                    file=file, row=row_no, column="registratie_id")  # fmt: skip
        seen.add((bron, reg_id))
    try:
        birth = parse_date(row.get("geboortedatum"))
    except ValueError as exc:
        raise LinkageInputError(str(exc), file=file, row=row_no, column="geboortedatum") from None
    nat = _clean(row.get("nationaliteit"))
    gem = _clean(row.get("gemeente_code"))
    return Registration(
        bron=bron,
        registratie_id=reg_id,
        voornaam=_clean(row.get("voornaam")),
        achternaam=_clean(row.get("achternaam")),
        geboortedatum=birth,
        geslacht=normalise_sex(row.get("geslacht")),
        nationaliteit=nat.upper() if nat else None,
        gemeente_code=gem.upper() if gem else None,
    )


def read_registrations(paths: Iterable[str | Path]) -> list[Registration]:
    """Read several partner CSVs; a (bron, registratie_id) may occur only once over all files."""
    out: list[Registration] = []
    first_seen: dict[tuple[str, str], str] = {}
    for path in paths:
        for row_no, reg in _iter_numbered(path):
            if reg.key in first_seen:
                raise LinkageInputError(
                    f"dubbele (bron, registratie_id) = {reg.key}, ook in {first_seen[reg.key]}",
                    file=str(path), row=row_no, column="registratie_id",
                )  # fmt: skip
            first_seen[reg.key] = str(path)
            out.append(reg)
    return out
