"""/api/v1/: the partner API. OpenAPI 3 at /api/v1/openapi.json."""

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView

from ketenzicht.cases.api import views as case_api
from ketenzicht.intake import api as intake_api
from ketenzicht.intake.fast_api import with_fast_intake
from ketenzicht.persons import api as persons_api
from ketenzicht.routing.api import views as routing_api

urlpatterns = [
    # Always JSON, whatever the Accept header says: the name promises it.
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    # GET lists (api.signal.list), POST submits (api.signal.create): one path, two operations.
    path("signalen", with_fast_intake(intake_api.SignalenApi.as_view()), name="api-signalen"),
    path("signalen/<uuid:case_id>", case_api.SignalDetailApi.as_view(), name="api-signaal"),
    path("signalen/<uuid:case_id>/transities", case_api.SignalTransitionApi.as_view(), name="api-signaal-transitie"),
    path("gemeenten", case_api.MunicipalityListApi.as_view(), name="api-gemeenten"),
    path("routekaart/advies", routing_api.RoutekaartAdviesApi.as_view(), name="api-routekaart-advies"),
    path("monitor/aanleveringen", persons_api.DeliveriesApi.as_view(), name="api-aanleveringen"),
    path("monitor/aanleveringen/<uuid:import_id>", persons_api.DeliveryDetailApi.as_view(), name="api-aanlevering"),
    path("monitor/personen", persons_api.PersonsApi.as_view(), name="api-personen"),
]
