"""`fieldbridge mappings`: print the default set, validate a mapping file, preview it on a sample record.

Exit status: 0 when all is well, 1 when the file, the catalog or the record has a problem (each printed with
its mapping and fix), so scripts and CI can rely on it.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import yaml
from pydantic import ValidationError
from rich.console import Console
from rich.json import JSON
from rich.markup import escape
from rich.table import Table

from fieldbridge.mapping import config
from fieldbridge.mapping.catalog import Catalog
from fieldbridge.mapping.defaults import default_set
from fieldbridge.mapping.engine import Preview, compile_mappings
from fieldbridge.mapping.errors import ConfigError, MappingError, Problem
from fieldbridge.mapping.validation import validate as validate_set
from fieldbridge.terminal import console

mappings_app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Field mappings: the default set, validation, preview."
)


class Direction(StrEnum):
    inbound = "inbound"
    outbound = "outbound"


MappingFile = Annotated[Path, typer.Argument(help="Mapping set, JSON or YAML (by extension).")]


@mappings_app.command()
def defaults(
    as_yaml: Annotated[bool, typer.Option("--yaml", help="Print YAML instead of JSON.")] = False,
) -> None:
    """Print the setup guide's mapping tables as a mapping set (JSON)."""
    typer.echo(config.dump(default_set(), "yaml" if as_yaml else "json"), nl=False)


@mappings_app.command()
def validate(
    file: MappingFile,
    catalog: Annotated[Path | None, typer.Option(help="Refresh Fields catalog, JSON or YAML.")] = None,
    service_object: Annotated[str, typer.Option(help="ticket, ServiceCall or Project.")] = "ticket",
    outbound_create: Annotated[bool, typer.Option(help="Require the six ticket-create fields.")] = False,
) -> None:
    """Check a mapping set, and with --catalog its fields, types and picklist values."""
    mapping_set = _load_set(file)
    known = _load_catalog(catalog) if catalog else None
    problems = validate_set(
        mapping_set, known, service_object=service_object, outbound_create=outbound_create
    )
    out = console()
    for problem in problems:
        _show(problem, out)
    errors = sum(p.severity == "error" for p in problems)
    counts = f"{len(mapping_set.inbound)} inbound and {len(mapping_set.outbound)} outbound mappings"
    out.print(
        f"{counts}: {errors} error(s), {len(problems) - errors} warning(s)"
        + ("" if known else " (no --catalog: fields not checked)"),
        soft_wrap=True,
    )
    raise typer.Exit(1 if errors else 0)


@mappings_app.command()
def preview(
    file: MappingFile,
    direction: Annotated[Direction, typer.Option(help="inbound: ticket -> work order; outbound: back.")],
    record: Annotated[Path, typer.Option(help="Sample source record (JSON or YAML).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the document and trace as JSON.")] = False,
) -> None:
    """Run a mapping set over a sample record: the document it makes and where each value came from."""
    mapping_set = _load_set(file)
    try:
        engine = compile_mappings(mapping_set, direction.value)
    except MappingError as error:
        _fail([error.problem])
    result = engine.preview(_read_data(record, "record"))
    if as_json:
        typer.echo(json.dumps(result.to_data(), indent=2, ensure_ascii=False))
    else:
        print_preview(result)
    raise typer.Exit(0 if result.ok else 1)


def print_preview(result: Preview) -> None:
    """The document a preview made, then where each value came from."""
    out = console()
    out.print(JSON.from_data(result.document))
    table = Table("Mapping", "Target", "Value", "Source", "Notes", show_lines=False)
    for entry in result.trace:
        notes = [escape(w) for w in entry.warnings]
        if entry.default_applied:
            notes.insert(0, "default applied")
        if entry.error:
            notes.insert(0, f"[red]{escape(entry.error)}[/red]")
        table.add_row(
            escape(entry.mapping),
            escape(entry.target),
            _cell(entry.value),
            _cell(entry.source),
            "\n".join(notes),
        )
    out.print(table)


def _cell(value: Any) -> str:
    return "" if value is None else escape(json.dumps(value, ensure_ascii=False))


def _load_set(path: Path) -> Any:
    try:
        return config.load_file(path)
    except OSError as error:
        _fail([Problem(str(path), f"cannot read the mapping file ({error.strerror})", "check the path")])
    except ConfigError as error:
        _fail(error.problems)


def _load_catalog(path: Path) -> Catalog:
    try:
        return Catalog.model_validate(_read_data(path, "catalog"))
    except ValidationError as error:
        detail = error.errors()[0]
        where = ".".join(map(str, detail["loc"]))
        _fail(
            [
                Problem(
                    str(path),
                    f"the catalog is not in the Refresh Fields shape: {where}: {detail['msg']}",
                    'write {"autotask": {"Tickets": {"fields": [...]}}, "fieldnation": {"fields": [...]}}',
                )
            ]
        )


def _read_data(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
        return yaml.safe_load(text) if config.file_format(path) == "yaml" else json.loads(text)
    except OSError as error:
        _fail([Problem(str(path), f"cannot read the {what} file ({error.strerror})", "check the path")])
    except (ValueError, yaml.YAMLError) as error:
        _fail(
            [
                Problem(
                    str(path),
                    f"the {what} file is not valid: {str(error).splitlines()[0]}",
                    "correct its JSON or YAML syntax",
                )
            ]
        )


def _show(problem: Problem, console: Console) -> None:
    colour = "red" if problem.severity == "error" else "yellow"
    console.print(
        f"[{colour}]{problem.severity}[/{colour}] {escape(problem.where)}: "
        f"{escape(problem.message)}.\n  fix: {escape(problem.fix)}",
        soft_wrap=True,
    )


def _fail(problems: list[Problem]) -> NoReturn:
    err = console(stderr=True)
    for problem in problems:
        _show(problem, err)
    raise typer.Exit(1)
