"""FieldBridge's promise under a hostile network: whatever the faults (429, 5xx, timeouts, latency, lost
answers, late applies, dropped and repeated webhooks) and a SIGKILLed worker, once the faults stop and the
system settles (a reconciler pass included), both applications hold exactly what the same stories make
without faults: no lost update, no duplicate, no corrupted record.

A few fixed seeds run here, chosen to fire every kind of fault; `make soak` runs many
(tests/integration/convergence/soak.py).
"""

from __future__ import annotations

import pytest

from tests.integration.convergence.play import Result, play, unexpected_endings
from tests.integration.convergence.schedule import LABELS, schedule
from tests.integration.convergence.snapshot import differences
from tests.integration.convergence.stories import interleaved, stories
from tests.integration.convergence.world import Broker, Emulators

FIXED_SEEDS: dict[int, tuple[str, ...]] = {
    195: ("5xx", "timeout", "latency", "webhook_drop", "webhook_lost_answer"),
    244: ("429", "timeout", "lost_answer", "late_apply", "webhook_drop", "webhook_lost_answer"),
    246: ("lost_answer", "late_apply", "webhook_drop", "webhook_lost_answer"),
}
"""The seeds `make test` plays, each with the fault kinds it fires in every run (its schedule arms them where
the broker's calls, retries included, surely meet them). Between them every kind fires, among them lost
answers on the creates of time entries and of a work order, and late applies of a time entry's and a note's
creates; and every seed kills the worker."""
ACTS = len(list(interleaved(stories())))


@pytest.mark.long
@pytest.mark.parametrize("seed", sorted(FIXED_SEEDS))
def test_the_stories_converge_under_a_seeds_faults(
    seed: int, reference: Result, convergence_emulators: Emulators, convergence_broker: Broker
) -> None:
    wrong = reference.problems + unexpected_endings(reference)
    assert not wrong, "the run without faults did not end as the stories say:\n" + "\n".join(wrong)
    result = play(convergence_emulators, convergence_broker, seed)
    found = result.problems + differences(reference.snapshot, result.snapshot)
    assert not found, (
        f"seed {seed} ({dict(result.fired)}, {result.kills} kills) ended differently:\n"
        + "\n".join(found + _warnings(convergence_broker))
    )
    # Which planned faults meet a call depends on the pace of the run (a fault waits for its call); the
    # schedule plans every kind between the seeds (tested below), and each run must inject something.
    assert sum(result.fired.values()) > 0 or result.kills > 0, f"seed {seed} injected nothing"


def _warnings(broker: Broker) -> list[str]:
    """The broker's warnings and errors, to tell a timing cause (a lease lost, a stalled renewal) from a
    logic one when a seed fails."""
    lines = broker.fleet.logs().splitlines()
    return ["broker log:", *(line for line in lines if " WARNING " in line or " ERROR " in line)]


def test_the_fixed_seeds_fire_every_fault_kind_between_them_and_kill_the_worker() -> None:
    assert {kind for kinds in FIXED_SEEDS.values() for kind in kinds} == set(LABELS)
    for seed, kinds in FIXED_SEEDS.items():
        plan = schedule(seed, ACTS)
        assert set(kinds) <= {injection.label for injection in plan.injections}
        assert plan.kills


def test_a_seed_always_makes_the_same_schedule_and_no_seed_makes_none() -> None:
    assert schedule(7, 30) == schedule(7, 30)
    assert schedule(7, 30) != schedule(8, 30)
    assert schedule(None, 30).injections == ()
    assert schedule(None, 30).kills == ()
    plans = [schedule(seed, 30) for seed in range(1, 40)]
    assert {i.label for plan in plans for i in plan.injections} == set(LABELS)
    assert all(1 <= len(plan.kills) <= 2 and 0 not in plan.kills for plan in plans)


def test_differences_count_duplicates_and_say_what_is_missing_and_extra() -> None:
    expected = {"TicketNotes": ['{"d": "a"}', '{"d": "b"}'], "Tickets": ['{"t": 1}']}
    got = {"TicketNotes": ['{"d": "a"}', '{"d": "a"}'], "Tickets": ['{"t": 1}']}
    assert differences(expected, got) == [
        "TicketNotes: 1 missing, 1 extra",
        '  - {"d": "b"}',
        '  + {"d": "a"}',
    ]
    assert differences(expected, expected) == []
