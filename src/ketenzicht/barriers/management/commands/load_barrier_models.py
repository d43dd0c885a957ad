"""Load the shipped barrier models (data/barriers/*uitbuiting-<jaar>.yaml); idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ketenzicht.barriers.services import load_shipped_models


class Command(BaseCommand):
    help = "Laad de landelijke barrièremodellen (per vorm en jaar) uit data/barriers/."

    def handle(self, *args: Any, **options: Any) -> None:
        count = load_shipped_models()
        self.stdout.write(f"{count} barrièremodel(len) geladen.")
