"""Fingerprints and differences of mapped documents: pure, so "did anything change, and what" is one
comparison with what was last synced."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fieldbridge.mapping import Document


def fingerprint(*parts: Any) -> str:
    """A SHA-256 of the canonical JSON of `parts` (key order and float formatting do not matter twice)."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def leaves(document: object, prefix: str = "") -> dict[str, object]:
    """Every value of a nested document by its dotted path; lists are values of their own (a list of
    time logs is compared whole, element order included)."""
    if not isinstance(document, dict) or (prefix and not document):
        return {prefix: document} if prefix else {}
    found: dict[str, object] = {}
    for key, value in document.items():
        found.update(leaves(value, f"{prefix}.{key}" if prefix else str(key)))
    return found


def changed_paths(before: Document, after: Document) -> set[str]:
    """Paths whose value differs; a path that disappeared counts as changed only when it had a value."""
    old, new = leaves(before), leaves(after)
    return {path for path in old.keys() | new.keys() if old.get(path) != new.get(path)}
