from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.admin_base import view_on_site
from portal.api_urls import router
from portal.pwa import favicon, web_manifest

# Under /api/ even URLs no route matches answer the API's JSON error shape.
handler404 = "portal.api.not_found"
handler500 = "portal.api.server_error"

urlpatterns = [
    # Before the admin's own: Django's shortcut looks rows up unscoped (see accounts.admin_base).
    path("admin/r/<path:content_type_id>/<path:object_id>/", admin.site.admin_view(view_on_site)),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("manifest.webmanifest", web_manifest, name="web_manifest"),
    path("favicon.ico", favicon, name="favicon"),
    path("live/", include("cameras.live_urls")),
    path("", include("recordings.urls")),
    path("", include("recordings.footage.urls")),
    path("", include("recordings.playback.urls")),
    path("", include("accounts.urls")),
    path("", include("cameras.grants.urls")),
    path("", include("cameras.urls")),
]
