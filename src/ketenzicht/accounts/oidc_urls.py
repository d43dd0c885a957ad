"""SSO endpoints (names as mozilla-django-oidc expects them); 404 while SSO is off."""

from django.urls import path

from ketenzicht.accounts import oidc

urlpatterns = [
    path("start/", oidc.SsoStartView.as_view(), name="oidc_authentication_init"),
    path("callback/", oidc.SsoCallbackView.as_view(), name="oidc_authentication_callback"),
]
