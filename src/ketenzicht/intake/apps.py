from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "ketenzicht.intake"
    label = "intake"
