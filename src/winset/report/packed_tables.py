"""ScoreTables packed for the report's page, exactly and small.

The page computes support for any package from the tables themselves, and its numbers must be
the engine's to 1e-9, so every value stays a float64 (a float32 is off by 1e-8 already). Stored
as they are, the worked example's tables take 6 MB, most of it the Japanese public's mixed logit:
1,000 simulated members for the estimate and 100 for each of 200 bootstrap draws. Those rows are
not independent numbers. Every draw's members share the population's standard normal draws,
so in each column a draw's rows are ``a + b * z`` of the estimate's rows (``mean + sd * z``):
two numbers per column and draw instead of a hundred. A binary logit's members differ only in
their intercepts, and its coefficients are constant within a draw, which is the same form with
``b = 0``. Packing finds this form and checks it: a group (a draw) whose rows it does not
reproduce to 1e-12 is kept as it is, and so is one with so few rows that they are smaller than
the form. So the packing is exact for any table, and small for the tables winset's models make.

Layout (every array little-endian, base64):

* ``kept``: the columns that are not zero in every row (a baseline option scores 0);
* ``sizes``: rows per group (the table's rows are in group order); ``cells``: each row's group of
  the public (region, party) where a rule counts them, else null;
* ``intercepts``, ``weights``: one value per group where it is constant over the group's rows
  (``by_group``), else one per row (``by_row``); intercepts that vary as the coefficients do (a
  mixed logit's opt-out constant) as group 0's (``base``) and the affine form of every other
  group (``affine``: ``a``, ``b`` per cell);
* ``base``: group 0's rows, the kept columns (``sizes[0] x len(kept)``);
* for the other groups, in order, either ``affine`` (``a`` then ``b`` for each cell and kept
  column: row i of cell c is ``a + b * x``, ``x`` the i-th row of cell c in group 0; ``a`` alone,
  ``affine_terms`` 1, where every ``b`` is 0) or ``rows`` (the group's rows as they are),
  ``affine_groups`` saying which;
* ``pairs``: each pairwise term's issues and values, as they are (no model of winset's makes
  them large).

:func:`unpack` is the inverse, in numpy: the page's script does the same arithmetic, and the
tests check both against the engine.
"""

from __future__ import annotations

import base64
import itertools
from typing import Any

import numpy as np

from ..scoretable import ScoreTable

TOLERANCE = 1e-12  # of the largest value in a column: what the packed form may differ by


def encode(values: np.ndarray, kind: str = "<f8") -> str:
    """An array as base64 of its little-endian bytes."""
    return base64.b64encode(np.ascontiguousarray(values, dtype=kind).tobytes()).decode("ascii")


def decode(text: str, kind: str = "<f8") -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=kind).astype(np.float64 if "f" in kind else np.int64)


def pack(table: ScoreTable, cells: np.ndarray | None = None) -> dict[str, Any]:
    """``table`` (with each row's ``cells``, if its rule counts groups) in the layout above."""
    groups = np.asarray(table.groups)
    if np.any(np.diff(groups) < 0):
        raise ValueError("a packed table needs its rows in group order")
    sizes = np.bincount(groups, minlength=table.n_groups)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    kept = np.flatnonzero(np.any(table.coefficients != 0, axis=0))
    coefficients = table.coefficients[:, kept]
    cell = np.zeros(table.n_rows, dtype=np.int64) if cells is None else np.asarray(cells, dtype=np.int64)
    base = coefficients[: sizes[0]]
    affine, affine_groups, rows = [], [], []
    for g in range(1, table.n_groups):
        block = slice(starts[g], starts[g + 1])
        n_cells = int(cell.max()) + 1
        # two numbers per cell and column, against one per row: the smaller form, if it holds
        fitted = _affine(base, cell[: sizes[0]], coefficients[block], cell[block], n_cells)
        if fitted is None or 2 * n_cells >= sizes[g]:
            rows.append(coefficients[block])
        else:
            affine.append(fitted)
            affine_groups.append(g)
    terms = 2 if any(np.any(f[:, 1] != 0) for f in affine) else 1  # b = 0 throughout: a alone
    return {
        "shape": list(table.shape),
        "link": table.link,
        "kept": kept.tolist(),
        "sizes": sizes.tolist(),
        "cells": None if cells is None else encode(cell, "<i4"),
        "n_cells": int(cell.max()) + 1,
        "intercepts": _intercepts(table.intercepts, starts, cell),
        "weights": _per_group(table.weights, starts),
        "base": encode(base),
        "affine_groups": affine_groups,
        "affine_terms": terms,
        "affine": encode(np.array(affine)[:, :, :terms]) if affine else "",
        "rows": encode(np.concatenate(rows)) if rows else "",
        "pairs": [{"first": p.first, "second": p.second, "values": encode(p.values)} for p in table.pairs],
    }


