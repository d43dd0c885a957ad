"""Login and second-factor limits in the shared store; lockouts notify the owner (link only)."""

from __future__ import annotations

import threading
from datetime import timedelta

from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketenzicht.core import counters
from ketenzicht.core.models import RateCounter
from tests.support import PASSWORD, Cast

URL = "/account/login/"


def _password_step(client: Client, username: str = "anouk", password: str = PASSWORD) -> object:
    return client.post(URL, {"login_view-current_step": "auth", "auth-username": username, "auth-password": password})


def _code(user: object, *, wrong: bool = False) -> str:
    device = TOTPDevice.objects.get(user=user)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{(code + 1) % 10**6:06d}" if wrong else f"{code:06d}"


def _token_step(client: Client, code: str) -> object:
    return client.post(URL, {"login_view-current_step": "token", "token-otp_token": code})


def test_wrong_codes_slow_an_attacker_but_the_owner_gets_in_after_the_cooldown(cast: Cast, settings) -> None:
    attacker = Client()
    assert _password_step(attacker).status_code == 200  # the password is known to the attacker
    for _ in range(settings.TOTP_FAILURE_LIMIT):
        assert "token-otp_token" in _token_step(attacker, _code(cast.anouk, wrong=True)).content.decode()
    # Locked: even the right code is not checked now, from any client or process.
    owner = Client()
    _password_step(owner)
    page = _token_step(owner, _code(cast.anouk)).content.decode()
    assert "Te veel onjuiste codes" in page and "_auth_user_id" not in owner.session
    # The owner hears about it: a link, no address, no details of the attempts.
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [cast.anouk.email]
    assert "http://testserver/account/login/" in mail.outbox[0].body and "127.0.0.1" not in mail.outbox[0].body
    # After the cool-down (the counter's time is up), password + correct code let the owner in.
    RateCounter.objects.filter(key__startswith="totp-failures:").update(expires_at=timezone.now() - timedelta(seconds=1))
    owner = Client()
    _password_step(owner)
    response = _token_step(owner, _code(cast.anouk))
    assert response.status_code == 302 and owner.session["_auth_user_id"] == str(cast.anouk.pk)


def test_a_correct_code_resets_the_count(cast: Cast, settings) -> None:
    client = Client()
    _password_step(client)
    for _ in range(settings.TOTP_FAILURE_LIMIT - 1):
        _token_step(client, _code(cast.anouk, wrong=True))
    assert _token_step(client, _code(cast.anouk)).status_code == 302
    assert counters.peek(f"totp-failures:{cast.anouk.pk}") == 0


def test_password_lockout_is_kept_in_the_database_and_notifies_the_owner(cast: Cast, settings) -> None:
    from axes.models import AccessAttempt

    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _password_step(client, password="fout")
    assert _password_step(Client()).status_code == 429  # another client, same account
    assert AccessAttempt.objects.filter(username="anouk").exists()
    assert [m.to for m in mail.outbox] == [[cast.anouk.email]]
    assert "geblokkeerd" in mail.outbox[0].body and "fout" not in mail.outbox[0].body


def test_counter_increments_are_atomic_under_concurrency(transactional_db: None) -> None:
    """Threads on their own connections: no increment is lost (one statement each)."""
    if connection.vendor == "sqlite":
        connection.close()  # let each thread open its own connection to the file
    totals: list[int] = []

    def hammer() -> None:
        from django.db import connection as own

        for _ in range(25):
            totals.append(counters.increment("probe:atomic", 60))
        own.close()

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counters.peek("probe:atomic") == 100
    assert sorted(totals) == list(range(1, 101))


def test_redis_backend_counts_the_same(tmp_path, settings) -> None:  # noqa: ANN001
    import shutil
    import socket
    import subprocess
    import time

    import redis

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([shutil.which("redis-server"), "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        client = redis.Redis(port=port)
        for _ in range(50):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
        assert [counters.increment("probe:redis", 60) for _ in range(3)] == [1, 2, 3]
        assert counters.peek("probe:redis") == 3 and 0 < client.ttl("probe:redis") <= 60
        counters.reset("probe:redis")
        assert counters.peek("probe:redis") == 0
    finally:
        server.terminate()
        server.wait()


def test_login_url_is_the_limited_view() -> None:
    from ketenzicht.core.login import LoginView

    assert reverse("two_factor:login") == URL
    from django.urls import resolve

    assert resolve(URL).func.view_class is LoginView
