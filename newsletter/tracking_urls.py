"""Tracked links and the open image of sent newsletters, at the site's root (short URLs that
stay the same in every language): /r/<token> and /o/<token>.gif."""

from django.urls import path

from .views import click, opened

urlpatterns = [
    path("r/<path:token>", click, name="newsletter_click"),
    path("o/<str:token>.gif", opened, name="newsletter_open"),
]
