"""A whole connector as one YAML document: its settings, sync options and mapping set, with every secret an
environment reference. Pure: text and an environment in, a checked `Desired` (or every problem found) out;
and a connector's state back to the same document.

    schema_version: 1
    name: acme
    connector:                     # the admin API's connector fields
      autotask_username: svc-fieldnation@acme.example
      autotask_secret: {env: ACME_AUTOTASK_SECRET}
    sync_options: {...}            # the admin API's sync options
    mappings: {...}                # a mapping set, as `fieldbridge mappings defaults --yaml` prints

What the document leaves out is at its default: settings, options, and the mappings (the guide's defaults).
The two webhook secrets are the exception: webhook provisioning makes them, so one left out is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from fieldbridge.mapping import ConfigError, MappingSet, Problem, default_set
from fieldbridge.mapping.config import ReadableDumper, from_data, to_data
from fieldbridge.store.connectors import SECRET_FIELDS, ConnectorOptions, ConnectorView, NewConnector
from fieldbridge.sync.options import SyncOptions

SCHEMA_VERSION = 1
SECTIONS = ("schema_version", "name", "connector", "sync_options", "mappings")
PROVISIONED_SECRETS = frozenset({"autotask_webhook_secret", "fieldnation_webhook_secret"})
"""Made by `fieldbridge webhooks provision`: kept when the document leaves them out."""
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
T = TypeVar("T")


@dataclass(frozen=True)
class EnvReference:
    """`{env: NAME}`: a value taken from the environment when the document is applied."""

    variable: str


class DocumentError(Exception):
    """A document that cannot be applied; lists every problem found, each with its place and fix."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Desired:
    """What a document asks a connector to be."""

    name: str
    settings: NewConnector
    """Every connector field; those the document leaves out at their defaults."""
    secret_sources: dict[str, str]
    """Each secret the document sets -> the environment variable it came from (shown instead of it)."""
    sync_options: SyncOptions
    mappings: MappingSet

    def owns(self, field: str) -> bool:
        """Whether the document decides this field (a webhook secret left out is provisioning's)."""
        return field not in PROVISIONED_SECRETS or field in self.secret_sources


def parse(text: str, environment: Mapping[str, str]) -> Desired:
    """Read and check a document; raises DocumentError with every problem, never echoing a value."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise DocumentError([_syntax(error)]) from None
    if not isinstance(data, dict):
        raise DocumentError(
            [Problem("file", "the file does not hold a connector", "write `name:`, `connector:`, ... keys")]
        )
    problems = _sections(data)
    if problems:
        raise DocumentError(problems)
    connector, secret_sources, problems = resolve(data.get("connector") or {}, environment)
    settings = checked(
        lambda: NewConnector.model_validate({**connector, "name": data.get("name")}), "connector", problems
    )
    options = checked(
        lambda: SyncOptions.model_validate(data.get("sync_options") or {}), "sync_options", problems
    )
    mappings = _mappings(data.get("mappings"), problems)
    if settings is None or options is None or mappings is None or problems:
        raise DocumentError(problems)
    return Desired(settings.name, settings, secret_sources, options, mappings)


def env_variable(name: str, field: str) -> str:
    """The variable `fieldbridge export` names for a connector's secret: ACME_AUTOTASK_SECRET."""
    return f"{name}_{field}".upper().replace("-", "_")


def export(view: ConnectorView, options: SyncOptions, mappings: MappingSet | None) -> dict[str, Any]:
    """A connector as a document: settings at their defaults left out, each secret that is set (webhook
    secrets aside: provisioning's) as a reference to the variable `env_variable` names, and the mapping set
    when one is saved."""
    defaults = ConnectorOptions()
    settings = {
        field: value
        for field, value in view.model_dump(mode="json", include=set(ConnectorOptions.model_fields)).items()
        if value != getattr(defaults, field)
    }
    secrets = {
        field: EnvReference(env_variable(view.name, field))
        for field in SECRET_FIELDS
        if view.secrets_set[field] and field not in PROVISIONED_SECRETS
    }
    document: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "name": view.name}
    document["connector"] = settings | secrets
    chosen = options.model_dump(mode="json", exclude_defaults=True)
    if chosen:
        document["sync_options"] = chosen
    if mappings is not None:
        document["mappings"] = to_data(mappings)
    return document


