from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "ketenzicht.programme"
    label = "programme"
