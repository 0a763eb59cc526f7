"""How the broker reads a JSON body: only values every handler and both databases can take.

Python's json module accepts more than that: nesting deep enough to exhaust the recursion limit (here, or
later in a handler or the database driver), NaN and Infinity and floats that overflow to them (PostgreSQL's
JSON refuses them), integers past 64 bits, and strings holding a NUL character (PostgreSQL text cannot) or
a lone surrogate (not UTF-8, so no database takes it). `parse` refuses each with `BadJson`, whose message
says where the problem is and what to send instead, never the value itself.

The doors (trigger URL, webhooks) call `parse` on the bytes they received; every admin route reads its body
through `web.strict_json.StrictJsonRoute`, so a body is refused whole, with 400, before any of it is used.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 64
"""Objects and arrays nested deeper than this are refused; real payloads and mapping sets use under ten."""
INT64 = (-(2**63), 2**63 - 1)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_SHOWN = 60
"""A place named in a message is cut short past this: a key is a name, but a long one (or a long path) is
noise."""


class BadJson(ValueError):
    """`problem` completes "The body ..." (e.g. "holds a NUL character (\\u0000) in Fields.Title"); `fix`
    says what to send instead, and is None when the body is not JSON at all, for the caller to say what it
    expects."""

    def __init__(self, problem: str, fix: str | None) -> None:
        super().__init__(f"{problem}; {fix}" if fix else problem)
        self.problem = problem
        self.fix = fix


def parse(raw: bytes) -> Any:
    try:
        value = json.loads(raw, parse_int=_whole, parse_float=_finite, parse_constant=_no_constant)
    except RecursionError:
        raise _too_deep("") from None
    except json.JSONDecodeError as error:
        raise BadJson(
            f"is not valid JSON (line {error.lineno} column {error.colno}: {error.msg})", None
        ) from None
    except UnicodeDecodeError:
        raise BadJson("is not valid JSON: it is not UTF-8 text", None) from None
    _check_tree(value)
    return value


def _whole(text: str) -> int:
    value = int(text) if len(text.lstrip("-")) <= len(str(INT64[1])) else None
    if value is None or not INT64[0] <= value <= INT64[1]:
        raise BadJson(
            f"holds a whole number outside the 64-bit range ({INT64[0]} to {INT64[1]})",
            "send ids and amounts within it",
        )
    return value


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadJson("holds a number too large for a 64-bit float", "send a smaller one")
    return value


def _no_constant(name: str) -> float:
    raise BadJson(f"holds {name}, which is not a JSON number", "send a number or null")


def _too_deep(where: str) -> BadJson:
    under = f" under {_shown(where)}" if where else ""
    return BadJson(f"is nested more than {MAX_DEPTH} levels deep{under}", f"send at most {MAX_DEPTH} levels")


def _check_tree(root: Any) -> None:
    """Depth and text, without recursion: the tree may be as deep as the parser's own limit."""
    stack: list[tuple[Any, str, int]] = [(root, "", 0)]
    while stack:
        node, where, depth = stack.pop()
        if isinstance(node, str):
            _check_text(node, where or "its top-level string")
            continue
        if isinstance(node, dict):
            for key in node:
                _check_text(key, f"a key of {where or 'the top-level object'}")
            children = [(f"{where}.{key}" if where else key, item) for key, item in node.items()]
        elif isinstance(node, list):
            children = [(f"{where}[{index}]", item) for index, item in enumerate(node)]
        else:
            continue
        if depth == MAX_DEPTH:
            raise _too_deep(where)
        stack.extend((child, label, depth + 1) for label, child in children)


def _shown(where: str) -> str:
    return where if len(where) <= _SHOWN else f"{where[:_SHOWN]}..."


def _check_text(text: str, where: str) -> None:
    found = _UNSTORABLE.search(text)
    if found is None:
        return
    if found.group() == "\x00":
        raise BadJson(f"holds a NUL character (\\u0000) in {_shown(where)}", "remove it")
    code = f"\\u{ord(found.group()):04x}"
    raise BadJson(f"holds an unpaired surrogate ({code}) in {_shown(where)}", "send valid Unicode text")
