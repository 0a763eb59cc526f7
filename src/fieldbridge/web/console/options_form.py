"""Sync options as the console's forms post them, pure: each picked or typed value put in its place of the
options in force (`sync.options.SyncOptions`, which judges them), or the problems, each on its field, with
what was typed so the form can show it again."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from fieldbridge.sync.options import SyncOptions

LISTS = frozenset(
    {"triggers.status_becomes", "triggers.queues", "note_messages.publish", "note_messages.note_types"}
)
"""Options that hold several ids (checkboxes); the others hold one (a picker or a number)."""
OPTIONAL = frozenset({"resource_id", "role_id"})
"""May be left unset (blank)."""

WORKFLOW = ("triggers.status_becomes", "triggers.queues", "resource_id", "role_id")
"""The guide's Workflow Setup: which tickets are imported, and who time is booked to."""
SYNC = (
    *WORKFLOW,
    "note_type",
    "note_publish",
    "note_messages.publish",
    "note_messages.note_types",
    "attachment_publish",
    "reconcile_minutes",
)


@dataclass(frozen=True)
class ParsedOptions:
    options: SyncOptions | None
    """None when a value was refused."""
    typed: dict[str, Any]
    """Option key -> what was posted (a string, or a list of strings for a list option)."""
    problems: dict[str, str] = field(default_factory=dict)


def parse_options(form: FormData, current: SyncOptions, keys: tuple[str, ...]) -> ParsedOptions:
    data = current.model_dump()
    typed: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for key in keys:
        if key in LISTS:
            raw: Any = [str(v) for v in form.getlist(key)]
            value: Any = _numbers(raw)
        else:
            raw = str(form.get(key, "")).strip()
            value = None if raw == "" and key in OPTIONAL else _number(raw)
        typed[key] = raw
        if value is _REFUSED:
            problems[key] = "Enter a whole number." if key not in OPTIONAL else "Choose one from the list."
            continue
        _put(data, key, value)
    if problems:
        return ParsedOptions(None, typed, problems)
    try:
        return ParsedOptions(SyncOptions.model_validate(data), typed)
    except ValidationError as error:
        for detail in error.errors():
            problems[".".join(str(part) for part in detail["loc"])] = str(detail["msg"])
        return ParsedOptions(None, typed, problems)


_REFUSED = object()


def _number(raw: str) -> Any:
    try:
        return int(raw)
    except ValueError:
        return _REFUSED


def _numbers(raw: list[str]) -> Any:
    values = [_number(item) for item in raw]
    return _REFUSED if _REFUSED in values else values


def _put(data: dict[str, Any], key: str, value: Any) -> None:
    *parents, last = key.split(".")
    for part in parents:
        data = data[part]
    data[last] = value
