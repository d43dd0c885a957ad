from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ketenzicht.core"
    label = "core"