def _intercepts(values: np.ndarray, starts: np.ndarray, cells: np.ndarray) -> dict[str, Any]:
    """Intercepts constant in each group, or else, as a mixed logit's opt-out constant, of the
    affine form of the coefficients in every group, or else one per row."""
    constant = _per_group(values, starts)
    if "by_group" in constant:
        return constant
    n_cells, column = int(cells.max()) + 1, values[:, None]
    first = slice(starts[0], starts[1])
    forms = [
        _affine(column[first], cells[first], column[a:b], cells[a:b], n_cells)
        for a, b in itertools.pairwise(starts[1:])
    ]
    if all(f is not None for f in forms) and forms:
        return {"base": encode(values[first]), "affine": encode(np.array(forms))}
    return constant


def _per_group(values: np.ndarray, starts: np.ndarray) -> dict[str, str]:
    firsts = values[starts[:-1]]
    constant = all(np.all(values[a:b] == v) for a, b, v in zip(starts[:-1], starts[1:], firsts, strict=True))
    return {"by_group": encode(firsts)} if constant else {"by_row": encode(values)}


def _affine(
    base: np.ndarray, base_cells: np.ndarray, block: np.ndarray, cells: np.ndarray, n_cells: int
) -> np.ndarray | None:
    """(cells, 2, columns): ``a`` and ``b`` with ``block == a + b * x`` cell by cell, where x are
    the first rows of each cell of ``base``; None where no such form reproduces ``block``."""
    out = np.zeros((n_cells, 2, base.shape[1]))
    for c in range(n_cells):
        y = block[cells == c]
        x = base[base_cells == c][: len(y)]
        if len(x) < len(y):
            return None
        if len(y) == 0:
            continue
        spread = np.ptp(x, axis=0) > 0
        dx = x - x.mean(axis=0)
        b = np.where(spread, (dx * (y - y.mean(axis=0))).sum(axis=0) / np.where(spread, (dx * dx).sum(axis=0), 1), 0)
        a = np.where(spread, y.mean(axis=0) - b * x.mean(axis=0), y[0])
        if np.any(np.abs(a + b * x - y) > TOLERANCE * np.maximum(1.0, np.abs(y).max(axis=0))):
            return None
        out[c] = a, b
    return out


def unpack(packed: dict[str, Any]) -> ScoreTable:
    """The table again, every value within :data:`TOLERANCE` of the one packed."""
    from ..scoretable import Pair

    sizes = np.array(packed["sizes"], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    n_rows, kept = int(starts[-1]), np.array(packed["kept"], dtype=np.int64)
    cells = decode(packed["cells"], "<i4") if packed["cells"] else np.zeros(n_rows, dtype=np.int64)
    base = decode(packed["base"]).reshape(sizes[0], len(kept))
    terms = packed["affine_terms"]
    affine = decode(packed["affine"]).reshape(-1, packed["n_cells"], terms, len(kept)) if packed["affine"] else None
    raw = decode(packed["rows"]).reshape(-1, len(kept)) if packed["rows"] else None
    coefficients = np.zeros((n_rows, sum(packed["shape"])))
    coefficients[: sizes[0], kept] = base
    taken, shifts = 0, dict(zip(packed["affine_groups"], range(len(packed["affine_groups"])), strict=True))
    for g in range(1, len(sizes)):
        block = slice(starts[g], starts[g + 1])
        if g in shifts:
            rows = np.empty((sizes[g], len(kept)))
            for c in range(packed["n_cells"]):
                mine = cells[block] == c
                x = base[cells[: sizes[0]] == c][: mine.sum()]
                form = affine[shifts[g], c]  # type: ignore[index]
                rows[mine] = form[0] + form[1] * x if terms == 2 else np.broadcast_to(form[0], x.shape)
        else:
            rows = raw[taken : taken + sizes[g]]  # type: ignore[index]
            taken += sizes[g]
        coefficients[block, kept] = rows

    def per_group(entry: dict[str, str]) -> np.ndarray:
        return np.repeat(decode(entry["by_group"]), sizes) if "by_group" in entry else decode(entry["by_row"])

    def intercepts(entry: dict[str, str]) -> np.ndarray:
        if "base" not in entry:
            return per_group(entry)
        first = decode(entry["base"])
        forms = decode(entry["affine"]).reshape(-1, packed["n_cells"], 2, 1)
        out = [first]
        for g in range(1, len(sizes)):
            mine = cells[starts[g] : starts[g + 1]]
            values = np.empty(sizes[g])
            for c in range(packed["n_cells"]):
                x = first[cells[: sizes[0]] == c][: (mine == c).sum()]
                values[mine == c] = forms[g - 1, c, 0, 0] + forms[g - 1, c, 1, 0] * x
            out.append(values)
        return np.concatenate(out)

    pairs = []
    for p in packed["pairs"]:
        shape = (n_rows, packed["shape"][p["first"]], packed["shape"][p["second"]])
        pairs.append(Pair(p["first"], p["second"], decode(p["values"]).reshape(shape)))
    return ScoreTable(
        tuple(packed["shape"]),
        intercepts(packed["intercepts"]),
        coefficients,
        per_group(packed["weights"]),
        np.repeat(np.arange(len(sizes)), sizes),
        packed["link"],
        tuple(pairs),
    )
