"""What a value must be to fit a column, read from the column's own definition in `tables`.

A string longer than its column, or an integer beyond it, fails only when the database sees it (PostgreSQL
refuses it; SQLite stores any length but cannot hold an integer beyond 64 bits), which would surface as a
500. `Fits` puts the same bound on an input field, so the value is refused first with a 422 naming the
field, and OpenAPI shows the bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from annotated_types import Interval, MaxLen
from pydantic import GetCoreSchemaHandler
from pydantic_core import PydanticCustomError, core_schema
from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import QueryableAttribute

# PostgreSQL's INTEGER is 32 bits, its BIGINT 64; SQLite's INTEGER is 64 bits whatever it is declared as.
# The narrower bound holds on both, so a value is accepted or refused the same way on either database.
_BITS = ((BigInteger, 64), (Integer, 32))


def max_length(column: QueryableAttribute[Any]) -> int:
    kind = column.type
    if not isinstance(kind, String) or kind.length is None:
        raise TypeError(f"{column} is not a string column of bounded length")
    return kind.length


def int_range(column: QueryableAttribute[Any]) -> tuple[int, int]:
    bits = next((bits for kind, bits in _BITS if isinstance(column.type, kind)), None)
    if bits is None:
        raise TypeError(f"{column} is not an integer column")
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


@dataclass(frozen=True)
class Fits:
    """Pydantic metadata (`Annotated[str, Fits(Connector.autotask_username)]`): the value fits `column`,
    a string its length, an integer its range (narrowed to `minimum` and up, e.g. 1 for row ids)."""

    column: QueryableAttribute[Any]
    minimum: int | None = None

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        if isinstance(self.column.type, String):
            return handler.generate_schema(Annotated[source, MaxLen(max_length(self.column))])
        low, high = int_range(self.column)
        if self.minimum is not None:
            low = max(low, self.minimum)
        bounded = handler.generate_schema(Annotated[source, Interval(ge=low, le=high)])
        # A digit string longer than any number in range is refused before int() reads it: past 4300
        # digits int() raises, and pydantic's answer would not say what range to send.
        return core_schema.no_info_before_validator_function(_Digits(low, high), bounded)


@dataclass(frozen=True)
class _Digits:
    low: int
    high: int

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str) and len(value.strip().lstrip("+-").lstrip("0")) > len(str(self.high)):
            if value.strip().startswith("-"):
                raise PydanticCustomError(
                    "greater_than_equal", "Input should be greater than or equal to {ge}", {"ge": self.low}
                )
            raise PydanticCustomError(
                "less_than_equal", "Input should be less than or equal to {le}", {"le": self.high}
            )
        return value
