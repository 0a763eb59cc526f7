"""Connectors: the setup guide's settings for one Autotask tenant paired with one Field Nation company.

Secrets are write-only: they come in as `ConnectorSecrets`, are sealed with the master key, and go out only
as "set / not set" (`ConnectorView.secrets_set`), except in `ConnectorConfig`, which the code that calls
Autotask or Field Nation gets.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, SecretStr
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from fieldbridge.autotask import service_objects
from fieldbridge.store.columns import Fits
from fieldbridge.store.secrets import SecretBox
from fieldbridge.store.tables import Connector, table_of

ServiceObject = service_objects.Name
ExpenseTarget = Literal["", "charge"]

NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def _email(address: str) -> str:
    # The address is not repeated: the answer names its place in the list, and it is all the sender needs.
    if not _EMAIL.match(address):
        raise ValueError("not an email address (name@domain)")
    return address


Email = Annotated[str, AfterValidator(_email)]


class ConnectorOptions(BaseModel):
    """Everything about a connector that is not a secret. Each field that has a column fits it."""

    model_config = ConfigDict(extra="forbid")

    autotask_api_url: Annotated[str, Fits(Connector.autotask_api_url)] = Field(
        "https://webservices.autotask.net", pattern=r"^https?://"
    )
    """Where zone discovery is asked; the zone it answers is used for everything else."""
    autotask_username: Annotated[str, Fits(Connector.autotask_username)] = ""
    service_object: ServiceObject = "ticket"
    outbound_create: bool = False
    outbound_default_status: Annotated[int, Fits(Connector.outbound_default_status)] = 1
    expense_target: ExpenseTarget = ""
    """Blank: ExpenseReport + ExpenseItem. `charge`: TicketCharge."""
    attachment_sync: bool = False
    notification_emails: list[Email] = Field(default_factory=list)
    fieldnation_api_url: Annotated[str, Fits(Connector.fieldnation_api_url)] = Field(
        "https://api.fieldnation.com", pattern=r"^https?://"
    )
    fieldnation_company_id: Annotated[int, Fits(Connector.fieldnation_company_id)] | None = None
    """The buyer company's id: Refresh Fields reads its expense categories."""
    fieldnation_client_id: Annotated[str, Fits(Connector.fieldnation_client_id)] = ""
    fieldnation_username: Annotated[str, Fits(Connector.fieldnation_username)] = ""
    enabled: bool = True
    """False: the connector's events are still received and kept, but each is skipped with the reason
    (replayable), and the reconciler passes the connector by."""


def _blank_is_none(value: object) -> object:
    return None if value == "" else value


Secret = Annotated[SecretStr | None, BeforeValidator(_blank_is_none)]


class ConnectorSecrets(BaseModel):
    """Write-only settings. Blank means "none": the integration code then falls back to the default."""

    model_config = ConfigDict(extra="forbid")

    autotask_secret: Secret = None
    autotask_integration_code: Secret = None
    autotask_webhook_secret: Secret = None
    """Autotask's webhook `secretKey`: with it, webhook payloads must carry a valid X-Hook-Signature."""
    fieldnation_client_secret: Secret = None
    fieldnation_password: Secret = None
    fieldnation_webhook_secret: Secret = None


SECRET_FIELDS: tuple[str, ...] = tuple(ConnectorSecrets.model_fields)


class ConnectorChanges(ConnectorOptions, ConnectorSecrets):
    """A create or update body; on update only the fields present change."""


class NewConnector(ConnectorChanges):
    name: str = Field(pattern=NAME_PATTERN)
    """Lower-case letters, digits and dashes; part of the Field Nation webhook URL, so it never changes."""


