"""Routekaart versions, the advice stored on a case, the meldcode checklist and referrals.

Writes go through `routing.services`; the history rows here are append-only, like
`cases.CaseEvent`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Deze geschiedenis wordt nooit gewijzigd.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class RoutekaartVersion(models.Model):
    """One loaded version of a region's routekaart; at most one is active per region.

    The YAML text is kept as loaded so the advice stored on a case can always be traced to
    the exact map it came from, also after the file changed.
    """

    slug = models.SlugField(_("regio"), max_length=60)
    name = models.CharField(_("naam"), max_length=200)
    versie = models.CharField(_("versie"), max_length=40)
    geldig_vanaf = models.DateField(_("geldig vanaf"))
    sha256 = models.CharField(_("hash van het bestand"), max_length=64)
    source = models.TextField(_("bestandsinhoud (YAML)"))
    content = models.JSONField(_("ingelezen inhoud"))
    is_active = models.BooleanField(_("actief"), default=False)
    loaded_at = models.DateTimeField(_("ingelezen op"), auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["slug", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "sha256"], name="routekaart_unique_content"),
            models.UniqueConstraint(
                fields=["slug"], condition=models.Q(is_active=True), name="routekaart_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slug} {self.versie}"


class RouteAdvice(models.Model):
    """The routekaart walked for a case: answers, the path and the advice, as given then."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="route_advices")
    region_slug = models.SlugField(max_length=60)
    versie = models.CharField(max_length=40)
    map_version = models.ForeignKey(
        RoutekaartVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answers = models.JSONField()
    advice = models.JSONField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Een vastgelegd advies wordt nooit gewijzigd; doorloop de routekaart opnieuw.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class MeldcodeChecklist(models.Model):
    """The five steps of the meldcode huiselijk geweld en kindermishandeling for one case."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="meldcode")
    # {"1": {"gedaan": bool, "notitie": str}, ... "4": ...}; step 5 is the decision below.
    steps = models.JSONField(default=dict)
    # Step 5 of the afwegingskader: two separate questions, both answered.
    melden = models.BooleanField(_("melden bij Veilig Thuis"), null=True)
    hulp_organiseren = models.BooleanField(_("hulp bieden of organiseren"), null=True)
    decision_reason = models.TextField(_("onderbouwing van het besluit"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decided_at__isnull=True)
                | (models.Q(melden__isnull=False) & models.Q(hulp_organiseren__isnull=False)),
                name="meldcode_decision_complete",
            )
        ]


class ReferralState(models.TextChoices):
    CONCEPT = "concept", _("Concept")
    VERZONDEN = "verzonden", _("Verzonden")
    ONTVANGEN = "ontvangen", _("Ontvangen")
    GEACCEPTEERD = "geaccepteerd", _("Geaccepteerd")
    AFGEWEZEN = "afgewezen", _("Afgewezen")
    AFGEROND = "afgerond", _("Afgerond")


class SendMethod(models.TextChoices):
    PLATFORM = "platform", _("Via Ketenzicht")
    BEVEILIGDE_MAIL = "beveiligde_mail", _("Beveiligde e-mail")
    POST = "post", _("Per post")
    PERSOONLIJK = "persoonlijk", _("Persoonlijk overhandigd")
    TELEFONISCH = "telefonisch", _("Telefonisch doorgegeven")


class Referral(models.Model):
    """A doorverwijzing of a case to one partner organisation, with what was shared."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="referrals_received"
    )
    recipient_kind = models.CharField(_("soort ontvanger"), max_length=40)
    state = models.CharField(
        _("status"), max_length=20, choices=ReferralState.choices, default=ReferralState.CONCEPT
    )
    question = models.TextField(_("vraag aan de partner"))
    # The sharing decision, recorded when the concept is made and again when it is sent.
    shared_groups = models.JSONField(default=list)
    withheld_groups = models.JSONField(default=list)
    legal_basis = models.TextField(_("grondslag"))
    purpose = models.TextField(_("doel"))
    override = models.CharField(_("uitzondering"), max_length=20, blank=True)
    override_reason = models.TextField(_("verantwoording uitzondering"), blank=True)
    # What the partner sees: taken at sending, so later edits of the case never leak.
    snapshot = models.JSONField(null=True, blank=True)
    case_reference = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("verzonden op"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    send_method = models.CharField(_("verzonden via"), max_length=20, choices=SendMethod.choices, blank=True)
    send_note = models.CharField(_("verzendnotitie"), max_length=300, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(_("reden van afwijzing"), blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    feedback = models.TextField(_("terugkoppeling van de partner"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="afgewezen") | ~models.Q(rejection_reason=""),
                name="referral_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="afgerond") | ~models.Q(feedback=""),
                name="referral_completion_has_feedback",
            ),
            models.CheckConstraint(
                condition=models.Q(state="concept") | models.Q(snapshot__isnull=False),
                name="referral_sent_has_snapshot",
            ),
            models.CheckConstraint(
                condition=models.Q(override="")
                | (models.Q(override__in=["toestemming", "vitaal_belang"]) & ~models.Q(override_reason="")),
                name="referral_override_justified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_reference} → {self.organisation_id}"

    @property
    def is_open(self) -> bool:
        return self.state in {ReferralState.VERZONDEN, ReferralState.ONTVANGEN, ReferralState.GEACCEPTEERD}


class ReferralEvent(AppendOnlyModel):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    @property
    def to_state_label(self) -> str:
        """The state as the user reads it (the stored value is the machine's code)."""
        return str(ReferralState(self.to_state).label) if self.to_state in ReferralState.values else self.to_state
