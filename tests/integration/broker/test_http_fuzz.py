"""Schemathesis over the broker's own /openapi.json, signed in as an admin, on SQLite and on PostgreSQL: no
route answers 5xx, whatever it is sent, schema-conforming or not.

Derandomized, and bounded by FIELDBRIDGE_FUZZ_EXAMPLES (examples per operation and generation mode; 8 in
`make test`, about 20 s a database; at 100, add `--timeout 600`). The totals are recorded on the test and
printed at the end of the run (`fuzz totals, <test>: <cases> cases over <operations> operations, <n> 5xx`);
every 5xx is collected and listed as a curl command rather than stopping at the first. Outbound calls (the
connection test, Refresh Fields, provisioning) go to a proxy on a closed loopback port, so whatever URLs
the fuzzer saves, nothing leaves the machine and each such call fails at once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, strategies
from schemathesis import GenerationMode

from fieldbridge.store import client_tokens, connectors
from fieldbridge.web.deps import SESSION_COOKIE
from tests.support.served import ADMIN_PASSWORD, Served
from tests.support.smtp import free_port

EXAMPLES = int(os.environ.get("FIELDBRIDGE_FUZZ_EXAMPLES", "8"))
CONNECTOR = "fuzz-target"
TOKEN = "the fuzz target's client token"
"""Stands in the generated cases for the live token, which a case may rotate; each call puts it in."""
SIGN_OUT = ("DELETE", "/v1/admin/session")
# The connector as each case finds it: no credentials, so no case inherits another's and waits out an
# Autotask client's retries against the closed proxy (a case that saves credentials tests them once).
INITIAL = connectors.ConnectorChanges.model_validate(
    {
        name: info.get_default(call_default_factory=True)
        for name, info in connectors.ConnectorChanges.model_fields.items()
    }
)


@dataclass
class Tally:
    cases: int = 0
    operations: set[str] = field(default_factory=set)
    server_errors: list[str] = field(default_factory=list)

    def count(self, case: schemathesis.Case, response: schemathesis.Response, base_url: str) -> None:
        self.cases += 1
        self.operations.add(case.operation.label)
        if response.status_code >= 500:
            curl = case.as_curl_command(base_url=base_url)
            self.server_errors.append(f"{response.status_code} from {curl}\n{response.text[:300]}")


@pytest.fixture
def outbound_blocked(monkeypatch: pytest.MonkeyPatch) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, closed)
        monkeypatch.setenv(name.lower(), closed)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


def session_cookie(served: Served) -> str:
    username = served.add_admin()
    response = served.http.post("/v1/admin/session", json={"username": username, "password": ADMIN_PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.cookies[SESSION_COOKIE])


@dataclass
class Target:
    """The connector half the cases name, put back as it was before each case (a case may delete it,
    save credentials in it, or rotate its trigger URL)."""

    served: Served
    token: str = ""

    def reset(self) -> None:
        broker = self.served.broker
        with broker.db.transaction() as session:
            target = connectors.get(session, CONNECTOR)
            if target is None:
                new = connectors.NewConnector.model_validate({**INITIAL.model_dump(), "name": CONNECTOR})
                target = connectors.create(session, broker.box, new, datetime.now(UTC))
            else:
                connectors.update(session, broker.box, target, INITIAL, datetime.now(UTC))
            if client_tokens.connector_for(session, self.token) is None:
                self.token = client_tokens.rotate(session, target, datetime.now(UTC))


def can_be_invalid(operation: schemathesis.APIOperation) -> bool:
    """Whether a negative case exists: any string is a valid connector name, so an operation with only
    string parameters and no body has none (and Hypothesis would search a while to say so)."""
    schemas = [p.definition.get("schema", {}) for p in [*operation.path_parameters, *operation.query]]
    free_text = [{"type": "string"}, {"anyOf": [{"type": "string"}, {"type": "null"}]}]
    return bool(operation.body) or any(
        {k: v for k, v in schema.items() if k != "title"} not in free_text for schema in schemas
    )


@pytest.mark.long
def test_no_route_answers_5xx(
    served_on_each_database: Served, outbound_blocked: None, record_property: pytest.RecordProperty
) -> None:
    served = served_on_each_database
    target = Target(served)
    target.reset()
    cookie = {"Cookie": f"{SESSION_COOKIE}={session_cookie(served)}"}
    schema = schemathesis.openapi.from_dict(served.http.get("/openapi.json").json())
    http = requests.Session()
    http.trust_env = False  # the broker is reached directly; only its own outbound calls meet the proxy
    tally = Tally()

    def fuzz(operation: schemathesis.APIOperation, mode: GenerationMode) -> None:
        signed_in = (operation.method.upper(), operation.path) != SIGN_OUT  # signing out would end it
        names = {p.name for p in operation.path_parameters} & {"name", "connector_name"}
        tokens = {p.name for p in operation.query} & {"client_token"}
        # Half the cases name the connector that exists (and carry its token), so they get past the
        # lookup to the work.
        cases = strategies.one_of(
            operation.as_strategy(generation_mode=mode),
            operation.as_strategy(
                generation_mode=mode,
                path_parameters=dict.fromkeys(names, CONNECTOR),
                query=dict.fromkeys(tokens, TOKEN),
            ),
        )

        @hypothesis.settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(cases)
        def call(case: schemathesis.Case) -> None:
            target.reset()
            if case.query and case.query.get("client_token") == TOKEN:
                case.query["client_token"] = target.token
            response = case.call(base_url=served.url, session=http, headers=cookie if signed_in else None)
            tally.count(case, response, served.url)

        call()

    for result in schema.get_all_operations():
        operation = result.ok()
        fuzz(operation, GenerationMode.POSITIVE)
        if can_be_invalid(operation):
            fuzz(operation, GenerationMode.NEGATIVE)
    errors = len(tally.server_errors)
    record_property(
        "fuzz_totals", f"{tally.cases} cases over {len(tally.operations)} operations, {errors} 5xx"
    )
    assert len(tally.operations) >= 25
    assert not tally.server_errors, "\n\n".join(tally.server_errors)
