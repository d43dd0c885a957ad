from django.urls import path

from ketenzicht.cases import registry_views, views

app_name = "cases"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<uuid:case_id>/", views.detail, name="detail"),
    path("<uuid:case_id>/status/", views.transition, name="transition"),
    path("<uuid:case_id>/verrijken/", views.enrich, name="enrich"),
    path("<uuid:case_id>/terugkoppeling/", views.feedback, name="feedback"),
    path("<uuid:case_id>/betrokkenen/", views.add_subject, name="add_subject"),
    path("<uuid:case_id>/bijlagen/", views.add_attachment, name="add_attachment"),
    path("<uuid:case_id>/bijlagen/<int:attachment_id>/", views.download_attachment, name="download_attachment"),
    path("<uuid:case_id>/toewijzen/", views.assign_to_me, name="assign_to_me"),
    # Enrichment from registries (issue 14 item 5)
    path("<uuid:case_id>/opzoeken/adres/", registry_views.lookup_address, name="registry_address"),
    path("<uuid:case_id>/opzoeken/kvk/", registry_views.lookup_company, name="registry_company"),
    path("<uuid:case_id>/opzoeken/overnemen/", registry_views.take_over, name="registry_take_over"),
]
