"""Cross-cutting tables: the shared counters of rate limits and lockouts (core/counters.py)."""

from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    """Written only through core/counters.py (one atomic upsert per hit)."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key
