"""The regional monitor: sources, imports, registrations, risk indicators and the count table.

Every figure carries its source (`Source`) and its unit (`Unit`); the monitor never adds up
different units or different sources (they may overlap). Pages never aggregate the
record-level tables directly: `MonitorCount` holds pre-aggregated counts per month and
category (the live internal table), rebuilt by `services.counts_refresh` on commit of every
import, withdrawal or signal change. Figures that leave the municipality come from a
`Release`: a frozen copy of the counts with their cell keys (`ReleaseCount`), see
`monitor/protected.py` and docs/adr/0001-cell-key-method.md.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenzicht.domain.case_states import STATE_LABELS, CaseState
from ketenzicht.domain.cellkey import draw_key


def new_key() -> int:
    """A record or block key for the Cell Key Method: random, drawn once, stored."""
    return draw_key(secrets.randbelow)


class Unit(models.TextChoices):
    SIGNAAL = "signaal", _("Signaal")
    MELDING = "melding", _("Melding")
    SLACHTOFFER = "slachtoffer", _("Slachtoffer")
    ZORGTRAJECT = "zorgtraject", _("Zorgtraject")
    CONTROLE = "controle", _("Controle")
    INTERVENTIE = "interventie", _("Interventie")


class Form(models.TextChoices):
    """Form of exploitation; a record with several forms counts once, as `meervoudig`."""

    SEKSUEEL = "seksueel", _("Seksuele uitbuiting")
    ARBEID = "arbeid", _("Arbeidsuitbuiting")
    CRIMINEEL = "crimineel", _("Criminele uitbuiting")
    ORGAAN = "orgaan", _("Gedwongen orgaanverwijdering")
    MEERVOUDIG = "meervoudig", _("Meerdere vormen")
    ONBEKEND = "onbekend", _("Onbekend")


class AgeGroup(models.TextChoices):
    """As SHOP reports: minors, 18–22 and 23 and older."""

    MINDERJARIG = "minderjarig", _("Minderjarig")
    JONG = "18-22", _("18–22 jaar")
    VOLWASSEN = "23+", _("23 jaar en ouder")
    ONBEKEND = "onbekend", _("Onbekend")


class Sector(models.TextChoices):
    LANDBOUW = "landbouw", _("Land- en tuinbouw")
    VLEESVERWERKING = "vleesverwerking", _("Vleesverwerking en voedselproductie")
    LOGISTIEK = "logistiek", _("Logistiek en distributie")
    BOUW = "bouw", _("Bouw")
    HORECA = "horeca", _("Horeca")
    SCHOONMAAK = "schoonmaak", _("Schoonmaak")
    HUISHOUDELIJK = "huishoudelijk", _("Huishoudelijk werk")
    SEKSBRANCHE = "seksbranche", _("Seksbranche")
    CRIMINALITEIT = "criminaliteit", _("Drugs en andere criminaliteit")
    OVERIG = "overig", _("Overig")
    ONBEKEND = "onbekend", _("Onbekend")


class Channel(models.TextChoices):
    """How an own signal came in (mirrors cases.Channel; empty for imported registrations)."""

    INTERN = "intern", _("Interne meldroute")
    PUBLIEK = "publiek", _("Openbaar meldformulier")
    PARTNER = "partner", _("Ketenpartner")
    MMA = "mma", _("Tip via Meld Misdaad Anoniem")
    POLITIE = "politie", _("Tip via de politie")


# A signal merged into another (`samengevoegd`) is a duplicate of the case it went into: the
# monitor counts that case once and the duplicate not at all (no double counting).
NOT_COUNTED_STATES = frozenset({CaseState.SAMENGEVOEGD.value})
OUTCOME_LABELS: dict[str, str] = {str(k): v for k, v in STATE_LABELS.items() if str(k) not in NOT_COUNTED_STATES}


class Indicator(models.TextChoices):
    """Risk indicators per municipality and year (seed 000 §4)."""

    RNI = "arbeidsmigranten_rni", _("Arbeidsmigranten in de RNI")
    BRP = "arbeidsmigranten_brp", _("Arbeidsmigranten in de BRP")
    LEEGSTAND = "administratieve_leegstand", _("Administratieve leegstand (adressen)")
    RISICOBEDRIJVEN = "bedrijven_risicosector", _("Bedrijven in risicosectoren")
    UITZENDBUREAUS = "uitzendbureaus_werk_en_huisvesting", _("Uitzendbureaus met werk én huisvesting")
    SEKSINRICHTINGEN = "vergunde_seksinrichtingen", _("Vergunde seksinrichtingen")


class Source(models.Model):
    """A partner whose figures the monitor shows (bron): own signals, police, NLA, …"""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("naam"), max_length=150)
    default_unit = models.CharField(_("eenheid"), max_length=20, choices=Unit.choices)
    description = models.TextField(_("wat telt deze bron"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("bron")
        verbose_name_plural = _("bronnen")

    def __str__(self) -> str:
        return self.name


OWN_SIGNALS = "eigen-signalen"


class ImportKind(models.TextChoices):
    REGISTRATIES = "registraties", _("Registraties (per record)")
    AANTALLEN = "aantallen", _("Aantallen (geaggregeerd)")
    INDICATOREN = "indicatoren", _("Risico-indicatoren")


class ImportStatus(models.TextChoices):
    GEACCEPTEERD = "geaccepteerd", _("Geaccepteerd")
    AFGEWEZEN = "afgewezen", _("Afgewezen")
    INGETROKKEN = "ingetrokken", _("Ingetrokken")


class Import(models.Model):
    """One delivered file: kept with who, when and which file, whether accepted or not."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="imports")
    # The region the file was delivered for: its rows lie there, and only that region's
    # ketenregisseur lists, opens and withdraws it (core/policy.py: monitor.import).
    region = models.ForeignKey(
        "accounts.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="monitor_imports"
    )
    kind = models.CharField(_("soort"), max_length=20, choices=ImportKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices)
    file_name = models.CharField(_("bestandsnaam"), max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    row_count = models.PositiveIntegerField(_("aantal rijen"), default=0)
    # Each faulty row as {"rij", "kolom", "fout"}; messages name the problem, never personal data.
    errors = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_by_label = models.CharField(max_length=150)
    uploaded_at = models.DateTimeField(auto_now_add=True, db_index=True)
    withdrawn = models.BooleanField(_("ingetrokken"), default=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(_("reden van intrekken"), max_length=300, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [
            # A file counts once per source: the same bytes cannot be accepted twice.
            models.UniqueConstraint(
                fields=["source", "sha256"],
                condition=models.Q(status="geaccepteerd"),
                name="monitor_import_once_per_source",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn=False) | models.Q(status="ingetrokken"),
                name="monitor_import_withdrawn_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source.slug}:{self.file_name}"


class Registration(models.Model):
    """A registered record (n = 1) or an aggregate row (n = count) from an import."""

    source_import = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="registrations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    # The partner's own id of the record (pseudonymous); empty for aggregate rows.
    record_id = models.CharField(max_length=64, blank=True)
    period_month = models.DateField()
    municipality = models.ForeignKey("accounts.Municipality", on_delete=models.PROTECT, related_name="+")
    unit = models.CharField(max_length=20, choices=Unit.choices)
    form = models.CharField(max_length=20, choices=Form.choices)
    age_group = models.CharField(max_length=20, choices=AgeGroup.choices)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    n = models.PositiveIntegerField(default=1)
    # Cell Key Method (domain/cellkey.py): drawn once when the row is stored. An aggregate row
    # (n > 1) has one key: its units always fall in the same cells together, and the sum of n
    # uniform unit keys modulo a prime is itself one uniform key.
    record_key = models.IntegerField(default=new_key)
    block_key = models.IntegerField(default=new_key)

    class Meta:
        indexes = [
            models.Index(fields=["source", "record_id"]),
            models.Index(fields=["source_import", "period_month"]),
        ]


class RiskIndicator(models.Model):
    source_import = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="indicators")
    municipality = models.ForeignKey("accounts.Municipality", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    indicator = models.CharField(max_length=40, choices=Indicator.choices)
    value = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        indexes = [models.Index(fields=["municipality", "indicator", "year"])]


class MonitorCount(models.Model):
    """Pre-aggregated counts: what every monitor page reads (a few thousand rows per page)."""

    period_month = models.DateField()
    municipality = models.ForeignKey("accounts.Municipality", on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    unit = models.CharField(max_length=20, choices=Unit.choices)
    form = models.CharField(max_length=20, choices=Form.choices)
    age_group = models.CharField(max_length=20, choices=AgeGroup.choices)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    channel = models.CharField(max_length=10, blank=True)
    outcome = models.CharField(max_length=20, blank=True)
    n = models.PositiveIntegerField()
    # Sums of the records' keys modulo KEY_MODULUS (record keys and block keys).
    key_sum = models.IntegerField(default=0)
    block_sum = models.IntegerField(default=0)

    class Meta:
        indexes = [
            # Regional pages: one series (source, unit) over a set of municipalities and months.
            models.Index(fields=["source", "unit", "municipality", "period_month"], name="monitor_cnt_series"),
            # Side-by-side overview of all series for an area and period.
            models.Index(fields=["municipality", "period_month"], name="monitor_cnt_area"),
        ]


class CountRefresh(models.Model):
    """Log of count rebuilds; the latest id is the data version in cache keys."""

    at = models.DateTimeField(auto_now_add=True)
    # When the rebuild began: a change committed before this moment is in it.
    started_at = models.DateTimeField(null=True, blank=True)
    scope = models.CharField(max_length=60)
    rows = models.PositiveIntegerField(default=0)


class SignalKey(models.Model):
    """The Cell Key Method's keys of one own signal (a case), drawn once on its first count."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="monitor_keys")
    record_key = models.IntegerField(default=new_key)
    block_key = models.IntegerField(default=new_key)


class PersonKey(models.Model):
    """The Cell Key Method's keys of one person in an own signal (counted by vulnerable group)."""

    subject = models.OneToOneField("cases.Subject", on_delete=models.CASCADE, primary_key=True, related_name="monitor_keys")
    record_key = models.IntegerField(default=new_key)
    block_key = models.IntegerField(default=new_key)


class Release(models.Model):
    """A release of the protected figures: every count up to `period` (a closed month), frozen.

    Figures that leave the municipality are computed from the latest release only, so they
    change by release and not by every import or signal. The p-table parameters are stored
    with the release: changing the settings takes effect at the next release.
    """

    period = models.DateField(_("cijfers tot en met (maand)"))
    released_at = models.DateTimeField(_("vrijgegeven op"), default=timezone.now, db_index=True)
    released_by_label = models.CharField(max_length=150)
    threshold = models.PositiveSmallIntegerField()
    max_deviation = models.PositiveSmallIntegerField()
    variance = models.FloatField()
    # Months up to and including this one were copied unchanged from the previous release
    # (final: later corrections to them are no longer published); null for a first release.
    final_through = models.DateField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-released_at", "-id"]
        get_latest_by = ["released_at", "id"]
        verbose_name = _("release")

    def __str__(self) -> str:
        return f"release {self.period:%Y-%m} ({self.released_at:%Y-%m-%d})"


class ReleaseCount(models.Model):
    """One row of a release: a count with its cell key (row key) for the Cell Key Method.

    `kind` is "monitor" for the monitor's series (source + unit, the dimensions below);
    other kinds (e.g. the KPI "casusvoorstellen") use `category` and leave the rest empty.
    Records of the same region, kind, source, unit, category and month form one month block.
    """

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="counts")
    kind = models.CharField(max_length=40, default="monitor")
    period_month = models.DateField()
    region = models.ForeignKey("accounts.Region", on_delete=models.CASCADE, related_name="+")
    # Empty for a figure kind that counts per region only.
    municipality = models.ForeignKey("accounts.Municipality", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    unit = models.CharField(max_length=20, blank=True)
    form = models.CharField(max_length=20, blank=True)
    age_group = models.CharField(max_length=20, blank=True)
    sector = models.CharField(max_length=20, blank=True)
    channel = models.CharField(max_length=10, blank=True)
    outcome = models.CharField(max_length=20, blank=True)
    category = models.CharField(max_length=60, blank=True)
    n = models.PositiveIntegerField()
    cell_key = models.IntegerField()

    class Meta:
        indexes = [
            # n and cell_key at the end: summing a series over an area and period (the
            # comparison of every series) reads the index alone, not the table (bench/monitor.py).
            models.Index(fields=["release", "kind", "source", "unit", "municipality", "period_month", "n", "cell_key"], name="monitor_rel_series_cover"),
            models.Index(fields=["release", "kind", "municipality", "period_month"], name="monitor_rel_area"),
            models.Index(fields=["release", "kind", "region", "category", "period_month"], name="monitor_rel_kind"),
        ]
