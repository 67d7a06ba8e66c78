"""The layering README describes ("How the code is laid out"), checked on the source: no import
cycles, models import nothing of the pipeline, the front ends (CLI, web) import only the core, and
nothing below them imports a front end."""

from __future__ import annotations

import ast
from pathlib import Path

KB = Path(__file__).resolve().parent.parent / "kb"
CORE = {"kb", "kb.notebook", "kb.models", "kb.errors", "kb.layout", "kb.config"}
FRONT_ENDS = ("kb.cli", "kb.web")


def _imports(include_local: bool) -> dict[str, set[str]]:
    """kb module -> the kb modules it imports (at module level, or anywhere with include_local)."""
    modules = {}
    for path in KB.rglob("*.py"):
        name = ".".join(path.relative_to(KB.parent).with_suffix("").parts).removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = ast.walk(tree) if include_local else tree.body
        found = set()
        for node in nodes:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "kb":
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.split(".")[0] == "kb")
        modules[name] = found
    return {name: {d for d in deps if d in modules} for name, deps in modules.items()}


def test_no_module_level_import_cycles() -> None:
    graph = _imports(include_local=False)
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for dep in graph[module]:
            assert state.get(dep) != 1, "import cycle: " + " -> ".join([*path, dep])
            if dep not in state:
                visit(dep, [*path, dep])
        state[module] = 2

    for module in graph:
        if module not in state:
            visit(module, [module])


def test_layers() -> None:
    graph = _imports(include_local=True)
    for module in [m for m in graph if m == "kb.models" or m.startswith("kb.models.")]:
        assert {d for d in graph[module] if not d.startswith("kb.models")} <= {"kb.layout"}, module
    assert graph["kb.layout"] == set() and graph["kb.errors"] == set()
    for module, deps in graph.items():
        front_end = next((f for f in FRONT_ENDS if module.startswith(f)), None)
        if front_end is not None:
            allowed = CORE | {d for d in deps if d.startswith(front_end)}
            if front_end == "kb.cli":  # `kb serve` starts the web front end
                allowed |= {d for d in deps if d.startswith("kb.web")}
            assert not deps - allowed, f"{module} imports pipeline modules {sorted(deps - allowed)}"
        elif module != "kb.__main__":  # `python -m kb` runs the CLI
            assert not {d for d in deps if d.startswith(FRONT_ENDS)}, f"{module} imports a front end"
