from django.apps import AppConfig


class NormsConfig(AppConfig):
    name = "ketenzicht.norms"
    label = "norms"
    verbose_name = "Normen per regio"
