"""`fieldbridge apply`: make a saved connector what its document says, in the setup guide's order and with
the admin API's rules (`setup.rules`).

Everything is read and checked before anything is written: the plan, the connection test (when the
credentials are new or change), Refresh Fields (then, or when there is no catalog yet), the mapping set
against that catalog. Then one transaction writes the connector, the catalog, the sync options and the
mapping set, or nothing. A dry run stops before that transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import SecretStr

from fieldbridge.autotask import Limits, LocalLimits
from fieldbridge.mapping import MappingSet, Problem
from fieldbridge.mapping.config import to_data
from fieldbridge.settings import Settings
from fieldbridge.setup import connection_check, document, rules
from fieldbridge.setup.connection_check import Step
from fieldbridge.setup.document import Desired, DocumentError
from fieldbridge.setup.plan import Current, Plan, plan
from fieldbridge.setup.refresh_fields import Fetched, fetch
from fieldbridge.setup.rules import Validation
from fieldbridge.store import connectors, field_catalog, mapping_sets
from fieldbridge.store.connectors import (
    SECRET_FIELDS,
    ConnectorChanges,
    ConnectorConfig,
    ConnectorOptions,
    NewConnector,
)
from fieldbridge.store.database import Database
from fieldbridge.store.secrets import SecretBox
from fieldbridge.sync import options
from fieldbridge.sync.clients import shared_limits


@dataclass(frozen=True)
class Prepared:
    """A plan with everything checked: what `commit` writes, and why it may not."""

    plan: Plan
    connection_test: list[Step] | None
    """Run when the plan saves credentials."""
    fetched: Fetched | None
    """Refresh Fields' result, stored with the plan."""
    validation: Validation | None
    """The document's mapping set judged for the connector it describes."""

    @property
    def ok(self) -> bool:
        passed = self.connection_test is None or rules.connection_passed(self.connection_test)
        return passed and (self.validation is None or self.validation.ok)


def current(db: Database, box: SecretBox, name: str) -> tuple[Current | None, dict[str, Any] | None]:
    """The saved connector as `plan` compares it, and its field catalog; (None, None) when there is none."""
    with db.transaction() as session:
        row = connectors.get(session, name)
        if row is None:
            return None, None
        stored = connectors.config(row, box, None)
        saved = mapping_sets.latest(session, row.id)
        state = Current(
            id=row.id,
            options=connectors.view(row).model_dump(mode="json", include=set(ConnectorOptions.model_fields)),
            secrets={field: _plain(getattr(stored, field)) for field in SECRET_FIELDS},
            sync_options=options.load(session, row.id),
            mappings=rules.mappings_in_force(session, row.id),
            mappings_version=None if saved is None else saved.version,
        )
        return state, field_catalog.catalog(session, row.id)


def prepare(
    settings: Settings,
    db: Database | None,
    desired: Desired,
    state: Current | None,
    catalog: dict[str, Any] | None,
) -> Prepared:
    """Check the plan from `state` to `desired`; reads only (Autotask and Field Nation when the credentials
    are tested or the fields read). `db`: the deployment's store, None on a dry run before there is one."""
    changes = plan(desired, state)
    if changes.empty:
        return Prepared(changes, None, None, None)
    config = _config(desired, state, settings.default_integration_code)
    limits: Limits = (
        shared_limits(config, settings.sync, db)
        if db is not None
        else LocalLimits.of_user(config.autotask_username)  # no store: no worker of this deployment runs
    )
    tested = None
    if changes.tests_connection:
        tested = connection_check.check(config, limits)
        if not rules.connection_passed(tested):
            return Prepared(changes, tested, None, None)
    fetched = None
    if tested is not None or catalog is None:
        fetched = fetch(config, limits)
        catalog = fetched.catalog()
    validation = rules.validate_mappings(
        desired.mappings,
        catalog,
        service_object=desired.settings.service_object,
        outbound_create=desired.settings.outbound_create,
    )
    return Prepared(changes, tested, fetched, validation)


def commit(
    db: Database, box: SecretBox, desired: Desired, prepared: Prepared, by: str, now: datetime
) -> None:
    """Write a prepared plan in one transaction (the caller has checked `prepared.ok`)."""
    changes = prepared.plan
    with db.transaction() as session:
        if changes.create:
            row = connectors.create(session, box, desired.settings, now)
        else:
            found = connectors.get(session, desired.name)
            assert found is not None
            row = found
            if changes.connector:
                connectors.update(session, box, row, ConnectorChanges.model_validate(changes.connector), now)
        if prepared.fetched is not None:
            prepared.fetched.save(session, row.id, now)
        if changes.sync_options is not None:
            options.save(session, row.id, changes.sync_options)
        if changes.mappings is not None:
            mapping_sets.save(session, row.id, to_data(changes.mappings), by, now)


def changed(state: Current, name: str, values: dict[str, Any], secret_sources: dict[str, str]) -> Desired:
    """A saved connector with some settings changed (`fieldbridge connectors update`): the rest as they are,
    its sync options and mappings too. Raises DocumentError for a value the setting does not take."""
    problems: list[Problem] = []
    kept = {field: value for field, value in state.secrets.items() if value is not None}
    settings = document.checked(
        lambda: NewConnector.model_validate({**state.options, **kept, **values, "name": name}),
        "connector",
        problems,
    )
    if settings is None:
        raise DocumentError(problems)
    return Desired(name, settings, secret_sources, state.sync_options, state.mappings)


def exported(db: Database, name: str) -> dict[str, Any] | None:
    """The connector as a document (`fieldbridge export`); None when there is none."""
    with db.transaction() as session:
        row = connectors.get(session, name)
        if row is None:
            return None
        saved = mapping_sets.latest(session, row.id)
        mappings = None if saved is None else MappingSet.model_validate(saved.body)
        return document.export(connectors.view(row), options.load(session, row.id), mappings)


def _config(desired: Desired, state: Current | None, default_code: SecretStr | None) -> ConnectorConfig:
    """The settings the document asks for, with the stored webhook secrets it leaves to provisioning."""
    secrets = {
        field: getattr(desired.settings, field)
        if desired.owns(field)
        else _secret(state.secrets[field] if state else None)
        for field in SECRET_FIELDS
    }
    settings = desired.settings.model_dump(include=set(ConnectorOptions.model_fields))
    return connectors.assemble_config(state.id if state else 0, desired.name, settings, secrets, default_code)


def _plain(value: SecretStr | None) -> str | None:
    return None if value is None else value.get_secret_value()


def _secret(value: str | None) -> SecretStr | None:
    return None if value is None else SecretStr(value)
