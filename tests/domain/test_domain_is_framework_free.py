"""The domain package imports nothing of Django nor of the project's apps.

Each domain module is imported in a fresh interpreter; the test fails when that import loaded
`django`, `rest_framework` or any `ketenzicht.<app>` module. Unlike a scan of import lines, this
also catches an import inside a function body that runs at import time, an `importlib` call and
an import through another module (the probe of issue 18: `from ketenzicht.monitor import
selectors` planted in `domain/redaction.py` passed the old text scan).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import ketenzicht.domain

DOMAIN_DIR = Path(ketenzicht.domain.__file__).parent
MODULES = sorted(
    "ketenzicht.domain." + ".".join(p.relative_to(DOMAIN_DIR).with_suffix("").parts).removesuffix(".__init__")
    for p in DOMAIN_DIR.rglob("*.py")
)
# The Spark backend needs pyspark (a framework of its own, not Django): imported lazily, still pure.
PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'rest_framework')
             or (m.startswith('ketenzicht.') and not m.startswith('ketenzicht.domain')))
print(json.dumps(bad))
"""


def _loaded(modules: list[str], cwd: Path | None = None) -> list[str]:
    result = subprocess.run([sys.executable, "-c", PROBE, *modules], capture_output=True, text=True, check=True, timeout=120, cwd=cwd)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_domain_module_is_listed() -> None:
    assert "ketenzicht.domain.lifecycles.case" in MODULES and len(MODULES) > 20


def test_no_domain_module_loads_django_or_an_app() -> None:
    # One interpreter for all modules keeps this fast; on failure, name the culprit module.
    bad = _loaded(MODULES)
    if bad:
        culprits = {m: _loaded([m]) for m in MODULES if _loaded([m])}
        pytest.fail(f"domain modules that load Django or an app: {culprits}")


def test_the_probe_catches_a_planted_app_import(tmp_path: Path) -> None:
    """The guard can fail: a module that imports an app through a function run at import time."""
    planted = tmp_path / "planted_domain.py"
    planted.write_text("def _load():\n    from ketenzicht.cases import models  # noqa\n\n", encoding="utf-8")
    (tmp_path / "planted_runner.py").write_text(
        "import os, sys\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'ketenzicht.settings.test')\n"
        "import django\ndjango.setup()\nimport planted_domain\nplanted_domain._load()\n", encoding="utf-8"
    )
    assert "django" in _loaded(["planted_runner"], cwd=tmp_path)
