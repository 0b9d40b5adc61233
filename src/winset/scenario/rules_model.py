"""A ratifier's rule and the groups it counts, as they are written in a scenario file.

``rule`` is one of five kinds (``kind``; without it, a share of the whole public):

- ``support_share``: the share of the whole public backing the package is at least ``threshold``;
- ``every_group``: the share in every listed group (``groups``; default all) is at least
  ``threshold`` (concurrent consent, as Northern Ireland's cross-community vote);
- ``double_majority``: the whole public at least ``threshold`` and at least ``groups_needed`` of
  the groups at least ``group_threshold`` (default ``threshold``), as a Swiss or Australian
  referendum's majority of voters and of cantons or states;
- ``chamber``: a legislature of ``blocs`` with ``seats``; a bloc votes yes when its voters'
  support (its ``group``) reaches its own ``threshold`` (default 0.5), less a share of
  ``defect``\\ors who vote the other way; the chamber passes the package when its yes votes reach
  ``threshold`` of its seats (a share, or a fraction such as ``"2/3"``);
- ``steps``: several of the above in sequence, all of which must pass (both chambers, then a
  referendum).

``groups`` says how the public splits: by the survey's respondent characteristic ``covariate``,
each group being a list of its values (or a ``{ min, max }`` range of a numeric one; without
``values``, every value is a group), with each group's population share (``shares``; without
them, the survey's own weighted shares). Group support is post-stratified: the support model is
fitted within each group and the whole public's support is the share-weighted sum.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, WrapValidator
from pydantic_core import PydanticCustomError

from .strict import _Strict
from .values import Id, Label, Number, Text, _one_message

Share = Annotated[Number, Field(gt=0, le=1)]


def _seat_share(value: Any, handler: Any) -> Any:
    """A chamber's threshold: a number in (0, 1] or a fraction written ``"2/3"``."""
    try:
        share = Fraction(str(value)) if isinstance(value, str) else Fraction(float(value))
    except (ValueError, ZeroDivisionError, TypeError, OverflowError):
        share = None
    if share is None or not 0 < share <= 1 or isinstance(value, bool):
        raise PydanticCustomError(
            "seat_share",
            'must be a share of the seats in (0, 1], such as 0.5 or "2/3", got {shown}',
            {"shown": repr(value)},
        )
    return str(value) if isinstance(value, str) else float(value)


SeatShare = Annotated[str | float, WrapValidator(_seat_share)]


class ShareRule(_Strict):
    """The share of the whole public backing the package is at least ``threshold``."""

    kind: Literal["support_share"] = "support_share"
    name: Text | None = None
    threshold: Share
    population: str | None = None
    source: str | None = None


class EveryGroupRule(_Strict):
    """Concurrent consent: the share in each of ``groups`` (default: every group) at least ``threshold``."""

    kind: Literal["every_group"]
    name: Text | None = None
    threshold: Share
    groups: list[Id] = Field(default_factory=list)
    population: str | None = None
    source: str | None = None


class DoubleMajorityRule(_Strict):
    """The whole public at least ``threshold``, and ``groups_needed`` of ``groups`` at least
    ``group_threshold``."""

    kind: Literal["double_majority"]
    name: Text | None = None
    threshold: Share
    group_threshold: Share | None = None
    groups_needed: Annotated[int, Field(ge=1)]
    groups: list[Id] = Field(default_factory=list)
    population: str | None = None
    source: str | None = None


class Bloc(_Strict):
    """A bloc of a chamber: its seats, the group whose support it follows, its own threshold and
    the share of its members who vote against its line."""

    id: Id
    label: Label | None = None
    group: Id
    seats: Annotated[int, Field(ge=1)]
    threshold: Share = 0.5
    defect: Annotated[Number, Field(ge=0, lt=0.5)] = 0.0


class ChamberRule(_Strict):
    """A legislature: the package passes when the blocs' yes votes reach ``threshold`` of the seats."""

    kind: Literal["chamber"]
    name: Text
    threshold: SeatShare
    seats: Annotated[int, Field(ge=1)] | None = None
    blocs: list[Bloc] = Field(min_length=1)
    source: str | None = None


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        kind = value.get("kind", "support_share")
        return kind if isinstance(kind, str) else "support_share"
    return str(getattr(value, "kind", "support_share"))


_KIND_MESSAGE = "must be a rule: kind = support_share (with threshold), every_group, double_majority, chamber or steps"
Step = Annotated[
    Annotated[ShareRule, Tag("support_share")]
    | Annotated[EveryGroupRule, Tag("every_group")]
    | Annotated[DoubleMajorityRule, Tag("double_majority")]
    | Annotated[ChamberRule, Tag("chamber")],
    Discriminator(_kind, custom_error_type="rule_kind", custom_error_message=_KIND_MESSAGE),
]


class StepsRule(_Strict):
    """Several rules in sequence, every one of which must pass."""

    kind: Literal["steps"]
    steps: list[Step] = Field(min_length=1)


RuleSpec = Annotated[
    Annotated[ShareRule, Tag("support_share")]
    | Annotated[EveryGroupRule, Tag("every_group")]
    | Annotated[DoubleMajorityRule, Tag("double_majority")]
    | Annotated[ChamberRule, Tag("chamber")]
    | Annotated[StepsRule, Tag("steps")],
    Discriminator(_kind, custom_error_type="rule_kind", custom_error_message=_KIND_MESSAGE),
]


class ValueRange(_Strict):
    """The values of a numeric characteristic from ``min`` to ``max``, both included."""

    min: Number
    max: Number


GroupValues = Annotated[
    list[str | Number] | ValueRange,
    _one_message("group_values", "must be a list of the covariate's values, or a range such as { min = 0, max = 4 }"),
]


class Groups(_Strict):
    """How a public splits into groups: by the survey's ``covariate``, each group a list or range
    of its ``values``, with population ``shares``."""

    covariate: Text
    values: dict[Id, GroupValues] = Field(default_factory=dict)
    shares: dict[Id, Share] = Field(default_factory=dict)
    source: str | None = None


def steps_of(rule: Any) -> list[Any]:
    """The rules a ratifier's rule consists of, in order (one, unless it is ``steps``)."""
    return list(rule.steps) if isinstance(rule, StepsRule) else [rule]


def counts_groups(rule: Any) -> bool:
    """Whether a rule needs the public's groups."""
    return any(not isinstance(step, ShareRule) for step in steps_of(rule))


def share_threshold(rule: Any) -> float | None:
    """The threshold of a rule that is a share of the whole public alone (else None)."""
    return rule.threshold if isinstance(rule, ShareRule) else None


def describe(rule: Any) -> str:
    """The rule in a few words."""
    parts = []
    for step in steps_of(rule):
        if isinstance(step, ShareRule):
            parts.append(f"support >= {step.threshold:.0%}")
        elif isinstance(step, EveryGroupRule):
            which = ", ".join(step.groups) if step.groups else "every group"
            parts.append(f"support >= {step.threshold:.0%} in {which}")
        elif isinstance(step, DoubleMajorityRule):
            group = step.group_threshold if step.group_threshold is not None else step.threshold
            parts.append(
                f"support >= {step.threshold:.0%} and >= {group:.0%} in {step.groups_needed} of "
                f"{len(step.groups) if step.groups else 'the'} groups"
            )
        else:
            seats = sum(b.seats for b in step.blocs)
            parts.append(f"{step.name}: {step.threshold} of {seats} seats, each bloc following its voters")
    return "; then ".join(parts)
