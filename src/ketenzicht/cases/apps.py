from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "ketenzicht.cases"
    label = "cases"
