"""Where the long tests go in a distributed run.

xdist's work stealing hands each test process a contiguous share of the collection (len // processes, the
last ones a test more) and lets an idle process take half of the longest queue left. A long test (marked
`long`: tens of seconds on a busy 2-core machine) starts wherever its module falls, and several of them
often fell last, leaving one process running them while the others had finished. Dealt one per share in
turn at the head of the shares, they start together at once and the short tests fill in around them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def share_sizes(count: int, processes: int) -> list[int]:
    """The sizes of the shares work stealing first hands out (as xdist's `check_schedule` splits them)."""
    sizes = []
    left = count
    for taken in range(processes):
        size = left // (processes - taken)
        sizes.append(size)
        left -= size
    return sizes


def long_first(items: Sequence[T], is_long: Sequence[bool], processes: int) -> list[T]:
    """`items` reordered so each share starts with its turn of the long ones; the rest keep their order."""
    long = [item for item, flag in zip(items, is_long, strict=True) if flag]
    rest = [item for item, flag in zip(items, is_long, strict=True) if not flag]
    dealt: list[list[T]] = [long[share::processes] for share in range(processes)]
    ordered: list[T] = []
    for share, size in enumerate(share_sizes(len(items), processes)):
        fill = max(0, size - len(dealt[share]))
        ordered += dealt[share] + rest[:fill]
        rest = rest[fill:]
    return ordered + rest
