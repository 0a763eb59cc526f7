from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldbridge.mapping.config import Format, dump, load
from fieldbridge.mapping.defaults import default_set
from fieldbridge.mapping.errors import ConfigError, Problem
from fieldbridge.mapping.model import MappingSet

# --- generated mapping sets -------------------------------------------------------------------------------

keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,7}", fullmatch=True).filter(lambda k: k != "UserDefinedField")
dotted = st.lists(keys, min_size=1, max_size=3).map(".".join)
text = st.text(max_size=12)
json_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), text
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(text, inner, max_size=3)),
    max_leaves=5,
)
defaults = st.one_of(st.none(), json_values)


@st.composite
def paths(draw: st.DrawFn) -> tuple[str, str]:
    """A (source, target) pair; both fan out or neither does."""
    source, target = draw(dotted), draw(dotted)
    if draw(st.booleans()):
        source, target = f"{source}[0].{draw(keys)}", f"{target}.[0].{draw(keys)}"
    elif draw(st.booleans()):
        source = f"UserDefinedField.{draw(st.text(min_size=1, max_size=8).filter(lambda s: s.strip() == s))}"
    return source, target


@st.composite
def mappings(draw: st.DrawFn) -> dict[str, Any]:
    source, target = draw(paths())
    action = draw(
        st.sampled_from(
            [
                "sync",
                "set_static",
                "array_map",
                "array_map_guide",
                "range_map",
                "status_map",
                "date_convert",
                "concat",
                "concat_template",
                "custom",
            ]
        )
    )
    base: dict[str, Any] = {"source_field": source, "target_field": target}
    options: dict[str, Any]
    if action == "sync":
        options = {"action": "sync"}
    elif action == "set_static":
        base.pop("source_field")
        options = {"action": "set_static", "value": draw(json_values)}
    elif action == "array_map":
        options = {
            "action": "array_map",
            "mappings": draw(
                st.lists(st.fixed_dictionaries({"compare": json_values, "value": json_values}), max_size=3)
            ),
        }
    elif action == "array_map_guide":
        options = {
            "action": "array_map",
            "map": draw(
                st.lists(
                    st.fixed_dictionaries({"source_value": json_values, "target_value": json_values}),
                    max_size=3,
                )
            ),
        }
    elif action == "range_map":
        bounds = sorted(
            draw(
                st.lists(
                    st.integers() | st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=3
                )
            )
        )
        options = {
            "action": "range_map",
            "mappings": [{"compare": b, "value": draw(json_values)} for b in bounds],
        }
    elif action == "status_map":
        options = {
            "action": "status_map",
            "statuses": draw(
                st.lists(
                    st.fixed_dictionaries({"autotask": st.integers(), "fieldnation": st.integers() | text}),
                    min_size=1,
                    max_size=3,
                )
            ),
        }
    elif action == "date_convert":
        options = {
            "action": "date_convert",
            "from_format": draw(st.sampled_from(["autotask", "iso", "fn", "%d/%m/%Y"])),
            "to_format": draw(st.sampled_from(["autotask", "iso", "fn", "%H:%M"])),
            "from_zone": draw(st.sampled_from(["UTC", "America/Chicago"])),
            "to_zone": draw(st.sampled_from(["UTC", "Europe/Paris"])),
        }
    elif action == "concat":
        base.pop("source_field")
        parts = st.one_of(
            st.builds(lambda f: {"field": f}, dotted), st.builds(lambda t: {"literal": t}, text)
        )
        options = {"action": "concat", "values": draw(st.lists(parts, max_size=3)), "separator": draw(text)}
    elif action == "concat_template":
        base.pop("source_field")
        options = {
            "action": "concat",
            "template": "{"
            + draw(dotted)
            + "} and {{braces}} "
            + draw(st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=8)),
        }
    else:
        base.pop("source_field")
        options = {
            "action": "custom",
            "script": draw(
                st.sampled_from(
                    [
                        "$.input.id",
                        "local x = 1;\n  x + $.util.lookup_field($.input, 'a.b', 0)  // sum\n",
                        " std.length('é') ",
                    ]
                )
            ),
        }
    default = draw(defaults)
    return base | options | ({} if default is None else {"default": default})


