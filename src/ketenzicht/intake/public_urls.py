"""URLs of the public report path (included at /melden/) and the region's queue of signals for
municipalities without an AF (included at /beheer/niet-aangesloten/)."""

from django.urls import path

from ketenzicht.intake import public_views

app_name = "public"
urlpatterns = [
    path("", public_views.report, name="report"),
    path("status/", public_views.status, name="status"),
    path("status/aanvulling/", public_views.addition, name="addition"),
    path("controle/gemeente/", public_views.municipality_check, name="municipality_check"),
    path("<str:cbs_code>/", public_views.report, name="report_for"),
]

unrouted_urlpatterns = (
    [
        path("", public_views.unrouted, name="list"),
        path("<uuid:case_id>/doorsturen/", public_views.forward, name="forward"),
    ],
    "unrouted",
)
