"""The sources every region starts with (also seeded by migration 0002)."""

from __future__ import annotations

from ketenzicht.monitor.models import Source

DEFAULT_SOURCES = [
    ("eigen-signalen", "Eigen signalen (Ketenzicht)", "signaal",
     "Signalen die gemeenten in Ketenzicht ontvingen (interne meldroute, openbaar formulier, ketenpartners)."),
    ("politie", "Politie (AVIM)", "melding", "Meldingen en registraties van de politie (AVIM/Team Mensenhandel)."),
    ("zorgcoordinator-shop", "Zorgcoördinator SHOP", "zorgtraject", "Zorgtrajecten van mogelijke slachtoffers bij SHOP."),
    ("zorgcoordinator-overig", "Andere zorgcoördinator", "zorgtraject", "Zorgtrajecten bij andere zorgcoördinatoren."),
    ("nla", "Nederlandse Arbeidsinspectie", "controle", "Controles en meldingen van de Arbeidsinspectie."),
    ("comensha", "CoMensha", "slachtoffer", "Mogelijke slachtoffers gemeld bij CoMensha."),
    ("overig", "Overige bron", "melding", "Andere bronnen; beschrijf bij de import wat er geteld wordt."),
]


def ensure_default_sources() -> None:
    """Create the default sources when missing (a flushed test database, a fresh install)."""
    if Source.objects.filter(slug="eigen-signalen").exists():
        return
    for position, (slug, name, unit, description) in enumerate(DEFAULT_SOURCES):
        Source.objects.update_or_create(
            slug=slug, defaults={"name": name, "default_unit": unit, "description": description, "position": position}
        )
