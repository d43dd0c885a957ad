from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "ketenzicht.notifications"
    label = "notifications"

    def ready(self) -> None:
        from ketenzicht.notifications import delivery, events

        delivery.connect()
        events.connect()
