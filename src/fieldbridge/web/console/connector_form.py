"""The wizard's credential forms as connector changes, pure: what was typed becomes a `ConnectorChanges`
(or the problems found, each on its field), with the console's rule for secrets: a secret field left blank
keeps the saved secret, since secrets are never sent back to the browser to be posted again."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from fieldbridge.store.connectors import ConnectorChanges, NewConnector

AUTOTASK_FIELDS = ("autotask_api_url", "autotask_username")
AUTOTASK_SECRETS = ("autotask_secret",)
FIELDNATION_FIELDS = (
    "fieldnation_api_url",
    "fieldnation_company_id",
    "fieldnation_client_id",
    "fieldnation_username",
)
FIELDNATION_SECRETS = ("fieldnation_client_secret", "fieldnation_password")
CODE = "autotask_integration_code"
CODE_SOURCE = "integration_code_source"
"""`default`: the deployment's code (Field Nation's partner code); `custom`: the code typed."""


@dataclass(frozen=True)
class Parsed:
    changes: ConnectorChanges | None
    """None when a value was refused (see `problems`)."""
    values: dict[str, str]
    """What was typed in the fields that are not secret, to show the form again."""
    problems: dict[str, str] = field(default_factory=dict)
    """Field name -> what is wrong with it."""


def typed(form: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    return {name: str(form.get(name, "")).strip() for name in names}


def credentials(
    form: Mapping[str, Any],
    fields: tuple[str, ...],
    secrets: tuple[str, ...],
    secrets_set: Mapping[str, bool],
    *,
    integration_code: bool = False,
    new_name: str | None = None,
) -> Parsed:
    """`fields` and `secrets` of one step; `secrets_set`: which secrets the connector holds already (a blank
    one keeps it). `integration_code`: the step offers the integration code (default or custom).
    `new_name`: the connector is created by this form, under that name."""
    values = typed(form, fields + ((CODE_SOURCE,) if integration_code else ()))
    body: dict[str, Any] = {name: value for name, value in values.items() if name in fields}
    if "fieldnation_company_id" in body and body["fieldnation_company_id"] == "":
        body["fieldnation_company_id"] = None
    problems: dict[str, str] = {}
    for name in secrets:
        secret = str(form.get(name, ""))
        if secret:
            body[name] = secret
        elif not secrets_set.get(name):
            problems[name] = "Enter it: it is not saved yet."
    if CODE_SOURCE in values:
        source, code = values[CODE_SOURCE], str(form.get(CODE, "")).strip()
        if source == "custom" and code:
            body[CODE] = code
        elif source == "custom" and not secrets_set.get(CODE):
            problems[CODE] = "Enter your organisation's integration code, or choose the Field Nation default."
        elif source != "custom":
            body[CODE] = None  # the guide: blank means the default is used
    if new_name is not None:
        values["name"] = new_name
        body["name"] = new_name
    try:
        model = NewConnector if new_name is not None else ConnectorChanges
        changes = model.model_validate(body)
    except ValidationError as error:
        for detail in error.errors():
            where = str(detail["loc"][0]) if detail["loc"] else "form"
            problems.setdefault(where, _said(where, detail["msg"]))
        changes = None
    return Parsed(None if problems else changes, values, problems)


def _said(where: str, message: str) -> str:
    if where == "name":
        return "Use lower-case letters, digits and dashes (it becomes part of the Field Nation webhook URL)."
    if where.endswith("api_url"):
        return "Enter a URL starting with https://."
    return message
