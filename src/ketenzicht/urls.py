from django.urls import include, path
from django.views.i18n import set_language
from two_factor.urls import urlpatterns as two_factor_urls

from ketenzicht.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include(two_factor_urls)),
    path("account/uitloggen/", core_views.logout_view, name="logout"),
    path("signalen/", include("ketenzicht.intake.urls")),
    path("werkvoorraad/", include("ketenzicht.cases.urls")),
    path("audit/", include("ketenzicht.audit.urls")),
    path("beheer/gebruikers/", include("ketenzicht.accounts.urls")),
    path("api/v1/", include("ketenzicht.api_urls")),
]

handler403 = "ketenzicht.core.views.forbidden"
handler404 = "ketenzicht.core.views.not_found"
handler500 = "ketenzicht.core.views.server_error"
