"""The permission audit against the emulator's security levels: the guide's own and a hand-made one."""

from __future__ import annotations

from fieldbridge.checks.credentials import lint_secret
from fieldbridge.checks.permissions import AUDITED_ENTITIES, Access, audit
from fieldbridge.sandbox.autotask.catalog import load
from fieldbridge.sandbox.autotask.security import SecurityLevel
from fieldbridge.sandbox.autotask.seed import FIELD_NATION_LEVEL, INCOMPLETE_LEVEL
from tests.support.handmade_level import BEYOND_THE_GUIDE, MISSING


def access_of(level: SecurityLevel) -> Access:
    """What entityInformation reports for a user of `level`, entity by entity."""
    catalog = load()
    result = {}
    for name in AUDITED_ENTITIES:
        entity = catalog.entity(name)
        assert entity is not None
        result[name] = {
            op: level.access(entity.permission, op) for op in ("query", "create", "update", "delete")
        }
    return result  # type: ignore[return-value]


def failed(findings: list) -> set[str]:  # type: ignore[type-arg]
    return {f.check for f in findings if f.status == "fail"}


def warned(findings: list) -> set[str]:  # type: ignore[type-arg]
    return {f.check for f in findings if f.status == "warn"}


def test_the_guides_level_passes_in_every_configuration() -> None:
    for target in ("", "charge"):
        for attachments in (False, True):
            findings = audit(access_of(FIELD_NATION_LEVEL), target, attachments)
            assert failed(findings) == set()
            assert warned(findings) == set()


def test_the_hand_made_level_fails_exactly_its_missing_permissions() -> None:
    findings = audit(access_of(INCOMPLETE_LEVEL), expense_target="charge", attachment_sync=True)
    assert failed(findings) == MISSING
    assert warned(findings) == BEYOND_THE_GUIDE


def test_expense_permissions_are_judged_against_the_expense_target() -> None:
    reports = audit(access_of(INCOMPLETE_LEVEL), expense_target="", attachment_sync=False)
    # "Mine" is enough to edit expenses (the guide: "All, or Mine"), but viewing needs All.
    assert "permission: Expenses — View (Contracts/Timesheets)" in failed(reports)
    assert "permission: Expenses — Edit (Contracts/Timesheets)" not in failed(reports)
    assert not any("Ticket Costs" in c for c in failed(reports))
    assert not any("Attachments" in c for c in failed(reports))


def test_a_failure_names_the_module_and_what_to_set() -> None:
    finding = next(
        f for f in audit(access_of(INCOMPLETE_LEVEL)) if f.check.startswith("permission: Contacts")
    )
    where = "In Autotask, Admin > Security Levels > the integration's level > CRM"
    assert finding.fix == f"{where}: set 'Contacts — View' to All"


def test_secret_lint_never_repeats_the_secret() -> None:
    for secret, status in (
        ("Bad&Secret<2026>long", "fail"),
        ("short-1", "fail"),
        ("Fine-Secret-2026-ok", "pass"),
    ):
        finding = lint_secret(secret)
        assert finding.status == status
        assert secret not in finding.seen + finding.fix
