"""The ``[talks]`` table of a scenario file: how simulated talks run, their scripted events, and the
linkage and ban experiments (pydantic models, checked for structure only; see :mod:`.model`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .strict import _Strict
from .values import Date, Id, Label, NonNegative, Number


class TalkEvent(_Strict):
    """A scripted change of one public's opinion during talks (logit scale), at a round or a date."""

    label: Label
    ratifier: Id
    shift: Number
    round: Annotated[int, Field(ge=0)] | None = None
    date: Date | None = None
    timing_sd: Annotated[Number, Field(ge=0)] = 0.0
    source: str | None = None


class LinkedOption(_Strict):
    """An option of a linked issue: what it adds to each party's utility and to each public's
    support (logit scale) over the issue's first option, which is the status quo."""

    id: Id
    label: Label | None = None
    utility: dict[Id, Number] = Field(default_factory=dict)
    support: dict[Id, Number] = Field(default_factory=dict)


class Linkage(_Strict):
    """An issue that could be linked to the talks (the linkage experiment)."""

    id: Id
    label: Label | None = None
    description: str | None = None
    options: list[LinkedOption] = Field(min_length=2)


class Ban(_Strict):
    """A rule that forbids changing some issues from the status quo (the ban experiment)."""

    label: Label
    issues: list[Id] = Field(min_length=1)
    source: str | None = None


class Talks(_Strict):
    """How simulated talks run (``winset simulate``): rounds, calendar, opinion dynamics, events."""

    rounds: Annotated[int, Field(ge=1, le=10_000)] = 40
    start: Date | None = None
    days_per_round: Annotated[int, Field(ge=1)] = 30
    mode: Literal["strict", "soft"] = "strict"
    drift: NonNegative = 0.03
    own_noise: NonNegative = 0.1
    other_noise: NonNegative = 0.3
    audience_cost: NonNegative = 0.5
    events: list[TalkEvent] = Field(default_factory=list)
    linkage: Linkage | None = None
    ban: Ban | None = None

    def event_round(self, event: TalkEvent) -> float:
        """The round an event falls in: its own, or its date counted from ``start``."""
        if event.round is not None:
            return float(event.round)
        # the checks give every event a round or a date, and the talks a start when one is dated
        assert event.date is not None and self.start is not None
        return (event.date - self.start).days / self.days_per_round
