"""Measurement error in conjoint answers: intra-respondent reliability and corrected estimates.

A respondent who answers one task twice, the second time with the two profiles swapped, may choose
differently: answers carry error. Following Clayton, Horiuchi, Kaufman, King and Komisarchik
("Correcting Measurement Error Bias in Conjoint Survey Experiments", the R package projoint),
each answer is taken to be the respondent's true choice flipped with probability ``tau``,
independently. The share of repeated tasks answered the same way, the intra-respondent
reliability, is then ``IRR = (1 - tau)^2 + tau^2``, so

    tau = (1 - sqrt(2 IRR - 1)) / 2,

and a marginal mean observed as ``MM`` is ``tau + (1 - 2 tau) MM_true``: the corrected marginal mean
is ``(MM - tau) / (1 - 2 tau)`` and, since the intercept absorbs ``tau``, the corrected AMCE is
``AMCE / (1 - 2 tau)``. An IRR at or below 0.5 says the answers are no better than coin flips, and
nothing can be corrected.

Standard errors are the delta method's, as projoint's: ``var(g) = g_est^2 var(est) + g_tau^2
var(tau) + 2 g_est g_tau cov(est, tau)``, ``var(tau) = var(IRR) / (4 (2 IRR - 1))``. The covariance
comes from the respondents' linearised influences on the estimate and on the IRR (one respondent's
original task is in both), with cregg's ``M/(M-1)`` respondent-cluster variance; projoint
approximates it from the agreement and choice columns instead.

The same model serves a yes/no answer (or a 0/1 rating) to each profile, as the consultation
site asks it: each answer is the respondent's true answer flipped with probability ``tau``, so
the share of the repeated task's answers that equal the answers to the same profiles in the task it
repeats is again ``(1 - tau)^2 + tau^2``, and a mean answer again ``tau + (1 - 2 tau)`` times the
true one. (A choice with an opt-out follows neither model and is refused.)

Data: the repeated task's rows are in the long table like any other task's, with their own task
number, and a column (``repeated``) that on those rows holds the number of the task they repeat
(empty elsewhere). Those rows estimate the IRR only; the estimates use the other rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import Problem, known_list
from .amce import amce_combinations, amce_terms, combine
from .data import ConjointData, ConjointError, as_conjoint, as_text
from .mm import domain_totals
from .ols import DummyDesign, influence, unit_scale
from .randomisation import Design
from .tidy import check_alpha, labelled, tidy

Statistic = Literal["amce", "mm"]


@dataclass(frozen=True)
class Reliability:
    """The intra-respondent reliability of the answers, and the error rate it implies."""

    irr: float  # share of repeated tasks answered the same way (weighted by respondent)
    irr_se: float
    tau: float  # the probability that an answer is flipped
    tau_se: float
    n_respondents: int  # respondents with a repeated task
    n_agree: int
    n_identical: int = 0  # repeated tasks of two identical profiles, which cannot disagree: left out
    n_answers: int = 0  # repeated answers compared (one per respondent in a forced choice)

    def summary(self) -> str:
        return "\n".join(
            [
                "Intra-respondent reliability (a repeated task, profiles swapped)",
                (
                    f"  respondents with a repeated task: {self.n_respondents:,}; {self.n_agree:,} of "
                    f"{self.n_answers:,} repeated answers the same ({self.n_identical:,} left out: identical profiles)"
                ),
                f"  IRR {self.irr:.4f} (se {self.irr_se:.4f})",
                f"  tau {self.tau:.4f} (se {self.tau_se:.4f}): the chance an answer is flipped",
                f"  estimates are scaled by 1 / (1 - 2 tau) = {1 / (1 - 2 * self.tau):.4f}",
            ]
        )


@dataclass(frozen=True)
class Repeats:
    """A survey's repeated tasks taken apart: their reliability, and the data without them."""

    reliability: Reliability
    data: ConjointData  # the survey without the repeated tasks' rows
    rows: np.ndarray  # those rows' positions in the survey
    tau_influence: np.ndarray  # per cluster of ``data``: its influence on tau (0 without a repeated task)
    agree: np.ndarray  # per cluster of ``data``: repeated answers that agree (left-out ones not counted)
    answers: np.ndarray  # per cluster of ``data``: repeated answers compared


