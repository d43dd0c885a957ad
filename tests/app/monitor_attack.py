"""The attacker of issue 20: a synthetic region, every output two insiders can obtain, and the LP.

The attacker is a ketenregisseur of the region together with the AF of one of its
municipalities (M0). Together they can obtain, for every source, area (region, each district,
each municipality page), year (all years, 2025), part of the year and trend grain, every figure
the monitor publishes: tables, totals, trend buckets, breakdowns, all sources side by side;
for M0 also the live, exact figures of its own page. They are collected through the forms and
selectors the views use (`FilterForm.selection`, `selectors.figures` with the policy deciding
whether a page is protected). A figure is a *cell*: a sum of records over a set of
municipalities, a set of months and at most one category; two outputs of the same cell must
show the same value (asserted while collecting).

The LP works on the attacker's unknowns. The figures published are margins per (municipality,
month) of one category group at a time (form | age | sector | channel × outcome), so any
margins that agree on their (municipality, month) totals can be completed to a full table of
records (put the mass of one group's margins independently of the others'), and the largest
count a finest cell (municipality, month, form, age, sector[, channel, outcome]) can take is
the largest possible minimum of its groups' margins. That LP is exact for the full
cross-classification and has some thousand unknowns instead of tens of thousands.
Constraints: exact figures as equalities, protected ones as the interval published ± D
(not below zero), non-negativity.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from types import SimpleNamespace
from typing import Any
from unittest import mock

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from ketenzicht.accounts.models import District, Municipality, Organisation, Region, User
from ketenzicht.accounts.system import system_actor
from ketenzicht.cases.models import Case
from ketenzicht.core import policy
from ketenzicht.monitor import selectors, services
from ketenzicht.monitor.forms import FilterForm
from ketenzicht.monitor.models import (
    OUTCOME_LABELS,
    AgeGroup,
    Channel,
    Form,
    Registration,
    Sector,
    Source,
    Unit,
)
from tests.app.monitor_support import REG_HEADER, committed, csv_bytes
from tests.support import make_user

YEAR = 2025
MONTHS = [date(YEAR, m, 1) for m in range(1, 13)]
FORMS = [str(v) for v in Form.values]
AGES = [str(v) for v in AgeGroup.values]
SECTORS = [str(v) for v in Sector.values]
CHANNELS = [str(v) for v in Channel.values]
OUTCOMES = list(OUTCOME_LABELS)
PARTS = ["", "H1", "H2", "K1", "K2", "K3", "K4"]
GRAINS = ["maand", "kwartaal", "halfjaar", "jaar"]


@dataclass
class Synthetic:
    region: Region
    districts: list[District]
    municipalities: list[Municipality]  # municipalities[0] is the AF's own
    ketenregisseur: User
    af: User
    registrations: int = 0
    signals: int = 0


@contextmanager
def seeded_keys(seed: int) -> Iterator[None]:
    """Draw the records' keys from a seeded generator, so that a run of the attack is repeatable."""
    rng = random.Random(seed)
    with mock.patch("ketenzicht.monitor.models.secrets", SimpleNamespace(randbelow=rng.randrange)):
        yield


