"""Typed views of the Autotask records the sync reads field by field. Tickets stay `Record`s: their fields
differ per tenant (UDFs, picklists) and the mappings read them whole; a note's fields do not."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TicketNote(BaseModel):
    """A ticket note as the REST API returns it (`Tickets/{id}/Notes`); the fields not named are kept."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    id: int
    title: str | None = None
    description: str | None = None
    note_type: int | None = Field(None, alias="noteType")
    publish: int | None = None
    """The publish level: 1 All Autotask Users, 2 Internal Only, ... (a picklist)."""
