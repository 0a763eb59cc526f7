"""`fieldbridge check`, `fieldbridge webhooks provision` and `fieldbridge reference`.

Secrets never come as flags (they would show in the process list and shell history): the Autotask secret
of `check --username` comes from FIELDBRIDGE_AUTOTASK_SECRET, a trigger URL to keep from
FIELDBRIDGE_TRIGGER_URL. Nothing printed holds a secret. Modules load inside the commands so that
`fieldbridge --help` stays fast.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from fieldbridge.checks.findings import Finding
from fieldbridge.checks.permissions import REQUIRED
from fieldbridge.settings import Settings
from fieldbridge.terminal import CliError, console

if TYPE_CHECKING:
    from fieldbridge.checks.context import ConnectorContext
    from fieldbridge.checks.findings import Report

SECRET_ENV = "FIELDBRIDGE_AUTOTASK_SECRET"  # noqa: S105 - the variable's name, not a secret
TRIGGER_URL_ENV = "FIELDBRIDGE_TRIGGER_URL"
USAGE = 2
"""Exit code for a command that could not run at all (1 is kept for "a check failed")."""

webhooks_app = typer.Typer(no_args_is_help=True, help="The connector's Autotask and Field Nation webhooks.")


_STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red", "skip": "dim"}


def check(
    connector: str = typer.Option("", help="Check a saved connector: credentials, settings and webhooks."),
    username: str = typer.Option("", help=f"Check an API user alone (the secret from {SECRET_ENV})."),
    integration_code: str = typer.Option(
        "",
        envvar="FIELDBRIDGE_AUTOTASK_INTEGRATION_CODE",
        help="With --username; blank: the deployment's default (the Field Nation partner code).",
    ),
    discovery_url: str = typer.Option(
        "",
        envvar="FIELDBRIDGE_AUTOTASK_DISCOVERY_URL",
        help="With --username; blank: webservices.autotask.net.",
    ),
    expense_target: str = typer.Option("", help="With --username: '' (Expense module) or 'charge'."),
    attachment_sync: bool = typer.Option(False, help="With --username: audit the attachment permissions."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Check the set-up against the setup guide: pass / warn / fail with what was seen and the fix.
    Exits 0 only when nothing fails. Makes no change anywhere."""
    from fieldbridge.autotask import DEFAULT_DISCOVERY_URL
    from fieldbridge.checks import runner

    if bool(connector) == bool(username):
        _usage("Give either --connector NAME or --username U (with the secret in the environment).")
    settings = Settings()
    if connector:
        report = runner.check_connector(_context(settings, connector))
    else:
        secret = os.environ.get(SECRET_ENV, "")
        if not secret:
            _usage(f"Set {SECRET_ENV} to the API user's secret (it is never taken as a flag).")
        if expense_target not in ("", "charge"):
            _usage("--expense-target is '' (the Expense module) or 'charge'.")
        default = settings.default_integration_code
        report = runner.check_credentials(
            username,
            secret,
            integration_code,
            default_integration_code=default.get_secret_value() if default else "",
            discovery_url=discovery_url or DEFAULT_DISCOVERY_URL,
            expense_target=expense_target,
            attachment_sync=attachment_sync,
        )
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        print_report(report)
    raise typer.Exit(0 if report.ok else 1)


@webhooks_app.command("provision")
def provision(
    connector: str = typer.Option(..., help="The connector whose webhooks to create or update."),
    rotate: bool = typer.Option(
        False, "--rotate", help="Issue a new trigger URL; the current one stops working."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON."),
) -> None:
    """Create or update the Autotask ticket webhook and the Field Nation webhook; safe to run again.

    The Autotask webhook posts to the trigger URL, kept as it is: a connector without one gets its first
    (printed once). Only its hash is stored, so a live URL no webhook carries yet must be given in
    FIELDBRIDGE_TRIGGER_URL, or replaced with --rotate."""
    from fieldbridge.checks.context import UnknownConnector
    from fieldbridge.checks.provisioning import ProvisioningError
    from fieldbridge.checks.provisioning import provision as run
    from fieldbridge.store.database import open_store

    settings = Settings()
    db, box = open_store(settings, create=False)
    try:
        done = run(db, box, settings, connector, os.environ.get(TRIGGER_URL_ENV) or None, rotate=rotate)
    except UnknownConnector as unknown:
        raise CliError(str(unknown), "see `fieldbridge connectors list` for the names.", code=USAGE) from None
    except ProvisioningError as refused:
        raise CliError(f"Provisioning stopped: {refused.problem}.", refused.fix) from None
    if as_json:
        typer.echo(json.dumps(done.as_dict(), indent=2))
        return
    typer.echo(f"Autotask ticket webhook: {done.autotask_webhook_id}")
    typer.echo(f"Field Nation webhook: {done.fieldnation_webhook_id}")
    for change in done.changes or ("nothing to change: both webhooks were as they should be",):
        typer.echo(f"  {change}")
    if done.new_trigger_url:
        was = "; the previous one no longer works" if rotate else ""
        typer.echo(f"Trigger URL issued (shown this once; keep it secret{was}):")
        typer.echo(done.new_trigger_url)


def reference(
    connector: str = typer.Option(..., help="The connector to describe."),
    as_json: bool = typer.Option(False, "--json", help="Print the entries as JSON."),
) -> None:
    """Every non-secret value of a connector, as one block to copy (the guide's reference sheet)."""
    from fieldbridge.checks import runner
    from fieldbridge.checks.reference import as_dict, as_text

    entries = runner.reference_for(_context(Settings(), connector))
    typer.echo(json.dumps(as_dict(entries), indent=2) if as_json else as_text(entries))


def _context(settings: Settings, name: str) -> ConnectorContext:
    from fieldbridge.checks.context import UnknownConnector, load
    from fieldbridge.store.database import open_store

    db, box = open_store(settings, create=False)
    try:
        return load(db, box, settings, name)
    except UnknownConnector as unknown:
        raise CliError(str(unknown), "see `fieldbridge connectors list` for the names.", code=USAGE) from None


def print_report(report: Report) -> None:
    table = Table("", "check", "seen", "fix", title=f"fieldbridge check: {report.subject}", show_lines=True)
    for finding in _folded(report.findings):
        style = _STYLE[finding.status]
        table.add_row(
            f"[{style}]{finding.status.upper()}[/]",
            escape(finding.check),
            escape(finding.seen),
            escape(finding.fix),
        )
    console().print(table)
    counts = {s: sum(f.status == s for f in report.findings) for s in _STYLE}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    verdict = "nothing failed" if report.ok else "some checks failed"
    console().print(f"{summary}: {verdict}.")


def _folded(findings: tuple[Finding, ...]) -> list[Finding]:
    """The permissions granted as the guide lists them, as one row: the table shows what needs doing.
    (`--json` keeps a finding per permission.)"""
    granted = [f for f in findings if f.status == "pass" and f.check.startswith(REQUIRED)]
    rows: list[Finding] = []
    for finding in findings:
        if not any(finding is g for g in granted):
            rows.append(finding)
        elif finding is granted[0]:
            rows.append(
                Finding("permissions", "pass", f"{len(granted)} granted as the setup guide lists them")
            )
    return rows


def _usage(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(USAGE)
