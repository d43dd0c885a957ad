"""Tables where signals are decided: signalenoverleg, LOO and regional tables.

- ``MeetingKind``: a kind of table (data from ``data/norms/<region>.yaml``), with the venue that
  decides which state-machine decisions it may take.
- ``Meeting``: one recurring table (overleg) of a municipality, with schedule and participants; or
  a table above the municipalities (issue 14 item 3) with no municipality but a ``region`` (and a
  ``district`` for a district table), convened by the ketenregisseur or district coordinator.
- ``Sitting``: one occurrence (vergadering) with its agenda; its minutes (notulen) are generated
  from the decisions and become immutable when finalised (corrections are appended).
- ``Decision`` and ``ActionItem`` (actiepunt): what the chair recorded per agenda item.
- ``ReminderSent``: one row per reminder e-mail, so each reminder goes out once.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Venue(models.TextChoices):
    SIGNALENOVERLEG = "signalenoverleg", _("Signalenoverleg")
    LOO = "loo", _("Lokaal Overleg Ondermijning")
    REGIONALE_TAFEL = "regionale_tafel", _("Regionale of districtelijke tafel")
    OVERIG = "overig", _("Overige overlegtafel")


class MeetingKind(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("naam"), max_length=100)
    venue = models.CharField(_("soort besluiten"), max_length=20, choices=Venue.choices)
    description = models.TextField(_("omschrijving"), blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Frequency(models.IntegerChoices):
    WEKELIJKS = 1, _("Elke week")
    TWEEWEKELIJKS = 2, _("Elke twee weken")
    DRIEWEKELIJKS = 3, _("Elke drie weken")
    VIERWEKELIJKS = 4, _("Elke vier weken")


class Weekday(models.IntegerChoices):
    MAANDAG = 0, _("maandag")
    DINSDAG = 1, _("dinsdag")
    WOENSDAG = 2, _("woensdag")
    DONDERDAG = 3, _("donderdag")
    VRIJDAG = 4, _("vrijdag")


class Meeting(models.Model):
    """A recurring table (overleg) of one municipality."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.ForeignKey(MeetingKind, on_delete=models.PROTECT, related_name="meetings")
    # A municipal table has a municipality; a regional or district table has none but a region
    # (and a district), the scope its convener works in (core/policy_tables.py).
    municipality = models.ForeignKey(
        "accounts.Municipality", on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    region = models.ForeignKey(
        "accounts.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    district = models.ForeignKey(
        "accounts.District", on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    name = models.CharField(_("naam"), max_length=150)
    interval_weeks = models.PositiveSmallIntegerField(
        _("frequentie"), choices=Frequency.choices, default=Frequency.WEKELIJKS
    )
    weekday = models.PositiveSmallIntegerField(_("dag"), choices=Weekday.choices, default=Weekday.DINSDAG)
    start_time = models.TimeField(_("aanvang"), default="10:00")
    first_date = models.DateField(_("eerste vergadering"))
    organisations = models.ManyToManyField(
        "accounts.Organisation", related_name="meetings", verbose_name=_("deelnemende organisaties")
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="meetings", verbose_name=_("deelnemers")
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["municipality__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(municipality__isnull=False, region__isnull=True, district__isnull=True)
                | models.Q(municipality__isnull=True, region__isnull=False),
                name="meeting_one_scope",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def venue(self) -> str:
        return self.kind.venue

    @property
    def regional(self) -> bool:
        """A table above the municipalities (district or region)."""
        return self.municipality_id is None

    @property
    def scope_label(self) -> str:
        if self.municipality_id is not None:
            return self.municipality.name
        if self.district_id is not None:
            return f"district {self.district.name}"
        return f"regio {self.region.name}"


class Sitting(models.Model):
    """One vergadering of a table; holds the agenda and, later, the minutes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="sittings")
    date = models.DateField(_("datum"))
    start_time = models.TimeField(_("aanvang"))
    minutes_finalised_at = models.DateTimeField(null=True, blank=True)
    minutes_finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "start_time"]
        constraints = [models.UniqueConstraint(fields=["meeting", "date"], name="sitting_once_per_day")]

    def __str__(self) -> str:
        return f"{self.meeting} {self.date:%d-%m-%Y}"

    @property
    def finalised(self) -> bool:
        return self.minutes_finalised_at is not None


class AgendaItem(models.Model):
    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="items")
    # Empty once the case is purged after its retention term: the minutes keep the item and its
    # decision, with only the reference (`case_reference`) and no personal data (retention app).
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, related_name="agenda_items")
    case_reference = models.CharField(max_length=20, blank=True)
    # A theme of the ketenregisseur on a regional table (no case): a white spot in the barrier
    # model, a KPI in red, an action of the programme, with an optional reference or link.
    theme = models.CharField(_("thema"), max_length=200, blank=True)
    theme_reference = models.CharField(_("verwijzing"), max_length=300, blank=True)
    # Who put the item on the agenda (the AF bringing a case, the chair adding a theme).
    brought_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sitting", "case"], name="agenda_case_once"),
        ]


class Decision(models.Model):
    """What the table decided on one agenda item. Append-only: never changed after saving."""

    item = models.OneToOneField(AgendaItem, on_delete=models.PROTECT, related_name="decision")
    action = models.CharField(max_length=40)
    label = models.CharField(max_length=150)
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    rationale = models.TextField(_("onderbouwing"))
    info_needed = models.CharField(_("welke informatie"), max_length=300, blank=True)
    info_from = models.CharField(_("van wie"), max_length=200, blank=True)
    decided_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    feedback_due = models.DateField(_("terugkoppeling uiterlijk"), null=True, blank=True)

    class Meta:
        ordering = ["decided_at", "id"]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Een besluit wordt nooit gewijzigd; leg een correctie vast bij de notulen.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ActionItem(models.Model):
    """An actiepunt agreed at the table: who does what, before when."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="action_items")
    description = models.CharField(_("actie"), max_length=300)
    owner_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisatie")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("persoon"),
    )
    due_date = models.DateField(_("uiterlijk"))
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "id"]


class MinutesCorrection(models.Model):
    """A correction to finalised minutes: appended, never edited or removed."""

    sitting = models.ForeignKey(Sitting, on_delete=models.PROTECT, related_name="corrections")
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    text = models.TextField(_("correctie"))
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Een correctie wordt nooit gewijzigd; voeg een nieuwe toe.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ReminderKind(models.TextChoices):
    ACTIEPUNT_BIJNA = "actiepunt_bijna", _("Actiepunt: uiterste datum nadert")
    ACTIEPUNT_TE_LAAT = "actiepunt_te_laat", _("Actiepunt: te laat")
    TERUGKOPPELING_BIJNA = "terugkoppeling_bijna", _("Terugkoppeling: uiterste datum nadert")
    TERUGKOPPELING_TE_LAAT = "terugkoppeling_te_laat", _("Terugkoppeling: te laat")
    BEOORDELING_BIJNA = "beoordeling_bijna", _("Eerste beoordeling: uiterste datum nadert")
    BEOORDELING_TE_LAAT = "beoordeling_te_laat", _("Eerste beoordeling: te laat")
    PROGRAMMA_BIJNA = "programma_bijna", _("Actie uit het actieprogramma: datum nadert")
    PROGRAMMA_TE_LAAT = "programma_te_laat", _("Actie uit het actieprogramma: te laat")


class ReminderSent(models.Model):
    """One reminder e-mail: unique per (subject, kind, due date), claimed before sending.

    Like healthchecks' sendalerts: a row is created (or found) by its natural key and then
    claimed with a conditional UPDATE; only the process whose UPDATE changed the row sends.
    """

    subject_type = models.CharField(max_length=20)
    subject_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=30, choices=ReminderKind.choices)
    due_date = models.DateField()
    recipients = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "kind", "due_date"], name="reminder_once"
            )
        ]
