"""The shape of a scenario file, as pydantic models.

These models check structure only: keys, types, ranges. Whether names refer to things that exist
(an option of the status quo, an issue in a constraint) is checked in :mod:`winset.scenario.checks`,
so that a file with many mistakes gets all of them reported at once; :meth:`Scenario.from_dict`
runs both and reports every problem in the order of the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, PrivateAttr, ValidationError

from ..errors import PackageError, Problem, ScenarioError, did_you_mean, known_list
from ..space import STATUS_QUO_WORD, PackageSpace
from .checks import package_problems, reference_problems
from .polls import MAX_SAMPLE
from .problems import file_order, pydantic_problems
from .rules_model import Groups, RuleSpec
from .strict import _Strict
from .talks_model import Talks
from .values import Id, Label, Language, Number, OptionIds, Reservation, Text


class Meta(_Strict):
    """The ``[scenario]`` table: what the scenario is about and in which languages it is labelled."""

    id: Id
    title: Label
    description: str | None = None
    languages: list[Language] = Field(default_factory=lambda: ["en"], min_length=1)
    sources: list[Text] = Field(default_factory=list)


class Option(_Strict):
    """One option of an issue."""

    id: Id
    label: Label | None = None
    description: str | None = None


class Issue(_Strict):
    """One dimension of a settlement, with its finite list of options."""

    id: Id
    label: Label | None = None
    description: str | None = None
    options: list[Option] = Field(min_length=1)


class Constraint(_Strict):
    """A combination of options that no package may contain.

    A package breaks the constraint when, for every issue named in ``forbid``, its option is one of
    the options listed there.
    """

    id: Id
    reason: Label
    forbid: dict[Id, OptionIds] = Field(min_length=1)


class Utility(_Strict):
    """A negotiator's additive utility: sum over issues of ``weights[issue] * scores[issue][option]``.

    Issues without a weight count 0. Weights are not rescaled; scores are on any scale the analyst
    elicited them on (0 to 1 or 0 to 100, as negotiation support systems do).
    """

    weights: dict[Id, Annotated[Number, Field(ge=0)]] = Field(min_length=1)
    scores: dict[Id, dict[Id, Number]] = Field(min_length=1)


class DataSource(_Strict):
    """Where a ratifier's support model learns from; paths are relative to the scenario file.

    ``survey`` is respondent-level conjoint data (CSV or Parquet, one row per profile shown, one
    column per issue holding option ids or labels). ``model`` says how support is learned from it:
    ``binary`` (a yes/no support answer per profile, column ``outcome``, default ``support``) or
    ``choice`` (a choice between profiles and, with ``optout``, the status quo; column ``outcome``,
    default ``chosen``). ``repeated`` names the survey's column that marks a repeated task (its
    profiles swapped): on its rows, the number of the task it repeats, empty elsewhere. Those rows
    estimate how often answers are flipped, and ``winset fit`` reports the support corrected for it;
    the model is fitted without them (a choice with ``optout`` cannot be corrected). ``provenance``
    says plainly where the data come from (shown with every result based on them).
    """

    survey: Text | None = None
    model: Literal["binary", "choice"] = "binary"
    outcome: Text | None = None
    cutoff: Number | None = None
    respondent: Text = "respondent"
    task: Text = "task"
    profile: Text = "profile"
    repeated: Text | None = None
    covariates: list[Text] = Field(default_factory=list)
    interactions: list[list[Text]] = Field(default_factory=list)
    optout: bool = True
    provenance: str | None = None
    polls: Text | None = None
    polls_where: dict[Id, str | int] | None = None

    @property
    def outcome_column(self) -> str:
        return self.outcome or ("support" if self.model == "binary" else "chosen")


class CalibrationTarget(_Strict):
    """A poll topline the ratifier's support model must reproduce: line ``line`` of the polls
    file, read as support for ``package`` (package text or a proposal id). ``side = "against"``
    reads the share as opposition, implying support ``1 - share - dont_know``. ``n`` overrides the
    poll's sample size (needed where the file says "unknown")."""

    line: Annotated[int, Field(ge=2)]
    package: Text
    side: Literal["for", "against"] = "for"
    dont_know: Annotated[Number, Field(ge=0, lt=1)] = 0.0
    n: Annotated[int, Field(ge=1, le=MAX_SAMPLE)] | None = None
    label: str | None = None


Range = Annotated[list[Number], Field(min_length=3, max_length=3)]


