"""What `fieldbridge apply` would change, worked out from what a connector is and what its document asks:
pure, so a dry run and the real run show the same lines and write the same things."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from fieldbridge.mapping import MappingSet, default_set
from fieldbridge.mapping.config import dump_yaml, to_data
from fieldbridge.setup.document import Desired
from fieldbridge.setup.rules import CONNECTION_FIELDS
from fieldbridge.store.connectors import SECRET_FIELDS, ConnectorOptions
from fieldbridge.sync.options import SyncOptions


@dataclass(frozen=True)
class Current:
    """A saved connector as `apply` compares it: settings, secrets in clear (never shown: compared only),
    sync options and the mapping set in force."""

    id: int
    options: dict[str, Any]
    """Each connector setting that is not a secret, as JSON values."""
    secrets: dict[str, str | None]
    """Each secret as stored (the integration code without the deployment's default)."""
    sync_options: SyncOptions
    mappings: MappingSet
    mappings_version: int | None
    """None: no mapping set is saved, so the guide's defaults are in force."""


@dataclass(frozen=True)
class Plan:
    name: str
    create: bool
    connector: dict[str, Any] = field(default_factory=dict)
    """The connector fields to write, with their new values (secrets in clear, for sealing)."""
    sync_options: SyncOptions | None = None
    """The options to save; None: as they are."""
    mappings: MappingSet | None = None
    """The mapping set to save as a new version; None: as it is."""
    lines: list[str] = field(default_factory=list)
    """What changes, for people: no secret, only where it comes from."""

    @property
    def empty(self) -> bool:
        return not (self.create or self.connector or self.sync_options or self.mappings)

    @property
    def tests_connection(self) -> bool:
        """Saving it runs the connection test, as saving credentials does in the admin API."""
        return self.create or bool(CONNECTION_FIELDS & set(self.connector))


def plan(desired: Desired, current: Current | None) -> Plan:
    before = current or _blank()
    connector, connector_lines = _connector(desired, before, creating=current is None)
    options_lines = flat_changes(
        before.sync_options.model_dump(mode="json"), desired.sync_options.model_dump(mode="json")
    )
    mapping_lines = _mapping_lines(before, desired.mappings)
    lines = []
    if current is None or connector_lines:
        action = "create" if current is None else "update"
        lines += [f"connector {desired.name}: {action}", *connector_lines]
    if options_lines:
        lines += ["sync options:", *options_lines]
    if mapping_lines:
        lines += mapping_lines
    return Plan(
        name=desired.name,
        create=current is None,
        connector=connector,
        sync_options=desired.sync_options if options_lines else None,
        mappings=desired.mappings if mapping_lines else None,
        lines=lines,
    )


def _blank() -> Current:
    """A connector not created yet, as the defaults it would otherwise have."""
    return Current(
        id=0,
        options=ConnectorOptions().model_dump(mode="json"),
        secrets=dict.fromkeys(SECRET_FIELDS),
        sync_options=SyncOptions(),
        mappings=default_set(),
        mappings_version=None,
    )


def _connector(desired: Desired, before: Current, *, creating: bool) -> tuple[dict[str, Any], list[str]]:
    wanted = desired.settings.model_dump(mode="json", include=set(ConnectorOptions.model_fields))
    changes: dict[str, Any] = {}
    lines: list[str] = []
    for name, value in wanted.items():
        if before.options.get(name) != value:
            changes[name] = value
            was = "" if creating else f"{_shown(before.options.get(name))} -> "
            lines.append(f"  {name}: {was}{_shown(value)}")
    for name in SECRET_FIELDS:
        if not desired.owns(name):
            continue
        secret = getattr(desired.settings, name)
        value = None if secret is None else secret.get_secret_value()
        if before.secrets.get(name) == value:
            continue
        changes[name] = value
        source = desired.secret_sources.get(name)
        if value is None:
            lines.append(f"  {name}: removed")
        elif before.secrets.get(name) is None:
            lines.append(f"  {name}: set from ${source}")
        else:
            lines.append(f"  {name}: changed, from ${source}")
    return changes, lines


def flat_changes(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> list[str]:
    """`  key.path: old -> new` for each value that differs."""
    lines = []
    for key in after:
        old, new = before.get(key), after[key]
        if isinstance(old, dict) and isinstance(new, dict):
            lines += flat_changes(old, new, f"{prefix}{key}.")
        elif old != new:
            lines.append(f"  {prefix}{key}: {_shown(old)} -> {_shown(new)}")
    return lines


def _mapping_lines(before: Current, desired: MappingSet) -> list[str]:
    diff = mapping_diff(before.mappings, desired, "in force", "file")
    if not diff:
        return []
    was = "the guide's defaults" if before.mappings_version is None else f"version {before.mappings_version}"
    return [f"mappings: a new version (in force: {was})", *(f"  {line}" for line in diff)]


def mapping_diff(old: MappingSet, new: MappingSet, old_name: str, new_name: str) -> list[str]:
    """A unified diff of two mapping sets as their YAML (one line of context); empty when they are equal."""
    before, after = to_data(old), to_data(new)
    if before == after:
        return []
    lines = difflib.unified_diff(
        dump_yaml(before).splitlines(), dump_yaml(after).splitlines(), old_name, new_name, lineterm="", n=1
    )
    return list(lines)


def _shown(value: Any) -> str:
    return "(none)" if value is None else repr(value) if isinstance(value, str) else str(value)
