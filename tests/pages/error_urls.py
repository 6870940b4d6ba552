"""The portal's URLs plus one view that fails, for tests of the server-error page."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a deliberate failure for the 500 page")


urlpatterns = [path("test-server-error/", fail), *portal_urlpatterns]