mapping_sets = st.builds(
    lambda inbound, outbound: MappingSet.model_validate(
        {"schema_version": 1, "inbound": inbound, "outbound": outbound}
    ),
    st.lists(mappings(), max_size=4),
    st.lists(mappings(), max_size=4),
)


@settings(deadline=None)  # the first YAML/pydantic call of a run can be slow; speed is not what this checks
@given(mapping_sets)
def test_json_round_trip_is_exact(mapping_set: MappingSet) -> None:
    text = dump(mapping_set, "json")
    assert load(text, "json") == mapping_set
    assert dump(load(text, "json"), "json") == text


@pytest.mark.long
@settings(deadline=None)
@given(mapping_sets)
def test_yaml_round_trip_is_exact_and_agrees_with_json(mapping_set: MappingSet) -> None:
    text = dump(mapping_set, "yaml")
    assert load(text, "yaml") == mapping_set
    assert dump(load(text, "yaml"), "yaml") == text
    assert dump(load(text, "yaml"), "json") == dump(mapping_set, "json")


# Options the canonical form leaves out because they hold their defaults.
OPTION_DEFAULTS = {"from_zone": "UTC", "to_zone": "UTC", "separator": ""}


@settings(deadline=None)
@given(st.lists(mappings(), max_size=4))
def test_what_a_person_writes_is_what_is_exported(entries: list[dict[str, Any]]) -> None:
    written = {"schema_version": 1, "inbound": entries, "outbound": []}
    exported = json.loads(dump(load(json.dumps(written))))
    assert exported == {
        **written,
        "inbound": [
            {key: value for key, value in entry.items() if OPTION_DEFAULTS.get(key, ...) != value}
            for entry in entries
        ],
    }
    for entry in exported["inbound"]:  # the guide's order: what, where, how, then options, then default
        first = [key for key in ("source_field", "target_field", "action") if key in entry]
        assert list(entry)[: len(first)] == first
        assert "default" not in entry or list(entry)[-1] == "default"


def test_default_set_file_is_versioned_and_readable() -> None:
    text = dump(default_set())
    data = json.loads(text)
    assert data["schema_version"] == 1
    assert data["inbound"][0] == {"source_field": "Title", "target_field": "title", "action": "sync"}
    assert data["outbound"][2] == {"target_field": "Ticket:Priority", "action": "set_static", "value": None}


def test_multi_line_scripts_are_yaml_blocks() -> None:
    mapping_set = MappingSet.model_validate(
        {
            "outbound": [
                {
                    "target_field": "Resolution",
                    "action": "custom",
                    "script": "local n = $.input.notes;\nn + '!'\n",
                }
            ]
        }
    )
    assert "script: |\n    local n = $.input.notes;\n    n + '!'\n" in dump(mapping_set, "yaml")


# --- files that are wrong ---------------------------------------------------------------------------------


def problem_for(text: str, fmt: Format = "json") -> Problem:
    with pytest.raises(ConfigError) as caught:
        load(text, fmt)
    assert len(caught.value.problems) == 1, caught.value.problems
    return caught.value.problems[0]


def one(mapping: dict[str, Any]) -> str:
    return json.dumps({"schema_version": 1, "inbound": [mapping]})


@pytest.mark.parametrize(
    ("text", "fmt", "message", "fix"),
    [
        (
            '{"schema_version": 1, "inbound": [',
            "json",
            "not valid JSON: Expecting value at line 1, column 35",
            "correct the JSON syntax",
        ),
        ("inbound: [\n  - a", "yaml", "not valid YAML", "correct the YAML syntax"),
        ("[1, 2]", "json", "does not hold a mapping set", '"schema_version": 1'),
        ('{"inbound": []}', "json", "has no schema_version", 'add "schema_version": 1'),
        (
            '{"schema_version": 2}',
            "json",
            "has schema_version 2, and this FieldBridge reads 1",
            "upgrade FieldBridge",
        ),
    ],
)
def test_malformed_files(text: str, fmt: Format, message: str, fix: str) -> None:
    problem = problem_for(text, fmt)
    assert problem.where == "file"
    assert message in problem.message
    assert fix in problem.fix