class Prior(_Strict):
    """What is believed of a public without a survey before its polls are read: the prior of its
    Bayesian additive support model (``logit support = a + sum of option effects``).

    ``kind`` is ``default`` (stated weakly informative priors), ``elicitation`` (judgement: in
    ``status_quo`` the support for the status quo package, and in ``options`` each option's effect
    against its issue's status quo option, each as ``[central, low, high]`` with low to high a 90%
    range; ``scale = "points"`` writes support and effects as fractions, 0.05 for 5 points, and
    ``"logit"`` on the logit scale) or ``table`` (a published AMCE or marginal-means table, CSV with
    columns feature, level, estimate, std_error, in support points; ``estimate`` says which; the
    effects are read against the status quo option at the ``status_quo`` support, else at 50%).
    Options it does not name keep the default prior. ``source`` says where the judgement or the
    table comes from.
    """

    kind: Literal["default", "elicitation", "table"] = "default"
    scale: Literal["points", "logit"] = "points"
    status_quo: Range | None = None
    options: dict[Id, dict[Id, Range]] = Field(default_factory=dict)
    table: Text | None = None
    estimate: Literal["amce", "mm"] = "amce"
    source: str | None = None


class Ratifier(_Strict):
    """A public or other veto player whose consent a party needs.

    ``required = false`` marks a ratifier that is analysed and reported but does not bind the joint
    win-set unless an analysis asks for it (e.g. residents of a disputed territory).
    ``rule`` says what the ratifier needs (:mod:`winset.scenario.rules_model`): a share of the
    whole public, or the consent of its ``groups``, a double majority, a chamber whose blocs
    follow their voters, or several steps.
    ``population`` gives the population margins to rake respondents to
    (``{covariate: {level: share}}``); ``calibration`` the poll toplines to match (for a public
    without a survey, the polls its additive model learns from, with the ``prior``).
    """

    id: Id
    label: Label | None = None
    description: str | None = None
    required: bool = True
    rule: RuleSpec
    groups: Groups | None = None
    data: DataSource
    population: dict[Text, dict[Text, Annotated[Number, Field(ge=0, le=1)]]] = Field(default_factory=dict)
    calibration: list[CalibrationTarget] = Field(default_factory=list)
    prior: Prior | None = None


class Party(_Strict):
    """A negotiating side: its negotiator's utility, reservation value and ratifiers."""

    id: Id
    label: Label | None = None
    reservation: Reservation = "status_quo"
    utility: Utility
    ratifiers: list[Ratifier] = Field(min_length=1)


class Proposal(_Strict):
    """A named package worth analysing (a historic offer, a mediator's draft)."""

    id: Id
    label: Label | None = None
    package: Text
    source: str | None = None


