"""Mapping sets with this emulator instance's ids, as an administrator would save them."""

from __future__ import annotations

from fieldbridge.mapping import MappingSet
from fieldbridge.mapping.model import SetStatic
from fieldbridge.sandbox.autotask.seed import PRIORITY, QUEUE


def with_outbound_create_statics(base: MappingSet, company_id: int) -> MappingSet:
    """`base` with the three ticket values Outbound Create needs that the defaults leave to the instance
    ("sourced from Autotask"): Medium priority, the Field Services queue, and the company `company_id`."""
    statics = {
        "Ticket:Priority": PRIORITY["Medium"],
        "Ticket:AccountID": company_id,
        "Ticket:QueueID": QUEUE["Field Services"],
    }
    outbound = [
        SetStatic(action="set_static", target_field=m.target_field, value=statics[m.target_field])
        if m.target_field in statics
        else m
        for m in base.outbound
    ]
    return base.model_copy(update={"outbound": outbound})
