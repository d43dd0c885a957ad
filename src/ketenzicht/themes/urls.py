from django.urls import path

from ketenzicht.themes import views

app_name = "themes"
urlpatterns = [
    path("<slug:slug>.css", views.theme_css, name="css"),
    path("<slug:slug>/logo.svg", views.theme_logo, name="logo"),
]
