"""A public split into groups by a respondent characteristic, for rules that count groups (a
region's consent, a party's voters behind its senators).

:func:`split_respondents` assigns each respondent of a survey to a group from the scenario's
``groups`` (values or ranges of the covariate); :func:`group_shares` gives each group's
population share, stated in the scenario or, without one, the survey's own weighted share. The
fit (:mod:`winset.support.fit`) then post-stratifies: it fits the support model within each group
and weighs the groups by their shares, so that every group's support comes from its own
respondents and the whole public's is the share-weighted sum.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..conjoint.data import ConjointData, ConjointError, as_text, distinct_values
from ..errors import Problem, did_you_mean, known_list
from ..scenario import Groups
from ..scenario.rules_model import ValueRange


@dataclass(frozen=True)
class GroupSplit:
    """How a fitted public splits: the covariate, the groups (names, population shares, whether
    the scenario states the shares, respondents per group), and the group of every row of the
    fitted table (``cells``)."""

    covariate: str
    names: tuple[str, ...]
    shares: tuple[float, ...]
    stated: bool
    sample: tuple[int, ...]
    cells: np.ndarray

    def describe(self) -> str:
        """The groups in words: their names, shares and respondents."""
        source = "population shares" if self.stated else "shares of the weighted sample"
        parts = [
            f"{n} {s:.0%} ({k:,} respondents)" for n, s, k in zip(self.names, self.shares, self.sample, strict=True)
        ]
        return f"groups by '{self.covariate}' ({source}): " + ", ".join(parts)


def split_respondents(
    groups: Groups, data: ConjointData, where: str, scenario_file: str | Path | None = None
) -> tuple[list[str], np.ndarray, int]:
    """The groups' names, each data row's group (-1 for none) and how many respondents fall in
    no group. ``where`` names the scenario's groups table in problems, ``scenario_file`` the file
    it is in (problems with the survey's rows name the survey)."""
    frame = data.frame
    column = groups.covariate
    columns = [str(c) for c in frame.columns]
    if column not in columns:
        raise ConjointError(
            [
                Problem(
                    f"{where}.covariate",
                    f"the survey has no column '{column}'{did_you_mean(column, columns)}",
                    f"name a respondent characteristic of the survey: {known_list(columns)}",
                )
            ],
            source=scenario_file,
        )
    values = frame[column]
    if values.isna().any():
        rows = np.flatnonzero(values.isna().to_numpy())
        raise ConjointError(
            [
                Problem(
                    f"column '{column}'",
                    f"the group covariate is missing in {data.row_names(rows)}",
                    "fill it in, or drop those respondents",
                )
            ],
            source=data.source,
        )
    if groups.values:
        names = list(groups.values)
        member = np.full(len(frame), -1)
        for g, (name, spec) in enumerate(groups.values.items()):
            inside = _matches(values, spec, f"{where}.values.{name}", data, scenario_file)
            overlap = inside & (member >= 0)
            if overlap.any():
                other = names[int(member[np.flatnonzero(overlap)[0]])]
                raise ConjointError(
                    [
                        Problem(
                            f"{where}.values.{name}",
                            f"groups '{other}' and '{name}' share values (in {data.row_names(np.flatnonzero(overlap))}"
                            f" of the survey {Path(data.source).name if data.source else ''})",
                            "give each value of the covariate to one group only",
                        )
                    ],
                    source=scenario_file,
                )
            member[inside] = g
    else:
        codes, distinct, order = distinct_values(values)
        names = [as_text(v) for v in order]
        member = pd.Index(order).get_indexer(pd.Index(distinct, tupleize_cols=False))[codes].astype(np.int64)
    if data.clusters is not None:
        first = np.full(data.n_clusters, -1)
        first[data.clusters[::-1]] = np.arange(data.n_rows - 1, -1, -1)
        varying = np.flatnonzero(member != member[first][data.clusters])
        if len(varying):
            raise ConjointError(
                [
                    Problem(
                        f"column '{column}'",
                        f"the group covariate changes within a respondent in {data.row_names(varying)}",
                        "a respondent characteristic must be the same on all of the respondent's rows",
                    )
                ],
                source=data.source,
            )
        outside = int((member[first] < 0).sum())
    else:
        outside = int((member < 0).sum())
    counts = np.bincount(member[member >= 0], minlength=len(names))
    empty = [n for n, c in zip(names, counts, strict=True) if c == 0]
    if empty:
        raise ConjointError(
            [
                Problem(
                    f"{where}.values.{name}" if groups.values else f"{where}.covariate",
                    f"group '{name}' has no respondents in the survey",
                    "check its values against the survey's, or merge it with another group",
                )
                for name in empty
            ],
            source=scenario_file,
        )
    return names, member, outside


def _matches(
    values: pd.Series,
    spec: list[str | float] | ValueRange,
    where: str,
    data: ConjointData,
    scenario_file: str | Path | None,
) -> np.ndarray:
    """Which rows hold one of a group's values (or lie in its range)."""
    numeric = pd.api.types.is_numeric_dtype(values)
    if isinstance(spec, ValueRange):
        if not numeric:
            raise ConjointError(
                [Problem(where, "a range needs a numeric covariate", "list the group's values instead")],
                source=scenario_file,
            )
        return ((values >= spec.min) & (values <= spec.max)).to_numpy()
    if numeric and all(isinstance(v, (int, float)) for v in spec):
        return values.isin([float(v) for v in spec]).to_numpy()
    return values.map(as_text).isin([as_text(v) for v in spec]).to_numpy()


def group_shares(
    groups: Groups, names: list[str], sample_shares: np.ndarray, where: str, scenario_file: str | Path | None = None
) -> tuple[list[float], bool]:
    """Each group's population share: the scenario's (every group named, summing to 1), or the
    weighted sample's; and whether they are stated."""
    if not groups.shares:
        return [float(s) for s in sample_shares], False
    problems = [
        Problem(
            f"{where}.shares",
            f"no population share for group '{name}'",
            f"give a share for every group: {known_list(names)}",
        )
        for name in names
        if name not in groups.shares
    ]
    problems += [
        Problem(
            f"{where}.shares.{name}",
            f"'{name}' is not a group{did_you_mean(name, names)}",
            f"the groups are {known_list(names)}",
        )
        for name in groups.shares
        if name not in names
    ]
    total = sum(groups.shares.values())
    if not problems and abs(total - 1) > 1e-6:
        problems.append(Problem(f"{where}.shares", f"the shares sum to {total:.4f}, not 1", "make them sum to 1"))
    if problems:
        raise ConjointError(problems, source=scenario_file)
    return [float(groups.shares[name]) for name in names], True
