"""Conjoint analysis with the numbers of the R packages cregg and cjoint.

One function per estimand, each returning a tidy DataFrame (``feature, level, estimate,
std_error, z, p, lower, upper``):

=================  ===========================================  ======================
function           estimates                                    R equivalent
=================  ===========================================  ======================
``amce``           average marginal component effects           cregg ``amce``, cjoint ``amce``
``mm``             marginal means                               cregg ``mm``
``amce_diffs``     differences in AMCEs between groups          cregg ``amce_diffs``
``mm_diffs``       differences in marginal means between groups cregg ``mm_diffs``
``amce_by_reference``  AMCEs under each baseline of a feature  cregg ``amce_by_reference``
``acie``           average component interaction effects        cjoint ``amce(Y ~ A * B)``
``compare_levels`` test that two levels' AMCEs or MMs differ    (a Wald test)
``cj_anova``       F test of preference heterogeneity           cregg ``cj_anova``
``diagnose``       balance, carryover, profile and attribute order  cregg's diagnostics
``reliability``    intra-respondent reliability (a repeated task)   projoint
``corrected``      MMs or AMCEs corrected for measurement error     projoint ``projoint``
``freqs``          display frequencies                          cregg ``cj_freqs``
``props``          display proportions of level combinations    cregg ``cj_props``
``plot``           dot-and-whisker figure                       cregg ``plot``
``wide_to_long``   reshape a wide export                        cregg ``cj_tidy``
=================  ===========================================  ======================
"""

from .amce import amce
from .anova import cj_anova
from .data import ConjointData
from .diagnostics import Diagnostics, diagnose
from .diffs import amce_diffs, mm_diffs
from .errors import ConjointError
from .freqs import freqs, props
from .interactions import acie, compare_levels
from .mm import mm
from .plot import plot
from .randomisation import Design, DesignError, Restriction
from .reading import read_table
from .reference import amce_by_reference
from .reliability import Reliability, corrected, reliability
from .reshape import wide_to_long

__all__ = [
    "ConjointData",
    "ConjointError",
    "Design",
    "DesignError",
    "Diagnostics",
    "Reliability",
    "Restriction",
    "acie",
    "amce",
    "amce_by_reference",
    "amce_diffs",
    "cj_anova",
    "compare_levels",
    "corrected",
    "diagnose",
    "freqs",
    "mm",
    "mm_diffs",
    "plot",
    "props",
    "read_table",
    "reliability",
    "wide_to_long",
]
