"""Conversations open one another by name (handlers/navigation.py): every name opened
somewhere is registered by some conversation once the application is built, and asking a
step nobody registered is a loud error, not a silent menu."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

import pytest

from handlers import navigation
from handlers.common import STEPS
from storage.models import User

ROOT = Path(__file__).resolve().parent.parent


def _opened() -> set[str]:
    """The screen names passed to ``open_screen`` anywhere in ``handlers/``."""
    names: set[str] = set()
    for path in (ROOT / "handlers").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "open_screen"
            ):
                first = node.args[0]
                assert isinstance(first, ast.Name), f"{path.name}: open a screen by constant"
                names.add(getattr(navigation, first.id))
    return names


def test_every_screen_opened_is_registered(app):
    opened = _opened()
    # (go_home opens the menu.)
    assert opened == {navigation.MENU, navigation.CHECKLIST, navigation.MY_REQUESTS}
    assert set(navigation.SCREENS) == opened
    assert len(navigation.RESUMES) == 1  # a quiz round in play


def test_onboarding_starts_at_a_registered_step(app):
    assert (navigation.ONBOARDING, "language") in STEPS


async def test_asking_a_step_nobody_registered_fails_loudly(app):
    """(A programming error: ``ask`` follows a ``goto`` in the code, so a test meets it.)"""
    context = SimpleNamespace(user=User(dialog="help", step="nowhere"))
    with pytest.raises(LookupError, match="no step help/nowhere"):
        await navigation.ask(None, context)  # type: ignore[arg-type]
