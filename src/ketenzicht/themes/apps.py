from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ThemesConfig(AppConfig):
    name = "ketenzicht.themes"
    label = "themes"

    def ready(self) -> None:
        from ketenzicht.themes.loader import load_after_migrate

        # Shipped themes are data: every migrated database has them (`load_themes` reloads them).
        post_migrate.connect(load_after_migrate, sender=self, dispatch_uid="ketenzicht.themes.load")
