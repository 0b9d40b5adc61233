"""Former home of the deal analyses, kept so that existing imports still work: the analyses now
live in modules named for what they hold (:mod:`.joint`, :mod:`.solution`, :mod:`.recommendations`,
:mod:`.frontier_table`, :mod:`.gap`, :mod:`.repair`). Import from those, or from
:mod:`winset.engine`.
"""

from .joint import describe, in_joint_winset, point_only
from .solution import Solution, solve

__all__ = ["Solution", "describe", "in_joint_winset", "point_only", "solve"]
