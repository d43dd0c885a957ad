import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketenzicht.settings.production")
application = get_wsgi_application()


def _warm() -> None:
    """Load every view (the URL configuration) while the worker boots, not on its first request.

    Django imports the URL configuration lazily, on the first request a worker serves: all
    views, the monitor's disclosure control with scipy, two-factor's QR code library — seconds
    of imports (more where no bytecode cache is written) that the first requests of every new
    worker waited for, under load the slowest requests of a run. A worker that boots warm
    accepts connections only when it can answer them at full speed.
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the import is the point


_warm()
