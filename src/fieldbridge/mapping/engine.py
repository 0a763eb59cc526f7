"""Run one direction of a mapping set over a record: the target document, and on request a per-field trace.

Compile once (`compile_mappings`), then `apply` per record. A mapping whose source has one value per element
(`time_logs[0].notes`) makes one target element per source element; a mapping without `[0]` in its source but
with it in its target writes its one value into every element, so those run after the fanned-out ones.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from fieldbridge.mapping.actions import Step, compile_step
from fieldbridge.mapping.errors import ActionError, MappingError, Problem
from fieldbridge.mapping.jsonnet import JsonnetRunner, shared_runner
from fieldbridge.mapping.model import Direction, MappingSet, where
from fieldbridge.mapping.paths import Writer, parse_target


@dataclass(frozen=True, slots=True)
class TraceEntry:
    mapping: str
    """Which mapping, e.g. `inbound[2] (Status -> status_id)`."""
    target: str
    """Where the value landed, e.g. `TimeEntry[1].StartDateTime`."""
    value: Any = None
    source: Any = None
    default_applied: bool = False
    warnings: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Preview:
    document: dict[str, Any]
    trace: list[TraceEntry] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(entry.error is None for entry in self.trace)

    def to_data(self) -> dict[str, Any]:
        return {"document": self.document, "trace": [asdict(entry) for entry in self.trace]}


Trace = list[TraceEntry] | None


@dataclass(frozen=True, slots=True)
class _Compiled:
    where: str
    step: Step
    writer: Writer
    default: Any
    broadcast: bool  # one value into every element of a `[0]` target

    def run(self, doc: dict[str, Any], record: Any, trace: Trace) -> None:
        step, default = self.step, self.default
        if step.fans_out:
            sources = step.read(record)
            results = [None if source is None else step.convert(source) for source in sources]
            self.writer.set_each(doc, [default if result is None else result for result in results])
            if trace is not None:
                for index, (source, result) in enumerate(zip(sources, results, strict=True)):
                    trace.append(self._entry(source, result, index))
            return
        source = step.read(record)
        result = None if source is None else step.convert(source)
        value = default if result is None else result
        written = True
        if value is not None:
            if self.broadcast:
                written = self.writer.set_all(doc, value) > 0
            else:
                self.writer.set(doc, value)
        if trace is not None:
            trace.append(self._entry(source, result, None, written))

    def _entry(self, source: Any, result: Any, index: int | None, written: bool = True) -> TraceEntry:
        target = self.writer.describe(index)
        value = self.default if result is None else result
        warnings = []
        if value is None:
            if not self.step.shows_source:
                cause = "the action gave no value"
            else:
                cause = "the source is empty" if source is None else f"nothing matches {source!r}"
            warnings.append(f"{cause}; {target} left out (add a default to fill it)")
        elif not written:
            warnings.append(f"{target} has no elements to write into (no mapping fanned out into it)")
        return TraceEntry(
            self.where,
            target,
            value,
            source if self.step.shows_source else None,
            default_applied=result is None and value is not None,
            warnings=tuple(warnings),
        )


Document = dict[str, Any]
"""What mappings read and write: a record as JSON, schemaless by design (a tenant's fields, UDFs and custom
fields are only known at run time)."""


class Engine:
    """A compiled direction of a mapping set."""

    def __init__(self, mappings: list[_Compiled]) -> None:
        self._mappings = mappings

    def apply(self, record: Any) -> Document:
        """The target document; raises MappingError naming the first mapping that failed."""
        return self._run(record, None)

    def preview(self, record: Any) -> Preview:
        """The target document and a trace entry per written (or skipped) value; failures become entries."""
        trace: list[TraceEntry] = []
        return Preview(self._run(record, trace), trace)

    def _run(self, record: Any, trace: Trace) -> dict[str, Any]:
        doc: dict[str, Any] = {}
        for mapping in self._mappings:
            try:
                mapping.run(doc, record, trace)
            except ActionError as error:
                problem = Problem(mapping.where, error.message, error.fix)
                if trace is None:
                    raise MappingError(problem) from error
                trace.append(TraceEntry(mapping.where, mapping.writer.describe(), error=str(problem)))
        return doc


def compile_mappings(
    mapping_set: MappingSet, direction: Direction, runner: JsonnetRunner | None = None
) -> Engine:
    """Compile one direction; raises MappingError for a mapping that cannot run (a Jsonnet syntax error)."""
    compiled: list[_Compiled] = []
    runner = runner or shared_runner()  # starts no process until a script runs
    for index, mapping in enumerate(mapping_set.mappings(direction)):
        label = where(direction, index, mapping)
        try:
            step = compile_step(mapping, direction, runner)
        except ActionError as error:
            raise MappingError(Problem(label, error.message, error.fix)) from error
        target = parse_target(mapping.target_field, outbound=direction == "outbound")
        writer = Writer(target, autotask=direction == "outbound")
        broadcast = target.fans_out and not step.fans_out
        compiled.append(_Compiled(label, step, writer, mapping.default, broadcast))
    # Broadcasts go last so the elements they write into exist; sorted() is stable for the rest.
    return Engine(sorted(compiled, key=lambda m: m.broadcast))
