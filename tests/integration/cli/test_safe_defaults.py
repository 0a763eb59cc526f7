"""The commands that could break something do not unless told: provisioning keeps the trigger URL in use,
a backfill of everything asks first, and a dry run loads nothing. (A connector whose connection test fails
is never saved: tests/integration/cli/test_apply.py and test_connectors.py.)"""

from __future__ import annotations

from fieldbridge.store import connectors, inbox
from fieldbridge.sync import checkpoints
from fieldbridge.sync.backfill import CHECKPOINT
from tests.integration.cli.commands import Env, database, fieldbridge, first_error
from tests.support.emulators import AutotaskSim, FieldNationSim

TRIGGER_URL = "https://bridge.example.test/v1/broker/inbound?client_token=fbc_"


def test_provisioning_keeps_the_trigger_url_in_use_unless_asked_to_rotate_it(
    applied: Env, autotask_sim: AutotaskSim
) -> None:
    first = fieldbridge(applied, "webhooks", "provision", "--connector", "acme")
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert lines[-2] == "Trigger URL issued (shown this once; keep it secret):"  # the first: nothing to keep
    issued = lines[-1]
    assert issued.startswith(TRIGGER_URL)
    again = fieldbridge(applied, "webhooks", "provision", "--connector", "acme")
    assert again.stdout.splitlines()[-1] == "  nothing to change: both webhooks were as they should be"

    rotated = fieldbridge(applied, "webhooks", "provision", "--connector", "acme", "--rotate")
    assert rotated.exit_code == 0, rotated.output
    assert rotated.stdout.splitlines()[-2] == (
        "Trigger URL issued (shown this once; keep it secret; the previous one no longer works):"
    )
    current = rotated.stdout.splitlines()[-1]
    assert current != issued
    assert [hook["webhookUrl"] for hook in autotask_sim.records("TicketWebhooks")] == [current]

    # A URL issued elsewhere (rotate-token) is on no webhook: provisioning cannot rebuild it from its hash,
    # and will not replace it unasked.
    elsewhere = fieldbridge(applied, "connectors", "rotate-token", "acme").stdout.splitlines()[-1]
    refused = fieldbridge(applied, "webhooks", "provision", "--connector", "acme")
    assert refused.exit_code == 1
    assert first_error(refused) == (
        "Provisioning stopped: the connector's trigger URL is live, but no webhook carries it and only its "
        "hash is kept, so it cannot be put on the webhook; a new one would stop the current one working."
    )
    kept = fieldbridge(
        applied | {"FIELDBRIDGE_TRIGGER_URL": elsewhere}, "webhooks", "provision", "--connector", "acme"
    )
    assert kept.exit_code == 0, kept.output
    assert "Trigger URL issued" not in kept.stdout
    assert [hook["webhookUrl"] for hook in autotask_sim.records("TicketWebhooks")] == [elsewhere]


def test_a_backfill_of_everything_asks_first(applied: Env, fn_sim: FieldNationSim) -> None:
    declined = fieldbridge(applied, "backfill", "--connector", "acme", stdin="n\n")
    assert declined.exit_code == 1
    assert declined.stderr.splitlines() == [
        "Backfill cancelled: nothing was loaded.",
        "Fix: Narrow it with --where FIELD=VALUE, see how many match with --dry-run, or confirm with --yes.",
    ]
    assert "workorder.created" not in fn_sim.events()
    with database(applied).transaction() as session:
        assert inbox.page(session) == []


def test_a_dry_run_counts_and_loads_nothing(applied: Env, fn_sim: FieldNationSim) -> None:
    dry = fieldbridge(applied, "backfill", "--connector", "acme", "--dry-run")
    assert dry.exit_code == 0, dry.output
    # The seed's open tickets (all but the Complete one), none linked yet.
    assert dry.stdout.splitlines()[-2:] == [
        "Dry run: 6 open record(s) match; nothing was loaded.",
        "6 created, 0 updated, 0 skipped, 0 failed",
    ]
    assert "workorder.created" not in fn_sim.events()
    with database(applied).transaction() as session:
        assert inbox.page(session) == []
        row = connectors.get(session, "acme")
        assert row is not None
        assert checkpoints.load(session, row.id, CHECKPOINT) is None


def test_a_backfill_ends_with_what_it_came_to(applied: Env, fn_sim: FieldNationSim) -> None:
    # Field Nation refuses the first work order it is asked to make.
    fn_sim.fault(kind="status", status=400, method="POST", path="/workorders$", count=1)
    done = fieldbridge(applied, "backfill", "--connector", "acme", "--where", "status=22,23", "--yes")
    assert done.exit_code == 1  # something failed
    summary = done.stdout.splitlines()[-3:]
    assert summary[:2] == [
        "Backfill done: 2 record(s) through the inbound flow.",
        "1 created, 0 updated, 0 skipped, 1 failed",
    ]
    assert summary[2].startswith("  failed (1): ")
    again = fieldbridge(applied, "backfill", "--connector", "acme", "--where", "status=22,23")
    # Each reason once, the most common first, ties alphabetically (the pool finishes them in any order).
    assert again.stdout.splitlines()[-3:] == [
        "0 created, 0 updated, 2 skipped, 0 failed",
        "  skipped (1): failed in an earlier backfill: see `fieldbridge events dead-letters`, and replay "
        "from there",
        "  skipped (1): loaded already at this version (an earlier backfill)",
    ]
