"""The Autotask emulator as an ASGI app: zone discovery, the REST v1.0 surface dispatched from the swagger's
route table, authentication and security levels, limits, ticket webhooks, and its `/_sim/` controls."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from fieldbridge.sandbox.autotask import query as q
from fieldbridge.sandbox.autotask.catalog import Catalog, EntityDef, Route, load, route_path
from fieldbridge.sandbox.autotask.errors import AutotaskError, error_response, invalid
from fieldbridge.sandbox.autotask.limits import (
    HOURLY_THRESHOLD,
    THREAD_LIMIT_MESSAGE,
    THREADS,
    HourlyThreshold,
    ThreadLimiter,
)
from fieldbridge.sandbox.autotask.scale import TenantSize, tenant_of_size
from fieldbridge.sandbox.autotask.security import ApiUser, Operation, authenticate, authorise
from fieldbridge.sandbox.autotask.sim_routes import sim_router
from fieldbridge.sandbox.autotask.tenant import Change, Tenant
from fieldbridge.sandbox.autotask.ticket_webhooks import AUTOTASK_POLICY, TicketWebhooks
from fieldbridge.sandbox.clock import SimClock
from fieldbridge.sandbox.control import Sandbox, control_router, install
from fieldbridge.sandbox.late import is_late_apply

MAX_BODY_BYTES = 12 * 1024 * 1024  # a 6 MB attachment is about 8 MB of base64
MAX_GET_URL = 2048  # Autotask: longer GET URLs fail with 404
# The tenant's API: under its zone (`/webservices2/atservicesrest/...`), and under the discovery host's own
# `/atservicesrest/...` so a client configured with one fixed base URL works too.
_API_PATH = re.compile(r"^(?:/(?P<zone>webservices\d+))?/atservicesrest(?P<rest>/.*)?$", re.IGNORECASE)
_ID = re.compile(r"^\d+$")


@dataclass
class AutotaskEmulator:
    catalog: Catalog
    tenant: Tenant
    sandbox: Sandbox
    webhooks: TicketWebhooks
    threads: ThreadLimiter = field(default_factory=ThreadLimiter)
    threshold: HourlyThreshold = field(default_factory=HourlyThreshold)
    size: TenantSize = field(default_factory=TenantSize)
    base_url: str = "http://127.0.0.1"

    def set_base_url(self, url: str) -> None:
        self.base_url = url.rstrip("/")

    def zone_url(self) -> str:
        return f"{self.base_url}/{self.tenant.zone}/atservicesrest/"

    def announce(self, url: str) -> dict[str, Any]:
        user = next(
            u
            for u in self.tenant.users.values()
            if u.security_level == "Field Nation Integration" and u.active and u.resource_type == "API User"
        )
        return {
            "url": url,
            "username": user.username,
            "secret": user.secret,
            "integration_code": user.integration_code,
        }

    def reseed(self, size: TenantSize | None = None) -> None:
        """Back to the seed: the size the emulator was started with, or `size` until the next reset."""
        self.tenant.restore(tenant_of_size(self.catalog, size or self.size))
        self.threshold.reset()
        self.threshold.threshold = HOURLY_THRESHOLD
        self.threads.limit = THREADS
        self.threads.reset_peaks()
        self.webhooks.reset()


def _json_body(raw: bytes) -> Any:
    if len(raw) > MAX_BODY_BYTES:
        raise AutotaskError(413, f"The request body is larger than {MAX_BODY_BYTES} bytes")
    if not raw.strip():
        raise invalid("The request body is empty; send a JSON object")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise invalid(f"The request body is not valid JSON: {exc}") from None


class Dispatcher:
    """Serves one request against the swagger's route table, as Autotask would."""

    def __init__(self, emulator: AutotaskEmulator) -> None:
        self.em = emulator

    async def __call__(self, request: Request, rest: str) -> Response:
        em = self.em
        path = route_path(rest)
        lowered = path.lower()
        if lowered == "/versioninformation":
            request.state.sim_route = "GET /atservicesrest/versioninformation"
            return JSONResponse({"apiVersions": ["V1.0"]})
        if lowered == "/v1.0/zoneinformation":
            return self._zone_information(request)
        routes, params, template = self._match(path)
        method = request.method.upper()
        if not routes:
            raise AutotaskError(404, f"No HTTP resource was found that matches the request URI '{path}'")
        if method not in {r.method for r in routes}:
            raise AutotaskError(405, f"The requested resource does not support http method '{method}'.")
        if method == "GET" and len(str(request.url)) > MAX_GET_URL:
            raise AutotaskError(404, "The request URL is too long")
        request.state.sim_route = f"{method} {template}"
        user = authenticate(
            em.tenant.users,
            request.headers.get("UserName"),
            request.headers.get("Secret"),
            request.headers.get("ApiIntegrationCode"),
        )
        request.state.sim_user = user.username
        if not em.threshold.admit():
            raise AutotaskError(
                429,
                f"The request threshold of {em.threshold.threshold} requests per hour has been "
                "exceeded for this database",
            )
        actor = self._actor(request, user)
        if template == "/V1.0/ThresholdInformation":
            return JSONResponse(
                {
                    "externalRequestThreshold": em.threshold.threshold,
                    "requestThresholdTimeframe": 60,
                    "currentTimeframeRequestCount": em.threshold.count(),
                }
            )
        body = await request.body() if method in ("POST", "PUT", "PATCH") else b""
        return self._entity_call(request, method, template, params, user, actor, body)

    def _match(self, path: str) -> tuple[list[Route], dict[str, str], str]:
        routes, template = self.em.catalog.match(path)
        if not routes:
            return [], {}, ""
        m = routes[0].pattern.fullmatch(path)
        assert m is not None
        return routes, m.groupdict(), template

    def _zone_information(self, request: Request) -> Response:
        request.state.sim_route = "GET /atservicesrest/v1.0/zoneInformation"
        username = request.query_params.get("user", "")
        if username.lower() not in self.em.tenant.users:
            raise AutotaskError(500, "Zone information could not be determined")
        zone = self.em.tenant.zone
        return JSONResponse(
            {
                "zoneName": f"Sandbox ({zone})",
                "url": self.em.zone_url(),
                "webUrl": f"{self.em.base_url}/{zone}/",
                "ci": int(zone.removeprefix("webservices")),
            }
        )

    def _actor(self, request: Request, user: ApiUser) -> int:
        header = request.headers.get("ImpersonationResourceId")
        if not header:
            return user.resource_id
        resource = self.em.tenant.get("Resources", int(header)) if _ID.match(header) else None
        if resource is None or not resource.get("isActive"):
            raise invalid(f"ImpersonationResourceId {header} is not an active resource")
        return int(resource["id"])

    def _entity_call(
        self,
        request: Request,
        method: str,
        template: str,
        params: dict[str, str],
        user: ApiUser,
        actor: int,
        raw: bytes,
    ) -> Response:
        segments = template.split("/")[2:]  # after "", "V1.0"
        parent_id: int | None = None
        if len(segments) >= 3 and segments[1] == "{parentId}":
            entity = self.em.catalog.child_entity(segments[0], segments[2])
            parent_id = _int_param(params["parentId"], "parentId")
            tail = segments[3:]
        else:
            entity = self.em.catalog.entity(segments[0])
            tail = segments[1:]
        if entity is None:
            raise AutotaskError(404, f"Unknown entity in '{template}'")
        level = self.em.tenant.levels[user.security_level]
        em = self.em

        def allow(operation: Operation) -> None:
            authorise(level, entity.permission, operation, entity.path)

        if tail and tail[0] == "entityInformation":
            return self._entity_information(
                entity, tail[1:], level_access=lambda op: level.access(entity.permission, op)
            )
        if tail[:1] == ["query"]:
            allow("query")
            return self._query(request, method, entity, tail[1:], user, raw)
        if tail == ["{id}"]:
            record_id = _int_param(params["id"], "id")
            if method == "DELETE":
                allow("delete")
                change = em.tenant.delete(entity, record_id, actor, parent_id)
                self._fire(change)
                return JSONResponse({"itemId": record_id})
            allow("query")
            found = em.tenant.get(entity.path, record_id)
            visible = found is not None and em.tenant.sight(entity, user)(found)
            if visible and parent_id is not None and entity.parent_field:
                visible = found is not None and found.get(entity.parent_field) == parent_id
            return JSONResponse({"item": em.tenant.render(entity, found) if visible and found else None})
        if not tail:
            if method == "GET":  # child collection listing
                allow("query")
                assert entity.parent_field is not None
                sees = em.tenant.sight(entity, user)
                children = (
                    r
                    for r in em.tenant.ordered(entity.path)
                    if r.get(entity.parent_field) == parent_id and sees(r)
                )
                items = [em.tenant.render(entity, r) for r in islice(children, q.PAGE_LIMIT)]
                return JSONResponse(
                    {"items": items, "pageDetails": _page_details(len(items), q.PAGE_LIMIT, None, None)}
                )
            body = _json_body(raw)
            if method == "POST":
                allow("create")
                change = em.tenant.create(entity, body, actor, parent_id)
            else:
                allow("update")
                owner_only = level.permission(entity.permission).edit == "Mine"
                change = em.tenant.update(
                    entity, body, actor, replace=method == "PUT", owner_only=owner_only, parent_id=parent_id
                )
            self._fire(change)
            assert change.after is not None
            return JSONResponse({"itemId": change.after["id"]})
        raise AutotaskError(404, f"No HTTP resource was found that matches '{template}'")

    def _fire(self, change: Change) -> None:
        self.em.webhooks.fire(change)

    def _entity_information(
        self, entity: EntityDef, tail: list[str], level_access: Callable[[Operation], str]
    ) -> Response:
        tenant = self.em.tenant
        if not tail:
            return JSONResponse(
                {
                    "info": {
                        "name": entity.singular,
                        "canCreate": "POST" in entity.verbs or self._child_allows(entity, "POST"),
                        "canDelete": "DELETE" in entity.verbs or self._child_allows(entity, "DELETE"),
                        "canQuery": True,
                        "canUpdate": bool({"PATCH", "PUT"} & entity.verbs)
                        or self._child_allows(entity, "PATCH"),
                        "userAccessForCreate": level_access("create"),
                        "userAccessForDelete": level_access("delete"),
                        "userAccessForQuery": level_access("query"),
                        "userAccessForUpdate": level_access("update"),
                        "hasUserDefinedFields": bool(tenant.udfs.get(entity.path)),
                        "supportsWebhookCallouts": entity.path
                        in ("Tickets", "TicketNotes", "Companies", "Contacts"),
                    }
                }
            )
        if tail == ["fields"]:
            fields = []
            for f in entity.fields.values():
                picks = tenant.picklists.get((entity.path, f.name.lower())) if f.picklist else None
                fields.append(
                    {
                        "name": f.name,
                        "dataType": f.data_type,
                        "length": f.length or 0,
                        "isRequired": f.required,
                        "isReadOnly": f.read_only,
                        "isQueryable": True,
                        "isReference": f.reference is not None,
                        "referenceEntityType": f.reference[:-1] if f.reference else "",
                        "isPickList": f.picklist,
                        "picklistValues": [p.as_dict() for p in picks] if picks is not None else None,
                        "picklistParentValueField": f.parent_field or "",
                        "isSupportedWebhookField": entity.path == "Tickets" and not f.read_only,
                    }
                )
            return JSONResponse({"fields": fields})
        udfs = [
            {
                "name": u.name,
                "label": u.label,
                "type": u.type,
                "length": 8000 if u.type == "string" else 0,
                "description": u.description,
                "isRequired": u.required,
                "isReadOnly": False,
                "isQueryable": True,
                "isReference": False,
                "referenceEntityType": "",
                "isPickList": bool(u.picklist),
                "picklistValues": [p.as_dict() for p in u.picklist] if u.picklist else None,
                "picklistParentValueField": "",
                "defaultValue": None,
                "isSupportedWebhookField": entity.path == "Tickets",
            }
            for u in tenant.udfs.get(entity.path, [])
        ]
        return JSONResponse({"fields": udfs})

    def _child_allows(self, entity: EntityDef, method: str) -> bool:
        return any(
            r.method == method
            and r.template.count("{parentId}")
            and self.em.catalog.children.get("/".join(r.template.split("/")[2:5])) == entity.path
            for r in self.em.catalog.routes
        )

    def _query(
        self, request: Request, method: str, entity: EntityDef, tail: list[str], user: ApiUser, raw: bytes
    ) -> Response:
        search = request.query_params.get("search")
        if method == "GET":
            if search is None:
                if tail[-1:] == ["next"]:
                    raise AutotaskError(405, "The requested resource does not support http method 'GET'.")
                raise invalid("A GET query needs the 'search' parameter (the URL-encoded query JSON)")
            try:
                body = json.loads(search)
            except json.JSONDecodeError as exc:
                raise invalid(f"The 'search' parameter is not valid JSON: {exc}") from None
        else:
            body = _json_body(raw)
        parsed = q.parse(entity, body, self.em.tenant.udf_types(entity.path))
        sees, matches = self.em.tenant.sight(entity, user), parsed.predicate
        records = self.em.tenant.ordered(entity.path)
        if tail == ["count"]:
            return JSONResponse({"queryCount": sum(1 for r in records if sees(r) and matches(r))})
        after = before = None
        if tail == ["next"]:
            paging = _paging(request.query_params.get("paging"))
            after, before = paging.get("after"), paging.get("before")
        page = q.page(records, lambda r: sees(r) and matches(r), parsed.max_records, after, before)
        items = [q.project(self.em.tenant.render(entity, r), parsed.include_fields) for r in page.items]
        base = f"{self.em.zone_url()}V1.0/{entity.path}/query/next?paging="
        suffix = f"&search={quote(search)}" if method == "GET" and search is not None else ""
        next_url = prev_url = None
        if page.items and page.has_next:
            next_url = (
                base
                + quote(json.dumps({"pageSize": parsed.max_records, "after": page.items[-1]["id"]}))
                + suffix
            )
        if page.items and page.has_prev:
            prev_url = (
                base
                + quote(json.dumps({"pageSize": parsed.max_records, "before": page.items[0]["id"]}))
                + suffix
            )
        return JSONResponse(
            {"items": items, "pageDetails": _page_details(len(items), parsed.max_records, prev_url, next_url)}
        )


