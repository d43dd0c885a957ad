"""Two app servers behind one address behave as one (issue 19, item 3): real gunicorn processes
on one PostgreSQL database.

A login whose password step went to one server and whose code went to the other succeeds (the
login wizard lives in the session); the session then works on both, and logging out on one ends
it on the other. A partner's requests spread over both count against one limit; wrong passwords
and wrong codes spread over both lock the account on both. The monitor's figures computed by one
server are a cache hit on the other.
"""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils.crypto import get_random_string
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketenzicht.accounts.models import User
from ketenzicht.core.models import CacheEntry
from tests.app.test_kill_uploads import _env, _free_port, _serve
from tests.support import PASSWORD, Cast

LOGIN = "/account/login/"


def _database_url() -> str:
    """The test database this (transactional) test commits to, for the servers."""
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=20).text
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def _password(session: requests.Session, base: str, username: str, password: str = PASSWORD) -> requests.Response:
    data = {"csrfmiddlewaretoken": _csrf(session, f"{base}{LOGIN}"), "login_view-current_step": "auth", "auth-username": username, "auth-password": password}
    return session.post(f"{base}{LOGIN}", data=data, headers={"Referer": f"{base}{LOGIN}"}, timeout=20, allow_redirects=False)


def _code(user: object, *, wrong: bool = False) -> str:
    device = TOTPDevice.objects.get(user=user)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{(code + 1) % 10**6:06d}" if wrong else f"{code:06d}"


def _token(session: requests.Session, base: str, code: str) -> requests.Response:
    token = session.cookies.get("csrftoken")
    data = {"csrfmiddlewaretoken": token, "login_view-current_step": "token", "token-otp_token": code}
    return session.post(f"{base}{LOGIN}", data=data, headers={"Referer": f"{base}{LOGIN}"}, timeout=20, allow_redirects=False)


def _signal(base: str, token: str, key: str) -> int:
    body = {"gemeenteCode": "GM0638", "omschrijving": "Twee servers, één teller."}
    headers = {"Authorization": f"Token {token}", "Idempotency-Key": key}
    return requests.post(f"{base}/api/v1/signalen", json=body, headers=headers, timeout=20).status_code


def _servers_can_check_passwords(*users: User) -> None:
    """The servers run the real settings, whose hashers do not read the tests' fast MD5 hashes."""
    for user in users:
        hashed = PBKDF2PasswordHasher().encode(PASSWORD, get_random_string(12), iterations=1000)
        User.objects.filter(pk=user.pk).update(password=hashed)


def _figures_expiry() -> list[object]:
    return list(CacheEntry.objects.filter(cache_key__contains="monitor:fig:").values_list("expires", flat=True))


@pytest.mark.postgres_only
def test_two_servers_share_sessions_cache_limits_and_lockouts(transactional_db: None, cast: Cast, tmp_path: Path) -> None:
    env = {
        **_env(tmp_path), "DATABASE_URL": _database_url(), "DB_CONN_MAX_AGE": "60",
        "RATE_LIMIT_PARTNER": "6/day", "AXES_FAILURE_LIMIT": "3", "TOTP_FAILURE_LIMIT": "3",
    }
    _servers_can_check_passwords(cast.anouk, cast.fleur)
    ports = [_free_port(), _free_port()]
    servers = [_serve(env, port, workers=1) for port in ports]
    a, b = (f"http://127.0.0.1:{port}" for port in ports)
    try:
        # Password on A, code on B: the wizard's state is in the shared session.
        anouk = requests.Session()
        assert "token-otp_token" in _password(anouk, a, "anouk").text
        assert _token(anouk, b, _code(cast.anouk)).status_code == 302
        for base in (a, b):
            page = anouk.get(f"{base}/werkvoorraad/", timeout=20, allow_redirects=False)
            assert page.status_code == 200 and "Werkvoorraad" in page.text, base
        # Figures computed on A are a hit on B: B does not compute and write them again.
        assert anouk.get(f"{a}/monitor/", timeout=20).status_code == 200
        written = _figures_expiry()
        assert written
        assert anouk.get(f"{b}/monitor/", timeout=20).status_code == 200
        assert _figures_expiry() == written
        # Logging out on B ends the session on A too.
        token = anouk.cookies.get("csrftoken")
        anouk.post(f"{b}/account/uitloggen/", data={"csrfmiddlewaretoken": token}, headers={"Referer": f"{b}/"}, timeout=20)
        after = anouk.get(f"{a}/werkvoorraad/", timeout=20, allow_redirects=False)
        assert after.status_code == 302 and LOGIN in after.headers["Location"]

        # One partner, two servers: 8 requests, one limit of 6.
        codes = [_signal(a if i % 2 else b, cast.pim_token, f"twee-{i}") for i in range(8)]
        assert sorted(codes) == [201] * 6 + [429] * 2, codes

        # Wrong passwords spread over both servers lock the account on both.
        for i in range(3):
            _password(requests.Session(), a if i % 2 else b, "bram", "fout")
        assert _password(requests.Session(), a, "bram").status_code == 429
        assert _password(requests.Session(), b, "bram").status_code == 429

        # Wrong codes spread over both servers: the right code is refused on either afterwards.
        attacker = requests.Session()
        assert _password(attacker, a, "fleur").status_code == 200
        for i in range(3):
            _token(attacker, a if i % 2 else b, _code(cast.fleur, wrong=True))
        for base in (a, b):
            owner = requests.Session()
            assert _password(owner, base, "fleur").status_code == 200
            page = _token(owner, base, _code(cast.fleur))
            assert page.status_code == 200 and "Te veel onjuiste codes" in page.text, base
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
