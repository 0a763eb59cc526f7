"""A secret box keeps what it opened by the sealed value: a secret saved again opens to its new value, and
a value sealed under another key is refused however often it is asked."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from fieldbridge.store.secrets import SecretBox, SecretUnreadable


def test_a_secret_saved_again_opens_to_its_new_value() -> None:
    box = SecretBox(Fernet.generate_key())
    first, second = box.seal("first-secret"), box.seal("second-secret")
    assert [box.open(first), box.open(second), box.open(first)] == [
        "first-secret",
        "second-secret",
        "first-secret",
    ]


def test_a_value_sealed_under_another_key_is_refused_every_time() -> None:
    box, other = SecretBox(Fernet.generate_key()), SecretBox(Fernet.generate_key())
    foreign = other.seal("theirs")
    for _ in range(2):
        with pytest.raises(SecretUnreadable):
            box.open(foreign)


def test_past_its_bound_the_box_still_opens_every_value() -> None:
    box = SecretBox(Fernet.generate_key())
    sealed = {box.seal(f"secret-{n}"): f"secret-{n}" for n in range(SecretBox.MOST_OPENED + 10)}
    assert [box.open(value) for value in sealed] == list(sealed.values())
    assert [box.open(value) for value in sealed] == list(sealed.values())
