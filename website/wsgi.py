"""WSGI entry point; production servers load `website.wsgi:application`.

Pages in the page cache are served before Django's handler runs (website/cache.py).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "website.settings.production")

django_application = get_wsgi_application()

from website.cache import PageCacheApplication  # noqa: E402 (needs the apps loaded)

application = PageCacheApplication(django_application)