def build_region(*, registrations: int, signals: int, seed: int) -> Synthetic:
    """A region of six municipalities in two districts, with many small cells in 2025."""
    region = Region.objects.create(slug="synthetisch", name="Regio Synthetisch")
    places = list(Municipality.objects.filter(region__isnull=True).order_by("cbs_code")[:6])
    districts = [District.objects.create(region=region, slug=f"synth-d{i}", name=f"District {i}") for i in (1, 2)]
    for i, place in enumerate(places):
        place.region, place.district = region, districts[i // 3]
        place.save(update_fields=["region", "district"])
    Organisation.objects.create(slug="synth-regie", name="Ketenregie Synthetisch", kind="overig", region=region)
    Organisation.objects.create(slug="synth-gemeente", name=f"Gemeente {places[0].name}", kind="gemeente", region=region, municipality=places[0])
    data = Synthetic(region, districts, places, make_user("rita", "synth-regie", "ketenregisseur"), make_user("amir", "synth-gemeente", "aandachtsfunctionaris"))
    rng = random.Random(seed)
    weights = [5, 3, 2, 2, 1, 1]
    rows = []
    for i in range(registrations):
        place = rng.choices(places, weights)[0]
        rows.append([
            f"SYN-{i:05d}", f"{YEAR}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", place.cbs_code, "melding",
            rng.choices(FORMS, [30, 35, 20, 1, 4, 10])[0], rng.choices(AGES, [15, 20, 45, 20])[0], rng.choice(SECTORS),
        ])
    with seeded_keys(seed), committed():
        result = services.import_file(actor=system_actor("monitor-import"), source=Source.objects.get(slug="politie"), file_name="synthetisch.csv", data=csv_bytes(REG_HEADER, rows))
        assert result.accepted, result.record.errors[:3]
        data.registrations = registrations
        add_signals(data, signals, rng)
        add_table_steps(data, random.Random(seed + 1))  # a generator of its own: the monitor's data stay as they were
        services.signal_keys_assign()
    return data


def add_signals(data: Synthetic, count: int, rng: random.Random, *, month: date | None = None) -> list[Case]:
    """Own signals written directly (creating them through intake is not what this measures)."""
    from django.utils import timezone

    flags = ["form_seksueel", "form_arbeid", "form_crimineel", "form_orgaan"]
    made = []
    start = Case.objects.count()
    for i in range(count):
        picked = rng.sample(flags, rng.choices([0, 1, 2], [2, 7, 1])[0])
        made.append(Case(
            reference=f"SYN-S{start + i:05d}", municipality=rng.choices(data.municipalities, [5, 3, 2, 2, 1, 1])[0],
            channel=rng.choice(CHANNELS), state=rng.choice(OUTCOMES), description="Synthetisch signaal.",
            forms=[f.removeprefix("form_") for f in picked], minor_involved=rng.choice(["ja", "nee", "onbekend"]),
            form_onbekend=not picked, feedback_impossible_reason="Anoniem gemeld (synthetisch).", **dict.fromkeys(picked, True),
        ))
    Case.objects.bulk_create(made)
    for case in made:
        day = month or rng.choice(MONTHS)
        case.created_at = timezone.make_aware(timezone.datetime(day.year, day.month, rng.randint(1, 28), 12))
    Case.objects.bulk_update(made, ["created_at"])
    data.signals += count
    return made


# ----------------------------------------------------------------------------- collecting


@dataclass(frozen=True)
class Cell:
    series: tuple[int, str]  # (source pk, unit)
    municipalities: frozenset[int]
    months: frozenset[date]
    group: str  # "" (all), "form", "age", "sector", "channel", "outcome", "co"
    category: tuple[str, ...] = ()


@dataclass
class Outputs:
    protected: dict[Cell, int] = field(default_factory=dict)
    exact: dict[Cell, int] = field(default_factory=dict)
    selections: int = 0
    figures: int = 0

    def add(self, cell: Cell, value: Any, exact: bool) -> None:
        assert isinstance(value, int), (cell, value)
        store = self.exact if exact else self.protected
        known = store.setdefault(cell, value)
        # The Cell Key Method's promise: one cell, one value, whatever output shows it.
        assert known == value, f"{cell} shown as {known} and as {value}"
        self.figures += 1


def _bucket_months(label: str) -> frozenset[date]:
    if len(label) == 7 and label[4] == "-":
        return frozenset({date(int(label[:4]), int(label[5:]), 1)})
    year = int(label[:4])
    if label.endswith(("K1", "K2", "K3", "K4")):
        q = int(label[-1])
        return frozenset(date(year, m, 1) for m in range(3 * q - 2, 3 * q + 1))
    if label.endswith(("H1", "H2")):
        h = int(label[-1])
        return frozenset(date(year, m, 1) for m in range(6 * h - 5, 6 * h + 1))
    return frozenset(date(year, m, 1) for m in range(1, 13))


def _add_figures(out: Outputs, selection: selectors.Selection, fig: selectors.Figures, exact: bool, series_by_label: dict[tuple[str, str], tuple[int, str]]) -> None:
    series = (selection.source.pk, selection.unit)
    area = frozenset(row["pk"] for row in fig.municipality_form)
    rng = selection.month_range()
    # The attacker is granted that nothing exists outside 2025 (stronger than the truth allows).
    months = frozenset(m for m in MONTHS if rng is None or rng[0] <= m <= rng[1])
    add = out.add
    add(Cell(series, area, months, ""), fig.total, exact)
    for row in fig.municipality_form:
        one = frozenset({row["pk"]})
        add(Cell(series, one, months, ""), row["total"], exact)
        for form, value in zip(FORMS, row["cells"], strict=True):
            add(Cell(series, one, months, "form", (form,)), value, exact)
    for form, value in zip(FORMS, fig.form_totals, strict=True):
        add(Cell(series, area, months, "form", (form,)), value, exact)
    for label, value in fig.trend:
        add(Cell(series, area, _bucket_months(label) & months, ""), value, exact)
    for age, (_label, value) in zip(AGES, fig.by_age, strict=True):
        add(Cell(series, area, months, "age", (age,)), value, exact)
    for sector, (_label, value) in zip(SECTORS, fig.by_sector, strict=True):
        add(Cell(series, area, months, "sector", (sector,)), value, exact)
    if fig.channel_outcome:
        for outcome, row in zip(OUTCOMES, fig.channel_outcome, strict=True):
            add(Cell(series, area, months, "outcome", (outcome,)), row["total"], exact)
            for channel, value in zip(CHANNELS, row["cells"], strict=True):
                add(Cell(series, area, months, "co", (channel, outcome)), value, exact)
        for channel, value in zip(CHANNELS, fig.channel_totals, strict=False):
            add(Cell(series, area, months, "channel", (channel,)), value, exact)
    for name, unit, value in fig.by_source:
        add(Cell(series_by_label[(name, unit)], area, months, ""), value, exact)


def collect(data: Synthetic, slugs: Iterable[str] = ("politie", "eigen-signalen")) -> Outputs:
    """Every output of every area, period, grain and source, for the ketenregisseur and the AF of M0.

    Both read the regional and district pages and every municipality page; the policy makes
    each page protected or not, exactly as the views ask it. A protected page is the same call
    for both (same selection, same release), so it is computed once; the AF's own page is live.
    """
    out = Outputs()
    region = data.region
    periods = [{}] + [{"jaar": str(YEAR), "deel": part} for part in PARTS]
    seen: set[tuple[str, bool]] = set()
    series_by_label = {(src.name, str(label)): (src.pk, code) for src in Source.objects.all() for code, label in Unit.choices}
    users = (data.ketenregisseur, data.af)
    assert all(policy.can(user, "monitor.view", region) for user in users)
    for slug in slugs:
        for period in periods:
            for grain in GRAINS:
                # The same filter for both users (the form depends on the region only).
                form = FilterForm({"bron": slug, "indeling": grain, **period}, region=region)
                assert form.is_valid(), form.errors
                regional = form.selection(region)
                areas = [regional] + [replace(regional, district=d) for d in data.districts]
                places = [(place, form.selection(region, municipality=place, district=None)) for place in data.municipalities]
                for user in users:
                    pages = [(area, True) for area in areas]
                    pages += [(page, not policy.can(user, "monitor.unsuppressed", place)) for place, page in places]
                    for selection, protect in pages:
                        out.selections += 1
                        if (selection.key(), protect) in seen:
                            continue
                        seen.add((selection.key(), protect))
                        _add_figures(out, selection, selectors.figures(selection, protect=protect), not protect, series_by_label)
    return out


# ----------------------------------------------------------------------------- truth


def finest_registrations(data: Synthetic) -> Counter[tuple[Any, ...]]:
    rows = Registration.objects.filter(municipality__in=data.municipalities, source__slug="politie", source_import__status="geaccepteerd")
    counts: Counter[tuple[Any, ...]] = Counter()
    for r in rows.values("municipality_id", "period_month", "form", "age_group", "sector", "n"):
        counts[(r["municipality_id"], r["period_month"], r["form"], r["age_group"], r["sector"])] += r["n"]
    return counts


def finest_signals(data: Synthetic) -> Counter[tuple[Any, ...]]:
    return finest_signals_of(Case.objects.filter(municipality__in=data.municipalities))


def finest_signals_of(cases: Iterable[Case]) -> Counter[tuple[Any, ...]]:
    """(municipality, month, form, age, sector, channel, outcome) of signals, as the monitor counts them."""
    from django.utils import timezone

    counts: Counter[tuple[Any, ...]] = Counter()
    for case in cases:
        picked = [f for f in ("seksueel", "arbeid", "crimineel", "orgaan") if getattr(case, f"form_{f}")]
        form = picked[0] if len(picked) == 1 else ("meervoudig" if picked else "onbekend")
        age = "minderjarig" if case.minor_involved == "ja" else "onbekend"
        month = timezone.localtime(case.created_at).date().replace(day=1)
        counts[(case.municipality_id, month, form, age, "onbekend", case.channel, case.state)] += 1
    return counts


# ----------------------------------------------------------------------------- the LP


class Attack:
    """The attacker's linear system for one series, over (municipality, month) group margins."""

    def __init__(self, data: Synthetic, outputs: Outputs, series: tuple[int, str], *, max_deviation: int, own_signals: bool) -> None:
        self.groups: dict[str, list[Any]] = {"form": FORMS, "age": AGES, "sector": SECTORS}
        if own_signals:
            self.groups["co"] = [(c, o) for c in CHANNELS for o in OUTCOMES]
        self.muns = [m.pk for m in data.municipalities]
        self.offset: dict[str, int] = {}
        n = 0
        for name, cats in self.groups.items():
            self.offset[name] = n
            n += len(self.muns) * len(MONTHS) * len(cats)
        self.n = n
        rows, cols, lo, hi = [], [], [], []
        cells = [(c, v, True) for c, v in outputs.exact.items() if c.series == series]
        cells += [(c, v, False) for c, v in outputs.protected.items() if c.series == series]
        for i, (cell, value, exact) in enumerate(cells):
            for var in self._vars(cell):
                rows.append(i)
                cols.append(var)
            lo.append(value if exact else max(0, value - max_deviation))
            hi.append(value if exact else value + max_deviation)
        self.cells = cells
        self.a = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(cells), n))
        self.lo, self.hi = np.array(lo, float), np.array(hi, float)
        # Every group's margins of one (municipality, month) have the same total.
        eq_rows, eq_cols, eq_vals, r = [], [], [], 0
        first, *others = self.groups
        for mun in self.muns:
            for month in MONTHS:
                for other in others:
                    for c in range(len(self.groups[first])):
                        eq_rows.append(r), eq_cols.append(self.var(first, mun, month, c)), eq_vals.append(1.0)
                    for c in range(len(self.groups[other])):
                        eq_rows.append(r), eq_cols.append(self.var(other, mun, month, c)), eq_vals.append(-1.0)
                    r += 1
        self.a_eq = sparse.csr_matrix((eq_vals, (eq_rows, eq_cols)), shape=(r, n))

    def var(self, group: str, mun: int, month: date, index: int) -> int:
        return self.offset[group] + (self.muns.index(mun) * len(MONTHS) + MONTHS.index(month)) * len(self.groups[group]) + index

    def _vars(self, cell: Cell) -> list[int]:
        group, cats = cell.group, None
        if group in ("", "channel", "outcome"):
            group_name = "form" if cell.group == "" else "co"
            if cell.group == "channel":
                cats = [i for i, (c, _o) in enumerate(self.groups["co"]) if c == cell.category[0]]
            elif cell.group == "outcome":
                cats = [i for i, (_c, o) in enumerate(self.groups["co"]) if o == cell.category[0]]
            else:
                cats = list(range(len(self.groups["form"])))
        else:
            group_name = group
            key = cell.category if group == "co" else cell.category[0]
            cats = [self.groups[group].index(key)]
        return [self.var(group_name, mun, month, c) for mun in sorted(cell.municipalities) for month in sorted(cell.months) for c in cats]

    def margins(self, finest: tuple[Any, ...]) -> list[int]:
        mun, month, form, age, sector, *rest = finest
        out = [self.var("form", mun, month, FORMS.index(form)), self.var("age", mun, month, AGES.index(age)), self.var("sector", mun, month, SECTORS.index(sector))]
        if rest:
            out.append(self.var("co", mun, month, self.groups["co"].index(tuple(rest))))
        return out

    def truth_vector(self, finest: Counter[tuple[Any, ...]]) -> np.ndarray:
        x = np.zeros(self.n)
        for cell, n in finest.items():
            for var in self.margins(cell):
                x[var] += n
        return x

    def feasible(self, x: np.ndarray) -> bool:
        ax = self.a @ x
        return bool(np.all(ax >= self.lo - 1e-9) and np.all(ax <= self.hi + 1e-9) and np.allclose(self.a_eq @ x, 0))

    def _solve(self, targets: list[tuple[Any, ...]], cap: float) -> np.ndarray:
        """max Σ_k min(margins of k, cap) over the attacker's system: one witness for many cells."""
        k = len(targets)
        link_rows, link_cols, link_vals = [], [], []
        r = 0
        for j, cell in enumerate(targets):
            for var in self.margins(cell):
                link_rows += [r, r]
                link_cols += [self.n + j, var]
                link_vals += [1.0, -1.0]
                r += 1
        link = sparse.csr_matrix((link_vals, (link_rows, link_cols)), shape=(r, self.n + k))
        pad = sparse.csr_matrix((self.a.shape[0], k))
        a_ub = sparse.vstack([sparse.hstack([self.a, pad]), sparse.hstack([-self.a, pad]), link]).tocsr()
        b_ub = np.concatenate([self.hi, -self.lo, np.zeros(r)])
        a_eq = sparse.hstack([self.a_eq, sparse.csr_matrix((self.a_eq.shape[0], k))]).tocsr()
        cost = np.concatenate([np.zeros(self.n), -np.ones(k)])
        result = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=np.zeros(a_eq.shape[0]), bounds=[(0, None)] * self.n + [(0, cap)] * k, method="highs")
        assert result.status == 0, result.message
        return result.x[self.n:]

    def maxima(self, targets: list[tuple[Any, ...]], threshold: int, truth: Counter[tuple[Any, ...]] | None = None) -> tuple[dict[tuple[Any, ...], float], int]:
        """For each target: threshold if it can reach it, else its largest possible count.

        A witness is any table that fits everything published. The cheapest one to try is the
        truth with the target raised to the threshold; only targets for which that does not
        fit need a linear programme (first together, then one by one).
        """
        found: dict[tuple[Any, ...], float] = {}
        pending, lps = list(targets), 0
        if truth is not None:
            base = self.a @ self.truth_vector(truth)
            for target in list(pending):
                step = np.zeros(self.n)
                step[self.margins(target)] = threshold - truth[target]
                shifted = base + self.a @ step
                if np.all(shifted <= self.hi + 1e-9) and np.all(shifted >= self.lo - 1e-9):
                    found[target] = threshold
            pending = [t for t in pending if t not in found]
        while pending:
            values = self._solve(pending, threshold)
            lps += 1
            reached = [t for t, v in zip(pending, values, strict=True) if v >= threshold - 1e-6]
            for t in reached:
                found[t] = threshold
            if not reached:
                break
            pending = [t for t in pending if t not in found]
        for target in pending:  # alone, without competing for the same witness
            found[target] = float(self._solve([target], float("inf"))[0])
            lps += 1
        return found, lps


