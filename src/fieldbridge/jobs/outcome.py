"""What a handler did, as data: the writes it made with their ids, what it left undone, or why it did
nothing. The worker stores it with the event's history line and renders it into the plain-language sentence
people read; the console, the API and tests read the data."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

WriteAction = Literal["created", "updated", "deleted"]

OutcomeKind = Literal["synced", "unchanged", "ignored"]
"""`synced`: something was written; `unchanged`: the records already agreed; `ignored`: the event is not
one to sync (a trigger condition refused it, a completed ticket, an unlinked work order without Outbound
Create)."""


@dataclass(frozen=True)
class Write:
    action: WriteAction
    record: str
    """What was written, as history names it: "work order", "time entry", "Ticket"."""
    id: int
    detail: str = ""
    """What changed or why: "title, status 5", "time log 3 is gone", "Outbound Create"."""

    def phrase(self) -> str:
        return f"{self.record} {self.id} {self.action}" + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True)
class Skip:
    """Something the handler left undone that a person should know of, with the fix."""

    message: str
    fix: str | None = None


@dataclass(frozen=True)
class Outcome:
    kind: OutcomeKind
    subject: str
    """The record the event was about, as people name it: "Ticket 7001", "work order 55"."""
    writes: tuple[Write, ...] = ()
    reason: str = ""
    """Why an `ignored` event was ignored, as a sentence."""
    skips: tuple[Skip, ...] = ()

    @staticmethod
    def of(subject: str, writes: list[Write]) -> Outcome:
        return Outcome("synced" if writes else "unchanged", subject, tuple(writes))

    @staticmethod
    def ignored(subject: str, reason: str) -> Outcome:
        return Outcome("ignored", subject, reason=reason)

    def written(self, action: WriteAction, record: str) -> list[int]:
        """The ids of the `record`s this outcome `action`ed: what tests and the console ask."""
        return [w.id for w in self.writes if w.action == action and w.record == record]

    def sentence(self) -> str:
        if self.kind == "ignored":
            return self.reason
        if self.kind == "unchanged":
            return f"Nothing changed for {self.subject}."
        return f"{self.subject}: " + "; ".join(w.phrase() for w in self.writes) + "."

    def as_data(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_data(data: dict[str, Any]) -> Outcome:
        return Outcome(
            data["kind"],
            data["subject"],
            tuple(Write(**w) for w in data["writes"]),
            data["reason"],
            tuple(Skip(**s) for s in data["skips"]),
        )
