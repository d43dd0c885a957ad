"""The CSRF token for a page, as Django's `get_token` makes it, with one read of the system's randomness.

Django masks the cookie's secret with a fresh random mask for every page (against BREACH),
drawing its 32 characters one `secrets.choice` at a time: 55 µs of the public form's answer,
more than rendering its confirmation page from the kept copy (issue 19). `token_for` draws the
mask's characters from one `secrets.token_bytes`, each byte below the largest multiple of the
alphabet's size taken modulo it (a byte above is thrown away), so every character stays equally
likely and independent, as Django's. The token is Django's format: the middleware unmasks and
checks it as its own (tests/app/test_csrf_token.py).
"""

from __future__ import annotations

import secrets

from django.http import HttpRequest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token

_SIZE = len(CSRF_ALLOWED_CHARS)
_LIMIT = 256 - 256 % _SIZE  # bytes from here up would make the first characters likelier
_INDEX = {c: i for i, c in enumerate(CSRF_ALLOWED_CHARS)}


def random_indexes(count: int) -> list[int]:
    """`count` independent, uniformly drawn positions in the alphabet."""
    out: list[int] = []
    while len(out) < count:
        out.extend(b % _SIZE for b in secrets.token_bytes(count + 8) if b < _LIMIT)
    return out[:count]


def token_for(request: HttpRequest) -> str:
    """`django.middleware.csrf.get_token(request)`: the same token format and the same side effect
    (the cookie is sent again, renewing its expiry), with one draw of randomness."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret or len(secret) != CSRF_SECRET_LENGTH or not all(c in _INDEX for c in secret):
        return get_token(request)  # no cookie yet, or a shape Django should judge: its own way
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = random_indexes(CSRF_SECRET_LENGTH)
    chars = CSRF_ALLOWED_CHARS
    return "".join(chars[m] for m in mask) + "".join(chars[(_INDEX[c] + m) % _SIZE] for c, m in zip(secret, mask, strict=True))