def _page_details(
    count: int, request_count: int, prev_url: str | None, next_url: str | None
) -> dict[str, Any]:
    return {"count": count, "requestCount": request_count, "prevPageUrl": prev_url, "nextPageUrl": next_url}


def _paging(raw: str | None) -> dict[str, int]:
    try:
        data = json.loads(raw or "")
        return {k: int(data[k]) for k in ("after", "before") if k in data}
    except (json.JSONDecodeError, TypeError, ValueError, AttributeError):
        raise invalid(
            "The 'paging' parameter is not valid; use the nextPageUrl exactly as returned"
        ) from None


def _int_param(value: str, name: str) -> int:
    if not _ID.match(value):
        raise invalid(f"The {name} in the URL must be a whole number, not {value!r}")
    return int(value)


def _integration_code(request: Request) -> str:
    return (request.headers.get("ApiIntegrationCode") or "").lower()


def _endpoint(path: str) -> str | None:
    """The endpoint Autotask's thread limit counts per: the entity segment after the version."""
    m = _API_PATH.match(path)
    if not m or not m.group("rest"):
        return None
    parts = [p for p in m.group("rest").split("/") if p]
    if len(parts) < 2 or parts[0].lower() != "v1.0":
        return None
    return parts[1].lower()


def create_app(webhook_speed: float = 1.0, size: TenantSize | None = None) -> FastAPI:
    """`size`: the tenant seeded (the default seed unless it asks for more tickets or companies)."""
    catalog = load()
    size = size or TenantSize()
    tenant = tenant_of_size(catalog, size)
    holder: dict[str, AutotaskEmulator] = {}
    sandbox = Sandbox(
        reseed=lambda: holder["em"].reseed(),
        webhook_policy=AUTOTASK_POLICY,
        clock=SimClock(webhook_speed),
        on_attempt=lambda d, a: holder["em"].webhooks.on_attempt(d, a),
    )
    emulator = AutotaskEmulator(catalog, tenant, sandbox, TicketWebhooks(tenant, sandbox.webhooks), size=size)
    holder["em"] = emulator
    app = FastAPI(
        title="Autotask PSA emulator (FieldBridge sandbox)",
        docs_url="/_sim/docs",
        openapi_url="/_sim/openapi.json",
        redoc_url=None,
    )
    app.state.emulator = emulator
    dispatcher = Dispatcher(emulator)

    def identify(request: Request) -> str:
        return str(getattr(request.state, "sim_user", None) or request.headers.get("UserName") or "-")

    def route_for(request: Request) -> str | None:
        m = _API_PATH.match(request.url.path)
        zone = m.group("zone") if m else None
        if not m or not m.group("rest") or (zone is not None and zone.lower() != emulator.tenant.zone):
            return None  # not this tenant's API: counted under the raw path
        _, template = catalog.match(m.group("rest"))
        return f"{request.method} {template}" if template else None

    install(app, sandbox, error_response, identify, route_for)

    @app.middleware("http")
    async def thread_limit(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        # Outermost, so requests held up by injected latency still count as in flight.
        endpoint = _endpoint(request.url.path)
        if endpoint is None or is_late_apply(request.scope):  # a late apply held its slot when it came in
            return await call_next(request)
        key = (_integration_code(request), endpoint)
        if not emulator.threads.acquire(key):
            sandbox.calls.record(request.method, "429 thread threshold", identify(request))
            return error_response(429, THREAD_LIMIT_MESSAGE)
        try:
            return await call_next(request)
        finally:
            emulator.threads.release(key)

    app.include_router(control_router(sandbox))
    app.include_router(sim_router(emulator))

    @app.api_route(
        "/atservicesrest/{rest:path}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    @app.api_route(
        "/ATServicesRest/{rest:path}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    async def discovery_host(request: Request, rest: str) -> Response:
        # Zone lookups, version information, and the tenant's API for clients with a fixed base URL.
        try:
            return await dispatcher(request, rest)
        except AutotaskError as exc:
            return exc.response()

    @app.api_route(
        "/{zone}/{service}/{rest:path}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    async def zone_api(request: Request, zone: str, service: str, rest: str) -> Response:
        if service.lower() != "atservicesrest" or not zone.lower().startswith("webservices"):
            return error_response(404, "Not found")
        if zone.lower() != emulator.tenant.zone.lower():
            # The tenant lives in another zone (or moved there): Autotask answers 401 from the old one.
            return error_response(401, "Unauthorized: this database is not hosted in this zone")
        try:
            return await dispatcher(request, rest)
        except AutotaskError as exc:
            return exc.response()

    app.router.add_event_handler("shutdown", sandbox.webhooks.close)
    return app
