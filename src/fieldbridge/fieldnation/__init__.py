"""Field Nation REST v2 and webhooks v3 client.

`FieldNationClient` is the entry point; `Credentials` what it needs; `verify_signature` checks a webhook
delivery; every error is a `FieldNationError` (see `errors` for the kinds)."""

from fieldbridge.fieldnation.auth import Credentials
from fieldbridge.fieldnation.client import FieldNationClient
from fieldbridge.fieldnation.errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    FieldNationError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
)
from fieldbridge.fieldnation.transport import Retries
from fieldbridge.fieldnation.webhooks import verify_signature

__all__ = [
    "ApiError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "Credentials",
    "FieldNationClient",
    "FieldNationError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "Retries",
    "ServerError",
    "TransportError",
    "verify_signature",
]
