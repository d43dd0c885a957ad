from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "ketenzicht.retention"
    label = "retention"
