"""Notifications (berichten) to staff: in the app, and by e-mail as each person prefers.

A notification names the kind of event and a link inside Ketenzicht; its title may carry a
case reference but never personal data (no names, addresses or descriptions). The e-mail that
goes with it carries even less: the kind of event and a link (docs/privacy.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    NIEUW_SIGNAAL = "nieuw_signaal", _("Nieuw signaal in uw gemeente")
    DOORVERWIJZING_ANTWOORD = "doorverwijzing_antwoord", _("Antwoord van een partner op uw doorverwijzing")
    TREFFER = "treffer", _("Treffer of contactverzoek")
    REGIONALE_CONTROLE = "regionale_controle", _("Regionale controle met een adres in uw gemeente")
    BESLUIT = "besluit", _("Besluit over uw signaal in een overleg")
    MELDER_ANTWOORD = "melder_antwoord", _("Antwoord van een melder op uw vraag")
    TERMIJN = "termijn", _("Termijn nadert of is verlopen")
    NIET_AANGESLOTEN = "niet_aangesloten", _("Melding voor een gemeente zonder aandachtsfunctionaris")
    ROL_BEVESTIGEN = "rol_bevestigen", _("Rol wacht op uw bevestiging")
    ROLWIJZIGING = "rolwijziging", _("Wijziging van een bevoorrechte rol")
    BEVEILIGING = "beveiliging", _("Beveiliging van uw account")


# Kinds whose e-mail nobody can switch off or postpone: the account's own security.
ALWAYS_DIRECT = frozenset({Kind.BEVEILIGING})


class Delivery(models.TextChoices):
    DIRECT = "direct", _("Direct per e-mail")
    DAGELIJKS = "dagelijks", _("In een dagelijks overzicht per e-mail")
    UIT = "uit", _("Geen e-mail (alleen in Ketenzicht)")


class MailState(models.TextChoices):
    WACHT = "wacht", _("Wacht op verzending")
    OVERZICHT = "overzicht", _("Wacht op het dagelijks overzicht")
    VERSTUURD = "verstuurd", _("Verstuurd")
    GEEN = "geen", _("Geen e-mail")


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("soort"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("bericht"), max_length=200)
    link = models.CharField(max_length=300)
    # Acute danger or a minor: shown first, mailed at once whatever the preference.
    urgent = models.BooleanField(_("met spoed"), default=False)
    # The event this notifies of, once per recipient (e.g. "signaal:12"); empty = no dedupe.
    key = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    mail_state = models.CharField(max_length=10, choices=MailState.choices, default=MailState.GEEN)
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~models.Q(key=""), name="notification_once_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["mail_state", "created_at"], name="notification_mail_due"),
        ]

    def __str__(self) -> str:
        return self.title


class Preference(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.DIRECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]
