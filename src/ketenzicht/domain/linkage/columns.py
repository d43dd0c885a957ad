"""The encoded columns of a monitor registration file: checked row by row, kept per row (pure).

A registration file delivered with encoded identities has three extra columns (see
docs/import-formats.md): ``sleutel_id`` (fingerprint of the partners' shared key), ``schema``
(the encoding scheme) and ``clk`` (the encodings, base64). Every row must carry them, made
with one key and the current scheme.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ketenzicht.domain.linkage.bloom import ENCODED_BYTES, SCHEME, from_text
from ketenzicht.domain.linkage.delivery import ENCODING_COLUMNS


@dataclass
class EncodedColumns:
    missing: list[str]
    key_fingerprint: str = ""
    scheme: str = ""
    first_row: int = 0
    clks: list[bytes] = field(default_factory=list)

    @classmethod
    def for_header(cls, header: list[str]) -> EncodedColumns | None:
        present = [c for c in ENCODING_COLUMNS if c in header]
        if not present:
            return None
        return cls(missing=[c for c in ENCODING_COLUMNS if c not in header])

    def check(self, values: dict[str, str], row: int) -> Iterator[tuple[str, str]]:
        """Problems of one row as (column, Dutch message); keeps the encoding when valid."""
        scheme = values.get("schema", "").strip()
        fingerprint = values.get("sleutel_id", "").strip()
        if scheme != SCHEME:
            yield (
                "schema",
                f"Coderingsschema '{scheme or '(leeg)'}' wordt niet (meer) aanvaard; codeer het bestand opnieuw "
                f"met de huidige versie ({SCHEME}).",
            )
        if not fingerprint:
            yield "sleutel_id", "Verplicht veld is leeg; codeer het bestand opnieuw."
        elif not self.key_fingerprint:
            self.key_fingerprint, self.scheme, self.first_row = fingerprint, scheme, row
        elif fingerprint != self.key_fingerprint:
            yield (
                "sleutel_id",
                f"Deze regel is met een andere sleutel gecodeerd ({fingerprint}) dan rij {self.first_row} "
                f"({self.key_fingerprint}); codeer het hele bestand met één sleutel.",
            )
        try:
            self.clks.append(from_text(values.get("clk", "")).tobytes())
        except ValueError:
            yield "clk", f"Geen geldige codering (verwacht {ENCODED_BYTES} bytes in base64); codeer het bestand opnieuw."
