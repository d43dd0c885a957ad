"""Rate limits per client: a fixed-window counter in Django's cache.

Who counts as one client:
- an authenticated API client (a partner system's token, a colleague's session) by account id:
  a partner's requests may leave through several addresses;
- everyone else by a keyed hash of their address (HMAC-SHA256 keyed from SECRET_KEY,
  truncated). The raw address is never written anywhere: not in the cache key, not in a log
  line, not in the database. Without SECRET_KEY the hash cannot be turned back into an address.

Limits come from `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` ("30/minute"), which
`settings/base.py` reads from the environment (`RATE_LIMIT_PUBLIC_REPORT`,
`RATE_LIMIT_PARTNER`). One place for the numbers, for the API and the public form alike.

The counter lives in the shared store of `core/counters.py` (the database, or Redis when
`REDIS_URL` is set): the limit holds across every worker and app server and survives a restart.

A fixed window lets a client send up to 2 × limit around a window boundary; for abuse
protection (not billing) that is an acceptable price for one atomic increment per request.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext
from rest_framework.exceptions import Throttled
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from ketenzicht.core import counters

logger = logging.getLogger(__name__)

# Tests replace this to move through windows without sleeping.
clock: Callable[[], float] = time.time

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
HASH_LENGTH = 24  # hex characters: 96 bits, plenty to tell clients apart


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # whole seconds until the current window ends


def parse_rate(rate: str) -> tuple[int, int]:
    """'30/minute' → (30, 60); the DRF notation (second, minute, hour, day; first letter counts)."""
    try:
        count, period = rate.split("/")
        limit, window = int(count), _PERIODS[period.strip()[0].lower()]
    except (ValueError, KeyError, IndexError) as exc:
        raise ValueError(f"rate {rate!r} is not of the form '<number>/<second|minute|hour|day>'") from exc
    if limit < 1:
        raise ValueError(f"rate {rate!r} must allow at least one request")
    return limit, window


def configured_rate(scope: str) -> tuple[int, int]:
    """The (limit, window seconds) configured for `scope`; read per call so tests can override."""
    return parse_rate(api_settings.DEFAULT_THROTTLE_RATES[scope])


def client_address(request: HttpRequest) -> str:
    """The client's address; only ever used as input to `client_hash`."""
    proxies = settings.RATE_LIMIT_TRUSTED_PROXIES
    if proxies > 0:
        # Each trusted proxy appends the address it saw; anything further left is the client's
        # own claim and can be forged, so count from the right.
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def client_hash(request: HttpRequest) -> str:
    """A keyed hash of the client address: stable per client, useless without SECRET_KEY."""
    return salted_hmac("ketenzicht.core.ratelimit", client_address(request), algorithm="sha256").hexdigest()[:HASH_LENGTH]


@dataclass(frozen=True)
class Window:
    """The counter of one client's current window: its key, how long it lives, and the decision
    a count in it gives (`hit` counts; a caller that counts in a statement of its own asks `decide`)."""

    key: str
    ttl: int
    limit: int
    retry_after: int

    def decide(self, count: int) -> RateDecision:
        return RateDecision(allowed=count <= self.limit, limit=self.limit, remaining=max(0, self.limit - count), retry_after=self.retry_after)


def window_of(scope: str, client: str, limit: int, window: int, now: float | None = None) -> Window:
    now = clock() if now is None else now
    window_start = int(now // window) * window
    return Window(f"ratelimit:{scope}:{client}:{window_start}", window + 1, limit, max(1, math.ceil(window_start + window - now)))


def hit(scope: str, client: str, limit: int, window: int, now: float | None = None) -> RateDecision:
    """Count one request of `client` in `scope` and say whether it is within the limit."""
    current = window_of(scope, client, limit, window, now)
    return current.decide(counters.increment(current.key, current.ttl))


def _refused(scope: str, client: str) -> None:
    # The client hash, never the address: logs are kept longer than the counter.
    logger.warning("rate limit reached scope=%s client=%s", scope, client)


def check_rate(request: HttpRequest, scope: str, limit: int, window_seconds: int) -> bool:
    """Count this request for its client; False when the client is over the limit.

    The decision is left on `request.rate_limit` (for the Retry-After header).
    """
    client = client_hash(request)
    return record(request, scope, client, hit(scope, client, limit, window_seconds))


def mark_counted(request: Any, scope: str, decision: RateDecision) -> None:
    """`request` was counted in `scope` (by an intake's fast path, which then left it to the view):
    the view's limit reads this decision instead of counting the request again."""
    request.kz_rate_counted = (scope, decision)


def counted_decision(request: Any, scope: str) -> RateDecision | None:
    counted = getattr(request, "kz_rate_counted", None)
    return counted[1] if counted is not None and counted[0] == scope else None


def record(request: HttpRequest, scope: str, client: str, decision: RateDecision) -> bool:
    """Leave a counted request's decision on `request.rate_limit`, log a refusal; allowed?"""
    request.rate_limit = decision  # type: ignore[attr-defined]
    if not decision.allowed:
        _refused(scope, client)
    return decision.allowed


def rate_limited(
    scope: str, limit: int | None = None, window: int | None = None, *, methods: tuple[str, ...] = ("POST",)
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit a view per client; over the limit it answers with a friendly Dutch 429 page.

    Without `limit`/`window` the configured rate of `scope` applies. Only `methods` count:
    reading the public form is never limited, sending it is.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods:
                rate = (limit, window) if limit is not None and window is not None else configured_rate(scope)
                counted = counted_decision(request, scope)
                if counted is not None:
                    request.rate_limit = counted  # type: ignore[attr-defined]
                if not (counted.allowed if counted is not None else check_rate(request, scope, *rate)):
                    retry_after = request.rate_limit.retry_after  # type: ignore[attr-defined]
                    response = render(
                        request,
                        "errors/429.html",
                        {"retry_after_minutes": max(1, math.ceil(retry_after / 60))},
                        status=429,
                    )
                    response["Retry-After"] = str(retry_after)
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class RateLimited(Throttled):
    """429 for the API, in Dutch; the problem+json handler copies Retry-After from `wait`."""

    def __init__(self, wait: int) -> None:
        # DRF formats its own English "Expected available in …" before translating; say it here.
        detail = ngettext(
            "Te veel verzoeken. Probeer het over %(wait)d seconde opnieuw.",
            "Te veel verzoeken. Probeer het over %(wait)d seconden opnieuw.",
            wait,
        ) % {"wait": wait}
        super().__init__(detail=detail)
        self.wait = wait


class ClientRateThrottle(BaseThrottle):
    """DRF throttle on the same counter: per account when authenticated, else per hashed address.

    Views set `throttle_scope` (a key of DEFAULT_THROTTLE_RATES) and raise `RateLimited` from
    `throttled()`; see intake.api.SignalenApi.
    """

    decision: RateDecision | None = None

    def allow_request(self, request: Any, view: Any) -> bool:
        scope = getattr(view, "throttle_scope", "partner")
        user = getattr(request, "user", None)
        client = f"user-{user.pk}" if user is not None and user.is_authenticated else client_hash(request)
        counted = counted_decision(request, scope)
        self.decision = counted if counted is not None else hit(scope, client, *configured_rate(scope))
        if not self.decision.allowed:
            _refused(scope, client)
        return self.decision.allowed

    def wait(self) -> float | None:
        return self.decision.retry_after if self.decision is not None else None
