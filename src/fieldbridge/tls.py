"""The one TLS context a process's outgoing HTTPS clients share.

httpx builds a context for every client it makes, and building one loads the CA bundle: about 20 ms of
CPU. The flows make their clients per event, so that cost was paid on every event; here it is paid once.
httpx's own builder makes it, so SSL_CERT_FILE and SSL_CERT_DIR are honoured as before, and an SSLContext is
safe to share between clients and threads.
"""

from __future__ import annotations

import ssl
from functools import cache

import httpx


@cache
def client_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()
