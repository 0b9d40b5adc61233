"""Generate the worked example's survey data: simulated respondents calibrated to real polls.

No conjoint survey of Russians or Japanese on the Kuril Islands is public, so the bundled surveys
are SIMULATED. Each public gets a truth model (:class:`winset.support.simulate.TruthModel`) whose
option effects are assumptions (written below, each marked ASSUMPTION), with a few free
parameters solved so that the true population support of the polled packages equals the real
poll toplines in ``data/polls.csv`` (lines named below). Respondents are then drawn from it:
eight tasks of two valid packages each (see :func:`profiles` for the design), a yes/no support
answer per package, and a choice between the two and keeping the current situation.

    python -m winset.cli.kuril_data [--out FOLDER]

writes ``survey_ru.csv.gz``, ``survey_jp.csv.gz`` and ``survey_islands.csv.gz`` (reproducible byte
for byte from the seeds below) and prints how close each truth model came to its polls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy import optimize

from ..scenario import load_scenario
from ..scenarios import bundled_path
from ..space import PackageSpace, Sampler
from ..support.simulate import Covariate, TruthModel
from .surveys import check_out, write_survey

SEED = 20181122  # the Levada fieldwork of November 2018
TASKS = 8
ISLANDS = 4  # the first four issues are the island units
NO_TRANSFER_SHARE = 1 / 3  # ASSUMPTION (design): a third of profiles transfer nothing


def profiles(space: PackageSpace) -> Sampler:
    """The survey design: a third of the profiles leave every island Russian (only then can a
    profile go without a peace treaty, by the constraints), the rest transfer at least one unit;
    within each kind every valid package is equally likely. Drawn uniformly over valid packages,
    profiles without a treaty would be 27 in 34,479 and the status quo could not be estimated."""

    def draw(rng: np.random.Generator, n: int) -> np.ndarray:
        keep_all = rng.random(n) < NO_TRANSFER_SHARE
        out = np.empty((n, space.n_issues), dtype=np.int64)
        for kind, rows in ((True, np.flatnonzero(keep_all)), (False, np.flatnonzero(~keep_all))):
            found = np.empty((0, space.n_issues), dtype=np.int64)
            while len(found) < len(rows):
                candidates = rng.integers(0, space.n_options, size=(4 * len(rows) + 64, space.n_issues))
                if kind:
                    candidates[:, :ISLANDS] = 0  # the status quo: Russian sovereignty
                candidates = candidates[space.is_valid(candidates)]
                transfers = (candidates[:, :ISLANDS] != 0).any(axis=1)
                found = np.vstack([found, candidates[~transfers if kind else transfers]])
            out[rows] = found[: len(rows)]
        return out

    return draw


# Packages the polls asked about, as the scenario's package text (the reading of each question as
# a package is an ASSUMPTION, also stated in scenario.toml).
PACKAGES = {
    "declaration_1956": "habomai=japan,shikotan=japan,treaty=signed",
    "all_four": "habomai=japan,shikotan=japan,kunashir=japan,iturup=japan,treaty=signed",
    "joint_administration": "habomai=joint,shikotan=joint,kunashir=joint,iturup=joint,treaty=signed",
    "phased_return": "habomai=japan,shikotan=japan,kunashir=japan_phased,iturup=japan_phased,treaty=signed",
    "two_plus_alpha": "habomai=japan,shikotan=japan,treaty=signed,economy=special_regime,exchanges=restored",
    "economy_only": "economy=special_regime",
    "treaty_only": "treaty=signed",
    "exchanges_only": "exchanges=restored",
}


def russian_public(space: PackageSpace) -> tuple[TruthModel, dict[str, float]]:
    """Russian adults. Targets: 1956 terms 17% for [polls.csv:5]; all four islands 7% for
    [polls.csv:2]; joint administration 12% [polls.csv:11]; and a treaty that transfers nothing
    30% (ASSUMPTION: no poll asked; many would not care)."""
    truth = TruthModel(
        space,
        alpha=0.0,  # solved
        effects={  # ASSUMPTION: every effect below (logit scale, against the status-quo option)
            "habomai": {"japan": -1.0, "joint": -0.5},
            "shikotan": {"japan": -1.2, "joint": -0.6},
            "kunashir": {"japan": -1.6, "japan_phased": -1.3, "joint": -0.8},
            "iturup": {"japan": -1.8, "japan_phased": -1.5, "joint": -0.9},
            "treaty": {"signed": 0.0},  # solved
            "security": {"no_foreign_forces": 0.4, "demilitarised": 0.2},
            "residents": {"choose_citizenship": -0.3, "resettle": -0.9},
            "economy": {"russian_law": 0.5, "special_regime": 0.1},
            "fishing": {"larger_quotas": -0.2, "joint_management": -0.3},
            "exchanges": {"restored": 0.3, "open_travel": 0.2},
        },
        sd={"kunashir": {"japan": 0.5}, "iturup": {"japan": 0.5}},  # ASSUMPTION
        intercept_sd=1.0,  # ASSUMPTION
        covariates={  # population shares ASSUMPTION (approximate census margins); sample shares ASSUMPTION
            "age": Covariate(("18-34", "35-54", "55+"), (0.27, 0.34, 0.39), (0.35, 0.35, 0.30)),
            "sex": Covariate(("female", "male"), (0.54, 0.46), (0.50, 0.50)),
            "region": Covariate(("far_east", "other"), (0.055, 0.945), (0.10, 0.90)),
        },
        shifts={"age": {"18-34": 0.4, "35-54": 0.1}, "sex": {"male": -0.1}},  # ASSUMPTION
        # joint administration is more popular in the Far East: 20% against 12% [polls.csv:11 note]
        interactions={
            (island, "region"): {("joint", "far_east"): 0.25}
            for island in ("habomai", "shikotan", "kunashir", "iturup")
        },
    )
    targets = {"declaration_1956": 0.17, "all_four": 0.07, "joint_administration": 0.12, "treaty_only": 0.30}
    return _solve(truth, targets, _russian_free, [0.0, 0.5, 1.0, 1.0, 1.0]), targets


def _russian_free(truth: TruthModel, x: np.ndarray) -> TruthModel:
    """Free parameters: the intercept, the treaty effect, and scales on the transfer effects of
    the small islands, the large islands and joint administration."""
    alpha, treaty, small, large, joint = x
    effects = {k: dict(v) for k, v in truth.effects.items()}
    for island, scale in (("habomai", small), ("shikotan", small), ("kunashir", large), ("iturup", large)):
        for option in effects[island]:
            effects[island][option] *= joint if option == "joint" else scale
    effects["treaty"] = {"signed": treaty}
    return replace(truth, alpha=alpha, effects=effects)


def island_residents(space: PackageSpace) -> tuple[TruthModel, dict[str, float]]:
    """Adult residents of the four units. Target: handing the islands over, 2% for
    [polls.csv:15] (read as all four, ASSUMPTION); and, with no poll to go on (ASSUMPTION), the 1956
    terms 10%, a treaty that transfers nothing 30%, restored visa-free exchanges alone 60%."""
    truth = TruthModel(
        space,
        alpha=0.0,
        effects={  # ASSUMPTION: residents weigh transfers and their own status more than other Russians
            "habomai": {"japan": -1.5, "joint": -0.8},
            "shikotan": {"japan": -2.0, "joint": -1.0},
            "kunashir": {"japan": -2.2, "japan_phased": -1.9, "joint": -1.1},
            "iturup": {"japan": -2.2, "japan_phased": -1.9, "joint": -1.1},
            "treaty": {"signed": 0.0},
            "security": {"no_foreign_forces": 0.3, "demilitarised": 0.1},
            "residents": {"choose_citizenship": -0.5, "resettle": -2.0},
            "economy": {"russian_law": 0.8, "special_regime": 0.3},
            "fishing": {"larger_quotas": -0.4, "joint_management": -0.2},
            "exchanges": {"restored": 0.4, "open_travel": 0.3},
        },
        intercept_sd=0.8,  # ASSUMPTION
    )
    targets = {"all_four": 0.02, "declaration_1956": 0.10, "treaty_only": 0.30, "exchanges_only": 0.60}
    return _solve(truth, targets, _residents_free, [0.0, 0.0, 1.0, 0.3]), targets


def _residents_free(truth: TruthModel, x: np.ndarray) -> TruthModel:
    """Free parameters: intercept, treaty effect, and scales on the transfer effects of the small
    and of the large islands."""
    alpha, treaty, small, large = x
    effects = {k: dict(v) for k, v in truth.effects.items()}
    for island, scale in (("habomai", small), ("shikotan", small), ("kunashir", large), ("iturup", large)):
        effects[island] = {option: value * scale for option, value in effects[island].items()}
    effects["treaty"] = {"signed": treaty}
    return replace(truth, alpha=alpha, effects=effects)


def japanese_public(space: PackageSpace) -> tuple[TruthModel, dict[str, float]]:
    """Japanese adults. Targets: two islands first 50.0% [polls.csv:32], read as the phased return;
    two islands only 7.7% [polls.csv:34], read as the 1956 terms; Shikotan and Habomai with joint
    economic activity 38% for [polls.csv:41], read as two plus alpha; joint economic activity alone
    57% for [polls.csv:21]. (All readings ASSUMPTION: a multiple-choice answer taken as support
    against the status quo.)"""
    truth = TruthModel(
        space,
        alpha=0.0,
        effects={  # ASSUMPTION: every effect below
            "habomai": {"japan": 0.6, "joint": 0.2},
            "shikotan": {"japan": 0.5, "joint": 0.15},
            "kunashir": {"japan": 1.0, "japan_phased": 0.7, "joint": 0.3},
            "iturup": {"japan": 1.1, "japan_phased": 0.8, "joint": 0.3},
            # a treaty that leaves Kunashir and Iturup Russian reads as renouncing the claim: solved
            "treaty": {"signed": 0.0},
            "security": {"no_foreign_forces": -0.2, "demilitarised": -0.3},
            "residents": {"choose_citizenship": 0.2, "resettle": -0.2},
            "economy": {"russian_law": -0.6, "special_regime": 0.0},  # special regime solved
            "fishing": {"larger_quotas": 0.4, "joint_management": 0.5},
            "exchanges": {"restored": 0.5, "open_travel": 0.6},
        },
        sd={  # ASSUMPTION: preferences over the large islands and the economy differ most
            "kunashir": {"japan": 0.6, "japan_phased": 0.6},
            "iturup": {"japan": 0.6, "japan_phased": 0.6},
            "economy": {"special_regime": 0.5},
        },
        intercept_sd=1.0,  # ASSUMPTION
        covariates={  # ASSUMPTION: population and sample shares
            "age": Covariate(("18-39", "40-59", "60+"), (0.28, 0.33, 0.39), (0.36, 0.38, 0.26)),
            "sex": Covariate(("female", "male"), (0.52, 0.48), (0.48, 0.52)),
            "region": Covariate(("hokkaido", "other"), (0.042, 0.958), (0.08, 0.92)),
        },
        shifts={"age": {"60+": -0.2}, "region": {"hokkaido": 0.2}},  # ASSUMPTION
    )
    targets = {"phased_return": 0.500, "declaration_1956": 0.077, "two_plus_alpha": 0.38, "economy_only": 0.57}
    return _solve(truth, targets, _japanese_free, [0.0, -1.0, 1.0, 1.0]), targets


def _japanese_free(truth: TruthModel, x: np.ndarray) -> TruthModel:
    """Free parameters: intercept, treaty effect, a scale on the transfers of the large islands
    (immediate and phased alike), and the effect of joint economic activity under a special regime."""
    alpha, treaty, large, economy = x
    effects = {k: dict(v) for k, v in truth.effects.items()}
    for island in ("kunashir", "iturup"):
        effects[island] = {option: value * large for option, value in effects[island].items()}
    effects["treaty"] = {"signed": treaty}
    effects["economy"]["special_regime"] = economy
    return replace(truth, alpha=alpha, effects=effects)


def _solve(
    truth: TruthModel,
    targets: dict[str, float],
    free: Callable[[TruthModel, np.ndarray], TruthModel],
    start: Sequence[float],
) -> TruthModel:
    """Solve the free parameters so that the truth's population support hits the targets."""
    codes = np.array([truth.space.parse(PACKAGES[name]) for name in targets])
    goal = np.array(list(targets.values()))
    result = optimize.least_squares(
        lambda x: free(truth, x).support(codes) - goal, start, xtol=1e-12, ftol=1e-12, gtol=1e-12
    )
    return free(truth, result.x)


