"""Seeded synthetic populations and partner registrations, for tests, benchmarks and the demo.

A population of persons (Dutch, Polish, Romanian and other names with Zipf-like frequencies,
particles, diacritics) is registered by several sources, each capturing every person
independently with its own probability. Every registration carries the noise partners make:
typos, swapped given name and surname, particle variants (``van der Berg`` / ``Berg, van der`` /
``vd Berg`` / dropped), diacritics present or not, missing values, birth dates one day or one
year off, day and month swapped, another date format. A share of the persons are **namesakes**
of another person (same given name and surname, another birth date, often the same nationality
and municipality): the case a linkage must keep apart.

Framework-free (no Django); everything is derived from ``seed``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

NL_GIVEN = ["jan", "pieter", "kees", "henk", "sanne", "lisa", "emma", "sophie", "daan", "sem", "lucas", "finn", "anna", "eva", "julia", "tess", "noah", "milan", "lotte", "fleur", "bram", "thijs", "ruben", "femke", "inge", "marieke", "johannes", "willem", "hendrik", "cornelis"]
PL_GIVEN = ["piotr", "krzysztof", "andrzej", "tomasz", "pawel", "michal", "marcin", "jakub", "anna", "maria", "katarzyna", "malgorzata", "agnieszka", "barbara", "ewa", "magdalena", "joanna", "zofia", "lukasz", "wojciech", "grzegorz"]
RO_GIVEN = ["andrei", "alexandru", "ionut", "mihai", "stefan", "florin", "gabriel", "adrian", "elena", "ioana", "maria", "andreea", "alexandra", "mihaela", "cristina", "daniela", "gheorghe", "vasile", "nicoleta", "bianca"]
OTHER_GIVEN = ["mohammed", "ahmed", "fatima", "aisha", "yusuf", "omar", "amina", "ivan", "olga", "natalia", "dmitri", "svetlana", "chen", "wei", "li", "mei", "nguyen", "thi", "kofi", "ama"]
NL_SUR = ["jansen", "de jong", "de vries", "van den berg", "van dijk", "bakker", "janssen", "visser", "smit", "meijer", "de boer", "mulder", "de groot", "bos", "vos", "peters", "hendriks", "van leeuwen", "dekker", "brouwer", "de wit", "dijkstra", "smits", "de graaf", "van der meer", "van der linden", "kok", "jacobs", "de haan", "vermeulen", "van den heuvel", "van der veen", "van den broek", "de bruijn", "de bruin", "van der heijden", "schouten", "van beek", "willems", "van vliet", "van de ven", "hoekstra", "maas", "verhoeven", "koster", "van dam", "van der wal", "prins", "blom", "huisman", "peeters", "de jonge", "kuipers", "van veen", "post", "kuiper", "veenstra", "kramer", "van den brink", "scholten", "van wijk", "postma", "martens", "vink", "de ruiter", "timmermans", "groen", "gerritsen", "jonker", "van loon", "boersma", "van der velde", "willemsen", "ter horst", "van 't hof"]
PL_SUR = ["nowak", "kowalski", "wisniewski", "wojcik", "kowalczyk", "kaminski", "lewandowski", "zielinski", "szymanski", "wozniak", "dabrowski", "kozlowski", "jankowski", "mazur", "kwiatkowski", "krawczyk", "piotrowski", "grabowski", "nowakowski", "pawlowski", "michalski", "nowicki", "adamczyk", "dudek", "zajac", "wieczorek", "jablonski", "krol", "majewski", "olszewski"]
RO_SUR = ["popescu", "ionescu", "popa", "pop", "radu", "dumitru", "stan", "stoica", "gheorghe", "matei", "ciobanu", "constantin", "marin", "rusu", "mihai", "florea", "dinu", "lazar", "munteanu", "ilie", "moldovan", "tudor", "stefanescu", "dobre", "nistor", "barbu", "cristea", "toma", "mocanu"]
SYLLABLES = ["ka", "ri", "mo", "ve", "la", "ne", "to", "sa", "bu", "di", "ko", "pe", "ra", "mi", "lu", "sen", "berg", "stra", "man", "ski", "escu", "ov", "dijk", "hof", "huis", "wicz", "ak", "ek"]
DIACRITICS = {
    "wisniewski": "Wiśniewski", "wojcik": "Wójcik", "kaminski": "Kamiński",
    "zielinski": "Zieliński", "szymanski": "Szymański", "wozniak": "Woźniak",
    "dabrowski": "Dąbrowski", "kozlowski": "Kozłowski", "krol": "Król", "zajac": "Zając",
    "jablonski": "Jabłoński", "pawel": "Paweł", "michal": "Michał", "lukasz": "Łukasz",
    "malgorzata": "Małgorzata", "stefanescu": "Ștefănescu", "stefan": "Ștefan",
    "ionut": "Ionuț", "lazar": "Lăzăr",
}  # fmt: skip
NATIONALITIES = (("NLD", 0.35), ("POL", 0.15), ("ROU", 0.15), ("BGR", 0.08), ("NGA", 0.05),
                 ("UKR", 0.07), ("VNM", 0.05), ("CHN", 0.05), ("ERI", 0.05))  # fmt: skip
SOURCES: tuple[str, ...] = ("politie", "zorg", "gemeente", "comensha")
CAPTURE: tuple[float, ...] = (0.55, 0.45, 0.35, 0.3)
IDENTITY_FIELDS: tuple[str, ...] = (
    "voornaam", "achternaam", "geboortedatum", "geslacht", "nationaliteit", "gemeente_code",
)  # fmt: skip


@dataclass(frozen=True)
class Person:
    pid: str
    voornaam: str
    achternaam: str
    geboortedatum: dt.date
    geslacht: str
    nationaliteit: str
    gemeente_code: str


@dataclass(frozen=True)
class Noise:
    """Probabilities of each kind of error, per registration."""

    typo_surname: float = 0.08
    typo_given: float = 0.08
    swap_names: float = 0.03
    missing_given: float = 0.02
    missing_surname: float = 0.02
    missing_date: float = 0.05
    date_off: float = 0.04  # one or ten days, or a year, off
    date_day_month_swapped: float = 0.03
    other_date_format: float = 0.08  # DD-MM-YYYY instead of ISO
    missing_sex: float = 0.10
    missing_nationality: float = 0.15
    missing_municipality: float = 0.10
    other_municipality: float = 0.09


NO_NOISE = Noise(*([0.0] * 13))


def _surname_pool(rng: random.Random, n_extra: int) -> list[str]:
    """Common names at the head, a long tail of generated names, as in real registers."""
    pool = NL_SUR + PL_SUR + RO_SUR
    pool += ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(n_extra)]
    return pool


def population(
    n_persons: int,
    *,
    seed: int = 7,
    municipalities: Sequence[str] | None = None,
    namesake_share: float = 0.03,
) -> list[Person]:
    """``n_persons`` distinct persons; ``namesake_share`` of them share the full name of an
    earlier person (another birth date; half of them in the same birth year)."""
    rng = random.Random(seed)
    surnames = _surname_pool(rng, max(2000, n_persons // 15))
    sur_w = [1.0 / (i + 10) for i in range(len(surnames))]
    givens = NL_GIVEN + PL_GIVEN + RO_GIVEN + OTHER_GIVEN
    givens = givens + ["".join(rng.choice(SYLLABLES) for _ in range(2)) for _ in range(max(500, n_persons // 150))]
    giv_w = [1.0 / (i + 5) for i in range(len(givens))]
    codes = list(municipalities) if municipalities else [f"GM{c:04d}" for c in rng.sample(range(1, 2000), 342)]
    gem_w = [1.0 / (i + 3) for i in range(len(codes))]
    start = dt.date(1950, 1, 1).toordinal()
    out: list[Person] = []
    sur_c = rng.choices(surnames, weights=sur_w, k=n_persons)
    giv_c = rng.choices(givens, weights=giv_w, k=n_persons)
    gem_c = rng.choices(codes, weights=gem_w, k=n_persons)
    nat_c = rng.choices([n for n, _ in NATIONALITIES], weights=[w for _, w in NATIONALITIES], k=n_persons)
    for p in range(n_persons):
        dob = dt.date.fromordinal(start + rng.randrange(0, 58 * 365))
        person = Person(f"T{p}", giv_c[p], sur_c[p], dob, rng.choice("MV"), nat_c[p], gem_c[p])
        if out and rng.random() < namesake_share:
            twin = out[rng.randrange(len(out))]
            other = dob
            while other == twin.geboortedatum:
                other = (
                    dt.date(twin.geboortedatum.year, rng.randint(1, 12), rng.randint(1, 28))
                    if rng.random() < 0.5
                    else dt.date.fromordinal(start + rng.randrange(0, 58 * 365))
                )
            same_place = rng.random() < 0.5
            person = Person(
                f"T{p}", twin.voornaam, twin.achternaam, other, twin.geslacht,
                twin.nationaliteit if rng.random() < 0.8 else person.nationaliteit,
                twin.gemeente_code if same_place else person.gemeente_code,
            )  # fmt: skip
        out.append(person)
    return out


def _typo(rng: random.Random, s: str) -> str:
    if len(s) < 3:
        return s
    i = rng.randrange(1, len(s) - 1)
    op = rng.random()
    if op < 0.35:
        return s[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + s[i + 1 :]
    if op < 0.6:
        return s[:i] + s[i + 1 :]
    if op < 0.85:
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :] if i + 1 < len(s) else s
    return s[:i] + rng.choice("aeiou") + s[i:]


def _surname_variant(rng: random.Random, surname: str) -> str:
    words = surname.split(" ")
    parts, core = words[:-1], words[-1]
    if not parts:
        written = DIACRITICS.get(core, core) if rng.random() < 0.5 else core
        return written.title()
    r = rng.random()
    if r < 0.4:
        return " ".join(parts) + " " + core.title()
    if r < 0.6:
        return f"{core.title()}, {' '.join(parts)}"
    if r < 0.75 and parts == ["van", "der"]:
        return f"vd {core.title()}"
    if r < 0.85:
        return core.title()  # particles dropped
    return " ".join(p.title() for p in parts) + " " + core.title()


def _date(rng: random.Random, dob: dt.date, noise: Noise) -> str:
    r = rng.random()
    if r < noise.missing_date:
        return ""
    r -= noise.missing_date
    if r < noise.date_off:
        return (dob + dt.timedelta(days=rng.choice([-1, 1, 10, -10, 365]))).isoformat()
    r -= noise.date_off
    if r < noise.date_day_month_swapped and dob.day <= 12 and dob.day != dob.month:
        return dt.date(dob.year, dob.day, dob.month).isoformat()
    if rng.random() < noise.other_date_format:
        return dob.strftime("%d-%m-%Y")
    return dob.isoformat()


def registration(rng: random.Random, person: Person, codes: Sequence[str], noise: Noise) -> dict[str, str]:
    """One partner's registration of ``person``: identity fields as the partner wrote them."""
    given = person.voornaam
    given = (DIACRITICS.get(given, given) if rng.random() < 0.5 else given).title()
    sur = _surname_variant(rng, person.achternaam)
    if rng.random() < noise.typo_surname:
        sur = _typo(rng, sur)
    if rng.random() < noise.typo_given:
        given = _typo(rng, given)
    if rng.random() < noise.swap_names:
        given, sur = sur, given
    gem = person.gemeente_code
    if rng.random() < noise.other_municipality:
        gem = rng.choice(codes)
    return {
        "voornaam": "" if rng.random() < noise.missing_given else given,
        "achternaam": "" if rng.random() < noise.missing_surname else sur,
        "geboortedatum": _date(rng, person.geboortedatum, noise),
        "geslacht": "" if rng.random() < noise.missing_sex else person.geslacht,
        "nationaliteit": "" if rng.random() < noise.missing_nationality else person.nationaliteit,
        "gemeente_code": "" if rng.random() < noise.missing_municipality else gem,
    }


