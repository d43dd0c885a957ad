from django.urls import path

from ketenzicht.intake import views

app_name = "intake"
urlpatterns = [
    path("nieuw/", views.report, name="report"),
    path("mijn/", views.own_reports, name="own_reports"),
    path("mijn/<uuid:case_id>/", views.own_report, name="own_report"),
]
