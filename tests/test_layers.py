"""The layers import downwards only: ``storage`` (the database) knows nothing of ``bot``
(the application) or ``handlers`` (the conversations), so it can be used and tested alone
and a second channel cannot leak into it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported(path: Path) -> set[str]:
    """Top-level package names a module imports (at any depth: inside functions too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    "path",
    sorted(p.relative_to(ROOT) for p in (ROOT / "storage").rglob("*.py")),
    ids=str,
)
def test_storage_imports_neither_bot_nor_handlers(path):
    assert imported(ROOT / path) & {"bot", "handlers", "telegram"} == set()


def test_the_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from bot.config import load_settings\n")
    assert imported(module) == {"bot"}
