"""The API keeps its contract: schemathesis (pinned) against a live server, on a bounded budget.

It reads /api/v1/openapi.json and tests every operation the document contains (so operations
added later are covered without touching this file), as an AF and as a partner system, with
every check except `positive_data_acceptance`: a schema cannot know which of the 9,999
`GM####` codes is a municipality or whether an Idempotency-Key was used before, and those
answers (400, 422) are documented. Any 5xx or other contract violation fails the suite.
Budget: SCHEMATHESIS_MAX_EXAMPLES examples per operation and phase (default 12).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from ketenzicht.cases import services
from tests.support import Cast, report_signal

ST = str(Path(sys.executable).parent / "st")


def _run(base: str, token: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    command = [
        ST, "run", f"{base}/api/v1/openapi.json", "--url", base,
        "--header", f"Authorization: Token {token}",
        "--checks", "all", "--exclude-checks", "positive_data_acceptance",
        "--max-examples", os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "12"),
        "--seed", os.environ.get("SCHEMATHESIS_SEED", "1717"),
        "--request-timeout", "30", "--generation-database", "none", "--no-color",
    ]
    env = {**os.environ, "SCHEMATHESIS_TELEMETRY": "false"}
    return subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("who", ["af", "partner"])
def test_schemathesis_finds_no_5xx_and_no_contract_violation(who: str, transactional_db: None, live_server, cast: Cast, tmp_path: Path, settings) -> None:  # noqa: ANN001
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "partner": "100000/minute"}}
    # Data with the empty (null) fields the documented shapes must allow.
    report_signal(cast.chantal, cast.zoeterwoude, subjects=[services.SubjectInput(role="slachtoffer", description="onbekend")])
    report_signal(cast.chantal, cast.zoeterwoude, observed_on=date(2026, 1, 2), subjects=[services.SubjectInput(role="dader", name="X", birth_date=date(1990, 1, 1))])
    user = cast.anouk if who == "af" else cast.pim
    token = Token.objects.get_or_create(user=user)[0].key
    result = _run(live_server.url, token, tmp_path)
    summary = "\n".join(result.stdout.splitlines()[-60:])
    assert result.returncode == 0, summary
    assert " passed" in result.stdout and "failures" not in result.stdout.splitlines()[-1], summary
