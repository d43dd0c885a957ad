from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "ketenzicht.intake"
    label = "intake"

    def ready(self) -> None:
        from ketenzicht.cases.events import signal_received
        from ketenzicht.intake.tasks import enqueue_on_signal

        # A new signal's notifications are sent by the task worker (intake/tasks.py).
        signal_received.connect(enqueue_on_signal, dispatch_uid="ketenzicht.intake.new_signal")
