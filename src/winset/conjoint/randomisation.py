"""The randomisation design of a conjoint experiment: the levels of each feature and the restricted
pairs of features, as a design file gives them.

In a restricted (constrained) design some combinations of two features are never shown, e.g. a
doctor without a college degree. A :class:`Restriction` holds the joint randomisation
probabilities of such a pair (zero = never shown); every other feature is drawn uniformly and
independently. cjoint weights constrained AMCEs by these probabilities.

A design file is TOML; paths are relative to it::

    [features]
    Education = ["no formal", "4th grade", "8th grade", "high school", "two-year college",
                 "college degree", "graduate degree"]
    Job = ["janitor", "waiter", "doctor"]

    [[restrictions]]
    features = ["Education", "Job"]
    probabilities = "education_job.csv"   # rows: Education levels; columns: Job levels

    [[restrictions]]                       # or: forbidden cells, the rest equally likely
    features = ["Country", "Reason"]
    forbid = [["Germany", "escape persecution"], ["France", "escape persecution"]]

A probability table is a CSV whose first column holds the levels of the first feature and whose
header holds the levels of the second (as cjoint's ``makeDesign`` tables).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import files
from ..errors import Problem, WinsetError, did_you_mean, known_list


class DesignError(WinsetError, ValueError):
    """A design file or design object that cannot be used."""


@dataclass(frozen=True)
class Restriction:
    """A restricted pair of features and their joint randomisation probabilities."""

    features: tuple[str, str]
    probabilities: pd.DataFrame  # index: levels of features[0]; columns: levels of features[1]

    def table(self, first_levels: Sequence[str], second_levels: Sequence[str]) -> np.ndarray:
        """Probabilities as an array in the given level orders (missing cells count as 0)."""
        frame = self.probabilities.reindex(index=list(first_levels), columns=list(second_levels), fill_value=0.0)
        return frame.to_numpy(dtype=float)

    def table_for(self, feature: str, levels: Sequence[str], other_levels: Sequence[str]) -> np.ndarray:
        """Probabilities with ``feature``'s levels as rows, whichever of the pair it is."""
        if feature == self.features[0]:
            return self.table(levels, other_levels)
        return self.table(other_levels, levels).T

    def allowed(self, first_levels: Sequence[str], second_levels: Sequence[str]) -> np.ndarray:
        return self.table(first_levels, second_levels) > 0


@dataclass(frozen=True)
class Design:
    """Feature levels (in order, first = default baseline) and restricted pairs."""

    levels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    restrictions: tuple[Restriction, ...] = ()

    def restriction(self, a: str, b: str) -> Restriction | None:
        for r in self.restrictions:
            if set(r.features) == {a, b}:
                return r
        return None

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return [r.features for r in self.restrictions]

    @classmethod
    def from_file(cls, path: str | Path) -> Design:
        """Read a design file (TOML, see the module documentation)."""
        path = Path(path)
        if files.kind(path, DesignError) == "missing":
            raise DesignError([Problem(files.shown(path), "no such design file", "check the path")])
        document = files.read_toml(path, DesignError)
        return cls.from_dict(document, base_dir=path.parent, source=path)

    @classmethod
    def from_dict(cls, document: Mapping, base_dir: str | Path = ".", source: str | Path | None = None) -> Design:
        problems: list[Problem] = []
        unknown = [key for key in document if key not in ("features", "restrictions")]
        for key in unknown:
            problems.append(
                Problem(
                    key,
                    f"unknown key '{key}'{did_you_mean(key, ['features', 'restrictions'])}",
                    "use 'features' and 'restrictions'",
                )
            )
        levels: dict[str, tuple[str, ...]] = {}
        for name, values in dict(document.get("features", {})).items():
            if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
                problems.append(
                    Problem(f"features.{name}", "must be a list of level names", 'write Feature = ["level", ...]')
                )
            elif len(set(values)) != len(values):
                problems.append(Problem(f"features.{name}", "a level is listed twice", "list each level once"))
            else:
                levels[name] = tuple(values)
        restrictions = []
        for i, table in enumerate(document.get("restrictions", [])):
            restriction = _restriction(table, f"restrictions[{i}]", levels, Path(base_dir), problems)
            if restriction is not None:
                restrictions.append(restriction)
        if problems:
            raise DesignError(problems, source=source)
        for restriction in restrictions:  # restricted features without a level list take the table's order
            a, b = restriction.features
            levels.setdefault(a, tuple(restriction.probabilities.index))
            levels.setdefault(b, tuple(restriction.probabilities.columns))
        return cls(levels, tuple(restrictions))

    @classmethod
    def observed(cls, frame: pd.DataFrame, pairs: Sequence[tuple[str, str]]) -> Design:
        """The design the data show: each pair's combinations that occur are equally likely, the
        others forbidden (what cregg detects from the data)."""
        restrictions = []
        for a, b in pairs:
            counts = pd.crosstab(frame[a].astype(str), frame[b].astype(str))
            restrictions.append(Restriction((a, b), (counts > 0).astype(float) / float((counts > 0).to_numpy().sum())))
        return cls({}, tuple(restrictions))


