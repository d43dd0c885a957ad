"""Disrupting traffickers: barrier models, interventions, integral controls, Bibob, campaigns.

- ``BarrierModel`` (barrièremodel): per form of exploitation and year, the steps of the criminal
  process (``BarrierStep``) and per step the barriers (``Barrier``). Shipped versions have no
  region; a region that edits gets its own copy for that year (copy-on-write, services.py).
- ``Intervention``: an administrative or other measure against a case, an address or a company,
  with its barrier step, instrument, dates and — after the fact — its effect.
- ``IntegralControl`` (integrale controle): a joint inspection, its findings (factsheet checklist)
  and follow-up interventions. A regional control (``regional``, the regionaal controleteam of
  issue 14) spans several municipalities: one ``ControlAddress`` per address, each with the
  findings of that address, recorded by the AF of its municipality; ``municipality`` is the lead.
- ``BibobScreening``: the Bibob register of screened applications.
- ``AwarenessCampaign`` (bewustwordingscampagne): minimal, for the district KPI; to move to the
  programme app when that exists.
- ``EffectReminderSent``: one row per reminder that an effect is missing (sent once).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ketenzicht.cases.models import ContactState
from ketenzicht.domain.lifecycles import intervention as intervention_lifecycle


class BarrierForm(models.TextChoices):
    ARBEID = "arbeid", _("Arbeidsuitbuiting")
    SEKSUEEL = "seksueel", _("Seksuele uitbuiting")
    CRIMINEEL = "crimineel", _("Criminele uitbuiting")


class Instrument(models.TextChoices):
    BRP_RNI_CONTROLE = "brp_rni_controle", _("BRP/RNI-inschrijvingscontrole")
    ADRESONDERZOEK = "adresonderzoek", _("Adresonderzoek (Landelijke Aanpak Adreskwaliteit)")
    HUISVESTINGSREGELS = "huisvestingsregels", _("Handhaven huisvestingsregels arbeidsmigranten")
    APV_SLUITING = "apv_sluiting", _("Sluiting op grond van de APV")
    VERGUNNING_WEIGEREN_INTREKKEN = "vergunning_weigeren_intrekken", _("Vergunning weigeren of intrekken")
    BIBOB = "bibob", _("Bibob-toets")
    LAST_ONDER_DWANGSOM = "last_onder_dwangsom", _("Last onder dwangsom")
    UITKERING_TERUGVORDEREN = "uitkering_terugvorderen", _("Uitkering terugvorderen")
    STOPGESPREK = "stopgesprek", _("Stop-gesprek")
    INTEGRALE_CONTROLE = "integrale_controle", _("Integrale controle")
    BRANDVEILIGHEIDSCONTROLE = "brandveiligheidscontrole", _("Brandveiligheidscontrole")
    FISCALE_AANPAK = "fiscale_aanpak", _("Fiscale aanpak")
    DOORVERWIJZING_KMAR = "doorverwijzing_kmar", _("Melding aan KMar")
    VOORLICHTING = "voorlichting", _("Voorlichting en weerbaarheid")
    KEURMERK_TUSSENPERSONEN = "keurmerk_tussenpersonen", _("Keurmerk tussenpersonen")
    OVERIG = "overig", _("Overig")


class BarrierModel(models.Model):
    form = models.CharField(_("vorm van uitbuiting"), max_length=20, choices=BarrierForm.choices)
    year = models.PositiveSmallIntegerField(_("jaar"))
    region = models.ForeignKey(
        "accounts.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="barrier_models"
    )
    name = models.CharField(_("naam"), max_length=150)
    source = models.CharField(_("bron"), max_length=300, blank=True)
    based_on = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["form", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["form", "year", "region"], name="barrier_model_once_per_region_year"),
            models.UniqueConstraint(
                fields=["form", "year"], condition=models.Q(region__isnull=True), name="barrier_model_shipped_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year}"


class BarrierStep(models.Model):
    model = models.ForeignKey(BarrierModel, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=40)
    name = models.CharField(_("stap"), max_length=100)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["model", "code"], name="barrier_step_code_once")]

    def __str__(self) -> str:
        return self.name


class Barrier(models.Model):
    step = models.ForeignKey(BarrierStep, on_delete=models.CASCADE, related_name="barriers")
    position = models.PositiveSmallIntegerField(default=0)
    instrument = models.CharField(_("instrument"), max_length=40, choices=Instrument.choices)
    organisation_kind = models.CharField(_("verantwoordelijke organisatie"), max_length=40)
    legal_basis = models.CharField(_("grondslag"), max_length=200, blank=True)
    description = models.CharField(_("omschrijving"), max_length=300, blank=True)

    class Meta:
        ordering = ["position", "id"]


class ControlTrigger(models.TextChoices):
    SIGNAAL = "signaal", _("Signaal")
    RISICOANALYSE = "risicoanalyse", _("Risicoanalyse")


class ControlStatus(models.TextChoices):
    """The states of `domain/lifecycles/control.py` (written only by `services.control_transition`)."""

    GEPLAND = "gepland", _("Gepland")
    UITGEVOERD = "uitgevoerd", _("Uitgevoerd")
    GEANNULEERD = "geannuleerd", _("Geannuleerd")


class InterventionStatus(models.TextChoices):
    """The states of `domain/lifecycles/intervention.py` (written only by `services.intervention_transition`)."""

    VOORGESTELD = "voorgesteld", _("Voorgesteld")
    BESLOTEN = "besloten", _("Besloten")
    INGEZET = "ingezet", _("Ingezet, effect nog niet vastgelegd")
    EFFECT_VASTGELEGD = "effect_vastgelegd", _("Effect vastgelegd")
    AFGEZIEN = "afgezien", _("Niet doorgegaan")


class Answer(models.TextChoices):
    JA = "ja", _("Ja")
    NEE = "nee", _("Nee")
    ONBEKEND = "onbekend", _("Niet vastgesteld")


class IntegralControl(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey("accounts.Municipality", on_delete=models.PROTECT, related_name="integral_controls")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="integral_controls")
    trigger = models.CharField(_("aanleiding"), max_length=20, choices=ControlTrigger.choices)
    trigger_note = models.CharField(_("toelichting aanleiding"), max_length=300, blank=True)
    location_address = models.CharField(_("adres"), max_length=200, blank=True)
    address_key = models.CharField(max_length=200, blank=True, db_index=True)
    address_hash = models.CharField(max_length=32, blank=True, db_index=True)
    company_name = models.CharField(_("bedrijfsnaam"), max_length=200, blank=True)
    kvk_number = models.CharField(_("KvK-nummer"), max_length=8, blank=True, db_index=True)
    planned_on = models.DateField(_("datum"))
    organisations = models.ManyToManyField("accounts.Organisation", related_name="+", verbose_name=_("deelnemende organisaties"))
    status = models.CharField(max_length=20, choices=ControlStatus.choices, default=ControlStatus.GEPLAND)
    executed_on = models.DateField(_("uitgevoerd op"), null=True, blank=True)
    findings = models.JSONField(_("bevindingen"), default=dict, blank=True)
    findings_notes = models.TextField(_("overige bevindingen"), blank=True)
    # A regional control team (issue 14 item 4): planned by the ketenregisseur, addresses in several
    # municipalities (`addresses`), `municipality` the lead. `form`: the form of exploitation it
    # targets, which counts it in the district KPI as a case's form does for a municipal control.
    regional = models.BooleanField(_("regionale controle"), default=False)
    form = models.CharField(_("vorm van uitbuiting"), max_length=20, choices=BarrierForm.choices, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-planned_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="uitgevoerd") | models.Q(executed_on__isnull=False),
                name="control_executed_has_date",
            ),
        ]

    @property
    def findings_yes(self) -> int:
        """How many checklist indicators were found (answered "ja")."""
        return sum(1 for answer in (self.findings or {}).values() if answer == "ja")

    @property
    def participates_nla(self) -> bool:
        return any(o.kind == "nla" for o in self.organisations.all())


class ControlAddress(models.Model):
    """One address of a regional control, in one municipality, with the findings found there.

    Only the AF of `municipality` records and reads these findings (policy
    `barriers.address_findings`); the others see that the address exists in that municipality.
    """

    control = models.ForeignKey(IntegralControl, on_delete=models.CASCADE, related_name="addresses")
    municipality = models.ForeignKey("accounts.Municipality", on_delete=models.PROTECT, related_name="+")
    location_address = models.CharField(_("adres"), max_length=200)
    address_key = models.CharField(max_length=200, db_index=True)
    address_hash = models.CharField(max_length=32, db_index=True)
    executed_on = models.DateField(_("uitgevoerd op"), null=True, blank=True)
    findings = models.JSONField(_("bevindingen"), default=dict, blank=True)
    findings_notes = models.TextField(_("overige bevindingen"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["municipality__name", "location_address", "pk"]
        constraints = [models.UniqueConstraint(fields=["control", "address_key"], name="control_address_once")]

    @property
    def findings_yes(self) -> int:
        return sum(1 for answer in (self.findings or {}).values() if answer == "ja")


class EffectCategory(models.TextChoices):
    GESTOPT = "gestopt", _("Uitbuiting gestopt of situatie hersteld")
    VERSTOORD = "verstoord", _("Activiteit verstoord of bemoeilijkt")
    NALEVING = "naleving", _("Alsnog aan de regels voldaan")
    VERPLAATST = "verplaatst", _("Activiteit verplaatst (waterbedeffect)")
    GEEN_EFFECT = "geen_effect", _("Geen zichtbaar effect")
    ONBEKEND = "onbekend", _("Effect (nog) niet vast te stellen")


class Intervention(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey("accounts.Municipality", on_delete=models.PROTECT, related_name="interventions")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="interventions")
    control = models.ForeignKey(IntegralControl, on_delete=models.PROTECT, null=True, blank=True, related_name="interventions")
    # Proposed at the LOO: the agenda item it belongs to (read from the meetings app, not edited there).
    agenda_item = models.ForeignKey("meetings.AgendaItem", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    loo_decision = models.ForeignKey("meetings.Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    location_address = models.CharField(_("adres"), max_length=200, blank=True)
    address_key = models.CharField(max_length=200, blank=True, db_index=True)
    address_hash = models.CharField(max_length=32, blank=True, db_index=True)
    company_name = models.CharField(_("bedrijfsnaam"), max_length=200, blank=True)
    kvk_number = models.CharField(_("KvK-nummer"), max_length=8, blank=True, db_index=True)
    form = models.CharField(_("vorm van uitbuiting"), max_length=20, choices=BarrierForm.choices)
    step_code = models.SlugField(_("stap in het barrièremodel"), max_length=40)
    instrument = models.CharField(_("instrument"), max_length=40, choices=Instrument.choices)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("uitvoerende organisatie"))
    description = models.TextField(_("omschrijving"), blank=True)
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    started_on = models.DateField(_("ingezet op"), null=True, blank=True)
    ended_on = models.DateField(_("afgerond op"), null=True, blank=True)
    effect_due = models.DateField(_("effect vastleggen uiterlijk"), null=True, blank=True)
    effect_category = models.CharField(_("effect"), max_length=20, choices=EffectCategory.choices, blank=True)
    effect_text = models.TextField(_("toelichting op het effect"), blank=True)
    effect_recorded_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=InterventionStatus.choices, default=InterventionStatus.VOORGESTELD)
    dropped_reason = models.TextField(_("waarom niet doorgegaan"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-proposed_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effect_category="") | models.Q(started_on__isnull=False),
                name="intervention_effect_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["ingezet", "effect_vastgelegd"]) | models.Q(started_on__isnull=False),
                name="intervention_started_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="effect_vastgelegd") | models.Q(effect_recorded_at__isnull=False),
                name="intervention_effect_has_time",
            ),
        ]

    @property
    def status_label(self) -> str:
        return intervention_lifecycle.MACHINE.label(self.status)


INTERVENTION_STATUS_LABELS = dict(InterventionStatus.choices)


class ApplicationKind(models.TextChoices):
    HUISVESTING_ARBEIDSMIGRANTEN = "huisvesting_arbeidsmigranten", _("Huisvesting arbeidsmigranten")
    SEKSINRICHTING = "seksinrichting", _("Exploitatievergunning seksinrichting")
    HORECA = "horeca", _("Horeca-exploitatievergunning")
    OVERIG = "overig", _("Andere risicovolle vergunning of subsidie")


class BibobRisk(models.TextChoices):
    NOG_NIET = "nog_niet", _("Nog niet beoordeeld")
    GEEN = "geen", _("Geen gevaar")
    MINDERE_MATE = "mindere_mate", _("Mindere mate van gevaar")
    ERNSTIG = "ernstig", _("Ernstig gevaar")


class BibobDecision(models.TextChoices):
    LOPEND = "lopend", _("Nog geen besluit")
    VERLEEND = "verleend", _("Verleend")
    VOORSCHRIFTEN = "voorschriften", _("Verleend met voorschriften")
    GEWEIGERD = "geweigerd", _("Geweigerd")
    INGETROKKEN = "ingetrokken", _("Ingetrokken")
    INGETROKKEN_DOOR_AANVRAGER = "ingetrokken_aanvrager", _("Aanvraag ingetrokken door aanvrager")


class BibobScreening(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey("accounts.Municipality", on_delete=models.PROTECT, related_name="bibob_screenings")
    application_kind = models.CharField(_("soort aanvraag"), max_length=40, choices=ApplicationKind.choices)
    applicant = models.CharField(_("aanvrager (bedrijf)"), max_length=200)
    kvk_number = models.CharField(_("KvK-nummer"), max_length=8, blank=True)
    location_address = models.CharField(_("adres"), max_length=200, blank=True)
    received_on = models.DateField(_("aanvraag ontvangen op"))
    risk = models.CharField(_("risicobeoordeling"), max_length=20, choices=BibobRisk.choices, default=BibobRisk.NOG_NIET)
    lbb_advice_requested = models.BooleanField(_("advies gevraagd aan het Landelijk Bureau Bibob"), default=False)
    lbb_requested_on = models.DateField(_("advies gevraagd op"), null=True, blank=True)
    decision = models.CharField(_("besluit"), max_length=30, choices=BibobDecision.choices, default=BibobDecision.LOPEND)
    decided_on = models.DateField(_("besluit op"), null=True, blank=True)
    notes = models.TextField(_("aantekeningen"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision="lopend") | models.Q(decided_on__isnull=False),
                name="bibob_decision_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(lbb_advice_requested=True) | models.Q(lbb_requested_on__isnull=True),
                name="bibob_lbb_date_only_when_requested",
            ),
        ]


class AwarenessCampaign(models.Model):
    """A bewustwordingscampagne in a district (KPI: one per district per year)."""

    district = models.ForeignKey("accounts.District", on_delete=models.PROTECT, related_name="awareness_campaigns")
    municipality = models.ForeignKey("accounts.Municipality", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    title = models.CharField(_("titel"), max_length=200)
    audience = models.CharField(_("doelgroep"), max_length=200, blank=True)
    held_on = models.DateField(_("datum"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-held_on"]


class EffectReminderSent(models.Model):
    """Once-only reminder that an intervention's effect is missing (same pattern as meetings)."""

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="+")
    due_date = models.DateField()
    recipients = models.JSONField(default=list)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["intervention", "due_date"], name="effect_reminder_once")]


