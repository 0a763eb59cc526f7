from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from fieldbridge.mapping.cli import mappings_app
from fieldbridge.mapping.config import dump, load
from fieldbridge.mapping.defaults import default_set

from .catalog_data import CATALOG_DATA
from .records import TICKET, WORK_ORDER

cli = CliRunner(env={"COLUMNS": "300"})  # wide enough that Rich does not wrap table cells


def write(path: Path, data: Any) -> Path:
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def defaults_file(tmp_path: Path) -> Path:
    return write(tmp_path / "mappings.json", dump(default_set()))


class TestDefaults:
    def test_prints_the_default_set_as_json(self) -> None:
        result = cli.invoke(mappings_app, ["defaults"])
        assert result.exit_code == 0
        assert load(result.stdout) == default_set()

    def test_yaml(self) -> None:
        result = cli.invoke(mappings_app, ["defaults", "--yaml"])
        assert result.exit_code == 0
        assert load(result.stdout, "yaml") == default_set()


class TestValidate:
    def test_a_valid_file(self, defaults_file: Path) -> None:
        result = cli.invoke(mappings_app, ["validate", str(defaults_file)])
        assert result.exit_code == 0, result.output
        assert "5 inbound and 9 outbound mappings: 0 error(s), 0 warning(s)" in result.output
        assert "fields not checked" in result.output

    def test_with_a_catalog_and_outbound_create(self, defaults_file: Path, tmp_path: Path) -> None:
        catalog = write(tmp_path / "catalog.yaml", yaml.safe_dump(CATALOG_DATA))
        result = cli.invoke(
            mappings_app,
            [
                "validate",
                str(defaults_file),
                "--catalog",
                str(catalog),
                "--outbound-create",
                "--service-object",
                "Project",
            ],
        )
        assert result.exit_code == 1
        assert "error outbound (Outbound Create): no mapping gives Ticket:Priority a value" in result.output
        assert (
            "warning outbound[7] (time_logs[0].StartDateTime -> TimeEntry.[0].StartDateTime)" in result.output
        )
        assert "3 error(s), 1 warning(s)" in result.output

    def test_errors_name_the_mapping_and_the_fix(self, tmp_path: Path) -> None:
        bad = write(
            tmp_path / "bad.yaml",
            "schema_version: 1\ninbound:\n  - {source_field: Title, target_field: title, action: copy}\n",
        )
        result = cli.invoke(mappings_app, ["validate", str(bad)])
        assert result.exit_code == 1
        assert "inbound[0] (Title -> title): unknown action 'copy'" in result.stderr
        assert "fix: set action to one of: sync, set_static" in result.stderr

    @pytest.mark.parametrize(
        ("content", "says"),
        [
            ("{not json", "not valid JSON"),
            (None, "cannot read the mapping file"),
        ],
    )
    def test_unreadable_files(self, tmp_path: Path, content: str | None, says: str) -> None:
        path = tmp_path / "m.json"
        if content is not None:
            write(path, content)
        result = cli.invoke(mappings_app, ["validate", str(path)])
        assert result.exit_code == 1
        assert says in result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit)

    def test_a_catalog_in_the_wrong_shape(self, defaults_file: Path, tmp_path: Path) -> None:
        catalog = write(tmp_path / "catalog.json", {"autotask": {"Tickets": {"fields": [{"dataType": "x"}]}}})
        result = cli.invoke(mappings_app, ["validate", str(defaults_file), "--catalog", str(catalog)])
        assert result.exit_code == 1
        assert (
            "not in the Refresh Fields shape: autotask.Tickets.fields.0.name: Field required" in result.stderr
        )


class TestPreview:
    def test_json_output_has_the_document_and_trace(self, defaults_file: Path, tmp_path: Path) -> None:
        record = write(tmp_path / "ticket.json", TICKET)
        result = cli.invoke(
            mappings_app,
            ["preview", str(defaults_file), "--direction", "inbound", "--record", str(record), "--json"],
        )
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["document"]["location"] == {"name": "Acme Corp"}
        assert data["trace"][0] == {
            "mapping": "inbound[0] (Title -> title)",
            "target": "title",
            "value": "Printer jam",
            "source": "Printer jam",
            "default_applied": False,
            "warnings": [],
            "error": None,
        }

    def test_table_output(self, defaults_file: Path, tmp_path: Path) -> None:
        record = write(tmp_path / "wo.yaml", yaml.safe_dump(WORK_ORDER))
        result = cli.invoke(
            mappings_app, ["preview", str(defaults_file), "--direction", "outbound", "--record", str(record)]
        )
        assert result.exit_code == 0, result.output
        assert "outbound[7] (time_logs[0].StartDateTime -> TimeEntry.[0].StartDateTime)" in result.stdout
        assert "TimeEntry[1].StartDateTime" in result.stdout
        assert "Ticket.Priority left out" in result.stdout

    def test_a_failing_mapping_exits_1_with_the_error_in_the_trace(self, tmp_path: Path) -> None:
        mappings = write(
            tmp_path / "m.json",
            {
                "schema_version": 1,
                "inbound": [
                    {
                        "source_field": "DueDateTime",
                        "target_field": "time_window.end",
                        "action": "date_convert",
                        "from_format": "autotask",
                        "to_format": "fn",
                    }
                ],
            },
        )
        record = write(tmp_path / "r.json", {"DueDateTime": "[bold]tomorrow[/bold]"})
        result = cli.invoke(
            mappings_app, ["preview", str(mappings), "--direction", "inbound", "--record", str(record)]
        )
        assert result.exit_code == 1
        assert "'[bold]tomorrow[/bold]' is not an Autotask date" in result.stdout  # shown, not styled

    def test_a_script_that_does_not_compile(self, tmp_path: Path) -> None:
        mappings = write(
            tmp_path / "m.json",
            {
                "schema_version": 1,
                "outbound": [{"target_field": "Resolution", "action": "custom", "script": "{a: }"}],
            },
        )
        record = write(tmp_path / "r.json", {})
        result = cli.invoke(
            mappings_app, ["preview", str(mappings), "--direction", "outbound", "--record", str(record)]
        )
        assert result.exit_code == 1
        assert "outbound[0] (custom -> Resolution): the Jsonnet script does not compile" in result.stderr

    def test_missing_record_and_bad_direction(self, defaults_file: Path, tmp_path: Path) -> None:
        result = cli.invoke(
            mappings_app,
            [
                "preview",
                str(defaults_file),
                "--direction",
                "inbound",
                "--record",
                str(tmp_path / "none.json"),
            ],
        )
        assert result.exit_code == 1
        assert "cannot read the record file" in result.stderr
        result = cli.invoke(
            mappings_app,
            [
                "preview",
                str(defaults_file),
                "--direction",
                "sideways",
                "--record",
                str(tmp_path / "none.json"),
            ],
        )
        assert result.exit_code == 2