class Scenario(_Strict):
    """A whole scenario: issues and options, status quo, constraints, parties, ratifiers, proposals.

    Build one with :func:`winset.scenario.load_scenario` (from a TOML file) or
    :meth:`Scenario.from_dict`; both check cross-references and report every problem at once.
    Calling the pydantic constructor directly checks structure only.
    """

    scenario: Meta
    issues: list[Issue] = Field(min_length=1)
    status_quo: dict[Id, Id]
    constraints: list[Constraint] = Field(default_factory=list)
    parties: list[Party] = Field(min_length=1)
    proposals: list[Proposal] = Field(default_factory=list)
    talks: Talks = Field(default_factory=Talks)

    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
    _source: Path | None = PrivateAttr(default=None)

    @classmethod
    def from_dict(
        cls, document: Mapping[str, Any], base_dir: str | Path | None = None, source: str | Path | None = None
    ) -> Scenario:
        """Validate a scenario given as a dictionary (the parsed TOML); raise ScenarioError with
        every problem found, in the order of the file.

        ``base_dir`` is where relative data paths start (default: the current directory);
        ``source`` the file the document was read from, to name in problems.
        """
        base = Path(base_dir) if base_dir is not None else Path.cwd()
        problems: list[Problem] = []
        scenario = None
        try:
            scenario = cls.model_validate(document)
        except ValidationError as error:
            problems += pydantic_problems(error, document, cls)
        problems += reference_problems(document, base)
        if problems:
            raise ScenarioError(sorted(problems, key=file_order(document)), source=source)
        assert scenario is not None
        scenario._base_dir = base.resolve()
        scenario._source = Path(source).resolve() if source is not None else None
        problems = package_problems(scenario)
        if problems:
            raise ScenarioError(problems, source=source)
        return scenario

    @property
    def source(self) -> Path | None:
        """The scenario file it was loaded from (None for a scenario given as a dictionary)."""
        return self._source

    def files(self) -> list[Path]:
        """Every file the scenario reads: the scenario file itself and each ratifier's data."""
        data = [
            self.data_path(name)
            for _, ratifier in self.ratifiers
            for name in (ratifier.data.survey, ratifier.data.polls)
            if name is not None
        ]
        return ([self._source] if self._source is not None else []) + list(dict.fromkeys(data))

    @property
    def base_dir(self) -> Path:
        """Directory that relative data paths in the scenario start from."""
        return self._base_dir

    @property
    def languages(self) -> list[str]:
        return self.scenario.languages

    @cached_property
    def space(self) -> PackageSpace:
        """The package space: issues, options, constraints and status quo, encoded as integers."""
        return PackageSpace(
            [(issue.id, [option.id for option in issue.options]) for issue in self.issues],
            status_quo=self.status_quo,
            constraints=[(c.id, c.forbid) for c in self.constraints],
        )

    def issue(self, issue_id: str) -> Issue:
        return _by_id(self.issues, issue_id, "issue")

    def party(self, party_id: str) -> Party:
        return _by_id(self.parties, party_id, "party")

    def proposal(self, proposal_id: str) -> Proposal:
        return _by_id(self.proposals, proposal_id, "proposal")

    def ratifier(self, ratifier_id: str) -> Ratifier:
        return _by_id([r for _, r in self.ratifiers], ratifier_id, "ratifier")

    def named_packages(self) -> dict[str, tuple[int, ...]]:
        """The status quo (named ``status_quo``) and every proposal, by name, as codes."""
        space = self.space
        return {STATUS_QUO_WORD: space.status_quo} | {p.id: space.parse(p.package) for p in self.proposals}

    def resolve_package(self, reference: str, where: str = "--package") -> str:
        """Package text for a proposal id, or the text itself (a single word that is no proposal
        id, other than ``status_quo``, is refused with the ids the scenario has)."""
        for proposal in self.proposals:
            if proposal.id == reference:
                return proposal.package
        word = reference.strip()
        if word and "=" not in word and "," not in word and word != STATUS_QUO_WORD:
            ids = [p.id for p in self.proposals]
            raise PackageError(
                [
                    Problem(
                        where,
                        f"'{word}' is not a proposal of this scenario{did_you_mean(word, ids)}",
                        f"give a proposal id ({known_list(ids)}), or a package as issue=option,...",
                    )
                ]
            )
        return reference

    @property
    def ratifiers(self) -> list[tuple[Party, Ratifier]]:
        """Every ratifier with the party it belongs to, in file order."""
        return [(party, ratifier) for party in self.parties for ratifier in party.ratifiers]

    def location(self, ratifier_id: str) -> str:
        """Where a ratifier is in the scenario file, as problems name it (``parties[1].ratifiers[0]``)."""
        for i, party in enumerate(self.parties):
            for j, ratifier in enumerate(party.ratifiers):
                if ratifier.id == ratifier_id:
                    return f"parties[{i}].ratifiers[{j}]"
        raise KeyError(f"no ratifier '{ratifier_id}'")

    def data_path(self, relative: str) -> Path:
        """A data path from the scenario, resolved against the scenario file's directory."""
        return (self.base_dir / relative).resolve()

    def text(self, item: Any, language: str | None = None) -> str:
        """The label of an item (issue, option, party, ...) in ``language``.

        Falls back to the scenario's first language, then to the item's id.
        """
        label = getattr(item, "label", None) if not isinstance(item, (str, dict)) else item
        if isinstance(label, str):
            return label
        if isinstance(label, dict):
            for lang in (language, *self.languages):
                if lang in label:
                    return label[lang]
        return getattr(item, "id", "")

    def option_names(self) -> dict[str, dict[str, str]]:
        """For each issue, its options by id and by label in every language -> option id (an id
        wins over another option's label of the same text): how data files may name options."""
        out = {}
        for issue in self.issues:
            names = {}
            for option in issue.options:
                label = option.label
                names.update(
                    {text: option.id for text in (label.values() if isinstance(label, dict) else [label]) if text}
                )
            names.update({option.id: option.id for option in issue.options})
            out[issue.id] = names
        return out

    def option_text(self, issue_id: str, option_id: str, language: str | None = None) -> str:
        issue = self.issue(issue_id)
        return self.text(_by_id(issue.options, option_id, f"option of issue '{issue_id}'"), language)


def _by_id(items: list[Any], item_id: str, what: str) -> Any:
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(f"no {what} '{item_id}'{did_you_mean(item_id, [i.id for i in items])}")
