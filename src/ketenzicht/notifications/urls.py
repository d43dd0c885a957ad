from django.urls import path

from ketenzicht.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:notification_id>/", views.notification_open, name="open"),
    path("alles-gelezen/", views.notifications_read_all, name="read_all"),
    path("voorkeuren/", views.notification_preferences, name="preferences"),
]
