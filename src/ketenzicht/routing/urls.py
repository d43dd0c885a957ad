"""Routing pages. Included at the root: paths under /werkvoorraad/<case>/ sit next to the case."""

from django.urls import path

from ketenzicht.routing import guide_views, views

app_name = "routing"
urlpatterns = [
    path("routekaart/", guide_views.guide_page, name="guide"),
    path("routekaart/kaart/", views.map_review, name="map_review"),
    path("werkvoorraad/<uuid:case_id>/routekaart/", guide_views.case_guide, name="case_guide"),
    path("werkvoorraad/<uuid:case_id>/meldcode/", views.meldcode, name="meldcode"),
    path("werkvoorraad/<uuid:case_id>/doorverwijzen/", views.referral_new, name="referral_new"),
    path("doorverwijzingen/<uuid:referral_id>/", views.referral_detail, name="referral_detail"),
    path("doorverwijzingen/<uuid:referral_id>/verzenden/", views.referral_send, name="referral_send"),
    path("doorverwijzingen/<uuid:referral_id>/reactie-partner/", views.referral_record, name="referral_record"),
    path("doorverwijzingen/<uuid:referral_id>/verwijsdocument.pdf", views.referral_pdf, name="referral_pdf"),
    path("partner/", views.partner_inbox, name="partner_inbox"),
    path("partner/<uuid:referral_id>/", views.partner_referral, name="partner_referral"),
    path("partner/<uuid:referral_id>/reactie/", views.partner_respond, name="partner_respond"),
    path("privacy/deelprofielen/", views.sharing_profiles, name="sharing_profiles"),
    path("privacy/doorgifteregister/", views.sharing_register, name="sharing_register"),
    path("privacy/doorgifteregister.csv", views.sharing_register_csv, name="sharing_register_csv"),
    path("privacy/doorgifteregister.xlsx", views.sharing_register_xlsx, name="sharing_register_xlsx"),
]
