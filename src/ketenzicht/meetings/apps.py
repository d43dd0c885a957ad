from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "ketenzicht.meetings"
    label = "meetings"
