"""The field catalog Refresh Fields produces, given as data; validation checks mappings against it.

Shape (the Autotask parts are the `fields` lists of `/{Entity}/entityInformation/fields` and
`/{Entity}/entityInformation/userDefinedFields` as the API returns them; Field Nation fields are paths):

    {"autotask": {"Tickets": {"fields": [...], "userDefinedFields": [...]}, "Companies": {"fields": [...]}},
     "fieldnation": {"fields": [{"name": "time_window.end", "type": "datetime"},
                                {"name": "custom_fields.Site", "type": "predefined", "options": ["A", "B"]}]}}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from fieldbridge.mapping.paths import Path, PathError, autotask_names, parse_path

Kind = Literal["text", "number", "boolean", "datetime", "object", "any"]

# Autotask `dataType` / UDF `type` and Field Nation (custom) field types, by the kind of value they hold.
_KINDS: dict[str, Kind] = {
    **dict.fromkeys(("string", "text", "phone", "predefined"), "text"),
    **dict.fromkeys(
        ("integer", "long", "short", "double", "decimal", "float", "number", "numeric"), "number"
    ),
    "boolean": "boolean",
    **dict.fromkeys(("datetime", "date", "date_time", "time"), "datetime"),
    **dict.fromkeys(("object", "array"), "object"),
}


def kind_of_type(type_name: str | None) -> Kind:
    return _KINDS.get((type_name or "").lower(), "any")


@dataclass(frozen=True, slots=True)
class FieldInfo:
    name: str
    kind: Kind
    choices: dict[str, str] | None = None
    """For picklists and predefined fields: the allowed values (as match keys) and their labels."""
    read_only: bool = False


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class PicklistValue(_Loose):
    value: str
    label: str = ""

    @field_validator("value", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value  # the API sends "1"; hand-written catalogs 1


class AutotaskField(_Loose):
    name: str
    dataType: str | None = None  # entity fields
    type: str | None = None  # user-defined fields
    isPickList: bool = False
    picklistValues: list[PicklistValue] | None = None
    isReadOnly: bool = False

    def info(self) -> FieldInfo:
        choices = None
        if self.isPickList and self.picklistValues is not None:
            choices = {v.value: v.label for v in self.picklistValues}
        return FieldInfo(self.name, kind_of_type(self.dataType or self.type), choices, self.isReadOnly)


class AutotaskEntity(_Loose):
    fields: list[AutotaskField] = []
    userDefinedFields: list[AutotaskField] = []


class FieldNationField(_Loose):
    name: str
    type: str | None = None
    options: list[str] | None = None
    read_only: bool = False

    def info(self) -> FieldInfo:
        choices = None if self.options is None else {o: o for o in self.options}
        return FieldInfo(self.name, kind_of_type(self.type), choices, self.read_only)


class FieldNationCatalog(_Loose):
    fields: list[FieldNationField] = []


class Catalog(_Loose):
    autotask: dict[str, AutotaskEntity] = {}
    fieldnation: FieldNationCatalog = FieldNationCatalog()

    def autotask_field(self, entity: str, name: str, *, udf: bool = False) -> FieldInfo | None:
        """Case-insensitive; the guide's SOAP-era names (`AccountID`) find their REST fields (`companyID`)."""
        wanted = {n.lower() for n in autotask_names(name)}
        known = self.autotask[entity]
        for field in known.userDefinedFields if udf else known.fields:
            if field.name.lower() in wanted:
                return field.info()
        return None

    def autotask_names(self, entity: str, *, udf: bool = False) -> list[str]:
        known = self.autotask[entity]
        return [f.name for f in (known.userDefinedFields if udf else known.fields)]

    def fieldnation_field(self, path: Path) -> FieldInfo | None:
        """The field at `path`; any-kind when it lies inside a field of kind object; None when unknown."""
        for field in self.fieldnation.fields:
            known = _parsed(field.name)
            if known is None:
                continue
            if (known.head, known.tail, known.udf) == (path.head, path.tail, path.udf):
                return field.info()
            if field.info().kind == "object" and path.keys[: len(known.keys)] == known.keys:
                return FieldInfo(path.text, "any")
        return None

    def fieldnation_names(self) -> list[str]:
        return [f.name for f in self.fieldnation.fields]


def _parsed(name: str) -> Path | None:
    try:
        return parse_path(name)
    except PathError:
        return None  # a catalog name that is not a path cannot be mapped to either
