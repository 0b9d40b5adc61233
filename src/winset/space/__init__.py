"""The package space: every way to pick one option per issue, minus what constraints forbid.

=======================  ==================================================================
``PackageSpace``         the packages of a scenario: codes, indices, parsing, validity
``SpaceConstraint``      a forbidden combination of options, compiled to masks
``Programme``            exact counting of valid packages, dead options (dynamic programming)
``uniform``              valid packages drawn uniformly at random
``distinct_tasks``       conjoint tasks of distinct valid packages
=======================  ==================================================================
"""

from .constraint import SpaceConstraint
from .packages import CODE_DTYPE, MAX_VECTOR_SIZE, NO_AGREEMENT, STATUS_QUO_WORD, PackageSpace, parse_package
from .programme import STATE_LIMIT, Programme
from .sampling import Sampler, distinct_tasks, random_packages, uniform

__all__ = [
    "CODE_DTYPE",
    "MAX_VECTOR_SIZE",
    "NO_AGREEMENT",
    "STATE_LIMIT",
    "STATUS_QUO_WORD",
    "PackageSpace",
    "Programme",
    "Sampler",
    "SpaceConstraint",
    "distinct_tasks",
    "parse_package",
    "random_packages",
    "uniform",
]
