"""Loading a region's norms file into the database: the one loader (issue 18).

`norms_load(slug)` validates the file with the domain parser (a malformed file raises
`NormsError` naming file and field; nothing is stored), stores its text, and tells the apps
that follow the norms (meeting kinds, default monitor sources) through `signals.norms_loaded`.
Loading the same content again changes nothing. `accounts` loads it with `load_region SLUG`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from ketenzicht.domain.deadlines import Norms, NormsError, default_norms_path, parse_norms
from ketenzicht.norms import selectors
from ketenzicht.norms.models import RegionNorms
from ketenzicht.norms.signals import norms_loaded


def norms_load(slug: str, *, path: str | Path | None = None, now: datetime | None = None) -> Norms:
    """Load ``data/norms/<slug>.yaml`` (or ``path``) for region ``slug``; returns the norms."""
    file = Path(path) if path is not None else default_norms_path(slug)
    if not file.is_file():
        raise NormsError(f"{file.name}: geen normenbestand voor regio '{slug}'")
    text = file.read_text(encoding="utf-8")
    norms = parse_norms(text, file.name)  # raises, naming the field
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with transaction.atomic():
        row = RegionNorms.objects.select_for_update().filter(slug=slug).first()
        if row is None:
            RegionNorms.objects.create(slug=slug, sha256=digest, source=text, loaded_at=now or timezone.now())
        elif row.sha256 != digest:
            row.sha256, row.source, row.loaded_at = digest, text, now or timezone.now()
            row.save(update_fields=["sha256", "source", "loaded_at"])
        norms_loaded.send(sender=RegionNorms, slug=slug, norms=norms)
    selectors.forget(slug)
    return norms
