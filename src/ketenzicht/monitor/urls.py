from django.urls import path

from ketenzicht.monitor import views

app_name = "monitor"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("gemeente/<int:municipality_id>/", views.municipality, name="municipality"),
    path("export.<str:fmt>", views.export, name="export"),
    path("doorlooptijden/", views.throughput, name="throughput"),
    path("rapport.pdf", views.report_pdf, name="report"),
    path("imports/", views.imports, name="imports"),
    path("imports/<uuid:import_id>/", views.import_detail, name="import_detail"),
    path("imports/<uuid:import_id>/intrekken/", views.import_withdraw, name="import_withdraw"),
]
