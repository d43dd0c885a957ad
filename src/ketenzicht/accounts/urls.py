from django.urls import path

from ketenzicht.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.users, name="users"),
    path("<int:user_id>/", views.user_edit, name="user_edit"),
]
