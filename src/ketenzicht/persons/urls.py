from django.urls import path

from ketenzicht.persons import views

app_name = "persons"
urlpatterns = [
    path("personen/", views.persons, name="persons"),
    path("aanleveren/", views.deliver, name="deliver"),
    path("koppeling/", views.linkage_status, name="linkage_status"),
]
