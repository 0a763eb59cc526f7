"""The mappings editor's rows, pure: a mapping set as rows (source, target, action, the action's
parameters and default as YAML) and back, with every problem put on the row it concerns.

The form names each row's fields `<direction>-<n>-<part>`; a row ticked "remove" or left blank is dropped, so
the rows kept are numbered as the mapping set numbers them (`inbound[2] (Status -> status_id)`), and a
problem's `where` finds its row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from fieldbridge.mapping import ConfigError, MappingSet, Problem
from fieldbridge.mapping.config import dump_yaml, from_data, to_data
from fieldbridge.mapping.model import ACTIONS, SCHEMA_VERSION, Direction, label
from fieldbridge.setup.rules import ProblemOut, problem_out

DIRECTIONS: tuple[Direction, ...] = ("inbound", "outbound")
PARTS = ("source", "target", "action", "params", "default")
_NAME = re.compile(r"^(inbound|outbound)-(\d+)-(source|target|action|params|default|remove)$")
_WHERE = re.compile(r"^(inbound|outbound)\[(\d+)\]")

ACTION_LABELS = {
    "sync": "Sync (copy)",
    "set_static": "Set static value",
    "array_map": "Array map",
    "range_map": "Range map",
    "status_map": "Status mapping",
    "date_convert": "Date convert",
    "concat": "Concat",
    "custom": "Jsonnet (custom)",
}
EXAMPLES = {
    "sync": "",
    "set_static": "value: 29683378",
    "array_map": "map:\n- {source_value: 1, target_value: urgent}",
    "range_map": "mappings:\n- {compare: 0, value: low}",
    "status_map": "statuses:\n- {autotask: 24, fieldnation: 1}",
    "date_convert": "from_format: autotask\nto_format: fn",
    "concat": "template: '{Title} (#{id})'",
    "custom": "script: std.asciiUpper($.input.Title)",
}
"""What each action's parameters look like, shown beside the picker."""


@dataclass
class Row:
    source: str = ""
    target: str = ""
    action: str = "sync"
    params: str = ""
    default: str = ""
    problems: list[ProblemOut] = field(default_factory=list)

    @property
    def blank(self) -> bool:
        return not (self.source or self.target or self.params or self.default)

    @property
    def errors(self) -> list[ProblemOut]:
        return [p for p in self.problems if p.severity == "error"]


@dataclass
class Rows:
    inbound: list[Row]
    outbound: list[Row]
    problems: list[ProblemOut] = field(default_factory=list)
    """Problems of no one row (Outbound Create's required fields, the file as a whole)."""

    def of(self, direction: Direction) -> list[Row]:
        return self.inbound if direction == "inbound" else self.outbound

    @property
    def ok(self) -> bool:
        every = [*self.problems, *(p for d in DIRECTIONS for row in self.of(d) for p in row.problems)]
        return all(p.severity != "error" for p in every)

    def place(self, problems: Iterable[ProblemOut]) -> None:
        """Each problem on the row its `where` names; the others on the set."""
        for problem in problems:
            found = _WHERE.match(problem.where)
            rows = self.of(found.group(1)) if found else []  # type: ignore[arg-type]
            index = int(found.group(2)) if found else -1
            if 0 <= index < len(rows):
                rows[index].problems.append(problem)
            else:
                self.problems.append(problem)


def rows_of(mapping_set: MappingSet) -> Rows:
    data = to_data(mapping_set)
    return Rows(_rows(data["inbound"]), _rows(data["outbound"]))


def _rows(entries: list[dict[str, Any]]) -> list[Row]:
    rows = []
    for entry in entries:
        rest = dict(entry)
        source, target, action = rest.pop("source_field", ""), rest.pop("target_field"), rest.pop("action")
        default = dump_yaml(rest.pop("default")).removesuffix("\n...\n").strip() if "default" in rest else ""
        rows.append(Row(source or "", target, action, dump_yaml(rest).strip() if rest else "", default))
    return rows


def posted(form: Mapping[str, Any]) -> Rows:
    """The rows as posted, in order, without those removed or left blank."""
    found: dict[tuple[str, int], dict[str, str]] = {}
    for name in form:
        match = _NAME.match(name)
        if match:
            found.setdefault((match.group(1), int(match.group(2))), {})[match.group(3)] = str(form[name])
    rows: dict[str, list[Row]] = {direction: [] for direction in DIRECTIONS}
    for (direction, _), parts in sorted(found.items()):
        source, target, action, params, default = (parts.get(part, "").strip() for part in PARTS)
        row = Row(source, target, action or "sync", params, default)
        if "remove" not in parts and not row.blank:
            rows[direction].append(row)
    return Rows(rows["inbound"], rows["outbound"])


def mapping_set(rows: Rows) -> MappingSet | None:
    """The rows as a mapping set, or None with each problem placed on its row."""
    data: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    problems: list[Problem] = []
    for direction in DIRECTIONS:
        entries = []
        for index, row in enumerate(rows.of(direction)):
            entry, problem = _entry(direction, index, row)
            entries.append(entry)
            problems += [problem] if problem else []
        data[direction] = entries
    if problems:
        rows.place(_out(problems))
        return None
    try:
        return from_data(data)
    except ConfigError as error:
        rows.place(_out(error.problems))
        return None


def _entry(direction: Direction, index: int, row: Row) -> tuple[dict[str, Any], Problem | None]:
    entry: dict[str, Any] = {"target_field": row.target, "action": row.action}
    if row.source:
        entry["source_field"] = row.source
    where = label(direction, index, row.source, row.target, row.action)
    try:
        params = yaml.safe_load(row.params) if row.params else {}
        if row.default:
            entry["default"] = yaml.safe_load(row.default)
    except yaml.YAMLError as error:
        message = f"the parameters or default are not YAML: {str(error).splitlines()[0]}"
        return entry, Problem(
            where, message, f"write them as YAML, e.g. {EXAMPLES.get(row.action) or 'key: value'}"
        )
    if not isinstance(params, dict):
        example = EXAMPLES.get(row.action) or "nothing (this action takes no parameters)"
        return entry, Problem(where, "the parameters are not `key: value` lines", f"write e.g. {example}")
    clash = {"source_field", "target_field", "action"} & params.keys()
    if clash:
        return entry, Problem(
            where, f"the parameters set {', '.join(sorted(clash))}", "use the row's own fields for them"
        )
    return entry | params, None


def _out(problems: Iterable[Problem]) -> list[ProblemOut]:
    return [problem_out(p) for p in problems]


def action_choices() -> list[tuple[str, str]]:
    return [(action, ACTION_LABELS[action]) for action in ACTIONS]
