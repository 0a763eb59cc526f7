"""The design's rules that a script can check."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "import_cycles.py"
TESTS = Path(__file__).resolve().parents[1]


def test_no_import_cycles_between_packages() -> None:
    spec = importlib.util.spec_from_file_location("import_cycles", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    graph = script.package_graph()
    assert "sync" in graph  # the script did read the packages
    assert script.cycles(graph) == []


def test_no_test_file_imports_a_conftest_or_a_test_module() -> None:
    """What tests share lives in support modules (tests/support/, or beside the tests that use it)."""
    offenders = [
        f"{path.relative_to(TESTS)}: {module}"
        for path in sorted(TESTS.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom)
        and (module := node.module or "")
        and module.rpartition(".")[2].startswith(("conftest", "test_"))
    ]
    assert offenders == []


def test_conftest_files_hold_only_fixtures_and_hooks() -> None:
    def allowed(node: ast.stmt) -> bool:
        if isinstance(node, ast.Import | ast.ImportFrom):
            return True
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):  # the docstring
            return True
        if isinstance(node, ast.FunctionDef):
            return node.name.startswith("pytest_") or any(
                "fixture" in ast.unparse(decorator) for decorator in node.decorator_list
            )
        return False

    offenders = [
        f"{path.relative_to(TESTS)}:{node.lineno}"
        for path in sorted(TESTS.rglob("conftest.py"))
        for node in ast.parse(path.read_text()).body
        if not allowed(node)
    ]
    assert offenders == []