class ConnectorView(ConnectorOptions):
    """What anyone may see of a connector."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    id: int
    name: str
    secrets_set: dict[str, bool]
    created_at: datetime
    updated_at: datetime


class ConnectorConfig(ConnectorOptions, ConnectorSecrets):
    """A connector with its secrets decrypted, for the code that talks to Autotask and Field Nation."""

    id: int
    name: str

    def secret_values(self) -> list[str]:
        """Every secret in clear, so error messages can be scrubbed of them before they are stored."""
        values = (getattr(self, field) for field in SECRET_FIELDS)
        return [value.get_secret_value() for value in values if value is not None]


class ConnectorExists(Exception):
    pass


def get(session: Session, name: str) -> Connector | None:
    return session.scalars(select(Connector).where(Connector.name == name)).one_or_none()


def list_all(session: Session) -> list[Connector]:
    return list(session.scalars(select(Connector).order_by(Connector.name)))


def create(session: Session, box: SecretBox, new: NewConnector, now: datetime) -> Connector:
    if get(session, new.name) is not None:
        raise ConnectorExists(f"a connector named {new.name!r} exists already")
    connector = Connector(name=new.name, created_at=now, updated_at=now)
    _apply(connector, box, new, set(ConnectorChanges.model_fields))
    session.add(connector)
    session.flush()
    return connector


def update(
    session: Session, box: SecretBox, connector: Connector, changes: ConnectorChanges, now: datetime
) -> None:
    _apply(connector, box, changes, changes.model_fields_set)
    connector.updated_at = now
    session.flush()


def _apply(connector: Connector, box: SecretBox, changes: ConnectorChanges, fields: set[str]) -> None:
    for field in fields:
        value = getattr(changes, field)
        if field in SECRET_FIELDS:
            setattr(
                connector, f"{field}_encrypted", None if value is None else box.seal(value.get_secret_value())
            )
        else:
            setattr(connector, field, value)


def view(connector: Connector) -> ConnectorView:
    options = {field: getattr(connector, field) for field in ConnectorOptions.model_fields}
    secrets_set = {field: getattr(connector, f"{field}_encrypted") is not None for field in SECRET_FIELDS}
    return ConnectorView(
        id=connector.id,
        name=connector.name,
        secrets_set=secrets_set,
        created_at=connector.created_at,
        updated_at=connector.updated_at,
        **options,
    )


def config(
    connector: Connector, box: SecretBox, default_integration_code: SecretStr | None
) -> ConnectorConfig:
    options = {field: getattr(connector, field) for field in ConnectorOptions.model_fields}
    secrets: dict[str, SecretStr | None] = {}
    for field in SECRET_FIELDS:
        sealed = getattr(connector, f"{field}_encrypted")
        secrets[field] = None if sealed is None else SecretStr(box.open(sealed))
    return assemble_config(connector.id, connector.name, options, secrets, default_integration_code)


class OpenedConfigs:
    """Each connector's `config`, kept while its row and the default integration code it was built with stay
    as they were: a worker builds it for every event, and building it (the row as an object, the settings
    validated, the secrets opened) was a twentieth of a no-op event's CPU. Every change to a connector goes
    through `update`, which stamps `updated_at`, so reading that stamp is enough to know the kept one is
    still right, whichever process made the change."""

    def __init__(self, box: SecretBox) -> None:
        self._box = box
        self._lock = threading.Lock()
        self._kept: dict[int, tuple[datetime, SecretStr | None, ConnectorConfig]] = {}

    def get(
        self, session: Session, connector_id: int, default_integration_code: SecretStr | None
    ) -> ConnectorConfig:
        """Raises `SecretUnreadable` as `config` does (nothing is kept then)."""
        stamp = session.scalar(_UPDATED_AT, {"id": connector_id})
        with self._lock:
            kept = self._kept.get(connector_id)
        if kept is not None and kept[:2] == (stamp, default_integration_code):
            return kept[2]
        row = session.get(Connector, connector_id)
        assert row is not None  # events are deleted with their connector
        opened = config(row, self._box, default_integration_code)
        with self._lock:
            self._kept[connector_id] = (row.updated_at, default_integration_code, opened)
        return opened


_CONNECTORS = table_of(Connector).c
_UPDATED_AT = select(_CONNECTORS.updated_at).where(_CONNECTORS.id == bindparam("id"))


def assemble_config(
    connector_id: int,
    name: str,
    options: dict[str, Any],
    secrets: dict[str, SecretStr | None],
    default_integration_code: SecretStr | None,
) -> ConnectorConfig:
    """A connector's settings and secrets as the code that calls Autotask and Field Nation takes them (also
    for settings not saved yet, which `fieldbridge apply` tests before it saves them)."""
    # The guide: a blank Integration Code means the deployment's default is used.
    code = secrets.get("autotask_integration_code") or default_integration_code
    return ConnectorConfig(
        id=connector_id, name=name, **options, **(secrets | {"autotask_integration_code": code})
    )
