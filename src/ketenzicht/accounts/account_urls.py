from django.urls import path

from ketenzicht.accounts import account_views

app_name = "account"
urlpatterns = [
    path("welkom/<str:token>/", account_views.link, name="link"),
    path("wachtwoord-instellen/", account_views.set_password, name="set_password"),
    path("wachtwoord-vergeten/", account_views.forgot_password, name="forgot_password"),
    path("sso/code/", account_views.sso_code, name="sso_code"),
]
