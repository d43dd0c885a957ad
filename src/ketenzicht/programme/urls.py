from django.urls import path

from ketenzicht.programme import views

app_name = "programme"

urlpatterns = [
    path("", views.index, name="index"),
    path("nieuw/", views.programme_new, name="new"),
    path("<int:programme_id>/", views.detail, name="detail"),
    path("<int:programme_id>/bewerken/", views.programme_edit, name="edit"),
    path("<int:programme_id>/acties/nieuw/", views.action_new, name="action_new"),
    path("<int:programme_id>/importeren/", views.action_import, name="import"),
    path("<int:programme_id>/actietabel.xlsx", views.action_export, name="export"),
    path("acties/<uuid:action_id>/", views.action_detail, name="action"),
    path("acties/<uuid:action_id>/status/", views.action_status, name="action_status"),
    path("acties/<uuid:action_id>/bewerken/", views.action_edit, name="action_edit"),
    path("acties/<uuid:action_id>/afgerond/", views.action_complete, name="action_complete"),
    path("keren/<int:occurrence_id>/uitgevoerd/", views.occurrence_done, name="occurrence_done"),
    path("training/", views.training_index, name="training_index"),
    path("training/nieuw/", views.training_new, name="training_new"),
    path("training/<int:municipality_id>/", views.training_municipality, name="training"),
    path("training/<int:municipality_id>/doelgroep/", views.target_group_new, name="target_group"),
    path("training/<int:municipality_id>/behoefte/", views.need_new, name="need_new"),
    path("rapportages/", views.reports, name="reports"),
    path("rapportages/<uuid:report_id>/", views.report_download, name="report_download"),
]
