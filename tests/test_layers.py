"""The package layout reads like the architecture: layers import one way, as docs/ARCHITECTURE.md's table says,
and no modules import each other in a cycle."""
from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "appliance"
ENTRY_POINTS = {"app", "server", "cli", "__main__"}  # "everything below"


def _allowed() -> dict[str, set[str]]:
    """package -> what it may import, from the table under '## Packages' in docs/ARCHITECTURE.md."""
    text = (REPO / "docs" / "ARCHITECTURE.md").read_text()
    table = text[text.index("## Packages"):text.index("## Shared types")]
    allowed = {}
    for row in table.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        names = [re.sub(r"(\.py|/)$", "", n) for n in re.findall(r"`([^`]+)`", cells[0])]
        may = set(re.findall(r"`([^`]+)`", cells[2]))
        for name in names:
            allowed[name] = may
    return allowed


def _imports() -> dict[str, dict[str, set[str]]]:
    """top-level package -> {module file: appliance modules it imports (as dotted names)}.

    `from pkg import submodule` counts as importing the submodule, not the package's __init__.
    """
    modules = _module_names()
    found: dict[str, dict[str, set[str]]] = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        top = rel.parts[0].removesuffix(".py")
        if top == "__init__":
            continue
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "appliance":
                subs = {f"{node.module}.{a.name}" for a in node.names} & modules
                names.update(subs)
                if len(subs) < len(node.names):
                    names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names if a.name.split(".")[0] == "appliance")
        found.setdefault(top, {})[str(rel)] = names
    return found


def _module_names() -> set[str]:
    return {".".join(("appliance", *p.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
            for p in PACKAGE.rglob("*.py")}


def test_every_package_is_in_the_architecture_table():
    assert set(_imports()) <= set(_allowed()), "a package is missing from docs/ARCHITECTURE.md's table"


def test_layers_import_only_what_the_table_allows():
    allowed, modules = _allowed(), _module_names()
    wrong = []
    for top, files in _imports().items():
        if top in ENTRY_POINTS:
            continue
        for file, names in files.items():
            for name in names:
                if name not in modules or name == "appliance":
                    continue  # an imported object, or the version from appliance/__init__
                target = name.split(".")[1]
                if target != top and target not in allowed[top]:
                    wrong.append(f"appliance/{file} imports {name}")
    assert not wrong, "imports against the layers of docs/ARCHITECTURE.md:\n" + "\n".join(sorted(set(wrong)))


def test_no_import_cycles_between_modules():
    modules = _module_names()
    graph: dict[str, set[str]] = {}
    for files in _imports().values():
        for file, names in files.items():
            me = ".".join(("appliance", *Path(file).with_suffix("").parts)).removesuffix(".__init__")
            graph[me] = {n for n in names if n in modules and n != me and n != "appliance"}
    cycles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "active"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "active":
                cycles.append(" -> ".join(path[path.index(nxt):] + [nxt]) if nxt in path else f"{node} -> {nxt}")
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
