from django.apps import AppConfig


class BarriersConfig(AppConfig):
    name = "ketenzicht.barriers"
    label = "barriers"
