"""Group-informed consensus: how far a statement carries every opinion group, in the variants
the Polis community uses, each by name. From each group's agrees A, disagrees D and votes S
(passes included), over groups g = 1..G:

- ``polis``: Polis's own, the product of (A_g + 1) / (S_g + 2);
- ``polis_disagree``: the same for disagreement, the product of (D_g + 1) / (S_g + 2);
- ``geometric``: Polis's product to the power 1/G, comparable between conversations with
  different numbers of groups (red-dwarf's normalisation);
- ``effective``: the geometric mean over groups of P(agree) (1 - P(disagree)), each with
  Jeffreys' prior, (A_g + 1/2) / (S_g + 1): red-dwarf's "standard" consensus, which counts a
  group's disagreement against a statement and pulls small groups less towards one half.
"""

from __future__ import annotations

import numpy as np

VARIANTS = ("polis", "polis_disagree", "geometric", "effective")


def consensus(agrees: np.ndarray, disagrees: np.ndarray, votes: np.ndarray, variant: str = "polis") -> np.ndarray:
    """Each statement's consensus from the groups' counts (groups x statements)."""
    agrees, disagrees, votes = (np.asarray(a, dtype=float) for a in (agrees, disagrees, votes))
    groups = agrees.shape[0]
    if variant == "polis":
        return np.prod((agrees + 1) / (votes + 2), axis=0)
    if variant == "polis_disagree":
        return np.prod((disagrees + 1) / (votes + 2), axis=0)
    if variant == "geometric":
        return np.prod((agrees + 1) / (votes + 2), axis=0) ** (1 / max(groups, 1))
    if variant == "effective":
        agree, disagree = (agrees + 0.5) / (votes + 1), (disagrees + 0.5) / (votes + 1)
        return np.prod(agree * (1 - disagree), axis=0) ** (1 / max(groups, 1))
    raise ValueError(f"unknown consensus variant {variant!r}: one of {', '.join(VARIANTS)}")
