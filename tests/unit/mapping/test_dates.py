from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from fieldbridge.mapping.dates import make_formatter, make_parser
from fieldbridge.mapping.errors import ActionError, MappingError

from .support import apply, engine

ZONES = ["UTC", "America/Chicago", "America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Lord_Howe"]


def convert(
    value: Any, from_format: str, to_format: str, from_zone: str = "UTC", to_zone: str = "UTC"
) -> Any:
    return make_formatter(to_format, to_zone)(make_parser(from_format, from_zone)(value))


class TestParse:
    @pytest.mark.parametrize(
        "text",
        [
            "2024-01-15T14:30:00.000Z",
            "2024-01-15T14:30:00Z",
            "2024-01-15T14:30:00",
            "2024-01-15T09:30:00-05:00",
            "2024-01-15 14:30:00",
        ],
    )
    def test_autotask_accepts_iso_forms_and_naive_means_utc(self, text: str) -> None:
        assert make_parser("autotask", "America/Chicago")(text) == datetime(2024, 1, 15, 14, 30, tzinfo=UTC)

    def test_iso_naive_values_are_in_from_zone(self) -> None:
        parsed = make_parser("iso", "America/Chicago")("2024-07-01T08:00:00")
        assert parsed == datetime(2024, 7, 1, 13, 0, tzinfo=UTC)

    def test_field_nation_object_utc_wins_over_local(self) -> None:
        value = {"utc": "2024-01-15 14:30:00", "local": {"date": "2024-01-15", "time": "01:00:00"}}
        assert make_parser("fn", "America/Chicago")(value) == datetime(2024, 1, 15, 14, 30, tzinfo=UTC)

    def test_field_nation_local_only_uses_from_zone(self) -> None:
        value = {"local": {"date": "2024-01-15", "time": "08:30:00"}}
        assert make_parser("fn", "America/Chicago")(value) == datetime(2024, 1, 15, 14, 30, tzinfo=UTC)

    def test_field_nation_bare_string_is_utc(self) -> None:
        assert make_parser("fn", "Asia/Kolkata")("2024-01-15 14:30:00") == datetime(
            2024, 1, 15, 14, 30, tzinfo=UTC
        )

    def test_pattern(self) -> None:
        assert make_parser("%d/%m/%Y %H:%M", "Europe/London")("15/07/2024 10:00") == datetime(
            2024, 7, 15, 9, 0, tzinfo=UTC
        )

    @pytest.mark.parametrize(
        ("fmt", "value", "expected"),
        [
            ("autotask", "15/01/2024", "Autotask date"),
            ("iso", 20240115, "ISO 8601"),
            ("fn", {"date": "2024-01-15"}, "Field Nation date"),
            ("fn", {"local": {"date": "2024-01-15"}}, "Field Nation date"),
            ("%Y-%m-%d", "2024/01/15", "'%Y-%m-%d'"),
        ],
    )
    def test_unknown_forms_say_what_was_expected_and_how_to_fix(
        self, fmt: str, value: Any, expected: str
    ) -> None:
        with pytest.raises(ActionError) as caught:
            make_parser(fmt, "UTC")(value)
        assert expected in caught.value.message
        assert "from_format" in caught.value.fix


class TestFormat:
    moment = datetime(2024, 1, 15, 14, 30, 5, 123456, tzinfo=UTC)

    def test_autotask_is_utc_with_milliseconds(self) -> None:
        shifted = self.moment.astimezone(ZoneInfo("Asia/Kolkata"))
        assert make_formatter("autotask", "America/Chicago")(shifted) == "2024-01-15T14:30:05.123Z"

    def test_iso_carries_the_zone_offset(self) -> None:
        assert make_formatter("iso", "America/Chicago")(self.moment) == "2024-01-15T08:30:05.123456-06:00"

    def test_field_nation_has_utc_and_local(self) -> None:
        assert make_formatter("fn", "America/New_York")(self.moment) == {
            "utc": "2024-01-15 14:30:05",
            "local": {"date": "2024-01-15", "time": "09:30:05"},
        }

    def test_local_date_can_differ_from_the_utc_date(self) -> None:
        late = datetime(2024, 1, 16, 2, 0, tzinfo=UTC)
        assert make_formatter("fn", "America/Chicago")(late)["local"] == {
            "date": "2024-01-15",
            "time": "20:00:00",
        }

    def test_the_repeated_hour_reads_as_its_first_occurrence(self) -> None:
        # 01:00 on 2060-11-07 happens twice in Chicago (CDT, then CST); a local-only value cannot say which.
        value = {"local": {"date": "2060-11-07", "time": "01:00:00"}}
        assert make_parser("fn", "America/Chicago")(value) == datetime(2060, 11, 7, 6, 0, tzinfo=UTC)

    def test_daylight_saving_is_applied(self) -> None:
        summer = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)
        assert make_formatter("%H:%M %Z", "America/New_York")(summer) == "08:00 EDT"


