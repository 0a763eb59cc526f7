"""The order a distributed run gives its tests: the long ones dealt to the heads of work stealing's shares."""

from __future__ import annotations

from tests.support.long_first import long_first, share_sizes


def test_shares_are_the_sizes_work_stealing_hands_out() -> None:
    assert share_sizes(1505, 4) == [376, 376, 376, 377]
    assert share_sizes(3, 4) == [0, 1, 1, 1]


def test_each_share_starts_with_its_turn_of_the_long_tests_and_nothing_is_lost() -> None:
    items = [f"t{i}" for i in range(20)]
    is_long = [name in {"t3", "t4", "t5", "t18", "t19"} for name in items]
    ordered = long_first(items, is_long, 4)

    assert sorted(ordered) == sorted(items)
    shares = [ordered[0:5], ordered[5:10], ordered[10:15], ordered[15:20]]
    assert [share[0] for share in shares] == ["t3", "t4", "t5", "t18"]
    assert shares[0][1] == "t19"
    short = [name for name in ordered if name not in {"t3", "t4", "t5", "t18", "t19"}]
    assert short == [name for name, flag in zip(items, is_long, strict=True) if not flag]  # in their order


def test_more_long_tests_than_a_share_holds_still_loses_none() -> None:
    items = list(range(6))
    ordered = long_first(items, [True] * 5 + [False], 4)
    assert sorted(ordered) == items
    assert ordered[:2] == [0, 4]  # the first share (1 test by size) took its turn of two
