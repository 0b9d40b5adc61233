"""The defaults every part of winset shares, defined once."""

DRAWS = 200  # respondent-cluster bootstrap draws per ratifier
INTERVAL = (0.05, 0.95)  # the quantiles of the draws that bound a reported 90% interval
Z90 = 1.6448536269514722  # the normal's 95% quantile: a central 90% range is mean +- Z90 sd
