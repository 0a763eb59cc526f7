from __future__ import annotations

from fieldbridge.store import tokens


def test_a_token_is_selector_dot_verifier_and_only_the_verifier_hash_is_kept() -> None:
    issued = tokens.issue("fbc")
    selector, _, verifier = issued.plaintext.partition(".")
    assert selector == issued.selector
    assert selector.startswith("fbc_")
    assert issued.verifier_hash == tokens.hash_verifier(verifier)
    assert verifier not in issued.verifier_hash
    assert len(verifier) >= 40


def test_only_the_right_verifier_matches() -> None:
    issued = tokens.issue("fbc")
    assert tokens.verifier_matches(issued.verifier_hash, tokens.parse(issued.plaintext))
    assert not tokens.verifier_matches(issued.verifier_hash, tokens.parse(issued.plaintext + "x"))
    assert not tokens.verifier_matches(None, tokens.parse(issued.plaintext))
    assert not tokens.verifier_matches(tokens.hash_verifier(""), tokens.parse(issued.selector + "."))
    assert tokens.parse(None) == tokens.PresentedToken("", "")
    assert tokens.issue("fbc").plaintext != issued.plaintext
