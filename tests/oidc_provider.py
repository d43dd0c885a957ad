"""A small real OpenID Connect provider on loopback, for the SSO tests.

It speaks the authorization-code flow over HTTP: /authorize answers at once for the person the
test chose (as if they had logged in there), /token returns an RS256-signed ID token with the
nonce, `amr` and `acr` of that person, /userinfo their claims, /jwks the public key.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

KID = "test-key-1"


@dataclass
class Provider:
    base: str
    client_id: str = "ketenzicht-test"
    client_secret: str = "geheim-voor-de-test"
    # The person who is "logged in" at the provider, and how.
    claims: dict[str, Any] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    key: Any = None
    token_requests: int = 0

    def settings(self) -> dict[str, Any]:
        return {
            "OIDC_RP_CLIENT_ID": self.client_id,
            "OIDC_RP_CLIENT_SECRET": self.client_secret,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.base}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.base}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.base}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.base}/jwks",
        }


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            return

        def _json(self, body: dict[str, Any], status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - http.server hook
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/authorize":
                if query.get("client_id") != provider.client_id:
                    return self._json({"error": "unauthorized_client"}, 400)
                code = secrets.token_urlsafe(16)
                provider.codes[code] = {"nonce": query.get("nonce"), "redirect_uri": query["redirect_uri"]}
                self.send_response(302)
                self.send_header("Location", f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}")
                self.end_headers()
            elif url.path == "/userinfo":
                self._json({k: v for k, v in provider.claims.items() if k in ("sub", "email", "name")})
            elif url.path == "/jwks":
                jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
                self._json({"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]})
            else:
                self._json({"error": "not_found"}, 404)

        def do_POST(self) -> None:  # noqa: N802 - http.server hook
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlparse(self.path).path != "/token":
                return self._json({"error": "not_found"}, 404)
            provider.token_requests += 1
            grant = provider.codes.pop(form.get("code", ""), None)
            if grant is None or form.get("client_secret") != provider.client_secret or form.get("redirect_uri") != grant["redirect_uri"]:
                return self._json({"error": "invalid_grant"}, 400)
            now = int(time.time())
            claims = {"iss": provider.base, "aud": provider.client_id, "iat": now, "exp": now + 300, "nonce": grant["nonce"], **provider.claims}
            id_token = jwt.encode(claims, provider.key, algorithm="RS256", headers={"kid": KID})
            self._json({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "id_token": id_token, "expires_in": 300})

    return Handler


@pytest.fixture
def oidc_provider(settings: Any) -> Iterator[Provider]:
    """Start the provider and configure Ketenzicht's SSO against it (SSO is off otherwise)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    provider = Provider(base=f"http://127.0.0.1:{server.server_address[1]}", key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    server.RequestHandlerClass = _handler(provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
