"""The shape of the package, checked: no import circles, layers only import downwards, small modules and pages,
and a label key missing from the label table fails."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from smarketing import labels

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "smarketing"
# Layers, lowest first: a module may import its own layer and lower ones only.
LAYERS = [
    ("base", ("schema", "stages", "settings", "toml_input", "paths", "privacy", "formatting", "filters", "deals",
              "reach", "exports", "labels", "config", "frozen", "timewindow")),
    ("storage", ("store", "importers", "demo", "views")),
    ("analysis", ("funnel", "scoring", "attribution", "leadflow", "planner", "precompute", "forecast")),
    ("presentation", ("charts", "report")),
    ("front", ("access", "ui", "cli", "launch")),
]
LAYER_OF = {name: rank for rank, (_, names) in enumerate(LAYERS) for name in names}
MAX_MODULE_LINES, MAX_PAGE_LINES = 400, 200


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imports(path: Path) -> set[str]:
    """smarketing modules a file imports (at any depth, type-checking imports excluded)."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("smarketing"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("smarketing"))
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: {m for m in imports(path) if m in mods and m != name} for name, path in mods.items()}


def family(module: str) -> str:
    return module.split(".")[1] if "." in module else module


def test_no_import_circles():
    edges = graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node, trail):
        state[node] = 1
        for nxt in sorted(edges[node]):
            if nxt.startswith(node + "."):
                continue  # a package's __init__ importing its own modules is not a circle
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert not cycles, cycles


def unplaced(names) -> list[str]:
    """Families of the modules `names` that LAYERS does not place (the package's own __init__ aside)."""
    return sorted({family(n) for n in names} - set(LAYER_OF) - {"smarketing"})


def test_every_module_family_has_a_layer():
    """A new top-level module or subpackage must be put in a layer, or the layer checks would skip it."""
    assert not unplaced(modules()), f"put these in LAYERS: {unplaced(modules())}"
    assert unplaced(["smarketing.funnel.lifecycle", "smarketing.newthing.model", "smarketing.other"]) == [
        "newthing", "other"]


def test_layers_only_import_downwards():
    upward = []
    for module, targets in graph().items():
        here = LAYER_OF.get(family(module))
        for target in targets:
            there = LAYER_OF.get(family(target))
            if here is not None and there is not None and there > here:
                upward.append(f"{module} → {target}")
    assert not upward, upward


def imports_streamlit(path: Path) -> bool:
    """True when a file imports streamlit anywhere (inside a function too, however indented, `import a, streamlit`)."""
    for node in ast.walk(ast.parse(path.read_text())):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
        if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
            return True
    return False


def test_nothing_below_the_front_ends_imports_streamlit(tmp_path):
    front = {n for _, names in LAYERS[-1:] for n in names}
    offenders = [name for name, path in modules().items() if family(name) not in front and imports_streamlit(path)]
    assert not offenders, offenders
    hidden = tmp_path / "hidden.py"
    hidden.write_text("def draw():\n    import pandas, streamlit as st\n    from streamlit.testing import v1\n")
    assert imports_streamlit(hidden)  # not at the start of a line: still found
    hidden.write_text("from .streamlit_like import x\nimport streamlit_extras_free\n")
    assert not imports_streamlit(hidden)


def test_modules_and_pages_stay_small():
    big = [f"{p.relative_to(ROOT)}: {n}" for p in PACKAGE.rglob("*.py")
           if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES]
    big += [f"{p.relative_to(ROOT)}: {n}" for p in (ROOT / "pages").glob("*.py")
            if (n := len(p.read_text().splitlines())) > MAX_PAGE_LINES]
    assert not big, big


def test_a_missing_label_key_fails(monkeypatch):
    monkeypatch.setenv(labels.STRICT_ENV, "1")
    with pytest.raises(labels.MissingLabel):
        labels.t("no_such_label_key")
    assert labels.t("Subscriber") == "Subscriber"  # a stage name from the data passes through
    assert labels.label("declared_monthly_revenue") == "Declared monthly revenue"  # a data column made readable
    assert os.environ[labels.STRICT_ENV]


def readme_rows() -> list[tuple[str, str]]:
    """(first cell, whole row) of the module table under README's "How it is built"."""
    text = (ROOT / "README.md").read_text("utf-8")
    section = text[text.index("## How it is built"):]
    section = section[:section.index("\n### ")]
    return [(line.split("|")[1], line) for line in section.splitlines() if line.startswith("| `")]


def unnamed(rows: list[tuple[str, str]], paths: list[Path]) -> list[str]:
    """Modules (paths relative to the package) the table does not name: a top-level module in a first cell, a
    module of a subpackage in the row of its family (and its subpackage, `audit/`, in that row too)."""
    missing = []
    for path in paths:
        parts = path.with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
            if len(parts) < 2:
                continue  # a family's own __init__: the family is named
        if len(parts) == 1:
            if not any(f"`{parts[0]}.py`" in first for first, _ in rows):
                missing.append(str(path))
            continue
        row = next((line for first, line in rows if f"`{parts[0]}/`" in first), "")
        if not all(f"`{name}`" in row or f"`{name}/`" in row for name in parts[1:]):
            missing.append(str(path))
    return missing


def test_the_readme_names_every_module():
    paths = sorted(p.relative_to(PACKAGE) for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or
                   len(p.relative_to(PACKAGE).parts) > 2)
    assert not unnamed(readme_rows(), paths), f"add these to README's How it is built: {unnamed(readme_rows(), paths)}"
    rows = [("`funnel/`", "| `funnel/` | lifecycle (`lifecycle`), the audit (`audit/`: `issues`) |")]
    assert unnamed(rows, [Path("funnel/lifecycle.py"), Path("funnel/audit/issues.py"), Path("funnel/audit/report.py"),
                          Path("funnel/leaks.py"), Path("planner.py")]) == [
        "funnel/audit/report.py", "funnel/leaks.py", "planner.py"]
