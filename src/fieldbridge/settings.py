"""Deployment settings: environment variables `FIELDBRIDGE_*`, then an optional YAML file, then defaults.

Nested groups use a double underscore (`FIELDBRIDGE_SMTP__HOST`, `FIELDBRIDGE_RETRY__ATTEMPTS`). The file
named by `FIELDBRIDGE_CONFIG_FILE` holds the same keys in lower case (`smtp: {host: ...}`); the environment
wins.
Lists given in the environment are comma-separated (`FIELDBRIDGE_SMTP__TO=a@x.com,b@x.com`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

CONFIG_FILE_ENV = "FIELDBRIDGE_CONFIG_FILE"


def _comma_list(value: Any) -> Any:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


CommaList = Annotated[list[str], NoDecode]


class SmtpSettings(BaseModel):
    host: str = ""
    """Blank: no email is sent (the pair's history says so instead)."""
    port: int = 25
    username: str = ""
    password: SecretStr | None = None
    sender: str = "fieldbridge@localhost"
    starttls: bool = False
    ssl: bool = False
    timeout_seconds: float = 10.0
    to: CommaList = Field(default_factory=list)
    """Addresses told about every connector, besides each connector's own notification addresses."""
    rate_limit_seconds: float = 900.0
    """At most one email per connector and kind of alert in this window; the next counts those held back."""

    _split_to = field_validator("to", mode="before")(_comma_list)


class RetrySettings(BaseModel):
    attempts: int = Field(8, ge=1)
    """Attempts in all (the first included) before an event goes to dead letters."""
    base_delay_seconds: float = Field(10.0, gt=0)
    max_delay_seconds: float = Field(3600.0, gt=0)


class SyncSettings(BaseModel):
    """How the sync flows wait on Autotask and Field Nation (the defaults suit the real services)."""

    client_timeout_seconds: float = Field(30.0, gt=0)
    """How long a call to either service may take before it counts as lost."""
    create_settle_seconds: float = Field(120.0, gt=0)
    """After a create whose outcome is unknown, how long the record may still appear: until then it is looked
    for, never sent again."""
    autotask_share: float = Field(0.5, gt=0, le=1)
    """The share of the tenant's hourly request threshold (Autotask's ThresholdInformation) that every process
    of this deployment uses between them; the rest is left to the tenant's other integrations."""
    limits_url: str = ""
    """Where the processes count Autotask's limits together: a Redis URL, or blank for the database. Set to
    the queue URL when the queue is Redis."""
    limits_namespace: str = ""
    """The prefix of the Redis keys the limits are counted under: the deployment's queue name unless set, so
    deployments sharing a Redis count apart."""
    reconcile_checks_per_hour: int = Field(60, ge=0)
    """Open pairs whose work order the reconciler reads in turn each hour, per connector (two Field Nation
    calls each), besides those whose webhook delivery failed: a safety net whose cost does not grow with the
    number of pairs."""


class RetentionSettings(BaseModel):
    """How long finished events and history lines are kept: the sweeper deletes what is older (0: kept for
    good)."""

    events_days: float = Field(30.0, ge=0)
    """Events done or skipped longer ago than this are deleted, with their history lines. Dead events stay,
    with their dead letters, until they are replayed; waiting and running ones are never touched."""
    history_days: float = Field(90.0, ge=0)
    """History lines older than this are deleted, whatever they belong to (a kept event, the connector)."""
    prune_every_seconds: float = Field(3600.0, gt=0)
    """How often each consuming process prunes."""


class SignInSettings(BaseModel):
    user_failures: int = Field(5, ge=1)
    """Failed sign-ins with one username within `window_seconds` that lock that username (known or not)."""
    address_failures: int = Field(20, ge=1)
    """Failed sign-ins from one client address within `window_seconds` that lock that address."""
    window_seconds: float = Field(900.0, gt=0)
    """Failures older than this, counted from the first of a series, are forgotten."""
    lockout_seconds: float = Field(900.0, gt=0)
    """How long a lockout lasts, unless an admin lifts it first (`fieldbridge admin unlock`)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FIELDBRIDGE_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Path("data")
    """Relative to the directory the process starts in; held (and shown) absolute."""
    database_url: str = ""
    """Blank: a SQLite file `fieldbridge.db` in the data directory (WAL). PostgreSQL: `postgresql+psycopg://...`."""
    queue_url: str = ""
    """Blank: an embedded SQLite queue `queue.db` in the data directory, consumed inside `fieldbridge serve`.
    `redis://host:port/db`: a shared queue consumed by any number of `fieldbridge worker` processes."""
    queue_name: str = "fieldbridge"
    master_key: SecretStr | None = None
    """Fernet key for secrets at rest, given in the environment (or the config file)."""
    master_key_file: Path | None = None
    """A file holding the master key, kept wherever the operator likes (outside the data directory, on a
    secrets mount). Neither this nor `master_key`: read from (or generated into) `master.key` in data_dir."""
    public_base_url: str = "http://127.0.0.1:8000"
    """How Autotask and Field Nation reach this service; trigger URLs are built from it."""
    default_integration_code: SecretStr | None = None
    """Autotask ApiIntegrationCode used by every connector whose own integration code is blank."""
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    retry: RetrySettings = Field(default_factory=RetrySettings)
    sync: SyncSettings = Field(default_factory=SyncSettings)
    sign_in: SignInSettings = Field(default_factory=SignInSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)

    log_level: Literal["DEBUG", "INFO", "WARNING"] = "INFO"
    """What `serve` and `worker` log: DEBUG adds an access line per HTTP request `serve` answers."""

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_in_any_case(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    worker_threads: int = Field(4, ge=1)
    lease_seconds: float = Field(10.0, gt=0)
    """How long a worker owns a pair and its event without renewing (it renews every third of this); a
    crashed worker's pair and event free then. A queue message a consumer took is hidden twice as long."""
    sweep_interval_seconds: float = Field(5.0, gt=0)
    enqueue_grace_seconds: float = Field(10.0, ge=0)
    """A stored event not enqueued (or a retry not picked up) this long after it was due is enqueued again."""
    requeue_after_seconds: float = Field(900.0, gt=0)
    """A queued event still waiting after this long is enqueued again, in case its queue message was lost
    (the queue's own data lost: a Redis without persistence restarted). A consumer's crash loses none."""
    inbound_max_bytes: int = Field(256 * 1024, gt=0)
    """The largest body the trigger URL and the Field Nation webhook receiver take."""
    admin_max_bytes: int = Field(1024 * 1024, gt=0)
    """The largest body the admin API takes (mapping sets and preview records are the large ones)."""
    fieldnation_timestamp_tolerance_seconds: float = Field(300.0, gt=0)
    """How far a Field Nation delivery's `X-FN-Request-Timestamp` may be from this server's clock, either way.
    Field Nation stamps every attempt anew, so retries need no room here: only clock skew and transit do."""
    session_hours: float = Field(12.0, gt=0)
    handler_modules: CommaList = Field(default_factory=lambda: ["fieldbridge.sync.handlers"])
    """Modules whose `register(registry)` adds event handlers: the sync flows by default; tests of the
    broker machinery name their own."""

    _split_handlers = field_validator("handler_modules", mode="before")(_comma_list)

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        # Resolved once, where the process starts: every message then names the directory it really uses.
        return value.absolute()

    @field_validator("public_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _one_master_key(self) -> Settings:
        if self.master_key is not None and self.master_key_file is not None:
            raise ValueError(
                "FIELDBRIDGE_MASTER_KEY and FIELDBRIDGE_MASTER_KEY_FILE are both set: keep the one that "
                "holds the key the stored secrets were saved with, and unset the other"
            )
        return self

    @model_validator(mode="after")
    def _default_urls(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'fieldbridge.db').resolve()}"
        if not self.queue_url:
            self.queue_url = f"sqlite:///{(self.data_dir / 'queue.db').resolve()}"
        if not self.sync.limits_url and self.queue_url.startswith(("redis:", "rediss:")):
            self.sync.limits_url = self.queue_url
        self.sync.limits_namespace = self.sync.limits_namespace or self.queue_name
        return self

    @property
    def embedded_queue(self) -> bool:
        """True when the queue lives in a local SQLite file and `fieldbridge serve` consumes it itself."""
        return self.queue_url.startswith("sqlite:")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config_file = os.environ.get(CONFIG_FILE_ENV)
        if not config_file:
            return (init_settings, env_settings)
        if not Path(config_file).is_file():
            raise FileNotFoundError(f"{CONFIG_FILE_ENV} names {config_file}, which is not a file")
        return (init_settings, env_settings, YamlConfigSettingsSource(settings_cls, yaml_file=config_file))
