"""Reading an existing action table (the Word/Excel table of a seed) into actions, row by row.

Input: the cells of a CSV or XLSX sheet as text, header first (reading the file is the app's
job). Every faulty row is reported with its row number as the spreadsheet shows it (header =
row 1) and the column by its header name; nothing is written unless the whole table is sound,
so a table is never half-imported. Columns (headers case-insensitive, docs/import-formats.md):

    nr, pijler, doel, actie, wie, wanneer, status, toelichting

`actie` and `wanneer` are required; `nr` (the table's own numbering) makes a re-import update
the same actions instead of adding them twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ketenzicht.domain.errors import LocatedInputError
from ketenzicht.domain.programme import ProgrammeInputError, Rag, When, parse_rag, parse_when

REQUIRED = ("actie", "wanneer")
OPTIONAL = ("nr", "pijler", "doel", "wie", "status", "toelichting")
ALIASES = {
    "wat": "actie", "activiteit": "actie", "acties": "actie",
    "nummer": "nr", "id": "nr", "no": "nr",
    "eigenaar": "wie", "trekker": "wie", "verantwoordelijke": "wie",
    "wanneer?": "wanneer", "planning": "wanneer", "termijn": "wanneer",
    "voortgang": "toelichting", "opmerking": "toelichting", "opmerkingen": "toelichting",
    "pijlers": "pijler", "doelstelling": "doel",
    "rag": "status", "stand": "status",
}
MAX_ROWS = 2_000
MAX_TEXT = {"actie": 1000, "pijler": 200, "doel": 500, "wie": 200, "toelichting": 2000, "nr": 20}


@dataclass(frozen=True)
class ActionRow:
    row: int
    number: str
    pillar: str
    goal: str
    what: str
    who: str
    when: When
    when_text: str
    status: Rag | None
    note: str


@dataclass
class ParsedActionTable:
    rows: list[ActionRow] = field(default_factory=list)
    errors: list[LocatedInputError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def _column(header: str) -> str:
    name = " ".join(header.strip().lower().split())
    return ALIASES.get(name, name)


def parse_action_table(cells: list[list[str]], *, file: str) -> ParsedActionTable:
    result = ParsedActionTable()
    if not cells or not any(c.strip() for c in cells[0]):
        result.errors.append(LocatedInputError("Het bestand is leeg: de eerste rij moet de kolomnamen bevatten.", file=file, row=1))
        return result
    header = [_column(h) for h in cells[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        result.errors.append(LocatedInputError(
            f"Kolom {', '.join(repr(m) for m in missing)} ontbreekt. Verwachte kolommen: "
            f"{', '.join(REQUIRED + OPTIONAL)}.", file=file, row=1,
        ))
        return result
    doubled = sorted({h for h in header if h and header.count(h) > 1})
    if doubled:
        result.errors.append(LocatedInputError(f"Kolom {', '.join(repr(d) for d in doubled)} staat er meer dan één keer in.", file=file, row=1))
        return result
    ignored = [cells[0][i].strip() for i, h in enumerate(header) if h and h not in REQUIRED + OPTIONAL]
    if ignored:
        result.warnings.append(f"Kolommen genegeerd (niet bekend): {', '.join(ignored)}.")
    data = cells[1:]
    if len(data) > MAX_ROWS:
        result.errors.append(LocatedInputError(f"Te veel rijen ({len(data)}); splits het bestand (maximaal {MAX_ROWS}).", file=file))
        return result
    numbers: dict[str, int] = {}
    for index, raw in enumerate(data, start=2):
        values = {h: (raw[i].strip() if i < len(raw) else "") for i, h in enumerate(header) if h}
        if not any(values.values()):
            continue  # an empty line between pillars, as Word tables have
        row = _parse_row(values, index, file, result.errors, numbers)
        if row is not None:
            result.rows.append(row)
    if not result.rows and not result.errors:
        result.errors.append(LocatedInputError("Het bestand bevat geen acties, alleen kolomnamen.", file=file))
    return result


def _parse_row(values: dict[str, str], row: int, file: str, errors: list[LocatedInputError], numbers: dict[str, int]) -> ActionRow | None:
    before = len(errors)
    for column, limit in MAX_TEXT.items():
        if len(values.get(column, "")) > limit:
            errors.append(LocatedInputError(f"Tekst te lang ({len(values[column])} tekens, maximaal {limit}).", file=file, row=row, column=column))
    what = values.get("actie", "")
    if not what:
        errors.append(LocatedInputError("Leeg: beschrijf wat er gedaan wordt.", file=file, row=row, column="actie"))
    when: When | None = None
    try:
        when = parse_when(values.get("wanneer", ""))
    except ProgrammeInputError as exc:
        errors.append(LocatedInputError(str(exc), file=file, row=row, column="wanneer"))
    status: Rag | None = None
    try:
        status = parse_rag(values.get("status", ""))
    except ProgrammeInputError as exc:
        errors.append(LocatedInputError(str(exc), file=file, row=row, column="status"))
    number = values.get("nr", "")
    if number:
        if number in numbers:
            errors.append(LocatedInputError(f"Nummer '{number}' staat ook in rij {numbers[number]}; elk nummer één keer.", file=file, row=row, column="nr"))
        else:
            numbers[number] = row
    if len(errors) > before or when is None:
        return None
    return ActionRow(
        row=row, number=number, pillar=values.get("pijler", ""), goal=values.get("doel", ""), what=what,
        who=values.get("wie", ""), when=when, when_text=values.get("wanneer", ""), status=status,
        note=values.get("toelichting", ""),
    )
