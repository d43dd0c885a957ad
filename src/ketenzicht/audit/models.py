"""The audit trail: every view and change of personal data, append-only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW = "view", _("Bekeken")
    CREATE = "create", _("Aangemaakt")
    UPDATE = "update", _("Gewijzigd")
    TRANSITION = "transition", _("Status gewijzigd")
    DOWNLOAD = "download", _("Gedownload")
    EXPORT = "export", _("Geëxporteerd")
    SHARE = "share", _("Gedeeld met ketenpartner")
    DELETE = "delete", _("Verwijderd")
    PURGE = "purge", _("Verwijderd na bewaartermijn")
    USER_ADMIN = "user_admin", _("Gebruikersbeheer")
    # A refused attempt on an object holding personal data (core/policy.py: require).
    DENIED = "denied", _("Geweigerd")


class AppendOnlyError(Exception):
    pass


class AuditEvent(models.Model):
    """One row per access. `detail` holds field names and ids, never the personal data itself."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, help_text="Gebruikersnaam op het moment zelf")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=64, db_index=True)
    object_label = models.CharField(
        max_length=64, blank=True, help_text="Referentie, nooit een naam"
    )
    fields = models.JSONField(default=list, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Auditregels worden nooit gewijzigd.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Auditregels worden nooit verwijderd.")
