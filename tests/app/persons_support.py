"""Helpers for the persons tests: partner files with names, encoded like a partner does."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Mapping, Sequence

from ketenzicht.domain.linkage import EncodingKey
from ketenzicht.domain.linkage import synthetic as S
from ketenzicht.domain.linkage.delivery import encode_file

KEY = EncodingKey(b"sleutel-van-de-partners-in-den-haag")
OTHER_KEY = EncodingKey(b"een-andere-sleutel-van-iemand-anders")
HEADER = ["registratie_id", "datum", "gemeente_code", "eenheid", "vorm", "voornaam", "achternaam", "geboortedatum", "geslacht", "nationaliteit"]
# Municipalities of eenheid Den Haag that the test region has (Leiden-Bollenstreek and more).
CODES = ["GM0546", "GM0553", "GM0638", "GM0534", "GM0575", "GM0503", "GM0518"]


def named_rows(rows: Sequence[Mapping[str, str]], *, year: int = 2025, seed: int = 1, codes: Sequence[str] = CODES) -> list[list[str]]:
    """Monitor registration rows (with names) for synthetic partner rows."""
    rng = random.Random(seed)
    out = []
    for r in rows:
        out.append([
            r["registratie_id"], f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            rng.choice(codes), "melding", rng.choice(["arbeid", "seksueel", "crimineel"]),
            r["voornaam"], r["achternaam"], r["geboortedatum"], r["geslacht"], r["nationaliteit"],
        ])  # fmt: skip
    return out


def named_file(rows: Sequence[Sequence[str]], header: Sequence[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def encoded_file(rows: Sequence[Sequence[str]], key: EncodingKey = KEY) -> bytes:
    return encode_file("levering.csv", named_file(rows), key)


def partner_files(n_persons: int, capture: Mapping[str, float], *, seed: int = 3, year: int = 2025, noise: S.Noise | None = None) -> tuple[dict[str, bytes], dict[tuple[str, str], str], int]:
    """Encoded monitor files per source for a synthetic population; truth per (source, id)."""
    persons = S.population(n_persons, seed=seed, municipalities=CODES)
    rows, truth = S.capture(persons, capture, seed=seed, noise=noise)
    files = {source: encoded_file(named_rows(rs, year=year, seed=seed)) for source, rs in rows.items()}
    return files, truth, n_persons


def second_region() -> dict[str, object]:
    """A second region (Zeeland-West-Brabant: Vlissingen, Breda) with its own ketenregisseur,
    data steward and partner system — created here until the shared cast has one."""
    from rest_framework.authtoken.models import Token

    from ketenzicht.accounts.models import Municipality, Organisation, Region, User
    from tests.support import make_user

    region, _ = Region.objects.get_or_create(slug="zeeland-west-brabant", defaults={"name": "Eenheid Zeeland-West-Brabant"})
    Municipality.objects.filter(cbs_code__in=["GM0718", "GM0758"]).update(region=region)
    coordination, _ = Organisation.objects.get_or_create(slug="coordinatie-zwb", defaults={"name": "Coördinatie mensenhandel ZWB", "kind": "overig", "region": region})
    police, _ = Organisation.objects.get_or_create(slug="politie-zwb-avim", defaults={"name": "Politie ZWB – AVIM", "kind": "politie-avim", "region": region})
    users = {
        "kim": User.objects.filter(username="kim").first() or make_user("kim", "coordinatie-zwb", "ketenregisseur"),
        "lars": User.objects.filter(username="lars").first() or make_user("lars", "politie-zwb-avim", "gegevensleverancier"),
        "mats": User.objects.filter(username="mats").first() or make_user("mats", "politie-zwb-avim", "partnersysteem"),
    }
    return {"region": region, "police": police, "coordination": coordination, **users, "mats_token": Token.objects.get_or_create(user=users["mats"])[0].key}
