"""The dependency rules of issue 13 that import-linter (``.importlinter``, run by ``make test``)
does not express: no import cycle anywhere in ``chalicelib`` — function-level imports included,
since they are imports all the same — and no module reaching into another module's private
(``_underscore``) names."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import grimp
import pytest

from tests import pysource

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "chalicelib"


@pytest.fixture(scope="module")
def graph():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    # grimp reads the sources (every ``import`` statement, at any depth); it imports nothing.
    return grimp.build_graph("chalicelib", cache_dir=None)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycle_finder_finds_a_cycle_through_three_modules():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(edges) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_in_chalicelib(graph):
    edges = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    cycles = _cycles(edges)
    described = []
    for component in cycles:  # one cycle through the component's first module, as an example
        first, second = component[0], component[1]
        there = graph.find_shortest_chain(importer=first, imported=second)
        back = graph.find_shortest_chain(importer=second, imported=first)
        described.append(" -> ".join((*there, *back[1:])))
    assert not cycles, "import cycles:\n" + "\n".join(described)


def test_the_graph_sees_function_level_imports(graph):
    # api/citizen.py imports its services inside the route functions (cold start): the cycle test
    # above must see those imports too.
    assert "chalicelib.services.citizen.view" in graph.find_modules_directly_imported_by("chalicelib.api.citizen")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _private_uses(path: Path) -> list[str]:
    tree = pysource.parse(path.read_text(encoding="utf-8"), str(path))
    here = _module_name(path)
    modules: dict[str, str] = {}  # local name -> chalicelib module it stands for
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("chalicelib"):
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                if (PACKAGE.parent / (target.replace(".", "/") + ".py")).exists() or (
                    PACKAGE.parent / target.replace(".", "/")
                ).is_dir():
                    modules[alias.asname or alias.name] = target
                elif _private(alias.name) and node.module != here:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} from {node.module} import {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("chalicelib") and alias.asname:
                    modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and modules[node.value.id] != here
            and _private(node.attr)
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value.id}.{node.attr}")
    return found


def test_private_name_finder_sees_both_forms(tmp_path, monkeypatch):
    fake_root = tmp_path
    (fake_root / "chalicelib" / "services").mkdir(parents=True)
    (fake_root / "chalicelib" / "services" / "a.py").write_text("")
    source = fake_root / "chalicelib" / "services" / "b.py"
    source.write_text(
        "from chalicelib.services import a\n"
        "from chalicelib.services.a import _helper, public\n"
        "a._secret()\na.fine()\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", fake_root)
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake_root / "chalicelib")
    uses = _private_uses(source)
    assert [u.split(" ", 1)[1] for u in uses] == ["from chalicelib.services.a import _helper", "a._secret"]


def test_no_module_uses_another_modules_private_names():
    found = [use for path in sorted(PACKAGE.rglob("*.py")) for use in _private_uses(path)]
    assert not found, "private names used outside their module:\n" + "\n".join(found)
