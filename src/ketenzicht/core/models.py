"""Cross-cutting tables: the shared counters of rate limits and lockouts (core/counters.py) and
the shared cache (settings `CACHES`)."""

from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    """Written only through core/counters.py (one atomic upsert per hit)."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key


class CacheEntry(models.Model):
    """The table of Django's database cache (`CACHES["default"]`, `core_cache`).

    A model (not `createcachetable`) so that `migrate` makes it everywhere, the test databases
    included; the columns are the ones `django.core.cache.backends.db.DatabaseCache` reads.
    Every app server reads and writes this one table, so a cached figure computed by one server
    is a hit on the next. Only derived, versioned figures go in; no personal data (the monitor's
    figures are published counts).
    """

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "core_cache"

    def __str__(self) -> str:
        return self.cache_key
