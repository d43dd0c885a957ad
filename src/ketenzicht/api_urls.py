"""/api/v1/: the partner API. OpenAPI 3 at /api/v1/openapi.json."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from ketenzicht.cases.api import views as case_api

urlpatterns = [
    path("openapi.json", SpectacularAPIView.as_view(), name="openapi"),
    path("signalen", case_api.SignalListApi.as_view(), name="api-signalen"),
    path("signalen/<uuid:case_id>", case_api.SignalDetailApi.as_view(), name="api-signaal"),
    path("signalen/<uuid:case_id>/transities", case_api.SignalTransitionApi.as_view(), name="api-signaal-transitie"),
    path("gemeenten", case_api.MunicipalityListApi.as_view(), name="api-gemeenten"),
]
