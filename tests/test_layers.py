"""The package's plan (docs/architecture.md): imports point one way, from the face down to config.

Walks every import in adops_mcp/ (static, from the source; top-level, inside functions and under
TYPE_CHECKING alike) and checks: no circle between files, no circle between top-level folders, no
import from a lower layer to a higher one, only the face imports the sandbox, and prompts/ sees the
runtime through its own narrow view, never server/.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "adops_mcp"

# Higher layers may import lower ones; a layer never imports one above it.
LAYERS: dict[str, int] = {
    # the face: what a person runs
    "cli": 4,
    "__main__": 4,
    "demo": 4,
    "doctor": 4,
    "facts": 4,  # the vendor facts table doctor prints and probes (it reads the Joveo operation table)
    "probe": 4,  # doctor --probe: checks the facts with safe reads
    "catalogue": 4,
    # MCP wiring, and the approvals console served beside it
    "server": 3,
    "prompts": 3,
    "console": 3,
    # vendor operation tables; the sandbox sits beside them (it imports config only)
    "tools": 2,
    "sandbox": 2,
    # the vendor-call layer and configuration
    "vendorcall": 1,
    "config": 1,
    "profiles": 1,
    # the package itself (__version__)
    "": 0,
}
FACE = {name for name, rank in LAYERS.items() if rank == 4}
# The command line and the demo choose the sandbox and hand its transport down (build_server, doctor.run).
SANDBOX_CHOOSERS = {"cli", "__main__", "demo"}

# Circles allowed on purpose, each with a comment saying why (none: every vendor lists its operations in
# operations.py from modules that share a small helper module, reads.py).
ALLOWED_CIRCLES: list[set[str]] = []
ALLOWED_FOLDER_CIRCLES: list[set[str]] = []


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports() -> dict[str, set[str]]:
    """module -> the package modules it imports (names relative to adops_mcp, "" for the package)."""
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = {m: set() for m in files}
    for mod, path in files.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = package.split(".") if package else []
                    base = ".".join(
                        ["adops_mcp", *parts[: len(parts) - (node.level - 1)], *filter(None, [node.module])]
                    )
                else:
                    base = node.module or ""
                # `from . import x` imports the submodule x; other names come from the base module itself
                names = [f"{base}.{a.name}" if module(f"{base}.{a.name}") in files else base for a in node.names]
            else:
                continue
            for name in names:
                if name == "adops_mcp" or name.startswith("adops_mcp."):
                    target = module(name)
                    while target not in files:  # the longest package module the name refers to
                        target = target.rpartition(".")[0]
                    if target != mod:
                        edges[mod].add(target)
    return edges


def module(name: str) -> str:
    return name.removeprefix("adops_mcp").removeprefix(".")


def top(module: str) -> str:
    return module.split(".")[0]


def circles(edges: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(group)

    for v in edges:
        if v not in index:
            visit(v)
    return found


EDGES = imports()


def test_the_walk_sees_the_imports_it_checks() -> None:
    assert "server.registry" in EDGES["server.app"]
    assert "tools.index" in EDGES["server.app"]
    assert "vendorcall.secrets" in EDGES["config"]
    assert "tools.jivox.diagnose" in EDGES["tools.jivox.operations"]
    assert "" in EDGES["cli"]  # `from . import __version__`: the package itself


def test_no_circle_between_files() -> None:
    unexpected = [sorted(c) for c in circles(EDGES) if c not in ALLOWED_CIRCLES]
    assert unexpected == []


def test_the_allow_list_holds_only_circles_that_still_exist() -> None:
    current = circles(EDGES)
    assert [sorted(c) for c in ALLOWED_CIRCLES if c not in current] == []
    assert [sorted(c) for c in ALLOWED_FOLDER_CIRCLES if c not in circles(folder_edges())] == []


def folder_edges() -> dict[str, set[str]]:
    folders: dict[str, set[str]] = {}
    for a, targets in EDGES.items():
        for b in targets:
            if top(a) != top(b):
                folders.setdefault(top(a), set()).add(top(b))
    return folders


def test_no_circle_between_folders() -> None:
    assert [sorted(c) for c in circles(folder_edges()) if c not in ALLOWED_FOLDER_CIRCLES] == []


def test_every_module_has_a_layer() -> None:
    assert {top(m) for m in EDGES} - set(LAYERS) == set()


def test_imports_point_down() -> None:
    upward = [
        f"{a} -> {b}"
        for a, targets in EDGES.items()
        for b in targets
        if top(a) != top(b) and LAYERS[top(a)] < LAYERS[top(b)]
    ]
    assert upward == []


def test_only_the_face_imports_the_sandbox() -> None:
    importers = {a for a, targets in EDGES.items() for b in targets if top(b) == "sandbox" and top(a) != "sandbox"}
    assert {top(a) for a in importers} <= SANDBOX_CHOOSERS


def test_the_server_never_imports_the_sandbox_and_tools_never_import_the_server() -> None:
    assert not [b for a, t in EDGES.items() if top(a) == "server" for b in t if top(b) == "sandbox"]
    assert not [b for a, t in EDGES.items() if top(a) == "tools" for b in t if top(b) == "server"]


def test_prompts_see_a_narrow_view_of_the_runtime() -> None:
    assert not [f"{a} -> {b}" for a, t in EDGES.items() if top(a) == "prompts" for b in t if top(b) == "server"]
