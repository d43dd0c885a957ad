from django.urls import path

from ketenzicht.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.users, name="users"),
    path("<int:user_id>/", views.user_edit, name="user_edit"),
    path("<int:user_id>/account/", views.user_account, name="user_account"),
    path("verzoeken/<int:request_id>/", views.role_request, name="role_request"),
]