@dataclass
class AttackResult:
    series: str
    cells_protected: int
    cells_exact: int
    small: int
    below_threshold: list[tuple[Any, ...]]
    lps: int
    seconds: float


def series_of(slug: str) -> tuple[int, str]:
    source = Source.objects.get(slug=slug)
    return (source.pk, source.default_unit)


def run_attack(data: Synthetic, outputs: Outputs, slug: str, *, threshold: int, max_deviation: int, sample: int | None = None) -> AttackResult:
    started = time.perf_counter()
    own = slug == "eigen-signalen"
    series = series_of(slug)
    attack = Attack(data, outputs, series, max_deviation=max_deviation, own_signals=own)
    finest = finest_signals(data) if own else finest_registrations(data)
    # The truth satisfies everything published: the collector maps every figure to its cell.
    assert attack.feasible(attack.truth_vector(finest))
    m0 = data.municipalities[0].pk
    small = [cell for cell, n in finest.items() if 0 < n < threshold and cell[0] != m0]
    if sample is not None:
        small = random.Random(sample).sample(sorted(small, key=str), min(sample, len(small)))
    maxima, lps = attack.maxima(small, threshold, finest)
    below = [cell for cell in small if maxima[cell] < threshold - 1e-6]
    return AttackResult(
        slug, sum(c.series == series for c in outputs.protected), sum(c.series == series for c in outputs.exact),
        len(small), below, lps, time.perf_counter() - started,
    )


