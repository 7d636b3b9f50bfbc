"""The framework's floor: a bare Django view returning a fixed page of a given size.

Served by the same gunicorn as the site, so the difference between the two is what the CMS costs.
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

SIZE = int(os.environ.get("FLOOR_BYTES", "20000"))
BODY = ("<!DOCTYPE html><html lang='en'><body>" + "x" * SIZE)[:SIZE].encode()

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-floor-only",  # noqa: S106
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.common.CommonMiddleware",
    ],
)


def page(request):
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")


urlpatterns = [path("", page)]
application = get_wsgi_application()
