"""The domain package must never import Django: its rules are tested without a framework."""

import ast
from pathlib import Path

import ketenzicht.domain

DOMAIN_DIR = Path(ketenzicht.domain.__file__).parent
FORBIDDEN = ("django", "rest_framework", "ketenzicht.accounts", "ketenzicht.cases")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_module_in_domain_imports_django() -> None:
    files = sorted(DOMAIN_DIR.rglob("*.py"))
    assert files, "domain package has no modules"
    offenders = {
        str(f.relative_to(DOMAIN_DIR)): sorted(m for m in _imported_modules(f) if m.startswith(FORBIDDEN))
        for f in files
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert offenders == {}
