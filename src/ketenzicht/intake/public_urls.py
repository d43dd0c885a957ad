"""URLs of the public report path (included at /melden/) and the beheerder's list of reports for
municipalities off the platform (included at /beheer/niet-aangesloten/)."""

from django.urls import path

from ketenzicht.intake import public_views

app_name = "public"
urlpatterns = [
    path("", public_views.report, name="report"),
    path("status/", public_views.status, name="status"),
    path("status/aanvulling/", public_views.addition, name="addition"),
    path("<str:cbs_code>/", public_views.report, name="report_for"),
]

unrouted_urlpatterns = (
    [
        path("", public_views.unrouted, name="list"),
        path("<uuid:case_id>/doorsturen/", public_views.forward, name="forward"),
    ],
    "unrouted",
)
