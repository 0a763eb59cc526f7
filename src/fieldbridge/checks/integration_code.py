"""The integration code, told one way everywhere the check speaks of it. Three cases, three fixes:

- an entered code Autotask refuses: it is not the code of the API user's tracking identifier;
- a blank code: the deployment's default (FIELDBRIDGE_DEFAULT_INTEGRATION_CODE, the Field Nation partner code)
  was sent, and the user's tracking identifier is not Field Nation's;
- a blank code and no default in this deployment: nothing can be sent, so nothing is asked.
"""

from __future__ import annotations

from typing import Literal

from fieldbridge.autotask import Cause
from fieldbridge.checks.facts import Failure

CodeSource = Literal["entered", "default", "none"]
"""Where the code sent comes from: entered (the connector's, or `--integration-code`), the deployment's
default because none was entered, or neither."""

FIELD_NATION_VENDOR = (
    "set the API user's tracking identifier to Integration Vendor 'Field Nation - Pre-packed integration "
    "with Autotask' (setup guide, Step 4)"
)
DEFAULT = "the deployment's default (FIELDBRIDGE_DEFAULT_INTEGRATION_CODE, the Field Nation partner code)"

NO_CODE = Cause(
    "integration_code",
    f"The integration code is blank and this deployment has no default: {DEFAULT} is not set",
    "Set FIELDBRIDGE_DEFAULT_INTEGRATION_CODE to the Field Nation partner code, or enter the API user's own "
    "integration code (the connector's Integration Code, or `--integration-code`)",
)


def source(entered: str | None, default: str | None) -> CodeSource:
    if entered and entered.strip():
        return "entered"
    return "default" if default and default.strip() else "none"


def no_code() -> Failure:
    """Nothing was asked: the client cannot be made without a code."""
    return Failure("no integration code to send", NO_CODE, asked=False)


def mismatch_fix(code: CodeSource) -> str:
    """The fix when Autotask refuses the code sent."""
    if code == "entered":
        return (
            "The code entered is not the one of the API user's tracking identifier: enter that code, or "
            f"leave it blank to send {DEFAULT} and {FIELD_NATION_VENDOR}"
        )
    return (
        f"The code is blank, so {DEFAULT} was sent and the API user's tracking identifier is not Field "
        f"Nation's: {FIELD_NATION_VENDOR}, or enter the code of its own tracking identifier"
    )
