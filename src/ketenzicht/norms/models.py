"""The norms of a region as loaded from ``data/norms/<slug>.yaml``: the file text and its hash.

Region specifics are data loaded into the database, never code. The loaded text is kept as it
was (like a routekaart version), so what applied can always be traced to the file it came from.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionNorms(models.Model):
    slug = models.SlugField(_("regio"), max_length=60, unique=True)
    sha256 = models.CharField(max_length=64)
    source = models.TextField(_("bestandsinhoud (YAML)"))
    loaded_at = models.DateTimeField(_("ingelezen op"))

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug
