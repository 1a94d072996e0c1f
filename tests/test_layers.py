"""The layers import downwards only, no module of the application imports itself back
through others, and the conversations know no channel.

``storage`` (the database) knows nothing of ``bot`` (the application) or ``handlers`` (the
conversations), so it can be used and tested alone and a second channel cannot leak into
it. In ``bot``, only the app factory imports ``handlers``. No module is in an import
cycle, counting imports inside functions (which only hide a cycle until the function
runs) but not those under ``if TYPE_CHECKING:`` (never run).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage")


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """Every node under an ``if TYPE_CHECKING:`` block."""
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for statement in node.body:
                hidden |= {id(inner) for inner in ast.walk(statement)}
    return hidden


def imports_of(
    path: Path, module: str, known: set[str] | frozenset[str] = frozenset()
) -> set[str]:
    """Dotted names a module imports when it runs (functions included). ``from a import
    b`` counts as ``a.b`` when that is one of the ``known`` modules, else as ``a``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hidden = _type_checking_nodes(tree)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package[: len(package) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            for alias in node.names:
                names.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return names


def imported(path: Path) -> set[str]:
    """Top-level package names a module imports (at any depth: inside functions too)."""
    return {name.split(".")[0] for name in imports_of(path, path.stem) if name}


def modules(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in packages:
        for path in (root / package).rglob("*.py"):
            name = ".".join(path.relative_to(root).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def import_graph(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> dict[str, set[str]]:
    """Each of the project's modules → the project's modules it imports."""
    found = modules(root, packages)
    return {
        name: {
            other
            for other in imports_of(path, name, set(found))
            if other in found and other != name
        }
        for name, path in found.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


@pytest.mark.parametrize(
    "path",
    sorted(p.relative_to(ROOT) for p in (ROOT / "storage").rglob("*.py")),
    ids=str,
)
def test_storage_imports_neither_bot_nor_handlers(path):
    assert imported(ROOT / path) & {"bot", "handlers", "telegram"} == set()


def test_only_the_app_factory_imports_the_conversations():
    graph = import_graph()
    importers = sorted(
        name
        for name, imports in graph.items()
        if not name.startswith("handlers") and any(i.startswith("handlers") for i in imports)
    )
    assert importers == ["bot.app"]


def test_no_module_is_in_an_import_cycle():
    """Conversations open one another's screens and steps by name (the registries in
    ``handlers.common``), so none imports another that imports it back."""
    assert cycles(import_graph()) == []


def test_the_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from bot.config import load_settings\n")
    assert imported(module) == {"bot"}


def test_the_check_sees_a_cycle_hidden_in_a_function_but_not_a_type_only_import(tmp_path):
    package = tmp_path / "bot"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from bot.b import thing\n")
    (package / "b.py").write_text("def thing():\n    from bot import a\n")
    (package / "c.py").write_text("from bot.a import x\n")
    (package / "d.py").write_text(
        "from typing import TYPE_CHECKING\nfrom bot.c import y\n"
        "if TYPE_CHECKING:\n    from bot.d2 import z\n"
    )
    (package / "d2.py").write_text("from .d import w\n")
    (package / "e.py").write_text("from bot import c, thing\n")  # a module and a name
    graph = import_graph(tmp_path, ("bot",))
    assert graph["bot.d"] == {"bot.c"}
    assert graph["bot.d2"] == {"bot.d"}
    assert graph["bot.e"] == {"bot", "bot.c"}
    assert cycles(graph) == [["bot.a", "bot.b"]]


MAX_LINES = 320  # "about 300": a conversation that grows past it is split by sub-dialog


@pytest.mark.parametrize(
    "path", sorted(p.relative_to(ROOT) for p in (ROOT / "handlers").glob("*.py")), ids=str
)
def test_no_conversation_module_is_over_about_300_lines(path):
    assert len((ROOT / path).read_text(encoding="utf-8").splitlines()) <= MAX_LINES


# --- the conversation core knows no channel ------------------------------------------------

CORE = ("handlers", "bot.conversation")
# Beside the core, what every channel shares: the outbox, the rules, content, storage.
SHARED = ("bot.delivery", "bot.services", "bot.content", "storage")
CHANNEL_LIBRARIES = ("telegram",)  # the WhatsApp client joins this with its adapter


def channel_reach(
    root: Path = ROOT, packages: tuple[str, ...] = PACKAGES, core: tuple[str, ...] = CORE
) -> dict[str, list[str]]:
    """Each module that imports a channel library and that the core reaches at any depth
    → the chain of imports from a core module to it."""
    found = modules(root, packages)
    graph = import_graph(root, packages)
    channel = {
        name
        for name, path in found.items()
        if {n.split(".")[0] for n in imports_of(path, name, set(found))} & set(CHANNEL_LIBRARIES)
    }
    reached: dict[str, list[str]] = {}
    starts = sorted(name for name in found if name == core[0] or name.startswith(core))
    chains = {name: [name] for name in starts}
    waiting = list(starts)
    while waiting:
        name = waiting.pop(0)
        if name in channel:
            reached.setdefault(name, chains[name])
        for other in sorted(graph[name]):
            if other not in chains:
                chains[other] = [*chains[name], other]
                waiting.append(other)
    return reached


@pytest.mark.parametrize("part", [CORE, SHARED], ids=["core", "shared"])
def test_no_module_of_the_core_or_the_shared_parts_reaches_a_channel_library(part):
    """Not directly, and not through any module of the project it imports: a dialog (or
    an outbox renderer) that needs Telegram's types is one WhatsApp cannot run."""
    assert channel_reach(core=part) == {}


def test_the_channel_check_sees_an_import_two_modules_away(tmp_path):
    for package in ("handlers", "bot"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "handlers" / "menu.py").write_text("from bot import texts\n")
    (tmp_path / "bot" / "texts.py").write_text("def f():\n    from bot.keys import k\n")
    (tmp_path / "bot" / "keys.py").write_text("from telegram import InlineKeyboardButton\n")
    (tmp_path / "bot" / "other.py").write_text("import telegram\n")  # not reached
    reach = channel_reach(tmp_path, ("bot", "handlers"), ("handlers",))
    assert reach == {"bot.keys": ["handlers.menu", "bot.texts", "bot.keys"]}


def test_importing_every_conversation_module_loads_no_channel_library():
    """The same, as Python sees it: a fresh interpreter imports the whole core and has no
    ``telegram`` module loaded (a third-party import would show here too)."""
    script = (
        "import importlib, pkgutil, sys\n"
        "import bot.conversation, handlers\n"
        "for package in (handlers, bot.conversation):\n"
        "    for info in pkgutil.iter_modules(package.__path__):\n"
        "        importlib.import_module(f'{package.__name__}.{info.name}')\n"
        "print(sum(name.startswith('handlers.') for name in sys.modules))\n"
        "print(sorted({n.split('.')[0] for n in sys.modules} & set(sys.argv[1:])))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *CHANNEL_LIBRARIES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded, channels = done.stdout.splitlines()
    assert int(loaded) == len(list((ROOT / "handlers").glob("*.py"))) - 1  # all but __init__
    assert channels == "[]"
