"""The action programme, training and awareness, and the reports to the board (issue 9).

- ``Programme`` (actieprogramma / plan van aanpak): of one municipality, district or region,
  with pillars (``Pillar``), strategic and operational goals (``Goal``) and actions.
- ``Action``: what, who (organisation and/or a named role, optionally a responsible user),
  when (as written, parsed by domain/programme.py into a deadline or a recurrence), status
  green/orange/red with a dated history (``ActionUpdate``: status and/or progress note).
- ``ActionOccurrence``: one due date of a recurring action ("Jaarlijks, Q2 en Q4"), generated
  by services.occurrences_generate and ticked off one by one.
- ``TargetGroup``, ``Training``, ``TrainingAttendance``, ``TrainingNeed``: who must be trained in
  a municipality, the sessions and e-learnings held, attendance as counts per function (never
  names: the coverage needs numbers, not people) and the needs inventory per department.
- ``BoardReport``: a generated half-yearly or yearly report (PDF) for mayor, table or council.

Awareness campaigns stay in the barriers app (``AwarenessCampaign``), where the district KPI
counts them; the programme pages show and record them through the barriers service.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Level(models.TextChoices):
    GEMEENTE = "gemeente", _("Gemeente")
    DISTRICT = "district", _("District")
    REGIO = "regio", _("Regio")


class ScopedModel(models.Model):
    """Something that belongs to exactly one municipality, district or region."""

    level = models.CharField(_("niveau"), max_length=10, choices=Level.choices)
    municipality = models.ForeignKey("accounts.Municipality", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    district = models.ForeignKey("accounts.District", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    @property
    def area(self) -> object:
        return {"gemeente": self.municipality, "district": self.district}.get(self.level, self.region)

    @property
    def area_name(self) -> str:
        return getattr(self.area, "name", "")


def scope_of(area: object) -> dict[str, object]:
    """level / municipality / district / region_id of a Municipality, District or Region."""
    from ketenzicht.accounts.models import District, Municipality

    if isinstance(area, Municipality):
        return {"level": Level.GEMEENTE, "municipality": area, "district": None, "region_id": area.region_id}
    if isinstance(area, District):
        return {"level": Level.DISTRICT, "municipality": None, "district": area, "region_id": area.region_id}
    return {"level": Level.REGIO, "municipality": None, "district": None, "region_id": area.pk}  # type: ignore[attr-defined]


def _one_scope(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=(Q(level="gemeente", municipality__isnull=False, district__isnull=True)
                       | Q(level="district", district__isnull=False, municipality__isnull=True)
                       | Q(level="regio", district__isnull=True, municipality__isnull=True)),
            name=f"{prefix}_one_scope",
        )
    ]


class Programme(ScopedModel):
    name = models.CharField(_("naam"), max_length=200)
    first_year = models.PositiveSmallIntegerField(_("van jaar"))
    last_year = models.PositiveSmallIntegerField(_("tot en met jaar"))
    description = models.TextField(_("toelichting"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-last_year", "name"]
        constraints = [
            *_one_scope("programme"),
            models.CheckConstraint(condition=Q(last_year__gte=models.F("first_year")), name="programme_years_in_order"),
        ]

    def __str__(self) -> str:
        return self.name


class Pillar(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="pillars")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("pijler"), max_length=200)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["programme", "name"], name="pillar_name_once")]

    def __str__(self) -> str:
        return self.name


class GoalKind(models.TextChoices):
    STRATEGISCH = "strategisch", _("Strategisch doel")
    OPERATIONEEL = "operationeel", _("Operationeel doel")


class Goal(models.Model):
    pillar = models.ForeignKey(Pillar, on_delete=models.CASCADE, related_name="goals")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    kind = models.CharField(_("soort doel"), max_length=20, choices=GoalKind.choices, default=GoalKind.OPERATIONEEL)
    text = models.CharField(pgettext_lazy("programmadoel", "doel"), max_length=500)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class RagStatus(models.TextChoices):
    GROEN = "groen", _("Groen: op koers")
    ORANJE = "oranje", _("Oranje: aandacht nodig")
    ROOD = "rood", _("Rood: niet op koers")


class Action(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="actions")
    pillar = models.ForeignKey(Pillar, on_delete=models.PROTECT, null=True, blank=True, related_name="actions")
    goal = models.ForeignKey(Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions")
    number = models.CharField(_("nummer"), max_length=20, blank=True)
    what = models.TextField(_("wat"))
    owner_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("organisatie")
    )
    owner_text = models.CharField(_("wie"), max_length=200, blank=True, help_text=_("Een rol of team, geen persoonsnaam."))
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("verantwoordelijke")
    )
    when_text = models.CharField(_("wanneer"), max_length=100)
    due_date = models.DateField(null=True, blank=True)  # one-off deadline (parsed from when_text)
    recurring = models.BooleanField(default=False)
    status = models.CharField(_("status"), max_length=10, choices=RagStatus.choices, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    done_on = models.DateField(_("afgerond op"), null=True, blank=True)  # one-off actions only
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pillar__position", "number", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], condition=~Q(number=""), name="action_number_once"),
            models.CheckConstraint(condition=Q(recurring=False) | Q(done_on__isnull=True), name="recurring_done_per_occurrence"),
        ]
        indexes = [models.Index(fields=["programme", "due_date"])]

    def __str__(self) -> str:
        return f"{self.number} {self.what[:60]}".strip()

    @property
    def owner_label(self) -> str:
        """Who, as published: organisation and role, never a person's name."""
        parts = [p for p in (self.owner_organisation.name if self.owner_organisation else "", self.owner_text) if p]
        return " – ".join(parts)


