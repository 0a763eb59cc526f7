"""One process of a deployment calling Autotask through the flows' client factory (`sync.clients`), so its
limits are counted where every process of the deployment sees them. Run by test_shared_limits.py:

    python -m tests.integration.autotask.shared_caller SPEC_JSON

SPEC: `discovery_url`, `username`, `secret`, `integration_code`, `database_url`, `limits_url` (blank: the
database), `namespace`, `share`, `threads`, `requests` (GETs of one ticket per thread). The process prints
"ready" once its client is made (zone and ThresholdInformation read), waits for a line on stdin, makes its
requests, and prints one JSON line: how many were answered, refused by the budget, or failed otherwise.
"""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pydantic import SecretStr
from sqlalchemy.orm import sessionmaker

from fieldbridge.autotask import AutotaskError, BudgetExhaustedError
from fieldbridge.settings import SyncSettings
from fieldbridge.store.connectors import ConnectorConfig
from fieldbridge.store.database import Database, create_database_engine
from fieldbridge.sync import clients


def main(spec: dict[str, Any]) -> None:
    config = ConnectorConfig(
        id=1,
        name="shared",
        autotask_api_url=spec["discovery_url"],
        autotask_username=spec["username"],
        autotask_secret=SecretStr(spec["secret"]),
        autotask_integration_code=SecretStr(spec["integration_code"]),
        # Not called: the flows' clients come in pairs.
        fieldnation_api_url="http://127.0.0.1:9",
        fieldnation_client_id="-",
        fieldnation_client_secret=SecretStr("-"),
        fieldnation_username="-",
        fieldnation_password=SecretStr("-"),
    )
    engine = create_database_engine(spec["database_url"])
    db = Database(engine, sessionmaker(engine, expire_on_commit=False))
    sync = SyncSettings(
        client_timeout_seconds=10,
        autotask_share=spec["share"],
        limits_url=spec["limits_url"],
        limits_namespace=spec["namespace"],
    )
    autotask = clients.for_connector(config, sync, db).autotask
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.monotonic()

    def calls(_: int) -> list[str]:
        outcomes = []
        for _ in range(spec["requests"]):
            try:
                autotask.get("Tickets", 7001)
                outcomes.append("answered")
            except BudgetExhaustedError:
                outcomes.append("budget")
            except AutotaskError as error:
                outcomes.append(f"failed: {error.summary}")
        return outcomes

    with ThreadPoolExecutor(spec["threads"]) as pool:
        outcomes = [o for thread in pool.map(calls, range(spec["threads"])) for o in thread]
    summary = {o: outcomes.count(o) for o in set(outcomes)}
    print(json.dumps({"outcomes": summary, "seconds": time.monotonic() - started}), flush=True)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
