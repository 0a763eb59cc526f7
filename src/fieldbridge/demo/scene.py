"""What the demo's steps share: the running stack, the step runner, and what earlier steps found out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fieldbridge.demo.stack import Stack
from fieldbridge.demo.steps import Run, StepFailed

CONNECTOR = "demo"
TICKET = 7002
"""A ticket in New that a dispatcher will move to the trigger status (its company is the account that
Outbound Create's tickets go to)."""
DISPATCHER = "Riley"
TRIGGER_STATUS = "Dispatch to Field"
TECHNICIAN = 3001


@dataclass
class Scene:
    stack: Stack
    run: Run
    trigger_url: str = ""
    catalog: dict[str, Any] = field(default_factory=dict)
    work_order: int = 0
    """The work order the ticket became."""

    def admin(self, method: str, path: str, **kwargs: Any) -> Any:
        """A call to the connector's admin API that must succeed; its JSON answer."""
        answer = self.stack.admin.request(method, f"/v1/admin/connectors/{CONNECTOR}{path}", **kwargs)
        if answer.is_error:
            raise StepFailed(f"{method} {path or '/'} answered {answer.status_code}: {answer.text}")
        return answer.json() if answer.content else None

    def picklist(self, entity: str, field_name: str) -> dict[str, int]:
        """Label -> id of an Autotask picklist, as Refresh Fields found it (ids differ per instance)."""
        fields = self.catalog["autotask"][entity]["fields"]
        found = next(f for f in fields if f["name"].lower() == field_name.lower())
        return {v["label"]: int(v["value"]) for v in found["picklistValues"]}

    def act_in_fieldnation(self, action: str, **body: Any) -> dict[str, Any]:
        """Act in the Field Nation app as the technician or buyer would (not an API call): the answer
        holds the `events` Field Nation fired and the `workorder` after the act."""
        answer = self.stack.fieldnation_sim.post(f"/_sim/workorders/{self.work_order}/{action}", json=body)
        if answer.is_error:
            raise StepFailed(f"the Field Nation app refused '{action}': {answer.text}")
        result: dict[str, Any] = answer.json()
        return result