def _contains(cell: Cell, record: tuple[Any, ...]) -> bool:
    mun, month, form, age, sector, *rest = record
    if mun not in cell.municipalities or month not in cell.months:
        return False
    if cell.group == "":
        return True
    categories = {"form": (form,), "age": (age,), "sector": (sector,), "co": tuple(rest), "channel": tuple(rest[:1]), "outcome": tuple(rest[1:])}
    return categories[cell.group] == cell.category


class ChangeCheck:
    """Could adding one record explain the change between two releases? Built once per pair.

    With month-block keys a cell's noise is drawn afresh when it gains the record *or* when it
    holds any record of the record's month (that month's block changed). So: every published
    cell that changed must contain the record, or cover its month and hold at least one record
    of that month before; and there must be a table that fits the first release and, with the
    record added, the second, exact own figures of M0 included in both.
    """

    def __init__(self, data: Synthetic, before: Outputs, after: Outputs, slug: str, *, max_deviation: int) -> None:
        self.attack = attack = Attack(data, before, series_of(slug), max_deviation=max_deviation, own_signals=slug == "eigen-signalen")
        lo_after, hi_after, self.changed = [], [], []
        for cell, value, exact in attack.cells:
            now = (after.exact if exact else after.protected)[cell]
            lo_after.append(now if exact else max(0, now - max_deviation))
            hi_after.append(now if exact else now + max_deviation)
            if now != value:
                self.changed.append((cell, exact))
        self.lo_after, self.hi_after = np.array(lo_after), np.array(hi_after)
        self.a_twice = sparse.vstack([attack.a, -attack.a, attack.a, -attack.a]).tocsr()

    def fits(self, record: tuple[Any, ...]) -> bool:
        """``record``: (municipality pk, month, form, age, sector[, channel, outcome])."""
        attack = self.attack
        step = np.zeros(attack.n)
        step[attack.margins(record)] = 1.0
        shift = attack.a @ step
        touch_rows: list[np.ndarray] = []
        month = record[1]
        for cell, exact in self.changed:
            if _contains(cell, record):
                continue
            if exact or month not in cell.months:
                return False  # nothing but the record could have changed this figure
            row = np.zeros(attack.n)
            row[attack._vars(Cell(cell.series, cell.municipalities, frozenset({month}), cell.group, cell.category))] = -1.0
            touch_rows.append(row)
        a_ub = sparse.vstack([self.a_twice, *([sparse.csr_matrix(np.array(touch_rows))] if touch_rows else [])]).tocsr()
        b_ub = np.concatenate([attack.hi, -attack.lo, self.hi_after - shift, -(self.lo_after - shift), -np.ones(len(touch_rows))])
        result = linprog(np.zeros(attack.n), A_ub=a_ub, b_ub=b_ub, A_eq=attack.a_eq, b_eq=np.zeros(attack.a_eq.shape[0]), bounds=(0, None), method="highs")
        return result.status == 0


