"""The design's rules that a script can check."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "import_cycles.py"


def test_no_import_cycles_between_packages() -> None:
    spec = importlib.util.spec_from_file_location("import_cycles", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    graph = script.package_graph()
    assert "sync" in graph  # the script did read the packages
    assert script.cycles(graph) == []
