"""The case file (dossier) of a signal: the signal itself, its subjects, attachments and history.

State changes go only through `cases.services.case_transition`; the `state` field is never
written anywhere else (tests/guards/test_state_writes.py scans for writes; the history is
append-only and the check constraint keeps the state within the machine's states).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenzicht.domain.lifecycles.case import STATE_LABELS, CaseState, state_label


class ExploitationForm(models.TextChoices):
    SEKSUEEL = "seksueel", _("Seksuele uitbuiting")
    ARBEID = "arbeid", _("Arbeidsuitbuiting")
    CRIMINEEL = "crimineel", _("Criminele uitbuiting")
    ORGAAN = "orgaan", _("Gedwongen orgaanverwijdering")
    ONBEKEND = "onbekend", _("Onbekend")


class Channel(models.TextChoices):
    INTERN = "intern", _("Interne meldroute")
    PUBLIEK = "publiek", _("Openbaar meldformulier")
    PARTNER = "partner", _("Ketenpartner")
    # Tips passed on to the AF, registered as their own channel (issue 16 item 5).
    MMA = "mma", _("Tip via Meld Misdaad Anoniem")
    POLITIE = "politie", _("Tip via de politie")


class TriState(models.TextChoices):
    JA = "ja", _("Ja")
    NEE = "nee", _("Nee")
    ONBEKEND = "onbekend", _("Weet ik niet")


CASE_STATE_CHOICES = [(s.value, STATE_LABELS[s]) for s in CaseState]


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("kenmerk"), max_length=20, unique=True)
    municipality = models.ForeignKey(
        "accounts.Municipality", on_delete=models.PROTECT, related_name="cases"
    )
    channel = models.CharField(_("kanaal"), max_length=10, choices=Channel.choices)
    state = models.CharField(
        _("status"), max_length=20, choices=CASE_STATE_CHOICES, default=CaseState.ONTVANGEN.value
    )
    created_at = models.DateTimeField(_("ontvangen op"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_cases",
    )
    reporter_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    # What was seen: free text may hold personal data; it is audited on every view.
    description = models.TextField(_("wat is er gezien"))
    observed_on = models.DateField(_("wanneer gezien"), null=True, blank=True)
    location_address = models.CharField(_("adres"), max_length=200, blank=True)
    location_description = models.CharField(_("plaatsomschrijving"), max_length=300, blank=True)
    address_key = models.CharField(max_length=200, blank=True, db_index=True)
    forms = models.JSONField(_("vormen van uitbuiting"), default=list)
    # Denormalised flags so the work queue can filter by form on every database.
    form_seksueel = models.BooleanField(default=False)
    form_arbeid = models.BooleanField(default=False)
    form_crimineel = models.BooleanField(default=False)
    form_orgaan = models.BooleanField(default=False)
    form_onbekend = models.BooleanField(default=False)
    minor_involved = models.CharField(
        _("minderjarige betrokken"), max_length=10, choices=TriState.choices, default=TriState.ONBEKEND
    )
    acute_danger = models.BooleanField(_("acuut gevaar"), default=False)
    # Enrichment (verrijken) by the aandachtsfunctionaris.
    company_name = models.CharField(_("bedrijfsnaam"), max_length=200, blank=True)
    kvk_number = models.CharField(_("KvK-nummer"), max_length=8, blank=True, db_index=True)
    address_details = models.TextField(_("adresgegevens (BAG/BRP)"), blank=True)
    earlier_sanctions = models.TextField(_("eerdere sancties"), blank=True)
    enrichment_notes = models.TextField(_("aantekeningen"), blank=True)
    first_assessment_due = models.DateField(_("eerste beoordeling uiterlijk"), null=True, blank=True)
    # Terugkoppeling (feedback) to the reporter.
    feedback_message = models.TextField(_("terugkoppeling aan melder"), blank=True)
    feedback_at = models.DateTimeField(null=True, blank=True)
    feedback_impossible_reason = models.CharField(
        _("waarom geen terugkoppeling mogelijk is"), max_length=300, blank=True
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # A duplicate merged into another case (state `samengevoegd`) points at the case it went into.
    # It lives and dies with that case (retention purges them together).
    merged_into = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="merged_duplicates")
    # Idempotency of intake: a retried submission carries the same key.
    intake_key = models.CharField(max_length=100, blank=True)
    # Fingerprint (sha256) of the submitted content: a reused intake key with other content is refused.
    intake_fingerprint = models.CharField(max_length=64, blank=True)
    # Public reports: the receipt code is shown once and stored only as a keyed hash.
    receipt_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # Public reports (issue 3): the reporter's language and how to reach them, if given.
    reporter_language = models.CharField(max_length=5, default="nl")
    reporter_contact_email = models.EmailField(blank=True)
    reporter_contact_phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=[s.value for s in CaseState]), name="case_state_valid"
            ),
            models.UniqueConstraint(
                fields=["channel", "intake_key"],
                condition=~models.Q(intake_key=""),
                name="case_unique_intake_key",
            ),
            models.CheckConstraint(
                condition=~models.Q(state=CaseState.AFGESLOTEN.value)
                | ~models.Q(feedback_at__isnull=True)
                | ~models.Q(feedback_impossible_reason=""),
                name="case_closed_only_after_feedback",
            ),
            models.CheckConstraint(
                condition=models.Q(state=CaseState.SAMENGEVOEGD.value, merged_into__isnull=False)
                | (~models.Q(state=CaseState.SAMENGEVOEGD.value) & models.Q(merged_into__isnull=True)),
                name="case_merged_has_target",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "state"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def state_label(self) -> str:
        return STATE_LABELS[CaseState(self.state)]

    @property
    def form_labels(self) -> list[str]:
        labels = dict(ExploitationForm.choices)
        return [str(labels.get(f, f)) for f in self.forms]


class SubjectRole(models.TextChoices):
    SLACHTOFFER = "slachtoffer", _("Mogelijk slachtoffer")
    DADER = "dader", _("Mogelijke dader")
    BEDRIJF = "bedrijf", _("Bedrijf")
    OVERIG = "overig", _("Overig")


class VulnerableGroup(models.TextChoices):
    """Characteristics that make a person more vulnerable (seed 002 §3.1, 004 opgave 1)."""

    MINDERJARIG = "minderjarig", _("Minderjarig")
    LVB = "lvb", _("Licht verstandelijke beperking (LVB)")
    ONGEDOCUMENTEERD = "ongedocumenteerd", _("Ongedocumenteerd")
    SEKSWERKER = "sekswerker", _("Sekswerker")
    ARBEIDSMIGRANT = "arbeidsmigrant", _("Arbeidsmigrant")


class Subject(models.Model):
    """A person or company involved in a signal. Every field here is personal data."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="subjects")
    role = models.CharField(_("rol"), max_length=20, choices=SubjectRole.choices)
    name = models.CharField(_("naam"), max_length=200, blank=True)
    birth_date = models.DateField(_("geboortedatum"), null=True, blank=True)
    nationality = models.CharField(_("nationaliteit"), max_length=60, blank=True)
    description = models.CharField(_("omschrijving"), max_length=500, blank=True)
    kvk_number = models.CharField(_("KvK-nummer"), max_length=8, blank=True)
    name_key = models.CharField(max_length=200, blank=True, db_index=True)
    # Vulnerable groups the person belongs to (codes of VulnerableGroup), as the AF recorded them.
    vulnerable_groups = models.JSONField(_("kwetsbare groepen"), default=list, blank=True)

    class Meta:
        ordering = ["role", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} #{self.pk}"

    @property
    def vulnerable_group_labels(self) -> list[str]:
        labels = dict(VulnerableGroup.choices)
        return [str(labels[g]) for g in self.vulnerable_groups if g in labels]


