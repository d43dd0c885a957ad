from django.urls import include, path
from django.views.i18n import set_language
from two_factor.urls import urlpatterns as two_factor_urls

from ketenzicht.core import views as core_views
from ketenzicht.core.login import LoginView
from ketenzicht.intake import public_urls

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    # The two-factor login with the shared second-factor attempt limit (core/login.py); the
    # rest of django-two-factor-auth's URLs as they are. Unnamed: it answers for the path of
    # `two_factor:login`, which resolves here first.
    path("account/login/", LoginView.as_view()),
    path("", include(two_factor_urls)),
    path("account/", include("ketenzicht.accounts.account_urls")),
    path("account/sso/", include("ketenzicht.accounts.oidc_urls")),
    path("account/uitloggen/", core_views.logout_view, name="logout"),
    path("signalen/", include("ketenzicht.intake.urls")),
    path("werkvoorraad/", include("ketenzicht.cases.urls")),
    path("audit/", include("ketenzicht.audit.urls")),
    path("monitor/", include("ketenzicht.monitor.urls")),
    path("verstoren/", include("ketenzicht.barriers.urls")),
    path("programma/", include("ketenzicht.programme.urls")),
    path("overleggen/", include("ketenzicht.meetings.urls")),
    path("beheer/gebruikers/", include("ketenzicht.accounts.urls")),
    path("berichten/", include("ketenzicht.notifications.urls")),
    path("thema/", include("ketenzicht.themes.urls")),
    path("", include("ketenzicht.routing.urls")),
    path("melden/", include("ketenzicht.intake.public_urls")),
    path("beheer/niet-aangesloten/", include(public_urls.unrouted_urlpatterns)),
    path("api/v1/", include("ketenzicht.api_urls")),
]

handler400 = "ketenzicht.core.views.bad_request"
handler403 = "ketenzicht.core.views.forbidden"
handler404 = "ketenzicht.core.views.not_found"
handler500 = "ketenzicht.core.views.server_error"
