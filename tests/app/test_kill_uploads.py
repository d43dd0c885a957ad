"""A kill -9 of the server during uploads leaves no file without its row.

A real gunicorn serves the public form on a database and media folder of its own; reporters
post photos from several threads; the whole process group is killed with SIGKILL mid-upload;
after a restart `ketenzicht check_files` must find every row with its file and no file
without its row (abandoned uploads wait in the staging area for the sweeper).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.app.retention_support import PNG

BIN = Path(sys.executable).parent
PHOTO = PNG + os.urandom(512 * 1024)  # 512 KiB: long enough writes to be caught by the kill


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(
        KETENZICHT_HOME=str(home), DJANGO_SETTINGS_MODULE="ketenzicht.settings.dev", DEBUG="0",
        DATABASE_URL=f"sqlite:///{home / 'kz.sqlite3'}", MEDIA_ROOT=str(home / "media"),
        RATE_LIMIT_PUBLIC_REPORT="100000/minute", LOG_LEVEL="ERROR", ALLOWED_HOSTS="127.0.0.1",
    )
    return env


def _serve(env: dict[str, str], port: int, workers: int = 2) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "error", "ketenzicht.wsgi:application"],
        env=env, cwd=env["KETENZICHT_HOME"], start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return server
        except requests.RequestException:
            time.sleep(0.1)
    server.kill()
    raise AssertionError("server did not start")


def _reporter(base: str, stop: threading.Event, results: list[str]) -> None:
    session = requests.Session()
    while not stop.is_set():
        try:
            page = session.get(f"{base}/melden/", timeout=10).text
            key = re.search(r'name="form_key" value="([^"]+)"', page).group(1)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            data = {"csrfmiddlewaretoken": token, "form_key": key, "description": "Mensen slapen in de kas.", "municipality": "Zoeterwoude", "location_address": "Dorpsstraat 3", "situations": "arbeid", "website": "", "actie": "versturen"}
            response = session.post(f"{base}/melden/", data=data, files={"photos": ("kas.png", PHOTO, "image/png")}, headers={"Referer": f"{base}/melden/"}, timeout=20)
            results.append(str(response.status_code))
        except (requests.RequestException, AttributeError):
            results.append("broken")
            if stop.is_set():
                return
            time.sleep(0.05)


def _database_copy(target: Path) -> None:
    """The committed state of this worker's test database (schema and region), copied."""
    from django.db import connection

    source = sqlite3.connect(connection.settings_dict["NAME"])
    with sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()


@pytest.mark.sqlite_only
def test_kill_9_during_uploads_leaves_no_file_without_its_row(tmp_path: Path, region: None) -> None:
    env = _env(tmp_path)
    ketenzicht = str(BIN / "ketenzicht")
    _database_copy(tmp_path / "kz.sqlite3")
    port = _free_port()
    server = _serve(env, port)
    stop, results = threading.Event(), []
    threads = [threading.Thread(target=_reporter, args=(f"http://127.0.0.1:{port}", stop, results)) for _ in range(3)]
    for thread in threads:
        thread.start()
    deadline = time.time() + 30
    while results.count("200") < 4 and time.time() < deadline:
        time.sleep(0.05)
    os.killpg(server.pid, signal.SIGKILL)  # mid-upload: the reporters are still sending
    server.wait()
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert results.count("200") >= 4, results
    assert "broken" in results, "the kill interrupted no request"

    server = _serve(env, port, workers=1)  # after the restart
    try:
        check = subprocess.run([ketenzicht, "check_files"], env=env, cwd=tmp_path, capture_output=True, text=True)
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Bestanden in orde" in check.stdout
    placed = list((tmp_path / "media" / "bijlagen").rglob("*"))
    assert sum(1 for p in placed if p.is_file()) >= results.count("200")