class LifecycleEvent(models.Model):
    """One step in the life of a control, intervention or Bibob screening; never changed."""

    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30)
    note = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Deze geschiedenis wordt nooit gewijzigd.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ControlEvent(LifecycleEvent):
    control = models.ForeignKey(IntegralControl, on_delete=models.CASCADE, related_name="events")

    @property
    def to_state_label(self) -> str:
        """The state as the user reads it (the stored value is the machine's code)."""
        return str(ControlStatus(self.to_state).label) if self.to_state in ControlStatus.values else self.to_state


class InterventionEvent(LifecycleEvent):
    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="events")


class BibobEvent(LifecycleEvent):
    screening = models.ForeignKey(BibobScreening, on_delete=models.CASCADE, related_name="events")


class WorkContactRequest(models.Model):
    """An AF asks the AF of another municipality of the region about its open integral control or
    intervention on the same address or company (issue 14 item 2, hit/no-hit on the region's work).

    Like `cases.ContactRequest`: the asker knows only that it runs (municipality, year, what
    matched); the owning municipality's AF decides whether to share and what, within the sharing
    profile for a municipality. Exactly one of `control` and `intervention` is set when asked; either
    empties if that object is ever deleted, and the request then lapses.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    from_case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    control = models.ForeignKey(IntegralControl, on_delete=models.SET_NULL, null=True, blank=True, related_name="contact_requests")
    intervention = models.ForeignKey(Intervention, on_delete=models.SET_NULL, null=True, blank=True, related_name="contact_requests")
    # The owning municipality: the one whose AF answers (policy `barriers.contact_answer`).
    municipality = models.ForeignKey("accounts.Municipality", on_delete=models.PROTECT, related_name="+")
    matched_on = models.JSONField(default=list)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField()
    question = models.TextField(_("vraag"), blank=True)
    # Asked once, answered once, as cases.ContactRequest: `outcome`, not a lifecycle `state`.
    outcome = models.CharField(max_length=10, choices=ContactState.choices, default=ContactState.GEVRAAGD)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    shared_groups = models.JSONField(default=dict)
    summary = models.TextField(_("samenvatting"), blank=True)
    decline_reason = models.CharField(_("waarom niet"), max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["from_case", "control"], condition=models.Q(outcome="gevraagd"), name="work_contact_control_open_once"),
            models.UniqueConstraint(fields=["from_case", "intervention"], condition=models.Q(outcome="gevraagd"), name="work_contact_intervention_open_once"),
        ]

    @property
    def kind_label(self) -> str:
        return _("interventie") if self.intervention_id else _("integrale controle")
