"""The package space: every way to pick one option per issue, minus what constraints forbid.

A package is stored as its *codes*: one option index per issue, in the scenario's order. Packages are
numbered in mixed radix with the last issue varying fastest, so index order is the order of
``itertools.product`` over the issues' options. Sizes and scalar indices are Python ints and exact
for any size; vectorised encoding, decoding and enumeration use int64 and need fewer than 2**63
packages.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, overload

import numpy as np

from ..errors import PackageError, Problem, did_you_mean, known_list
from .constraint import SpaceConstraint
from .programme import Programme

CODE_DTYPE = np.int32
MAX_VECTOR_SIZE = 2**63 - 1
STATUS_QUO_WORD = "status_quo"
NO_AGREEMENT = "(no agreement)"  # the constraint that forbids the status quo as a deal


class PackageSpace:
    """Issues with their options, constraints and the status quo, encoded as integers.

    Parameters
    ----------
    issues:
        ``(issue_id, [option_id, ...])`` pairs, in order.
    status_quo:
        option id per issue for the no-deal outcome; default: the first option of every issue.
    constraints:
        ``(constraint_id, {issue_id: option_id or [option_id, ...]})`` pairs; a package breaks a
        constraint when, on every issue named, its option is one of those listed.
    """

    def __init__(
        self,
        issues: Sequence[tuple[str, Sequence[str]]],
        status_quo: Mapping[str, str] | None = None,
        constraints: Sequence[tuple[str, Mapping[str, str | Sequence[str]]]] = (),
    ):
        if not issues:
            raise PackageError(
                [Problem("issues", "a package space needs at least one issue", "give one or more issues")]
            )
        self.issue_ids: tuple[str, ...] = tuple(issue for issue, _ in issues)
        self.option_ids: tuple[tuple[str, ...], ...] = tuple(tuple(options) for _, options in issues)
        _require_unique(self.issue_ids, "issue")
        for issue, options in zip(self.issue_ids, self.option_ids, strict=True):
            if not options:
                raise PackageError([Problem(issue, "issue has no options", "give the issue at least one option")])
            _require_unique(options, f"option of issue '{issue}'")
        self._issue_index = {issue: k for k, issue in enumerate(self.issue_ids)}
        self._option_index = [{o: j for j, o in enumerate(options)} for options in self.option_ids]
        self.shape: tuple[int, ...] = tuple(len(o) for o in self.option_ids)
        self.n_options: np.ndarray = np.array(self.shape, dtype=np.int64)
        self.size: int = math.prod(self.shape)
        # strides[k] = number of packages between consecutive options of issue k (last issue: 1)
        self._strides: list[int] = [math.prod(self.shape[k + 1 :]) for k in range(self.n_issues)]
        sq = (
            status_quo
            if status_quo is not None
            else {i: o[0] for i, o in zip(self.issue_ids, self.option_ids, strict=True)}
        )
        self.status_quo: tuple[int, ...] = self.codes_of(sq)
        self.constraints: tuple[SpaceConstraint, ...] = tuple(self._compile(cid, forbid) for cid, forbid in constraints)
        self._count_valid: int | None = None

    # ------------------------------------------------------------------ basics
    @property
    def n_issues(self) -> int:
        return len(self.issue_ids)

    def __repr__(self) -> str:
        return f"PackageSpace({self.n_issues} issues, {self.size:,} packages, {len(self.constraints)} constraints)"

    def extended(
        self,
        issues: Sequence[tuple[str, Sequence[str]]] = (),
        constraints: Sequence[tuple[str, Mapping[str, str | Sequence[str]]]] = (),
    ) -> PackageSpace:
        """This space with more issues (at the end; status quo: their first option) and more
        constraints."""
        status_quo = self.ids_of(self.status_quo) | {issue: options[0] for issue, options in issues}
        kept = [
            (
                c.id,
                {
                    self.issue_ids[k]: [o for o, hit in zip(self.option_ids[k], mask, strict=True) if hit]
                    for k, mask in zip(c.issues, c.masks, strict=True)
                },
            )
            for c in self.constraints
        ]
        return PackageSpace(
            [*zip(self.issue_ids, self.option_ids, strict=True), *issues], status_quo, [*kept, *constraints]
        )

    def keeping(self, text: str) -> PackageSpace:
        """This space with only the packages that keep the options ``issue=option,...`` names (each
        other option of those issues forbidden by a constraint ``keep issue=option``): where a side
        insists on an option, the packages left to choose among."""
        if text.strip() == STATUS_QUO_WORD:
            raise PackageError(
                [Problem("keep", "the options to keep are not a package", "name them as issue=option pairs")]
            )
        kept = parse_package(text, dict(zip(self.issue_ids, self.option_ids, strict=True)), {})
        codes = {self._issue(issue): self._option(self._issue(issue), option) for issue, option in kept.items()}
        for c in self.constraints:  # options forbidden together: no package keeps them
            if all(k in codes and mask[codes[k]] for k, mask in zip(c.issues, c.masks, strict=True)):
                raise PackageError(
                    [Problem("keep", f"no package keeps {text.strip()}: they break constraint '{c.id}'", "keep fewer")]
                )
        constraints = []
        for issue, option in kept.items():
            others = [o for o in self.option_ids[self._issue(issue)] if o != option]
            if others:  # an issue of one option keeps it anyway
                constraints.append((f"keep {issue}={option}", {issue: others}))
        keeping = self.extended(constraints=constraints)
        if keeping.without_status_quo().count_valid() == 0:
            raise PackageError(
                [
                    Problem(
                        "keep", f"no deal keeps {text.strip()}: only the status quo (no agreement) does", "keep fewer"
                    )
                ]
            )
        return keeping

    def without_status_quo(self) -> PackageSpace:
        """This space with the status quo forbidden too: the packages that are deals (a package
        that changes nothing is no agreement). Its extra constraint is named ``NO_AGREEMENT``."""
        return self.extended(constraints=[(NO_AGREEMENT, self.ids_of(self.status_quo))])

    def _compile(self, cid: str, forbid: Mapping[str, str | Sequence[str]]) -> SpaceConstraint:
        issues, masks = [], []
        for issue_id, options in forbid.items():
            k = self._issue(issue_id)
            mask = np.zeros(len(self.option_ids[k]), dtype=bool)
            for option in [options] if isinstance(options, str) else options:
                mask[self._option(k, option)] = True
            issues.append(k)
            masks.append(mask)
        if not issues:
            raise PackageError([Problem(cid, "constraint names no issue", "name at least one issue to forbid")])
        return SpaceConstraint(cid, tuple(issues), tuple(masks))

    def _issue(self, issue_id: str) -> int:
        try:
            return self._issue_index[issue_id]
        except KeyError:
            raise PackageError([_unknown_issue(issue_id, issue_id, self.issue_ids)]) from None

    def _option(self, k: int, option_id: str) -> int:
        try:
            return self._option_index[k][option_id]
        except KeyError:
            problem = _unknown_option(option_id, self.issue_ids[k], option_id, self.option_ids[k])
            raise PackageError([problem]) from None

    # ------------------------------------------------------------------ codes <-> ids
    def codes_of(self, package: Mapping[str, str]) -> tuple[int, ...]:
        """Codes of a package given as ``{issue_id: option_id}``; every issue must be given."""
        missing = [issue for issue in self.issue_ids if issue not in package]
        if missing:
            raise PackageError(
                [Problem(issue, "no option given for this issue", "give one option per issue") for issue in missing]
            )
        for issue in package:
            self._issue(issue)
        return tuple(self._option(k, package[issue]) for k, issue in enumerate(self.issue_ids))

    def ids_of(self, codes: Sequence[int]) -> dict[str, str]:
        """``{issue_id: option_id}`` for a package given as codes."""
        codes = self._check_codes(codes)
        return {issue: options[c] for issue, options, c in zip(self.issue_ids, self.option_ids, codes, strict=True)}

    def format(self, codes: Sequence[int], changes_only: bool = False) -> str:
        """A package as text, ``issue=option,...``; with ``changes_only``, only issues that differ
        from the status quo (``status_quo`` if none do). :meth:`parse` reads both forms back."""
        pairs = [
            f"{issue}={option}"
            for (issue, option), c, sq in zip(self.ids_of(codes).items(), codes, self.status_quo, strict=True)
            if not changes_only or c != sq
        ]
        return ",".join(pairs) if pairs else STATUS_QUO_WORD

    def parse(self, text: str, check_constraints: bool = True) -> tuple[int, ...]:
        """Read a package from text such as ``habomai=japan,shikotan=japan,treaty=signed``.

        Issues left out take their status-quo option; the single word ``status_quo`` is the status
        quo itself. Raises PackageError listing every unknown issue or option, and (unless
        ``check_constraints`` is false) every constraint the package breaks.
        """
        options_by_issue = dict(zip(self.issue_ids, self.option_ids, strict=True))
        status_quo = self.ids_of(self.status_quo)
        codes = self.codes_of(parse_package(text, options_by_issue, status_quo))
        if check_constraints:
            broken = self.broken_constraints(codes)
            if broken:
                raise PackageError(
                    [
                        Problem(
                            text.strip(),
                            f"the package breaks constraint '{c.id}'",
                            "change the option of one of these issues: "
                            + ", ".join(f"'{self.issue_ids[k]}'" for k in c.issues),
                        )
                        for c in broken
                    ]
                )
        return codes

    # ------------------------------------------------------------------ encoding
    # Given an array, encode and is_valid answer for one package (1-D) or for each row (2-D);
    # numpy's types do not say how many dimensions an array has, so for arrays they return Any.
    @overload
    def encode(self, codes: Sequence[int]) -> int: ...
    @overload
    def encode(self, codes: np.ndarray) -> Any: ...
    def encode(self, codes: Sequence[int] | np.ndarray) -> int | np.ndarray:
        """Index of a package (codes -> int), or of each row of a 2-D array (-> int64 array)."""
        if isinstance(codes, np.ndarray) and codes.ndim == 2:
            self._require_vectorisable()
            codes = self._check_code_array(codes)
            return codes.astype(np.int64) @ np.array(self._strides, dtype=np.int64)
        codes = self._check_codes(codes)
        return sum(c * s for c, s in zip(codes, self._strides, strict=True))

    @overload
    def decode(self, index: int | np.integer) -> tuple[int, ...]: ...
    @overload
    def decode(self, index: np.ndarray) -> np.ndarray: ...
    def decode(self, index: int | np.integer | np.ndarray) -> tuple[int, ...] | np.ndarray:
        """Codes of the package with this index (int -> tuple), or of each index in an array
        (-> array of shape (len(index), n_issues))."""
        if isinstance(index, np.ndarray):
            self._require_vectorisable()
            index = np.asarray(index, dtype=np.int64)
            if index.size and (index.min() < 0 or index.max() >= self.size):
                raise PackageError(
                    [Problem("index", f"an index is outside 0..{self.size - 1}", "use indices of this space")]
                )
            strides = np.array(self._strides, dtype=np.int64)
            return ((index[:, None] // strides) % self.n_options).astype(CODE_DTYPE)
        index = int(index)
        if not 0 <= index < self.size:
            raise PackageError(
                [Problem("index", f"index {index} is outside 0..{self.size - 1}", "use an index of this space")]
            )
        return tuple((index // s) % n for s, n in zip(self._strides, self.shape, strict=True))

    # ------------------------------------------------------------------ constraints
    @overload
    def is_valid(self, codes: Sequence[int]) -> bool: ...
    @overload
    def is_valid(self, codes: np.ndarray) -> Any: ...
    def is_valid(self, codes: Sequence[int] | np.ndarray) -> bool | np.ndarray:
        """Whether a package (codes) breaks no constraint; for a 2-D array, one bool per row."""
        if isinstance(codes, np.ndarray) and codes.ndim == 2:
            codes = self._check_code_array(codes)
            ok = np.ones(codes.shape[0], dtype=bool)
            for constraint in self.constraints:
                ok &= ~constraint.matches(codes)
            return ok
        return not self.broken_constraints(codes)

    def broken_constraints(self, codes: Sequence[int] | np.ndarray) -> list[SpaceConstraint]:
        """The constraints a single package breaks, in scenario order."""
        row = np.asarray(self._check_codes(codes), dtype=np.int64)[None, :]
        return [c for c in self.constraints if c.matches(row)[0]]

    def count_valid(self) -> int:
        """Exact number of packages that break no constraint (a Python int, for any size), by the
        dynamic programme of :class:`Programme`: work grows with the number of its states, not
        with the size of the space."""
        if self._count_valid is None:
            self._count_valid = Programme(self.shape, self.constraints).count()
        return self._count_valid

    def dead_options(self) -> list[tuple[int, int, list[SpaceConstraint]]]:
        """The options no valid package can contain, each as ``(issue, option, constraints)``:
        its codes and a smallest set of constraints that together forbid it (removing any one of
        them would let some package contain the option)."""
        dead = []
        for k, alive in enumerate(Programme(self.shape, self.constraints).alive()):
            for j in (int(j) for j in np.flatnonzero(~alive)):
                blamed = list(self.constraints)
                for constraint in list(blamed):
                    rest = [c for c in blamed if c is not constraint]
                    if not Programme(self.shape, rest).alive()[k][j]:
                        blamed = rest
                dead.append((k, j, blamed))
        return dead

    # ------------------------------------------------------------------ enumeration
    def iter_valid(self, chunk_size: int = 65_536) -> Iterator[np.ndarray]:
        """The valid packages in index order, as code arrays of shape (m, n_issues).

        Every chunk but the last has exactly ``chunk_size`` rows. Needs fewer than 2**63 packages;
        larger spaces are searched, not enumerated.
        """
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        self._require_vectorisable()
        pending = np.empty((0, self.n_issues), dtype=CODE_DTYPE)
        for start in range(0, self.size, chunk_size):
            block = self.decode(np.arange(start, min(start + chunk_size, self.size), dtype=np.int64))
            block = block[self.is_valid(block)]
            pending = np.concatenate([pending, block]) if len(pending) else block
            while len(pending) >= chunk_size:
                yield pending[:chunk_size]
                pending = pending[chunk_size:]
        if len(pending):
            yield pending

    # ------------------------------------------------------------------ checks
    def _require_vectorisable(self) -> None:
        if self.size > MAX_VECTOR_SIZE:
            raise PackageError(
                [
                    Problem(
                        "package space",
                        f"{self.size:.3e} packages are too many to number with 64-bit integers",
                        "use scalar encode/decode, or a search that does not enumerate the space",
                    )
                ]
            )

    def _check_codes(self, codes: Sequence[int] | np.ndarray) -> tuple[int, ...]:
        codes = tuple(int(c) for c in codes)
        if len(codes) != self.n_issues:
            raise PackageError(
                [
                    Problem(
                        "codes", f"expected {self.n_issues} option codes, got {len(codes)}", "give one code per issue"
                    )
                ]
            )
        for issue, c, n in zip(self.issue_ids, codes, self.shape, strict=True):
            if not 0 <= c < n:
                raise PackageError(
                    [Problem(issue, f"option code {c} is outside 0..{n - 1}", "use a code of this issue")]
                )
        return codes

    def _check_code_array(self, codes: np.ndarray) -> np.ndarray:
        if codes.shape[1] != self.n_issues:
            raise PackageError(
                [
                    Problem(
                        "codes", f"expected {self.n_issues} columns, got {codes.shape[1]}", "give one column per issue"
                    )
                ]
            )
        if codes.size and ((codes < 0).any() or (codes >= self.n_options).any()):
            raise PackageError([Problem("codes", "an option code is out of range", "use codes of this space")])
        return codes


def parse_package(
    text: str, options_by_issue: Mapping[str, Sequence[str]], status_quo: Mapping[str, str]
) -> dict[str, str]:
    """Read ``issue=option,...`` into a full ``{issue: option}`` mapping (issues left out take their
    status-quo option). Raises PackageError naming every malformed item, unknown issue or option."""
    text = text.strip()
    package = dict(status_quo)
    if text == STATUS_QUO_WORD:
        return package
    problems: list[Problem] = []
    seen: set[str] = set()
    items = [item.strip() for item in text.split(",")]
    if not text:
        items = []
        problems.append(
            Problem(
                "package",
                "the package text is empty",
                f"write issue=option pairs separated by commas, or '{STATUS_QUO_WORD}'",
            )
        )
    for item in items:
        issue, sep, option = (part.strip() for part in item.partition("="))
        if not sep or not issue or not option:
            problems.append(
                Problem(f"'{item}'", "expected issue=option", "write each part as issue=option, e.g. treaty=signed")
            )
        elif issue not in options_by_issue:
            problems.append(_unknown_issue(f"'{item}'", issue, options_by_issue))
        elif issue in seen:
            problems.append(Problem(f"'{item}'", f"issue '{issue}' is given twice", "give each issue once"))
        elif option not in options_by_issue[issue]:
            problems.append(_unknown_option(f"'{item}'", issue, option, options_by_issue[issue]))
        else:
            seen.add(issue)
            package[issue] = option
    if problems:
        raise PackageError(problems)
    return package


def _unknown_issue(location: str, issue: str, known: Sequence[str] | Mapping[str, object]) -> Problem:
    return Problem(location, f"unknown issue '{issue}'{did_you_mean(issue, known)}", f"use one of {known_list(known)}")


def _unknown_option(location: str, issue: str, option: str, known: Sequence[str]) -> Problem:
    return Problem(
        location,
        f"issue '{issue}' has no option '{option}'{did_you_mean(option, known)}",
        f"use one of {known_list(known)}",
    )


def _require_unique(ids: Sequence[str], what: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise PackageError([Problem(i, f"duplicate {what} id '{i}'", "give every one its own id")])
        seen.add(i)
