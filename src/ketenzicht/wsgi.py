import logging
import os
from typing import Any

import django
from django.core.handlers.wsgi import WSGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketenzicht.settings.production")


class Handler(WSGIHandler):
    """Django's handler, with the partner intake's plain deliveries (intake/fast_api.py) and the
    public form's plain reports (intake/fast_public.py) answered before the middleware; every
    other request, and every one a fast path steps aside for, goes through the whole stack."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from ketenzicht.core.formdata import Request
        from ketenzicht.intake import fast_api, fast_public

        self.request_class = Request  # a browser's multipart type read without the email module

        self._fast = [(module.takes, module.header_chain(), module.Declined) for module in (fast_api, fast_public)]

    def get_response(self, request: Any) -> Any:
        for takes, chain, declined in self._fast:
            if not takes(request):
                continue
            from django.conf import settings
            from django.urls import set_urlconf

            set_urlconf(settings.ROOT_URLCONF)
            try:
                response = chain(request)
            except declined:
                pass
            except Exception as exc:  # noqa: BLE001 - the full stack answers, with its error handling
                # Whatever went wrong (the database, a bug) is answered as the full stack answers
                # it: a retry there is safe, both intakes being idempotent on their key.
                # The exception's kind only: its text may hold what was sent.
                logging.getLogger("ketenzicht.intake").warning("fast intake failed (%s); the full stack answers", type(exc).__name__)
                request.kz_fast_declined = True
            else:
                response._resource_closers.append(request.close)
                return response
            break
        return super().get_response(request)


django.setup(set_prefix=False)
application = Handler()


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
