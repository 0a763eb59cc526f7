from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fieldbridge.mapping.errors import ActionError, MappingError
from fieldbridge.mapping.jsonnet import MAX_RESULT_BYTES, JsonnetRunner, check_script

from .support import engine

WORK_ORDER = {
    "id": 7,
    "title": "Printer",
    "assignee": {"user": {"first_name": "Ann"}},
    "contacts": [{"name": "Bo"}, {"name": "Cy"}],
    "pay": {"total": 120.5},
}


def custom(script: str, target: str = "out", **options: Any) -> dict[str, Any]:
    return {"target_field": target, "action": "custom", "script": script, **options}


def run(runner: JsonnetRunner, script: str, record: Any = WORK_ORDER, **options: Any) -> dict[str, Any]:
    return engine(custom(script, **options), direction="outbound", runner=runner).apply(record)


class TestScripts:
    def test_input_is_the_source_record(self, runner: JsonnetRunner) -> None:
        assert run(runner, "$.input.title + ' #' + $.input.id") == {"Ticket": {"out": "Printer #7"}}

    @pytest.mark.parametrize(
        ("path", "default", "expected"),
        [
            ("assignee.user.first_name", "''", "Ann"),
            ("contacts.1.name", "''", "Cy"),
            ("contacts.5.name", "'none'", "none"),
            ("assignee.user.last_name", "'none'", "none"),
            ("title.length", "'none'", "none"),
        ],
    )
    def test_util_lookup_field(self, runner: JsonnetRunner, path: str, default: str, expected: str) -> None:
        script = f"$.util.lookup_field($.input, '{path}', {default})"
        assert run(runner, script) == {"Ticket": {"out": expected}}

    def test_std_and_structured_results(self, runner: JsonnetRunner) -> None:
        script = (
            "{names: std.join(', ', [c.name for c in $.input.contacts]), pay: std.floor($.input.pay.total)}"
        )
        assert run(runner, script) == {"Ticket": {"out": {"names": "Bo, Cy", "pay": 120}}}

    def test_null_result_uses_the_default(self, runner: JsonnetRunner) -> None:
        assert run(runner, "null") == {}
        assert run(runner, "null", default="fallback") == {"Ticket": {"out": "fallback"}}

    def test_strings_come_back_exactly(self, runner: JsonnetRunner) -> None:
        tricky = 'quote " backslash \\ newline \n unicode é ☃ tab \t'
        assert run(runner, "$.input.text", {"text": tricky}) == {"Ticket": {"out": tricky}}

    def test_comment_at_the_end_of_a_script(self, runner: JsonnetRunner) -> None:
        assert run(runner, "$.input.id  // the work order id") == {"Ticket": {"out": 7}}

    def test_many_scripts_each_get_their_own_result(self, runner: JsonnetRunner) -> None:
        for n in range(12):
            assert run(runner, f"$.input.id * {n}") == {"Ticket": {"out": 7 * n}}
        assert run(runner, "$.input.id * 3") == {"Ticket": {"out": 21}}  # an earlier script, still held


class TestMemory:
    @pytest.mark.long
    def test_the_worker_does_not_grow_with_the_evaluations(self, runner: JsonnetRunner) -> None:
        """Each evaluation gets a fresh record of ~6 KB with nested lists; were any of it kept per evaluation
        (as the binding keeps what a native callback returns), 4,000 evaluations would add ~24 MB."""
        script = "$.util.lookup_field($.input, 'contacts.3.name', '') + $.input.title"
        record = {
            "title": "Printer",
            "contacts": [{"name": f"contact {i}", "phones": [str(i) * 8, "x"]} for i in range(20)],
            **{f"udf{i}": f"value {i} " * 8 for i in range(60)},
        }
        assert runner.evaluate(script, record) == "contact 3Printer"
        for _ in range(500):  # the heap and allocator settle
            runner.evaluate(script, record)
        pid = runner.worker_pid
        assert pid is not None
        before = _resident_kib(pid)
        for n in range(4000):
            assert runner.evaluate(script, {**record, "title": str(n)}) == f"contact 3{n}"
        assert runner.worker_pid == pid  # the same worker all along
        assert _resident_kib(pid) - before < 4096


def _resident_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


