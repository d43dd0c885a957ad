"""The sources every region starts with; more zorgcoördinatoren can be added as rows."""

from django.db import migrations

SOURCES = [
    ("eigen-signalen", "Eigen signalen (Ketenzicht)", "signaal",
     "Signalen die gemeenten in Ketenzicht ontvingen (interne meldroute, openbaar formulier, ketenpartners)."),
    ("politie", "Politie (AVIM)", "melding", "Meldingen en registraties van de politie (AVIM/Team Mensenhandel)."),
    ("zorgcoordinator-shop", "Zorgcoördinator SHOP", "zorgtraject", "Zorgtrajecten van mogelijke slachtoffers bij SHOP."),
    ("zorgcoordinator-overig", "Andere zorgcoördinator", "zorgtraject", "Zorgtrajecten bij andere zorgcoördinatoren."),
    ("nla", "Nederlandse Arbeidsinspectie", "controle", "Controles en meldingen van de Arbeidsinspectie."),
    ("comensha", "CoMensha", "slachtoffer", "Mogelijke slachtoffers gemeld bij CoMensha."),
    ("overig", "Overige bron", "melding", "Andere bronnen; beschrijf bij de import wat er geteld wordt."),
]


def add_sources(apps, schema_editor):
    Source = apps.get_model("monitor", "Source")
    for position, (slug, name, unit, description) in enumerate(SOURCES):
        Source.objects.update_or_create(
            slug=slug, defaults={"name": name, "default_unit": unit, "description": description, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("monitor", "0001_initial")]
    operations = [migrations.RunPython(add_sources, migrations.RunPython.noop)]