def unprotected_outputs(outputs: Outputs, data: Synthetic) -> Outputs:
    """What the same outputs would say without protection: every cell's true count, exact."""
    truth: dict[tuple[int, str], Counter[tuple[Any, ...]]] = defaultdict(Counter)
    for slug, finest in (("politie", finest_registrations(data)), ("eigen-signalen", finest_signals(data))):
        source = Source.objects.get(slug=slug)
        truth[(source.pk, source.default_unit)] = finest
    out = Outputs()
    for cell in list(outputs.protected) + list(outputs.exact):
        total = 0
        for key, n in truth[cell.series].items():
            mun, month, form, age, sector, *rest = key
            if mun not in cell.municipalities or month not in cell.months:
                continue
            category = {"": (), "form": (form,), "age": (age,), "sector": (sector,), "co": tuple(rest),
                        "channel": tuple(rest[:1]), "outcome": tuple(rest[1:])}[cell.group]
            if category == cell.category:
                total += n
        out.exact[cell] = total
    return out


# ----------------------------------------------------------------------------- the tables' throughput
# The regional throughput page (monitor:throughput, issue 20 item 1): per released month range,
# signals received and table outcomes per municipality and for the region, and signals per
# duration band for the region. Every such figure is a cell (category, municipalities, months).

ThroughputCell = tuple[str, frozenset[int], frozenset[date]]


