"""What the retention purge leaves behind: a signed tombstone per removed record.

A tombstone names the record by its reference (a case reference, never a name), its kind, when
it went and under which rule, so the audit trail that mentions the reference stays readable.
Signed with the audit key (HMAC-SHA256) like the audit chain's tombstones; never changed.
"""

from __future__ import annotations

from django.db import models


class Tombstone(models.Model):
    reference = models.CharField(max_length=100, db_index=True)
    kind = models.CharField(max_length=40)
    purged_at = models.DateTimeField()
    rule = models.CharField(max_length=100)
    signature = models.CharField(max_length=64)

    class Meta:
        ordering = ["-purged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Een tombstone wordt nooit gewijzigd.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]
