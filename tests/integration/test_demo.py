"""`make demo` runs `fieldbridge demo`: every step must hold, against both emulators, as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FIELDBRIDGE = str(Path(sys.executable).with_name("fieldbridge"))


def test_the_demo_runs_every_step_and_reports_its_api_calls() -> None:
    done = subprocess.run([FIELDBRIDGE, "demo", "--json"], capture_output=True, text=True, timeout=120)
    report = json.loads(done.stdout)
    assert done.returncode == 0, report
    assert report["ok"] is True
    steps = report["steps"]
    assert len(steps) == 8
    assert all(s["ok"] for s in steps)
    assert steps[0]["autotask_calls"] == 2  # zone discovery, then one authenticated call
    assert steps[3]["autotask_calls"] == steps[3]["fieldnation_calls"] == 0  # mapping is pure
    assert steps[-1]["autotask_calls"] == 1
