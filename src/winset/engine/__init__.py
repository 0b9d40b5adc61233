"""The deal engine: exact analyses of the joint win-set, on ScoreTables (:mod:`winset.scoretable`).

It knows ScoreTables, never surveys or scenario files.

==========================  ===========================================================================
:mod:`.problem`             the deal problem: package space, publics, negotiators; exact quantities
:mod:`.rules`               ratification rules: shares, groups' consent, double majorities, chambers, steps
:mod:`.verdicts`            what a rule says of a package, vote by vote; the veto player that decides it
:mod:`.criteria`            objectives and feasibility tests
:mod:`.enumeration`         every deal, in chunks; when the analyses enumerate rather than search
:mod:`.topk`                the k best packages found so far, ties broken by package index
:mod:`.search`              branch and bound (:mod:`.bounds`, :mod:`.linear_bound`, :mod:`.completions`)
:mod:`.distributed`         searches in process or on a Dask cluster, with identical results
:mod:`.pareto`              Pareto frontiers of the negotiators' utilities
:mod:`.joint`               the joint win-set, and packages described against it
:mod:`.recommendations`     recommended deals under each criterion
:mod:`.frontier_table`      the frontiers as tables
:mod:`.gap`                 the ratification gap and the opinion shift a package needs
:mod:`.repair`              assessment and repair of a proposal, improvement of an agreed package
:mod:`.solution`            everything at once: :func:`solve`
==========================  ===========================================================================
"""

from .frontier_table import frontiers
from .gap import Gap, ratification_gap
from .joint import describe
from .problem import DealProblem, Negotiator, Public
from .recommendations import recommend
from .repair import Assessment, assess, improve
from .rules import WHOLE, Rule, Vote
from .solution import Solution, solve

__all__ = [
    "WHOLE",
    "Assessment",
    "DealProblem",
    "Gap",
    "Negotiator",
    "Public",
    "Rule",
    "Solution",
    "Vote",
    "assess",
    "describe",
    "frontiers",
    "improve",
    "ratification_gap",
    "recommend",
    "solve",
]
