"""Newsletter addresses outside the language prefix: RFC 8058 one-click unsubscribe, which mail
clients POST to without cookies (included by website/urls.py as "newsletter/")."""

from django.urls import path

from .views import one_click_unsubscribe

urlpatterns = [
    path("one-click/<str:token>/", one_click_unsubscribe, name="newsletter_one_click"),
]
