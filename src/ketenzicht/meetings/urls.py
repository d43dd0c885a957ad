from django.urls import path

from ketenzicht.meetings import regional_views, views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("nieuw/", views.meeting_create, name="create"),
    path("regionale-tafel/nieuw/", regional_views.regional_create, name="regional_create"),
    path("termijnen/", views.deadlines, name="deadlines"),
    path("doorlooptijden/", views.throughput, name="throughput"),
    path("<uuid:meeting_id>/", views.meeting_detail, name="detail"),
    path("<uuid:meeting_id>/wijzigen/", views.meeting_edit, name="edit"),
    path("<uuid:meeting_id>/vergadering-plannen/", views.sitting_plan, name="plan_sitting"),
    path("vergaderingen/<uuid:sitting_id>/", views.sitting_detail, name="sitting"),
    path("vergaderingen/<uuid:sitting_id>/agenda/bijwerken/", views.agenda_refresh, name="agenda_refresh"),
    path("vergaderingen/<uuid:sitting_id>/signaal-agenderen/", regional_views.bring_case, name="bring_case"),
    path("vergaderingen/<uuid:sitting_id>/thema/", regional_views.add_theme, name="add_theme"),
    path("vergaderingen/<uuid:sitting_id>/agenda.pdf", views.agenda_pdf, name="agenda_pdf"),
    path("vergaderingen/<uuid:sitting_id>/notulen/", views.minutes, name="minutes"),
    path("vergaderingen/<uuid:sitting_id>/notulen.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("vergaderingen/<uuid:sitting_id>/notulen/vaststellen/", views.minutes_finalise, name="minutes_finalise"),
    path("vergaderingen/<uuid:sitting_id>/notulen/correctie/", views.minutes_correct, name="minutes_correct"),
    path("agendapunten/<int:item_id>/verplaatsen/", views.agenda_move, name="agenda_move"),
    path("agendapunten/<int:item_id>/besluit/", views.decide, name="decide"),
    path("actiepunten/<int:action_item_id>/afgerond/", views.action_done, name="action_done"),
]