def attachment_path(instance: Attachment, filename: str) -> str:
    # Never the uploaded name on disk: names can carry personal data.
    return f"bijlagen/{instance.case_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at"]


class CaseEvent(models.Model):
    """Append-only history of a case: every transition and every substantive change."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    # The moment the service acted (its `now`), so a transition and its history agree.
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=30)
    action = models.CharField(max_length=40, blank=True)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("De geschiedenis van een signaal wordt nooit gewijzigd.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def from_label(self) -> str:
        return state_label(self.from_state) if self.from_state else ""

    @property
    def to_label(self) -> str:
        return state_label(self.to_state) if self.to_state else ""


class ReporterAddition(models.Model):
    """Information a reporter added later with their receipt code (or a colleague on their report)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="additions")
    at = models.DateTimeField(auto_now_add=True)
    text = models.TextField()

    class Meta:
        ordering = ["at"]


class UnannouncedSignal(models.Model):
    """A stored signal whose handlers have not been told yet (a transactional outbox).

    Written in the intake's own statement, so a committed signal always has its row and a
    rolled-back one never does; the task worker tells the handlers and removes the row
    (intake/tasks.py). A row that stays means nobody has been told yet: the next telling run
    (any later intake, or the command in docs/operations.md) picks it up.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="+")
    stored_at = models.DateTimeField()

    class Meta:
        ordering = ["stored_at"]


class ReferenceCounter(models.Model):
    """Per-year counter for case references (KZ-2026-000042); rows are locked while used."""

    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)


class SavedQueueFilter(models.Model):
    """A filter of the work queue a user saved under a name (their own; nobody else sees it).

    Only the choices are kept (view, form, state, minor, age, order), never a search term: a term
    can name a person, and a saved filter is no place for personal data.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=60)
    query = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_queue_filter_unique_name")]