def add_table_steps(data: Synthetic, rng: random.Random) -> None:
    """Table decisions and feedback for most synthetic signals, all within 2025."""
    from django.utils import timezone

    from ketenzicht.cases.models import CaseEvent
    from ketenzicht.meetings.selectors import TABLE_ACTIONS

    last = timezone.make_aware(timezone.datetime(YEAR, 12, 28, 12))
    events, feedback = [], []
    for case in Case.objects.filter(municipality__in=data.municipalities).order_by("pk"):
        if rng.random() < 0.8:
            at = min(case.created_at + timezone.timedelta(days=rng.randint(0, 45)), last)
            events.append(CaseEvent(case=case, at=at, actor_label="Synthetisch", kind="transition", action=rng.choice(TABLE_ACTIONS)))
        if rng.random() < 0.5:
            case.feedback_at = min(case.created_at + timezone.timedelta(days=rng.randint(0, 60)), last)
            feedback.append(case)
    CaseEvent.objects.bulk_create(events)
    Case.objects.bulk_update(feedback, ["feedback_at"])


def throughput_categories() -> tuple[list[str], list[str]]:
    from ketenzicht.meetings.selectors import DURATION_LABELS, TABLE_ACTIONS
    from ketenzicht.monitor import throughput

    bands = [f"{step}:{code}" for step in DURATION_LABELS for code, *_rest in throughput.BANDS]
    return [throughput.RECEIVED, *TABLE_ACTIONS], bands


