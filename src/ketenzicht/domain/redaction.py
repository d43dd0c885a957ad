"""Removing known names from a text before it is published. Plain Python, no Django.

A report to the board is built from fields that hold no personal data, but some of them are
free text (what an action is, who carries it out). People type names there. Before a report
leaves the system, every name the system knows in its scope (staff, and persons in case files)
is replaced; the count of replacements is kept so that the writer can fix the source text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

MARK = "[naam verwijderd]"
MIN_LENGTH = 4  # shorter strings ("Jan", "Li") would hit ordinary words


def redact(text: str, names: Iterable[str], *, mark: str = MARK) -> tuple[str, int]:
    """`text` with each of `names` (whole words, any case, also HTML-escaped) replaced by `mark`."""
    variants: set[str] = set()
    for name in names:
        clean = " ".join((name or "").split())
        if len(clean) >= MIN_LENGTH:
            variants.add(clean)
            variants.add(html.escape(clean))
    if not variants:
        return text, 0
    # Longest first, so "Anna de Vries" is replaced whole before "Anna de" could be.
    alternatives = "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in sorted(variants, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    return pattern.subn(mark, text)
