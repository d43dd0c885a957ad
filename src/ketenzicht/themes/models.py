"""An organisation's look: NL Design System tokens from `data/themes/<organisation-slug>.yaml`."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Theme(models.Model):
    # The organisation's slug (as in the region files); a theme may be loaded before its organisation.
    organisation_slug = models.SlugField(unique=True)
    name = models.CharField(_("naam"), max_length=150)
    # Validated tokens: {"kleuren": {...}, "lettertype": "..."} (themes/loader.py).
    tokens = models.JSONField(default=dict)
    logo_svg = models.TextField(blank=True)
    # Changes with the content, so browsers fetch a changed stylesheet at once.
    version = models.CharField(max_length=16)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def css_url(self) -> str:
        return f"{reverse('themes:css', kwargs={'slug': self.organisation_slug})}?v={self.version}"

    @property
    def logo_url(self) -> str:
        return f"{reverse('themes:logo', kwargs={'slug': self.organisation_slug})}?v={self.version}" if self.logo_svg else ""