class ActionUpdate(models.Model):
    """A dated line of an action's history: a status change, a progress note, or both."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=RagStatus.choices, blank=True)
    previous_status = models.CharField(max_length=10, choices=RagStatus.choices, blank=True)
    note = models.TextField(_("voortgang"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    source = models.CharField(max_length=20, default="hand")  # hand | import

    class Meta:
        ordering = ["-at", "-id"]


class ActionOccurrence(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="occurrences")
    due_date = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["due_date"]
        constraints = [models.UniqueConstraint(fields=["action", "due_date"], name="occurrence_once")]


class ActionImport(models.Model):
    """Record of an imported action table: who, when, what it did (no file kept)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="imports")
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-at"]


# --- training and awareness ---------------------------------------------------------------------
class Function(models.TextChoices):
    """The functions each seed wants trained yearly."""

    BOA = "boa", _("Boa's")
    BWT = "bwt", _("Bouw- en woningtoezicht (BWT)")
    BURGERZAKEN = "burgerzaken", _("Burgerzaken / publiekszaken")
    HANDHAVING = "handhaving", _("Toezicht en handhaving")
    JEUGD_GEZIN = "jeugd_gezin", _("Jeugd- en gezinsteams / CJG")
    JONGERENWERK = "jongerenwerk", _("Jongerenwerk")
    LEERPLICHT = "leerplicht", _("Leerplicht")
    VERGUNNINGEN = "vergunningen", _("Vergunningen")
    WIJK_GGD = "wijk_ggd", _("Wijk-GGD")
    WMO = "wmo", _("Wmo-consulenten")
    SOCIAAL_DOMEIN = "sociaal_domein", _("Sociaal domein (overig)")
    WERK_INKOMEN = "werk_inkomen", _("Werk en inkomen")
    OVERIG = "overig", _("Overig")


class TargetGroup(models.Model):
    municipality = models.ForeignKey("accounts.Municipality", on_delete=models.PROTECT, related_name="+")
    function = models.CharField(_("functie"), max_length=30, choices=Function.choices)
    department = models.CharField(_("afdeling"), max_length=150, blank=True)
    headcount = models.PositiveIntegerField(_("aantal medewerkers"), null=True, blank=True)
    yearly_target = models.PositiveIntegerField(
        _("jaarlijks te trainen"), null=True, blank=True, help_text=_("Leeg: ten minste één medewerker per jaar.")
    )

    class Meta:
        ordering = ["function"]
        constraints = [models.UniqueConstraint(fields=["municipality", "function"], name="target_group_once")]


class TrainingKind(models.TextChoices):
    TRAINING = "training", _("Training of bijeenkomst")
    E_LEARNING = "e_learning", _("E-learning")
    TEAMOVERLEG = "teamoverleg", _("Aansluiten bij teamoverleg")
    ROADSHOW = "roadshow", _("Roadshow / themabijeenkomst")


class Training(models.Model):
    municipality = models.ForeignKey("accounts.Municipality", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("soort"), max_length=20, choices=TrainingKind.choices)
    title = models.CharField(_("titel"), max_length=200)
    provider = models.CharField(_("aanbieder"), max_length=150, blank=True)
    held_on = models.DateField(_("datum"), help_text=_("Voor een e-learning: de datum waarop de deelnemers hem afrondden."))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-held_on"]


class TrainingAttendance(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="attendance")
    function = models.CharField(max_length=30, choices=Function.choices)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["training", "function"], name="attendance_once_per_function")]


class Priority(models.TextChoices):
    HOOG = "hoog", _("Hoog")
    MIDDEN = "midden", _("Midden")
    LAAG = "laag", _("Laag")


class TrainingNeed(models.Model):
    """One line of the training-needs inventory of a department (behoeftepeiling)."""

    municipality = models.ForeignKey("accounts.Municipality", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("jaar"))
    department = models.CharField(_("afdeling"), max_length=150)
    function = models.CharField(_("functie"), max_length=30, choices=Function.choices)
    staff_to_train = models.PositiveIntegerField(_("aantal te trainen"))
    need = models.CharField(_("behoefte"), max_length=500, help_text=_("Welke kennis of vaardigheid ontbreekt?"))
    priority = models.CharField(_("prioriteit"), max_length=10, choices=Priority.choices, default=Priority.MIDDEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "department", "function"]


# --- reports to the board -----------------------------------------------------------------------
class BoardReport(ScopedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    period = models.CharField(_("periode"), max_length=10)  # 2026H1, 2026H2 or 2026
    kind = models.CharField(max_length=10)  # halfjaar | jaar
    pdf = models.BinaryField()
    pages = models.PositiveSmallIntegerField(default=0)
    generated_at = models.DateTimeField(auto_now_add=True)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    scheduled = models.BooleanField(default=False)
    redactions = models.PositiveSmallIntegerField(default=0)  # names removed before publishing

    class Meta:
        ordering = ["-generated_at"]
        constraints = _one_scope("board_report")

    @property
    def file_name(self) -> str:
        area = self.area_name.lower().replace(" ", "-")
        return f"voortgangsrapportage-{area}-{self.period}.pdf"
