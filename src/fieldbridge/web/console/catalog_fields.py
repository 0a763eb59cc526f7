"""The fields a mapping row can name, from the catalog Refresh Fields keeps, pure: what the editor offers
for a source and a target in each direction, picklists with their labels (`21 New`), never bare ids."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fieldbridge.mapping import Catalog
from fieldbridge.mapping.catalog import FieldInfo
from fieldbridge.mapping.model import Direction
from fieldbridge.setup.refresh_fields import FIELDNATION_STATUSES

SHOWN_CHOICES = 12


@dataclass(frozen=True)
class FieldOption:
    path: str
    """As a mapping names it: `Status`, `Account.AccountName`, `Ticket:Priority`, `custom_fields.Site`."""
    kind: str
    choices: tuple[tuple[str, str], ...] = ()
    """A picklist's (value, label) pairs."""

    @property
    def hint(self) -> str:
        if not self.choices:
            return self.kind
        first = self.choices[:SHOWN_CHOICES]
        shown = ", ".join(f"{value} {label}" if label != value else value for value, label in first)
        more = f", … ({len(self.choices)} in all)" if len(self.choices) > SHOWN_CHOICES else ""
        return f"picklist: {shown}{more}"


@dataclass(frozen=True)
class EditorFields:
    autotask_sources: list[FieldOption]
    autotask_targets: list[FieldOption]
    fieldnation: list[FieldOption]

    def sources(self, direction: Direction) -> list[FieldOption]:
        return self.autotask_sources if direction == "inbound" else self.fieldnation

    def targets(self, direction: Direction) -> list[FieldOption]:
        return self.fieldnation if direction == "inbound" else self.autotask_targets

    def hint(self, path: str) -> str | None:
        """A named field's picklist, to show beside the row that names it."""
        wanted = path.strip().lower()
        for option in (*self.autotask_sources, *self.autotask_targets, *self.fieldnation):
            if option.choices and option.path.lower() == wanted:
                return f"{option.path}: {option.hint}"
        return None


def editor_fields(stored: dict[str, Any] | None) -> EditorFields:
    if stored is None:
        return EditorFields([], [], [])
    catalog = Catalog.model_validate(stored)

    def entity(name: str, prefix: str, *, udfs: bool = False) -> list[FieldOption]:
        known = catalog.autotask.get(name)
        if known is None:
            return []
        options = [_option(f"{prefix}{f.name}", f.info()) for f in known.fields]
        if udfs:
            options += [
                _option(f"{prefix}UserDefinedField.{f.name}", f.info()) for f in known.userDefinedFields
            ]
        return options

    fieldnation = [_fieldnation_option(f.name, f.info()) for f in catalog.fieldnation.fields]
    return EditorFields(
        autotask_sources=[*entity("Tickets", "", udfs=True), *entity("Companies", "Account.")],
        autotask_targets=[
            *entity("Tickets", "Ticket:", udfs=True),
            *entity("TimeEntries", "TimeEntry.[0]."),
            *entity("ExpenseItems", "expense.items[0]."),
        ],
        fieldnation=fieldnation,
    )


def _fieldnation_option(path: str, info: FieldInfo) -> FieldOption:
    """Field Nation lists its status ids bare; their names are known (`FIELDNATION_STATUSES`)."""
    if path == "status_id":
        return FieldOption(path, info.kind, tuple((str(k), v) for k, v in FIELDNATION_STATUSES.items()))
    return _option(path, info)


def _option(path: str, info: FieldInfo) -> FieldOption:
    return FieldOption(path, info.kind, tuple((info.choices or {}).items()))
