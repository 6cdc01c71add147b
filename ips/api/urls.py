from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from ips.api.views import ProgramViewSet, me

router = DefaultRouter()
router.register("programs", ProgramViewSet, basename="program")

urlpatterns = [
    path("", include(router.urls)),
    path("me/", me, name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        login_required(SpectacularSwaggerView.as_view(url_name="api:schema")),
        name="docs",
    ),
]