def capture(
    persons: Sequence[Person],
    capture_probabilities: Mapping[str, float],
    *,
    seed: int = 7,
    noise: Noise | None = None,
    max_records: int | None = None,
) -> tuple[dict[str, list[dict[str, str]]], dict[tuple[str, str], str]]:
    """Every source registers every person independently with its probability.

    Returns rows per source (``bron``, ``registratie_id`` and the identity fields) and the
    truth ``{(bron, registratie_id): person id}``. Persons no source saw are not in it.
    """
    rng = random.Random(seed + 1)
    noise = noise or Noise()
    codes = sorted({p.gemeente_code for p in persons})
    rows: dict[str, list[dict[str, str]]] = {s: [] for s in capture_probabilities}
    truth: dict[tuple[str, str], str] = {}
    for person in persons:
        for source, probability in capture_probabilities.items():
            if rng.random() >= probability:
                continue
            if max_records is not None and len(truth) >= max_records:
                return rows, truth
            rid = f"{source[:3].upper()}{len(rows[source]) + 1:07d}"
            rows[source].append({"bron": source, "registratie_id": rid, **registration(rng, person, codes, noise)})
            truth[(source, rid)] = person.pid
    return rows, truth


def synthetic(
    n_records: int,
    seed: int = 7,
    *,
    sources: Sequence[str] = SOURCES,
    capture_probabilities: Sequence[float] = CAPTURE,
    namesake_share: float = 0.03,
) -> tuple[dict[str, list[dict[str, str]]], dict[tuple[str, str], str]]:
    """About ``n_records`` registrations by ``sources`` (the benchmark sets)."""
    n_persons = int(n_records / sum(capture_probabilities) * 1.05) + 10
    persons = population(n_persons, seed=seed, namesake_share=namesake_share)
    probabilities = dict(zip(sources, capture_probabilities, strict=True))
    return capture(persons, probabilities, seed=seed, max_records=n_records)


def pair_scores(predicted: Mapping[tuple[str, str], str], truth: Mapping[tuple[str, str], str]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering against the true person ids."""
    from collections import Counter

    def pairs(counter: Counter) -> int:
        return sum(c * (c - 1) // 2 for c in counter.values())

    keys = list(truth)
    tp = pairs(Counter((predicted[k], truth[k]) for k in keys))
    npred = pairs(Counter(predicted[k] for k in keys))
    ntrue = pairs(Counter(truth[k] for k in keys))
    precision = tp / npred if npred else 1.0
    recall = tp / ntrue if ntrue else 1.0
    f1 = 2 * tp / (npred + ntrue) if npred + ntrue else 1.0
    return {
        "true_pairs": ntrue, "predicted_pairs": npred, "true_positives": tp,
        "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
    }  # fmt: skip
