"""Mapping sets as code: load and save JSON or YAML, with a schema version, in one canonical form.

The file is `{"schema_version": 1, "inbound": [...], "outbound": [...]}`; each mapping is written with
`source_field`, `target_field`, `action`, its options, then `default`, leaving out options at their
defaults, so `load(dump(s)) == s` and dumping what was loaded gives the same text back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ValidationError

from fieldbridge.mapping.errors import ConfigError, Problem
from fieldbridge.mapping.model import ACTIONS, SCHEMA_VERSION, MappingSet, label

Format = Literal["json", "yaml"]
_FIRST = ("source_field", "target_field", "action")


def to_data(mapping_set: MappingSet) -> dict[str, Any]:
    def entry(mapping: BaseModel) -> dict[str, Any]:
        data = mapping.model_dump(mode="json", exclude_defaults=True)
        first = {key: data.pop(key) for key in _FIRST if key in data}
        default = {"default": data.pop("default")} if "default" in data else {}
        return first | data | default

    return {
        "schema_version": SCHEMA_VERSION,
        "inbound": [entry(m) for m in mapping_set.inbound],
        "outbound": [entry(m) for m in mapping_set.outbound],
    }


def dump(mapping_set: MappingSet, fmt: Format = "json") -> str:
    data = to_data(mapping_set)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return dump_yaml(data)


def dump_yaml(data: Any) -> str:
    """YAML people can read: keys in the order given, Jsonnet scripts as literal blocks."""
    return yaml.dump(data, Dumper=ReadableDumper, sort_keys=False, allow_unicode=True, width=100)


def load(text: str, fmt: Format = "json") -> MappingSet:
    """Parse and check a mapping file; raises ConfigError listing every problem with its mapping and fix."""
    try:
        data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    except json.JSONDecodeError as error:
        raise _error(
            "file",
            f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
            "correct the JSON syntax there",
        ) from None
    except yaml.YAMLError as error:
        raise _error("file", f"not valid YAML: {error}".splitlines()[0], "correct the YAML syntax") from None
    return from_data(data)


def from_data(data: Any) -> MappingSet:
    """Check a mapping set already parsed from JSON or YAML; raises ConfigError as `load` does."""
    if not isinstance(data, dict):
        raise _error(
            "file",
            "the file does not hold a mapping set",
            'write an object: {"schema_version": 1, "inbound": [...], "outbound": [...]}',
        )
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        problem = (
            "has no schema_version"
            if version is None
            else f"has schema_version {version!r}, and this FieldBridge reads {SCHEMA_VERSION}"
        )
        raise _error(
            "file",
            f"the file {problem}",
            f'add "schema_version": {SCHEMA_VERSION}'
            if version is None
            else "export it again from the FieldBridge that wrote it, or upgrade FieldBridge",
        )
    try:
        return MappingSet.model_validate(data)
    except ValidationError as error:
        raise ConfigError([_problem(data, detail) for detail in error.errors()]) from None


def load_file(path: Path) -> MappingSet:
    return load(path.read_text(encoding="utf-8"), file_format(path))


def file_format(path: Path) -> Format:
    return "yaml" if path.suffix.lower() in (".yaml", ".yml") else "json"


def _error(where: str, message: str, fix: str) -> ConfigError:
    return ConfigError([Problem(where, message, fix)])


def _problem(data: dict[str, Any], detail: Any) -> Problem:
    """A pydantic error, said as which mapping, what is wrong and what to change."""
    loc = list(detail["loc"])
    where = ".".join(str(part) for part in loc) or "file"
    if len(loc) >= 2 and loc[0] in ("inbound", "outbound") and isinstance(loc[1], int):
        entries = data.get(loc[0])
        raw = entries[loc[1]] if isinstance(entries, list) and loc[1] < len(entries) else None
        raw = raw if isinstance(raw, dict) else {}
        where = label(loc[0], loc[1], raw.get("source_field"), raw.get("target_field"), raw.get("action"))
        loc = loc[3:] if len(loc) > 2 and loc[2] in ACTIONS else loc[2:]  # drop the action tag pydantic adds
    name = ".".join(str(part) for part in loc)
    kind, message = detail["type"], detail["msg"]
    context = detail.get("ctx") or {}
    fixes = {
        "fieldbridge": context.get("fix", ""),
        "union_tag_invalid": f"set action to one of: {', '.join(ACTIONS)}",
        "union_tag_not_found": f"add an action, one of: {', '.join(ACTIONS)}",
        "model_attributes_type": "write each mapping as an object",
        "missing": f"add `{name}`",
        "extra_forbidden": f"remove `{name}` (or check its spelling)",
        "none_required": f"remove `{name}`: this action reads no single source field",
    }
    if kind == "union_tag_invalid":
        message = f"unknown action {context.get('tag')!r}"
    elif kind == "none_required":
        message = f"`{name}` is not used by this action"
    elif name and kind != "fieldbridge":
        message = f"`{name}`: {message}"
    return Problem(where, message, fixes.get(kind, f"correct `{name or 'the mapping'}`"))


class ReadableDumper(yaml.SafeDumper):
    """YAML that people can read: multi-line strings (Jsonnet scripts) as literal blocks."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # PyYAML folds NEL (\x85) in single-quoted scalars, so a string holding YAML's other line breaks goes in
    # double quotes, where they are escaped.
    style = '"' if _OTHER_BREAKS.intersection(value) else "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_OTHER_BREAKS = frozenset("\x85\u2028\u2029")


ReadableDumper.add_representer(str, _text)