class TestRefusals:
    def test_syntax_error_is_refused_at_compile_with_its_line(self) -> None:
        with pytest.raises(MappingError) as caught:
            engine(custom("local x = 1;\n{a: }"), direction="outbound")
        problem = caught.value.problem
        assert problem.where == "outbound[0] (custom -> out)"
        assert "does not compile: line 2, column 5" in problem.message
        assert "syntax" in problem.fix

    def test_unknown_variable_is_a_compile_error(self) -> None:
        assert check_script("record.title") is not None
        assert check_script("$.input.title") is None

    def test_imports_are_refused(self, runner: JsonnetRunner) -> None:
        for script in ("import 'secrets.libsonnet'", "importstr '/etc/passwd'", "importbin '/etc/hostname'"):
            with pytest.raises(MappingError) as caught:
                run(runner, script)
            assert "imports a file" in caught.value.problem.message
            assert "cannot import" in caught.value.problem.fix

    def test_runtime_error_names_the_mapping_and_the_next_call_works(self, runner: JsonnetRunner) -> None:
        with pytest.raises(MappingError) as caught:
            run(runner, "$.input.missing.field")
        assert caught.value.problem.where == "outbound[0] (custom -> out)"
        assert "field does not exist: missing" in caught.value.problem.message
        assert "lookup_field" in caught.value.problem.fix
        assert run(runner, "$.input.id") == {"Ticket": {"out": 7}}

    def test_deep_recursion_is_stopped_by_the_stack_limit(self, runner: JsonnetRunner) -> None:
        with pytest.raises(MappingError, match="recursed too deeply"):
            run(runner, "local f(n) = 1 + f(n + 1); f(0)")

    def test_result_over_the_size_limit(self, runner: JsonnetRunner) -> None:
        with pytest.raises(MappingError, match="byte limit"):
            run(
                runner,
                f"std.join('', std.makeArray({MAX_RESULT_BYTES // 1000 + 1}, function(i) "
                f"std.join('', std.makeArray(1000, function(j) 'x'))))",
            )

    def test_a_record_that_is_not_json(self, runner: JsonnetRunner) -> None:
        with pytest.raises(ActionError, match="not JSON"):
            runner.evaluate("1", {"when": object()})


@pytest.fixture(scope="module")
def strict_runner() -> Iterator[JsonnetRunner]:
    with JsonnetRunner(timeout=1.0, memory_mb=256) as jsonnet:
        yield jsonnet


class TestRunaways:
    def test_a_script_that_loops_forever_is_stopped_and_the_worker_replaced(
        self, strict_runner: JsonnetRunner
    ) -> None:
        with pytest.raises(MappingError) as caught:
            run(strict_runner, "local spin(n) = spin(n + 1) tailstrict; spin(0)")
        assert "ran longer than 1 s" in caught.value.problem.message
        assert "unbounded recursion" in caught.value.problem.fix
        assert run(strict_runner, "$.input.id + 1") == {"Ticket": {"out": 8}}

    def test_the_time_limit_counts_the_script_running_not_its_compiling(self) -> None:
        # Half a second to check and compile (twenty thousand fields, past what a mapping may hold, so that
        # the compile is slow; never evaluated), microseconds to run: a slow compile is not a runaway script.
        fields = ", ".join(f"f{i}: {i}" for i in range(20_000))
        with JsonnetRunner(timeout=0.25) as jsonnet:
            assert jsonnet.evaluate(f"if $.input == 1 then 'small' else {{{fields}}}", 1) == "small"

    def test_a_script_that_eats_memory_is_stopped_and_the_worker_replaced(
        self, strict_runner: JsonnetRunner
    ) -> None:
        with pytest.raises(MappingError, match=r"died|ran longer"):
            run(strict_runner, "std.length(std.makeArray(200000000, function(i) [i]))")
        assert run(strict_runner, "$.input.id + 2") == {"Ticket": {"out": 9}}

    def test_a_closed_runner_starts_again_when_used(self) -> None:
        jsonnet = JsonnetRunner(timeout=5.0)
        try:
            assert jsonnet.evaluate("$.input + 1", 1) == 2
            jsonnet.close()
            assert jsonnet.evaluate("$.input + 2", 1) == 3
        finally:
            jsonnet.close()
