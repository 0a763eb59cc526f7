from __future__ import annotations

import json

import pytest

from fieldbridge.strict_json import MAX_DEPTH, BadJson, parse


def nested(levels: int) -> bytes:
    return b'{"a":' * levels + b"1" + b"}" * levels


@pytest.mark.parametrize(
    "value",
    [
        {"Id": 42, "Fields": {"Title": "Printer \u00e9 \U0001f5a8", "Amount": -12.5}},
        [2**63 - 1, -(2**63), 0, 1e308],
        "plain",
        None,
    ],
)
def test_what_every_store_can_hold_is_read_as_the_json_module_reads_it(value: object) -> None:
    raw = json.dumps(value).encode()
    assert parse(raw) == json.loads(raw)


def test_nesting_up_to_the_limit_is_read() -> None:
    assert parse(nested(MAX_DEPTH)) == json.loads(nested(MAX_DEPTH))


@pytest.mark.parametrize(
    ("raw", "problem", "fix"),
    [
        (nested(MAX_DEPTH + 1), "is nested more than 64 levels deep under a.a.a.a", "send at most 64 levels"),
        (b"[" * 955 + b"]" * 955, "is nested more than 64 levels deep", "send at most 64 levels"),
        # Past Python's recursion limit the parser itself gives up: the same answer.
        (b"[" * 100_000 + b"]" * 100_000, "is nested more than 64 levels deep", "send at most 64 levels"),
        (
            b'{"n": 9223372036854775808}',
            "holds a whole number outside the 64-bit range",
            "send ids and amounts within it",
        ),
        (
            b"-9223372036854775809",
            "holds a whole number outside the 64-bit range",
            "send ids and amounts within it",
        ),
        (b"9" * 5000, "holds a whole number outside the 64-bit range", "send ids and amounts within it"),
        (b'{"x": 1e400}', "holds a number too large for a 64-bit float", "send a smaller one"),
        (b'{"x": NaN}', "holds NaN, which is not a JSON number", "send a number or null"),
        (b"[-Infinity]", "holds -Infinity, which is not a JSON number", "send a number or null"),
        (
            b'{"Fields": {"Title": "a\\u0000b"}}',
            "holds a NUL character (\\u0000) in Fields.Title",
            "remove it",
        ),
        (b'[{"ok": ["x", "\\u0000"]}]', "holds a NUL character (\\u0000) in [0].ok[1]", "remove it"),
        (b'{"k\\u0000": 1}', "holds a NUL character (\\u0000) in a key of the top-level object", "remove it"),
        (b'"\\u0000"', "holds a NUL character (\\u0000) in its top-level string", "remove it"),
        (b'{"Guid": "\\udc00"}', "holds an unpaired surrogate (\\udc00) in Guid", "send valid Unicode text"),
        (b'{"a": 1,}', "is not valid JSON (line 1 column 9: Expecting property name", None),
        (b"\xff\xfe\x00", "is not valid JSON", None),
    ],
)
def test_what_a_store_or_handler_cannot_take_is_refused_saying_where_and_what_to_send(
    raw: bytes, problem: str, fix: str | None
) -> None:
    with pytest.raises(BadJson) as refused:
        parse(raw)
    assert (refused.value.problem[: len(problem)], refused.value.fix) == (problem, fix)


def test_a_long_place_is_cut_short_and_the_value_never_shown() -> None:
    key = "k" * 500
    with pytest.raises(BadJson) as refused:
        parse(json.dumps({key: "secret\u0000value"}).encode())
    assert refused.value.problem == f"holds a NUL character (\\u0000) in {key[:60]}..."
    assert "secret" not in str(refused.value)
