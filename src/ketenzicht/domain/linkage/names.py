"""Name rules: diacritics, Dutch surname particles (tussenvoegsels) and their variants.

Partners write the same surname in many ways: "van der Berg", "Van Der Berg", "Berg, van der",
"vd Berg", "v.d. Berg", "Berg v.d.". We compare on the *core* of the surname ("berg") and keep
the particles apart: particles are often dropped or abbreviated, so they carry little evidence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Letters that NFKD does not decompose into base letter + combining mark (Polish ł, Nordic ø …).
_SPECIAL = str.maketrans(
    {
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "þ": "th",
        "ı": "i",
        "’": "'",
        "‘": "'",
        "`": "'",
        "´": "'",
    }
)

# Particles in Dutch, Flemish, German, French, Italian, Spanish, Portuguese surnames.
PARTICLES: frozenset[str] = frozenset(
    {
        "van", "de", "der", "den", "het", "t", "ter", "ten", "te", "in", "op", "aan", "bij",
        "onder", "uit", "over", "voor", "s", "la", "le", "l", "du", "des", "d", "di", "da",
        "del", "della", "dos", "das", "do", "von", "vom", "zu", "zum", "zur", "y", "v", "vd",
        "vder", "vden", "vdn",
    }
)  # fmt: skip

# Abbreviations expanded before comparison ("vd" and "v.d." → "van der").
_ABBREVIATIONS: dict[str, str] = {
    "v": "van",
    "vd": "van der",
    "vder": "van der",
    "vden": "van den",
    "vdn": "van den",
    "t": "het",
    "s": "des",
}

# ASCII classes (\b, \s) on purpose: the browser's encoder (static/js/encode.js) must fold
# every name exactly as this module does, and JavaScript's \b and \d are ASCII-only.
_V_D = re.compile(r"\bv\s*[./]\s*d\s*\.?(?=\s|$)", re.ASCII)  # "v.d.", "v/d", "v. d."
_V_DEN = re.compile(r"\bv\s*[./]\s*d(en|er)\b\.?", re.ASCII)  # "v.den", "v/der"
_NON_LETTER = re.compile(r"[^a-z' ]+")
_SPACES = re.compile(r"\s+")
_PARTICLE_APOSTROPHE = re.compile(r"(?:^|(?<=\s))'([ts])(?=\s|$)")


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics and punctuation, collapse spaces. ``None`` → ``""``.

    Hyphens become spaces so "Jansen-de Vries" and "Jansen de Vries" agree.
    """
    if not text:
        return ""
    text = text.translate(_SPECIAL)
    text = unicodedata.normalize("NFKD", text)
    # Drop marks (accents) by their Unicode category, as the browser does with /\p{M}/u.
    text = "".join(c for c in text if not unicodedata.category(c).startswith("M")).lower()
    text = text.translate(_SPECIAL)
    text = _V_DEN.sub(lambda m: f" van d{m.group(1)} ", text)
    text = _V_D.sub(" van der ", text)
    text = _NON_LETTER.sub(" ", text)
    # "'t"/"'s" are particles (het/des); any other apostrophe joins (O'Brien → obrien).
    text = _PARTICLE_APOSTROPHE.sub(r" \1 ", text).replace("'", "")
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class Surname:
    """A surname split in its particles (e.g. "van der") and its core (e.g. "berg")."""

    particles: str
    core: str

    @property
    def full(self) -> str:
        return f"{self.particles} {self.core}".strip()


def _expand(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for tok in tokens:
        out.extend(_ABBREVIATIONS.get(tok, tok).split())
    return out


@lru_cache(maxsize=200_000)
def split_surname(raw: str | None) -> Surname:
    """Split a surname into particles and core; accepts "Berg, van der" and "vd Berg".

    Particles are recognised at the start ("van der Berg"), after a comma ("Berg, van der")
    and at the end when written without comma ("Berg van der", as some registers sort).
    A surname made only of particles ("De") keeps its last word as core.
    """
    if not raw:
        return Surname("", "")
    head, _, tail = raw.partition(",")
    head_tokens = fold(head).split()
    tail_tokens = fold(tail).split()
    particles: list[str] = []
    if tail_tokens and all(t in PARTICLES for t in tail_tokens):
        particles.extend(tail_tokens)
    elif tail_tokens:
        # "Berg, Jan" style (surname, given names) is not a particle form: keep all words.
        head_tokens = head_tokens + [t for t in tail_tokens if t not in PARTICLES]
    lead: list[str] = []
    while len(head_tokens) > 1 and head_tokens[0] in PARTICLES:
        lead.append(head_tokens.pop(0))
    trail: list[str] = []
    while len(head_tokens) > 1 and head_tokens[-1] in PARTICLES:
        trail.insert(0, head_tokens.pop())
    all_particles = _expand(lead + trail + particles)
    core_tokens = [t for t in head_tokens if t not in PARTICLES] or head_tokens[-1:]
    return Surname(" ".join(all_particles), " ".join(core_tokens))


@lru_cache(maxsize=200_000)
def normalise_given_name(raw: str | None) -> str:
    """Given name(s) folded; trailing particles ("Jan van") that slipped in are dropped."""
    tokens = fold(raw).split()
    while len(tokens) > 1 and tokens[-1] in PARTICLES:
        tokens.pop()
    return " ".join(tokens)


def surname_core(raw: str | None) -> str:
    """Shorthand: the comparable core of a surname ("Berg, van der" → "berg")."""
    return split_surname(raw).core