class TestInMappings:
    def test_inbound_autotask_to_field_nation(self) -> None:
        mapping = {
            "source_field": "DueDateTime",
            "target_field": "time_window.end",
            "action": "date_convert",
            "from_format": "autotask",
            "to_format": "fn",
            "to_zone": "America/Chicago",
        }
        document = apply(mapping, {"dueDateTime": "2024-01-15T14:30:00.000Z"})
        assert document == {
            "time_window": {
                "end": {"utc": "2024-01-15 14:30:00", "local": {"date": "2024-01-15", "time": "08:30:00"}}
            }
        }

    def test_a_date_in_an_unknown_form_names_the_mapping_and_the_fix(self) -> None:
        mapping = {
            "source_field": "DueDateTime",
            "target_field": "time_window.end",
            "action": "date_convert",
            "from_format": "autotask",
            "to_format": "fn",
        }
        with pytest.raises(MappingError) as caught:
            engine(mapping).apply({"DueDateTime": "next Tuesday"})
        problem = caught.value.problem
        assert problem.where == "inbound[0] (DueDateTime -> time_window.end)"
        assert "'next Tuesday' is not an Autotask date" in problem.message
        assert "from_format" in problem.fix


moments = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


def unambiguous(moment: datetime, zone: str) -> bool:
    """Whether the wall time in `zone` names one instant (not the repeated hour when clocks go back)."""
    wall, tz = moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None), ZoneInfo(zone)
    return wall.replace(tzinfo=tz, fold=0).utcoffset() == wall.replace(tzinfo=tz, fold=1).utcoffset()


@given(moments.map(lambda m: m.replace(microsecond=m.microsecond // 1000 * 1000)), st.sampled_from(ZONES))
def test_autotask_to_iso_and_back_is_the_identity(moment: datetime, zone: str) -> None:
    autotask = make_formatter("autotask", "UTC")(moment)
    assert convert(convert(autotask, "autotask", "iso", to_zone=zone), "iso", "autotask") == autotask


@given(moments.map(lambda m: m.replace(microsecond=0)), st.sampled_from(ZONES))
def test_autotask_to_field_nation_and_back_is_the_identity(moment: datetime, zone: str) -> None:
    autotask = make_formatter("autotask", "UTC")(moment)
    assert convert(convert(autotask, "autotask", "fn", to_zone=zone), "fn", "autotask") == autotask


@given(moments.map(lambda m: m.replace(microsecond=0)), st.sampled_from(ZONES))
def test_field_nation_local_time_alone_converts_back_in_its_zone(moment: datetime, zone: str) -> None:
    assume(unambiguous(moment, zone))
    fn = convert(make_formatter("autotask", "UTC")(moment), "autotask", "fn", to_zone=zone)
    back = make_parser("fn", zone)({"local": fn["local"]})
    assert back == moment


@given(moments.map(lambda m: m.replace(microsecond=0)), st.sampled_from(ZONES))
def test_pattern_out_and_back_in_the_same_zone_is_the_identity(moment: datetime, zone: str) -> None:
    assume(unambiguous(moment, zone))
    text = make_formatter("%Y-%m-%d %H:%M:%S", zone)(moment)
    assert make_parser("%Y-%m-%d %H:%M:%S", zone)(text) == moment


@given(moments, st.sampled_from(ZONES), st.sampled_from(["autotask", "iso", "fn", "%Y%m%dT%H%M%S"]))
def test_conversion_is_deterministic_and_never_moves_the_instant(
    moment: datetime, zone: str, fmt: str
) -> None:
    assume(unambiguous(moment, zone))
    rendered = make_formatter(fmt, zone)(moment)
    assert make_formatter(fmt, zone)(moment) == rendered
    back = make_parser(fmt, zone)(rendered)
    assert abs(back - moment) < timedelta(seconds=1)
