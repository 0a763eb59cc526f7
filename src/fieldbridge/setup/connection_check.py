"""The connection test run when a connector's credentials are saved (the setup guide: "there is no separate
Test Connection button"): Autotask zone discovery, Autotask authentication, a Field Nation token. Each step
says what it saw; a failed one gives the guide's likely cause and fix."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from fieldbridge import fieldnation
from fieldbridge.autotask import AutotaskError, Limits, Retry
from fieldbridge.autotask.service_objects import SERVICE_OBJECTS
from fieldbridge.fieldnation.auth import TOKEN_PATH
from fieldbridge.jobs.redaction import redact
from fieldbridge.store.connectors import ConnectorConfig
from fieldbridge.sync.clients import autotask_client, fieldnation_client

ZONE = "Autotask zone discovery"
AUTHENTICATION = "Autotask authentication"
FIELDNATION = "Field Nation token"
# A person is waiting: one try each, so a wrong setting is reported in seconds, not after backoff.
ONCE = Retry(attempts=1)


class Step(BaseModel):
    name: str
    status: Literal["pass", "fail", "skipped"]
    detail: str
    cause: str | None = None
    fix: str | None = None


def check(config: ConnectorConfig, limits: Limits) -> list[Step]:
    """`limits`: Autotask's limits as the deployment counts them (`sync.clients.shared_limits`)."""
    steps = [*_autotask(config, limits), _fieldnation(config)]
    secrets = config.secret_values()
    return [step.model_copy(update={"detail": redact(step.detail, secrets)}) for step in steps]


def _autotask(config: ConnectorConfig, limits: Limits) -> list[Step]:
    after_zone = Step(name=AUTHENTICATION, status="skipped", detail="zone discovery did not succeed")
    try:
        client = autotask_client(config, limits, retry=ONCE)
    except ValueError as missing:
        fix = "Enter the API user's Username (Key) and Password (Secret) (setup guide, Step 3)"
        return [
            Step(name=ZONE, status="fail", detail=str(missing), cause="Credentials are missing", fix=fix),
            after_zone,
        ]
    with client:
        try:
            zone = client.zone_url()
        except AutotaskError as error:
            return [_failed(ZONE, error), after_zone]
        endpoint = SERVICE_OBJECTS[config.service_object].endpoint
        try:
            info = client.entity_info(endpoint)
        except AutotaskError as error:
            return [
                Step(name=ZONE, status="pass", detail=f"the tenant answers at {zone}"),
                _failed(AUTHENTICATION, error),
            ]
    access = info.user_access_for_query or "unknown"
    return [
        Step(name=ZONE, status="pass", detail=f"the tenant answers at {zone}"),
        Step(
            name=AUTHENTICATION,
            status="pass",
            detail=f"signed in as {client.username}; {endpoint} query access: {access}",
        ),
    ]


def _failed(name: str, error: AutotaskError) -> Step:
    if error.cause is None:
        return Step(
            name=name,
            status="fail",
            detail=error.summary,
            cause="Autotask refused the request",
            fix="See the detail",
        )
    return Step(
        name=name, status="fail", detail=error.summary, cause=error.cause.problem, fix=error.cause.fix
    )


# A refused token request (OAuth: 401 for the client, 400 `invalid_grant` for the user), then the other
# error kinds, most specific first: the likely cause and the fix ({url}: the API host).
_TOKEN_REFUSED = {
    401: (
        "Field Nation refused the client id and secret",
        "Copy the API client id and secret from Field Nation again",
    ),
    400: (
        "Field Nation refused the API user's username or password",
        "Enter the API user's current credentials",
    ),
}
_FIELDNATION_CAUSES: tuple[tuple[type[fieldnation.FieldNationError], str, str], ...] = (
    (
        fieldnation.PermissionDeniedError,
        "The Field Nation API user may not read the company's custom fields",
        "Give the API user a Company Admin (or dispatcher) role in Field Nation",
    ),
    (
        fieldnation.TransportError,
        "Field Nation cannot be reached",
        "Allow outbound HTTPS (port 443) to {url}",
    ),
    (fieldnation.FieldNationError, "Field Nation answered with an error", "See the detail"),
)


def _fieldnation(config: ConnectorConfig) -> Step:
    try:
        client = fieldnation_client(config, retries=fieldnation.Retries(attempts=1))
    except ValueError as missing:
        fix = "Enter the client id and secret and the API user's username and password from Field Nation"
        return Step(
            name=FIELDNATION, status="fail", detail=str(missing), cause="Credentials are missing", fix=fix
        )
    try:
        with client:
            categories = client.custom_fields.company()  # needs a token first: that is the step
    except fieldnation.FieldNationError as error:
        if error.path == TOKEN_PATH and error.status in _TOKEN_REFUSED:
            cause, fix = _TOKEN_REFUSED[error.status]
        else:
            cause, fix = next(
                (cause, fix) for kind, cause, fix in _FIELDNATION_CAUSES if isinstance(error, kind)
            )
            fix = fix.format(url=config.fieldnation_api_url)
        return Step(name=FIELDNATION, status="fail", detail=str(error), cause=cause, fix=fix)
    fields = sum(len(category.results) for category in categories)
    return Step(
        name=FIELDNATION, status="pass", detail=f"token issued; {fields} company custom field(s) readable"
    )
