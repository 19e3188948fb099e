"""The package's import graph: data flows one way (Recorder → Recording → Scene → payload /
renderers → widgets), so imports form no cycle and no module imports, at load time, a module of
a later layer. Read from the source with ``ast`` (nothing is imported)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "cleo_player"

# earlier layers never import later ones at load time (a later layer may import any earlier one)
LAYERS: list[set[str]] = [
    {"defaults", "recording", "brian_monitors", "traces"},  # plain data, and brian2 monitors read as such
    {"recorder"},  # the cleo device that records
    {"scene", "extras", "scene_file"},  # what to draw, and files holding it
    {"payload", "video"},  # the wire format, the matplotlib renderer
    {"widget"},  # the widgets
    {"export", "demo", "examples", "__init__"},  # tools and the public face
]


def _modules() -> dict[str, Path]:
    mods = {}
    for f in (SRC / PACKAGE).rglob("*.py"):
        parts = f.relative_to(SRC).with_suffix("").parts
        mods[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = f
    return mods


def _imports(module: str, path: Path, top_level_only: bool) -> set[str]:
    """Modules of the package that ``module`` imports (outside ``if TYPE_CHECKING:`` blocks);
    with ``top_level_only``, only those imported when it loads (not inside functions)."""
    tree = ast.parse(path.read_text())
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(x) for sub in node.body for x in ast.walk(sub))
        if top_level_only and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            skip.update(id(x) for sub in node.body for x in ast.walk(sub))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                mod = f"{base}.{node.module}" if node.module else base
            else:
                mod = node.module or ""
            found.add(mod)
            found.update(f"{mod}.{a.name}" for a in node.names)
    return {m for m in found if m.startswith(PACKAGE + ".") and m != module}


def _graph(top_level_only: bool) -> dict[str, set[str]]:
    mods = _modules()
    return {m: {t for t in _imports(m, f, top_level_only) if t in mods} for m, f in mods.items()}


def _layer(module: str) -> int:
    first = module.split(".")[1] if "." in module else "__init__"
    for i, layer in enumerate(LAYERS):
        if first in layer:
            return i
    raise AssertionError(f"{module} is in no layer of LAYERS: place it in the architecture")


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                return [*stack[stack.index(t) :], t]
            if t not in state and (found := visit(t)):
                return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_the_package_has_no_import_cycle():
    cycle = _cycle(_graph(top_level_only=False))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize("module", sorted(_modules()))
def test_modules_import_only_earlier_layers_when_they_load(module):
    later = sorted(t for t in _graph(top_level_only=True)[module] if _layer(t) > _layer(module))
    assert not later, f"{module} (layer {_layer(module)}) imports later layers: {later}"


def test_the_checks_can_fail():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _layer("cleo_player.widget.player") > _layer("cleo_player.scene")


def test_test_modules_have_distinct_names() -> None:
    """pytest imports test modules by basename here (no packages): two test_x.py in different
    folders stop the whole run at collection."""
    tests = Path(__file__).resolve().parent
    names = [p.name for p in tests.rglob("test_*.py")]
    assert len(names) == len(set(names)), sorted(n for n in set(names) if names.count(n) > 1)
