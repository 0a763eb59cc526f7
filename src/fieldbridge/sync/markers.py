"""Markers: a copied record carries its original's id as `(#<id>)` at the start of one text field, so it can
be found again after a lost answer or a lost link.

A time log's id goes into its TimeEntry as `(#<id>) <notes>` (Field Nation's own connector does so); every
other copy the same way: a charge's or expense item's expense id, a note's message id, a file's id in its
attachment's title, an Autotask note's id in the Field Nation message it becomes.
"""

from __future__ import annotations

import re

_MARKER = re.compile(r"^\(#(\d+)\)")


def marker(record_id: int, text: str | None) -> str:
    return f"(#{record_id}) {text or ''}".rstrip()


def marked_id(text: str | None) -> int | None:
    match = _MARKER.match(text or "")
    return int(match.group(1)) if match else None
