"""Cross-reference checks of a scenario document: names that must exist, ids that must be unique.

They read the raw document (the parsed TOML) and skip any part whose structure is broken, so that
they can run beside the structural validation and every problem in a file is reported at once.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .. import files
from ..compare import reservation_floor
from ..errors import PackageError, Problem, ScenarioError, did_you_mean, known_list
from ..space import parse_package
from . import polls
from .problems import context, format_location


def reference_problems(document: Mapping[str, Any], base_dir: Path) -> list[Problem]:
    """Every cross-reference problem in a scenario document, in file order."""
    check = _Checker(document, base_dir)
    check.languages()
    check.issues()
    check.status_quo()
    check.constraints()
    check.parties()
    check.proposals()
    check.talks()
    return check.problems


def _items(node: Any, key: str) -> list[tuple[int, Mapping[str, Any]]]:
    """(index, table) pairs of a list of tables, skipping anything that is not a table."""
    value = node.get(key) if isinstance(node, Mapping) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, Mapping)]


def _table(node: Any, key: str) -> Mapping[str, Any]:
    value = node.get(key) if isinstance(node, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _id(item: Mapping[str, Any]) -> str | None:
    value = item.get("id")
    return value if isinstance(value, str) else None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Checker:
    def __init__(self, document: Mapping[str, Any], base_dir: Path):
        self.doc = document
        self.base_dir = base_dir
        self.problems: list[Problem] = []
        self.options: dict[str, list[str]] = {}  # issue id -> option ids, for issues that parse
        self.status: dict[str, str] | None = None  # the status quo, when it is complete and valid

    def add(self, loc: tuple, message: str, fix: str) -> None:
        self.problems.append(Problem(format_location(loc), context(self.doc, loc) + message, fix))

    # -------------------------------------------------------------- labels and languages
    def languages(self) -> None:
        meta = _table(self.doc, "scenario")
        langs = meta.get("languages", ["en"])
        self.langs = [x for x in langs if isinstance(x, str)] if isinstance(langs, list) else []
        self._duplicates([(("scenario", "languages", i), x) for i, x in enumerate(self.langs)], "language")
        self.label(("scenario", "title"), meta.get("title"))

    def label(self, loc: tuple, label: Any) -> None:
        """A label table must give every declared language and no other."""
        if not isinstance(label, Mapping) or not self.langs:
            return
        for lang in label:
            if lang not in self.langs:
                self.add(
                    (*loc, lang),
                    f"label in language '{lang}', which scenario.languages does not declare"
                    + did_you_mean(lang, self.langs),
                    f"use one of {known_list(self.langs)}, or add '{lang}' to scenario.languages",
                )
        missing = [lang for lang in self.langs if lang not in label]
        if missing:
            additions = ", ".join(f'{lang} = "..."' for lang in missing)
            self.add(
                loc,
                f"label has no text in {known_list(missing)}",
                f"add {additions} (scenario.languages asks for every label in each)",
            )

    def unique_ids(self, prefix: tuple, items: list[tuple[int, Mapping[str, Any]]], what: str) -> None:
        self._duplicates([((*prefix, i, "id"), _id(item)) for i, item in items if _id(item)], what)

    def _duplicates(self, entries: list[tuple[tuple, str]], what: str) -> None:
        first: dict[str, tuple] = {}
        for loc, value in entries:
            if value in first:
                self.add(
                    loc,
                    f"duplicate {what} id '{value}' (first at {format_location(first[value])})",
                    f"give every {what} its own id",
                )
            else:
                first[value] = loc

    # -------------------------------------------------------------- issues and options
    def issues(self) -> None:
        issues = _items(self.doc, "issues")
        self.unique_ids(("issues",), issues, "issue")
        for i, issue in issues:
            self.label(("issues", i, "label"), issue.get("label"))
            options = _items(issue, "options")
            self.unique_ids(("issues", i, "options"), options, "option")
            for j, option in options:
                self.label(("issues", i, "options", j, "label"), option.get("label"))
            issue_id = _id(issue)
            if issue_id and issue_id not in self.options:
                self.options[issue_id] = list(dict.fromkeys(_id(o) for _, o in options if _id(o)))

    def issue_ref(self, loc: tuple, issue: str) -> bool:
        if issue in self.options:
            return True
        self.add(
            loc,
            f"unknown issue '{issue}'{did_you_mean(issue, self.options)}",
            f"use one of the issues defined in [[issues]]: {known_list(self.options)}",
        )
        return False

    def option_ref(self, loc: tuple, issue: str, option: Any) -> bool:
        if not isinstance(option, str) or option in self.options[issue]:
            return isinstance(option, str)
        self.add(
            loc,
            f"issue '{issue}' has no option '{option}'{did_you_mean(option, self.options[issue])}",
            f"use one of its options: {known_list(self.options[issue])}",
        )
        return False

    # -------------------------------------------------------------- status quo
    def status_quo(self) -> None:
        sq = self.doc.get("status_quo")
        if not isinstance(sq, Mapping):
            return  # missing or not a table: the structural check says so
        ok = True
        for issue, option in sq.items():
            if self.issue_ref(("status_quo", issue), issue):
                ok &= self.option_ref(("status_quo", issue), issue, option)
            else:
                ok = False
        for issue in self.options:
            if issue not in sq:
                ok = False
                first = self.options[issue][0] if self.options[issue] else "..."
                self.add(
                    ("status_quo",),
                    f"the status quo gives no option for issue '{issue}'",
                    f'add {issue} = "{first}" (or whichever option holds when there is no deal)',
                )
        self.status = dict(sq) if ok else None

    # -------------------------------------------------------------- constraints
    def constraints(self) -> None:
        constraints = _items(self.doc, "constraints")
        self.unique_ids(("constraints",), constraints, "constraint")
        for i, constraint in constraints:
            self.label(("constraints", i, "reason"), constraint.get("reason"))
            forbid = _table(constraint, "forbid")
            complete = bool(forbid)
            for issue, options in forbid.items():
                loc = ("constraints", i, "forbid", issue)
                if not self.issue_ref(loc, issue):
                    complete = False
                    continue
                listed = [options] if isinstance(options, str) else options if isinstance(options, list) else []
                for j, option in enumerate(listed):
                    complete &= self.option_ref(loc if isinstance(options, str) else (*loc, j), issue, option)
            if complete and self.status and all(self.status[k] in _as_list(v) for k, v in forbid.items()):
                combo = ", ".join(f"{k}={self.status[k]}" for k in forbid)
                self.add(
                    ("constraints", i, "forbid"),
                    f"the constraint forbids the status quo itself ({combo})",
                    "the no-deal outcome must stay possible: narrow the constraint, or change the status quo",
                )

    # -------------------------------------------------------------- parties and ratifiers
    def parties(self) -> None:
        parties = _items(self.doc, "parties")
        self.unique_ids(("parties",), parties, "party")
        ratifier_ids = []
        for i, party in parties:
            self.label(("parties", i, "label"), party.get("label"))
            self.utility(i, party)
            for j, ratifier in _items(party, "ratifiers"):
                loc = ("parties", i, "ratifiers", j)
                if _id(ratifier):
                    ratifier_ids.append(((*loc, "id"), _id(ratifier)))
                self.label((*loc, "label"), ratifier.get("label"))
                self.data((*loc, "data"), _table(ratifier, "data"), "data" in ratifier)
                self.support_model(loc, ratifier)
        self._duplicates(ratifier_ids, "ratifier")

    def utility(self, i: int, party: Mapping[str, Any]) -> None:
        utility = _table(party, "utility")
        weights = _table(utility, "weights")
        scores = _table(utility, "scores")
        loc = ("parties", i, "utility")
        for issue in weights:
            self.issue_ref((*loc, "weights", issue), issue)
        for issue, table in scores.items():
            if not self.issue_ref((*loc, "scores", issue), issue) or not isinstance(table, Mapping):
                continue
            for option in table:
                self.option_ref((*loc, "scores", issue, option), issue, option)
            if issue not in weights and weights:
                self.add(
                    (*loc, "scores", issue),
                    f"issue '{issue}' has scores but no weight",
                    f"add {issue} = <weight> to [parties.utility.weights], or remove its scores",
                )
        for issue, weight in weights.items():
            if issue not in self.options or not _is_number(weight) or weight <= 0:
                continue
            table = scores.get(issue)
            scored = table if isinstance(table, Mapping) else {}
            missing = [o for o in self.options[issue] if o not in scored]
            if missing:
                self.add(
                    (*loc, "scores", issue),
                    f"issue '{issue}' has weight {weight} but no score for option {known_list(missing)}",
                    "score every option of an issue that has a weight (0 for the worst is fine)",
                )
        numeric = [w for w in weights.values() if _is_number(w)]
        if weights and len(numeric) == len(weights) and not any(w > 0 for w in numeric):
            self.add(
                (*loc, "weights"),
                "every weight is 0: the negotiator would be indifferent between all packages",
                "give a positive weight to at least one issue the party cares about",
            )
        self.utility_scale(loc, weights, scores)
        self.reservation(i, party, weights, scores)

    def utility_scale(self, loc: tuple, weights: Mapping, scores: Mapping) -> None:
        """Utilities must add up in floating point, and no weighted issue may be so small beside
        the others that it counts for nothing (winset keeps utilities to 2^-40 of their scale)."""
        parts = {}
        for issue, weight in weights.items():
            table = scores.get(issue)
            values = [v for v in table.values() if _is_number(v)] if isinstance(table, Mapping) else []
            if _is_number(weight) and weight > 0 and values:
                with np.errstate(over="ignore"):
                    parts[issue] = float(np.float64(weight) * max(abs(float(v)) for v in values))
        if not parts:
            return
        with np.errstate(over="ignore"):
            total = float(np.sum(list(parts.values())))
        if not np.isfinite(total):
            self.add(
                (*loc, "weights"),
                "weights times scores are too large to add up in floating point",
                "rescale the weights or the scores (only their ratios matter): e.g. weights that sum to 1",
            )
            return
        small = [issue for issue, part in parts.items() if 0 < part < total * 1e-9]
        for issue in small:
            self.add(
                (*loc, "weights", issue),
                f"issue '{issue}' counts for less than a billionth of the utility ({parts[issue]:.3g} beside a "
                f"total of {total:.3g}), below the precision winset keeps",
                "give the issue a weight in proportion to the others, or weight it 0",
            )

    def reservation(self, i: int, party: Mapping[str, Any], weights: Mapping, scores: Mapping) -> None:
        """A reservation above the best utility the party can get leaves no deal possible."""
        reservation = party.get("reservation")
        if not _is_number(reservation):
            return
        best, scale = 0.0, 0.0
        for issue, weight in weights.items():
            if weight == 0:
                continue  # an issue the party does not care about needs no scores
            table = scores.get(issue)
            values = [v for v in table.values() if _is_number(v)] if isinstance(table, Mapping) else []
            if not _is_number(weight) or not values:
                return
            best += weight * max(values)
            scale += abs(weight) * max(abs(v) for v in values)
        if best < reservation_floor(reservation, scale):  # the engine's test: a tie reaches it
            self.add(
                ("parties", i, "reservation"),
                f"reservation {reservation} is above the best utility any package gives this party ({best:g})",
                'lower the reservation value, or use reservation = "status_quo"',
            )

    def data(self, loc: tuple, data: Mapping[str, Any], present: bool) -> None:
        if not present:
            return  # the structural check reports the missing table
        if not isinstance(data.get("survey"), str) and not isinstance(data.get("polls"), str):
            self.add(
                loc,
                "no data source: a support model learns from a survey (polls can calibrate it)",
                'add survey = "file.csv" (respondent-level conjoint data), and polls = "polls.csv" to calibrate it',
            )
        if "polls_where" in data and "polls" not in data:
            self.add(
                (*loc, "polls_where"),
                "polls_where is given but there is no polls file",
                'add polls = "polls.csv", or remove polls_where',
            )
        for key in ("survey", "polls"):
            relative = data.get(key)
            if not isinstance(relative, str) or not relative:
                continue
            path = self.base_dir / relative
            try:
                found = files.kind(path, ScenarioError)
            except ScenarioError as error:
                for p in error.problems:
                    self.add((*loc, key), p.message, p.fix)
                continue
            if found == "folder":
                self.add((*loc, key), f"'{files.shown(relative)}' is a folder, not a file", "name the data file itself")
            elif found == "missing":
                self.add(
                    (*loc, key),
                    f"data file '{files.shown(relative)}' does not exist (looked for {files.shown(path)})",
                    "check the spelling; paths are relative to the folder of the scenario file",
                )
            elif not self.readable((*loc, key), path, relative, files.TABLE_BYTES if key == "polls" else None):
                continue
            elif key == "polls" and isinstance(data.get("polls_where"), Mapping):
                self.poll_selection((*loc, "polls_where"), path, relative, data["polls_where"])

    def readable(self, loc: tuple, path: Path, relative: str, limit: int | None) -> bool:
        """Whether a data file is a regular file within its size limit; else a problem."""
        try:
            files.check_file(path, limit, ScenarioError)
        except ScenarioError as error:
            for problem in error.problems:
                self.add(loc, files.cited(relative, path, problem), problem.fix)
            self.__dict__.setdefault("_polls", {})[path] = None  # reported: not to be read
            return False
        return True

    def read_polls(self, loc: tuple, path: Path, relative: str) -> polls.Polls | None:
        """A polls file (read once), or None with a problem if it cannot be read."""
        cache = self.__dict__.setdefault("_polls", {})
        if path not in cache:
            try:
                cache[path] = polls.read_polls(path)
            except ScenarioError as error:
                for problem in error.problems:
                    self.add(loc, files.cited(relative, path, problem), problem.fix)
                cache[path] = None
        return cache[path]

    def poll_selection(self, loc: tuple, path: Path, relative: str, where: Mapping[str, Any]) -> None:
        """polls_where must name columns of the polls file and select at least one row."""
        found = self.read_polls((*loc[:-1], "polls"), path, relative)  # the file's problems at data.polls
        if found is None:
            return
        columns, rows = found.columns, found.rows
        unknown = [column for column in where if column not in columns]
        for column in unknown:
            self.add(
                (*loc, column),
                f"'{relative}' has no column '{column}'{did_you_mean(column, columns)}",
                f"use one of its columns: {known_list(columns)}",
            )
        if unknown or not where:
            return
        if not any(all(row[c] == str(v) for c, v in where.items()) for row in rows):
            seen = {c: sorted({row[c] for row in rows}) for c in where}
            self.add(
                loc,
                f"no row of '{relative}' has " + " and ".join(f"{c}={v}" for c, v in where.items()),
                "values in the file: " + "; ".join(f"{c}: {known_list(vals)}" for c, vals in seen.items()),
            )

    # -------------------------------------------------------------- support models
    def support_model(self, loc: tuple, ratifier: Mapping[str, Any]) -> None:
        """Interactions, population margins and calibration targets must refer to things that
        exist: issues, covariates, lines of the polls file, packages."""
        data = _table(ratifier, "data")
        covariates = (
            [c for c in data.get("covariates", []) if isinstance(c, str)]
            if isinstance(data.get("covariates"), list)
            else []
        )
        for k, pair in enumerate(data.get("interactions", []) if isinstance(data.get("interactions"), list) else []):
            where = (*loc, "data", "interactions", k)
            if not (isinstance(pair, list) and len(pair) == 2):
                self.add(
                    where,
                    "an interaction is a pair [issue, covariate]",
                    'write interactions = [["kunashir", "region"]]',
                )
                continue
            issue, covariate = pair
            self.issue_ref(where, issue)
            if covariate not in covariates:
                self.add(
                    where,
                    f"'{covariate}' is not one of the covariates{did_you_mean(str(covariate), covariates)}",
                    f"add it to data.covariates, or use one of {known_list(covariates)}",
                )
        for name, shares in _table(ratifier, "population").items():
            where = (*loc, "population", name)
            if name not in covariates:
                self.add(
                    where,
                    f"population margins for '{name}', which is not a covariate{did_you_mean(name, covariates)}",
                    "list it in data.covariates (the survey column), or remove the margins",
                )
            values = [v for v in shares.values() if _is_number(v)] if isinstance(shares, Mapping) else []
            if values and len(values) == len(shares) and abs(sum(values) - 1) > 1e-6:
                self.add(
                    where,
                    f"the population shares sum to {sum(values):.4f}, not 1",
                    "make the shares of every level sum to 1",
                )
        targets = _items(ratifier, "calibration")
        if targets and not isinstance(data.get("polls"), str):
            self.add(
                (*loc, "calibration"),
                "calibration targets need a polls file",
                'add polls = "polls.csv" to the data table',
            )
            return
        path = self.base_dir / data["polls"] if targets else None
        readable = path is not None and _kind(path) == "file"
        found = self.read_polls((*loc, "data", "polls"), path, data["polls"]) if readable else None
        if found is not None:
            lacking = polls.missing_columns(found, data["polls"], any("n" not in target for _, target in targets))
            if lacking:
                self.add((*loc, "data", "polls"), *lacking)
                found = None
        proposals = {_id(p): p.get("package") for _, p in _items(self.doc, "proposals") if _id(p)}
        for k, target in targets:
            where = (*loc, "calibration", k)
            self.calibration_package((*where, "package"), target.get("package"), proposals)
            line = target.get("line")
            if found is None or not isinstance(line, int) or isinstance(line, bool) or line < 2:  # < 2: structure
                continue
            row = found.row(line)
            if row is None:
                self.add(
                    (*where, "line"),
                    f"the polls file has no row on line {line} (its rows are on lines {found.span()})",
                    "cite the line a row starts on",
                )
                continue
            selection = data.get("polls_where") if isinstance(data.get("polls_where"), Mapping) else {}
            off = [f"{c}={row.get(c)}" for c, v in selection.items() if c in row and row[c] != str(v)]
            if off:
                self.add(
                    (*where, "line"),
                    f"line {line} is outside this ratifier's polls ({', '.join(off)})",
                    "cite a poll of this ratifier's public, or correct polls_where",
                )
            side = target.get("side", "for")
            dont_know = target.get("dont_know", 0.0)
            if not (_is_number(dont_know) and 0 <= dont_know < 1):
                side = None  # the structural check reports it; the share alone can be checked
            for about_line, message, fix in polls.topline_problems(
                row, line, side if side in ("for", "against") else None, dont_know, "n" not in target
            ):
                self.add((*where, "line") if about_line else where, message, fix)

    def calibration_package(self, loc: tuple, text: Any, proposals: Mapping[str, Any]) -> None:
        if not isinstance(text, str) or self.status is None:
            return
        package = proposals.get(text, text)
        if not isinstance(package, str):
            return
        try:
            parse_package(package, self.options, self.status)
        except PackageError as error:
            for p in error.problems:
                self.add(
                    loc, f"{p.location}: {p.message}", p.fix + f" (or name a proposal: {known_list(list(proposals))})"
                )

    # -------------------------------------------------------------- proposals
    def proposals(self) -> None:
        proposals = _items(self.doc, "proposals")
        self.unique_ids(("proposals",), proposals, "proposal")
        for i, proposal in proposals:
            self.label(("proposals", i, "label"), proposal.get("label"))
            text = proposal.get("package")
            if not isinstance(text, str) or self.status is None:
                continue
            try:
                parse_package(text, self.options, self.status)
            except PackageError as error:
                for p in error.problems:
                    self.add(("proposals", i, "package"), f"{p.location}: {p.message}", p.fix)

    def talks(self) -> None:
        talks = _table(self.doc, "talks")
        ratifiers = [
            _id(r) for _, party in _items(self.doc, "parties") for _, r in _items(party, "ratifiers") if _id(r)
        ]
        rounds = talks.get("rounds", 40)
        for i, event in _items(talks, "events"):
            loc = ("talks", "events", i)
            self.label((*loc, "label"), event.get("label"))
            ratifier = event.get("ratifier")
            if isinstance(ratifier, str) and ratifier not in ratifiers:
                self.add(
                    (*loc, "ratifier"),
                    f"unknown ratifier '{ratifier}'" + did_you_mean(ratifier, ratifiers),
                    f"use the id of a ratifier of one of the parties ({known_list(ratifiers)})",
                )
            has_round, has_date = "round" in event, "date" in event
            if has_round == has_date:
                self.add(
                    loc,
                    "an event needs a round or a date (one of them)"
                    if not has_round
                    else "an event has both a round and a date",
                    "give round = N (counted from the start of the talks) or date = YYYY-MM-DD",
                )
            elif has_date and "start" not in talks:
                self.add(
                    (*loc, "date"),
                    "an event is dated but the talks have no start date to count rounds from",
                    "add start = YYYY-MM-DD (and days_per_round) to [talks], or give the event a round",
                )
            when = event.get("round")
            if _is_number(when) and _is_number(rounds) and when > rounds:
                self.add(
                    (*loc, "round"),
                    f"round {when} is after the last round of the talks ({rounds})",
                    "give a round within the talks, or raise talks.rounds",
                )
            start, date = talks.get("start"), event.get("date")
            if _is_date(start) and _is_date(date):
                days = talks.get("days_per_round", 30)
                if date < start:
                    self.add(
                        (*loc, "date"),
                        f"{date} is before the talks start ({start})",
                        "give a date on or after talks.start",
                    )
                elif _is_number(days) and days > 0 and _is_number(rounds) and (date - start).days / days > rounds:
                    self.add(
                        (*loc, "date"),
                        f"{date} is after the last round of the talks ({rounds} rounds of {days} days from {start})",
                        "give a date within the talks, or raise talks.rounds",
                    )
        self.linkage(_table(talks, "linkage"), ratifiers)
        ban = _table(talks, "ban")
        self.label(("talks", "ban", "label"), ban.get("label"))
        banned = ban.get("issues", []) if isinstance(ban.get("issues"), list) else []
        for i, issue in enumerate(banned):
            if isinstance(issue, str):
                self.issue_ref(("talks", "ban", "issues", i), issue)
                if issue in banned[:i]:
                    self.add(("talks", "ban", "issues", i), f"issue '{issue}' is banned twice", "list each issue once")

    def linkage(self, linkage: Mapping[str, Any], ratifiers: list[str]) -> None:
        loc = ("talks", "linkage")
        self.label((*loc, "label"), linkage.get("label"))
        if _id(linkage) in self.options:
            self.add(
                (*loc, "id"), f"'{_id(linkage)}' is already an issue of the scenario", "give the linked issue a new id"
            )
        parties = [_id(p) for _, p in _items(self.doc, "parties") if _id(p)]
        options = _items(linkage, "options")
        self.unique_ids((*loc, "options"), options, "option")
        for i, option in options:
            self.label((*loc, "options", i, "label"), option.get("label"))
            for key, known, what in (("utility", parties, "party"), ("support", ratifiers, "ratifier")):
                for name in _table(option, key):
                    if name not in known:
                        self.add(
                            (*loc, "options", i, key, name),
                            f"unknown {what} '{name}'" + did_you_mean(name, known),
                            f"use the id of a {what} of the scenario ({known_list(known)})",
                        )


def _is_date(value: Any) -> bool:
    """A TOML date (a date-time is not one: the structural check reports it)."""
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def _kind(path: Path) -> str | None:
    """What is at a data path, or None for one the system cannot look up (reported by data())."""
    try:
        return files.kind(path, ScenarioError)
    except ScenarioError:
        return None


def _as_list(value: Any) -> list[Any]:
    return [value] if isinstance(value, str) else list(value)


def package_problems(scenario: Any) -> list[Problem]:
    """Checks that need the built package space: proposals that break a constraint.

    Runs only on a scenario that passed every other check.
    """
    space = scenario.space
    reasons = {c.id: scenario.text(c.reason) for c in scenario.constraints}
    packages = [
        (("proposals", i, "package"), f"proposal '{p.id}'", p.package) for i, p in enumerate(scenario.proposals)
    ]
    for i, party in enumerate(scenario.parties):
        for j, ratifier in enumerate(party.ratifiers):
            for k, target in enumerate(ratifier.calibration):
                loc = ("parties", i, "ratifiers", j, "calibration", k, "package")
                packages.append(
                    (
                        loc,
                        f"calibration target {k} of ratifier '{ratifier.id}'",
                        scenario.resolve_package(target.package, format_location(loc)),
                    )
                )
    problems = []
    for k, j, blamed in space.dead_options():
        issue, option = scenario.issues[k], scenario.issues[k].options[j]
        names = " and ".join(f"'{c.id}' ({reasons[c.id]})" for c in blamed)
        problems.append(
            Problem(
                format_location(("issues", k, "options", j)),
                f"no allowed package can have {issue.id} = {option.id}: "
                + (f"constraint {names} forbids it" if len(blamed) == 1 else f"constraints {names} together forbid it"),
                "narrow or drop the constraint, or remove the option: no survey can show it and no deal can use it",
            )
        )
    for loc, what, text in packages:
        for constraint in space.broken_constraints(space.parse(text, check_constraints=False)):
            problems.append(
                Problem(
                    format_location(loc),
                    f"in {what}: the package breaks constraint '{constraint.id}' ({reasons[constraint.id]})",
                    "change the package so that it respects the constraint, or drop the constraint",
                )
            )
    return problems
