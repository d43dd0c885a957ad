from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "ketenzicht.routing"
    label = "routing"
