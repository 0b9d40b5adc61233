"""Representative statements: what sets each opinion group apart, by Polis's rules.

For group g and a statement, over the clustered participants: na, nd, ns the group's agrees,
disagrees and votes (passes included); pa = (na + 1) / (ns + 2) and pd likewise; pat (pdt) the
one-proportion test 2 sqrt(ns + 1) ((na + 1) / (ns + 1) - 1/2); ra = pa / the other groups' pa
(each smoothed the same way), and rat (rdt) the two-proportion test of the group against the
other groups with every count plus one. A statement stands for agreement where rat > rdt, for
disagreement otherwise; its metric is ra rat pa pat (or rd rdt pd pdt).

Selection (Polis's ``select-rep-comments``): a statement is significant where both its tests in
one direction pass z > 1.2816 (90%, one-sided). The group's best agreed statement leads, then the
significant ones by metric, five at most, agreements before disagreements. Where none is
significant, the best agreed statement alone, or else the one with the highest test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

Z90 = 1.2816  # one-sided 90%: Polis's significance of a representative statement
PICK = 5  # statements per group
COLUMNS = ["na", "nd", "ns", "pa", "pd", "pat", "pdt", "ra", "rd", "rat", "rdt"]


def statistics(votes: np.ndarray, labels: np.ndarray, statements: pd.Index) -> pd.DataFrame:
    """Per group and statement (tidy, one row each): the counts and Polis's statistics. ``votes``
    holds the clustered participants' votes (NaN none), ``labels`` their groups 0..G-1."""
    groups = int(labels.max()) + 1
    member = labels[None, :] == np.arange(groups)[:, None]  # groups x participants
    agrees = member.astype(float) @ (votes == 1)
    disagrees = member.astype(float) @ (votes == -1)
    seen = member.astype(float) @ np.isfinite(votes)
    rest = {name: count.sum(axis=0)[None, :] - count for name, count in (("a", agrees), ("d", disagrees), ("s", seen))}
    pa, pd_ = (agrees + 1) / (seen + 2), (disagrees + 1) / (seen + 2)
    out = {
        "na": agrees,
        "nd": disagrees,
        "ns": seen,
        "pa": pa,
        "pd": pd_,
        "pat": _one_proportion(agrees, seen),
        "pdt": _one_proportion(disagrees, seen),
        "ra": pa / ((rest["a"] + 1) / (rest["s"] + 2)),
        "rd": pd_ / ((rest["d"] + 1) / (rest["s"] + 2)),
        "rat": _two_proportions(agrees, rest["a"], seen, rest["s"]),
        "rdt": _two_proportions(disagrees, rest["d"], seen, rest["s"]),
    }
    frame = pd.DataFrame({name: value.ravel() for name, value in out.items()})
    frame.insert(0, "statement", np.tile(np.asarray(statements), groups))
    frame.insert(0, "group", np.repeat(np.arange(groups), len(statements)))
    return frame


def _one_proportion(successes: np.ndarray, trials: np.ndarray) -> np.ndarray:
    return 2 * np.sqrt(trials + 1) * ((successes + 1) / (trials + 1) - 0.5)


def _two_proportions(
    successes: np.ndarray, others: np.ndarray, trials: np.ndarray, other_trials: np.ndarray
) -> np.ndarray:
    s1, s2, n1, n2 = successes + 1, others + 1, trials + 1, other_trials + 1
    pooled = (s1 + s2) / (n1 + n2)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (s1 / n1 - s2 / n2) / spread
    return np.where(pooled == 1, 0.0, z)


def directed(stats: pd.DataFrame) -> pd.DataFrame:
    """Each row in the direction it stands for: ``repful_for`` agree or disagree, and cregg-style
    names for its numbers (``n_success``, ``n_trials``, ``p_success``, ``p_test``, ``repness``,
    ``repness_test``, ``metric``)."""
    agree = stats["rat"] > stats["rdt"]
    pick = {
        "n_success": ("na", "nd"),
        "p_success": ("pa", "pd"),
        "p_test": ("pat", "pdt"),
        "repness": ("ra", "rd"),
        "repness_test": ("rat", "rdt"),
    }
    out = stats[["group", "statement"]].copy()
    out["repful_for"] = np.where(agree, "agree", "disagree")
    for name, (yes, no) in pick.items():
        out[name] = np.where(agree, stats[yes], stats[no])
    out.insert(list(out.columns).index("n_success") + 1, "n_trials", stats["ns"])
    out["metric"] = out["repness"] * out["repness_test"] * out["p_success"] * out["p_test"]
    return out


def representative(stats: pd.DataFrame, skip: set | frozenset = frozenset(), pick: int = PICK) -> pd.DataFrame:
    """Each group's representative statements in Polis's order (``rank`` from 1), with
    ``best_agree`` marking the group's best agreed statement; statements in ``skip`` (moderated
    out) are never chosen."""
    stats = stats[~stats["statement"].isin(skip)]
    rows = directed(stats)
    chosen = []
    for _, group in stats.groupby("group", sort=True):
        here = rows.loc[group.index]
        best_agree = _best_agree(group)
        significant = ((group["pat"] > Z90) & (group["rat"] > Z90)) | ((group["pdt"] > Z90) & (group["rdt"] > Z90))
        if not significant.any():
            if best_agree is not None:
                order = [best_agree]
            else:
                test = np.maximum(group["rat"].to_numpy(), group["rdt"].to_numpy())
                order = [int(group.index[int(np.argmax(test))])] if len(test) else []  # the first of the highest
        else:
            ranked = here[significant.to_numpy()].sort_values("metric", ascending=False, kind="stable").index
            order = ([best_agree] if best_agree is not None else []) + [i for i in ranked if i != best_agree]
        picked = rows.loc[order[:pick]].copy()
        picked["best_agree"] = picked.index == best_agree
        picked = picked.sort_values("repful_for", kind="stable")  # agreements first, as Polis lists them
        picked["rank"] = np.arange(1, len(picked) + 1)
        chosen.append(picked)
    columns = [*rows.columns, "best_agree", "rank"]
    return pd.concat(chosen, ignore_index=True) if chosen else pd.DataFrame(columns=columns)


def _best_agree(group: pd.DataFrame) -> int | None:
    """The index of the group's best agreed statement, scanning in the statements' order, or None."""
    na, nd, pa, pat, ra, rat = (group[c].to_numpy(dtype=float) for c in ("na", "nd", "pa", "pat", "ra", "rat"))
    best: int | None = None
    for i in range(len(group)):
        if na[i] == 0 and nd[i] == 0:
            continue
        if best is None:
            better = pat[i] > Z90 or (ra[i] > 1 and pa[i] > 0.5)
        elif ra[best] > 1:
            better = ra[i] * rat[i] * pa[i] * pat[i] > ra[best] * rat[best] * pa[best] * pat[best]
        else:
            better = pa[i] * pat[i] > pa[best] * pat[best]
        if better:
            best = i
    return None if best is None else int(group.index[best])
