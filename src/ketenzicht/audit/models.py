"""The audit trail: every view and change of personal data, append-only and hash-chained.

The database refuses UPDATE and DELETE on these tables (triggers, see `audit/guard.py`), except
the two things the product itself does: sealing a new entry into the chain (filling `seq`,
`prev_hash` and `entry_hash` once) and the retention purge removing the oldest sealed entries
after it wrote a signed tombstone covering them (`audit/chain.py`, docs/privacy.md).
"""

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
    DENIED = "denied", _("Toegang geweigerd")


class AppendOnlyError(Exception):
    pass


class AuditEvent(models.Model):
    """One row per access. `detail` holds field names and ids, never the personal data itself."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # No database constraint and no cascade: an audit row never changes when an account or an
    # organisation goes; `actor_label` keeps the name it had.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, help_text="Gebruikersnaam op het moment zelf")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=64, db_index=True)
    object_label = models.CharField(
        max_length=64, blank=True, help_text="Referentie, nooit een naam"
    )
    fields = models.JSONField(default=list, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    # The chain (domain/audit_chain.py), filled once by the sealer right after the commit.
    seq = models.PositiveBigIntegerField(null=True, unique=True)
    prev_hash = models.CharField(max_length=64, null=True)  # noqa: DJ001 - NULL: not sealed yet
    entry_hash = models.CharField(max_length=64, null=True)  # noqa: DJ001 - the triggers test IS NULL

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed"),
        ]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Auditregels worden nooit gewijzigd.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Auditregels worden nooit verwijderd.")


class AuditTombstone(models.Model):
    """Left by the retention purge of audit entries: the chain goes on from `last_hash`.

    Signed (HMAC with the audit key) over all its fields; never changed or removed.
    """

    at = models.DateTimeField()
    up_to_seq = models.PositiveBigIntegerField()
    last_hash = models.CharField(max_length=64)
    count = models.PositiveIntegerField()
    rule = models.CharField(max_length=100)
    signature = models.CharField(max_length=64)

    class Meta:
        ordering = ["up_to_seq"]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Een tombstone wordt nooit gewijzigd.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Een tombstone wordt nooit verwijderd.")
