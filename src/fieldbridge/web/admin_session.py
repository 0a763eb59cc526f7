"""Signing in and out (session cookie), and the signed-in admin's API tokens."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from fieldbridge.store import admins
from fieldbridge.store.columns import Fits
from fieldbridge.store.sign_in_throttle import Lockout
from fieldbridge.store.tables import AdminUser, ApiToken
from fieldbridge.web.deps import SESSION_COOKIE, AdminDep, Broker, BrokerDep, utcnow
from fieldbridge.web.strict_json import StrictJsonRoute

router = APIRouter(prefix="/v1/admin", tags=["admin"], route_class=StrictJsonRoute)


class Credentials(BaseModel):
    username: str
    password: SecretStr


class Me(BaseModel):
    username: str


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class IssuedTokenOut(TokenOut):
    token: str
    """Shown this once; only its hash is kept."""


class NewToken(BaseModel):
    name: Annotated[str, Fits(ApiToken.name)] = Field(min_length=1)


@router.post("/session", responses={401: {}, 429: {}})
def sign_in(credentials: Credentials, request: Request, response: Response, broker: BrokerDep) -> Me:
    """Failed attempts are counted per username and per client address; too many lock them for a while."""
    outcome = open_session(broker, request, credentials.username, credentials.password.get_secret_value())
    if isinstance(outcome, Lockout):
        raise HTTPException(429, lockout_message(outcome), headers={"Retry-After": str(retry_after(outcome))})
    if outcome is None:
        raise HTTPException(401, WRONG_CREDENTIALS)
    user, cookie = outcome
    set_session_cookie(response, broker, cookie)
    return Me(username=user.username)


WRONG_CREDENTIALS = "Wrong username or password."


def open_session(
    broker: Broker, request: Request, username: str, password: str
) -> tuple[AdminUser, str] | Lockout | None:
    """The admin and a new session cookie; or the lockout that stops (or that this failure starts); or None
    for a wrong name or password. The API and the console sign in through this one door."""
    now = utcnow()
    address = request.client.host if request.client else None
    with broker.db.transaction() as session:
        outcome = admins.sign_in(session, username, password, address, now, broker.settings.sign_in)
        if isinstance(outcome, AdminUser):
            return outcome, admins.start_session(session, outcome, now, _lifetime(broker))
    # Returned once the transaction is over, so the failure it counted is kept.
    return outcome


def _lifetime(broker: Broker) -> timedelta:
    return timedelta(hours=broker.settings.session_hours)


def set_session_cookie(response: Response, broker: Broker, cookie: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=int(_lifetime(broker).total_seconds()),
        httponly=True,
        samesite="strict",
        secure=behind_tls(broker),
    )


def behind_tls(broker: Broker) -> bool:
    """Cookies are `Secure` when the public URL is https (a proxy in front terminates TLS)."""
    return broker.settings.public_base_url.startswith("https://")


def end_session(request: Request, response: Response, broker: Broker) -> None:
    with broker.db.transaction() as session:
        admins.end_session(session, request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(SESSION_COOKIE)


def retry_after(lockout: Lockout) -> int:
    return max(1, math.ceil((lockout.until - utcnow()).total_seconds()))


def lockout_message(lockout: Lockout) -> str:
    seconds = retry_after(lockout)
    whose, command = {
        "username": ("for this username", "fieldbridge admin unlock <username>"),
        "address": ("from this address", "fieldbridge admin unlock --address <address>"),
    }[lockout.kind]
    return (
        f"Too many failed sign-ins {whose}. Try again in {math.ceil(seconds / 60)} minute(s), at "
        f"{lockout.until:%H:%M:%S} UTC, or ask an administrator to run `{command}`."
    )


@router.delete("/session", status_code=204)
def sign_out(request: Request, response: Response, broker: BrokerDep) -> None:
    end_session(request, response, broker)


@router.get("/me")
def who_am_i(user: AdminDep) -> Me:
    return Me(username=user.username)


@router.get("/tokens")
def list_tokens(user: AdminDep, broker: BrokerDep) -> list[TokenOut]:
    with broker.db.transaction() as session:
        return [TokenOut.model_validate(row) for row in admins.api_tokens(session, user)]


@router.post("/tokens", status_code=201)
def create_token(body: NewToken, user: AdminDep, broker: BrokerDep) -> IssuedTokenOut:
    with broker.db.transaction() as session:
        row, token = admins.issue_api_token(session, user, body.name, utcnow())
        return IssuedTokenOut(**TokenOut.model_validate(row).model_dump(), token=token)


@router.delete("/tokens/{token_id}", status_code=204, responses={404: {}})
def revoke_token(
    token_id: Annotated[int, Fits(ApiToken.id, minimum=1)], user: AdminDep, broker: BrokerDep
) -> None:
    with broker.db.transaction() as session:
        if not admins.revoke_api_token(session, user, token_id, utcnow()):
            raise HTTPException(404, f"You have no live API token {token_id}.")
