"""The defaults every part of winset shares, defined once."""

import os

DRAWS = 200  # respondent-cluster bootstrap draws per ratifier
INTERVAL = (0.05, 0.95)  # the quantiles of the draws that bound a reported 90% interval
Z90 = 1.6448536269514722  # the normal's 95% quantile: a central 90% range is mean +- Z90 sd


def cores() -> int:
    """How many cores this process may run on: the default number of threads for parallel work."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
