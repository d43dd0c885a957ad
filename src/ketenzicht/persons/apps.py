from django.apps import AppConfig


class PersonsConfig(AppConfig):
    name = "ketenzicht.persons"
    label = "persons"
    verbose_name = "Personen en schatting (monitor)"

    def ready(self) -> None:
        from ketenzicht.monitor import protected
        from ketenzicht.persons import kinds

        # Seen (distinct persons) is one more figure kind of every release (issue 15 item 5).
        protected.register_kind(kinds.KIND, kinds.collect)
        protected.register_kind(kinds.REPEAT_KIND, kinds.collect_repeat)
