"""The admin's account menu and avatars for the demo users (issue 21)."""

import pytest
from bs4 import BeautifulSoup

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_avatars_do_not_come_from_gravatar(client, demo):
    """Gravatar would get a hash of each staff address and fail offline."""
    assert client.login(username="officer", password=DEMO_PASSWORD)
    for url in ["/admin/", "/admin/account/"]:
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "gravatar" not in html.lower()
        avatars = BeautifulSoup(html, "html.parser").select("img.avatar, .avatar img")
        assert avatars and all(img["src"].startswith("/static/") for img in avatars)
    assert "gravatar" not in response.headers["Content-Security-Policy"]