def dump(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


class _Dumper(ReadableDumper):
    """References on one line, as people write them: `autotask_secret: {env: ACME_AUTOTASK_SECRET}`."""


def _reference_node(dumper: yaml.SafeDumper, value: EnvReference) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", {"env": value.variable}, flow_style=True)


_Dumper.add_representer(EnvReference, _reference_node)


def _syntax(error: yaml.YAMLError) -> Problem:
    mark = getattr(error, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "file"
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    return Problem(where, f"not valid YAML: {problem}", "correct the YAML there")


def _sections(data: dict[str, Any]) -> list[Problem]:
    problems = [
        Problem(str(key), f"`{key}` is not part of a connector document", f"remove it: the keys are {_KEYS}")
        for key in data
        if key not in SECTIONS
    ]
    version = data.get("schema_version")
    if version is None:
        problems.append(
            Problem(
                "schema_version", "the file has no schema_version", f"add `schema_version: {SCHEMA_VERSION}`"
            )
        )
    elif version != SCHEMA_VERSION:
        problems.append(
            Problem(
                "schema_version",
                f"schema_version {version!r} is not the {SCHEMA_VERSION} this FieldBridge reads",
                "export it again with this FieldBridge (`fieldbridge export NAME`), or upgrade FieldBridge",
            )
        )
    for section in ("connector", "sync_options", "mappings"):
        if data.get(section) is not None and not isinstance(data[section], dict):
            problems.append(
                Problem(
                    section,
                    f"`{section}` does not hold keys and values",
                    f"indent its keys under `{section}:`",
                )
            )
    if isinstance(data.get("connector"), dict) and "name" in data["connector"]:
        problems.append(
            Problem(
                "connector.name",
                "the name is not a connector setting here",
                "write it at the top: `name: acme`",
            )
        )
    return problems


_KEYS = ", ".join(SECTIONS)


def resolve(
    connector: dict[str, Any], environment: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str], list[Problem]]:
    """Connector settings with each `{env: NAME}` replaced by the variable's value, the variable each secret
    came from, and the problems. Secrets must be such references (a file is copied, committed and mailed;
    the environment is not)."""
    resolved: dict[str, Any] = {}
    sources: dict[str, str] = {}
    problems: list[Problem] = []
    for field, value in connector.items():
        where = f"connector.{field}"
        variable = _reference(value)
        if variable is None and isinstance(value, dict):
            problems.append(
                Problem(
                    where,
                    "is an object other than an environment reference",
                    "write `{env: VARIABLE}` or a plain value",
                )
            )
            continue
        if variable is None:
            if field in SECRET_FIELDS and value not in (None, ""):
                problems.append(
                    Problem(
                        where,
                        "a secret is written out",
                        f"put it in an environment variable and give `{field}: {{env: VARIABLE}}` instead",
                    )
                )
                continue
            resolved[field] = value
            continue
        if not _VARIABLE.match(variable):
            problems.append(
                Problem(
                    where,
                    f"{variable!r} is not an environment variable name",
                    "use letters, digits and underscores",
                )
            )
            continue
        if not environment.get(variable):
            problems.append(
                Problem(
                    where,
                    f"the environment variable {variable} is not set",
                    f"export {variable}=... before running this command",
                )
            )
            continue
        resolved[field] = environment[variable]
        if field in SECRET_FIELDS:
            sources[field] = variable
    return resolved, sources, problems


def _reference(value: Any) -> str | None:
    if isinstance(value, dict) and list(value) == ["env"] and isinstance(value["env"], str):
        return value["env"]
    return None


def checked(make: Callable[[], T], section: str, problems: list[Problem]) -> T | None:
    """The model `make` builds, or None with its errors added: the place and the rule, never the value
    (a misspelt key may hold a secret)."""
    try:
        return make()
    except ValidationError as invalid:
        for error in invalid.errors(include_input=False):
            loc = [str(part) for part in error["loc"]]
            where = ".".join(loc if loc[:1] == ["name"] else [section, *loc])
            fix = "remove it (or check its spelling)" if error["type"] == "extra_forbidden" else "correct it"
            problems.append(Problem(where, error["msg"], fix))
        return None


def _mappings(section: dict[str, Any] | None, problems: list[Problem]) -> MappingSet | None:
    if section is None:
        return default_set()
    try:
        return from_data(section)
    except ConfigError as error:
        problems += [Problem(f"mappings: {p.where}", p.message, p.fix, p.severity) for p in error.problems]
        return None
