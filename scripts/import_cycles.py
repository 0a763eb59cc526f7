"""List the import cycles between FieldBridge's packages (autotask, sync, web, ...); exit 1 if there is any.

Every `import` and `from ... import` in src/fieldbridge counts, those inside functions and under
TYPE_CHECKING included: a cycle hidden in a function is still a cycle in the design. A module directly in
src/fieldbridge (cli.py, settings.py) is a package of its own.

    python scripts/import_cycles.py            # prints each cycle with one import that makes each step
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "src" / "fieldbridge"


def package_of(module: str) -> str:
    """`fieldbridge.sync.outbound` -> `sync`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def module_name(path: Path) -> str:
    relative = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(path: Path) -> list[str]:
    """The fieldbridge modules a file imports, absolute and relative imports alike."""
    tree = ast.parse(path.read_text(), filename=str(path))
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                found.append(".".join(base + ([node.module] if node.module else [])))
            elif node.module:
                found.append(node.module)
    return [name for name in found if name == "fieldbridge" or name.startswith("fieldbridge.")]


def package_graph() -> dict[str, dict[str, str]]:
    """package -> {package it imports: one example "module imports module"}."""
    graph: dict[str, dict[str, str]] = defaultdict(dict)
    for path in sorted(ROOT.rglob("*.py")):
        source = module_name(path)
        for target in imported(path):
            a, b = package_of(source), package_of(target)
            if a != b and b != "fieldbridge":
                graph[a].setdefault(b, f"{source} imports {target}")
    return graph


def cycles(graph: dict[str, dict[str, str]]) -> list[list[str]]:
    """The strongly connected groups of more than one package (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(set(graph) | {n for targets in graph.values() for n in targets}):
        if node not in index:
            visit(node)
    return sorted(groups)


def main() -> int:
    graph = package_graph()
    found = cycles(graph)
    for group in found:
        print("cycle between packages: " + ", ".join(group))
        for a in group:
            for b in group:
                if b in graph.get(a, {}):
                    print(f"  {a} -> {b}: {graph[a][b]}")
    if not found:
        print(f"no import cycles between the {len(set(graph))} packages of src/fieldbridge")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