def collect_throughput(data: Synthetic) -> dict[ThroughputCell, int]:
    """Every figure of the regional throughput page, for every range of released months of 2025.

    The ketenregisseur and the AF of M0 get the same page (same region, same release)."""
    outcomes, bands = throughput_categories()
    everyone = frozenset(m.pk for m in data.municipalities)
    pks = {m.name: m.pk for m in data.municipalities}
    out: dict[ThroughputCell, int] = {}

    def add(cell: ThroughputCell, value: int) -> None:
        assert out.setdefault(cell, value) == value, f"{cell} shown as {out[cell]} and as {value}"

    for i, first in enumerate(MONTHS):
        for last in MONTHS[i:]:
            fig = selectors.throughput_published(region=data.region, first=first, last=last)
            months = frozenset(MONTHS[i:MONTHS.index(last) + 1])
            for name, values in fig.rows:
                for category, value in zip(outcomes, values, strict=True):
                    add((category, frozenset({pks[name]}), months), value)
            for category, value in zip(outcomes, fig.totals, strict=True):
                add((category, everyone, months), value)
            flat = [n for _label, counts, _median in fig.durations for _band, n in counts]
            for category, value in zip(bands, flat, strict=True):
                add((category, everyone, months), value)
    return out


def finest_throughput(data: Synthetic) -> Counter[tuple[int, date, str]]:
    """(municipality, month, category) of the synthetic signals, counted from the records themselves."""
    from django.utils import timezone

    from ketenzicht.cases.models import CaseEvent
    from ketenzicht.domain.workdays import working_days_between
    from ketenzicht.meetings.selectors import TABLE_ACTIONS
    from ketenzicht.monitor.throughput import band_of

    counts: Counter[tuple[int, date, str]] = Counter()
    cases = {c.pk: c for c in Case.objects.filter(municipality__in=data.municipalities)}
    day = lambda moment: timezone.localtime(moment).date()  # noqa: E731
    for case in cases.values():
        counts[(case.municipality_id, day(case.created_at).replace(day=1), "ontvangen")] += 1
        if case.feedback_at:
            reached = day(case.feedback_at)
            counts[(case.municipality_id, reached.replace(day=1), f"terugkoppeling:{band_of(working_days_between(day(case.created_at), reached))}")] += 1
    firsts: dict[int, date] = {}
    for event in CaseEvent.objects.filter(case__in=list(cases), kind="transition", action__in=TABLE_ACTIONS).order_by("at", "id"):
        case = cases[event.case_id]
        counts[(case.municipality_id, day(event.at).replace(day=1), event.action)] += 1
        firsts.setdefault(case.pk, day(event.at))
    for pk, reached in firsts.items():
        case = cases[pk]
        counts[(case.municipality_id, reached.replace(day=1), f"besluit:{band_of(working_days_between(day(case.created_at), reached))}")] += 1
    return counts


