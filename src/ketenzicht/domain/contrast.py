"""Colour contrast by WCAG 2.1 (success criteria 1.4.3 and 1.4.11), for organisation themes.

A theme names its colours as hex codes; `contrast_failures` checks the pairs that end up as text
on a background and returns each pair below its minimum, so a theme file can be refused with the
failing pair named. Pure: no Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
AA_TEXT = 4.5  # 1.4.3: normal text
AA_NON_TEXT = 3.0  # 1.4.11: user-interface components and graphics, and large text


def parse_hex(value: str) -> tuple[int, int, int]:
    """'#0a5' or '#00aa55' → (0, 170, 85); ValueError for anything else."""
    if not isinstance(value, str) or not HEX.match(value):
        raise ValueError(f"geen kleur als #rrggbb: {value!r}")
    digits = value[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    r, g, b = (_channel(v) for v in parse_hex(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio, from 1.0 (same) to 21.0 (black on white)."""
    a, b = relative_luminance(first), relative_luminance(second)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class ContrastPair:
    foreground: str  # token name, e.g. "link"
    background: str  # token name, e.g. "achtergrond"
    minimum: float = AA_TEXT


@dataclass(frozen=True)
class ContrastFailure:
    pair: ContrastPair
    ratio: float

    def describe(self, colours: Mapping[str, str]) -> str:
        fg, bg = self.pair.foreground, self.pair.background
        return (
            f"'{fg}' ({colours[fg]}) op '{bg}' ({colours[bg]}) heeft contrast {self.ratio:.2f}:1, "
            f"minimaal {self.pair.minimum:g}:1 (WCAG 2.1 AA)"
        )


def contrast_failures(colours: Mapping[str, str], pairs: Iterable[ContrastPair]) -> list[ContrastFailure]:
    """The pairs of `colours` whose contrast is below their minimum (pairs naming an absent colour are skipped)."""
    failures = []
    for pair in pairs:
        if pair.foreground not in colours or pair.background not in colours:
            continue
        ratio = contrast_ratio(colours[pair.foreground], colours[pair.background])
        # WCAG does not round: 4.49:1 fails 4.5:1.
        if ratio < pair.minimum:
            failures.append(ContrastFailure(pair, ratio))
    return failures