def _restriction(
    table: Mapping, where: str, levels: Mapping[str, tuple[str, ...]], base_dir: Path, problems: list[Problem]
) -> Restriction | None:
    allowed_keys = ("features", "probabilities", "forbid")
    for key in table:
        if key not in allowed_keys:
            problems.append(
                Problem(
                    f"{where}.{key}",
                    f"unknown key '{key}'{did_you_mean(key, allowed_keys)}",
                    f"use {known_list(allowed_keys)}",
                )
            )
    features = table.get("features")
    if not (isinstance(features, list) and len(features) == 2 and all(isinstance(f, str) for f in features)):
        problems.append(Problem(f"{where}.features", "must name two features", 'write features = ["Education", "Job"]'))
        return None
    a, b = features
    if ("probabilities" in table) == ("forbid" in table):
        problems.append(Problem(where, "give either a probabilities table or a forbid list", "keep one of the two"))
        return None
    if "probabilities" in table:
        frame = _probability_table(base_dir / str(table["probabilities"]), f"{where}.probabilities", problems)
        if frame is None:
            return None
    else:
        if a not in levels or b not in levels:
            problems.append(
                Problem(where, f"a forbid list needs the levels of '{a}' and '{b}' in [features]", "list them there")
            )
            return None
        frame = pd.DataFrame(1.0, index=list(levels[a]), columns=list(levels[b]))
        for j, cell in enumerate(table["forbid"]):
            if not (isinstance(cell, list) and len(cell) == 2 and cell[0] in levels[a] and cell[1] in levels[b]):
                problems.append(
                    Problem(
                        f"{where}.forbid[{j}]",
                        f"must be a [level of {a}, level of {b}] pair, got {cell!r}",
                        "name two known levels",
                    )
                )
                return None
            frame.loc[cell[0], cell[1]] = 0.0
        frame = frame / frame.to_numpy().sum()
    for feature, axis_levels in ((a, list(frame.index)), (b, list(frame.columns))):
        if feature in levels and set(axis_levels) != set(levels[feature]):
            problems.append(
                Problem(
                    where,
                    f"the table's levels of '{feature}' differ from [features]: {known_list(sorted(set(axis_levels) ^ set(levels[feature])))}",
                    "make the probability table and the feature's level list agree",
                )
            )
            return None
    return Restriction((a, b), frame)


def _probability_table(path: Path, where: str, problems: list[Problem]) -> pd.DataFrame | None:
    try:
        missing = files.kind(path, DesignError) == "missing"
    except DesignError as error:
        problems += error.problems
        return None
    if missing:
        problems.append(
            Problem(
                where,
                f"probability table '{files.shown(path)}' does not exist",
                "check the path (relative to the design file)",
            )
        )
        return None
    try:
        frame = files.read_csv(path, files.TABLE_BYTES, DesignError, dtype={0: str})
    except DesignError as error:
        problems += [Problem(where, files.cited(path.name, path, p), p.fix) for p in error.problems]
        return None
    frame = frame.set_index(frame.columns[0])
    frame.index = frame.index.astype(str)
    frame.columns = [str(c) for c in frame.columns]
    values = frame.apply(pd.to_numeric, errors="coerce")
    if values.isna().any().any() or (values < 0).any().any() or values.to_numpy().sum() <= 0:
        problems.append(
            Problem(where, f"'{path.name}' must hold non-negative numbers, not all zero", "correct the table")
        )
        return None
    return values.astype(float)
