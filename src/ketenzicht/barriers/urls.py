from django.urls import path

from ketenzicht.barriers import views

app_name = "barriers"

urlpatterns = [
    path("", views.index, name="index"),
    path("barrieremodellen/", views.models_list, name="models"),
    path("barrieremodellen/<str:form>/<int:year>/", views.model_detail, name="model"),
    path("barrieremodellen/<str:form>/<int:year>/bewerken/", views.model_edit, name="model_edit"),
    path("controles/nieuw/", views.control_new, name="control_new"),
    path("controles/regionaal/", views.regional_controls, name="regional_controls"),
    path("controles/regionaal/nieuw/", views.regional_control_new, name="regional_control_new"),
    path("controles/<uuid:control_id>/", views.control_detail, name="control"),
    path("controles/<uuid:control_id>/adressen/<int:address_id>/bevindingen/", views.control_address_findings, name="control_address_findings"),
    path("controles/<uuid:control_id>/bevindingen/", views.control_findings, name="control_findings"),
    path("interventies/nieuw/", views.intervention_new, name="intervention_new"),
    path("interventies/<uuid:intervention_id>/", views.intervention_detail, name="intervention"),
    path("interventies/<uuid:intervention_id>/inzet/", views.intervention_start, name="intervention_start"),
    path("interventies/<uuid:intervention_id>/effect/", views.intervention_effect, name="intervention_effect"),
    path("interventies/<uuid:intervention_id>/besluit/", views.intervention_decide, name="intervention_decide"),
    path("adres/<str:handle>/", views.address, name="address"),
    path("bibob/", views.bibob_list, name="bibob_list"),
    path("bibob/nieuw/", views.bibob_new, name="bibob_new"),
    path("bibob/<uuid:screening_id>/", views.bibob_detail, name="bibob_detail"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("treffers/<uuid:case_id>/contact/", views.request_contact, name="request_contact"),
    path("contactverzoeken/<uuid:request_id>/", views.contact_answer, name="contact_answer"),
    path("campagnes/nieuw/", views.campaign_new, name="campaign_new"),
]