class ReporterQuestion(models.Model):
    """A question of the AF to an anonymous public reporter, answered with their receipt code.

    The reporter sees the question on the status page (in their language: the page's, the
    question is the AF's own words) and answers there; the AF is notified of the answer.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="questions")
    asked_at = models.DateTimeField()
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    question = models.TextField()
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True, answer="") | (models.Q(answered_at__isnull=False) & ~models.Q(answer="")),
                name="reporter_question_answer_complete",
            )
        ]


class CaseTransfer(models.Model):
    """The trace a transfer leaves (issue 14 item 1): reference, date, from where, to whom, why.

    The case itself moves to the receiving municipality (its reference and the reporter's receipt
    code stay); the sending municipality reads only this row. Append-only; it outlives the case
    (a purge empties `case`, the reference stays).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="transfers")
    reference = models.CharField(_("kenmerk"), max_length=20)
    from_municipality = models.ForeignKey(
        "accounts.Municipality", on_delete=models.PROTECT, related_name="+", verbose_name=_("van gemeente")
    )
    to_municipality = models.ForeignKey(
        "accounts.Municipality", on_delete=models.PROTECT, related_name="+", verbose_name=_("aan gemeente")
    )
    at = models.DateTimeField(_("overgedragen op"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.TextField(_("reden"))
    from_state = models.CharField(max_length=20)

    class Meta:
        ordering = ["-at", "-pk"]

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ValueError("Het spoor van een overdracht wordt nooit gewijzigd.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ContactState(models.TextChoices):
    GEVRAAGD = "gevraagd", _("Gevraagd")
    GEDEELD = "gedeeld", _("Gedeeld")
    GEWEIGERD = "geweigerd", _("Niet gedeeld")


class ContactRequest(models.Model):
    """An AF asks the AF of another municipality about an earlier signal there (hit/no-hit).

    The asking side knows only that a signal exists (municipality, year, open or closed, what
    matched); the other AF decides whether to share and what, within the sharing profile of a
    municipality, and writes the summary the asker gets. Both sides are audited.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    from_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contact_requests_sent")
    # Empty once the other case is purged: the request then lapses.
    to_case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, related_name="contact_requests_received")
    to_municipality = models.ForeignKey("accounts.Municipality", on_delete=models.PROTECT, related_name="+")
    matched_on = models.JSONField(default=list)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField()
    question = models.TextField(_("vraag"), blank=True)
    # Asked once, answered once (not a lifecycle with a machine): `outcome`, not `state`.
    outcome = models.CharField(max_length=10, choices=ContactState.choices, default=ContactState.GEVRAAGD)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    shared_groups = models.JSONField(default=list)
    summary = models.TextField(_("samenvatting"), blank=True)
    decline_reason = models.CharField(_("waarom niet"), max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_case", "to_case"], condition=models.Q(outcome="gevraagd"), name="contact_request_open_once"
            ),
        ]
