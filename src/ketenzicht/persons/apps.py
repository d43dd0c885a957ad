from django.apps import AppConfig


class PersonsConfig(AppConfig):
    name = "ketenzicht.persons"
    label = "persons"
    verbose_name = "Personen en schatting (monitor)"
