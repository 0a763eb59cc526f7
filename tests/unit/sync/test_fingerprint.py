"""Fingerprints and differences: the comparison every flow's "did anything change, and what" rests on."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fieldbridge.sync.fingerprint import changed_paths, fingerprint, leaves

keys = st.text(alphabet="abcdefgh_", min_size=1, max_size=6)
scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
documents = st.recursive(
    scalars | st.lists(scalars, max_size=3),
    lambda inner: st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
).filter(lambda d: isinstance(d, dict))


@given(documents)
def test_key_order_does_not_change_a_fingerprint(document: dict[str, Any]) -> None:
    reordered = dict(reversed(list(document.items())))
    assert fingerprint(reordered) == fingerprint(document)


@given(documents, documents)
def test_equal_fingerprints_mean_equal_documents(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert (fingerprint(a) == fingerprint(b)) == (a == b)


@given(documents)
def test_a_document_has_no_changes_against_itself(document: dict[str, Any]) -> None:
    assert changed_paths(document, document) == set()


@given(documents, documents)
def test_changes_are_symmetric_and_empty_exactly_when_the_leaves_agree(
    a: dict[str, Any], b: dict[str, Any]
) -> None:
    def valued(document: dict[str, Any]) -> dict[str, Any]:
        return {path: value for path, value in leaves(document).items() if value is not None}

    assert changed_paths(a, b) == changed_paths(b, a)
    assert (changed_paths(a, b) == set()) == (valued(a) == valued(b))


def test_a_changed_leaf_is_named_by_its_dotted_path() -> None:
    before = {"title": "A", "time_window": {"start": "s", "end": "e"}, "logs": [1, 2]}
    after = {"title": "A", "time_window": {"start": "s", "end": "later"}, "logs": [2, 1]}
    assert changed_paths(before, after) == {"time_window.end", "logs"}  # lists compare whole, in order


def test_a_path_that_appears_or_vanishes_counts_only_when_it_has_a_value() -> None:
    assert changed_paths({"a": 1}, {}) == {"a"}
    assert changed_paths({"a": None}, {}) == set()