@pytest.mark.parametrize(
    ("mapping", "where", "message", "fix"),
    [
        (
            {"source_field": "Title", "target_field": "title", "action": "copy"},
            "inbound[0] (Title -> title)",
            "unknown action 'copy'",
            "set action to one of: sync, set_static, array_map, range_map, status_map, "
            "date_convert, concat, custom",
        ),
        (
            {"source_field": "Title", "target_field": "title"},
            "inbound[0] (Title -> title)",
            "Unable to extract tag using discriminator 'action'",
            "add an action, one of: sync",
        ),
        (
            {"source_field": "Title", "action": "sync"},
            "inbound[0] (Title -> ?)",
            "`target_field`: Field required",
            "add `target_field`",
        ),
        (
            {"source_field": "Title", "target_field": "title", "action": "sync", "defualt": 1},
            "inbound[0] (Title -> title)",
            "`defualt`: Extra inputs are not permitted",
            "remove `defualt`",
        ),
        (
            {"source_field": "Title", "target_field": "title", "action": "set_static", "value": 1},
            "inbound[0] (Title -> title)",
            "`source_field` is not used by this action",
            "remove `source_field`",
        ),
        (
            {"source_field": "Title..x", "target_field": "title", "action": "sync"},
            "inbound[0] (Title..x -> title)",
            "path 'Title..x' has an empty segment",
            "remove the doubled or trailing dot",
        ),
        (
            {"source_field": "logs[0].x", "target_field": "notes", "action": "sync"},
            "inbound[0] (logs[0].x -> notes)",
            "one value per element but notes is a single field",
            "add `[0]` to the target",
        ),
        (
            {
                "source_field": "n",
                "target_field": "t",
                "action": "range_map",
                "mappings": [{"compare": 5, "value": "a"}, {"compare": 1, "value": "b"}],
            },
            "inbound[0] (n -> t)",
            "not in ascending order",
            "sort the entries by compare",
        ),
        (
            {
                "source_field": "d",
                "target_field": "t",
                "action": "date_convert",
                "from_format": "autotask",
                "to_format": "fn",
                "to_zone": "Mars/Olympus",
            },
            "inbound[0] (d -> t)",
            "unknown time zone 'Mars/Olympus'",
            "IANA zone name",
        ),
        (
            {
                "source_field": "d",
                "target_field": "t",
                "action": "date_convert",
                "from_format": "dd/mm",
                "to_format": "fn",
            },
            "inbound[0] (d -> t)",
            "unknown date format 'dd/mm'",
            "strftime pattern",
        ),
        (
            {"source_field": "p", "target_field": "t", "action": "array_map"},
            "inbound[0] (p -> t)",
            "array_map needs exactly one table",
            "map: [{source_value, target_value}]",
        ),
        (
            {"target_field": "t", "action": "concat", "template": "{Title!r}"},
            "inbound[0] (concat -> t)",
            "template field {Title} is empty or has a format spec",
            "field path between braces",
        ),
        (
            {"target_field": "t", "action": "concat", "template": "{Title"},
            "inbound[0] (concat -> t)",
            "is malformed",
            "write `{{` for a brace",
        ),
        (
            {"target_field": "t", "action": "custom", "script": ""},
            "inbound[0] (custom -> t)",
            "`script`: String should have at least 1 character",
            "correct `script`",
        ),
        (
            {
                "source_field": "s",
                "target_field": "t",
                "action": "status_map",
                "statuses": [{"autotask": "New", "fieldnation": 1}],
            },
            "inbound[0] (s -> t)",
            "`statuses.0.autotask`: Input should be a valid integer",
            "correct `statuses.0",
        ),
        (
            "not an object",
            "inbound[0] (? -> ?)",
            "Input should be a valid dictionary",
            "write each mapping as an object",
        ),
    ],
)
def test_bad_mappings_name_the_mapping_and_the_fix(mapping: Any, where: str, message: str, fix: str) -> None:
    problem = problem_for(one(mapping))
    assert problem.where == where
    assert message in problem.message
    assert fix in problem.fix


def test_every_bad_mapping_is_reported_at_once() -> None:
    text = json.dumps(
        {
            "schema_version": 1,
            "inbound": [{"action": "nope", "target_field": "a"}],
            "outbound": [{"source_field": "x", "target_field": "y", "action": "sync", "extra": 1}],
        }
    )
    with pytest.raises(ConfigError) as caught:
        load(text)
    assert [p.where for p in caught.value.problems] == ["inbound[0] (nope -> a)", "outbound[0] (x -> y)"]