def run_throughput_attack(data: Synthetic, published: dict[ThroughputCell, int], *, threshold: int, max_deviation: int, exact: bool = False) -> AttackResult:
    """Per category an LP over (municipality, month): every figure as published ± D (exactly
    when ``exact``), M0's own cells known exactly (more than the AF's own page gives), x ≥ 0."""
    started = time.perf_counter()
    truth = finest_throughput(data)
    muns = [m.pk for m in data.municipalities]
    m0, n = muns[0], len(muns) * len(MONTHS)
    small = [cell for cell, k in truth.items() if 0 < k < threshold and cell[0] != m0]
    below, lps = [], 0
    for category in sorted({c for c, _m, _t in published}):
        cells = [(m, t, v) for (c, m, t), v in published.items() if c == category]
        a = np.zeros((len(cells), n))
        for r, (ms, ts, _v) in enumerate(cells):
            for mun in ms:
                for month in ts:
                    a[r, muns.index(mun) * len(MONTHS) + MONTHS.index(month)] = 1
        values = np.array([v for _m, _t, v in cells], float)
        lo, hi = (values, values) if exact else (np.maximum(0, values - max_deviation), values + max_deviation)
        x = np.array([truth[(mun, month, category)] for mun in muns for month in MONTHS], float)
        assert np.all(a @ x >= lo - 1e-9) and np.all(a @ x <= hi + 1e-9), category  # the truth fits
        bounds = [(x[j], x[j]) if muns[j // len(MONTHS)] == m0 else (0, None) for j in range(n)]
        for target in [t for t in small if t[2] == category]:
            j = muns.index(target[0]) * len(MONTHS) + MONTHS.index(target[1])
            step = np.zeros(n)
            step[j] = threshold - x[j]
            shifted = a @ (x + step)
            if np.all(shifted >= lo - 1e-9) and np.all(shifted <= hi + 1e-9):
                continue  # the truth with this cell at the threshold fits everything published
            cost = np.zeros(n)
            cost[j] = -1
            result = linprog(cost, A_ub=np.vstack([a, -a]), b_ub=np.concatenate([hi, -lo]), bounds=bounds, method="highs")
            lps += 1
            assert result.status in (0, 3), result.message  # 3: unbounded, far above the threshold
            if result.status == 0 and -result.fun < threshold - 1e-6:
                below.append(target)
    return AttackResult("doorlooptijden", len(published), 0, len(small), below, lps, time.perf_counter() - started)
