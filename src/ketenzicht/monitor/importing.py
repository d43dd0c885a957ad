"""Reading and validating a delivered file (CSV or XLSX), row by row, without writing anything.

The formats are documented in docs/import-formats.md. A file is read completely and every
faulty row is reported (row number as the partner sees it in a spreadsheet: the header is
row 1, column by its header name, what is wrong in Dutch). Writing happens only in
`services.import_file`, and only when this module found no fault at all.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ketenzicht.monitor.models import AgeGroup, Form, ImportKind, Indicator, Sector, Unit

MAX_ROWS = 200_000

COLUMNS: dict[str, tuple[list[str], list[str]]] = {
    # kind → (required columns, optional columns)
    ImportKind.REGISTRATIES: (["registratie_id", "datum", "gemeente_code", "eenheid"], ["vorm", "leeftijdsgroep", "sector"]),
    ImportKind.AANTALLEN: (["periode", "gemeente_code", "eenheid", "aantal"], ["vorm", "leeftijdsgroep", "sector"]),
    ImportKind.INDICATOREN: (["jaar", "gemeente_code", "indicator", "waarde"], []),
}

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_CODE = re.compile(r"^GM\d{4}$")
_RECORD_ID = re.compile(r"^[A-Za-z0-9._:/-]{1,64}$")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"rij": self.row, "kolom": self.column, "fout": self.message}


@dataclass
class ParsedFile:
    kind: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    row_count: int = 0


class UnreadableFile(Exception):
    """The file is not a CSV or XLSX we can read; the message says what to do."""


def read_table(name: str, data: bytes) -> list[list[str]]:
    """Rows of cells as text, header first. XLSX by content (zip signature), else CSV."""
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if name.lower().endswith((".xlsx", ".xls")):
        raise UnreadableFile("Het bestand heet .xlsx maar is geen geldig Excel-bestand (xlsx).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile("Het CSV-bestand is niet in UTF-8 opgeslagen. Sla het op als 'CSV UTF-8'.") from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "date") and callable(value.date):  # datetime from Excel
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise UnreadableFile("Het Excel-bestand kan niet worden gelezen. Sla het opnieuw op als .xlsx.") from exc
    sheet = workbook.worksheets[0]
    rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def detect_kind(header: list[str]) -> str | None:
    names = set(header)
    if "indicator" in names:
        return ImportKind.INDICATOREN
    if "aantal" in names:
        return ImportKind.AANTALLEN
    if "registratie_id" in names:
        return ImportKind.REGISTRATIES
    return None


def _choice(value: str, choices: type, column: str, row: int, errors: list[RowError], *, default: str | None = None) -> str | None:
    value = value.strip().lower()
    if not value and default is not None:
        return default
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        errors.append(RowError(row, column, f"'{value or '(leeg)'}' is geen geldige waarde; kies uit: {allowed}."))
        return None
    return value


def parse(
    name: str,
    data: bytes,
    *,
    municipality_ids: Mapping[str, int | str],
    known_record_ids: Iterable[str] = (),
    today: date,
) -> ParsedFile:
    """Read and validate a file. `municipality_ids` maps CBS code → id, or → the reason a known
    municipality is refused (another region's); `known_record_ids` are record ids of this source
    already counted in another accepted import."""
    result = ParsedFile()
    table = read_table(name, data)
    table = [row for row in table if any(cell for cell in row)]
    if not table:
        result.errors.append(RowError(1, "", "Het bestand is leeg: er staat geen kopregel in."))
        return result
    header = [h.strip().lower() for h in table[0]]
    kind = detect_kind(header)
    if kind is None:
        result.errors.append(RowError(1, "", "Onbekend formaat: de kopregel moet 'registratie_id' (registraties), 'aantal' (aantallen) of 'indicator' (risico-indicatoren) bevatten."))
        return result
    result.kind = kind
    required, optional = COLUMNS[kind]
    for column in required:
        if column not in header:
            result.errors.append(RowError(1, column, f"Kolom '{column}' ontbreekt in de kopregel."))
    unknown = [h for h in header if h and h not in required and h not in optional]
    for column in unknown:
        result.errors.append(RowError(1, column, f"Onbekende kolom '{column}'; toegestaan: {', '.join(required + optional)}."))
    duplicates = sorted({h for h in header if h and header.count(h) > 1})
    for column in duplicates:
        result.errors.append(RowError(1, column, f"Kolom '{column}' staat meer dan eens in de kopregel."))
    if result.errors:
        return result
    body = table[1:]
    result.row_count = len(body)
    if not body:
        result.errors.append(RowError(2, "", "Het bestand bevat geen gegevensregels onder de kopregel."))
        return result
    if len(body) > MAX_ROWS:
        result.errors.append(RowError(MAX_ROWS + 2, "", f"Te veel regels: hooguit {MAX_ROWS:,} per bestand. Splits het bestand.".replace(",", ".")))
        return result
    known = set(known_record_ids)
    seen_ids: dict[str, int] = {}
    for offset, cells in enumerate(body):
        row_no = offset + 2
        if len(cells) > len(header) and any(cells[len(header):]):
            result.errors.append(RowError(row_no, "", f"De regel heeft {len(cells)} cellen, de kopregel {len(header)}."))
            continue
        values = {h: (cells[i] if i < len(cells) else "").strip() for i, h in enumerate(header)}
        errors: list[RowError] = []
        parsed = _parse_row(kind, values, row_no, errors, municipality_ids, today)
        if kind == ImportKind.REGISTRATIES and parsed is not None:
            record_id = parsed["record_id"]
            if record_id in seen_ids:
                errors.append(RowError(row_no, "registratie_id", f"registratie_id '{record_id}' staat ook op rij {seen_ids[record_id]}; elke registratie telt één keer."))
            elif record_id in known:
                errors.append(RowError(row_no, "registratie_id", f"registratie_id '{record_id}' is al geïmporteerd in een eerdere levering van deze bron; trek die eerst in of laat de regel weg."))
            seen_ids.setdefault(record_id, row_no)
        if errors:
            result.errors.extend(errors)
        elif parsed is not None:
            result.rows.append(parsed)
    return result


def _municipality(values: dict[str, str], row: int, errors: list[RowError], ids: Mapping[str, int | str]) -> int | None:
    code = values.get("gemeente_code", "").strip().upper()
    if not code:
        errors.append(RowError(row, "gemeente_code", "Verplicht veld is leeg; vul de CBS-gemeentecode in (bijv. GM0638)."))
        return None
    if not _CODE.match(code):
        errors.append(RowError(row, "gemeente_code", f"'{code}' is geen CBS-gemeentecode; gebruik GM gevolgd door vier cijfers."))
        return None
    found = ids.get(code)
    if found is None:
        errors.append(RowError(row, "gemeente_code", f"Gemeentecode '{code}' bestaat niet in de gemeente-indeling 2025."))
        return None
    if isinstance(found, str):  # a known municipality the caller refuses (another region's), with why
        errors.append(RowError(row, "gemeente_code", found))
        return None
    return found


def _month(text: str, column: str, row: int, errors: list[RowError], today: date, *, day_allowed: bool) -> date | None:
    text = text.strip()
    if not text:
        errors.append(RowError(row, column, "Verplicht veld is leeg."))
        return None
    found: date | None = None
    match = _MONTH.match(text)
    try:
        if match:
            found = date(int(match[1]), int(match[2]), 1)
        elif day_allowed:
            found = date.fromisoformat(text[:10]) if len(text) >= 10 else None
    except ValueError:
        found = None
    if found is None:
        example = "JJJJ-MM-DD of JJJJ-MM" if day_allowed else "JJJJ-MM"
        errors.append(RowError(row, column, f"'{text}' is geen geldige datum; gebruik {example}."))
        return None
    if found > today:
        errors.append(RowError(row, column, f"{text} ligt in de toekomst."))
        return None
    if found.year < 2000:
        errors.append(RowError(row, column, f"{text} ligt vóór 2000; controleer het jaartal."))
        return None
    return found.replace(day=1)


def _parse_row(kind: str, values: dict[str, str], row: int, errors: list[RowError], ids: Mapping[str, int | str], today: date) -> dict[str, Any] | None:
    if kind == ImportKind.INDICATOREN:
        municipality = _municipality(values, row, errors, ids)
        year_text = values.get("jaar", "")
        year = int(year_text) if year_text.isdigit() else None
        if year is None or not 2000 <= year <= today.year:
            errors.append(RowError(row, "jaar", f"'{year_text or '(leeg)'}' is geen geldig jaar (2000–{today.year})."))
        indicator = _choice(values.get("indicator", ""), Indicator, "indicator", row, errors)
        raw = values.get("waarde", "").replace(",", ".")
        try:
            value = Decimal(raw)
            if not value.is_finite() or value < 0 or value >= Decimal("1e10"):
                raise InvalidOperation
        except InvalidOperation:
            errors.append(RowError(row, "waarde", f"'{values.get('waarde', '') or '(leeg)'}' is geen getal van 0 of meer."))
            value = None
        if errors:
            return None
        return {"municipality_id": municipality, "year": year, "indicator": indicator, "value": value}

    municipality = _municipality(values, row, errors, ids)
    unit = _choice(values.get("eenheid", ""), Unit, "eenheid", row, errors)
    form = _choice(values.get("vorm", ""), Form, "vorm", row, errors, default=Form.ONBEKEND)
    age = _choice(values.get("leeftijdsgroep", ""), AgeGroup, "leeftijdsgroep", row, errors, default=AgeGroup.ONBEKEND)
    sector = _choice(values.get("sector", ""), Sector, "sector", row, errors, default=Sector.ONBEKEND)
    parsed: dict[str, Any] = {"municipality_id": municipality, "unit": unit, "form": form, "age_group": age, "sector": sector}
    if kind == ImportKind.REGISTRATIES:
        record_id = values.get("registratie_id", "")
        if not record_id:
            errors.append(RowError(row, "registratie_id", "Verplicht veld is leeg; elke registratie heeft een eigen nummer."))
        elif not _RECORD_ID.match(record_id):
            errors.append(RowError(row, "registratie_id", "Gebruik alleen letters, cijfers en . _ : / - (hooguit 64 tekens); geen namen."))
        parsed["record_id"] = record_id
        parsed["period_month"] = _month(values.get("datum", ""), "datum", row, errors, today, day_allowed=True)
        parsed["n"] = 1
    else:
        parsed["record_id"] = ""
        parsed["period_month"] = _month(values.get("periode", ""), "periode", row, errors, today, day_allowed=False)
        text = values.get("aantal", "")
        if not text.isdigit() or int(text) < 1:
            errors.append(RowError(row, "aantal", f"'{text or '(leeg)'}' is geen geheel getal van 1 of meer."))
        else:
            parsed["n"] = int(text)
    return None if errors else parsed
