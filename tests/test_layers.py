"""Layering rules (issue 18 §4), checked by parsing every import of models/, services/, ui/ and cli/ — including
imports inside functions (a lazy import is still a dependency: it is how the old models → vault cycle hid) and
imports by a literal name (importlib.import_module, ui.state.runtime.optional / optional_attr):

- models → nothing above it (not services, ui or cli); services → not ui or cli; ui → not models (through
  services only) and not cli;
- no import cycles between the project's modules (the last two were cut in issue 18: a backup's restore lives
  in services/data_dir/restore.py above the opener, a loaded points table's overlay in
  services/assessment/overlay.py below the frameworks).
"""
from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("models", "services", "ui", "cli")
FORBIDDEN = {"models": {"services", "ui", "cli"}, "services": {"ui", "cli"}, "ui": {"models", "cli"}}
DYNAMIC_IMPORTERS = {"import_module", "optional", "optional_attr", "__import__"}   # f("pkg.module", …)

def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, root: Path = ROOT) -> set[str]:
    """Every project name this file imports, as dotted names (relative imports resolved): `import a.b` gives
    `a.b`; `from a import b` gives `a.b` (a module, or a name that _graph() resolves back to `a`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in DYNAMIC_IMPORTERS:
                found.add(node.args[0].value)
    return {name for name in found if name.split(".")[0] in LAYERS}


@cache  # one scan of the project for the tests below
def _graph(root: Path = ROOT) -> dict[str, set[str]]:
    files = [p for layer in LAYERS for p in (root / layer).rglob("*.py")]
    modules = {_module_name(p, root): p for p in files}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imported in _imports(path, root):
            while imported and imported not in modules:          # `from pkg import name` -> pkg
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module: modules that reach each other. (Reachability
    from every module: a few hundred modules, so this plain way is fast enough and easy to check by eye.)"""
    reach = {}
    for start in graph:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        reach[start] = seen
    components = {frozenset({m, *(o for o in reach[m] if m in reach.get(o, ()))}) for m in graph}
    return sorted((c for c in components if len(c) > 1), key=sorted)


def test_the_scan_sees_every_kind_of_import(tmp_path):
    """The checks below are only as good as this scan: relative imports, imports inside functions, `from pkg
    import module` and imports by a literal name are all found."""
    (tmp_path / "services" / "sub").mkdir(parents=True)
    for layer in ("models", "ui", "cli"):
        (tmp_path / layer).mkdir()
        (tmp_path / layer / "__init__.py").write_text("")
    (tmp_path / "services" / "__init__.py").write_text("")
    (tmp_path / "services" / "sub" / "__init__.py").write_text("from . import b\n")
    (tmp_path / "services" / "sub" / "b.py").write_text("")
    (tmp_path / "services" / "a.py").write_text(
        "import os\nfrom .sub import b\n\n\ndef later():\n    from ui import view\n"
        "    import importlib\n    importlib.import_module('cli.main')\n")
    (tmp_path / "ui" / "view.py").write_text("from models.thing import X\n")
    (tmp_path / "models" / "thing.py").write_text("def f():\n    from ..services import a\n")
    (tmp_path / "cli" / "main.py").write_text("")
    graph = _graph(tmp_path)
    assert graph["services.a"] == {"services.sub.b", "ui.view", "cli.main"}
    assert graph["services.sub"] == {"services.sub.b"}
    assert graph["ui.view"] == {"models.thing"}
    assert graph["models.thing"] == {"services.a"}
    assert _cycles(graph) == [frozenset({"services.a", "ui.view", "models.thing"})]


def test_the_scan_reads_the_project():
    graph = _graph()
    assert len(graph) > 100 and "models.records" in graph["services.records.store"]


def test_layers_import_only_downwards():
    bad = sorted(f"{src} -> {dst}" for src, dsts in _graph().items() for dst in dsts
                 if dst.split(".")[0] in FORBIDDEN.get(src.split(".")[0], ()))
    assert not bad, "imports against the layering:\n" + "\n".join(bad)


def test_no_import_cycles():
    cycles = [" <-> ".join(sorted(c)) for c in _cycles(_graph())]
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