PUBLICS = {
    # file: (truth, respondents, seed, prefix)
    "survey_ru.csv.gz": (russian_public, 1600, SEED, "RU"),
    "survey_jp.csv.gz": (japanese_public, 1600, SEED + 1, "JP"),
    "survey_islands.csv.gz": (island_residents, 500, SEED + 2, "IS"),
}


# the targets no poll gives (every other target is a topline of data/polls.csv)
ASSUMED_TARGETS = {
    "survey_ru.csv.gz": {"treaty_only"},
    "survey_islands.csv.gz": {"declaration_1956", "treaty_only", "exchanges_only"},
}


def generate(out: Path) -> dict[str, dict[str, tuple[float, float]]]:
    """Write the three surveys to ``out``; return, per file, each target and the truth's support.

    ``out`` must be a folder; each survey replaces a file of its name there, whole (written beside
    it first), and nothing is written if any of the three names is something else (a folder, a
    symbolic link, a device)."""
    check_out(out, PUBLICS)
    space = load_scenario(bundled_path("kuril")).space
    summary: dict[str, dict[str, tuple[float, float]]] = {}
    for name, (make, n, seed, prefix) in PUBLICS.items():
        truth, goals = make(space)
        frame = truth.simulate(n, TASKS, optout=True, seed=seed, respondent_prefix=prefix, profiles=profiles(space))
        write_survey(frame, out / name)
        codes = np.array([space.parse(PACKAGES[t]) for t in goals])
        summary[name] = dict(zip(goals, zip(goals.values(), truth.support(codes), strict=True), strict=True))
    return summary
