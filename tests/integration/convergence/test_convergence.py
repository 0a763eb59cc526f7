"""FieldBridge's promise under a hostile network: whatever the faults (429, 5xx, timeouts, latency, lost
answers, late applies, dropped and repeated webhooks) and a SIGKILLed worker, once the faults stop and the
system settles (a reconciler pass included), both applications hold exactly what the same stories make
without faults: no lost update, no duplicate, no corrupted record.

A few fixed seeds run here; `make soak` runs many (tests/integration/convergence/soak.py).
"""

from __future__ import annotations

import pytest

from tests.integration.convergence.play import Result, play, unexpected_endings
from tests.integration.convergence.schedule import LABELS, schedule
from tests.integration.convergence.snapshot import differences
from tests.integration.convergence.world import Broker, Emulators

FIXED_SEEDS = (21,)
# Today's sync core loses updates even without faults (see docs/reliability.md): a ticket left in the trigger
# status after its work order was assigned, an Outbound Create ticket not updated after its work order's
# webhooks were delayed. Until those are fixed a seed may differ; the soak lists each difference.
KNOWN_DEFECTS = pytest.mark.xfail(
    strict=False, reason="lost updates in the sync core (docs/reliability.md, Latest figures)"
)


@KNOWN_DEFECTS
@pytest.mark.parametrize("seed", FIXED_SEEDS)
def test_the_stories_converge_under_a_seeds_faults(
    seed: int, reference: Result, convergence_emulators: Emulators, convergence_broker: Broker
) -> None:
    wrong = reference.problems + unexpected_endings(reference)
    assert not wrong, "the run without faults did not end as the stories say:\n" + "\n".join(wrong)
    result = play(convergence_emulators, convergence_broker, seed)
    found = result.problems + differences(reference.snapshot, result.snapshot)
    assert sum(result.fired.values()) > 0 or result.kills > 0, "the seed's schedule injected nothing"
    assert not found, (
        f"seed {seed} ({dict(result.fired)}, {result.kills} kills) ended differently:\n" + "\n".join(found)
    )


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
