"""The kinds of value a scenario file holds, as constrained types for the models: ids, language
codes, texts, finite numbers, labels (a text, or texts by language), dates, reservation values
and lists of option ids.

A label, a reservation value or a date that is wrong is one plain problem, not pydantic's line per
member of a union.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    StringConstraints,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from ..errors import did_you_mean

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Language = Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1)]
Number = Annotated[float, Field(allow_inf_nan=False)]


def _one_message(error_type: str, message: str) -> WrapValidator:
    """A wrap validator that replaces a union's several error lines by one plain message."""

    def validate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError:
            raise PydanticCustomError(error_type, message, {"input": value}) from None

    return WrapValidator(validate)


def _reservation(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError:
        hint = did_you_mean(value, ["status_quo"]) if isinstance(value, str) else ""
        raise PydanticCustomError(
            "reservation",
            'must be a number or the text "status_quo", got {shown}{hint}',
            {"shown": repr(value), "hint": hint},
        ) from None


def _date_only(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """A TOML date; a date with a time of day (a TOML date-time) is refused, not half-read."""
    if isinstance(value, datetime.datetime):
        raise PydanticCustomError(
            "date", "must be a date such as 2020-07-01, not a date and time, got {shown}", {"shown": str(value)}
        )
    return handler(value)


Date = Annotated[datetime.date, WrapValidator(_date_only)]


def _option_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Label = Annotated[
    Text | dict[Language, Text],
    _one_message(
        "label",
        'must be a text, or a table of texts by language such as { en = "Peace treaty", ru = "Мирный договор" }',
    ),
]
Reservation = Annotated[Number | Literal["status_quo"], WrapValidator(_reservation)]
OptionIds = Annotated[
    list[Id],
    WrapValidator(lambda v, h: h(_option_list(v))),
    Field(min_length=1),
]

NonNegative = Annotated[Number, Field(ge=0)]
