"""An API user's credentials and the headers Autotask authenticates with; never shown in a repr or a log."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import SecretStr


@dataclass(frozen=True)
class Credentials:
    username: str
    secret: SecretStr = field(repr=False)
    integration_code: SecretStr = field(repr=False)
    """Already resolved: a connector's blank code has become the deployment's default."""

    @classmethod
    def resolve(cls, username: str, secret: str, integration_code: str, default_code: str) -> Credentials:
        """A blank integration code means the deployment's default code (the Field Nation partner code)."""
        code = integration_code.strip() or default_code.strip()
        if not username.strip() or not secret:
            raise ValueError("Autotask needs the API user's username and secret")
        if not code:
            raise ValueError(
                "no Autotask integration code: the connector's is blank and the deployment has no default"
            )
        return cls(username.strip(), SecretStr(secret), SecretStr(code))

    def headers(self) -> dict[str, str]:
        return {
            "UserName": self.username,
            "Secret": self.secret.get_secret_value(),
            "ApiIntegrationCode": self.integration_code.get_secret_value(),
        }
