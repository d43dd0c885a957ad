"""Limits hold across two app servers and survive a restart (real gunicorn processes).

Two servers on one database: a partner's requests spread over both count against one limit;
a password lockout and the second-factor limit reached on one server hold on the other; after
both are killed and one is started again, the counts are still there.
"""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from tests.app.test_kill_uploads import _database_copy, _env, _free_port, _serve
from tests.smtp import smtp_server  # noqa: F401, F811 - fixture
from tests.support import PASSWORD, Cast


def _login_page(session: requests.Session, base: str) -> str:
    page = session.get(f"{base}/account/login/", timeout=20).text
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def _password(session: requests.Session, base: str, password: str) -> requests.Response:
    token = _login_page(session, base)
    data = {"csrfmiddlewaretoken": token, "login_view-current_step": "auth", "auth-username": "bram", "auth-password": password}
    return session.post(f"{base}/account/login/", data=data, headers={"Referer": f"{base}/account/login/"}, timeout=20)


def _signal(base: str, token: str, key: str) -> int:
    body = {"gemeenteCode": "GM0638", "omschrijving": "Twee servers, één teller."}
    return requests.post(f"{base}/api/v1/signalen", json=body, headers={"Authorization": f"Token {token}", "Idempotency-Key": key}, timeout=20).status_code


@pytest.mark.sqlite_only
def test_limits_hold_across_two_servers_and_a_restart(transactional_db: None, cast: Cast, tmp_path: Path, smtp_server) -> None:  # noqa: ANN001, F811
    _database_copy(tmp_path / "kz.sqlite3")  # the cast is committed here (transactional test)
    connection.close()
    env = {**_env(tmp_path), "RATE_LIMIT_PARTNER": "6/day", "AXES_FAILURE_LIMIT": "3", "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(settings.EMAIL_PORT)}
    ports = [_free_port(), _free_port()]
    servers = [_serve(env, port, workers=1) for port in ports]
    a, b = (f"http://127.0.0.1:{port}" for port in ports)
    try:
        # One partner, two servers: 8 requests, one limit of 6.
        codes = [_signal(a if i % 2 else b, cast.pim_token, f"twee-{i}") for i in range(8)]
        assert sorted(codes) == [201] * 6 + [429] * 2, codes
        # Wrong passwords spread over both servers lock the account on both.
        for i in range(3):
            _password(requests.Session(), a if i % 2 else b, "fout")
        assert _password(requests.Session(), a, PASSWORD).status_code == 429
        assert _password(requests.Session(), b, PASSWORD).status_code == 429
        # The owner is told once (both servers saw the lockout), with a link and nothing else.
        # (The AFs are also mailed about the partner's new signals; those go to them, not to bram.)
        to_owner = [m for m in smtp_server.messages if m["To"] == cast.bram.email]
        assert len(to_owner) == 1, [m["Subject"] for m in to_owner]
        text = to_owner[0].get_content()
        assert f"{a}/account/login/" in text or f"{b}/account/login/" in text
        assert "fout" not in text and "bram" not in text
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    server = _serve(env, ports[0], workers=1)  # a restart: nothing was in process memory
    try:
        assert _signal(a, cast.pim_token, "na-herstart") == 429
        assert _password(requests.Session(), a, PASSWORD).status_code == 429
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
