"""The Autotask REST v1.0 client: records by id, lazy queries over every page, counts, writes, child
collections, and entity metadata.

    with AutotaskClient(username, secret, default_integration_code=code) as autotask:
        for ticket in autotask.query("Tickets", where(eq("status", 5), include_fields=["id", "title"])):
            ...
        note_id = autotask.create(ChildCollection("Tickets", 7003, "Notes"), {...})

One client per API user, shared by every thread of the process: it is thread-safe, and its zone and metadata
cache are worth sharing. How limits, retries and duplicates are handled: `limits` and `sender`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from itertools import islice
from types import TracebackType
from typing import Any

import httpx

from fieldbridge.autotask.children import ChildCollection
from fieldbridge.autotask.credentials import Credentials
from fieldbridge.autotask.errors import Operation, OutcomeUnknownError, ServerError
from fieldbridge.autotask.limits import Limits, LocalLimits, RequestBudget
from fieldbridge.autotask.metadata import EntityInfo, FieldInfo, MetadataCache, ThresholdInfo, UdfInfo
from fieldbridge.autotask.query import Query
from fieldbridge.autotask.retry import Retry
from fieldbridge.autotask.sender import DEFAULT_DISCOVERY_URL, Call, Sender
from fieldbridge.autotask.values import fields_to_wire

Record = dict[str, Any]
Entity = str | ChildCollection
"""An entity path such as "Tickets", or a child collection such as ChildCollection("Tickets", 7, "Notes")."""

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class AutotaskClient:
    def __init__(
        self,
        username: str,
        secret: str,
        integration_code: str = "",
        *,
        default_integration_code: str = "",
        discovery_url: str = DEFAULT_DISCOVERY_URL,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: Retry | None = None,
        budget: RequestBudget | None = None,
        limits: Limits | None = None,
        metadata_ttl: float = 3600.0,
    ) -> None:
        """`integration_code` blank means `default_integration_code` (the deployment's setting).
        `limits` says where the requests wait their turn: by default in this process, with the API user's
        process-wide share of the tenant's hourly requests, or `budget` instead of that share."""
        credentials = Credentials.resolve(username, secret, integration_code, default_integration_code)
        if limits is None:
            limits = LocalLimits(budget) if budget else LocalLimits.of_user(credentials.username)
        self._sender = Sender(
            credentials,
            discovery_url=discovery_url,
            timeout=timeout,
            retry=retry or Retry(),
            limits=limits,
        )
        self._metadata = MetadataCache(metadata_ttl)

    @property
    def username(self) -> str:
        return self._sender.credentials.username

    @property
    def limits(self) -> Limits:
        return self._sender.limits

    def zone_url(self) -> str:
        """The tenant's API base URL, discovered from the username on first use."""
        return self._sender.zone_url()

    # -- records ------------------------------------------------------------------------------------
    def get(self, entity: Entity, record_id: int) -> Record | None:
        """The record, or None when it does not exist or this user may not see it."""
        answer = self._send(Call("get", _name(entity), "GET", f"V1.0/{_path(entity)}/{record_id}"))
        item = answer.get("item")
        return dict(item) if isinstance(item, dict) else None

    def query(self, entity: str, query: Query) -> Iterator[Record]:
        """Every matching record, in pages fetched as the iteration reaches them."""
        return self._pages(Call("query", entity, "POST", f"V1.0/{entity}/query", query.to_json()))

    def count(self, entity: str, query: Query) -> int:
        answer = self._send(Call("count", entity, "POST", f"V1.0/{entity}/query/count", query.to_json()))
        return int(answer["queryCount"])

    def children(self, collection: ChildCollection) -> Iterator[Record]:
        """Every record of a child collection, e.g. a ticket's notes."""
        return self._pages(Call("list", collection.entity, "GET", f"V1.0/{collection.path}"))

    # -- writes -------------------------------------------------------------------------------------
    def create(self, entity: Entity, fields: Mapping[str, Any], *, find_existing: Query | None = None) -> int:
        """Create a record and return its id.

        A create is never repeated after an attempt that may have been applied (a timeout, a broken
        connection, a 502/504). With `find_existing`, a query that matches the record this create makes (say
        `where(eq("externalID", work_order_id))`), the client looks once and returns the record it finds;
        otherwise `OutcomeUnknownError` says the outcome is unknown (Autotask may still be saving it), and
        the caller looks again later before creating again.
        """
        name = _name(entity)
        lookup = None
        if find_existing is not None:
            probe = dataclasses.replace(find_existing, include_fields=("id",), max_records=2)

            def lookup() -> dict[str, Any] | None:
                found = list(islice(self.query(name, probe), 2))
                if len(found) > 1:
                    raise OutcomeUnknownError(
                        "find_existing matches more than one record, so it cannot tell whether this create "
                        "was applied",
                        operation="create",
                        entity=name,
                    )
                return {"itemId": found[0]["id"]} if found else None

        call = Call(
            "create",
            name,
            "POST",
            f"V1.0/{_path(entity)}",
            fields_to_wire(fields),
            repeatable=False,
            lookup=lookup,
        )
        return int(self._send(call)["itemId"])

    def update(self, entity: Entity, record_id: int, fields: Mapping[str, Any]) -> None:
        """Change only the given fields (PATCH). Nothing is sent when there is nothing to change."""
        self._write("update", "PATCH", entity, record_id, fields)

    def replace(self, entity: Entity, record_id: int, fields: Mapping[str, Any]) -> None:
        """Write the whole record (PUT): writable fields left out become null in Autotask."""
        self._write("replace", "PUT", entity, record_id, fields)

    def delete(self, entity: Entity, record_id: int) -> None:
        """Delete a record. If the outcome of an attempt is unknown, a GET decides whether to repeat it."""

        def lookup() -> dict[str, Any] | None:
            return {"itemId": record_id} if self.get(entity, record_id) is None else None

        self._send(
            Call("delete", _name(entity), "DELETE", f"V1.0/{_path(entity)}/{record_id}", lookup=lookup)
        )

    # -- metadata -----------------------------------------------------------------------------------
    def entity_info(self, entity: str) -> EntityInfo:
        return self._metadata.get(
            "info",
            entity,
            lambda: EntityInfo.from_json(self._describe("entity information", entity, "")["info"]),
        )

    def fields(self, entity: str) -> tuple[FieldInfo, ...]:
        """The entity's fields, picklists included (statuses, priorities, queues, ...)."""
        return self._metadata.get(
            "fields",
            entity,
            lambda: tuple(
                FieldInfo.from_json(f) for f in self._describe("fields", entity, "/fields")["fields"]
            ),
        )

    def user_defined_fields(self, entity: str) -> tuple[UdfInfo, ...]:
        return self._metadata.get(
            "udfs",
            entity,
            lambda: tuple(
                UdfInfo.from_json(f)
                for f in self._describe("user-defined fields", entity, "/userDefinedFields")["fields"]
            ),
        )

    def refresh_metadata(self) -> None:
        """Forget cached metadata, e.g. after UDFs or picklist values were added (guide: Refresh Fields)."""
        self._metadata.clear()

    def threshold(self) -> ThresholdInfo:
        """The tenant's request threshold and how much of it the current hour has used (all integrations)."""
        answer = self._send(Call("threshold information", None, "GET", "V1.0/ThresholdInformation"))
        return ThresholdInfo.from_json(answer)

    # -- plumbing -----------------------------------------------------------------------------------
    def close(self) -> None:
        self._sender.close()

    def __enter__(self) -> AutotaskClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"AutotaskClient(username={self.username!r})"

    def _write(
        self, operation: Operation, method: str, entity: Entity, record_id: int, fields: Mapping[str, Any]
    ) -> None:
        if not fields:
            return
        body = {**fields_to_wire(fields), "id": record_id}
        self._send(Call(operation, _name(entity), method, f"V1.0/{_path(entity)}", body))

    def _describe(self, operation: Operation, entity: str, tail: str) -> dict[str, Any]:
        return self._send(Call(operation, entity, "GET", f"V1.0/{entity}/entityInformation{tail}"))

    def _pages(self, first: Call) -> Iterator[Record]:
        call: Call | None = first
        while call is not None:
            answer = self._send(call)
            yield from answer.get("items") or []
            next_url = (answer.get("pageDetails") or {}).get("nextPageUrl")
            # The next page is asked for the way the first was (a POST query's pages are POSTed again with
            # the same body), relative to the zone, so a tenant that moves zones mid-iteration is followed.
            call = dataclasses.replace(first, path=_zone_relative(next_url, first)) if next_url else None

    def _send(self, call: Call) -> dict[str, Any]:
        answer = self._sender.send(call)
        if not isinstance(answer, dict):
            raise ServerError(
                f"expected a JSON object, got {type(answer).__name__}",
                operation=call.operation,
                entity=call.entity,
            )
        return answer


def _path(entity: Entity) -> str:
    return entity.path if isinstance(entity, ChildCollection) else entity


def _name(entity: Entity) -> str:
    return entity.entity if isinstance(entity, ChildCollection) else entity


def _zone_relative(url: str, call: Call) -> str:
    start = url.lower().find("/v1.0/")
    if start < 0:
        raise ServerError(
            f"nextPageUrl {url!r} is not a V1.0 URL", operation=call.operation, entity=call.entity
        )
    return url[start + 1 :]
