"""Persons behind the monitor's registrations: encodings, linkage runs and their figures.

A partner delivers registrations whose identity columns were replaced by field-level
encodings (``domain/linkage/bloom.py``). The encodings are kept beside the registration
(``Encoding``), the key and scheme per import and region (``EncodedImport``). After every
accepted or withdrawn import a ``LinkageRun`` links all encoded registrations of the region
into persons; its figures per year (and district) are kept in ``PersonsFigure`` as raw counts
and estimates — they are never published as such: ``selectors`` publish the release (Cell Key Method).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EncodedImport(models.Model):
    """The key and scheme an import's encodings were made with, per region its rows lie in."""

    source_import = models.ForeignKey("monitor.Import", on_delete=models.CASCADE, related_name="encoded")
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    key_fingerprint = models.CharField(max_length=32)
    scheme = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source_import", "region"], name="persons_encoded_import_region")
        ]
        indexes = [models.Index(fields=["region", "key_fingerprint"])]


class Encoding(models.Model):
    """A registration's identity as encodings (no names)."""

    registration = models.OneToOneField(
        "monitor.Registration", on_delete=models.CASCADE, primary_key=True, related_name="encoding"
    )
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    clk = models.BinaryField()


class Delivery(models.Model):
    """A file delivered through the API or the encoding page, for idempotent retries."""

    # "api:<account id>:<sha256 of the Idempotency-Key>": scoped per account, like signal intake.
    idempotency_key = models.CharField(max_length=120, unique=True)
    request_sha256 = models.CharField(max_length=64)
    source_import = models.ForeignKey("monitor.Import", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class RunStatus(models.TextChoices):
    WACHTEND = "wachtend", _("Wacht op de taakverwerker")
    BEZIG = "bezig", _("Bezig")
    KLAAR = "klaar", _("Klaar")
    VERVANGEN = "vervangen", _("Vervangen door een nieuwere koppeling")
    MISLUKT = "mislukt", _("Mislukt")


class LinkageRun(models.Model):
    """One linkage of all encoded registrations of a region, with its progress."""

    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=RunStatus.choices, default=RunStatus.WACHTEND)
    reason = models.CharField(max_length=200, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    step = models.CharField(max_length=100, blank=True)
    registrations = models.PositiveIntegerField(default=0)
    persons = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    # The result (npz): registration ids, person per registration, scored pairs with their
    # match probability (for the linkage uncertainty). Ids and numbers only, no identities.
    result = models.BinaryField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["region", "status", "requested_at"])]

    @property
    def active(self) -> bool:
        return self.status in (RunStatus.WACHTEND, RunStatus.BEZIG)


class PersonsFigure(models.Model):
    """Raw figures of one region-year (or district-year) from one linkage run.

    Raw counts, never shown as such: selectors publish released, protected counts and the estimate rounded.
    """

    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="figures")
    year = models.PositiveSmallIntegerField()
    district = models.ForeignKey("accounts.District", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    data = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "year"], condition=models.Q(district__isnull=True), name="persons_figure_region_once"
            ),
            models.UniqueConstraint(
                fields=["run", "year", "district"], condition=models.Q(district__isnull=False), name="persons_figure_district_once"
            ),
        ]
