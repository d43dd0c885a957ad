from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "ketenzicht.programme"
    label = "programme"

    def ready(self) -> None:
        from ketenzicht.meetings.reminders import register_source
        from ketenzicht.programme.reminders import programme_reminders

        register_source(programme_reminders)