def reliability(
    data: pd.DataFrame | ConjointData,
    outcome: str | None = None,
    features: Sequence[str] | None = None,
    *,
    id: str | None = None,
    task: str | None = None,
    repeated: str,
    weights: str | None = None,
    levels: Mapping[str, Sequence[str]] | None = None,
    baselines: Mapping[str, str] | None = None,
    design: Design | None = None,
) -> Reliability:
    """The IRR from the repeated tasks (see the module); ``repeated`` names the column that gives,
    on a repeated task's rows, the number of the task it repeats."""
    cj = as_conjoint(data, outcome, features, id=id, weights=weights, levels=levels, baselines=baselines, design=design)
    return split_repeats(cj, task, repeated).reliability


def corrected(
    data: pd.DataFrame | ConjointData,
    outcome: str | None = None,
    features: Sequence[str] | None = None,
    *,
    statistic: Statistic = "mm",
    id: str | None = None,
    task: str | None = None,
    repeated: str,
    weights: str | None = None,
    levels: Mapping[str, Sequence[str]] | None = None,
    baselines: Mapping[str, str] | None = None,
    design: Design | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Marginal means or AMCEs, uncorrected and corrected for measurement error, stacked.

    Returns cregg's columns with ``statistic`` ``"mm"`` and ``"mm_corrected"`` (or ``"amce"`` and
    ``"amce_corrected"``) and a last column ``tau``; estimated without the repeated tasks' rows,
    with cregg's respondent-clustered variance. Other parameters as :func:`reliability`.
    """
    check_alpha(alpha)
    if statistic not in ("amce", "mm"):
        raise ConjointError([Problem("statistic", f"unknown statistic '{statistic}'", "use 'amce' or 'mm'")])
    cj = as_conjoint(data, outcome, features, id=id, weights=weights, levels=levels, baselines=baselines, design=design)
    split = split_repeats(cj, task, repeated)
    found, main = split.reliability, split.data
    main.check_sample()
    if statistic == "mm":
        rows = _mm_rows(main, found.tau, split.tau_influence)
    else:
        rows = _amce_rows(main, found.tau, split.tau_influence)
    names, level_names, raw, raw_se, fixed, fixed_se = zip(*rows, strict=True)
    plain = labelled(
        tidy(names, level_names, raw, raw_se, alpha, h0=0.5 if statistic == "mm" else 0.0), cj.outcome, statistic
    )
    right = labelled(
        tidy(names, level_names, fixed, fixed_se, alpha, h0=0.5 if statistic == "mm" else 0.0),
        cj.outcome,
        f"{statistic}_corrected",
    )
    table = pd.concat([plain, right], ignore_index=True)
    table["tau"] = found.tau
    return table


def _mm_rows(cj: ConjointData, tau: float, tau_influence: np.ndarray) -> list[tuple]:
    rows = []
    scale = 1.0 / (1.0 - 2.0 * tau)
    for feature in cj.features:
        mean, totals, m = domain_totals(cj, feature)
        for code, level in enumerate(feature.levels):
            # g = (mm - tau) / (1 - 2 tau): dg/dmm = scale, dg/dtau = (2 mm - 1) scale^2
            g_influence = scale * totals[:, code] + (2 * mean[code] - 1) * scale**2 * tau_influence
            rows.append(
                (
                    feature.name,
                    level,
                    mean[code],
                    np.sqrt(m / (m - 1) * totals[:, code] @ totals[:, code]),
                    (mean[code] - tau) * scale,
                    np.sqrt(m / (m - 1) * g_influence @ g_influence),
                )
            )
    return rows


def _amce_rows(cj: ConjointData, tau: float, tau_influence: np.ndarray) -> list[tuple]:
    pairs = [p for p in (cj.design.pairs if cj.design else []) if set(p) <= set(cj.feature_names)]
    model, combinations = amce_combinations(cj, pairs, "cregg")
    assert cj.clusters is not None  # reliability needs respondent ids
    per_cluster = influence(DummyDesign(amce_terms(cj, pairs)), model, cj.y, cj.weights, cj.clusters)
    per_cluster -= per_cluster.mean(axis=0)
    m = cj.n_clusters
    scale = 1.0 / (1.0 - 2.0 * tau)
    rows = []
    for (name, level), (baseline, weights) in combinations.items():
        if level == baseline:
            rows.append((name, level, 0.0, np.nan, 0.0, np.nan))
            continue
        estimate, error = combine(model, weights)
        if not weights:
            rows.append((name, level, estimate, error, np.nan, np.nan))
            continue
        own = per_cluster[:, list(weights)] @ np.array(list(weights.values()))
        # g = amce / (1 - 2 tau): dg/damce = scale, dg/dtau = 2 amce scale^2
        g_influence = scale * own + 2 * estimate * scale**2 * tau_influence
        rows.append((name, level, estimate, error, estimate * scale, np.sqrt(m / (m - 1) * g_influence @ g_influence)))
    return rows


def split_repeats(cj: ConjointData, task: str | None, repeated: str) -> Repeats:
    """The reliability of the repeated tasks (marked in column ``repeated``, ``task`` the task
    number column, by default the data's), and the data without them."""
    task = task or cj.task
    problems = []
    if cj.id is None:
        problems.append(Problem("id", "the reliability needs respondent ids", "name the respondent id column"))
    if task is None:
        problems.append(Problem("task", "the reliability needs the task column", "name the task number column"))
    for column in [c for c in (task, repeated) if c]:
        if column not in cj.frame.columns:
            problems.append(
                Problem(
                    f"column '{column}'",
                    "no such column in the data",
                    f"use one of {known_list([str(c) for c in cj.frame.columns])}",
                )
            )
    if problems:
        raise ConjointError(problems, source=cj.source)
    assert cj.id is not None and task is not None
    is_repeat = cj.frame[repeated].notna().to_numpy()
    if not is_repeat.any():
        raise ConjointError(
            [
                Problem(
                    f"column '{repeated}'", "no row is marked as a repeated task", "give the task each repeat repeats"
                )
            ],
            source=cj.source,
        )
    cj.require_binary(cj.y, "a forced choice's outcome", "code the chosen profile 1 and the other 0")
    ids = np.array([as_text(v) for v in cj.frame[cj.id]], dtype=object)
    tasks = np.array([as_text(v) for v in cj.frame[task]], dtype=object)
    repeats = np.array(
        [as_text(v) if r else "" for v, r in zip(cj.frame[repeated], is_repeat, strict=True)], dtype=object
    )
    # each profile as one number: its levels' codes in mixed radix
    profiles = np.zeros(cj.n_rows, dtype=np.int64)
    for feature in cj.features:
        profiles = profiles * len(feature.levels) + feature.codes
    table = pd.DataFrame({"id": ids, "task": tasks, "repeats": repeats, "profile": profiles, "y": cj.y})
    table["row"] = np.arange(cj.n_rows)
    if _is_forced_choice(table):
        respondents, agree, answers, n_identical = _choice_agreement(cj, table, is_repeat, repeated)
    else:
        respondents, agree, answers, n_identical = _answer_agreement(cj, table, is_repeat, repeated)
    kept = np.flatnonzero(~is_repeat)
    main = cj.take(kept)
    # each repeating respondent's weight and cluster in the data without the repeats
    first_row = table[is_repeat].groupby("id")["row"].first()
    w = np.ones(len(agree)) if cj.weights is None else unit_scale(cj.weights)[first_row[respondents].to_numpy()]
    irr = float(w @ agree / (w @ answers))
    u = w * (agree - irr * answers) / (w @ answers)  # each respondent's influence on the IRR
    n = len(agree)
    irr_se = float(np.sqrt(n / (n - 1) * (u @ u))) if n > 1 else np.nan
    if not irr > 0.5:
        raise ConjointError(
            [
                Problem(
                    f"column '{repeated}'",
                    f"the repeated tasks agree {irr:.1%} of the time, no more than chance (50%), so the error "
                    "rate cannot be estimated",
                    "check the repeated task's coding (its profiles are swapped; its choice is of the same profile)",
                )
            ],
            source=cj.source,
        )
    root = np.sqrt(2 * irr - 1)
    tau = float((1 - root) / 2)
    d_tau = -1 / (2 * root)  # dtau / dIRR
    tau_se = float(abs(d_tau) * irr_se)
    main_ids = np.array([as_text(v) for v in main.frame[cj.id]], dtype=object)
    assert main.clusters is not None
    code_of = dict(zip(main_ids, main.clusters, strict=True))
    codes = pd.Series(respondents, dtype=object).map(code_of).to_numpy()
    known = pd.notna(codes)  # a respondent with rows of the repeated task only has no cluster
    where = codes[known].astype(np.int64)
    tau_influence, agreed, compared = (
        np.bincount(where, weights=values[known], minlength=main.n_clusters) for values in (d_tau * u, agree, answers)
    )
    found = Reliability(irr, irr_se, tau, tau_se, n, int(agree.sum()), n_identical, int(answers.sum()))
    return Repeats(found, main, kept, tau_influence, agreed, compared)


def _choice_agreement(
    cj: ConjointData, table: pd.DataFrame, is_repeat: np.ndarray, repeated: str
) -> tuple[list[str], np.ndarray, np.ndarray, int]:
    """A forced choice: per respondent, whether the repeated task's choice is the original's
    (one answer each), and the repeated tasks of two identical profiles left out."""
    tasks_shown = _tasks(table[~is_repeat], "task")
    repeats_shown = _tasks(table[is_repeat], "repeats")
    paired = repeats_shown.merge(tasks_shown, how="left", left_index=True, right_index=True, suffixes=("", "_original"))
    missing = paired["low_original"].isna().to_numpy()
    differ = ~missing & np.asarray(
        (paired["low"] != paired["low_original"]) | (paired["high"] != paired["high_original"])
    )
    for bad, what in (
        (missing, "repeats a task the respondent was not shown"),
        (differ, "does not show the same two profiles as the task it repeats"),
    ):
        if bad.any():
            key = paired.index[int(np.flatnonzero(bad)[0])]
            rows = table[is_repeat & (table["id"] == key[0]).to_numpy() & (table["repeats"] == key[1]).to_numpy()]
            raise ConjointError(
                [
                    Problem(
                        f"column '{repeated}'",
                        f"the repeated task in {cj.row_names(rows['row'].to_numpy())} {what}",
                        "give on a repeated task's rows the number of the task it repeats, with the same profiles",
                    )
                ],
                source=cj.source,
            )
    respondents = [key[0] for key in paired.index]
    if len(set(respondents)) < len(respondents):
        raise ConjointError(
            [
                Problem(
                    f"column '{repeated}'", "a respondent has more than one repeated task", "keep one per respondent"
                )
            ],
            source=cj.source,
        )
    # two identical profiles: choosing either is the same choice, so agreement says nothing
    informative = (paired["low"] != paired["high"]).to_numpy()
    n_identical = int((~informative).sum())
    paired = paired[informative]
    respondents = [key[0] for key in paired.index]
    if len(paired) < 2:
        raise ConjointError(
            [
                Problem(
                    f"column '{repeated}'",
                    f"{len(paired)} repeated task(s) of two different profiles: too few to estimate the reliability",
                    "field the repeated task to more respondents",
                )
            ],
            source=cj.source,
        )
    agree = (paired["chosen"] == paired["chosen_original"]).to_numpy(float)
    return respondents, agree, np.ones(len(agree)), n_identical


def _answer_agreement(
    cj: ConjointData, table: pd.DataFrame, is_repeat: np.ndarray, repeated: str
) -> tuple[list[str], np.ndarray, np.ndarray, int]:
    """A yes/no answer (or 0/1 rating) per profile: per respondent, how many of the repeated
    task's answers are the answers given to the same profiles in the task it repeats, of how many.
    A profile the original task showed twice cannot be paired: left out (counted as identical)."""
    shown = table[~is_repeat].assign(n=1).groupby(["id", "task", "profile"]).agg(y=("y", "first"), n=("n", "sum"))
    again = table[is_repeat].set_index(["id", "repeats", "profile"])
    again.index.names = ["id", "task", "profile"]
    paired = again.merge(shown.rename(columns={"y": "y_original"}), how="left", left_index=True, right_index=True)
    missing = paired["y_original"].isna().to_numpy()
    if missing.any():
        row = int(paired["row"].to_numpy()[np.flatnonzero(missing)[0]])
        raise ConjointError(
            [
                Problem(
                    f"column '{repeated}'",
                    f"the repeated task in {cj.row_names(np.array([row]))} shows a profile the task it repeats did not",
                    "give on a repeated task's rows the number of the task it repeats, with the same profiles",
                )
            ],
            source=cj.source,
        )
    per_respondent = table[is_repeat].groupby("id")["repeats"].nunique()
    if (per_respondent > 1).any():
        raise ConjointError(
            [
                Problem(
                    f"column '{repeated}'", "a respondent has more than one repeated task", "keep one per respondent"
                )
            ],
            source=cj.source,
        )
    single = (paired["n"] == 1).to_numpy()
    n_identical = int((~single).sum())
    paired = paired[single]
    same = (paired["y"] == paired["y_original"]).astype(float)
    grouped = same.groupby(level="id")
    agree, answers = grouped.sum(), grouped.size()
    if answers.sum() < 2:
        raise ConjointError(
            [
                Problem(
                    f"column '{repeated}'",
                    f"{int(answers.sum())} repeated answer(s): too few to estimate the reliability",
                    "field the repeated task to more respondents",
                )
            ],
            source=cj.source,
        )
    return list(agree.index), agree.to_numpy(float), answers.to_numpy(float), n_identical


def _is_forced_choice(table: pd.DataFrame) -> bool:
    """Whether every task is a choice of one profile out of two (the other layout: an answer per
    profile)."""
    per_task = table.groupby(["id", "task"]).agg(n=("y", "size"), chosen=("y", "sum"))
    if ((per_task["n"] == 2) & (per_task["chosen"] == 1)).all():
        return True
    if (per_task["chosen"] <= 1).all() and (per_task["chosen"] == 0).any() and (per_task["n"] > 1).any():
        first = per_task.index[int(np.flatnonzero((per_task["chosen"] == 0).to_numpy())[0])]
        rows = table[(table["id"] == first[0]) & (table["task"] == first[1])]["row"].to_numpy()
        raise ConjointError(
            [
                Problem(
                    "data",
                    f"the tasks look like a choice with an opt-out (none chosen in {rows.size} rows of respondent "
                    f"{first[0]}, task {first[1]}); the measurement-error correction is for a forced choice "
                    "between two profiles or for a yes/no answer to each profile",
                    "analyse a forced choice or yes/no answers, or estimate without --repeated",
                )
            ]
        )
    return False


def _tasks(table: pd.DataFrame, task: str) -> pd.DataFrame:
    """Per respondent and task: its two profiles (as numbers, the lower and the higher) and the
    chosen one."""
    grouped = table.groupby(["id", task])["profile"]
    out = pd.DataFrame({"low": grouped.min(), "high": grouped.max()})
    out["chosen"] = table[table["y"] == 1].set_index(["id", task])["profile"]
    out.index.names = ["id", "task"]
    return out
